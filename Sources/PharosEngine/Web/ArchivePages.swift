import Foundation
import PharosCore

/// The pages built on the archive (``ArchiveStore``): one item with every version read, its
/// events and the alerts it raised (`/item?source=S&id=ID`), and the regulatory events of what
/// was read (`/events`), whether or not a rule alerted on them.
extension WebPages {
    /// `/item` and `/api/item`: nil when no version of the item is archived.
    func itemPage(_ parameters: [String: String], json isJSON: Bool) async throws -> WebResponse {
        guard let source = parameters["source"], let id = parameters["id"] else {
            throw BadQuery(message: "give the item as ?source=NAME&id=ITEM-ID")
        }
        let versions = try await store.archivedVersions(source: source, itemID: id)
        var query = AlertQuery(source: source, limit: Self.maxLimit)
        query.item = id
        let alerts = try await store.alerts(query).compactMap(ShownAlert.init)
        if versions.isEmpty && alerts.isEmpty {
            return failure("404 Not Found", "nothing from \(source) with id \(id) is archived (history: may have expired it)", json: isJSON)
        }
        if isJSON {
            return json(.object([
                ("source", .string(source)), ("id", .string(id)),
                ("versions", .array(versions.map(Self.versionValue))), ("alerts", .array(alerts.map(\.jsonValue))),
            ]))
        }
        return WebResponse(contentType: "text/html; charset=utf-8", text: WebHTML.itemPage(source: source, id: id, versions: versions, alerts: alerts))
    }

    private static func versionValue(_ version: ArchivedItem) -> JSONWriter.Value {
        let summary = version.summary
        return .object([
            ("version", .string(summary.version)), ("title", .string(summary.title)), ("link", .optional(summary.link)),
            ("published", .optional(summary.published.map(ISO8601.string))),
            ("first_seen", .string(ISO8601.string(from: summary.firstSeen))), ("last_seen", .string(ISO8601.string(from: summary.lastSeen))),
            ("rules", .array(summary.rules.map(JSONWriter.Value.string))), ("events", .array(summary.events.map(\.jsonValue))),
            ("summary", .optional(version.item.summary)), ("content", .optional(version.item.content)),
        ])
    }

    /// The statuses an event may have, as the events filter names them.
    static let eventStatuses = RegulatoryEvent.Status.allCases.map(\.rawValue)

    /// The archived events the filters let through, newest item first: `rule` (the item matched
    /// it), `source`, `company`, `target`, `designation`, `status` (the event's), `since`, `until`.
    func archivedEvents(_ parameters: [String: String]) async throws -> [ArchivedEvent] {
        let query = try Self.query(parameters.filter { $0.key != "status" })
        if let status = parameters["status"], !Self.eventStatuses.contains(status) {
            throw BadQuery(message: "an event's status must be one of \(Self.eventStatuses.joined(separator: ", ")), not '\(status)'")
        }
        let summaries = try await store.archivedItems(ArchiveQuery(since: query.since ?? .distantPast, source: query.source, rule: query.rule,
                                                                   limit: Self.maxLimit))
        var found: [ArchivedEvent] = []
        for summary in summaries where query.until.map({ summary.lastSeen < $0 }) ?? true {
            for event in summary.events where found.count < query.limit {
                func has(_ wanted: String?, _ names: [String]) -> Bool {
                    wanted.map { wanted in names.contains { $0.caseInsensitiveCompare(wanted) == .orderedSame } } ?? true
                }
                guard has(query.designation, [event.action, event.label]), has(query.company, event.companies),
                      has(query.target, event.targets.flatMap { [$0.id, $0.label] }),
                      parameters["status"].map({ $0 == event.status.rawValue }) ?? true else { continue }
                found.append(ArchivedEvent(summary: summary, event: event))
            }
        }
        return found
    }
}

/// An event found in an archived item.
struct ArchivedEvent {
    var summary: ArchiveSummary
    var event: RegulatoryEvent

