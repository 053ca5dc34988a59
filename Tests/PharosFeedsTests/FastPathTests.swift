import Foundation
@testable import PharosCore
@testable import PharosFeeds
import PharosText
import TestSupport
import Testing

/// The byte-level fast paths agree with the general code they stand in for.
@Suite struct FastPathTests {
    @Test func rfc822DatesAsDateParsingReadsThem() {
        let weekdays = ["", "Mon, ", "sun, ", "TUE, ", "Mon ", "Monday, ", "Mar, ", "Xyz, "]
        let days = ["1", "01", "23", "29", "30", "31", "0", "123", " 5"]
        let months = ["Jan", "feb", "FEB", "Nov", "Sept", "Mai", "xyz", "June"]
        let years = ["2026", "2024", "1900", "2000", "0000", "0999", "26", "99"]
        let clocks = ["06:19:44", "6:19:44", "06:19", "23:59:59", "24:00:00", "24:00", "23:59:60", "12:60:00", "06:19:44.5", "25:00:00"]
        let zones = ["EST", "edt", "GMT", "UT", "UTC", "Z", "PDT", "CEST", "+0000", "-0500", "+0530", "+1500", "-0099", "+05:00", "", "EST ", "GMT+1", "(EST)"]
        var generator = SeededGenerator(state: 7)
        func pick(_ values: [String]) -> String { values[Int(generator.next() % UInt64(values.count))] }
        var fast = 0
        for _ in 0..<40_000 {
            let text = pick(["", " "]) + pick(weekdays) + pick(days) + " " + pick(months) + " " + pick(years) + " " + pick(clocks) + " " + pick(zones)
            let bytes = Array(text.utf8)
            let expected = DateParsing.parse(text)
            if let date = bytes.withUnsafeBufferPointer(FeedDates.rfc822) {
                fast += 1
                #expect(date == expected, "\(text)")
            }
            #expect(FeedDates.parse(bytes) == expected, "\(text)")
        }
        #expect(fast > 300)
    }

