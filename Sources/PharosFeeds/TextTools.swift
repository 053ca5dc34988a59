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
        HTMLText.plainText(from: HTMLEntities.decodeNonMarkup(undoDoubleEscaping(html)))
    }

    private static let codeElements: Set<String> = ["pre", "code", "xmp", "textarea", "script", "style", "kbd", "samp"]

    /// Feeds often escape HTML once too often: `&amp;lt;p&amp;gt;` in the XML, which is
    /// `&lt;p&gt;` in the HTML, or `&amp;amp;` for `&`. Outside code elements such escaped tags
    /// and entities are taken for what they were meant to be; inside `<pre>` and `<code>` escaped
    /// markup is a code sample and stays text.
    static func undoDoubleEscaping(_ html: String) -> String {
        guard html.contains("&lt;") || html.contains("&amp;") else { return html }
        let input = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var codeDepth = 0
        var insideEscapedTag = false
        var index = 0
        func matches(_ literal: String, at position: Int) -> Bool {
            var cursor = position
            for byte in literal.utf8 {
                guard cursor < input.count, input[cursor] == byte else { return false }
                cursor += 1
            }
            return true
        }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "<") {
                // A real tag: track code elements.
                var cursor = index + 1
                let closing = cursor < input.count && input[cursor] == UInt8(ascii: "/")
                if closing { cursor += 1 }
                var name: [UInt8] = []
                while cursor < input.count, isLetter(input[cursor]) || (input[cursor] >= 0x30 && input[cursor] <= 0x39) {
                    name.append(input[cursor] | 0x20)
                    cursor += 1
                }
                if codeElements.contains(String(decoding: name, as: UTF8.self)) {
                    codeDepth = max(0, codeDepth + (closing ? -1 : 1))
                }
                insideEscapedTag = false
                output.append(byte)
                index += 1
                continue
            }
            if byte == UInt8(ascii: "&"), codeDepth == 0 {
                if matches("&lt;", at: index), index + 4 < input.count,
                   isLetter(input[index + 4]) || input[index + 4] == UInt8(ascii: "/") || input[index + 4] == UInt8(ascii: "!") {
                    output.append(UInt8(ascii: "<"))
                    insideEscapedTag = true
                    index += 4
                    continue
                }
                if insideEscapedTag, matches("&gt;", at: index) {
                    output.append(UInt8(ascii: ">"))
                    insideEscapedTag = false
                    index += 4
                    continue
                }
                if insideEscapedTag, matches("&quot;", at: index) {
                    output.append(UInt8(ascii: "\""))
                    index += 6
                    continue
                }
                if matches("&amp;", at: index) {
                    // `&amp;name;` or `&amp;#8217;`: an entity escaped twice.
                    var cursor = index + 5
                    let start = cursor
                    if cursor < input.count, input[cursor] == UInt8(ascii: "#") { cursor += 1 }
                    while cursor < input.count, cursor - start < 32, isLetter(input[cursor]) || (input[cursor] >= 0x30 && input[cursor] <= 0x39) {
                        cursor += 1
                    }
                    if cursor < input.count, input[cursor] == UInt8(ascii: ";"), cursor > start + 1 || (cursor > start && input[start] != UInt8(ascii: "#")) {
                        let name = String(decoding: input[start..<cursor], as: UTF8.self)
                        if name.hasPrefix("#") || HTMLEntities.scalars[name] != nil {
                            output.append(UInt8(ascii: "&"))
                            index += 5
                            continue
                        }
                    }
                }
            }
            output.append(byte)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `text` trimmed of white space at both ends.
    static func trimmed(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
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
