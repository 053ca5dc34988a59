import Foundation
import PharosCore
import PharosSupport
import PharosText

/// Writes alerts as MIME messages: headers, a text/plain part and a text/html part.
public struct MailComposer: Sendable {
    /// The longest subject, in characters, before it is cut with an ellipsis.
    static let subjectLimit = 200

    /// The From header; its address is also the envelope sender.
    public var from: MailAddress
    /// The To header.
    public var to: [MailAddress]
    /// The Cc header (none when empty).
    public var cc: [MailAddress]
    /// Filled in from the alert document (`{{rule}}`, `{{item.title}}` ...).
    public var subject: Template
    /// Filled in from ``digestContext(_:)`` (`{{count}}`, `{{rules}}`, `{{sources}}`, `{{#alerts}}`).
    public var digestSubject: Template

    public init(from: MailAddress, to: [MailAddress], cc: [MailAddress], subject: Template, digestSubject: Template) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.digestSubject = digestSubject
    }

    // MARK: Message-ID

    /// `<ALERTID@pharos>`: the same alert always gets the same Message-ID, so a message sent
    /// again after a lost reply is recognisably the same. An id that is not plain letters,
    /// digits, `-`, `_` and `.` is replaced by its SHA-256.
    public static func messageID(for alert: Alert) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        let plain = !alert.id.isEmpty && alert.id.count <= 64 && alert.id.allSatisfy { allowed.contains($0) }
        return "<\(plain ? alert.id : String(SHA256.hex(alert.id).prefix(32)))@pharos>"
    }

    /// `<digest-HASH@pharos>`, HASH from the sorted alert ids: the same set of alerts, in any
    /// order, gets the same Message-ID.
    public static func digestMessageID(for alerts: [Alert]) -> String {
        "<digest-\(Alert.groupID(alerts))@pharos>"
    }

    // MARK: Messages

    /// The message for one alert.
    public func message(for alert: Alert, date: Date) -> [UInt8] {
        let subject = shorten(subject.render(alert.jsonValue))
        let text = "Rule \(plainRule(alert)) matched an item from \(alert.source).\n\n" + plainSection(alert)
            + "\n-- \nSent by Pharos. Alert \(alert.id), detected \(ISO8601.string(from: alert.detectedAt)).\n"
        let html = htmlPage(title: subject, intro: "Rule \(htmlRule(alert)) matched an item from <b>\(esc(alert.source))</b>.",
                            sections: [htmlSection(alert)],
                            footer: "Sent by Pharos. Alert \(esc(alert.id)), detected \(esc(ISO8601.string(from: alert.detectedAt))).")
        return assemble(subject: subject, messageID: Self.messageID(for: alert), date: date, text: text, html: html,
                        pharos: [("X-Pharos-Rule", alert.rule), ("X-Pharos-Source", alert.source), ("X-Pharos-Alert-ID", alert.id)])
    }

    /// The message for the alerts of one item (every rule it matched): the item once, then
    /// each rule with its description, what it matched and the evidence. The subject is the
    /// first alert's, saying how many more rules matched; the Message-ID,
    /// `<item-GROUPID@pharos>`, is the same for the same alerts. One alert gets
    /// ``message(for:date:)``'s message.
    public func message(for alerts: [Alert], date: Date) -> [UInt8] {
        guard let first = alerts.first, alerts.count > 1 else { return alerts.first.map { message(for: $0, date: date) } ?? [] }
        let more = alerts.count - 1
        let subject = shorten(subject.render(first.jsonValue), suffix: " (and \(more) more rule\(more == 1 ? "" : "s"))")
        let detected = ISO8601.string(from: first.detectedAt)
        var text = "\(alerts.count) rules matched an item from \(first.source).\n\n" + plainHeading(first.item)
        for (index, alert) in alerts.enumerated() {
            text += "\n\(index + 1). Rule \(plainRule(alert))\n" + plainMatches(alert)
        }
        text += plainSummary(first.item) + "\n-- \nSent by Pharos. Alerts \(alerts.map(\.id).joined(separator: ", ")), detected \(detected).\n"
        let sections = alerts.enumerated().map { index, alert in
            "<h3 style=\"margin-bottom:0\">\(index + 1). Rule \(htmlRule(alert))</h3>\n" + htmlMatches(alert)
        }
        let html = htmlPage(title: subject, intro: "\(alerts.count) rules matched an item from <b>\(esc(first.source))</b>.",
                            sections: [htmlHeading(first.item, details: ["source <b>\(esc(first.source))</b>"]) + sections.joined()
                                + htmlSummary(first.item)],
                            footer: "Sent by Pharos. Alerts \(esc(alerts.map(\.id).joined(separator: ", "))), detected \(esc(detected)).")
        let ids = alerts.map(\.id).joined(separator: ", ")
        return assemble(subject: subject, messageID: "<item-\(Alert.groupID(alerts))@pharos>", date: date, text: text, html: html,
                        pharos: [("X-Pharos-Rule", Self.distinct(alerts.map(\.rule))), ("X-Pharos-Source", first.source),
                                 ("X-Pharos-Alert-ID", ids)])
    }

    /// One message listing every alert of `alerts`, in order.
    public func digest(_ alerts: [Alert], date: Date) -> [UInt8] {
        let subject = shorten(digestSubject.render(Self.digestContext(alerts)))
        let intro = alerts.count == 1 ? "1 alert" : "\(alerts.count) alerts"
        var text = "Pharos digest: \(intro).\n"
        for (index, alert) in alerts.enumerated() {
            text += "\n\(index + 1). Rule \(plainRule(alert)), from \(alert.source)\n\n" + plainSection(alert)
        }
        text += "\n-- \nSent by Pharos. Alerts: \(alerts.map(\.id).joined(separator: ", ")).\n"
        let html = htmlPage(title: subject, intro: "Pharos digest: \(intro).",
                            sections: alerts.enumerated().map { index, alert in
                                "<h3 style=\"color:#555;margin-bottom:0\">\(index + 1). Rule \(esc(alert.rule)), from \(esc(alert.source))</h3>\n"
                                    + htmlSection(alert)
                            },
                            footer: "Sent by Pharos. Alerts: \(esc(alerts.map(\.id).joined(separator: ", "))).")
        return assemble(subject: subject, messageID: Self.digestMessageID(for: alerts), date: date, text: text, html: html,
                        pharos: [("X-Pharos-Rule", Self.distinct(alerts.map(\.rule))), ("X-Pharos-Source", Self.distinct(alerts.map(\.source)))])
    }

    /// The envelope recipients: every To and Cc address, each once.
    public var recipients: [String] {
        var seen: Set<String> = []
        return (to + cc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }

    // MARK: Parts

    /// What a digest subject is filled in from: `count`, `rules` and `sources` (each distinct,
    /// comma-separated, in order) and `alerts`, the alert documents.
    public static func digestContext(_ alerts: [Alert]) -> JSONWriter.Value {
        .object([
            ("count", .int(alerts.count)), ("rules", .string(distinct(alerts.map(\.rule)))),
            ("sources", .string(distinct(alerts.map(\.source)))), ("alerts", .array(alerts.map(\.jsonValue))),
        ])
    }

    /// Each value once, in order, comma-separated.
    static func distinct(_ values: [String]) -> String {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }.joined(separator: ", ")
    }

    /// `subject` cleaned for a header and cut with an ellipsis so that with `suffix` it stays
    /// within the limit.
    func shorten(_ subject: String, suffix: String = "") -> String {
        let clean = MIME.cleanHeaderText(subject)
        let limit = Self.subjectLimit - suffix.count
        return (clean.count <= limit ? clean : String(clean.prefix(limit - 1)) + "…") + suffix
    }

    /// One alert as plain text: title, link, what matched, the evidence, the summary.
    func plainSection(_ alert: Alert) -> String {
        plainHeading(alert.item) + plainMatches(alert) + plainSummary(alert.item)
    }

    /// The item's title, link and publication time.
    func plainHeading(_ item: Alert.ItemSummary) -> String {
        var text = oneLine(item.title) + "\n"
        if let link = item.link, !link.isEmpty { text += oneLine(link) + "\n" }
        if let published = item.published { text += "Published \(ISO8601.string(from: published))\n" }
        return text
    }

    /// What the alert's rule matched, and the evidence.
    func plainMatches(_ alert: Alert) -> String {
        var text = ""
        let groups = Self.matchGroups(alert)
        if !groups.isEmpty {
            text += "\nMatched:\n"
            for (kind, entities) in groups {
                text += "  \(kind): " + entities.joined(separator: "; ") + "\n"
            }
        }
        if !alert.evidence.isEmpty {
            text += "\nEvidence:\n"
            for evidence in alert.evidence { text += "  > " + oneLine(evidence.text) + " (\(evidence.field))\n" }
        }
        return text
    }

    func plainSummary(_ item: Alert.ItemSummary) -> String {
        guard let summary = item.summary, !summary.isEmpty else { return "" }
        return "\nSummary:\n" + summary.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    /// `bcma-rmat (RMAT designation for a BCMA-directed therapy)`: the rule, and its
    /// description when it has one.
    func plainRule(_ alert: Alert) -> String {
        alert.rule + (alert.ruleDescription.map { $0.isEmpty ? "" : " (\(oneLine($0)))" } ?? "")
    }

    /// ``plainRule(_:)`` as HTML, the name in bold.
    func htmlRule(_ alert: Alert) -> String {
        "<b>\(esc(alert.rule))</b>" + (alert.ruleDescription.map { $0.isEmpty ? "" : " (\(esc(oneLine($0))))" } ?? "")
    }

    /// One alert as HTML: every piece of feed text escaped, matched terms marked in the evidence.
    func htmlSection(_ alert: Alert) -> String {
        htmlHeading(alert.item, details: ["Rule \(htmlRule(alert))", "source <b>\(esc(alert.source))</b>"])
            + htmlMatches(alert) + htmlSummary(alert.item)
    }

    /// The item's title (linked when it has a web link), then `details` and the publication time.
    func htmlHeading(_ item: Alert.ItemSummary, details: [String]) -> String {
        var html = "<h2 style=\"margin-bottom:0.2em\">"
        if let link = item.link, Self.isWebLink(link) {
            html += "<a href=\"\(esc(link))\">\(esc(item.title))</a>"
        } else {
            html += esc(item.title)
        }
        html += "</h2>\n"
        var details = details
        if let published = item.published { details.append("published \(esc(ISO8601.string(from: published)))") }
        return html + "<p style=\"color:#555;margin-top:0\">\(details.joined(separator: " · "))</p>\n"
    }

    /// What the alert's rule matched, and the evidence with the matched terms marked.
    func htmlMatches(_ alert: Alert) -> String {
        var html = ""
        let groups = Self.matchGroups(alert)
        if !groups.isEmpty {
            html += "<ul>\n"
            for (kind, entities) in groups {
                html += "<li>\(esc(kind)): \(entities.map(esc).joined(separator: "; "))</li>\n"
            }
            html += "</ul>\n"
        }
        let terms = Self.highlightTerms(alert)
        for evidence in alert.evidence {
            html += "<blockquote style=\"border-left:3px solid #ccc;margin-left:0;padding-left:1em\">"
                + Self.highlight(oneLine(evidence.text), terms: terms)
                + " <small style=\"color:#888\">(\(esc(evidence.field)))</small></blockquote>\n"
        }
        return html
    }

    /// The summary, then the link written out.
    func htmlSummary(_ item: Alert.ItemSummary) -> String {
        var html = ""
        if let summary = item.summary, !summary.isEmpty {
            html += "<p>" + esc(summary).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>\n"
        }
        if let link = item.link, Self.isWebLink(link) {
            html += "<p><a href=\"\(esc(link))\">\(esc(link))</a></p>\n"
        }
        return html
    }

    /// Each kind of match with its entities, one line per entity (the same entity written two ways is one).
    static func matchGroups(_ alert: Alert) -> [(String, [String])] {
        let kinds = [("Targets", alert.matches.targets), ("Designations", alert.matches.designations),
                     ("Companies", alert.matches.companies), ("Keywords", alert.matches.keywords)]
        return kinds.compactMap { kind, entities in
            var order: [String] = []
            var byID: [String: [EntityMatch]] = [:]
            for entity in entities {
                if byID[entity.id] == nil { order.append(entity.id) }
                byID[entity.id, default: []].append(entity)
            }
            return order.isEmpty ? nil : (kind, order.map { entityText(byID[$0] ?? []) })
        }
    }

    /// `BCMA (TNFRSF17)`, and how the item wrote it when that differs: `RMAT (fda-rmat), written “Regenerative …”`.
    static func entityText(_ matches: [EntityMatch]) -> String {
        guard let first = matches.first else { return "" }
        var text = first.label.isEmpty ? first.id : first.label
        if first.id != text { text += " (\(first.id))" }
        var seen: Set<String> = [text.lowercased(), first.label.lowercased()]
        let written = matches.map(\.text).filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
        if !written.isEmpty { text += ", written " + written.map { "\u{201C}\($0)\u{201D}" }.joined(separator: ", ") }
        return text
    }

    /// Only http and https links become `href`s (no `javascript:` from a feed).
    static func isWebLink(_ link: String) -> Bool {
        guard let scheme = URL(string: link)?.scheme?.lowercased() else { return false }
        return scheme == "http" || scheme == "https"
    }

    /// The matched texts to mark, longest first so a longer term wins over a shorter one inside it.
    static func highlightTerms(_ alert: Alert) -> [String] {
        let all = alert.matches.targets + alert.matches.designations + alert.matches.companies + alert.matches.keywords
        var seen: Set<String> = []
        return all.flatMap { [$0.text, $0.label] }.filter { !$0.isEmpty && seen.insert($0).inserted }
            .sorted { $0.count > $1.count }
    }

    /// `text` HTML-escaped, each whole-word occurrence of a term in `<mark>`: exact case first;
    /// a term found nowhere in its own case is looked for case-insensitively.
    public static func highlight(_ text: String, terms: [String]) -> String {
        var marked: [Range<String.Index>] = []
        func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }
        func occurrences(of term: String, options: String.CompareOptions) -> [Range<String.Index>] {
            var found: [Range<String.Index>] = []
            var start = text.startIndex
            while start < text.endIndex, let range = text.range(of: term, options: options, range: start..<text.endIndex) {
                let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : nil
                let after = range.upperBound < text.endIndex ? text[range.upperBound] : nil
                let termStartsWord = term.first.map(isWordCharacter) ?? false
                let termEndsWord = term.last.map(isWordCharacter) ?? false
                if !(termStartsWord && before.map(isWordCharacter) == true), !(termEndsWord && after.map(isWordCharacter) == true) {
                    found.append(range)
                }
                start = range.upperBound
            }
            return found
        }
        for term in terms {
            var found = occurrences(of: term, options: [])
            if found.isEmpty { found = occurrences(of: term, options: [.caseInsensitive]) }
            for range in found where !marked.contains(where: { $0.overlaps(range) }) { marked.append(range) }
        }
        marked.sort { $0.lowerBound < $1.lowerBound }
        var html = ""
        var position = text.startIndex
        for range in marked {
            html += HTMLEscaping.escape(String(text[position..<range.lowerBound]))
            html += "<mark>" + HTMLEscaping.escape(String(text[range])) + "</mark>"
            position = range.upperBound
        }
        return html + HTMLEscaping.escape(String(text[position...]))
    }

    func htmlPage(title: String, intro: String, sections: [String], footer: String) -> String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>\(esc(title))</title></head>
        <body style="font-family:sans-serif;line-height:1.4;max-width:50em">
        <p style="color:#555">\(intro)</p>
        \(sections.joined(separator: "<hr style=\"border:0;border-top:1px solid #ddd\">\n"))<p style="color:#888;font-size:small">\(footer)</p>
        </body></html>

        """
    }

    /// The whole message: headers, then the two parts as quoted-printable UTF-8.
    /// - Parameter pharos: `X-Pharos-…` headers for mail filters (rule, source, alert id).
    func assemble(subject: String, messageID: String, date: Date, text: String, html: String,
                  pharos: [(String, String)]) -> [UInt8] {
        // "=_" cannot occur in quoted-printable text, so the boundary never appears in a part.
        let boundary = "=_pharos_" + String(SHA256.hex(messageID + text).prefix(24))
        var headers = [
            "Date: \(MIME.date(date))",
            MIME.addressHeader("From", [from]),
            MIME.addressHeader("To", to),
        ]
        if !cc.isEmpty { headers.append(MIME.addressHeader("Cc", cc)) }
        headers += [
            MIME.header("Subject", subject),
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        headers += pharos.map { MIME.header($0.0, $0.1) }
        headers += [
            "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"",
        ]
        var message = headers.joined(separator: "\r\n") + "\r\n\r\n"
        message += "This is a MIME message with a text and an HTML version.\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            message += "\r\n--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            message += MIME.quotedPrintable(body)
        }
        message += "\r\n--\(boundary)--\r\n"
        return Array(message.utf8)
    }

    func esc(_ text: String) -> String { HTMLEscaping.escape(text) }

    /// Feed text on one line: line breaks and control characters become spaces.
    func oneLine(_ text: String) -> String { MIME.cleanHeaderText(text) }
}
