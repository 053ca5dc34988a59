import Foundation
import GRDB
import PharosCore
import PharosMatching

/// The story index: its own tables (migration `stories-v1`), written in a poll's transaction.
///
/// `story_items` holds one row per indexed item with its signature; `story_keys` one row per
/// index key (32 band keys, one per event, and the marks' keys) with the item's row and time,
/// ordered by key, so a lookup is one probe per key whatever the window holds. `story_alerts` keeps the first alert
/// per story and rule, `story_copies` the copies recorded as `also_seen`.
extension SQLiteStateStore {
    static func registerStoryMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("stories-v1") { db in
            try db.execute(sql: """
                CREATE TABLE story_items (
                    id INTEGER PRIMARY KEY, story TEXT NOT NULL, source TEXT NOT NULL, item_id TEXT NOT NULL,
                    link TEXT, seen_at REAL NOT NULL, signature BLOB NOT NULL, shingles INTEGER NOT NULL, topic BLOB NOT NULL,
                    lead TEXT);
                CREATE INDEX story_items_seen ON story_items (seen_at);
                CREATE TABLE story_keys (key INTEGER NOT NULL, item INTEGER NOT NULL, seen_at REAL NOT NULL);
                CREATE INDEX story_keys_key ON story_keys (key, seen_at);
                CREATE INDEX story_keys_seen ON story_keys (seen_at);
                CREATE TABLE story_alerts (
                    story TEXT NOT NULL, rule TEXT NOT NULL, alert_id TEXT NOT NULL, source TEXT NOT NULL,
                    item_id TEXT NOT NULL, entities TEXT NOT NULL, PRIMARY KEY (story, rule)) WITHOUT ROWID;
                CREATE TABLE story_copies (
                    alert_id TEXT NOT NULL, source TEXT NOT NULL, item_id TEXT NOT NULL, link TEXT,
                    seen_at REAL NOT NULL, PRIMARY KEY (alert_id, source, item_id)) WITHOUT ROWID;
                CREATE INDEX story_copies_seen ON story_copies (seen_at);
                """)
        }
        // Names, figures and results period (StoryMarks); rows written before have none.
        migrator.registerMigration("stories-v2-marks") { db in
            try db.execute(sql: "ALTER TABLE story_items ADD COLUMN marks BLOB")
        }
        migrator.registerMigration("stories-v3-names") { db in
            // The vocabulary names of each item's headline and text (StoryNames); rows written
            // before have none. The keys become their own index (no rowid table beside it): a
            // probe reads no table row, and an item's 33 or more keys cost two b-tree inserts
            // each instead of three.
            try db.execute(sql: """
                ALTER TABLE story_items ADD COLUMN names BLOB;
                CREATE TABLE story_keys_by_key (
                    key INTEGER NOT NULL, seen_at REAL NOT NULL, item INTEGER NOT NULL,
                    PRIMARY KEY (key, seen_at, item)) WITHOUT ROWID;
                INSERT OR IGNORE INTO story_keys_by_key (key, seen_at, item) SELECT key, seen_at, item FROM story_keys;
                DROP TABLE story_keys;
                ALTER TABLE story_keys_by_key RENAME TO story_keys;
                CREATE INDEX story_keys_seen ON story_keys (seen_at);
                """)
        }
    }

    public func storyCandidates(keys: [Int64], since: Date) async throws -> [StoryEntry] {
        guard !keys.isEmpty else { return [] }
        return try await pool.read { db in
            // One prepared statement per key (as `versions` does): an IN list's statement
            // would be compiled again for every length. Columns are read by position from a
            // cursor over the statement, and an item that several keys share is decoded once:
            // every alerted item pays for this lookup.
            let probe = try db.cachedStatement(sql: """
                SELECT story_items.id, story, source, item_id, link, story_items.seen_at, signature, shingles, topic, lead, marks, names
                FROM story_keys JOIN story_items ON story_items.id = story_keys.item
                WHERE key = ? AND story_keys.seen_at >= ? ORDER BY story_keys.seen_at DESC, story_keys.item DESC LIMIT ?
                """)
            var decoded = Set<Int64>()
            var entries: [(Int64, StoryEntry)] = []
            for key in Set(keys) {
                let rows = try Row.fetchCursor(probe, arguments: [key, since.timeIntervalSince1970, candidatesPerKey])
                while let row = try rows.next() {
                    let id: Int64 = row[0]
                    guard decoded.insert(id).inserted, let entry = try Self.storyEntry(row) else { continue }
                    entries.append((id, entry))
                }
            }
            return entries.sorted { ($0.1.seenAt, $0.0) < ($1.1.seenAt, $1.0) }.map(\.1)
        }
    }

    /// An index entry from a row of `storyCandidates`' statement; nil when its signatures are damaged.
    private static func storyEntry(_ row: Row) throws -> StoryEntry? {
        guard let signature = try row.withUnsafeData(atIndex: 6, { data in
                  data.flatMap { data in data.withUnsafeBytes { StorySignature(littleEndian: $0, shingles: row[7]) } }
              }),
              let topic = try row.withUnsafeData(atIndex: 8, { data in
                  data.flatMap { data in data.withUnsafeBytes { StorySignature(littleEndian: $0, shingles: 0) } }
              }) else { return nil }
        let lead: String? = row[9]
        let marks = try row.withUnsafeData(atIndex: 10) { data in data.flatMap { StoryMarks(bytes: [UInt8]($0)) } } ?? .none
        let names = try row.withUnsafeData(atIndex: 11) { data in data.flatMap { data in data.withUnsafeBytes(StoryNames.init(littleEndian:)) } }
        return StoryEntry(
            story: row[1], source: row[2], itemID: row[3], link: row[4], seenAt: Date(timeIntervalSince1970: row[5]),
            fingerprint: StoryFingerprint(signature: signature, topic: topic, lead: lead.flatMap(StoryEvent.init(key:)), marks: marks, names: names))
    }

    public func storyAlerts(story: String) async throws -> [StoryAlert] {
        try await pool.read { db in
            try Array(Row.fetchCursor(db.cachedStatement(sql: """
                SELECT rule, alert_id, source, item_id, entities FROM story_alerts WHERE story = ? ORDER BY rule
                """), arguments: [story]).map { row in
                let entities: String = row[4]
                return StoryAlert(
                    story: story, rule: row[0], alertID: row[1], source: row[2], itemID: row[3],
                    entities: Self.entities(entities))
            })
        }
    }

    public func alsoSeen(alertIDs: [String]) async throws -> [String: [AlsoSeen]] {
        guard !alertIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT source, item_id, link, seen_at FROM story_copies WHERE alert_id = ? ORDER BY seen_at, source, item_id
                """)
            var found: [String: [AlsoSeen]] = [:]
            for id in Set(alertIDs) {
                let copies = try Row.fetchAll(statement, arguments: [id]).map(Self.copy)
                if !copies.isEmpty { found[id] = copies }
            }
            return found
        }
    }

    public func storiesWithCopies(limit: Int) async throws -> [(alertID: String, rule: String, copies: [AlsoSeen])] {
        try await pool.read { db in
            let latest = try Row.fetchAll(db, sql: """
                SELECT story_copies.alert_id AS alert_id, alerts.rule AS rule, MAX(story_copies.seen_at) AS latest
                FROM story_copies JOIN alerts ON alerts.id = story_copies.alert_id
                GROUP BY story_copies.alert_id ORDER BY latest DESC, story_copies.alert_id LIMIT ?
                """, arguments: [limit])
            let copies = try db.cachedStatement(sql: """
                SELECT source, item_id, link, seen_at FROM story_copies WHERE alert_id = ? ORDER BY seen_at, source, item_id
                """)
            return try latest.map { row in
                let id: String = row["alert_id"]
                return (id, row["rule"], try Row.fetchAll(copies, arguments: [id]).map(Self.copy))
            }
        }
    }

    public func recordedCopies(rules: [String]) async throws -> [(alertID: String, rule: String, copy: AlsoSeen)] {
        let wanted = Set(rules)
        return try await pool.read { db in
            // Every copy with its alert's rule, one pass: a replay over months compares
            // thousands of alerts. Alert by alert, each one's copies a range of the copies'
            // primary key: from the copies' side each copy looked its alert up by id and then
            // its row (and its own row from the index on seen_at), which took 8,000
            // instructions a copy (bench/backtest/README.md).
            let rows = try Row.fetchCursor(db, sql: """
                SELECT alerts.id, alerts.rule, story_copies.source, story_copies.item_id, story_copies.link, story_copies.seen_at
                FROM alerts CROSS JOIN story_copies ON story_copies.alert_id = alerts.id
                """)
            var copies: [(alertID: String, rule: String, copy: AlsoSeen)] = []
            while let row = try rows.next() {
                let rule: String = row[1]
                guard wanted.contains(rule) else { continue }
                copies.append((row[0], rule, AlsoSeen(source: row[2], itemID: row[3], link: row[4], seenAt: Date(timeIntervalSince1970: row[5]))))
            }
            return copies
        }
    }

    /// A story alert's entities as stored: one per line, none for an empty text.
    private static func entities(_ stored: String) -> [String] {
        stored.isEmpty ? [] : stored.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private static func copy(_ row: Row) -> AlsoSeen {
        AlsoSeen(source: row["source"], itemID: row["item_id"], link: row["link"], seenAt: Date(timeIntervalSince1970: row["seen_at"]))
    }

    /// Writes a poll's story index changes in its transaction.
    static func write(_ stories: StoryWrites, into db: Database) throws {
        guard !stories.isEmpty else { return }
        if let before = stories.forgetBefore?.timeIntervalSince1970 {
            try db.cachedStatement(sql: "DELETE FROM story_keys WHERE seen_at < ?").execute(arguments: [before])
            try db.cachedStatement(sql: "DELETE FROM story_items WHERE seen_at < ?").execute(arguments: [before])
        }
        if !stories.entries.isEmpty {
            let insertItem = try db.cachedStatement(sql: """
                INSERT INTO story_items (story, source, item_id, link, seen_at, signature, shingles, topic, lead, marks, names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO story_keys (key, item, seen_at) VALUES (?, ?, ?)")
            for entry in stories.entries {
                let time = entry.seenAt.timeIntervalSince1970
                try insertItem.execute(arguments: [
                    entry.story, entry.source, entry.itemID, entry.link, time, Data(entry.fingerprint.signature.bytes),
                    entry.fingerprint.signature.shingles, Data(entry.fingerprint.topic.bytes), entry.fingerprint.lead?.key,
                    Data(entry.fingerprint.marks.bytes),
                    entry.fingerprint.names.map { Data($0.bytes) },
                ])
                let row = db.lastInsertedRowID
                for key in Set(entry.keys) { try insertKey.execute(arguments: [key, row, time]) }
            }
        }
        if !stories.alerts.isEmpty {
            let existing = try db.cachedStatement(sql: "SELECT entities FROM story_alerts WHERE story = ? AND rule = ?")
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO story_alerts (story, rule, alert_id, source, item_id, entities) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (story, rule) DO UPDATE SET entities = excluded.entities
                """)
            for alert in stories.alerts {
                let known = try String.fetchOne(existing, arguments: [alert.story, alert.rule])
                let merged = Set(alert.entities).union(known.map(Self.entities) ?? [])
                try upsert.execute(arguments: [alert.story, alert.rule, alert.alertID, alert.source, alert.itemID, merged.sorted().joined(separator: "\n")])
            }
        }
        if !stories.sightings.isEmpty {
            let insertCopy = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO story_copies (alert_id, source, item_id, link, seen_at) VALUES (?, ?, ?, ?, ?)
                """)
            let document = try db.cachedStatement(sql: "SELECT document FROM alerts WHERE id = ?")
            let update = try db.cachedStatement(sql: "UPDATE alerts SET document = ? WHERE id = ?")
            for (alertID, copy) in stories.sightings {
                try insertCopy.execute(arguments: [alertID, copy.source, copy.itemID, copy.link, copy.seenAt.timeIntervalSince1970])
                guard db.changesCount > 0, let json = try String.fetchOne(document, arguments: [alertID]) else { continue }
                try update.execute(arguments: [Alert.adding(copy, to: json), alertID])
            }
        }
    }
}
