import Foundation
import GRDB
import PharosCore

/// An alert waiting in the outbox for one sink.
public struct PendingDelivery: Sendable {
    public var alertID: String
    public var rule: String
    public var sink: String
    /// The source and item that raised the alert: a sink grouping by item gets them together.
    public var source: String
    public var itemID: String
    public var json: String
    public var attempts: Int
    /// When it was queued (or last re-queued by `pharos outbox retry`): what `max_age` counts from.
    public var queuedAt: Date
    /// Why the previous attempt failed, if one did.
    public var lastError: String?
}

/// A new alert and the sinks it must reach, written with the item that caused it.
public struct NewAlert: Sendable {
    public var id: String
    public var rule: String
    public var itemID: String
    public var json: String
    public var sinks: [String]
}

/// What happened to one delivery: an attempt's outcome, or an expiry.
public enum DeliveryRecord: Sendable {
    case delivered
    case retry(error: String, at: Date)
    case dead(error: String)
    /// Given up without an attempt: undelivered `max_age` after it was queued. Neither an
    /// attempt nor a failure of the sink.
    case expired(error: String)
}

/// One poll's outcome as `pharos status` shows it.
public struct PollStatus: Sendable {
    public var source: String
    /// Why the poll failed; nil when it succeeded.
    public var error: String?
    public var polled: Date
    public var nextPoll: Date

    public init(source: String, error: String?, polled: Date, nextPoll: Date) {
        self.source = source
        self.error = error
        self.polled = polled
        self.nextPoll = nextPoll
    }
}

/// Per-sink outbox counts.
public struct OutboxCounts: Sendable, Equatable {
    public var pending = 0
    public var delivered = 0
    public var dead = 0

    public init(pending: Int = 0, delivered: Int = 0, dead: Int = 0) {
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
    }
}

/// The SQLite state: items seen per source, the outbox of alerts per sink, source health.
///
/// Seen items and their alerts are written in one transaction, so a crash either keeps
/// both or neither; a delivery is marked done as soon as the sink returned.
public final class StateStore: Sendable {
    private let pool: DatabasePool
    /// The database file.
    public let path: URL

