import Foundation
import PharosCore

/// The alerts raised so far, with what became of each delivery: what the web page and the
/// alerts feed show (`/`, `/alerts/ID`, `/feed.atom` and their `/api/` twins).
public protocol AlertLog: Sendable {
    /// The alerts that `query` accepts, newest first, at most `query.limit`.
    func alerts(_ query: AlertQuery) async throws -> [AlertRecord]
    /// One alert by id, with its deliveries; nil when there is none.
    func alert(id: String) async throws -> AlertRecord?
}

/// Which alerts to show. Every field set narrows the list; names are compared exactly, and an
/// entity (company, target, designation) is found by its id or its label, ignoring case.
public struct AlertQuery: Sendable, Equatable {
    public var rule: String?
    public var source: String?
    /// Alerts raised by this item (its id; with `source`, one item).
    public var item: String?
    /// Alerts routed to this sink.
    public var sink: String?
    /// Alerts with a delivery in this state (`pending`, `delivered` or `dead`; to `sink` when both are set).
    public var status: String?
    public var company: String?
    public var target: String?
    /// A designation or regulatory action matched, or one of the alert's events.
    public var designation: String?
    /// Raised at or after this time.
    public var since: Date?
    /// Raised before this time.
    public var until: Date?
    public var limit: Int

    /// The delivery states a status filter may name.
    public static let statuses = ["pending", "delivered", "dead"]

    public init(rule: String? = nil, source: String? = nil, sink: String? = nil, status: String? = nil, company: String? = nil,
                target: String? = nil, designation: String? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 100) {
        self.rule = rule
        self.source = source
        self.sink = sink
        self.status = status
        self.company = company
        self.target = target
        self.designation = designation
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// Whether a filter reads the alert's document (an entity), not only its row.
    var readsDocuments: Bool { company != nil || target != nil || designation != nil }

    /// Whether the alert document `json` names the company, target and designation asked for.
    func acceptsDocument(_ json: String) -> Bool {
        guard readsDocuments else { return true }
        guard let document = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else { return false }
        let matches = document["matches"] as? [String: Any] ?? [:]
        func names(_ kind: String) -> [String] {
            (matches[kind] as? [[String: Any]] ?? []).flatMap { [$0["id"] as? String, $0["label"] as? String].compactMap { $0 } }
        }
        func has(_ wanted: String?, in candidates: [String]) -> Bool {
            guard let wanted else { return true }
            return candidates.contains { $0.caseInsensitiveCompare(wanted) == .orderedSame }
        }
        let events = document["events"] as? [[String: Any]] ?? []
        let eventNames = events.flatMap { [$0["action"] as? String, $0["label"] as? String].compactMap { $0 } }
        let eventCompanies = events.flatMap { $0["companies"] as? [String] ?? [] }
        let eventTargets = events.flatMap { ($0["targets"] as? [[String: Any]] ?? []).flatMap { [$0["id"] as? String, $0["label"] as? String].compactMap { $0 } } }
        return has(company, in: names("companies") + eventCompanies) && has(target, in: names("targets") + eventTargets)
            && has(designation, in: names("designations") + eventNames)
    }
}

/// One alert as stored, with its deliveries.
public struct AlertRecord: Sendable {
    public var id: String
    public var rule: String
    public var source: String
    public var itemID: String
    /// The alert document (README, Alerts), as the sinks got it.
    public var json: String
    public var createdAt: Date
    /// One per sink the alert was routed to, by sink name.
    public var deliveries: [AlertDelivery]

    public init(id: String, rule: String, source: String, itemID: String, json: String, createdAt: Date, deliveries: [AlertDelivery]) {
        self.id = id
        self.rule = rule
        self.source = source
        self.itemID = itemID
        self.json = json
        self.createdAt = createdAt
        self.deliveries = deliveries
    }
}

/// What became of an alert's delivery to one sink.
public struct AlertDelivery: Sendable, Equatable {
    public var sink: String
    /// `pending`, `delivered` or `dead`.
    public var state: String
    public var attempts: Int
    public var lastError: String?
    /// When it was delivered, given up, or last tried.
    public var updatedAt: Date

    public init(sink: String, state: String, attempts: Int, lastError: String?, updatedAt: Date) {
        self.sink = sink
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
        self.updatedAt = updatedAt
    }
}
