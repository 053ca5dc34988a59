import Foundation
import GRDB
import PharosCore

/// The archive: one row per version of an item read, its text compressed (`ArchiveText`).
extension SQLiteStateStore {
    /// Writes a poll's archive entries inside its transaction (`record`). A version recorded
    /// again (an item edited back) keeps its first sighting and moves its last.
    static func writeArchive(_ entries: [ArchiveEntry], source: String, time: Double, into db: Database) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO archive (source, item_id, version, title, link, published, first_seen, last_seen, rules, events, text_bytes, text)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source, item_id, version) DO UPDATE SET last_seen = excluded.last_seen, rules = excluded.rules,
                events = excluded.events
            """)
        for entry in entries {
            let item = entry.item
            try insert.execute(arguments: [
                source, item.id, item.effectiveVersion, item.title, item.link, item.published?.timeIntervalSince1970, time, time,
                entry.rules.joined(separator: "\n"), entry.eventsJSON, entry.textBytes, Data(entry.text),
            ])
        }
    }

    private static let summaryColumns = "position, source, item_id, version, title, link, published, first_seen, last_seen, rules, events, text_bytes"

    private static func summary(_ row: Row) -> ArchiveSummary {
        let rules: String = row["rules"]
        return ArchiveSummary(
            position: row["position"], source: row["source"], itemID: row["item_id"], version: row["version"], title: row["title"],
            link: row["link"], published: (row["published"] as Double?).map(Date.init(timeIntervalSince1970:)),
            firstSeen: Date(timeIntervalSince1970: row["first_seen"]), lastSeen: Date(timeIntervalSince1970: row["last_seen"]),
            rules: rules.isEmpty ? [] : rules.split(separator: "\n").map(String.init), eventsJSON: row["events"], textBytes: row["text_bytes"])
    }

    private static func archivedItem(_ row: Row) throws -> ArchivedItem {
        let summary = summary(row)
        let stored: Data = row["text"]
        return ArchivedItem(summary: summary, item: try ArchiveText.item(from: [UInt8](stored), id: summary.itemID))
    }

    public func archivedItems(_ query: ArchiveQuery) async throws -> [ArchiveSummary] {
        try await pool.read { db in
            var sql = "SELECT \(Self.summaryColumns) FROM archive WHERE last_seen >= ?"
            var arguments: StatementArguments = [query.since.timeIntervalSince1970]
            if let source = query.source {
                sql += " AND source = ?"
                _ = arguments.append(contentsOf: [source])
            }
            if let rule = query.rule {
                sql += " AND instr(char(10) || rules || char(10), char(10) || ? || char(10)) > 0"
                _ = arguments.append(contentsOf: [rule])
            }
            if let before = query.before {
                sql += " AND position < ?"
                _ = arguments.append(contentsOf: [before])
            }
            sql += " ORDER BY last_seen DESC, position DESC LIMIT ?"
            _ = arguments.append(contentsOf: [max(query.limit, 0)])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.summary)
        }
    }

    public func archivedVersions(source: String, itemID: String) async throws -> [ArchivedItem] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.summaryColumns), text FROM archive WHERE source = ? AND item_id = ?
                ORDER BY last_seen DESC, position DESC
                """, arguments: [source, itemID]).map(Self.archivedItem)
        }
    }

    public func archivePage(since: Date, source: String?, after: Int64, limit: Int) async throws -> [StoredVersion] {
        // The columns by index from a cursor over a cached statement: a page of 512 rows read
        // through named `Row` lookups cost as much as matching a fifth of them.
        try await pool.read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT \(Self.summaryColumns), text FROM archive
                WHERE position > ? AND last_seen >= ? AND (?3 IS NULL OR source = ?3) ORDER BY position LIMIT ?
                """)
            var page: [StoredVersion] = []
            page.reserveCapacity(max(0, min(limit, 4096)))
            let rows = try Row.fetchCursor(statement, arguments: [after, since.timeIntervalSince1970, source, limit])
            while let row = try rows.next() {
                let rules: String = row[9]
                let summary = ArchiveSummary(
                    position: row[0], source: row[1], itemID: row[2], version: row[3], title: row[4], link: row[5],
                    published: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)),
                    firstSeen: Date(timeIntervalSince1970: row[7]), lastSeen: Date(timeIntervalSince1970: row[8]),
                    rules: Self.lines(rules), eventsJSON: row[10], textBytes: row[11])
                // One copy of the blob's bytes, not one through `Data`'s iterator.
                let text = try row.withUnsafeData(atIndex: 12) { data in data.map { data in data.withUnsafeBytes { [UInt8]($0) } } ?? [] }
                page.append(StoredVersion(summary: summary, text: text))
            }
            return page
        }
    }

    /// The rule names of an archived version, one a line. Split on the newline's byte when the
    /// text is ASCII without a carriage return (every `Character` is then one byte, so the
    /// lines are those a split by `Character` gives), which costs a fraction of that split: the
    /// names are read for every version a replay reads.
    static func lines(_ text: String) -> [String] {
        guard text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return text.split(separator: "\n").map(String.init) }
        return text.utf8.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    public func expireArchive(before cutoff: Date, limit: Int) async throws -> Int {
        try await write { db in
            try db.cachedStatement(sql: """
                DELETE FROM archive WHERE position IN (SELECT position FROM archive WHERE last_seen < ? ORDER BY last_seen LIMIT ?)
                """).execute(arguments: [cutoff.timeIntervalSince1970, limit])
            return db.changesCount
        }
    }

    public func archiveStats() async throws -> ArchiveStats {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(text_bytes), 0), coalesce(sum(length(text)), 0) FROM archive")
            return ArchiveStats(versions: row?[0] ?? 0, textBytes: row?[1] ?? 0, storedBytes: row?[2] ?? 0)
        }
    }

    public func archivedVersionCount() async throws -> Int {
        // SQLite counts the entries of the smallest index; the stats read every row.
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM archive") ?? 0 }
    }

    public func recordedAlerts(rules: [String], since: Date, source: String?) async throws -> [RecordedAlert] {
        let wanted = Set(rules)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, rule, source, item_id, created_at FROM alerts WHERE created_at >= ? AND (?2 IS NULL OR source = ?2)
                ORDER BY created_at, id
                """, arguments: [since.timeIntervalSince1970, source])
                .compactMap { row in
                    // By position: a look-up by name compares the names column by column.
                    let alert = RecordedAlert(id: row[0], rule: row[1], source: row[2], itemID: row[3],
                                              createdAt: Date(timeIntervalSince1970: row[4]))
                    return wanted.isEmpty || wanted.contains(alert.rule) ? alert : nil
                }
        }
    }
}