    @Test func iso8601AsFoundationWritesIt() {
        var generator = SeededGenerator(state: 11)
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 951_782_400),
                     Date(timeIntervalSince1970: -2_208_988_800), Date(timeIntervalSince1970: 253_402_300_799)]
        for _ in 0..<20_000 {
            let seconds = Int64(bitPattern: generator.next() % 255_611_289_600) - 2_208_988_800
            dates.append(Date(timeIntervalSince1970: Double(seconds)))
        }
        // Fractional seconds and dates before the hand-written range as well.
        dates += [Date(timeIntervalSince1970: 0.5), Date(timeIntervalSince1970: -2_208_988_801), Date(timeIntervalSince1970: -12_300_000_000)]
        for date in dates {
            // What feeds' JSON gets, appended after other bytes.
            var bytes: [UInt8] = Array("x".utf8)
            ISO8601.append(date, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + date.formatted(.iso8601))
        }
    }

    @Test func jsonAsJSONWriterWritesIt() {
        let texts = ["", "plain", "quote \" back \\ slash", "line\nbreak\r\t", "\u{01}\u{1F}\u{7F}", "\u{2028}\u{2029}\u{2027}—",
                     "é α 😀", "\u{E2}", "x\u{2028}y"]
        var generator = SeededGenerator(state: 3)
        func text() -> String { (0..<3).map { _ in texts[Int(generator.next() % UInt64(texts.count))] }.joined() }
        var items: [Item] = []
        for index in 0..<500 {
            items.append(Item(
                id: text(), title: text(), link: index % 3 == 0 ? nil : text(),
                published: index % 4 == 0 ? nil : Date(timeIntervalSince1970: Double(index) * 86_399.5),
                updated: index % 5 == 0 ? Date(timeIntervalSince1970: Double(index) * 1_000) : nil,
                summary: index % 2 == 0 ? nil : text(), content: index % 7 == 0 ? text() : nil,
                authors: (0..<(index % 3)).map { _ in text() }, categories: (0..<(index % 4)).map { _ in text() }
            ))
        }
        func feedTitle(_ split: Int) -> String? { split == 500 ? nil : "Feed \(split) \u{2028}" }
        for split in [0, 1, 250, 500] {
            let feed = ParsedFeed(title: feedTitle(split), link: split == 1 ? nil : "https://x/\"", wellFormed: split != 250,
                                  warnings: split == 0 ? [] : ["w\n1", "w2"], items: Array(items[..<split]))
            var writer = FeedJSONWriter()
            for item in items[split...] { writer.append(item) }
            var written: [UInt8] = []
            writer.write(feed) { written.append(contentsOf: $0) }
            var whole = feed
            whole.items = items
            #expect(String(decoding: written, as: UTF8.self) == JSONWriter.encode(whole.jsonValue))
        }
    }

    @Test func schemesAsTheCharacterVersionReadThem() {
        func reference(_ text: String) -> Bool {
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
            let scheme = text[..<colon]
            guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
            return scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == ".") }
        }
        for text in ["https://x", "HTTP:x", "a+b-c.d:x", "1http:x", ":x", "x", "mailto:a@b", "ht tp:x", "héllo:x", "urn:é", "a:\u{301}b:", "tag:x,2004:1", "[x]:y", "@a:b"] {
            #expect(URLResolver.hasScheme(text) == reference(text), "\(text)")
        }
    }

    @Test func textToolsAsTheStringVersionsDidIt() {
        let fragments = [
            " ", "  ", "\t", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}",
            "\u{200B}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{180E}", "\u{FEFF}", "a", "é", "😀",
            "<p>", "</p>", "<pre>", "</PRE>", "<code>", "<textarea>", "<scripts>", "&amp;", "&lt;", "&lt;p", "&lt;/", "&lt;!",
            "&gt;", "&quot;", "&apos;", "&eacute;", "&amp;eacute;", "&amp;lt;", "&amp;#38;", "&amp;bogus;", "&#38;", "&nbsp;",
            "&bogus;", "&", ";", "x", "<br/>", "&amp;amp;",
        ]
        var generator = SeededGenerator(state: 5)
        for _ in 0..<20_000 {
            let text = generator.text(from: fragments, fewerThan: 12)
            #expect(TextTools.singleLine(text) == Reference.singleLine(text), "\(text.debugDescription)")
            var inPlace = Array(text.utf8)
            TextTools.singleLine(inPlace: &inPlace)
            #expect(String(decoding: inPlace, as: UTF8.self) == Reference.singleLine(text), "\(text.debugDescription)")
            #expect(TextTools.trimmed(text) == Reference.trimmed(text), "\(text.debugDescription)")
            #expect(TextTools.paragraphs(text) == Reference.paragraphs(text), "\(text.debugDescription)")
            #expect(TextTools.htmlToText(text) == Reference.htmlToText(text), "\(text.debugDescription)")
        }
    }

    /// Compared as bytes: `String`'s `==` would let a difference in composition through.
    @Test func attributeEscapingAndMessageTrimmingAsFoundationDidThem() {
        let fragments = [
            "&", "\"", "<", ">", "a", ";", "amp", " ", "\t", "\n", "\r\n", "\u{0}", "\u{85}", "\u{A0}", "\u{200B}", "\u{2028}",
            "\u{3000}", "\u{FEFF}", "\u{301}", "e\u{301}", "é", "\u{200D}", "\u{FE0F}", "\u{903}", "\u{897}", "한",
            "\u{1100}\u{1161}", "😀", "👍🏽", "\u{1F1E9}\u{1F1EA}", "\u{600}", "\u{FFFD}",
        ]
        var generator = SeededGenerator(state: 13)
        for _ in 0..<20_000 {
            let text = generator.text(from: fragments, fewerThan: 9)
            let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;")
            #expect(Array(FeedBuilder.escapedAttributeValue(text).utf8) == Array(escaped.utf8), "\(text.debugDescription)")
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Array(SAXSession.trimmed(text).utf8) == Array(trimmed.utf8), "\(text.debugDescription)")
        }
    }
}

