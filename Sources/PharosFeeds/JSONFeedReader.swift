import Foundation
import PharosCore

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
enum JSONFeedReader {
    static func parse(_ raw: [UInt8], url: URL?) -> ParsedFeed {
        var bytes = raw
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var warnings: [String] = []
        var wellFormed = true
        let repaired = XMLInput.repairingUTF8(bytes)
        if repaired.repairs > 0 {
            bytes = repaired.bytes
            wellFormed = false
            warnings.append("\(repaired.repairs) bytes were not valid UTF-8: read as Windows-1252")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            return ParsedFeed(wellFormed: false, warnings: ["not valid JSON: \(error.localizedDescription)"] + warnings)
        }
        guard let feed = object as? [String: Any] else {
            return ParsedFeed(wellFormed: false, warnings: ["not a JSON Feed: the top level is not an object"] + warnings)
        }
        if !(string(feed["version"])?.utf8.contains("jsonfeed.org/version/".utf8) ?? false) {
            warnings.append("not a JSON Feed: no jsonfeed.org version")
        }
        let documentURL = url?.absoluteString ?? string(feed["feed_url"])
        let title = string(feed["title"]).map(TextTools.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        let link = string(feed["home_page_url"]).map { URLResolver.resolve($0, against: documentURL) }
        let feedAuthors = authors(feed)
        guard let entries = feed["items"] as? [Any] else {
            warnings.insert("not a JSON Feed: no items array", at: 0)
            return ParsedFeed(title: title, link: link, wellFormed: false, warnings: warnings)
        }
        var items: [Item] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any] else {
                warnings.append("item \(index + 1) is not an object: skipped")
                continue
            }
            items.append(item(object, documentURL: documentURL, feedAuthors: feedAuthors))
        }
        return ParsedFeed(title: title, link: link, wellFormed: wellFormed, warnings: warnings, items: items)
    }

    private static func item(_ object: [String: Any], documentURL: String?, feedAuthors: [String]) -> Item {
        let link = (string(object["url"]) ?? string(object["external_url"])).map { URLResolver.resolve($0, against: documentURL) }
        // Titles and summaries are plain text in JSON Feed: nothing to reduce but white space.
        let title = string(object["title"]).map(TextTools.singleLine) ?? ""
        let summary = string(object["summary"]).map(TextTools.paragraphs).flatMap { $0.isEmpty ? nil : $0 }
        var content: String?
        if let html = string(object["content_html"]) { content = TextTools.htmlToText(html) }
        if content?.isEmpty ?? true, let text = string(object["content_text"]) { content = TextTools.paragraphs(text) }
        if content?.isEmpty == true { content = nil }
        let published = string(object["date_published"]).flatMap(DateParsing.parse)
        let updated = string(object["date_modified"]).flatMap(DateParsing.parse)
        let ownAuthors = authors(object)
        var categories: [String] = []
        for tag in (object["tags"] as? [Any] ?? []).compactMap(string).map(TextTools.singleLine) where !tag.isEmpty && !categories.contains(tag) {
            categories.append(tag)
        }
        var fields: [String: String] = [:]
        if let external = string(object["external_url"]) { fields["external_url"] = URLResolver.resolve(external, against: documentURL) }
        if let attachments = object["attachments"] as? [Any] {
            let urls = attachments.compactMap { ($0 as? [String: Any]).flatMap { string($0["url"]) } }
            if !urls.isEmpty { fields["enclosure"] = urls.map { URLResolver.resolve($0, against: documentURL) }.joined(separator: "\n") }
        }
        if let image = string(object["image"]) { fields["image"] = URLResolver.resolve(image, against: documentURL) }
        if let language = string(object["language"]) { fields["language"] = language }
        let id = identifier(object["id"]) ?? link ?? TextTools.contentHash([
            title, (published ?? updated).map(ISO8601.string) ?? "", summary ?? "", content ?? "",
        ])
        return Item(
            id: id, title: title, link: link, published: published ?? updated, updated: updated, summary: summary,
            content: content, authors: ownAuthors.isEmpty ? feedAuthors : ownAuthors, categories: categories, fields: fields
        )
    }

    /// 1.1 `authors` (an array), else 1.0 `author` (an object): names, or URLs for nameless ones.
    private static func authors(_ object: [String: Any]) -> [String] {
        var people = (object["authors"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        if people.isEmpty, let single = object["author"] as? [String: Any] { people = [single] }
        var names: [String] = []
        for person in people {
            guard let name = (string(person["name"]) ?? string(person["url"])).map(TextTools.singleLine), !name.isEmpty else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The spec wants a string id; numbers are common and taken as written.
    private static func identifier(_ value: Any?) -> String? {
        if let text = string(value) { return text }
        if let number = value as? Int { return String(number) }
        if let number = value as? Double { return number.rounded() == number ? String(Int(number)) : String(number) }
        return nil
    }

    private static func string(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let trimmed = TextTools.trimmed(text)
        return trimmed.isEmpty ? nil : trimmed
    }
}
