import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One made-up release, as a wire, a trade site and a company's folder each carry it.
private enum Release {
    static let body = """
        Halcyon Therapeutics, Inc. (Nasdaq: HLCY), a clinical-stage biotechnology company developing \
        medicines for rare kidney diseases, today announced that the U.S. Food and Drug Administration (FDA) \
        has granted Fast Track designation to HLX-208 for the treatment of adults with primary membranous \
        nephropathy. The designation is supported by data from the ongoing Phase 2 LANTERN study, in which \
        HLX-208 reduced proteinuria by more than half at twelve weeks in most patients treated at the \
        higher dose. Fast Track is a process designed to facilitate the development and expedite the review \
        of drugs to treat serious conditions and fill an unmet medical need. "We are pleased that the FDA \
        recognized the potential of HLX-208 for patients who today have few options," said the company's \
        chief executive officer. Halcyon plans to start a Phase 3 study in the second half of next year.
        """

    static func feed(guid: String, link: String, title: String, prefix: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>News</title><link>https://example.org/</link>
        <item><guid>\(guid)</guid><title>\(title)</title><link>\(link)</link>
        <description>\(prefix)\(body)</description></item>
        </channel></rss>
        """
    }

    static let emptyFeed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>News</title><link>https://example.org/</link></channel></rss>
        """
}

@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: packageRoot.appendingPathComponent(".venv/bin/python3").path),
                             "needs .venv with Tests/peers/requirements.txt (make test creates it)"))
struct StoryEndToEnd {
    /// The same release arrives on a wire feed, then on a trade feed, then in a folder, the
    /// daemon killed with SIGKILL after each copy is recorded: each rule alerts once, each sink
    /// receives each alert once, and both later copies are on the alerts as `also_seen`.
    @Test func oneReleaseFromThreeSourcesIsOneAlertPerRuleWithTwoCopiesSeen() async throws {
        let deployment = try Deployment(copyExamples: false)
        let feeds = deployment.root.appendingPathComponent("feeds")
        try FileManager.default.createDirectory(at: feeds, withIntermediateDirectories: true)
        try Data(Release.feed(guid: "gnw-1", link: "https://wire.example/news/1", title: "Halcyon Therapeutics Receives FDA Fast Track Designation for HLX-208",
                              prefix: "ROCKVILLE, Md., March 3 (GLOBE NEWSWIRE) -- ").utf8).write(to: feeds.appendingPathComponent("wire.xml"))
        try Data(Release.emptyFeed.utf8).write(to: feeds.appendingPathComponent("trade.xml"))
        let server = try PythonPeer("feed_peer.py", arguments: [feeds.path])
        try deployment.useOnlyRules("""
            - name: fast-track
              designations: [fda-fast-track]
            - name: hlx-208
              keywords: [HLX-208]
            """)
        try Data("""
            state: ../state
            sources:
              - {name: wire, type: rss, url: "\(server.base)/wire.xml", every: 1s, host_spacing: 0s}
              - {name: trade, type: rss, url: "\(server.base)/trade.xml", every: 1s, host_spacing: 0s}
              - {name: company, type: folder, path: ../inbox, every: 1s}
            sinks:
              - {name: log, type: file, path: ../alerts.jsonl}
              - {name: team, type: file, path: ../team.jsonl}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let team = deployment.root.appendingPathComponent("team.jsonl")
        func lines(_ file: URL) -> [[String: Any]] {
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        func copiesRecorded() throws -> Int {
            let query = try command("/usr/bin/env", ["python3", "-c", """
                import sqlite3, sys
                try:
                    print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM story_copies").fetchone()[0])
                except Exception:
                    print(0)
                """, deployment.state.appendingPathComponent("pharos.sqlite").path], in: deployment.root)
            return Int(query.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        // The wire's copy: one alert per rule, to both sinks; then SIGKILL.
        var daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await eventually { lines(deployment.alerts).count >= 2 && lines(team).count >= 2 }
        daemon.signal(SIGKILL)
        _ = daemon.finish()

        // The trade site's rewrite of the page around the same text, then SIGKILL once recorded.
        try Data(Release.feed(guid: "trade-77", link: "https://trade.example/halcyon-fast-track", title: "FDA fast-tracks Halcyon's HLX-208",
                              prefix: "").utf8).write(to: feeds.appendingPathComponent("trade.xml"), options: .atomic)
        daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await eventually { (try? copiesRecorded()) ?? 0 >= 2 }
        daemon.signal(SIGKILL)
        _ = daemon.finish()

        // The company's own copy, dropped in the folder.
        try Data("---\ntitle: Halcyon Therapeutics Receives FDA Fast Track Designation for HLX-208\n---\n\(Release.body)\n".utf8)
            .write(to: deployment.inbox.appendingPathComponent("halcyon-fast-track.md"))
        daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await eventually { (try? copiesRecorded()) ?? 0 >= 4 }
        daemon.signal(SIGTERM)
        let outcome = daemon.finish()
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(2000))")

        for sink in [deployment.alerts, team] {
            let delivered = lines(sink)
            #expect(delivered.count == 2, "one alert per rule, delivered once: \(delivered.map { $0["rule"] ?? "" })")
            #expect(Set(delivered.compactMap { $0["rule"] as? String }) == ["fast-track", "hlx-208"])
            #expect(Set(delivered.compactMap { $0["source"] as? String }) == ["wire"])
            #expect(Set(delivered.compactMap { $0["story"] as? String }).count == 1, "both alerts carry the one story id")
        }
        #expect(try copiesRecorded() == 4, "two copies on each of the two alerts")

        let status = try pharos(["status", "--json", "--config", deployment.config.path], in: deployment.root)
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let stories = object?["stories"] as? [[String: Any]] ?? []
        #expect(stories.count == 2)
        for story in stories {
            let copies = story["also_seen"] as? [[String: Any]] ?? []
            #expect(copies.compactMap { $0["source"] as? String } == ["trade", "company"])
            #expect(copies.first?["link"] as? String == "https://trade.example/halcyon-fast-track")
        }
        let text = try pharos(["status", "--config", deployment.config.path], in: deployment.root)
        #expect(text.stdout.contains("also seen 2x"))
    }
}
