import Foundation
import PharosBuiltins
import PharosCore
import PharosEngine
import Testing

let pluginsFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Plugins")

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
