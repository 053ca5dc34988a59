import Foundation
import PharosCore
import PharosMatching
import PharosText

/// The pages as HTML: server-rendered, a little CSS, no JavaScript. Every text from an item,
/// a rule or the state goes through ``escape(_:)``, and only http(s) URLs become links
/// (``safeURL(_:)``), so a hostile title or a `javascript:` link stays text.
enum WebHTML {
    /// `text` safe inside an element or a quoted attribute, with characters that XML 1.0 forbids
    /// (control characters but tab and line ends) dropped.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isForbidden) else { return HTMLEscaping.escape(text) }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: text.unicodeScalars.filter { !isForbidden($0) })
        return HTMLEscaping.escape(String(kept))
    }

    /// Control characters (but tab and line ends), C1 controls and the two non-characters XML forbids.
    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || (0x7F...0x9F).contains(scalar.value)
            || scalar.value == 0xFFFE || scalar.value == 0xFFFF
    }

    /// `link` when it is an absolute http or https URL with no white space or control characters;
    /// nil for anything else (`javascript:`, `data:`, relative or broken links).
    static func safeURL(_ link: String?) -> String? {
        guard let link, let colon = link.firstIndex(of: ":") else { return nil }
        let scheme = link[..<colon].lowercased()
        guard scheme == "http" || scheme == "https", link[colon...].hasPrefix("://"), link.count > scheme.count + 3,
              !link.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\"" || $0 == "<" || $0 == ">" })
        else { return nil }
        return link
    }

    /// A query string of `parameters` (sorted by name, empty values left out), percent-encoded.
    static func queryString(_ parameters: [String: String]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let pairs = parameters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    static let style = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem;color:#1d232a;background:#fbfbfa}
        header{display:flex;gap:1.5rem;align-items:baseline;border-bottom:2px solid #2d5b7c;margin-bottom:1rem}
        header h1{font-size:1.3rem;margin:.6rem 0;color:#2d5b7c}
        nav a{margin-right:1rem}a{color:#1f5f99}
        form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;background:#eef2f5;padding:.6rem .8rem;border-radius:6px}
        form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#445}
        form.filters input,form.filters select{font:inherit;padding:.15rem .3rem;min-width:8rem}
        .alert{border:1px solid #d8dde2;border-radius:6px;padding:.6rem .8rem;margin:.7rem 0;background:#fff}
        .alert h2{font-size:1.05rem;margin:0 0 .3rem}
        .meta{color:#555;font-size:.85rem}
        blockquote{margin:.4rem 0;padding:.2rem .6rem;border-left:3px solid #c9d3dc;color:#333}
        mark{background:#ffe28a;padding:0 .1rem}
        .sink{display:inline-block;border-radius:3px;padding:0 .35rem;margin-right:.3rem;font-size:.8rem;background:#e4e7ea}
        .delivered,.ok{background:#d8f0dc;color:#16501f}.pending,.never{background:#fff2cc;color:#6a4d00}
        .dead,.FAILING{background:#f8d7d5;color:#7c1d16}
        table{border-collapse:collapse;margin:.4rem 0 1rem}td,th{border-bottom:1px solid #e1e4e8;padding:.2rem .6rem;text-align:left;font-size:.9rem}
        .error{background:#f8d7d5;padding:.6rem;border-radius:6px}
        footer{margin:2rem 0 1rem;color:#666;font-size:.8rem}
        """

    static func page(title: String, body: String, api: String? = nil) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Pharos</title><style>\(style)</style>
        <link rel="alternate" type="application/atom+xml" title="Pharos alerts" href="/feed.atom"></head>
        <body><header><h1>Pharos</h1><nav><a href="/">Alerts</a><a href="/events">Events</a><a href="/feed.atom">Atom feed</a></nav></header>
        \(body)
        <footer>Read-only.\(api.map { " The same as JSON: <a href=\"\(escape($0))\">\(escape($0))</a>." } ?? "")</footer>
        </body></html>

        """
    }

    static func errorPage(_ status: String, _ message: String) -> String {
        page(title: status, body: "<h2>\(escape(status))</h2><p class=\"error\">\(escape(message))</p><p><a href=\"/\">All alerts</a></p>")
    }

    /// The filter form (a GET to `action`), each field showing what is applied.
    static func filterForm(action: String, filters: [String: String], config: PharosConfig,
                           statuses: [String] = AlertQuery.statuses, statusLabel: String = "Delivery") -> String {
        func select(_ name: String, _ label: String, _ options: [String]) -> String {
            let current = filters[name]
            let all = options + (current.map { options.contains($0) ? [] : [$0] } ?? [])
            let items = all.map { option in
                "<option value=\"\(escape(option))\"\(option == current ? " selected" : "")>\(escape(option))</option>"
            }.joined()
            return "<label>\(label)<select name=\"\(name)\"><option value=\"\">any</option>\(items)</select></label>"
        }
        func field(_ name: String, _ label: String, type: String = "text", placeholder: String = "") -> String {
            "<label>\(label)<input type=\"\(type)\" name=\"\(name)\" value=\"\(escape(filters[name] ?? ""))\" placeholder=\"\(escape(placeholder))\"></label>"
        }
        return """
            <form class="filters" method="get" action="\(escape(action))">
            \(select("rule", "Rule", config.rules.map(\.name)))\(select("source", "Source", config.sources.map(\.name)))\
            \(select("sink", "Sink", config.sinks.map(\.name)))\(select("status", statusLabel, statuses))
            \(field("company", "Company", placeholder: "Gilead Sciences"))\(field("target", "Target", placeholder: "BCMA"))\
            \(field("designation", "Designation", placeholder: "fda-rmat"))
            \(field("since", "From", placeholder: "2026-12-01"))\(field("until", "To", placeholder: "2026-12-31"))
            <button type="submit">Filter</button> <a href="\(escape(action))">clear</a>
            </form>
            """
    }

    /// `/`: the alerts the filters let through, newest first, then source and sink health.
    static func alertsPage(_ alerts: [ShownAlert], status: StatusReport, filters: [String: String], config: PharosConfig, now: Date) -> String {
        var body = filterForm(action: "/", filters: filters, config: config)
        body += "<p class=\"meta\">\(alerts.count) alert\(alerts.count == 1 ? "" : "s"), newest first. "
            + "<a href=\"/feed.atom\(escape(queryString(filters.filter { $0.key == "rule" || $0.key == "sink" })))\">Subscribe to these</a> (Atom).</p>"
        body += alerts.isEmpty ? "<p>No alert matches these filters.</p>" : alerts.map(alertSummary).joined(separator: "\n")
        body += statusSection(status, now: now)
        return page(title: "Alerts", body: body, api: "/api/alerts" + queryString(filters))
    }

    private static func alertSummary(_ shown: ShownAlert) -> String {
        let alert = shown.alert
        var html = "<article class=\"alert\"><h2><a href=\"/alerts/\(escape(queryValue(shown.record.id)))\">\(escape(alert.headline))</a></h2>"
        html += "<div class=\"meta\">rule <b>\(escape(shown.record.rule))</b> · source \(escape(shown.record.source)) · "
            + "\(escape(ISO8601.string(from: shown.record.createdAt))) · \(original(alert)) · "
            + "<a href=\"\(escape(itemLink(source: shown.record.source, id: shown.record.itemID)))\">item</a></div>"
        if let evidence = alert.evidence.first { html += "<blockquote>\(highlighted(evidence.text, shown.spellings))</blockquote>" }
        html += "<div>\(deliveryBadges(shown.record.deliveries))</div></article>"
        return html
    }

    /// A link to the item's original page, or its title as text when its link is not http(s).
    static func original(_ alert: Alert) -> String {
        guard let link = safeURL(alert.item.link) else { return "<span>no web link</span>" }
        return "<a rel=\"noopener noreferrer\" href=\"\(escape(link))\">original</a>"
    }

    static func highlighted(_ text: String, _ spellings: Set<String>) -> String {
        Highlight.pieces(text, spellings: spellings).map { $0.marked ? "<mark>\(escape($0.text))</mark>" : escape($0.text) }.joined()
    }

    static func deliveryBadges(_ deliveries: [AlertDelivery]) -> String {
        guard !deliveries.isEmpty else { return "<span class=\"meta\">routed to no sink</span>" }
        return deliveries.map { delivery in
            "<span class=\"sink \(escape(delivery.state))\" title=\"\(escape(delivery.lastError ?? delivery.state))\">\(escape(delivery.sink)): \(escape(delivery.state))</span>"
        }.joined()
    }

    private static func statusSection(_ status: StatusReport, now: Date) -> String {
        func when(_ date: Date?) -> String { date.map { escape(ISO8601.string(from: $0)) } ?? "never" }
        var html = "<h2>Sources</h2><table><tr><th>source</th><th>state</th><th>last poll</th><th>last success</th><th>failures</th><th>items seen</th><th>last error</th></tr>"
        for source in status.sources {
            let state = StatusReport.state(of: source)
            let configured = status.configuredSources.contains(source.source) ? "" : " (no longer configured)"
            html += "<tr><td>\(escape(source.source))\(configured)</td><td><span class=\"sink \(state == "ok" ? "ok" : state == "FAILING" ? "FAILING" : "never")\">\(escape(state))</span></td>"
                + "<td>\(when(source.lastPoll))</td><td>\(when(source.lastSuccess))</td><td>\(source.consecutiveFailures)</td>"
                + "<td>\(source.itemsSeen)</td><td>\(source.consecutiveFailures > 0 ? escape(source.lastError ?? "") : "")</td></tr>"
        }
        html += "</table><h2>Sinks</h2><table><tr><th>sink</th><th>state</th><th>pending</th><th>delivered</th><th>dead</th><th>last delivery</th><th>last error</th></tr>"
        for sink in status.sinks {
            let state = StatusReport.state(of: sink)
            let configured = status.configuredSinks.contains(sink.sink) ? "" : " (no longer configured)"
            html += "<tr><td>\(escape(sink.sink))\(configured)</td><td><span class=\"sink \(state == "ok" ? "ok" : state == "FAILING" ? "FAILING" : "dead")\">\(escape(state))</span></td>"
                + "<td>\(sink.counts.pending)</td><td>\(sink.counts.delivered)</td><td>\(sink.counts.dead)</td><td>\(when(sink.lastDelivery))</td>"
                + "<td>\(sink.counts.pending + sink.counts.dead > 0 ? escape(sink.lastError ?? "") : "")</td></tr>"
        }
        html += "</table><p class=\"meta\">As <code>pharos status</code> shows it; <a href=\"/api/status\">/api/status</a>.</p>"
        return html
    }

    /// `/alerts/ID`: everything about one alert.
    static func alertPage(_ shown: ShownAlert) -> String {
        let alert = shown.alert
        var body = "<article class=\"alert\"><h2>\(escape(alert.headline))</h2>"
        body += "<table><tr><th>rule</th><td><a href=\"/?rule=\(escape(queryValue(alert.rule)))\">\(escape(alert.rule))</a>"
            + (alert.ruleDescription.map { " — \(escape($0))" } ?? "") + "</td></tr>"
        body += "<tr><th>source</th><td>\(escape(alert.source))</td></tr>"
        body += "<tr><th>item</th><td><a href=\"\(escape(itemLink(source: shown.record.source, id: shown.record.itemID)))\">"
            + "\(escape(alert.item.title))</a><br>\(original(alert))"
            + (safeURL(alert.item.link) == nil ? alert.item.link.map { " <span class=\"meta\">(link not shown as a link: \(escape($0)))</span>" } ?? "" : "")
            + "</td></tr>"
        if let published = alert.item.published { body += "<tr><th>published</th><td>\(escape(ISO8601.string(from: published)))</td></tr>" }
        body += "<tr><th>detected</th><td>\(escape(ISO8601.string(from: alert.detectedAt)))</td></tr>"
        body += "<tr><th>alert id</th><td><code>\(escape(alert.id))</code></td></tr>"
        if let story = alert.story { body += "<tr><th>story</th><td><code>\(escape(story))</code></td></tr>" }
        body += "</table>"
        if let summary = alert.item.summary { body += "<p>\(escape(summary))</p>" }
        body += "<h3>Evidence</h3>" + alert.evidence.map { evidence in
            "<blockquote><span class=\"meta\">\(escape(evidence.field)) \(evidence.start)–\(evidence.end)</span><br>\(highlighted(evidence.text, shown.spellings))</blockquote>"
        }.joined()
        let kinds: [(String, [EntityMatch])] = [("targets", alert.matches.targets), ("designations", alert.matches.designations),
                                                ("companies", alert.matches.companies), ("products", alert.matches.products),
                                                ("modalities", alert.matches.modalities), ("keywords", alert.matches.keywords)]
        body += "<h3>Matched</h3><table>" + kinds.filter { !$0.1.isEmpty }.map { kind, entities in
            "<tr><th>\(kind)</th><td>" + entities.map { "\(escape($0.label)) <span class=\"meta\">“\(escape($0.text))” (\(escape($0.id)))</span>" }.joined(separator: ", ") + "</td></tr>"
        }.joined() + "</table>"
        if !alert.events.isEmpty { body += "<h3>Events</h3>" + eventList(alert.events) }
        if !alert.alsoSeen.isEmpty { body += alsoSeenList(alert.alsoSeen) }
        body += "<h3>Deliveries</h3><table><tr><th>sink</th><th>state</th><th>attempts</th><th>when</th><th>last error</th></tr>"
        body += shown.record.deliveries.map { delivery in
            "<tr><td>\(escape(delivery.sink))</td><td><span class=\"sink \(escape(delivery.state))\">\(escape(delivery.state))</span></td>"
                + "<td>\(delivery.attempts)</td><td>\(escape(ISO8601.string(from: delivery.updatedAt)))</td><td>\(escape(delivery.lastError ?? ""))</td></tr>"
        }.joined() + "</table></article>"
        return page(title: alert.headline, body: body, api: "/api/alerts/" + shown.record.id)
    }

    /// The later copies of an alert's story (README, Stories), in the order seen.
    static func alsoSeenList(_ copies: [AlsoSeen]) -> String {
        "<h3>Also seen</h3><p class=\"meta\">later copies of this story, which raised no alert of their own for this rule</p>"
            + "<table><tr><th>seen</th><th>source</th><th>item</th></tr>" + copies.map { copy in
                let link = safeURL(copy.link).map { " · <a rel=\"noopener noreferrer\" href=\"\(escape($0))\">original</a>" }
                    ?? copy.link.map { " <span class=\"meta\">(link not shown as a link: \(escape($0)))</span>" } ?? ""
                return "<tr><td>\(escape(ISO8601.string(from: copy.seenAt)))</td><td>\(escape(copy.source))</td>"
                    + "<td><a href=\"\(escape(itemLink(source: copy.source, id: copy.itemID)))\">\(escape(copy.itemID))</a>\(link)</td></tr>"
            }.joined() + "</table>"
    }

    static func eventList(_ events: [RegulatoryEvent]) -> String {
        "<ul>" + events.map { event in
            "<li><b>\(escape(event.headline))</b> <span class=\"sink\">\(escape(event.status.rawValue))</span>"
                + "<br><span class=\"meta\">\(escape(event.cues.joined(separator: "; ")))</span></li>"
        }.joined() + "</ul>"
    }

    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
