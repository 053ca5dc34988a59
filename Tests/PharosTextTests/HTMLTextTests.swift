import Foundation
@testable import PharosCore
import PharosText
import TestSupport
import Testing

@Suite struct HTMLTextTests {
    @Test func sharedEntityTableWithPlainTextReadings() {
        #expect(HTMLText.plainText(from: "&Eacute;lan &bdquo;x&ldquo; &hearts;") == "Élan „x“ ♥")
        #expect(HTMLText.plainText(from: "a&nbsp;b&shy;c&zwj;d&thinsp;e") == "a bcd e")
        #expect(HTMLText.decodeEntities("&amp;&#8212;&#x2122;&eacute;&bogus;") == "&—™é&bogus;")
    }

    @Test func blocksParagraphsAndSkippedElements() {
        #expect(HTMLText.plainText(from: "<P>One</P><Script>x</SCRIPT><div>Two<br/>Three</div><h2>Four</h2>") == "One\n\nTwo\nThree\n\nFour")
        #expect(HTMLText.plainText(from: "<p>a<![CDATA[ <b>  c ]]></p><!-- gone -->d") == "a <b>  c\n\nd")
    }

    /// The byte-level reducer against the scalar-based one it replaced, on random fragments.
    @Test func sameAsScalarImplementation() {
        let fragments = [
            "<p>", "</p>", "<P class=\"a>b\">", "<br/>", "<br>", "<script>", "</script>", "<SCRIPT>", "</Script >",
            "<style/>", "<style>", "</style>", "<!--", "-->", "<![CDATA[", "]]>", "<blockquote>", "</blockquote>",
            "<figcaption>", "<h1>", "</H6>", "<td>", "<li>", "<em>", "</em>", "<a href='x>y'>", "</a>", "<é>", "<\u{212A}bd>",
            "<bloc\u{212A}quote>", "<!DOCTYPE html>", "<?xml x?>", "<", ">", "</", "<1", "&amp;", "&lt;", "&gt;", "&quot;",
            "&apos;", "&#8212;", "&#x2122;", "&#X41;", "&#0;", "&#xD800;", "&#99999999999;", "&#;", "&#x;", "&nbsp;", "&shy;",
            "&eacute;", "&Eacute;", "&unknown;", "&le;", "&sup2;", "&", ";", "#", "x", "&#", "&é;", "&a\u{301};", " ", "  ",
            "\n", "\n\n", "\t", "\r", "\u{0C}", "é", "α", "\u{2028}", "\u{A0}", "a", "b", "1", "text ", " more",
            "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "\"", "'", "<svg><p>x</p></svg>",
            "<head><title>T</title></head>", "<noscript>n</noscript>", "<template>", "</template>",
        ]
        var generator = SeededGenerator(state: 20261123)
        for _ in 0..<20_000 {
            var html = ""
            for _ in 0..<Int(generator.next() % 14) { html += fragments[Int(generator.next() % UInt64(fragments.count))] }
            let expected = ScalarHTMLText.plainText(from: html)
            let actual = HTMLText.plainText(from: html)
            #expect(actual == expected, "\(html.debugDescription)")
            if actual != expected { return }
            #expect(HTMLText.decodeEntities(html) == ScalarHTMLText.decodeEntities(html), "\(html.debugDescription)")
        }
    }
}

