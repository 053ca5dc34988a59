import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `pharos` binary with an exec source (the CSV example) feeding an exec sink (the
/// append example): programs in, programs out.
@Suite(.serialized) struct ExecEndToEnd {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-exec-e2e-\(UUID().uuidString)")
        let manager = FileManager.default
        try manager.createDirectory(at: root.appendingPathComponent("config"), withIntermediateDirectories: true)
        try manager.copyItem(at: packageRoot.appendingPathComponent("config/rules.d"), to: root.appendingPathComponent("config/rules.d"))
    }

    var config: URL { root.appendingPathComponent("config/pharos.yaml") }
    var received: URL { root.appendingPathComponent("received/alerts.jsonl") }

    func writeConfig(sinkFolder: String = "../received") throws {
        let sourceExamples = packageRoot.appendingPathComponent("Plugins/ExecSource/examples").path
        let sinkExamples = packageRoot.appendingPathComponent("Plugins/ExecSink/examples").path
        try Data("""
            state: ../state
            sources:
              - name: partner
                type: exec
                command: ["\(sourceExamples)/table_to_items.py", "\(sourceExamples)/press-releases.csv"]
                every: 1m
            sinks:
              - name: archive
                type: exec
                command: ["\(sinkExamples)/append_alert.sh", "\(sinkFolder)/alerts.jsonl"]
                timeout: 20s
            rules: ./rules.d
            """.utf8).write(to: config)
    }

    func receivedLines() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: received, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    @Test func itemsFromAProgramRaiseAlertsThatAProgramReceivesOnce() throws {
        try FileManager.default.createDirectory(at: received.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeConfig()
        let check = try pharos(["check", "--config", config.path], in: root)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let first = try pharos(["run", "--once", "--config", config.path], in: root)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let lines = try receivedLines()
        let pairs = lines.map { "\($0["rule"] as? String ?? "?") \((($0["item"] as? [String: Any])?["id"] as? String)?.prefix(7) ?? "?")" }.sorted()
        #expect(pairs == ["bcma-rmat acme-20", "pd-l1-orphan sha256:"], "\(lines)")
        for line in lines {
            #expect(line["source"] as? String == "partner")
            // Both rules name designations: their alerts carry the events and a headline, and the rule's description;
            // every alert names its story.
            #expect(line.keys.sorted() == ["detected_at", "events", "evidence", "headline", "id", "item", "matches", "rule",
                                           "rule_description", "source", "story"])
        }
        #expect(first.stderr.contains("printed 3 items"), "the source program's stderr reaches the log")

        let second = try pharos(["run", "--once", "--config", config.path], in: root)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(try receivedLines().count == 2, "a second run delivers nothing twice")
    }

    @Test func theDaemonReadsAStreamProgramAndStopsItOnSIGTERM() async throws {
        try FileManager.default.createDirectory(at: received.deletingLastPathComponent(), withIntermediateDirectories: true)
        let script = root.appendingPathComponent("stream.sh")
        try Data(#"""
            #!/bin/sh
            echo $$ > "$1.tmp" && mv "$1.tmp" "$1"
            echo '{"id": "live-1", "title": "Acme Bio receives FDA RMAT designation for its BCMA CAR-T ACM-101"}'
            exec sleep 300
            """#.utf8).write(to: script)
        chmod(script.path, 0o755)
        let sinkExamples = packageRoot.appendingPathComponent("Plugins/ExecSink/examples").path
        try Data("""
            state: ../state
            sources:
              - name: live
                type: exec
                mode: stream
                command: [../stream.sh, ../program.pid]
                every: 1s
            sinks:
              - name: archive
                type: exec
                command: ["\(sinkExamples)/append_alert.sh", "../received/alerts.jsonl"]
            rules: ./rules.d
            """.utf8).write(to: config)

        let daemon = try Running(["run", "--config", config.path], in: root)
        try await eventually { (try? receivedLines().count) ?? 0 >= 1 || !daemon.process.isRunning }
        if !daemon.process.isRunning {
            let early = daemon.finish()
            Issue.record("the daemon stopped early with status \(early.status): \(early.stderr)")
            return
        }
        let lines = try receivedLines()
        #expect(lines.map { $0["rule"] as? String } == ["bcma-rmat"])
        #expect(lines.first?["source"] as? String == "live")
        let pid = try #require(Int32((try? String(contentsOf: root.appendingPathComponent("program.pid"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(kill(pid, 0) == 0, "the stream program keeps running between polls")

        daemon.signal(SIGTERM)
        let outcome = daemon.finish()
        #expect(outcome.status == 0, "\(outcome.stderr)")
        try await eventually { streamProgramIsGone(pid) }
        #expect(streamProgramIsGone(pid), "the stream program does not outlive the daemon")
    }

    @Test func aSinkProgramAskingForARetryKeepsTheAlertsWaiting() throws {
        try writeConfig(sinkFolder: "../not-yet")
        let first = try pharos(["run", "--once", "--config", config.path], in: root)
        #expect(first.status != 0, "exit 75 leaves alerts waiting, and run --once says so")
        #expect((first.stdout + first.stderr).contains("will be retried"), "\(first.stdout)\(first.stderr)")
        let outbox = try pharos(["outbox", "list", "--config", config.path], in: root)
        #expect(outbox.status == 0, "\(outbox.stderr)")
        #expect(outbox.stdout.contains("rule bcma-rmat") && outbox.stdout.contains("rule pd-l1-orphan"), "\(outbox.stdout)")
        #expect(outbox.stdout.contains("exited with status 75"), "the program's status is the recorded error: \(outbox.stdout)")
        #expect(try receivedLines().isEmpty)
    }
}

/// Gone, or a zombie left to a parent that is not the test (the daemon exited).
private func streamProgramIsGone(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}
