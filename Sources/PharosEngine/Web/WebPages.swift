import Foundation
import PharosCore

/// The read-only web page, the alerts feed and the JSON API behind them, served beside
/// `/metrics` (README, "The web page and the alerts feed"):
///
/// | path | shows |
/// |---|---|
/// | `/` | recent alerts with filters, and source and sink health as `pharos status` shows it |
/// | `/alerts/ID` | one alert: headline, evidence, matches, events, what each sink did with it |
/// | `/item?source=S&id=ID` | one item from the archive: every version read, its events, the alerts it raised |
/// | `/events` | the regulatory events of what was read (the archive), with the same filters |
/// | `/feed.atom` | recent alerts as Atom 1.0 (`?rule=NAME`, `?sink=NAME`) |
/// | `/api/alerts`, `/api/alerts/ID`, `/api/item`, `/api/events`, `/api/status` | the same as JSON |
///
/// Everything is read from the state (``AlertLog``, ``ArchiveStore``, ``HealthStore``) at each
/// request; nothing is written.
public struct WebPages: WebHandler {
    let store: any StateStore
    /// The configuration whose sources, sinks and rules the page names (the daemon's current one).
    let config: @Sendable () -> PharosConfig
    let now: @Sendable () -> Date

    public init(store: any StateStore, config: @escaping @Sendable () -> PharosConfig, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.config = config
        self.now = now
    }

    /// Alerts shown when `limit` is not given, and the most that may be asked for.
    static let defaultLimit = 50
    static let maxLimit = 1000

    public func answer(_ request: WebRequest) async -> WebResponse? {
        do {
            switch request.path {
            case "/", "/index.html":
                let query = try Self.query(request.query)
                let alerts = try await store.alerts(query)
                let status = try await StatusReport.read(store, config: config())
                return html(WebHTML.alertsPage(alerts.compactMap(ShownAlert.init), status: status, filters: request.query,
                                               config: config(), now: now()))
            case "/events":
                return html(WebHTML.eventsPage(try await archivedEvents(request.query), filters: request.query, config: config()))
            case "/item", "/api/item":
                return try await itemPage(request.query, json: request.path == "/api/item")
            case "/feed.atom":
                let query = try Self.query(request.query.filter { ["rule", "sink", "limit"].contains($0.key) })
                let alerts = try await store.alerts(query).compactMap(ShownAlert.init)
                let text = AlertsFeed.document(alerts, rule: query.rule, sink: query.sink, host: request.host, now: now())
                return WebResponse(contentType: "application/atom+xml; charset=utf-8", text: text)
            case "/api/alerts":
                let alerts = try await store.alerts(try Self.query(request.query)).compactMap(ShownAlert.init)
                return json(.object([("alerts", .array(alerts.map(\.jsonValue)))]))
            case "/api/events":
                return json(.object([("events", .array(try await archivedEvents(request.query).map(\.jsonValue)))]))
            case "/api/status":
                return json(try await StatusReport.read(store, config: config()).jsonValue)
            default:
                for (prefix, isJSON) in [("/alerts/", false), ("/api/alerts/", true)] where request.path.hasPrefix(prefix) {
                    let id = String(request.path.dropFirst(prefix.count))
                    guard let record = try await store.alert(id: id), let alert = ShownAlert(record) else {
                        return isJSON ? failure("404 Not Found", "no alert \(id)", json: true) : failure("404 Not Found", "No alert with id \(id).", json: false)
                    }
                    return isJSON ? json(alert.jsonValue) : html(WebHTML.alertPage(alert))
                }
                return nil
            }
        } catch let error as BadQuery {
            return failure("400 Bad Request", error.message, json: request.path.hasPrefix("/api/"))
        } catch {
            return failure("500 Internal Server Error", store.explain(error), json: request.path.hasPrefix("/api/"))
        }
    }

