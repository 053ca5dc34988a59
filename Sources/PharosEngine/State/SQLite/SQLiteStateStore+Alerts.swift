import Foundation
import GRDB
import PharosCore

/// The alert log the web page reads.
extension SQLiteStateStore {
    public func alerts(_ query: AlertQuery) async throws -> [AlertRecord] {
        try await pool.read { db in
            var found: [AlertRecord] = []
            var after: (time: Double, id: String)?
            // Rows are read a page at a time: entity filters are decided on the document, after the SQL ones.
            let page = query.readsDocuments ? 500 : query.limit
            while found.count < query.limit {
                let arguments: StatementArguments = [
                    "rule": query.rule, "source": query.source, "item": query.item, "sink": query.sink, "status": query.status,
                    "since": query.since?.timeIntervalSince1970, "until": query.until?.timeIntervalSince1970,
                    "afterTime": after?.time, "afterID": after?.id, "limit": page,
                ]
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT id, rule, source, item_id, document, created_at FROM alerts a
                    WHERE (:rule IS NULL OR rule = :rule) AND (:source IS NULL OR source = :source) AND (:item IS NULL OR item_id = :item)
                      AND (:since IS NULL OR created_at >= :since) AND (:until IS NULL OR created_at < :until)
                      AND ((:sink IS NULL AND :status IS NULL) OR EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id
                           AND (:sink IS NULL OR d.sink = :sink) AND (:status IS NULL OR d.state = :status)))
                      AND (:afterTime IS NULL OR created_at < :afterTime OR (created_at = :afterTime AND id < :afterID))
                    ORDER BY created_at DESC, id DESC LIMIT :limit
                    """), arguments: arguments)
                for row in rows {
                    let json: String = row["document"]
                    guard found.count < query.limit, query.acceptsDocument(json) else { continue }
                    found.append(AlertRecord(id: row["id"], rule: row["rule"], source: row["source"], itemID: row["item_id"], json: json,
                                             createdAt: Date(timeIntervalSince1970: row["created_at"]), deliveries: []))
                }
                guard rows.count == page, let last = rows.last else { break }
                after = (last["created_at"], last["id"])
            }
            for index in found.indices { found[index].deliveries = try Self.deliveries(of: found[index].id, db) }
            return found
        }
    }

    public func alert(id: String) async throws -> AlertRecord? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, rule, source, item_id, document, created_at FROM alerts WHERE id = ?",
                                             arguments: [id]) else { return nil }
            return AlertRecord(id: row["id"], rule: row["rule"], source: row["source"], itemID: row["item_id"], json: row["document"],
                               createdAt: Date(timeIntervalSince1970: row["created_at"]), deliveries: try Self.deliveries(of: id, db))
        }
    }

    private static func deliveries(of alertID: String, _ db: Database) throws -> [AlertDelivery] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT sink, state, attempts, last_error, updated_at FROM deliveries WHERE alert_id = ? ORDER BY sink"),
                         arguments: [alertID]).map { row in
            AlertDelivery(sink: row["sink"], state: row["state"], attempts: row["attempts"], lastError: shownError(row["last_error"]),
                          updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
        }
    }
}
