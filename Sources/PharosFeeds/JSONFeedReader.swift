import Foundation
import PharosCore
import PharosText

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), held to the same ``FeedLimits``
/// as RSS and Atom.
enum JSONFeedReader {
    /// - Parameter deliver: receives each item as soon as it is read, in document order.
    static func parse(_ raw: [UInt8], url: URL?, limits: FeedLimits = .standard, deliver: (Item) -> Void) -> ParsedFeed {
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
        let feed: [String: Any]
        let entries: [Range<Int>]?
        do {
            (feed, entries) = try TopLevel.read(bytes)
        } catch TopLevel.Failure.notAnObject {
            return ParsedFeed(wellFormed: false, warnings: ["not a JSON Feed: the top level is not an object"] + warnings)
        } catch {
            return ParsedFeed(wellFormed: false, warnings: ["not valid JSON: \(error.localizedDescription)"] + warnings)
        }
        if !(string(feed["version"])?.utf8.contains("jsonfeed.org/version/".utf8) ?? false) {
            warnings.append("not a JSON Feed: no jsonfeed.org version")
        }
        var budget = FeedBudget(limits)
        let documentURL = url?.absoluteString ?? string(feed["feed_url"])
        var outside = Text(budget: budget, item: false)
        let title = outside.string(feed["title"]).map(TextTools.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        let link = outside.string(feed["home_page_url"]).map { URLResolver.resolve($0, against: documentURL) }
        let feedAuthors = authors(feed, text: &outside)
        budget = outside.budget
        guard let entries else {
            warnings.insert("not a JSON Feed: no items array", at: 0)
            return ParsedFeed(title: title, link: link, wellFormed: false, warnings: warnings + budget.warnings)
        }
        for (index, range) in entries.enumerated() where budget.exhausted == nil {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(bytes[range]), options: .fragmentsAllowed) else {
                warnings.append("item \(index + 1) is not valid JSON: skipped")
                wellFormed = false
                continue
            }
            guard let object = entry as? [String: Any] else {
                warnings.append("item \(index + 1) is not an object: skipped")
                continue
            }
            var text = Text(budget: budget, item: true)
            let read = item(object, documentURL: documentURL, feedAuthors: feedAuthors, text: &text)
            budget = text.budget
            if budget.countItem(textBytes: text.itemBytes ?? 0) { deliver(read) }
        }
        return ParsedFeed(title: title, link: link, wellFormed: wellFormed, warnings: warnings + budget.warnings)
    }

    /// The top-level object with its `items` array left as the byte ranges of its elements, so
    /// that an item becomes Foundation objects only when it is read (a 19 MB feed read as one
    /// tree of them took 1 GB) and items past the limits never do.
    private struct TopLevel {
        enum Failure: Error, LocalizedError {
            case notAnObject
            case unexpected(offset: Int)

            var errorDescription: String? {
                if case .unexpected(let offset) = self { return "unexpected byte or end at offset \(offset)" }
                return "the top level is not an object"
            }
        }

        let bytes: [UInt8]
        var at = 0

