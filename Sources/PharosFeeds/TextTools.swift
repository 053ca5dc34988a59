import Foundation
import PharosCore

/// Whitespace and HTML handling shared by every format.
enum TextTools {
    /// All runs of white space folded to one space, trimmed: for titles, names, categories.
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

    /// Plain text kept as lines: spaces folded within each line, lines trimmed, blank runs
    /// folded to one blank line.
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

    /// An HTML fragment reduced to readable text.
    static func htmlToText(_ html: String) -> String {
        let bytes = Array(html.utf8)
        // Most titles and many summaries hold neither tags nor references: HTML then only folds
        // white space, which is much cheaper done here.
        guard bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: "&")) else {
            return foldHTMLWhitespace(bytes)
        }
        return HTMLText.plainText(from: prepareHTML(bytes))
    }

    /// HTML's white space (space, tab, line feed, form feed, carriage return) folded to single
    /// spaces and trimmed, as a browser shows text without markup.
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

    /// Readies HTML for `HTMLText` in one pass:
    /// - named entities that cannot make markup (`&Eacute;`, `&bdquo;`: all of HTML 4, where
    ///   `HTMLText` knows the common ones) become characters;
    /// - HTML escaped once too often, as feeds often send it (`&amp;lt;p&amp;gt;` in the XML,
    ///   which is `&lt;p&gt;` here, or `&amp;eacute;`), is taken for what it was meant to be;
    ///   inside `<pre>` and `<code>`, escaped markup is a code sample and stays text.
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
                        XMLInput.appendUTF8(value, to: &output)
                    } else {
                        output.append(contentsOf: input[end...innerEnd])
                        output[output.count - (innerEnd - end + 1)] = UInt8(ascii: "&")
                    }
                    index = innerEnd + 1
                    continue
                }
            }
            if !markupEntities.contains(name), let value = HTMLEntities.scalars[name] {
                XMLInput.appendUTF8(value, to: &output)
            } else {
                output.append(contentsOf: input[index...end])
            }
            index = end + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` trimmed of white space at both ends.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// The name in an RSS `author`/`managingEditor` value: `jane@example.org (Jane Doe)` and
    /// `Jane Doe <jane@example.org>` give `Jane Doe`; a bare address stays as it is.
    static func personName(_ value: String) -> String {
        let text = singleLine(value)
        if text.hasSuffix(")"), let open = text.lastIndex(of: "(") {
            let outside = TextTools.trimmed(String(text[..<open]))
            let inside = TextTools.trimmed(String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
            if outside.contains("@") && !inside.isEmpty && !inside.contains("@") { return inside }
            if inside.contains("@") && !outside.isEmpty { return outside }
            return text
        }
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let outside = TextTools.trimmed(String(text[..<open]))
            let inside = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            if inside.contains("@") { return outside.isEmpty ? inside : outside.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
        }
        if text.lowercased().hasPrefix("mailto:") { return String(text.dropFirst(7)) }
        return text
    }

    /// A stable identifier for an item that has neither id nor link.
    static func contentHash(_ parts: [String]) -> String {
        "sha256:" + String(SHA256.hex(parts.joined(separator: "\u{1F}")).prefix(32))
    }
}

/// Resolves references against `xml:base` and the document URL.
enum URLResolver {
    /// True for `scheme:...` (RFC 3986 scheme syntax), i.e. an absolute reference.
    static func hasScheme(_ reference: String) -> Bool {
        guard let colon = reference.firstIndex(of: ":"), colon != reference.startIndex else { return false }
        let scheme = reference[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return scheme.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// `reference` resolved against `base`; unchanged when it is absolute, when there is no
    /// usable base, or when Foundation cannot parse it.
    static func resolve(_ reference: String, against base: String?) -> String {
        let trimmed = TextTools.trimmed(reference)
        guard !trimmed.isEmpty, !hasScheme(trimmed), let base, let baseURL = URL(string: base), baseURL.scheme != nil else {
            return trimmed
        }
        if let resolved = URL(string: trimmed, relativeTo: baseURL) {
            return resolved.absoluteString
        }
        let allowed = CharacterSet.urlPathAllowed.union(.urlQueryAllowed).union(CharacterSet(charactersIn: "#%"))
        if let escaped = trimmed.addingPercentEncoding(withAllowedCharacters: allowed),
           let resolved = URL(string: escaped, relativeTo: baseURL) {
            return resolved.absoluteString
        }
        return trimmed
    }
}

/// A value that several elements may supply, the best-ranked (lowest) first one winning.
struct Ranked<Value> {
    private(set) var value: Value?
    private var rank = Int.max

    /// Keeps `candidate` if nothing better was offered before.
    mutating func offer(_ candidate: Value?, rank newRank: Int) {
        guard let candidate, newRank < rank else { return }
        value = candidate
        rank = newRank
    }
}
