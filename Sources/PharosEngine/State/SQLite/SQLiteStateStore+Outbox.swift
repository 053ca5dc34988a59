import Foundation
import GRDB
import PharosCore

/// The outbox: what is due, what happened to each attempt, and `pharos outbox`.
extension SQLiteStateStore {
    /// Alerts due for `sink` now, oldest first.
    public func due(sink: String, now: Date, limit: Int) async throws -> [PendingDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.alert_id, d.attempts, d.queued_at, d.last_error, a.rule, a.source, a.item_id, a.document FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                WHERE d.sink = ? AND d.state = 'pending' AND d.next_attempt_at <= ?
                ORDER BY d.next_attempt_at, d.rowid LIMIT ?
                """), arguments: [sink, now.timeIntervalSince1970, limit]
            ).map { row in
                PendingDelivery(alertID: row["alert_id"], rule: row["rule"], sink: sink, source: row["source"], itemID: row["item_id"],
                                json: row["document"], attempts: row["attempts"],
                                queuedAt: Date(timeIntervalSince1970: row["queued_at"] ?? now.timeIntervalSince1970), lastError: row["last_error"])
            }
        }
    }

    /// When the next pending delivery for `sink` falls due, if any.
    public func nextDue(sink: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MIN(next_attempt_at) FROM deliveries WHERE sink = ? AND state = 'pending'"),
                                arguments: [sink]).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// When `sink` last had a delivery succeed, if ever (a digest's period counts from it).
    public func lastDelivery(sink: String) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(db.cachedStatement(sql: "SELECT MAX(updated_at) FROM deliveries WHERE sink = ? AND state = 'delivered'"),
                                arguments: [sink]).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Records the outcome of attempts, in one transaction.
    public func recordDeliveries(sink: String, _ outcomes: [(alertID: String, DeliveryRecord)], now: Date) async throws {
        try await write { db in
            let time = now.timeIntervalSince1970
            for (alertID, outcome) in outcomes {
                switch outcome {
                case .delivered:
                    try db.cachedStatement(sql: """
                        UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, last_error = NULL, updated_at = ?
                        WHERE alert_id = ? AND sink = ?
                        """).execute(arguments: [time, alertID, sink])
                case .retry(let error, let at):
                    try db.cachedStatement(sql: """
                        UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ?
                        WHERE alert_id = ? AND sink = ?
                        """).execute(arguments: [error, at.timeIntervalSince1970, time, alertID, sink])
                case .dead(let error):
                    try db.cachedStatement(sql: """
                        UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, updated_at = ?
                        WHERE alert_id = ? AND sink = ?
                        """).execute(arguments: [error, time, alertID, sink])
                case .expired(let error):
                    try db.cachedStatement(sql: """
                        UPDATE deliveries SET state = 'dead', last_error = ?, updated_at = ? WHERE alert_id = ? AND sink = ?
                        """).execute(arguments: [error, time, alertID, sink])
                }
            }
            // The sink's streak: one success in the batch shows it works; otherwise each failed
            // attempt adds to its consecutive failures.
            var failed = 0, succeeded = false
            for (_, outcome) in outcomes {
                switch outcome {
                case .delivered: succeeded = true
                case .retry, .dead: failed += 1
                case .expired: break
                }
            }
            if succeeded {
                try db.cachedStatement(sql: """
                    INSERT INTO sink_status (sink, failures, failing_since) VALUES (?, 0, NULL)
                    ON CONFLICT (sink) DO UPDATE SET failures = 0, failing_since = NULL
                    """).execute(arguments: [sink])
            } else if failed > 0 {
                try db.cachedStatement(sql: """
                    INSERT INTO sink_status (sink, failures, failing_since) VALUES (?, ?, ?)
                    ON CONFLICT (sink) DO UPDATE SET failures = failures + excluded.failures,
                        failing_since = COALESCE(failing_since, excluded.failing_since)
                    """).execute(arguments: [sink, failed, time])
            }
        }
    }

    /// Deliveries not yet delivered (pending and dead), or all with `includeDelivered`, oldest first.
    public func outbox(includeDelivered: Bool, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.alert_id, d.sink, d.state, d.attempts, d.next_attempt_at, d.last_error, a.rule, a.source
                FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                WHERE ? OR d.state != 'delivered' ORDER BY d.rowid LIMIT ?
                """, arguments: [includeDelivered, limit]
            ).map { row in
                OutboxEntry(alertID: row["alert_id"], sink: row["sink"], state: row["state"], attempts: row["attempts"],
                            nextAttempt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: shownError(row["last_error"]),
                            rule: row["rule"], source: row["source"])
            }
        }
    }

    /// Makes the alert's pending or dead deliveries due now (every dead one with `alertID` nil).
    /// Returns how many deliveries were rescheduled. A retry starts afresh: its backoff from the
    /// first step, its `max_age` from now.
    @discardableResult
    public func retry(alertID: String?, now: Date) async throws -> Int {
        try await write { db in
            if let alertID {
                try db.execute(sql: """
                    UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, queued_at = ?
                    WHERE alert_id = ? AND state != 'delivered'
                    """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, now.timeIntervalSince1970, alertID])
            } else {
                try db.execute(sql: """
                    UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, queued_at = ? WHERE state = 'dead'
                    """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, now.timeIntervalSince1970])
            }
            return db.changesCount
        }
    }

    /// Gives up on the alert's undelivered deliveries for good. Returns how many were removed.
    @discardableResult
    public func drop(alertID: String) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM deliveries WHERE alert_id = ? AND state != 'delivered'", arguments: [alertID])
            return db.changesCount
        }
    }

    /// Outbox counts per sink.
    public func outboxCounts() async throws -> [String: OutboxCounts] {
        try await pool.read { db in
            var counts: [String: OutboxCounts] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sink, state, COUNT(*) AS n FROM deliveries GROUP BY sink, state") {
                let sink: String = row["sink"]
                let n: Int = row["n"]
                switch row["state"] as String {
                case "pending": counts[sink, default: .init()].pending = n
                case "delivered": counts[sink, default: .init()].delivered = n
                default: counts[sink, default: .init()].dead = n
                }
            }
            return counts
        }
    }
}