    var jsonValue: JSONWriter.Value {
        .object([
            ("source", .string(summary.source)), ("item", .object([
                ("id", .string(summary.itemID)), ("title", .string(summary.title)), ("link", .optional(summary.link)),
                ("last_seen", .string(ISO8601.string(from: summary.lastSeen))), ("rules", .array(summary.rules.map(JSONWriter.Value.string))),
            ])),
            ("headline", .string(event.headline)), ("event", event.jsonValue),
        ])
    }
}

extension WebHTML {
    /// The link to an item's page.
    static func itemLink(source: String, id: String) -> String {
        "/item" + queryString(["source": source, "id": id])
    }

    /// `/item`: every archived version, newest first, and the alerts the item raised.
    static func itemPage(source: String, id: String, versions: [ArchivedItem], alerts: [ShownAlert]) -> String {
        let title = versions.first?.summary.title ?? alerts.first?.alert.item.title ?? id
        var body = "<article class=\"alert\"><h2>\(escape(title))</h2>"
        body += "<div class=\"meta\">source \(escape(source)) · id <code>\(escape(id))</code>"
        if let link = safeURL(versions.first?.summary.link ?? alerts.first?.alert.item.link) {
            body += " · <a rel=\"noopener noreferrer\" href=\"\(escape(link))\">original</a>"
        }
        body += "</div>"
        body += "<h3>Alerts</h3>" + (alerts.isEmpty ? "<p class=\"meta\">none</p>" : "<ul>" + alerts.map { shown in
            "<li><a href=\"/alerts/\(escape(queryValue(shown.record.id)))\">\(escape(shown.alert.headline))</a> "
                + "<span class=\"meta\">rule \(escape(shown.record.rule))"
                + (shown.alert.alsoSeen.isEmpty ? "" : " · story seen again \(shown.alert.alsoSeen.count)×") + "</span> "
                + "\(deliveryBadges(shown.record.deliveries))</li>"
        }.joined() + "</ul>")
        body += "<h3>Versions read</h3>"
        if versions.isEmpty { body += "<p class=\"meta\">none archived (history: may have expired them)</p>" }
        for version in versions {
            let summary = version.summary
            body += "<section><p class=\"meta\">first seen \(escape(ISO8601.string(from: summary.firstSeen))) · last seen "
                + "\(escape(ISO8601.string(from: summary.lastSeen))) · rules matched: "
                + (summary.rules.isEmpty ? "none" : escape(summary.rules.joined(separator: ", "))) + "</p>"
            let events = summary.events
            if !events.isEmpty { body += eventList(events) }
            let text = [version.item.summary, version.item.content].compactMap { $0 }.joined(separator: "\n\n")
            if !text.isEmpty {
                let shown = text.count > 20_000 ? String(text.prefix(20_000)) + " …" : text
                body += "<blockquote style=\"white-space:pre-wrap\">\(escape(shown))</blockquote>"
            }
            body += "</section>"
        }
        body += "</article>"
        return page(title: title, body: body, api: "/api/item" + queryString(["source": source, "id": id]))
    }

    /// `/events`: the events of archived items the filters let through.
    static func eventsPage(_ events: [ArchivedEvent], filters: [String: String], config: PharosConfig) -> String {
        var body = filterForm(action: "/events", filters: filters, config: config, statuses: WebPages.eventStatuses, statusLabel: "Event status")
        body += "<p class=\"meta\">\(events.count) event\(events.count == 1 ? "" : "s") in what was read, newest first, "
            + "whether or not a rule alerted.</p>"
        body += "<table><tr><th>event</th><th>status</th><th>agency</th><th>item</th><th>last seen</th></tr>" + events.map { found in
            "<tr><td>\(escape(found.event.headline))</td><td>\(escape(found.event.status.rawValue))</td><td>\(escape(found.event.agency))</td>"
                + "<td><a href=\"\(escape(itemLink(source: found.summary.source, id: found.summary.itemID)))\">\(escape(found.summary.title))</a></td>"
                + "<td>\(escape(ISO8601.string(from: found.summary.lastSeen)))</td></tr>"
        }.joined() + "</table>"
        return page(title: "Events", body: body, api: "/api/events" + queryString(filters))
    }
}