/// The String-based text functions `TextTools` had before it worked on bytes.
private enum Reference {
    static func singleLine(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.unicodeScalars.append(" ") }
                pendingSpace = false
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    static func paragraphs(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let folded = singleLine(String(line))
            if folded.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(folded)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    static func htmlToText(_ html: String) -> String {
        let bytes = Array(html.utf8)
        // Most titles and many summaries hold neither tags nor references: HTML then only folds
        // white space, which is much cheaper done here.
        guard bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: "&")) else {
            return foldHTMLWhitespace(bytes)
        }
        return HTMLText.plainText(from: prepareHTML(bytes))
    }

    static func foldHTMLWhitespace(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSpace = false
        for byte in bytes {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let codeElements: Set<String> = ["pre", "code", "xmp", "textarea", "script", "style", "kbd", "samp"]
    private static let markupEntities: Set<String> = ["lt", "gt", "amp", "quot", "apos"]


    static func prepareHTML(_ input: [UInt8]) -> String {
        guard input.contains(UInt8(ascii: "&")) else { return String(decoding: input, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var codeDepth = 0
        var insideEscapedTag = false
        var index = 0
        let count = input.count
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        /// The name of a reference `&name;` starting at `start` (the `&`), and the index of its `;`.
        func reference(at start: Int) -> (name: String, end: Int)? {
            var cursor = start + 1
            if cursor < count, input[cursor] == UInt8(ascii: "#") { cursor += 1 }
            let nameStart = cursor
            while cursor < count, cursor - nameStart < 32, isLetter(input[cursor]) || isDigit(input[cursor]) { cursor += 1 }
            guard cursor > nameStart, cursor < count, input[cursor] == UInt8(ascii: ";") else { return nil }
            return (String(decoding: input[(start + 1)..<cursor], as: UTF8.self), cursor)
        }
        while index < count {
            let byte = input[index]
            if byte == UInt8(ascii: "<") {
                // A real tag: note code elements.
                var cursor = index + 1
                let closing = cursor < count && input[cursor] == UInt8(ascii: "/")
                if closing { cursor += 1 }
                let nameStart = cursor
                while cursor < count, cursor - nameStart < 10, isLetter(input[cursor]) { cursor += 1 }
                if cursor > nameStart, codeElements.contains(String(decoding: input[nameStart..<cursor], as: UTF8.self).lowercased()) {
                    codeDepth = max(0, codeDepth + (closing ? -1 : 1))
                }
                insideEscapedTag = false
                output.append(byte)
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "&"), let (name, end) = reference(at: index) else {
                output.append(byte)
                index += 1
                continue
            }
            if codeDepth == 0 {
                if name == "lt", end + 1 < count, isLetter(input[end + 1]) || input[end + 1] == UInt8(ascii: "/") || input[end + 1] == UInt8(ascii: "!") {
                    output.append(UInt8(ascii: "<"))
                    insideEscapedTag = true
                    index = end + 1
                    continue
                }
                if insideEscapedTag && (name == "gt" || name == "quot") {
                    output.append(name == "gt" ? UInt8(ascii: ">") : UInt8(ascii: "\""))
                    if name == "gt" { insideEscapedTag = false }
                    index = end + 1
                    continue
                }
                if name == "amp", let (inner, innerEnd) = reference(at: end),
                   inner.hasPrefix("#") || HTMLEntities.scalars[inner] != nil {
                    // `&amp;eacute;`: an entity escaped twice; read it as `&eacute;`.
                    if let value = HTMLEntities.scalars[inner], !markupEntities.contains(inner) {
                        HTMLText.appendUTF8(value, to: &output)
                    } else {
                        output.append(contentsOf: input[end...innerEnd])
                        output[output.count - (innerEnd - end + 1)] = UInt8(ascii: "&")
                    }
                    index = innerEnd + 1
                    continue
                }
            }
            if !markupEntities.contains(name), let value = HTMLEntities.scalars[name] {
                HTMLText.appendUTF8(value, to: &output)
            } else {
                output.append(contentsOf: input[index...end])
            }
            index = end + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

}

extension SeededGenerator {
    /// Fewer than `limit` of `fragments`, picked at random, joined.
    mutating func text(from fragments: [String], fewerThan limit: UInt64) -> String {
        var text = ""
        for _ in 0..<Int(next() % limit) { text += fragments[Int(next() % UInt64(fragments.count))] }
        return text
    }
}
