import Foundation
import GRDB
import PharosCore

/// The daemon's `StateStore`: one SQLite database (WAL, `synchronous = FULL`) holding items
/// seen per source, the outbox of alerts per sink, and source and sink health. Its methods
/// are split by concern: `SQLiteStateStore+Polls.swift` (seen items, checkpoints and the
/// one transaction of a poll), `+Outbox.swift`, `+Health.swift`.
///
/// A poll's items and their alerts are written in one transaction, so a crash either keeps
/// both or neither; a delivery is marked done as soon as the sink returned.
public final class SQLiteStateStore: StateStore {
    let pool: DatabasePool
    /// The database file.
    public let path: URL
    /// Set when a write failed for want of space; cleared by a checkpoint that emptied the WAL.
    private let walNeedsReclaiming = Shared(false)

    /// Opens (creating if needed) `pharos.sqlite` in `directory`, in WAL mode. The folder is
    /// made 0700 and the database files 0600, whatever the umask: they hold what was seen and
    /// every alert. `readers`: the read connections, one unless reads overlap (a backtest
    /// reads its pages while it reads what did alert).
    public init(directory: URL, readers: Int = SQLiteStateStore.readers) throws {
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
        configuration.maximumReaderCount = max(readers, 1)
        configuration.prepareDatabase { db in
            // A new database only (an existing one keeps its pages): an archived version is
            // about 3 KB, so 4 KB pages hold one each and leave a quarter empty; 16 KB pages
            // hold five (the archive went from 0.41x to 0.35x of its raw text).
            try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // SQLite's default of 1,000 pages is 16 MB of WAL at 16 KB pages: keep it at the 4 MB
            // it is with 4 KB pages, the free space the daemon needs to go on writing.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walCheckpointBytes / Self.pageSize)")
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

    /// Read connections (the daemon's) and the page cache of each connection.
    public static let readers = 1
    static let cacheKiB = 512
    /// The page size a new database is created with.
    static let pageSize = 16384
    static let walCheckpointBytes = 4 << 20

    /// A write transaction. After a write that failed for want of space, the WAL is first
    /// checkpointed into the database and truncated, and nothing is written until that
    /// worked: SQLite checkpoints only every `wal_autocheckpoint` pages, so a WAL holding
    /// most of the state kept it there, and each retried commit appended to the WAL until
    /// the space that came back was gone again; the daemon never resumed.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            if walNeedsReclaiming.value {
                try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
                walNeedsReclaiming.withLock { $0 = false }
            }
            return try await pool.write(updates)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR {
            walNeedsReclaiming.withLock { $0 = true }
            throw error
        }
    }

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
        // The archive (`SQLiteStateStore+Archive.swift`): one row per version of an item read.
        migrator.registerMigration("v5-archive") { db in
            try db.execute(sql: """
                CREATE TABLE archive (
                    position INTEGER PRIMARY KEY, source TEXT NOT NULL, item_id TEXT NOT NULL, version TEXT NOT NULL,
                    title TEXT NOT NULL, link TEXT, published REAL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
                    rules TEXT NOT NULL, events TEXT NOT NULL, text_bytes INTEGER NOT NULL, text BLOB NOT NULL,
                    UNIQUE (source, item_id, version));
                CREATE INDEX archive_last_seen ON archive (last_seen);
                CREATE INDEX alerts_created ON alerts (created_at);
                """)
        }
        registerStoryMigrations(&migrator)
        return migrator
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

