import Foundation
import PharosCore

/// Text decoding that refuses binary files.
enum DocumentText {
    /// UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252; nil for binary content.
    static func decode(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return String(data: data, encoding: .utf16)
        }
        let sample = bytes.prefix(8192)
        if sample.contains(0) { return nil }
        let controls = sample.filter { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C }.count
        if controls * 100 > max(sample.count, 1) { return nil }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.contains(0x0D) {
            // CRLF and lone CR line ends become LF, on the bytes: Foundation's string replacing is slow.
            var unified: [UInt8] = []
            unified.reserveCapacity(body.count)
            var index = body.startIndex
            while index < body.endIndex {
                let byte = body[index]
                if byte == 0x0D {
                    unified.append(0x0A)
                    if index + 1 < body.endIndex, body[index + 1] == 0x0A { index += 1 }
                } else {
                    unified.append(byte)
                }
                index += 1
            }
            body = unified[...]
        }
        return String(validating: body, as: UTF8.self) ?? String(data: Data(body), encoding: .windowsCP1252)
    }
}

/// The fields a document yields before it becomes an ``Item``.
struct ParsedDocument {
    var title: String?
    var link: String?
    var published: Date?
    var updated: Date?
    var summary: String?
    var content: String?
    var authors: [String] = []
    var categories: [String] = []
    var fields: [String: String] = [:]

    /// Plain text, with optional YAML front matter; the title is the first non-empty line.
    init(text: String) {
        var body = Substring(text)
        if let frontMatter = FrontMatter(text) {
            body = frontMatter.body
            apply(fields: frontMatter.fields, lists: frontMatter.lists)
        }
        // The headline is the title; keeping it in the content too would double every match in it.
        if title == nil, let firstLine = body.utf8.split(separator: 0x0A, maxSplits: 32).first(where: {
            !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 }
        }) {
            title = String(decoding: firstLine, as: UTF8.self).trimming(" \t")
            body = body[firstLine.endIndex...]
        }
        content = String(body).trimming("\n ")
    }

    /// Markdown, with optional YAML front matter: the title is the first heading or line, and
    /// heading markers are dropped from the content.
    init(markdown text: String) {
        var body = Substring(text)
        if let frontMatter = FrontMatter(text) {
            body = frontMatter.body
            apply(fields: frontMatter.fields, lists: frontMatter.lists)
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        var bodyLines = lines[...]
        if title == nil, let first = lines.firstIndex(where: { !$0.trimming(" \t").isEmpty }) {
            title = lines[first].trimming(" \t").drop { $0 == "#" }.trimming(" \t")
            bodyLines = lines[(first + 1)...]
        }
        // Markdown heading markers are syntax, not text the matcher should see.
        content = bodyLines.map { line -> String in
            let trimmed = line.trimming(" \t")
            return trimmed.hasPrefix("#") ? trimmed.drop { $0 == "#" }.trimming(" \t") : String(line)
        }.joined(separator: "\n").trimming("\n ")
    }

    /// An HTML page: title from front matter, `<title>` or the first `<h1>`; canonical link and
    /// publication time from the usual meta tags; content reduced to text.
    init(html: String) {
        var source = html
        if let frontMatter = FrontMatter(html) {
            source = String(frontMatter.body)
            apply(fields: frontMatter.fields, lists: frontMatter.lists)
        }
        if title == nil {
            title = HTMLText.firstElementText("h1", in: source) ?? HTMLText.firstElementText("title", in: source)
        }
        if link == nil { link = Self.attribute("href", ofTagContaining: "rel=\"canonical\"", in: source) }
        if published == nil,
           let text = Self.attribute("content", ofTagContaining: "article:published_time", in: source)
            ?? Self.attribute("content", ofTagContaining: "name=\"date\"", in: source) {
            published = DateParsing.parse(text)
        }
        if summary == nil {
            summary = Self.attribute("content", ofTagContaining: "name=\"description\"", in: source).map(HTMLText.decodeEntities)
        }
        content = HTMLText.plainText(from: source)
    }

    /// A JSON object with the usual item fields (`title`, `url`/`link`, `date_published`/`date`,
    /// `summary`, `content_text`/`content_html`/`content`, `authors`, `tags`/`categories`).
    init(json data: Data) throws(JSONProblem) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw JSONProblem(description: "not JSON")
        }
        guard let dictionary = object as? [String: Any] else { throw JSONProblem(description: "the top level must be an object") }
        func string(_ keys: String...) -> String? {
            for key in keys { if let value = dictionary[key] as? String, !value.isEmpty { return value } }
            return nil
        }
        func strings(_ keys: String...) -> [String] {
            for key in keys {
                if let list = dictionary[key] as? [String] { return list }
                if let list = dictionary[key] as? [[String: Any]] { return list.compactMap { $0["name"] as? String } }
                if let single = dictionary[key] as? String { return [single] }
            }
            return []
        }
        title = string("title")
        link = string("url", "link", "external_url")
        published = string("date_published", "published", "date").flatMap(DateParsing.parse)
        updated = string("date_modified", "updated").flatMap(DateParsing.parse)
        summary = string("summary", "description")
        if let text = string("content_text", "content", "body", "text") {
            content = text
        } else if let html = string("content_html", "html") {
            content = HTMLText.plainText(from: html)
        }
        authors = strings("authors", "author")
        categories = strings("tags", "categories")
        guard title != nil || content != nil || summary != nil else {
            throw JSONProblem(description: "it has no title, summary or content")
        }
    }

    private mutating func apply(fields: [String: String], lists: [String: [String]]) {
        title = fields["title"]
        link = fields["link"] ?? fields["url"]
        published = (fields["date"] ?? fields["published"]).flatMap(DateParsing.parse)
        updated = fields["updated"].flatMap(DateParsing.parse)
        summary = fields["summary"] ?? fields["description"]
        authors = lists["authors"] ?? (fields["author"] ?? fields["authors"]).map { [$0] } ?? []
        categories = lists["categories"] ?? lists["tags"] ?? []
        self.fields = fields
    }

    private static func attribute(_ name: String, ofTagContaining marker: String, in html: String) -> String? {
        let lower = html.lowercased()
        guard let markerRange = lower.range(of: marker),
              let tagStart = lower[..<markerRange.lowerBound].lastIndex(of: "<"),
              let tagEnd = lower[markerRange.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = html[tagStart..<tagEnd]
        let lowerTag = lower[tagStart..<tagEnd]
        guard let attribute = lowerTag.range(of: "\(name)=\"") else { return nil }
        let valueStart = attribute.upperBound
        guard let valueEnd = tag[valueStart...].firstIndex(of: "\"") else { return nil }
        return String(tag[valueStart..<valueEnd])
    }
}

struct JSONProblem: Error, CustomStringConvertible {
    var description: String
}
