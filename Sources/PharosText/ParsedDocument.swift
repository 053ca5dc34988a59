import Foundation
import PharosCore

/// Text decoding that refuses binary files.
enum DocumentText {
    /// UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252; nil for binary content.
    static func decode(_ data: Data) -> String? {
        data.withUnsafeBytes { raw in decode(raw.bindMemory(to: UInt8.self), data: data) }
    }

    /// Works on the bytes in place: a corpus of small files pays for every copy of them.
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, data: Data) -> String? {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return String(data: data, encoding: .utf16)
        }
        guard let hasCarriageReturn = checkSample(bytes) else { return nil }
        let bodyStart = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        let body = UnsafeBufferPointer(rebasing: bytes[bodyStart...])
        if hasCarriageReturn || (bytes.count > 8192 && body.contains(0x0D)) {
            // CRLF and lone CR line ends become LF, on the bytes: Foundation's string replacing is slow.
            var unified: [UInt8] = []
            unified.reserveCapacity(body.count)
            var index = 0
            while index < body.count {
                let byte = body[index]
                if byte == 0x0D {
                    unified.append(0x0A)
                    if index + 1 < body.count, body[index + 1] == 0x0A { index += 1 }
                } else {
                    unified.append(byte)
                }
                index += 1
            }
            return String(validating: unified, as: UTF8.self) ?? String(data: Data(unified), encoding: .windowsCP1252)
        }
        return String(validating: body, as: UTF8.self) ?? String(data: Data(body), encoding: .windowsCP1252)
    }

    /// Reads the first 8 KB for signs of a binary file: nil when it has a NUL byte or more
    /// than 1% control characters, else whether it has a carriage return.
    static func checkSample(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var controls = 0
        var hasCarriageReturn = false
        let sampleCount = min(bytes.count, 8192)
        var index = 0
        while index < sampleCount {
            // Eight bytes at a time skip text with no byte below 0x20 (most of it: only line ends are).
            if index + 8 <= sampleCount {
                let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
                if (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            index += 1
            guard byte < 0x20 else { continue }
            if byte == 0 { return nil }
            if byte == 0x0D { hasCarriageReturn = true }
            if byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C { controls += 1 }
        }
        if controls * 100 > max(sampleCount, 1) { return nil }
        return hasCarriageReturn
    }

    /// The title and content of a plain-text file as `DocumentText.decode` and
    /// `ParsedDocument(text:)` make them, read straight from the bytes without building the
    /// whole text as a string; nil for anything out of the ordinary (a byte-order mark, UTF-16,
    /// carriage returns, front matter, invalid UTF-8, a binary or blank file, the edge cases
    /// `ParsedDocument.headline(in:)` declines), which the general code then handles.
    static func plainText(_ bytes: UnsafeBufferPointer<UInt8>) -> (title: String, content: String)? {
        guard bytes.count >= 3, checkSample(bytes) == false else { return nil }
        if bytes[0] == 0xFF || bytes[0] == 0xFE || bytes[0] == 0xEF { return nil }
        if bytes[0] == 0x2D, bytes[1] == 0x2D, bytes[2] == 0x2D { return nil }
        if bytes.count > 8192, UnsafeBufferPointer(rebasing: bytes[8192...]).contains(0x0D) { return nil }
        guard let (title, content) = ParsedDocument.headline(in: bytes), bytes[title.lowerBound] > 0x20 else { return nil }
        // Outside the two ranges there is only ASCII white space, so the text is valid when they are.
        guard let titleText = String(validating: UnsafeBufferPointer(rebasing: bytes[title]), as: UTF8.self),
              let contentText = String(validating: UnsafeBufferPointer(rebasing: bytes[content]), as: UTF8.self) else { return nil }
        return (titleText, contentText)
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
        if title == nil, let (title, content) = Self.splitHeadline(body) {
            self.title = title
            self.content = content
            return
        }
        if title == nil, let firstLine = body.utf8.split(separator: 0x0A, maxSplits: 32).first(where: {
            !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 }
        }) {
            title = String(decoding: firstLine, as: UTF8.self).trimming(" \t")
            body = body[firstLine.endIndex...]
        }
        content = String(body).trimming("\n ")
    }

    /// The first non-blank line (trimmed of spaces and tabs) and the rest (trimmed of newlines
    /// and spaces), read on the bytes: what `init(text:)` computes with `split` and character
    /// trimming, without walking the whole text through them.
    private static func splitHeadline(_ body: Substring) -> (title: String, content: String)? {
        var copy = body
        guard let (title, content) = copy.withUTF8({ headline(in: $0) }) else { return nil }
        // The offsets are all at character boundaries of text already valid: copied, not decoded again.
        let utf8 = body.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        return (String(body[index(title.lowerBound)..<index(title.upperBound)]),
                String(body[index(content.lowerBound)..<index(content.upperBound)]))
    }

    /// Where `splitHeadline` finds the title and the content in UTF-8 `bytes`. Nil where a
    /// character next to a trimmed edge is not ASCII (a combining mark joins the space before it
    /// into one character, which character trimming keeps), where a final line break is
    /// "\r\n", or when the title would be after the 32nd non-empty line: the general code
    /// decides those. Everything outside the two ranges is ASCII white space.
    static func headline(in bytes: UnsafeBufferPointer<UInt8>) -> (title: Range<Int>, content: Range<Int>)? {
        let count = bytes.count
        var lineStart = 0
        var blankLines = 0
        while lineStart < count {
            var lineEnd = lineStart
            var firstText = -1
            while lineEnd < count, bytes[lineEnd] != 0x0A {
                if firstText < 0, bytes[lineEnd] != 0x20, bytes[lineEnd] != 0x09 { firstText = lineEnd }
                lineEnd += 1
            }
            if firstText < 0 {
                if lineEnd > lineStart {
                    blankLines += 1
                    if blankLines >= 32 { return nil }
                }
                lineStart = lineEnd + 1
                continue
            }
            var titleEnd = lineEnd
            while titleEnd > firstText, bytes[titleEnd - 1] == 0x20 || bytes[titleEnd - 1] == 0x09 { titleEnd -= 1 }
            guard bytes[firstText] < 0x80 else { return nil }
            var contentStart = lineEnd
            while contentStart < count, bytes[contentStart] == 0x0A || bytes[contentStart] == 0x20 { contentStart += 1 }
            var contentEnd = count
            while contentEnd > contentStart, bytes[contentEnd - 1] == 0x0A || bytes[contentEnd - 1] == 0x20 { contentEnd -= 1 }
            if contentStart < contentEnd, bytes[contentStart] >= 0x80 { return nil }
            // "\r\n" is one character: character trimming keeps a final one whole.
            if contentEnd < count, contentEnd > contentStart, bytes[contentEnd - 1] == 0x0D { return nil }
            return (firstText..<titleEnd, contentStart..<contentEnd)
        }
        return nil
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