        static func read(_ bytes: [UInt8]) throws -> ([String: Any], [Range<Int>]?) {
            var scanner = TopLevel(bytes: bytes)
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: "{") else { throw Failure.notAnObject }
            scanner.at += 1
            var feed: [String: Any] = [:]
            var items: [Range<Int>]?
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: "}") {
                scanner.at += 1
            } else {
                while true {
                    scanner.skipSpace()
                    guard scanner.peek == UInt8(ascii: "\"") else { throw Failure.unexpected(offset: scanner.at) }
                    let key = try scanner.decode(scanner.value()) as? String ?? ""
                    try scanner.expect(":")
                    scanner.skipSpace()
                    if key == "items", scanner.peek == UInt8(ascii: "[") {
                        items = try scanner.elements()
                    } else {
                        feed[key] = try scanner.decode(scanner.value())
                    }
                    scanner.skipSpace()
                    if scanner.peek == UInt8(ascii: ",") {
                        scanner.at += 1
                        continue
                    }
                    try scanner.expect("}")
                    break
                }
            }
            scanner.skipSpace()
            guard scanner.at == bytes.count else { throw Failure.unexpected(offset: scanner.at) }
            return (feed, items)
        }

        var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { at += 1 }
        }

        mutating func expect(_ character: Unicode.Scalar) throws {
            skipSpace()
            guard peek == UInt8(ascii: character) else { throw Failure.unexpected(offset: at) }
            at += 1
        }

        func decode(_ range: Range<Int>) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(bytes[range]), options: .fragmentsAllowed)
        }

        /// Skips one value, checking only that its strings end and its brackets balance (the
        /// value's own parse checks the rest); returns where it was.
        mutating func value() throws -> Range<Int> {
            skipSpace()
            let start = at
            guard let first = peek else { throw Failure.unexpected(offset: at) }
            switch first {
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                repeat {
                    guard let byte = peek else { throw Failure.unexpected(offset: at) }
                    switch byte {
                    case UInt8(ascii: "\""): try string(); continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    at += 1
                } while depth > 0
            default:
                while let byte = peek, !",}] \t\r\n".utf8.contains(byte) { at += 1 }
                guard at > start else { throw Failure.unexpected(offset: at) }
            }
            return start..<at
        }

        private mutating func string() throws {
            at += 1
            while let byte = peek {
                at += byte == UInt8(ascii: "\\") ? 2 : 1
                if byte == UInt8(ascii: "\"") { return }
            }
            throw Failure.unexpected(offset: at)
        }

        /// The ranges of an array's elements.
        mutating func elements() throws -> [Range<Int>] {
            try expect("[")
            var ranges: [Range<Int>] = []
            skipSpace()
            if peek == UInt8(ascii: "]") {
                at += 1
                return ranges
            }
            while true {
                ranges.append(try value())
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    at += 1
                    continue
                }
                try expect("]")
                return ranges
            }
        }
    }

    /// The strings of one item (or of the feed) as the limits let them be read: each field cut
    /// at its limit and the item's text at its own, values past an item's limit dropped.
    private struct Text {
        var budget: FeedBudget
        /// Item text read so far; nil outside an item.
        var itemBytes: Int?
        /// Values (categories, authors, attachments) taken so far.
        var values = 0

        init(budget: FeedBudget, item: Bool) {
            self.budget = budget
            self.itemBytes = item ? 0 : nil
        }

        /// The value as a trimmed string, cut to the room left; nil when not a string or blank.
        mutating func string(_ value: Any?) -> String? {
            guard var text = value as? String else { return nil }
            let room = budget.room(fieldBytes: 0, itemBytes: itemBytes)
            if text.utf8.count > room {
                text = text.withUTF8 { bytes in
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[..<budget.kept(bytes, room: room)]), as: UTF8.self)
                }
            }
            itemBytes? += text.utf8.count
            let trimmed = TextTools.trimmed(text)
            return trimmed.isEmpty ? nil : trimmed
        }

        /// The elements of an array value that the item's value limit leaves room for.
        mutating func values(_ value: Any?) -> [Any] {
            var taken: [Any] = []
            for element in value as? [Any] ?? [] {
                guard budget.admitsValue(holding: values) else { continue }
                values += 1
                taken.append(element)
            }
            return taken
        }
    }

    private static func item(_ object: [String: Any], documentURL: String?, feedAuthors: [String], text: inout Text) -> Item {
        let external = text.string(object["external_url"]).map { URLResolver.resolve($0, against: documentURL) }
        let link = text.string(object["url"]).map { URLResolver.resolve($0, against: documentURL) } ?? external
        // Titles and summaries are plain text in JSON Feed: nothing to reduce but white space.
        let title = text.string(object["title"]).map(TextTools.singleLine) ?? ""
        let summary = text.string(object["summary"]).map(TextTools.paragraphs).flatMap { $0.isEmpty ? nil : $0 }
        var content: String?
        if let html = text.string(object["content_html"]) { content = TextTools.htmlToText(html) }
        if content?.isEmpty ?? true, let plain = text.string(object["content_text"]) { content = TextTools.paragraphs(plain) }
        if content?.isEmpty == true { content = nil }
        let published = text.string(object["date_published"]).flatMap(DateParsing.parse)
        let updated = text.string(object["date_modified"]).flatMap(DateParsing.parse)
        let ownAuthors = authors(object, text: &text)
        var categories: [String] = []
        for tag in text.values(object["tags"]).compactMap({ text.string($0) }).map(TextTools.singleLine) where !tag.isEmpty && !categories.contains(tag) {
            categories.append(tag)
        }
        var fields: [String: String] = [:]
        if let external { fields["external_url"] = external }
        let urls = text.values(object["attachments"]).compactMap { ($0 as? [String: Any]).flatMap { text.string($0["url"]) } }
        if !urls.isEmpty { fields["enclosure"] = urls.map { URLResolver.resolve($0, against: documentURL) }.joined(separator: "\n") }
        if let image = text.string(object["image"]) { fields["image"] = URLResolver.resolve(image, against: documentURL) }
        if let language = text.string(object["language"]) { fields["language"] = language }
        let id = identifier(object["id"], text: &text) ?? link ?? TextTools.contentHash([
            title, (published ?? updated).map(ISO8601.string) ?? "", summary ?? "", content ?? "",
        ])
        return Item(
            id: id, title: title, link: link, published: published ?? updated, updated: updated, summary: summary,
            content: content, authors: ownAuthors.isEmpty ? feedAuthors : ownAuthors, categories: categories, fields: fields
        )
    }

    /// 1.1 `authors` (an array), else 1.0 `author` (an object): names, or URLs for nameless ones.
    private static func authors(_ object: [String: Any], text: inout Text) -> [String] {
        var people = text.values(object["authors"]).compactMap { $0 as? [String: Any] }
        if people.isEmpty, let single = object["author"] as? [String: Any] { people = [single] }
        var names: [String] = []
        for person in people {
            guard let name = (text.string(person["name"]) ?? text.string(person["url"])).map(TextTools.singleLine), !name.isEmpty else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The spec wants a string id; numbers are common and taken as written.
    private static func identifier(_ value: Any?, text: inout Text) -> String? {
        if let id = text.string(value) { return id }
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
