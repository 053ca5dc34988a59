import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs SQL on the state database with Python's sqlite3, one result row per line.
private func sql(_ database: URL, _ statements: String, in directory: URL) throws -> [String] {
    let outcome = try command("/usr/bin/env", ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        for statement in sys.argv[2].split(";"):
            rows = db.execute(statement).fetchall()
            db.commit()
            for row in rows: print("|".join(str(v) for v in row))
        """, database.path, statements], in: directory)
    return outcome.stdout.split(separator: "\n").map(String.init)
}

/// Waits (bounded) until the daemon logged that it started (its signal handlers are set).
private func started(_ daemon: Running) async throws {
    try await eventually { ((try? String(contentsOf: daemon.err, encoding: .utf8)) ?? "").contains("starting") || !daemon.process.isRunning }
}

@Suite(.serialized) struct ArchiveCrashSafety {
    /// The daemon archives 2,000 documents (600 of which alert) and is killed with SIGKILL at
    /// seeded-random moments while it does; then the archive is aged past `history:` and the
    /// daemon is killed at random moments around start, when the expiry deletes it. In the
    /// end every alert was delivered, every item archived once and then expired, and the
    /// database is sound.
    @Test func killNineDuringArchivingAndExpiryLosesNoAlertAndCorruptsNothing() async throws {
        let deployment = try Deployment(every: "1s", copyExamples: false)
        try deployment.useOnlyRules("- name: bcma-rmat\n  targets: [BCMA]\n  designations: [fda-rmat]\n")
        try deployment.addRMATReleases(0..<600)
        let filler = String(repeating: "Acme reported quarterly revenue and reviewed its pipeline of small molecules. ", count: 40)
        for index in 600..<2000 {
            try Data("---\ntitle: Acme update \(index)\n---\n\(filler)\n".utf8)
                .write(to: deployment.inbox.appendingPathComponent(String(format: "%05d.md", index)))
        }
        var config = try String(contentsOf: deployment.config, encoding: .utf8)
        config = "history: 1h\n" + config
        try Data(config.utf8).write(to: deployment.config)
        let database = deployment.state.appendingPathComponent("pharos.sqlite")
        var random = SeededGenerator(state: 20_261_206)

        // Killed while archiving: each run commits some chunks of 200 and is cut off in the next.
        for _ in 0..<6 {
            let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1500, using: &random)))
            daemon.signal(SIGKILL)
            _ = daemon.finish()
        }
        let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        // SIGTERM before the daemon trapped it would end it the default way.
        try await started(daemon)
        try await eventually {
            (deployment.lineCount() >= 600 && (try? sql(database, "SELECT count(*) FROM items", in: deployment.root)) == ["2000"])
                || !daemon.process.isRunning
        }
        daemon.signal(SIGTERM)
        #expect(daemon.finish().status == 0)
        let archived = try sql(database, "PRAGMA integrity_check; SELECT count(*), count(DISTINCT item_id) FROM archive; SELECT count(*) FROM items",
                               in: deployment.root)
        #expect(archived == ["ok", "2000|2000", "2000"], "every item archived once, with its seen row")

        // Killed while expiring: the archive is aged two hours, past history: 1h.
        _ = try sql(database, "UPDATE archive SET first_seen = first_seen - 7200, last_seen = last_seen - 7200", in: deployment.root)
        for _ in 0..<6 {
            let daemon = try Running(["run", "--config", deployment.config.path], in: deployment.root)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...400, using: &random)))
            daemon.signal(SIGKILL)
            _ = daemon.finish()
        }
        let last = try Running(["run", "--config", deployment.config.path], in: deployment.root)
        try await started(last)
        try await eventually { (try? sql(database, "SELECT count(*) FROM archive", in: deployment.root)) == ["0"] || !last.process.isRunning }
        last.signal(SIGTERM)
        #expect(last.finish().status == 0)

        let rows = try sql(database, """
            PRAGMA integrity_check; SELECT count(*) FROM archive; SELECT count(*) FROM items; SELECT count(*) FROM alerts;
            SELECT count(*) FROM deliveries WHERE state = 'delivered'
            """, in: deployment.root)
        #expect(rows == ["ok", "0", "2000", "600", "600"], "expired, nothing else touched: \(rows)")
        let delivered = try deployment.alertLines().compactMap { $0["id"] as? String }
        #expect(Set(delivered).count == 600, "every alert reached the file, whatever the kills")
        #expect(delivered.count - Set(delivered).count <= 12, "at most one repeated per kill")
    }
}