    private func html(_ text: String) -> WebResponse { WebResponse(contentType: "text/html; charset=utf-8", text: text) }

    func json(_ value: JSONWriter.Value) -> WebResponse {
        WebResponse(contentType: "application/json", text: JSONWriter.encode(value) + "\n")
    }

    func failure(_ status: String, _ message: String, json isJSON: Bool) -> WebResponse {
        if isJSON { return WebResponse(status: status, contentType: "application/json", text: JSONWriter.encode(.object([("error", .string(message))])) + "\n") }
        return WebResponse(status: status, contentType: "text/html; charset=utf-8", text: WebHTML.errorPage(status, message))
    }

    /// A filter the page cannot apply, said to whoever asked.
    struct BadQuery: Error {
        var message: String
    }

    /// The filters of a query string: `rule`, `source`, `sink`, `status`, `company`, `target`,
    /// `designation`, `since` and `until` (a day `2026-12-01`, or a time `2026-12-01T09:00:00Z`;
    /// a day's `until` includes that day) and `limit`.
    static func query(_ parameters: [String: String]) throws(BadQuery) -> AlertQuery {
        var query = AlertQuery(rule: parameters["rule"], source: parameters["source"], sink: parameters["sink"],
                               company: parameters["company"], target: parameters["target"], designation: parameters["designation"],
                               limit: defaultLimit)
        if let status = parameters["status"] {
            guard AlertQuery.statuses.contains(status) else {
                throw BadQuery(message: "status must be one of \(AlertQuery.statuses.joined(separator: ", ")), not '\(status)'")
            }
            query.status = status
        }
        if let text = parameters["since"] { query.since = try date(text, name: "since", endOfDay: false) }
        if let text = parameters["until"] { query.until = try date(text, name: "until", endOfDay: true) }
        if let text = parameters["limit"] {
            guard let limit = Int(text), (1...maxLimit).contains(limit) else { throw BadQuery(message: "limit must be a number from 1 to \(maxLimit), not '\(text)'") }
            query.limit = limit
        }
        return query
    }

    private static func date(_ text: String, name: String, endOfDay: Bool) throws(BadQuery) -> Date {
        let isDay = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        if isDay, let day = ISO8601.date(from: text + "T00:00:00Z") { return endOfDay ? day.addingTimeInterval(86_400) : day }
        if let time = ISO8601.date(from: text) { return time }
        throw BadQuery(message: "\(name) must be a day (2026-12-01) or a UTC time (2026-12-01T09:00:00Z), not '\(text)'")
    }
}

/// An alert as the pages show it: the stored record and its decoded document.
struct ShownAlert {
    var record: AlertRecord
    var alert: Alert

    /// Nil for a stored document that no longer decodes (it is left out, as a sink would refuse it).
    init?(_ record: AlertRecord) {
        guard let alert = try? Alert.decode(record.json) else { return nil }
        self.record = record
        self.alert = alert
    }

    /// The spellings matched, which the evidence marks.
    var spellings: Set<String> {
        let matches = alert.matches
        return Set((matches.targets + matches.designations + matches.companies + matches.keywords + matches.products + matches.modalities).map(\.text))
    }

    /// What `/api/alerts` gives per alert: where it stands and the document itself.
    var jsonValue: JSONWriter.Value {
        .object([
            ("id", .string(record.id)), ("rule", .string(record.rule)), ("source", .string(record.source)),
            ("created_at", .string(ISO8601.string(from: record.createdAt))), ("headline", .string(alert.headline)),
            ("deliveries", .array(record.deliveries.map { delivery in
                .object([
                    ("sink", .string(delivery.sink)), ("state", .string(delivery.state)), ("attempts", .int(delivery.attempts)),
                    ("last_error", .optional(delivery.lastError)), ("updated_at", .string(ISO8601.string(from: delivery.updatedAt))),
                ])
            })),
            ("alert", alert.jsonValue),
        ])
    }

}