    /// Opens (creating if needed) `pharos.sqlite` in `directory`, in WAL mode. The folder is
    /// made 0700 and the database files 0600, whatever the umask: they hold what was seen and
    /// every alert.
    public init(directory: URL) throws {
        try Self.makePrivateDirectory(directory)
        path = directory.appendingPathComponent("pharos.sqlite")
        // SQLite creates the database 0644 less the umask and gives its -wal and -shm files the
        // database's mode: create it 0600 first, and tighten files an earlier version left open.
        try Self.makePrivateFile(path)
        for suffix in ["-wal", "-shm"] {
            let companion = path.path + suffix
            var info = stat()
            if stat(companion, &info) == 0, info.st_mode & 0o077 != 0 { chmod(companion, 0o600) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // The daemon's reads are a few indexed lookups per poll, each a few microseconds with
        // its statement prepared once: one reader keeps up, and each connection holds its
        // page cache, schema, prepared statements and lookaside buffers for the life of the
        // process (SQLite's default 2 MiB of cache each, six connections, was a third of the
        // daemon's heap; a second reader held about 100 KB). The operating system's file
        // cache still holds the database.
        configuration.maximumReaderCount = Self.readers
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKiB)")
        }
        pool = try DatabasePool(path: path.path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    /// Creates `directory` (and missing parents) with mode 0700, whatever the umask; one that
    /// exists is left as it is, but must be a folder.
    static func makePrivateDirectory(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StateDirectoryError.notADirectory(directory.path) }
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard chmod(directory.path, 0o700) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM) }
    }

    /// Creates `file` with mode 0600 if it is missing, or takes group and other access away.
    static func makePrivateFile(_ file: URL) throws {
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & 0o077 != 0 { fchmod(descriptor, info.st_mode & 0o700) }
    }

    /// Read connections and the page cache of each connection.
    static let readers = 1
    static let cacheKiB = 512

    /// Hands back the writer's page cache, for when the daemon goes idle.
    ///
    /// Not GRDB's `releaseMemory`: that closes the read connections and empties every
    /// statement cache, so each minute the daemon opened connections again, read the schema
    /// and compiled its statements anew, and kept SQLite's parser and GRDB's connection set-up
    /// code resident for it. Readers hold a few pages at most (in WAL mode their cache is
    /// dropped whenever the writer has committed since their last read).
    public func releaseMemory() async {
        try? await pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "PRAGMA shrink_memory").execute()
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE items (
                    source TEXT NOT NULL, item_id TEXT NOT NULL, version TEXT NOT NULL,
                    title TEXT NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                    PRIMARY KEY (source, item_id)) WITHOUT ROWID;
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY NOT NULL, rule TEXT NOT NULL, source TEXT NOT NULL,
                    item_id TEXT NOT NULL, document TEXT NOT NULL, created_at REAL NOT NULL);
                CREATE TABLE deliveries (
                    alert_id TEXT NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
                    last_error TEXT, updated_at REAL NOT NULL,
                    UNIQUE (alert_id, sink));
                CREATE INDEX deliveries_due ON deliveries (sink, state, next_attempt_at);
                CREATE TABLE source_status (
                    source TEXT PRIMARY KEY NOT NULL, last_poll REAL, last_success REAL,
                    failures INTEGER NOT NULL DEFAULT 0, next_poll REAL, last_error TEXT);
                """)
        }
        migrator.registerMigration("v2-checkpoints") { db in
            try db.execute(sql: "ALTER TABLE source_status ADD COLUMN checkpoint TEXT")
        }
        migrator.registerMigration("v3-queued-at") { db in
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN queued_at REAL;
                UPDATE deliveries SET queued_at = (SELECT created_at FROM alerts WHERE alerts.id = deliveries.alert_id);
                """)
        }
        // Since when a source or sink has been failing: the first failure after its last success.
        migrator.registerMigration("v4-failing-since") { db in
            try db.execute(sql: """
                ALTER TABLE source_status ADD COLUMN failing_since REAL;
                UPDATE source_status SET failing_since = last_poll WHERE failures > 0;
                CREATE TABLE sink_status (
                    sink TEXT PRIMARY KEY NOT NULL, failures INTEGER NOT NULL DEFAULT 0, failing_since REAL);
                """)
        }
        return migrator
    }

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

    /// Records items as seen and queues their alerts, atomically. Returns the rules of the
    /// alerts that were new (one entry per alert).
    @discardableResult
    public func record(source: String, items: [Item], alerts: [NewAlert], checkpoint: String? = nil, now: Date) async throws -> [String] {
        try await pool.write { db in
            let time = now.timeIntervalSince1970
            if let checkpoint {
                try db.cachedStatement(sql: """
                    INSERT INTO source_status (source, checkpoint) VALUES (?, ?)
                    ON CONFLICT (source) DO UPDATE SET checkpoint = excluded.checkpoint
                    """).execute(arguments: [source, checkpoint])
            }
            if !items.isEmpty {
                let insertItem = try db.cachedStatement(sql: """
                    INSERT INTO items (source, item_id, version, title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, item_id) DO UPDATE SET version = excluded.version, title = excluded.title,
                        last_seen = excluded.last_seen
                    """)
                for item in items {
                    try insertItem.execute(arguments: [source, item.id, item.effectiveVersion, item.title, time, time])
                }
            }
            var inserted: [String] = []
            if !alerts.isEmpty {
                let insertAlert = try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO alerts (id, rule, source, item_id, document, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                let insertDelivery = try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO deliveries (alert_id, sink, state, next_attempt_at, updated_at, queued_at)
                    VALUES (?, ?, 'pending', ?, ?, ?)
                    """)
                for alert in alerts {
                    try insertAlert.execute(arguments: [alert.id, alert.rule, source, alert.itemID, alert.json, time])
                    guard db.changesCount > 0 else { continue }
                    inserted.append(alert.rule)
                    for sink in alert.sinks {
                        try insertDelivery.execute(arguments: [alert.id, sink, time, time, time])
                    }
                }
            }
            return inserted
        }
    }

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
        try await pool.write { db in
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

    /// One row of `pharos outbox list`.
    public struct OutboxEntry: Sendable {
        public var alertID: String
        public var sink: String
        public var state: String
        public var attempts: Int
        public var nextAttempt: Date
        public var lastError: String?
        public var rule: String
        public var source: String
    }

    /// Deliveries not yet delivered (pending and dead), or all with `includeDelivered`, oldest first.
    public func outbox(includeDelivered: Bool = false, limit: Int = 1000) async throws -> [OutboxEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.alert_id, d.sink, d.state, d.attempts, d.next_attempt_at, d.last_error, a.rule, a.source
                FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                WHERE ? OR d.state != 'delivered' ORDER BY d.rowid LIMIT ?
                """, arguments: [includeDelivered, limit]
            ).map { row in
                OutboxEntry(alertID: row["alert_id"], sink: row["sink"], state: row["state"], attempts: row["attempts"],
                            nextAttempt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: Self.shown(row["last_error"]),
                            rule: row["rule"], source: row["source"])
            }
        }
    }

    /// Makes the alert's pending or dead deliveries due now (every dead one with `alertID` nil).
    /// Returns how many deliveries were rescheduled. A retry starts afresh: its backoff from the
    /// first step, its `max_age` from now.
    @discardableResult
    public func retry(alertID: String?, now: Date) async throws -> Int {
        try await pool.write { db in
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
        try await pool.write { db in
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

    /// One source's health, as `pharos status` shows it.
    public struct SourceHealth: Sendable {
        public var source: String
        public var lastPoll: Date?
        public var lastSuccess: Date?
        public var consecutiveFailures: Int
        public var nextPoll: Date?
        public var lastError: String?
        public var itemsSeen: Int
        /// The first failed poll after the last success, while failures go on.
        public var failingSince: Date?

        public init(source: String, lastPoll: Date? = nil, lastSuccess: Date? = nil, consecutiveFailures: Int = 0,
                    nextPoll: Date? = nil, lastError: String? = nil, itemsSeen: Int = 0, failingSince: Date? = nil) {
            self.failingSince = failingSince
            self.source = source
            self.lastPoll = lastPoll
            self.lastSuccess = lastSuccess
            self.consecutiveFailures = consecutiveFailures
            self.nextPoll = nextPoll
            self.lastError = lastError
            self.itemsSeen = itemsSeen
        }
    }

    /// One sink's outbox, as `pharos status` shows it.
    public struct SinkHealth: Sendable {
        public var sink: String
        public var counts: OutboxCounts
        /// When the oldest alert still pending was queued.
        public var oldestPending: Date?
        /// The most recent failure among pending and dead deliveries.
        public var lastError: String?
        public var lastDelivery: Date?
        /// Failed delivery attempts since the last success (expiries are no attempts).
        public var consecutiveFailures: Int
        /// The first failed attempt after the last success, while failures go on.
        public var failingSince: Date?

        public init(sink: String, counts: OutboxCounts, oldestPending: Date? = nil, lastError: String? = nil, lastDelivery: Date? = nil,
                    consecutiveFailures: Int = 0, failingSince: Date? = nil) {
            self.consecutiveFailures = consecutiveFailures
            self.failingSince = failingSince
            self.sink = sink
            self.counts = counts
            self.oldestPending = oldestPending
            self.lastError = lastError
            self.lastDelivery = lastDelivery
        }
    }

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
                    lastError: Self.shown(row["last_error"]), itemsSeen: seen[row["source"]] ?? 0,
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
                    lastError: Self.shown(row["last_error"]), lastDelivery: (row["last_delivery"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    consecutiveFailures: streaks[row["sink"]]?.failures ?? 0, failingSince: streaks[row["sink"]]?.since)
            }
            for (sink, streak) in streaks where !sinks.contains(where: { $0.sink == sink }) {
                sinks.append(SinkHealth(sink: sink, counts: OutboxCounts(), consecutiveFailures: streak.failures, failingSince: streak.since))
            }
            return (sources.sorted { $0.source < $1.source }, sinks.sorted { $0.sink < $1.sink })
        }
    }

    /// A recorded error as it may be shown: plugins redact the URLs they name, and an error
    /// recorded by an earlier version, or quoting a URL itself, is redacted here.
    private static func shown(_ error: String?) -> String? {
        error.map(Redaction.urls(in:))
    }

    /// Records polls' outcomes for `pharos status`, each with its own times, in one
    /// transaction (one fsync for a whole `run --once`, or for a second of the daemon's polls).
    public func recordPolls(_ statuses: [PollStatus]) async throws {
        try await pool.write { db in
            for status in statuses {
                let (source, error, time, nextPoll) = (status.source, status.error, status.polled.timeIntervalSince1970, status.nextPoll)
                if let error {
                    try db.cachedStatement(sql: """
                        INSERT INTO source_status (source, last_poll, failures, next_poll, last_error, failing_since) VALUES (?, ?, 1, ?, ?, ?)
                        ON CONFLICT (source) DO UPDATE SET last_poll = excluded.last_poll, failures = failures + 1,
                            next_poll = excluded.next_poll, last_error = excluded.last_error,
                            failing_since = CASE WHEN failures > 0 THEN COALESCE(failing_since, excluded.failing_since)
                                ELSE excluded.failing_since END
                        """).execute(arguments: [source, time, nextPoll.timeIntervalSince1970, error, time])
                } else {
                    try db.cachedStatement(sql: """
                        INSERT INTO source_status (source, last_poll, last_success, failures, next_poll) VALUES (?, ?, ?, 0, ?)
                        ON CONFLICT (source) DO UPDATE SET last_poll = excluded.last_poll, last_success = excluded.last_success,
                            failures = 0, next_poll = excluded.next_poll, last_error = NULL, failing_since = NULL
                        """).execute(arguments: [source, time, time, nextPoll.timeIntervalSince1970])
                }
            }
        }
    }

    /// Each source's consecutive failures and next scheduled poll, as recorded; sources never
    /// polled are absent.
    public func schedules() async throws -> [String: (failures: Int, nextPoll: Date?)] {
        try await pool.read { db in
            var schedules: [String: (failures: Int, nextPoll: Date?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, failures, next_poll FROM source_status") {
                schedules[row["source"]] = (row["failures"], (row["next_poll"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
            return schedules
        }
    }

    /// A trivial read: the database answers.
    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }
    }

    /// `error` as text, with the free space of the state's file system added when it is
    /// (nearly) full: SQLite only says "disk I/O error" or "database or disk is full".
    public func explain(_ error: any Error) -> String {
        Self.explain(error, directory: path.deletingLastPathComponent())
    }

    /// `error` as text, with a note when the file system holding `directory` is (nearly) full.
    public static func explain(_ error: any Error, directory: URL) -> String {
        var text = "\(error)"
        var stats = statvfs()
        if statvfs(directory.path, &stats) == 0 {
            let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
            if free < 1 << 20 {
                text += " (the file system holding \(directory.path) has \(free / 1024) KiB free: nothing is lost, work resumes once there is space)"
            }
        }
        return text
    }

    /// `PRAGMA integrity_check` result: "ok" when the database is sound.
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

/// Why the state directory cannot be used.
public enum StateDirectoryError: Error, CustomStringConvertible {
    case notADirectory(String)

    public var description: String {
        switch self {
        case .notADirectory(let path): "\(path) is a file, not a folder ('state:' names the folder that holds the database)"
        }
    }
}

/// The store as a source sees it.
struct SeenInStore: SourceState {
    let store: StateStore
    let source: String
    let checkpoint: String?

    func versions(of ids: [String]) async throws -> [String: String] {
        try await store.versions(source: source, ids: ids)
    }
}
