import FileSink
import FolderSource
import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import Testing

let registry: PluginRegistry = {
    var registry = PluginRegistry()
    registry.register(source: FolderSource.self)
    registry.register(sink: FileSink.self)
    return registry
}()

/// A throwaway config folder.
struct ConfigFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("inbox"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: url.appendingPathComponent("rules.d"), withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file
    }

    /// Loads `pharos.yaml`, returning the messages as `FILE:LINE:COL: message` with the folder path cut.
    func problems() -> [String] {
        do {
            _ = try ConfigLoader(registry: registry).load(url.appendingPathComponent("pharos.yaml"))
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: url.path + "/", with: "") }
        }
    }
}

let validMain = """
    state: ./state
    sources:
      - name: inbox
        type: folder
        path: ./inbox
        every: 30s
    sinks:
      - name: log
        type: file
        path: ./alerts.jsonl
    rules: ./rules.d
    """

let validRules = """
    - name: bcma-rmat
      targets: [BCMA]
      designations: [RMAT]
      sinks: [log]
    """

@Suite struct ConfigLoading {
    @Test func validConfigLoads() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        try folder.write("rules.d/a.yaml", validRules)
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(config.summary == "1 source, 1 sink, 1 rule")
        #expect(config.sources.first?.every == .seconds(30))
        #expect(config.stateDirectory.path == folder.url.appendingPathComponent("state").path)
        #expect(config.sinkNames(for: "bcma-rmat") == ["log"])
    }

    @Test func everyProblemIsReportedWithPositionAndKey() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", """
            state: ./state
            sources:
              - name: inbox
                type: foldr
                path: ./inbox
              - name: inbox
                type: folder
                pth: ./inbox
                every: often
            sinks:
              - name: log
                type: file
                path: ./a.jsonl
                fsync: maybe
            rules: ./rules.d
            extra: 1
            """)
        try folder.write("rules.d/r.yaml", """
            - name: a
              keywords: [x]
              sinks: [lgo]
            - name: a
              companies: [ImmunityBio]
              within: paragraphs
              keyword: [y]
            """)
        #expect(folder.problems() == [
            "pharos.yaml:4:11: 'type': unknown source type 'foldr'; did you mean 'folder'? (known: folder)",
            "pharos.yaml:6:5: folder source 'inbox' is missing required key 'path'",
            "pharos.yaml:6:11: duplicate source name 'inbox' (first defined at pharos.yaml:3:11)",
            "pharos.yaml:8:5: unknown key 'pth' in folder source 'inbox'; did you mean 'path'?",
            "pharos.yaml:9:12: 'every' must be a duration like 30s, 10m or 1h, found 'often'",
            "pharos.yaml:14:12: 'fsync' must be true or false, found 'maybe'",
            "pharos.yaml:16:1: unknown key 'extra' in the configuration; known keys: state, vocabularies, delivery, metrics, history, stories, sources, sinks, rules",
            "rules.d/r.yaml:3:11: rule 'a' sends to sink 'lgo', which is not defined; did you mean 'log'?",
            "rules.d/r.yaml:4:3: duplicate rule name 'a' (first defined at rules.d/r.yaml:1:3)",
            "rules.d/r.yaml:6:11: 'within': must be one of document, paragraph, sentence; found 'paragraphs'",
            "rules.d/r.yaml:7:3: unknown key 'keyword' in rule; did you mean 'keywords'?",
        ])
    }

    @Test func missingFileIsReported() throws {
        let folder = try ConfigFolder()
        #expect(folder.problems() == ["pharos.yaml:1:1: pharos.yaml does not exist"])
    }

    @Test func missingRulesFolderAndSinklessConfig() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", """
            sources:
              - {name: inbox, type: folder, path: ./inbox}
            sinks: []
            rules: ./nowhere
            """)
        #expect(folder.problems() == [
            "pharos.yaml:3:8: 'sinks': must list at least one entry",
            "pharos.yaml:4:8: 'rules': nowhere does not exist",
        ])
    }

    @Test func yamlSyntaxErrorsPointAtTheLine() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        try folder.write("rules.d/r.yaml", "- name: a\n  keywords: [x\n- name: b\n")
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("rules.d/r.yaml:3:") == true)
        #expect(problems.first?.contains("invalid YAML") == true)
    }

    @Test func wrongShapesAreNamed() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", """
            sources: inbox
            sinks:
              - name: log
                type: carrier-pigeon
            rules:
              - name: r
                targets: BCMA
                any: {keywords: [x]}
              - name: nothing
                exclude: [x]
            """)
        #expect(folder.problems() == [
            "pharos.yaml:1:10: 'sources': must be a list, found 'inbox'",
            "pharos.yaml:4:11: 'type': unknown sink type 'carrier-pigeon' (known: file)",
            "pharos.yaml:8:10: 'any': must be a list of clauses",
            "pharos.yaml:9:5: rule 'nothing' has nothing to match: give targets, designations, companies, products, modalities, keywords, all or any",
        ])
    }

    @Test func bundledConfigIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ConfigLoader(registry: registry).load(root.appendingPathComponent("config/pharos.yaml"))
        #expect(config.sources.map(\.name) == ["inbox"])
        #expect(config.sinks.map(\.name) == ["log"])
        #expect(config.rules.count >= 5)
    }
}

@Suite struct SinkRouting {
    let twoSinks = """
        sources:
          - {name: inbox, type: folder, path: ./inbox}
        sinks:
          - name: log
            type: file
            path: ./alerts.jsonl
          - name: regulatory
            type: file
            path: ./regulatory.jsonl
            max_age: 2h
            rules: [bcma-rmat]
        delivery: {max_age: 3d}
        rules: ./rules.d
        """

    @Test func aSinkTakesOnlyTheRulesItNames() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", twoSinks)
        try folder.write("rules.d/rules.yaml", """
            - name: bcma-rmat
              targets: [BCMA]
              designations: [RMAT]
            - name: any-orphan
              designations: [fda-orphan-drug]
            """)
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(config.sinkNames(for: "bcma-rmat") == ["log", "regulatory"])
        #expect(config.sinkNames(for: "any-orphan") == ["log"])
        #expect(config.maxAge(of: config.sinks[0]) == .seconds(3 * 86_400))
        #expect(config.maxAge(of: config.sinks[1]) == .seconds(7_200))
    }

    @Test func perStoryAndTheStoryWindowAreReadAndChecked() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain + "\nstories: {window: 10d}\n")
        try folder.write("rules.d/rules.yaml", validRules + "\n  per_story: false\n")
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(config.storyWindow == .seconds(10 * 86_400))
        #expect(config.rules.map(\.perStory) == [false])
        #expect(config.sinks.map(\.perStory) == [true])

        try folder.write("pharos.yaml", validMain.replacingOccurrences(of: "path: ./alerts.jsonl", with: "path: ./alerts.jsonl\n    per_story: false"))
        try folder.write("rules.d/rules.yaml", validRules)
        let perSink = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(perSink.sinks.map(\.perStory) == [false] && perSink.rules.map(\.perStory) == [true])
        #expect(perSink.storyWindow == PharosConfig.defaultStoryWindow)

        try folder.write("pharos.yaml", validMain.replacingOccurrences(of: "path: ./alerts.jsonl", with: "path: ./alerts.jsonl\n    per_story: sometimes")
            + "\nstories: {window: soon, size: 3}\n")
        try folder.write("rules.d/rules.yaml", validRules + "\n  per_story: 2\n")
        #expect(folder.problems() == [
            "pharos.yaml:11:16: 'per_story' must be true or false, found 'sometimes'",
            "pharos.yaml:13:19: 'window' must be a duration like 30s, 10m or 1h, found 'soon'",
            "pharos.yaml:13:25: unknown key 'size' in stories; known keys: window",
            "rules.d/rules.yaml:5:14: 'per_story' must be true or false, found a number",
        ])
    }

    @Test func danglingAndUnreachableNamesAreReported() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", twoSinks.replacingOccurrences(of: "rules: [bcma-rmat]", with: "rules: [bcma-rmta]"))
        try folder.write("rules.d/rules.yaml", """
            - name: bcma-rmat
              targets: [BCMA]
              sinks: [regulatory]
            """)
        #expect(folder.problems() == [
            "pharos.yaml:11:13: sink 'regulatory' accepts rule 'bcma-rmta', which is not defined; did you mean 'bcma-rmat'?",
            "rules.d/rules.yaml:3:11: rule 'bcma-rmat' reaches no sink: 'regulatory' accepts only the rules in its 'rules:'",
        ])
    }
}

@Suite struct MetricsOption {
    @Test func metricsNeedAnAddressAndAPort() throws {
        let folder = try ConfigFolder()
        try folder.write("rules.d/rules.yaml", validRules)
        try folder.write("pharos.yaml", validMain + "\nmetrics: 9464\n")
        #expect(folder.problems() == [
            "pharos.yaml:12:10: 'metrics': must be an address and a port such as 127.0.0.1:9464, [::1]:9464 or localhost:9464, found '9464'",
        ])
        for (text, host) in [("localhost:9464", "localhost"), ("127.0.0.2:9464", "127.0.0.2"), ("'[::1]:9464'", "::1")] {
            try folder.write("pharos.yaml", validMain + "\nmetrics: \(text)\n")
            let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
            #expect(config.metricsAddress?.host == host && config.metricsAddress?.port == 9464)
        }
    }

    @Test func aListenerBeyondLoopbackMustBeAskedForByName() throws {
        let folder = try ConfigFolder()
        try folder.write("rules.d/rules.yaml", validRules)
        try folder.write("pharos.yaml", validMain + "\nmetrics: 0.0.0.0:9464\n")
        #expect(folder.problems() == [
            "pharos.yaml:12:10: 'metrics': serves /metrics, /healthz and the alerts page and feed without authentication to anyone who can reach 0.0.0.0:9464; "
                + "listen on loopback (127.0.0.1, [::1] or localhost) behind a proxy, or write "
                + "metrics: {listen: 0.0.0.0:9464, allow_unauthenticated_remote: true}",
        ])
        try folder.write("pharos.yaml", validMain + "\nmetrics: {listen: '[::]:9464', allow_remote: yes}\n")
        #expect(folder.problems() == [
            "pharos.yaml:12:19: 'listen': serves /metrics, /healthz and the alerts page and feed without authentication to anyone who can reach [::]:9464; "
                + "listen on loopback (127.0.0.1, [::1] or localhost) behind a proxy, or write "
                + "metrics: {listen: [::]:9464, allow_unauthenticated_remote: true}",
            "pharos.yaml:12:32: unknown key 'allow_remote' in metrics; known keys: allow_unauthenticated_remote, listen",
        ])
        try folder.write("pharos.yaml", validMain + "\nmetrics: {listen: 0.0.0.0:9464, allow_unauthenticated_remote: true}\n")
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(config.metricsAddress?.host == "0.0.0.0")
    }
}

@Suite struct HistoryOption {
    @Test func historyDefaultsTo180DaysAndZeroKeepsNone() throws {
        let folder = try ConfigFolder()
        try folder.write("rules.d/rules.yaml", validRules)
        try folder.write("pharos.yaml", validMain)
        let file = folder.url.appendingPathComponent("pharos.yaml")
        #expect(try ConfigLoader(registry: registry).load(file).history == .seconds(180 * 86_400))
        for (text, history) in [("0", Duration.zero), ("30d", .seconds(30 * 86_400)), ("1h", .seconds(3600))] {
            try folder.write("pharos.yaml", validMain + "\nhistory: \(text)\n")
            #expect(try ConfigLoader(registry: registry).load(file).history == history)
        }
    }

    @Test func aBadHistoryIsNamedWithItsPosition() throws {
        let folder = try ConfigFolder()
        try folder.write("rules.d/rules.yaml", validRules)
        try folder.write("pharos.yaml", validMain + "\nhistory: forever\n")
        #expect(folder.problems() == ["pharos.yaml:12:10: 'history' must be a duration like 30s, 10m or 1h, found 'forever'"])
        try folder.write("pharos.yaml", validMain + "\nhistory: 10m\n")
        #expect(folder.problems() == ["pharos.yaml:12:10: 'history': must be 0 (keep nothing) or at least 1h, found 10m"])
        try folder.write("pharos.yaml", validMain + "\nhistory: [180d]\n")
        #expect(folder.problems().first?.hasPrefix("pharos.yaml:12:10: 'history' must be a duration") == true)
    }
}
