import Foundation
import PharosBuiltins
import PharosCore
import PharosEngine
import Testing

let packageFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let pluginsFolder = packageFolder.appendingPathComponent("Plugins")

/// The names in Package.swift's `let plugins = [...]`, the one list the plugin targets, their
/// test targets and PharosBuiltins' dependencies are made from.
func packagePluginList() throws -> [String] {
    let manifest = try String(contentsOf: packageFolder.appendingPathComponent("Package.swift"), encoding: .utf8)
    guard let start = manifest.range(of: "let plugins = ["),
          let end = manifest[start.upperBound...].firstIndex(of: "]") else { return [] }
    return manifest[start.upperBound..<end].split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
}

/// Every folder in Plugins/, as (folder name, kind, expected type): `RSSSource` ↔ source `rss`.
func pluginFolders() throws -> [(folder: String, kind: ConfigLoader.PluginKind, type: String)] {
    try FileManager.default.contentsOfDirectory(atPath: pluginsFolder.path).sorted().compactMap { name in
        if name.hasSuffix("Source") { return (name, .source, String(name.dropLast(6)).lowercased()) }
        if name.hasSuffix("Sink") { return (name, .sink, String(name.dropLast(4)).lowercased()) }
        Issue.record("Plugins/\(name) is neither a …Source nor a …Sink")
        return nil
    }
}

@Suite struct PluginFolders {
    @Test func everyFolderIsRegisteredUnderItsName() throws {
        let folders = try pluginFolders()
        #expect(!folders.isEmpty)
        for (folder, kind, type) in folders {
            let registered = kind == .source ? builtinPlugins.sources[type] != nil : builtinPlugins.sinks[type] != nil
            #expect(registered, "Plugins/\(folder) should be registered as \(kind) type '\(type)'")
        }
        let registeredCount = builtinPlugins.sources.count + builtinPlugins.sinks.count
        #expect(registeredCount == folders.count, "every registered plugin has its own folder")
    }

    @Test func everyFolderIsInPackageSwiftsPluginList() throws {
        let folders = try pluginFolders().map(\.folder)
        let listed = try packagePluginList()
        #expect(!listed.isEmpty, "Package.swift declares `let plugins = [...]`")
        for folder in folders {
            #expect(listed.contains(folder), "Plugins/\(folder) should be in Package.swift's plugin list")
        }
        for name in listed where !folders.contains(name) {
            Issue.record("Package.swift lists plugin \(name) but there is no folder Plugins/\(name)")
        }
        #expect(listed.count == Set(listed).count, "each plugin is listed once")
    }

    @Test func everyFolderHasTestsInItsTestsFolder() throws {
        for (folder, _, _) in try pluginFolders() {
            let tests = pluginsFolder.appendingPathComponent("\(folder)/Tests")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: tests.path)) ?? []
            let withTests = files.filter { name in
                name.hasSuffix(".swift")
                    && ((try? String(contentsOf: tests.appendingPathComponent(name), encoding: .utf8))?.contains("@Test") ?? false)
            }
            #expect(!withTests.isEmpty, "Plugins/\(folder)/Tests should hold at least one file of tests")
        }
    }

    @Test func everyFolderHasAReadmeAndASampleThatBuilds() throws {
        // Samples name secrets by environment variable; give them one.
        setenv("PHAROS_WEBHOOK_SECRET", "whsec_" + Data("sample secret for the plugin test".utf8).base64EncodedString(), 1)
        for (folder, kind, type) in try pluginFolders() {
            let readme = pluginsFolder.appendingPathComponent("\(folder)/README.md")
            #expect(((try? String(contentsOf: readme, encoding: .utf8)) ?? "").count > 200, "Plugins/\(folder)/README.md explains the plugin")
            let sample = pluginsFolder.appendingPathComponent("\(folder)/sample.yaml")
            do {
                let built = try ConfigLoader(registry: builtinPlugins).buildPlugin(from: sample, kind: kind)
                #expect(built == type)
            } catch {
                Issue.record("Plugins/\(folder)/sample.yaml does not build:\n\(error)")
            }
        }
    }
}
