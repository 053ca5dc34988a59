import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Feeds on a local server that grow while the daemon runs.
struct GrowingFeeds {
    let folder: URL
    private(set) var itemsPerFeed: [Int]

    init(in root: URL, feeds: Int, initialItems: Int) throws {
        folder = root.appendingPathComponent("feeds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        itemsPerFeed = Array(repeating: 0, count: feeds)
        for feed in 0..<feeds { try add(initialItems, to: feed) }
    }

    var total: Int { itemsPerFeed.reduce(0, +) }

    /// Appends `count` items to feed `feed`; the file is replaced atomically, so the server
    /// never serves half of one.
    mutating func add(_ count: Int, to feed: Int) throws {
        itemsPerFeed[feed] += count
        let items = (0..<itemsPerFeed[feed]).reversed().map { number in
            """
            <item><guid>feed\(feed)-\(number)</guid><title>ImmunityBio announces update \(feed)-\(number)</title>
            <link>https://example.org/\(feed)/\(number)</link>
            <description>ImmunityBio, Inc. (NASDAQ: IBRX) today announced corporate update \(number).</description></item>
            """
        }.joined(separator: "\n")
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Wire \(feed)</title><link>https://example.org/</link>
            \(items)
            </channel></rss>
            """
        try Data(text.utf8).write(to: folder.appendingPathComponent("wire\(feed).xml"), options: .atomic)
    }
}

@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: packageRoot.appendingPathComponent(".venv/bin/python3").path),
                             "needs .venv with Tests/peers/requirements.txt (make test creates it)"))
struct CrashSafety {
    /// The daemon polls three growing feeds and delivers to a slow webhook receiver (150 ms an
    /// answer); it is killed with SIGKILL at 20 seeded-random moments and restarted. In the end
    /// every alert reached the receiver (each id at least once, with a valid signature), no
    /// kill repeated more than the one delivery in flight, and the database is sound.
    @Test func killNineAtTwentyMomentsLosesNothing() async throws {
        let deployment = try Deployment(copyExamples: false)
        var feeds = try GrowingFeeds(in: deployment.root, feeds: 3, initialItems: 20)
        let feedServer = try PythonPeer("feed_peer.py", arguments: [feeds.folder.path])
        let secret = "whsec_" + Data("crash safety webhook secret 77".utf8).base64EncodedString()
        let received = deployment.root.appendingPathComponent("received.jsonl")
        let receiver = try PythonPeer("webhook_peer.py", arguments: [secret, "500,500", received.path, "150"])
        let sources = (0..<3).map { "  - {name: wire\($0), type: rss, url: \"\(feedServer.base)/wire\($0).xml\", every: 1s, host_spacing: 0s}" }
        try Data("""
            state: ../state
            delivery: {retry_base: 100ms, retry_cap: 400ms}
            sources:
            \(sources.joined(separator: "\n"))
            sinks:
              - {name: team, type: webhook, url: "\(receiver.base)/hook", secret_env: PHAROS_E2E_SECRET}
            rules: ./rules.d
            """.utf8).write(to: deployment.config)
        let environment = ["PHAROS_E2E_SECRET": secret]
        func log() -> [WebhookReceipt] { WebhookReceipt.all(in: received) }

        let kills = 20
        var random = SeededGenerator(state: 20_261_123)
        for round in 0..<kills {
            let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root, environment: environment)
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...900, using: &random)))
            try feeds.add(Int.random(in: 3...12, using: &random), to: round % 3)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...600, using: &random)))
            daemon.signal(SIGKILL)
            _ = daemon.finish()
        }

        let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root, environment: environment)
        let expected = feeds.total
        // SIGTERM before the daemon trapped it would end it the default way.
        try await eventually { ((try? String(contentsOf: daemon.err, encoding: .utf8)) ?? "").contains("starting") || !daemon.process.isRunning }
        try await eventually {
            Set(log().filter { $0.status == 200 }.compactMap(\.id)).count >= expected || !daemon.process.isRunning
        }
        daemon.signal(SIGTERM)
        let outcome = daemon.finish()
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(2000))")

        let database = deployment.state.appendingPathComponent("pharos.sqlite").path
        let query = try command("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("PRAGMA integrity_check").fetchone()[0])
            print(db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
            for (alert_id,) in db.execute("SELECT id FROM alerts"): print(alert_id)
            """, database], in: deployment.root)
        let rows = query.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first == "ok", "PRAGMA integrity_check: \(rows.first ?? query.stderr)")
        #expect(rows.dropFirst().first == String(expected), "every item was recorded once")
        let alertIDs = Set(rows.dropFirst(2))
        let delivered = log().filter { $0.status == 200 }.compactMap(\.id)
        #expect(alertIDs.count == expected, "one alert per item")
        #expect(alertIDs == Set(delivered), "every alert reached the receiver")
        #expect(log().allSatisfy { $0.verified })
        #expect(delivered.count - Set(delivered).count <= kills, "at most one delivery repeated per sink and kill")
        print("crash safety: \(kills) kills, \(expected) alerts, \(delivered.count) deliveries (\(delivered.count - Set(delivered).count) repeated across kills)")
    }
}

