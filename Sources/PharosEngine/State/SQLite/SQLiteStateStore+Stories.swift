import Foundation
import GRDB
import PharosCore
import PharosMatching

/// The story index: its own tables (migration `stories-v1`), written in a poll's transaction.
///
/// `story_items` holds one row per indexed item with its signature; `story_keys` one row per
/// index key (32 band keys and one per event) with the item's row and time, so a lookup is
/// one indexed probe per key whatever the window holds. `story_alerts` keeps the first alert
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
    }

    public func storyCandidates(keys: [Int64], since: Date) async throws -> [StoryEntry] {
        guard !keys.isEmpty else { return [] }
        return try await pool.read { db in
            // One prepared statement per key (as `versions` does): an IN list's statement
            // would be compiled again for every length.
            let probe = try db.cachedStatement(sql: """
                SELECT item FROM story_keys WHERE key = ? AND seen_at >= ? ORDER BY seen_at DESC, item DESC LIMIT ?
                """)
            var rows = Set<Int64>()
            for key in Set(keys) {
                for row in try Int64.fetchAll(probe, arguments: [key, since.timeIntervalSince1970, candidatesPerKey]) { rows.insert(row) }
            }
            let fetch = try db.cachedStatement(sql: """
                SELECT story, source, item_id, link, seen_at, signature, shingles, topic, lead, marks FROM story_items WHERE id = ?
                """)
            var entries: [(Int64, StoryEntry)] = []
            for row in rows {
                guard let found = try Row.fetchOne(fetch, arguments: [row]),
                      let signature = StorySignature(bytes: [UInt8](found["signature"] as Data), shingles: found["shingles"]),
                      let topic = StorySignature(bytes: [UInt8](found["topic"] as Data), shingles: 0) else { continue }
                let lead: String? = found["lead"]
                let marks = (found["marks"] as Data?).flatMap { StoryMarks(bytes: [UInt8]($0)) } ?? .none
                entries.append((row, StoryEntry(
                    story: found["story"], source: found["source"], itemID: found["item_id"], link: found["link"],
                    seenAt: Date(timeIntervalSince1970: found["seen_at"]),
                    fingerprint: StoryFingerprint(signature: signature, topic: topic, lead: lead.flatMap(StoryEvent.init(key:)), marks: marks))))
            }
            return entries.sorted { ($0.1.seenAt, $0.0) < ($1.1.seenAt, $1.0) }.map(\.1)
        }
    }

    public func storyAlerts(story: String) async throws -> [StoryAlert] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT rule, alert_id, source, item_id, entities FROM story_alerts WHERE story = ? ORDER BY rule
                """), arguments: [story]).map { row in
                let entities: String = row["entities"]
                return StoryAlert(
                    story: story, rule: row["rule"], alertID: row["alert_id"], source: row["source"], itemID: row["item_id"],
                    entities: entities.isEmpty ? [] : entities.components(separatedBy: "\n"))
            }
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
                INSERT INTO story_items (story, source, item_id, link, seen_at, signature, shingles, topic, lead, marks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertKey = try db.cachedStatement(sql: "INSERT INTO story_keys (key, item, seen_at) VALUES (?, ?, ?)")
            for entry in stories.entries {
                let time = entry.seenAt.timeIntervalSince1970
                try insertItem.execute(arguments: [
                    entry.story, entry.source, entry.itemID, entry.link, time, Data(entry.fingerprint.signature.bytes),
                    entry.fingerprint.signature.shingles, Data(entry.fingerprint.topic.bytes), entry.fingerprint.lead?.key,
                    Data(entry.fingerprint.marks.bytes),
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
                let merged = Set(alert.entities).union(known.map { $0.isEmpty ? [] : $0.components(separatedBy: "\n") } ?? [])
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
