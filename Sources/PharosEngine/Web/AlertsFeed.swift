import Foundation
import PharosCore
import PharosSupport

/// `/feed.atom`: recent alerts as an Atom 1.0 feed (RFC 4287), for feed readers. Each entry's
/// id is the alert's (as a `urn:uuid:`), its title the headline, its link the original item
/// (only an http(s) one), its content the evidence with the matched words marked and the sinks
/// that delivered it.
enum AlertsFeed {
    static func document(_ alerts: [ShownAlert], rule: String?, sink: String?, host: String?, now: Date) -> String {
        let escape = WebHTML.escape
        var filters: [String: String] = [:]
        filters["rule"] = rule
        filters["sink"] = sink
        let query = WebHTML.queryString(filters)
        let base = safeHost(host).map { "http://\($0)" }
        var title = "Pharos alerts"
        if let rule { title += ", rule \(rule)" }
        if let sink { title += ", sink \(sink)" }
        let updated = alerts.map(\.record.createdAt).max() ?? now
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <id>\(uuidURN(SHA256.hex("pharos feed\u{1F}\(rule ?? "")\u{1F}\(sink ?? "")")))</id>
            <title type="text">\(escape(title))</title>
            <updated>\(ISO8601.string(from: updated))</updated>
            <author><name>Pharos</name></author>
            <generator>Pharos</generator>

            """
        if let base {
            xml += "<link rel=\"self\" type=\"application/atom+xml\" href=\"\(escape(base + "/feed.atom" + query))\"/>\n"
            xml += "<link rel=\"alternate\" type=\"text/html\" href=\"\(escape(base + "/" + query))\"/>\n"
        }
        for shown in alerts {
            let alert = shown.alert
            xml += "<entry>\n<id>\(uuidURN(shown.record.id))</id>\n"
            xml += "<title type=\"text\">\(escape(alert.headline))</title>\n"
            xml += "<updated>\(ISO8601.string(from: shown.record.createdAt))</updated>\n"
            if let published = alert.item.published { xml += "<published>\(ISO8601.string(from: published))</published>\n" }
            if let link = WebHTML.safeURL(alert.item.link) { xml += "<link rel=\"alternate\" href=\"\(escape(link))\"/>\n" }
            if let base { xml += "<link rel=\"related\" type=\"text/html\" href=\"\(escape(base + "/alerts/" + WebHTML.queryValue(shown.record.id)))\"/>\n" }
            xml += "<category term=\"\(escape(shown.record.rule))\" label=\"rule\"/>\n"
            var content = "<p>Rule <b>\(escape(alert.rule))</b>" + (alert.ruleDescription.map { ": \(escape($0))" } ?? "")
                + ", source \(escape(alert.source)): \(escape(alert.item.title))</p>"
            content += alert.evidence.map { "<blockquote>\(WebHTML.highlighted($0.text, shown.spellings))</blockquote>" }.joined()
            content += "<p>Sinks: " + (shown.record.deliveries.isEmpty ? "none" : shown.record.deliveries.map { "\(escape($0.sink)) (\(escape($0.state)))" }.joined(separator: ", ")) + "</p>"
            // The HTML is the element's text, so it is escaped once more.
            xml += "<content type=\"html\">\(escape(content))</content>\n</entry>\n"
        }
        return xml + "</feed>\n"
    }

    /// `urn:uuid:` with the first 32 hex digits of `hex`: an alert id is 32 hex digits already.
    static func uuidURN(_ hex: String) -> String {
        let digits = Array(hex.lowercased().filter(\.isHexDigit).prefix(32))
        guard digits.count == 32 else { return "urn:uuid:00000000-0000-0000-0000-000000000000" }
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(digits[$0]) }
        return "urn:uuid:" + groups.joined(separator: "-")
    }

    /// The `Host` header when it is a plain host name or address with an optional port; a
    /// header with anything else yields no absolute links.
    static func safeHost(_ host: String?) -> String? {
        guard let host, !host.isEmpty, host.count <= 255,
              host.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                  || ("0"..."9").contains($0) || ".-:[]".unicodeScalars.contains($0) }) else { return nil }
        return host
    }
}