@Suite(.serialized) struct DiskFull {
    /// The state directory's file system fills up while the daemon runs and new items arrive:
    /// polls fail with a clear error, nothing is marked seen, and once space returns every
    /// alert is raised and delivered exactly once.
    @Test(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
    func aFullStateDiskLosesNothing() async throws {
        // Larger than the WAL grows between two automatic checkpoints (4 MB) and the database
        // beside it: the daemon polls every second, and on a busy machine, before the test fills
        // the disk, a 2 MB file system was already full of the daemon's own WAL (about 16 KB a
        // poll), with no room left for a checkpoint to move it into the database.
        guard let small = SmallFileSystem(kilobytes: 12288) else {
            Issue.record("mounting a tmpfs failed although running as root")
            return
        }
        let deployment = try Deployment(every: "1s")
        let config = try String(contentsOf: deployment.config, encoding: .utf8)
            .replacingOccurrences(of: "state: ../state", with: "state: \(small.mountPoint.path)/state")
        try Data(config.utf8).write(to: deployment.config)
        let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await eventually { deployment.lineCount() >= 6 || !daemon.process.isRunning }
        #expect(deployment.lineCount() == 6)

        // The state moved out of the WAL into the database file first (as SQLite's checkpoints
        // do now and then), so the full file system leaves the WAL no room at all: with pages
        // still in the WAL, a commit may fit where earlier frames were and the test could not
        // say what must not happen while the disk is full.
        let checkpoint = try command("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            print(sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
            """, small.mountPoint.appendingPathComponent("state/pharos.sqlite").path], in: deployment.root)
        #expect(checkpoint.stdout.hasPrefix("0"), "the checkpoint completed: \(checkpoint.stdout) \(checkpoint.stderr)")
        let filler = try small.fill()
        try deployment.addRMATReleases(0..<20)
        try await eventually {
            ((try? String(contentsOf: daemon.err, encoding: .utf8)) ?? "").contains("KiB free") || !daemon.process.isRunning
        }
        #expect(deployment.lineCount() == 6, "nothing is raised while the state cannot be written")
        try FileManager.default.removeItem(at: filler)
        try await eventually { deployment.lineCount() >= 26 || !daemon.process.isRunning }
        daemon.signal(SIGTERM)
        let outcome = daemon.finish()
        #expect(outcome.status == 0)
        #expect(outcome.stderr.contains("database or disk is full") || outcome.stderr.contains("disk I/O error"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("nothing is lost, work resumes once there is space"))
        let lines = try deployment.alertLines()
        #expect(lines.count == 26)
        #expect(Set(lines.compactMap { $0["id"] as? String }).count == 26, "each alert once")
    }
}
