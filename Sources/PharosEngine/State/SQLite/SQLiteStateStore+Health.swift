import Foundation
import GRDB
import PharosCore

/// Source and sink health, and the schedule a restarted scheduler resumes.
extension SQLiteStateStore {
    /// Health of every source and sink the database knows about.
    public func health() async throws -> (sources: [SourceHealth], sinks: [SinkHealth]) {
        try await pool.read { db in
            var seen: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, COUNT(*) AS n FROM items GROUP BY source") {
                seen[row["source"]] = row["n"]
            }
            var sources = try Row.fetchAll(db, sql: "SELECT * FROM source_status ORDER BY source").map { row in
                SourceHealth(
                    source: row["source"], lastPoll: (row["last_poll"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    lastSuccess: (row["last_success"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    consecutiveFailures: row["failures"], nextPoll: (row["next_poll"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    lastError: shownError(row["last_error"]), itemsSeen: seen[row["source"]] ?? 0,
                    failingSince: (row["failing_since"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
            for (source, count) in seen where !sources.contains(where: { $0.source == source }) {
                sources.append(SourceHealth(source: source, consecutiveFailures: 0, itemsSeen: count))
            }
            var streaks: [String: (failures: Int, since: Date?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT sink, failures, failing_since FROM sink_status WHERE failures > 0") {
                streaks[row["sink"]] = (row["failures"], (row["failing_since"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
            var sinks = try Row.fetchAll(db, sql: """
                SELECT sink,
                    SUM(state = 'pending') AS pending, SUM(state = 'delivered') AS delivered, SUM(state = 'dead') AS dead,
                    MIN(CASE WHEN state = 'pending' THEN queued_at END) AS oldest_pending,
                    MAX(CASE WHEN state = 'delivered' THEN updated_at END) AS last_delivery,
                    (SELECT last_error FROM deliveries AS failed WHERE failed.sink = deliveries.sink AND failed.state != 'delivered'
                        AND failed.last_error IS NOT NULL ORDER BY failed.updated_at DESC LIMIT 1) AS last_error
                FROM deliveries GROUP BY sink ORDER BY sink
                """).map { row in
                SinkHealth(
                    sink: row["sink"], counts: OutboxCounts(pending: row["pending"], delivered: row["delivered"], dead: row["dead"]),
                    oldestPending: (row["oldest_pending"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    lastError: shownError(row["last_error"]), lastDelivery: (row["last_delivery"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    consecutiveFailures: streaks[row["sink"]]?.failures ?? 0, failingSince: streaks[row["sink"]]?.since)
            }
            for (sink, streak) in streaks where !sinks.contains(where: { $0.sink == sink }) {
                sinks.append(SinkHealth(sink: sink, counts: OutboxCounts(), consecutiveFailures: streak.failures, failingSince: streak.since))
            }
            return (sources.sorted { $0.source < $1.source }, sinks.sorted { $0.sink < $1.sink })
        }
    }

    /// Each source's consecutive failures and next scheduled poll, as recorded; sources never
    /// polled are absent.
    public func schedules() async throws -> [String: SourceSchedule] {
        try await pool.read { db in
            var schedules: [String: SourceSchedule] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, failures, next_poll FROM source_status") {
                schedules[row["source"]] = SourceSchedule(
                    failures: row["failures"], nextPoll: (row["next_poll"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
            return schedules
        }
    }
}
