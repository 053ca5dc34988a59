import Foundation
import GRDB
import PharosCore

/// Seen items, checkpoints and the one transaction that records a poll.
extension SQLiteStateStore {
    /// The checkpoint the last successful poll of `source` stored.
    public func checkpoint(source: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT checkpoint FROM source_status WHERE source = ?"), arguments: [source])
        }
    }

    /// The recorded version of each of `ids` already seen from `source`.
    public func versions(source: String, ids: [String]) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            // One prepared statement per id rather than an IN list: a list's statement differs
            // with every length, and would be compiled again each poll.
            let statement = try db.cachedStatement(sql: "SELECT version FROM items WHERE source = ? AND item_id = ?")
            var found: [String: String] = [:]
            for id in ids where found[id] == nil {
                if let version = try String.fetchOne(statement, arguments: [source, id]) { found[id] = version }
            }
            return found
        }
    }

    /// Records every poll of `polls` in one `write` (one transaction, one fsync).
    @discardableResult
    public func record(_ polls: [PollRecord], now: Date) async throws -> [String] {
        try await write { db in
            var inserted: [String] = []
            for poll in polls {
                try Self.write(poll, time: now.timeIntervalSince1970, into: db, newAlerts: &inserted)
            }
            return inserted
        }
    }

    private static func write(_ poll: PollRecord, time: Double, into db: Database, newAlerts inserted: inout [String]) throws {
        let source = poll.source
        if let checkpoint = poll.checkpoint {
            try db.cachedStatement(sql: """
                INSERT INTO source_status (source, checkpoint) VALUES (?, ?)
                ON CONFLICT (source) DO UPDATE SET checkpoint = excluded.checkpoint
                """).execute(arguments: [source, checkpoint])
        }
        if !poll.items.isEmpty {
            let insertItem = try db.cachedStatement(sql: """
                INSERT INTO items (source, item_id, version, title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, item_id) DO UPDATE SET version = excluded.version, title = excluded.title,
                    last_seen = excluded.last_seen
                """)
            for item in poll.items {
                try insertItem.execute(arguments: [source, item.id, item.effectiveVersion, item.title, time, time])
            }
        }
        if !poll.archive.isEmpty { try writeArchive(poll.archive, source: source, time: time, into: db) }
        if !poll.alerts.isEmpty {
            let insertAlert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO alerts (id, rule, source, item_id, document, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
            let insertDelivery = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO deliveries (alert_id, sink, state, next_attempt_at, updated_at, queued_at)
                VALUES (?, ?, 'pending', ?, ?, ?)
                """)
            for alert in poll.alerts {
                try insertAlert.execute(arguments: [alert.id, alert.rule, source, alert.itemID, alert.json, time])
                guard db.changesCount > 0 else { continue }
                inserted.append(alert.rule)
                for sink in alert.sinks {
                    try insertDelivery.execute(arguments: [alert.id, sink, time, time, time])
                }
            }
        }
        try write(poll.stories, into: db)
        if let status = poll.status { try write(status, into: db) }
    }

    /// A poll's outcome: a success clears the source's failure streak, a failure adds to it
    /// (since its first failure).
    private static func write(_ status: PollStatus, into db: Database) throws {
        let (source, time, nextPoll) = (status.source, status.polled.timeIntervalSince1970, status.nextPoll.timeIntervalSince1970)
        if let error = status.error {
            try db.cachedStatement(sql: """
                INSERT INTO source_status (source, last_poll, failures, next_poll, last_error, failing_since) VALUES (?, ?, 1, ?, ?, ?)
                ON CONFLICT (source) DO UPDATE SET last_poll = excluded.last_poll, failures = failures + 1,
                    next_poll = excluded.next_poll, last_error = excluded.last_error,
                    failing_since = CASE WHEN failures > 0 THEN COALESCE(failing_since, excluded.failing_since)
                        ELSE excluded.failing_since END
                """).execute(arguments: [source, time, nextPoll, error, time])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO source_status (source, last_poll, last_success, failures, next_poll) VALUES (?, ?, ?, 0, ?)
                ON CONFLICT (source) DO UPDATE SET last_poll = excluded.last_poll, last_success = excluded.last_success,
                    failures = 0, next_poll = excluded.next_poll, last_error = NULL, failing_since = NULL
                """).execute(arguments: [source, time, time, nextPoll])
        }
    }
}
