import Foundation
import PharosBuiltins
import PharosCore
import PharosEngine
import RSSSource
import Testing

/// A throwaway config folder whose `pharos.yaml` holds `sources` (YAML lines) and a file sink.
struct PresetConfig {
    let folder: URL

    init(sources: String, files: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let main = """
            state: ./state
            sources:
            \(sources)
            sinks:
              - name: log
                type: file
                path: ./alerts.jsonl
            rules:
              - name: any-terminated
                keywords: [terminated]

            """
        try Data(main.utf8).write(to: folder.appendingPathComponent("pharos.yaml"))
        for (name, text) in files {
            let file = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
    }

    func load() throws(ConfigErrors) -> PharosConfig {
        try ConfigLoader(registry: builtinPlugins).load(folder.appendingPathComponent("pharos.yaml"))
    }

    /// The problems as `FILE:LINE:COL: message`, the folder cut from the path.
    func problems() -> [String] {
        do {
            _ = try load()
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
        }
    }
}

@Suite struct Presets {
    @Test func aConfigOfPresetsOnlyLoads() throws {
        let config = try PresetConfig(sources: """
              - name: fda
                preset: fda-press-releases
              - name: ema
                preset: ema-news
                every: 1h
              - name: acme-gnw
                preset: globenewswire-organization
                organization: -00Wf9DRSziJzKOt-iNMNw==
              - name: acme-ir
                preset: ir-gcs
                host: investors.acme.example
                url: https://investors.acme.example/rss/all.xml
            """).load()
        #expect(config.sources.map(\.type) == ["rss", "rss", "rss", "rss"])
        #expect(config.sources.map(\.every) == [.seconds(900), .seconds(3600), .seconds(600), .seconds(900)])
        let urls = config.sources.compactMap { ($0.source as? RSSSource)?.url }
        #expect(urls == [
            "https://www.fda.gov/about-fda/contact-fda/stay-informed/rss-feeds/press-releases/rss.xml",
            "https://www.ema.europa.eu/en/news.xml",
            "https://www.globenewswire.com/RssFeed/organization/-00Wf9DRSziJzKOt-iNMNw==",
            "https://investors.acme.example/rss/all.xml",
        ])
    }

    @Test func everyPresetBuildsWithItsParameters() throws {
        for preset in builtinPresets {
            var parameters = preset.parameters.map { "    \($0.name): \($0.allowed == .host ? "ir.example.com" : "abc123")" }
            if preset.type == "edgar" { parameters.append("    user_agent: Pharos tests ops@example.org") }
            let config = try PresetConfig(sources: (["  - name: p", "    preset: \(preset.name)"] + parameters).joined(separator: "\n"))
            #expect(config.problems() == [], "preset \(preset.name)")
        }
    }

    @Test func anUnknownPresetNamesTheKnownOnes() throws {
        let problems = try PresetConfig(sources: """
              - name: fda
                preset: fda-press-release
            """).problems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("pharos.yaml:4:13: unknown preset 'fda-press-release'; did you mean 'fda-press-releases'? (known: ") == true)
        #expect(problems.first?.contains("ema-news") == true)
    }

    @Test func parametersAreRequiredAndChecked() throws {
        let problems = try PresetConfig(sources: """
              - name: a
                preset: ir-q4
              - name: b
                preset: ir-q4
                host: https://ir.example.com/feed
              - name: c
                preset: globenewswire-organization
                organization: has/slash
              - name: d
                preset: ema-news
                type: folder
              - name: e
                preset: ema-news
                timout: 5s
            """).problems()
        #expect(problems == [
            "pharos.yaml:3:5: preset 'ir-q4' needs 'host': the company's investor-relations host, such as investors.example.com",
            "pharos.yaml:7:11: 'host': must be a host name such as ir.example.com (no scheme or path), found 'https://ir.example.com/feed'",
            "pharos.yaml:10:19: 'organization': must not contain '/', '?', '#', '%' or spaces, found 'has/slash'",
            "pharos.yaml:13:11: preset 'ema-news' is a rss source, but 'type' says 'folder'; leave 'type' out",
            "pharos.yaml:16:5: unknown key 'timout' in rss source 'e'; did you mean 'timeout'?",
        ])
    }

    @Test func aBadValueThePresetFillsInPointsAtThePreset() throws {
        let problems = try PresetConfig(sources: """
              - name: a
                preset: fda-press-releases
                every: soon
            """).problems()
        #expect(problems == ["pharos.yaml:5:12: 'every' must be a duration like 30s, 10m or 1h, found 'soon'"])
    }

    @Test func everyPresetIsDocumented() throws {
        let doc = try String(contentsOf: packageFolder.appendingPathComponent("docs/PRESETS.md"), encoding: .utf8)
        for preset in builtinPresets {
            #expect(doc.contains("`\(preset.name)`"), "docs/PRESETS.md describes \(preset.name)")
            for option in preset.options where option.key == "url" {
                #expect(doc.contains(option.value), "docs/PRESETS.md gives the address of \(preset.name)")
            }
        }
    }
}

@Suite struct IncludedSources {
    @Test func anIncludedFileAddsItsSources() throws {
        let config = try PresetConfig(sources: """
              - name: fda
                preset: fda-press-releases
              - include: feeds/imported.yaml
            """, files: ["feeds/imported.yaml": """
            - name: endpoints
              type: rss
              url: "https://endpts.example/feed/"
              every: 15m
            - name: ema
              preset: ema-news
            - name: inbox
              type: folder
              path: ./inbox
            """, "feeds/inbox/.keep": ""])
        let loaded = try config.load()
        #expect(loaded.sources.map(\.name) == ["fda", "endpoints", "ema", "inbox"])
    }

    @Test func aFolderIsIncludedFileByFile() throws {
        let config = try PresetConfig(sources: "  - include: sources.d", files: [
            "sources.d/b.yaml": "- {name: b, preset: ema-news}\n",
            "sources.d/a.yaml": "sources:\n  - {name: a, preset: fda-press-releases}\n",
            "sources.d/notes.txt": "not yaml",
        ])
        #expect(try config.load().sources.map(\.name) == ["a", "b"])
    }

    @Test func badIncludesAreReportedWhereTheyAre() throws {
        let problems = try PresetConfig(sources: """
              - include: missing.yaml
              - include: mapping.yaml
              - include: nested.yaml
              - include: broken.yaml
              - include: dup.yaml
                every: 5m
              - name: fda
                preset: fda-press-releases
            """, files: [
                "mapping.yaml": "name: x\ntype: rss\n",
                "nested.yaml": "- include: other.yaml\n- {name: fda, preset: ema-news}\n",
                "broken.yaml": "- name: [unclosed\n",
                "dup.yaml": "- {name: z, preset: ema-news}\n",
            ]).problems()
        #expect(problems.count == 6, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("pharos.yaml:3:14: 'include': ") && $0.hasSuffix("missing.yaml does not exist") })
        #expect(problems.contains("mapping.yaml:1:1: an included file must be a list of sources (or hold one under 'sources:'), found a mapping"))
        #expect(problems.contains("nested.yaml:1:12: an included file cannot include another (other.yaml)"))
        #expect(problems.contains { $0.hasPrefix("broken.yaml:") })
        #expect(problems.contains("pharos.yaml:8:5: an include entry holds only 'include: FILE'; 'every' belongs in the included file's entries"))
        #expect(problems.contains { $0.contains("duplicate source name 'fda'") }, "names are unique across included files")
    }
}