/// The scalar-based `HTMLText` this module had before, kept as the reference the byte-level one
/// must agree with (its entity table now the shared one, with the same plain-text readings).
private enum ScalarHTMLText {
    private static let blockTags: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
        "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "dl",
        "figure", "figcaption", "aside", "main", "nav", "address", "title", "form", "td", "th",
    ]
    private static let paragraphTags: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr",
        "section", "article", "header", "footer", "figure", "dl",
    ]
    private static let skippedTags: Set<String> = ["script", "style", "noscript", "template", "svg", "head"]

    /// Plain text of an HTML document or fragment.
    static func plainText(from html: String) -> String {
        let scalars = Array(html.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var skipping: String?
        func newline(_ count: Int) {
            var trailing = 0
            var cursor = output.endIndex
            while cursor > output.startIndex {
                let previous = output.index(before: cursor)
                if output[previous] == "\n" { trailing += 1 } else if output[previous] != " " { break }
                cursor = previous
            }
            if output.isEmpty { return }
            output.removeSubrange(cursor..<output.endIndex)
            output.append(contentsOf: String(repeating: "\n", count: max(count, min(trailing, 2))).unicodeScalars)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" {
                if hasPrefix(scalars, at: index, "<!--") {
                    index = find(scalars, "-->", from: index + 4).map { $0 + 3 } ?? scalars.count
                    continue
                }
                if hasPrefix(scalars, at: index, "<![CDATA[") {
                    let end = find(scalars, "]]>", from: index + 9) ?? scalars.count
                    if skipping == nil { output.append(contentsOf: scalars[(index + 9)..<end]) }
                    index = min(end + 3, scalars.count)
                    continue
                }
                guard let close = tagEnd(scalars, from: index + 1) else {
                    if skipping == nil { output.append(scalar) }
                    index += 1
                    continue
                }
                let (name, isClosing) = tagName(scalars, from: index + 1, to: close)
                index = close + 1
                if let skipped = skipping {
                    if isClosing && name == skipped { skipping = nil }
                    continue
                }
                if !isClosing && skippedTags.contains(name) && !(scalars[close - 1] == "/") {
                    skipping = name
                    continue
                }
                if blockTags.contains(name) {
                    newline(paragraphTags.contains(name) ? 2 : 1)
                }
                continue
            }
            if skipping != nil {
                index += 1
                continue
            }
            if scalar == "&", let (decoded, length) = decodeEntity(scalars, at: index) {
                output.append(contentsOf: decoded.unicodeScalars)
                index += length
                continue
            }
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                if let last = output.last, last != " " && last != "\n" { output.append(" ") }
            } else {
                output.append(scalar)
            }
            index += 1
        }
        return tidyLines(String(output))
    }

    /// Each line trimmed of spaces and tabs, runs of blank lines folded to one, no blank
    /// lines at either end; on UTF-8 bytes, because character-wise splitting is slow.
    static func tidyLines(_ text: String) -> String {
        var result: [UInt8] = []
        var pendingBlank = false
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var start = line.startIndex
            var end = line.endIndex
            while start < end, line[start] == 0x20 || line[start] == 0x09 { start = line.index(after: start) }
            while end > start, line[line.index(before: end)] == 0x20 || line[line.index(before: end)] == 0x09 {
                end = line.index(before: end)
            }
            if start == end {
                pendingBlank = !result.isEmpty
                continue
            }
            if !result.isEmpty { result.append(0x0A) }
            if pendingBlank { result.append(0x0A) }
            pendingBlank = false
            result.append(contentsOf: line[start..<end])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The text of the first `<tag>` element, reduced to plain text, or nil.
    static func firstElementText(_ tag: String, in html: String) -> String? {
        let lower = html.lowercased()
        guard let open = lower.range(of: "<\(tag)"),
              let openEnd = lower[open.upperBound...].firstIndex(of: ">"),
              let close = lower[openEnd...].range(of: "</\(tag)>") else { return nil }
        let inner = html[html.index(after: openEnd)..<close.lowerBound]
        let text = plainText(from: String(inner)).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? nil : text
    }

    /// Decodes character references (`&amp;`, `&#8212;`, `&#x2013;`) in text.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "&", let (decoded, length) = decodeEntity(scalars, at: index) {
                output.append(contentsOf: decoded.unicodeScalars)
                index += length
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }

    private static let overrides: [String: String] = [
        "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "zwj": "", "zwnj": "", "shy": "",
    ]

    private static func named(_ name: String) -> String? {
        if let text = overrides[name] { return text }
        return HTMLEntities.character(name)
    }

    private static func decodeEntity(_ scalars: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        var end = start + 1
        while end < scalars.count, end - start <= 32, scalars[end] != ";" {
            let value = scalars[end]
            guard value.properties.isAlphabetic || ("0"..."9").contains(value) || value == "#" else { return nil }
            end += 1
        }
        guard end < scalars.count, scalars[end] == ";" else { return nil }
        let name = String(String.UnicodeScalarView(scalars[(start + 1)..<end]))
        let length = end - start + 1
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            guard let code = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
            return (String(scalar), length)
        }
        if name.hasPrefix("#") {
            guard let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) else { return nil }
            return (String(scalar), length)
        }
        guard let decoded = named(name) else { return nil }
        return (decoded, length)
    }

    private static func hasPrefix(_ scalars: [Unicode.Scalar], at index: Int, _ prefix: String) -> Bool {
        var cursor = index
        for expected in prefix.unicodeScalars {
            guard cursor < scalars.count, scalars[cursor] == expected else { return false }
            cursor += 1
        }
        return true
    }

    private static func find(_ scalars: [Unicode.Scalar], _ needle: String, from start: Int) -> Int? {
        var index = start
        while index < scalars.count {
            if hasPrefix(scalars, at: index, needle) { return index }
            index += 1
        }
        return nil
    }

    /// The index of the `>` closing a tag that starts after `<`, honouring quoted attributes.
    private static func tagEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start < scalars.count else { return nil }
        let first = scalars[start]
        guard first.properties.isAlphabetic || first == "/" || first == "!" || first == "?" else { return nil }
        var quote: Unicode.Scalar?
        var index = start
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func tagName(_ scalars: [Unicode.Scalar], from start: Int, to end: Int) -> (String, Bool) {
        var index = start
        let closing = scalars[index] == "/"
        if closing { index += 1 }
        var name = ""
        while index < end, scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]) {
            name.unicodeScalars.append(scalars[index])
            index += 1
        }
        return (name.lowercased(), closing)
    }
}

@Suite struct HTMLToText {
    @Test func dropsScriptsStylesAndHeadKeepsParagraphs() {
        let html = """
            <!doctype html><html><head><title>T</title><style>p { color: red }</style></head>
            <body><script>var rmat = 1;</script><h1>FDA grants RMAT</h1>
            <p>First&nbsp;paragraph &amp; more &#8212; text&#x2122;.</p><p>Second<br>line</p><!-- hidden BCMA --></body></html>
            """
        #expect(HTMLText.plainText(from: html) == "FDA grants RMAT\n\nFirst paragraph & more — text™.\n\nSecond\nline")
    }

    @Test func unknownEntitiesAndStrayBracketsSurvive() {
        #expect(HTMLText.plainText(from: "a < b &unknown; c") == "a < b &unknown; c")
    }

    @Test func firstElement() {
        #expect(HTMLText.firstElementText("h1", in: "<body><h1 class=x>Big <em>News</em></h1></body>") == "Big News")
    }
}
