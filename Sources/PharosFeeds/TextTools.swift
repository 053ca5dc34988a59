import Foundation
import PharosCore
import PharosSupport
import PharosText

/// Whitespace and HTML handling shared by every format, on UTF-8 bytes: text arrives from
/// libxml2 as UTF-8 and becomes a `String` once, when it is done.
enum TextTools {
    /// All runs of white space folded to one space, trimmed: for titles, names, categories.
    static func singleLine(_ text: String) -> String {
        var text = text
        return text.withUTF8 { singleLineString(utf8: $0) }
    }

    /// ``singleLine(_:)`` on UTF-8. White space is Unicode's (`Character.isWhitespace` on
    /// scalars: the ASCII controls, NBSP, the typographic spaces, U+2028, U+3000, ...).
    static func singleLine(utf8 text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: text.count) { buffer, written in
            written = foldLine(text, into: buffer.baseAddress)
        }
    }

    /// ``singleLine(utf8:)`` made straight into a `String`.
    static func singleLineString(utf8 text: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: text.count) { buffer in foldLine(text, into: buffer.baseAddress) }
    }

    /// Writes `text` folded to one line to `output` (room for `text.count` bytes: the result is
    /// never longer) and returns its length.
    private static func foldLine(_ text: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>?) -> Int {
        guard let output else { return 0 }
        var written = 0
        var pendingSpace = false
        var index = 0
        let count = text.count
        while index < count {
            let byte = text[index]
            if byte > 0x20 && byte < 0x80 {
                if pendingSpace {
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                }
                output[written] = byte
                written += 1
                index += 1
                continue
            }
            let space = whitespaceLength(text, at: index)
            if space > 0 {
                pendingSpace = written > 0
                index += space
            } else {
                if pendingSpace {
                    output[written] = 0x20
                    written += 1
                    pendingSpace = false
                }
                output[written] = byte
                written += 1
                index += 1
            }
        }
        return written
    }

    static func singleLine(utf8 text: [UInt8]) -> String {
        text.withUnsafeBufferPointer { singleLineString(utf8: $0) }
    }

    /// ``singleLine(_:)`` in place: `foldLine` never writes ahead of what it has read (each
    /// space written stands for at least one white-space byte read).
    static func singleLine(inPlace text: inout [UInt8]) {
        let newCount = text.withUnsafeMutableBufferPointer { buffer in
            foldLine(UnsafeBufferPointer(buffer), into: buffer.baseAddress)
        }
        text.removeLast(text.count - newCount)
    }

    /// The length in bytes of the white-space character (Unicode White_Space) at `index`, or 0.
    @inline(__always)
    static func whitespaceLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = text[index]
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        let count = text.count
        switch byte {
        case 0xC2:
            // U+0085, U+00A0
            guard index + 1 < count else { return 0 }
            return text[index + 1] == 0x85 || text[index + 1] == 0xA0 ? 2 : 0
        case 0xE1:
            // U+1680
            guard index + 2 < count else { return 0 }
            return text[index + 1] == 0x9A && text[index + 2] == 0x80 ? 3 : 0
        case 0xE2:
            // U+2000...U+200A, U+2028, U+2029, U+202F, U+205F
            guard index + 2 < count else { return 0 }
            let second = text[index + 1], third = text[index + 2]
            if second == 0x80 { return third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0 }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3:
            // U+3000
            guard index + 2 < count else { return 0 }
            return text[index + 1] == 0x80 && text[index + 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }

    /// Plain text kept as lines: spaces folded within each line, lines trimmed, blank runs
    /// folded to one blank line.
    static func paragraphs(_ text: String) -> String {
        var text = text
        return text.withUTF8 { paragraphs(utf8: $0) }
    }

    static func paragraphs(utf8 text: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        // Lines end at LF, CR LF or CR.
        var blankLinesPending = 0
        var lineStart = 0
        let count = text.count
        while lineStart <= count {
            var lineEnd = lineStart
            while lineEnd < count, text[lineEnd] != 0x0A, text[lineEnd] != 0x0D { lineEnd += 1 }
            let folded = singleLine(utf8: UnsafeBufferPointer(rebasing: text[lineStart..<lineEnd]))
            if folded.isEmpty {
                if !output.isEmpty && blankLinesPending == 0 { blankLinesPending = 1 }
            } else {
                if !output.isEmpty { output.append(0x0A) }
                if blankLinesPending > 0 { output.append(0x0A) }
                blankLinesPending = 0
                output.append(contentsOf: folded)
            }
            if lineEnd < count, text[lineEnd] == 0x0D, lineEnd + 1 < count, text[lineEnd + 1] == 0x0A { lineEnd += 1 }
            lineStart = lineEnd + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// An HTML fragment reduced to readable text.
    static func htmlToText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { String(decoding: htmlToText(utf8: $0), as: UTF8.self) }
    }

    /// ``htmlToText(_:)`` on UTF-8.
    static func htmlToText(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // Most titles and many summaries hold neither tags nor references: HTML then only folds
        // white space, which is much cheaper done here.
        switch markup(bytes) {
        case .none: return foldHTMLWhitespace(bytes)
        case .tags: return HTMLText.plainText(utf8: bytes)
        case .references: return prepareHTML(bytes).withUnsafeBufferPointer { HTMLText.plainText(utf8: $0) }
        }
    }

    enum Markup { case none, tags, references }

    /// Whether `bytes` hold `&` (references), else `<` (tags), else neither; in one pass.
    static func markup(_ bytes: UnsafeBufferPointer<UInt8>) -> Markup {
        guard let base = bytes.baseAddress else { return .none }
        if memchr(base, Int32(UInt8(ascii: "&")), bytes.count) != nil { return .references }
        return memchr(base, Int32(UInt8(ascii: "<")), bytes.count) != nil ? .tags : .none
    }

    /// HTML's white space (space, tab, line feed, form feed, carriage return) folded to single
    /// spaces and trimmed, as a browser shows text without markup.
    static func foldHTMLWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
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
        return output
    }

    /// Readies HTML for `HTMLText` in one pass:
    /// - named entities that cannot make markup (`&Eacute;`, `&bdquo;`: all of HTML 4, where
    ///   `HTMLText` knows the common ones) become characters;
    /// - HTML escaped once too often, as feeds often send it (`&amp;lt;p&amp;gt;` in the XML,
    ///   which is `&lt;p&gt;` here, or `&amp;eacute;`), is taken for what it was meant to be;
    ///   inside `<pre>` and `<code>`, escaped markup is a code sample and stays text.
    static func prepareHTML(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var codeDepth = 0
        var insideEscapedTag = false
        var index = 0
        let count = input.count
        /// The name of a reference `&name;` starting at `start` (the `&`; `#` included for a
        /// numeric one), and the index of its `;`.
        func reference(at start: Int) -> (name: UnsafeBufferPointer<UInt8>, end: Int)? {
            var cursor = start + 1
            if cursor < count, input[cursor] == UInt8(ascii: "#") { cursor += 1 }
            let nameStart = cursor
            while cursor < count, cursor - nameStart < 32, isLetter(input[cursor]) || isDigit(input[cursor]) { cursor += 1 }
            guard cursor > nameStart, cursor < count, input[cursor] == UInt8(ascii: ";") else { return nil }
            return (UnsafeBufferPointer(rebasing: input[(start + 1)..<cursor]), cursor)
        }
        while index < count {
            // Copy the run up to the next markup character whole.
            let runEnd = nextMarkup(input, from: index)
            if runEnd > index {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<runEnd]))
                index = runEnd
                if index == count { break }
            }
            let byte = input[index]
            if byte == UInt8(ascii: "<") {
                // A real tag: note code elements.
                var cursor = index + 1
                let closing = cursor < count && input[cursor] == UInt8(ascii: "/")
                if closing { cursor += 1 }
                let nameStart = cursor
                while cursor < count, cursor - nameStart < 10, isLetter(input[cursor]) { cursor += 1 }
                if cursor > nameStart, isCodeElement(UnsafeBufferPointer(rebasing: input[nameStart..<cursor])) {
                    codeDepth = max(0, codeDepth + (closing ? -1 : 1))
                }
                insideEscapedTag = false
                output.append(byte)
                index += 1
                continue
            }
            guard let (name, end) = reference(at: index) else {
                output.append(byte)
                index += 1
                continue
            }
            let markup = MarkupEntity(name)
            if codeDepth == 0 {
                if markup == .lt, end + 1 < count, isLetter(input[end + 1]) || input[end + 1] == UInt8(ascii: "/") || input[end + 1] == UInt8(ascii: "!") {
                    output.append(UInt8(ascii: "<"))
                    insideEscapedTag = true
                    index = end + 1
                    continue
                }
                if insideEscapedTag && (markup == .gt || markup == .quot) {
                    output.append(markup == .gt ? UInt8(ascii: ">") : UInt8(ascii: "\""))
                    if markup == .gt { insideEscapedTag = false }
                    index = end + 1
                    continue
                }
                if markup == .amp, let (inner, innerEnd) = reference(at: end),
                   inner.first == UInt8(ascii: "#") || entityValue(inner) != nil {
                    // `&amp;eacute;`: an entity escaped twice; read it as `&eacute;`.
                    if MarkupEntity(inner) == nil, let value = entityValue(inner) {
                        HTMLText.appendUTF8(value, to: &output)
                    } else {
                        output.append(UInt8(ascii: "&"))
                        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[(end + 1)...innerEnd]))
                    }
                    index = innerEnd + 1
                    continue
                }
            }
            if markup == nil, let value = entityValue(name) {
                HTMLText.appendUTF8(value, to: &output)
            } else {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index...end]))
            }
            index = end + 1
        }
        return output
    }

    /// The index of the first `<` or `&` at or after `start`, or the end; eight bytes at a time.
    static func nextMarkup(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = input.count
        var index = start
        if let base = input.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highBits: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let lessThan = word ^ (ones &* 0x3C), ampersand = word ^ (ones &* 0x26)
                // The lowest flagged byte is exact (bytes above it may be flagged falsely).
                let flags = ((lessThan &- ones) & ~lessThan | (ampersand &- ones) & ~ampersand) & highBits
                if flags != 0 { return index + flags.trailingZeroBitCount / 8 }
                index += 8
            }
        }
        while index < count, input[index] != UInt8(ascii: "<"), input[index] != UInt8(ascii: "&") { index += 1 }
        return index
    }

    /// The five entities that can make markup.
    private enum MarkupEntity {
        case lt, gt, amp, quot, apos

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 2 where name[1] == UInt8(ascii: "t"):
                if name[0] == UInt8(ascii: "l") {
                    self = .lt
                } else if name[0] == UInt8(ascii: "g") {
                    self = .gt
                } else {
                    return nil
                }
            case 3 where name.elementsEqual("amp".utf8): self = .amp
            case 4 where name.elementsEqual("quot".utf8): self = .quot
            case 4 where name.elementsEqual("apos".utf8): self = .apos
            default: return nil
            }
        }
    }

    /// The scalar an HTML entity name stands for.
    private static func entityValue(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard name.first != UInt8(ascii: "#") else { return nil }
        return HTMLEntities.scalars[String(decoding: name, as: UTF8.self)]
    }

    /// `pre`, `code`, `xmp`, `textarea`, `script`, `style`, `kbd` or `samp`, in any case.
    private static func isCodeElement(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        func named(_ candidate: StaticString) -> Bool {
            guard name.count == candidate.utf8CodeUnitCount else { return false }
            for offset in 0..<name.count where name[offset] | 0x20 != candidate.utf8Start[offset] { return false }
            return true
        }
        switch name.count {
        case 3: return named("pre") || named("xmp") || named("kbd")
        case 4: return named("code") || named("samp")
        case 5: return named("style")
        case 6: return named("script")
        case 8: return named("textarea")
        default: return false
        }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `text` trimmed of white space at both ends.
    static func trimmed(_ text: String) -> String {
        var copy = text
        let trimmed: String? = copy.withUTF8 { bytes in
            let (start, end) = trimmedRange(bytes)
            if start == 0 && end == bytes.count { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        return trimmed ?? text
    }

    /// ``trimmed(_:)`` on UTF-8.
    static func trimmed(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String {
        let (start, end) = trimmedRange(bytes)
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The bytes between leading and trailing white space.
    private static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var start = 0
        let count = bytes.count
        // Ids, links and dates mostly start and end with a visible ASCII character.
        if let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return (0, count)
        }
        while start < count {
            let space = whitespaceLength(bytes, at: start)
            if space == 0 { break }
            start += space
        }
        var end = start
        var index = start
        while index < count {
            let space = whitespaceLength(bytes, at: index)
            if space > 0 {
                index += space
            } else {
                index += 1
                // Continuation bytes belong to the character before them.
                while index < count, bytes[index] & 0xC0 == 0x80 { index += 1 }
                end = index
            }
        }
        return (start, end)
    }

    /// The name in an RSS `author`/`managingEditor` value: `jane@example.org (Jane Doe)` and
    /// `Jane Doe <jane@example.org>` give `Jane Doe`; a bare address stays as it is.
    static func personName(_ value: String) -> String {
        func hasAt(_ text: String) -> Bool { text.utf8.contains(UInt8(ascii: "@")) }
        func unquoted(_ text: String) -> String {
            let isQuote: (Character) -> Bool = { $0 == "\"" || $0 == "'" }
            guard let first = text.firstIndex(where: { !isQuote($0) }), let last = text.lastIndex(where: { !isQuote($0) }) else { return "" }
            return String(text[first...last])
        }
        let text = singleLine(value)
        if text.hasSuffix(")"), let open = text.lastIndex(of: "(") {
            let outside = TextTools.trimmed(String(text[..<open]))
            let inside = TextTools.trimmed(String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
            if hasAt(outside) && !inside.isEmpty && !hasAt(inside) { return inside }
            if hasAt(inside) && !outside.isEmpty { return outside }
            return text
        }
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let outside = TextTools.trimmed(String(text[..<open]))
            let inside = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            if hasAt(inside) { return outside.isEmpty ? inside : unquoted(outside) }
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
        var copy = reference
        let decided: Bool? = copy.withUTF8 { bytes in
            // Up to the first colon the bytes decide: a scheme is ASCII, and any other byte before
            // the colon means there is none. After it, only a character that could join the colon
            // into a larger one (a combining mark) leaves the answer to the scalars below.
            guard let first = bytes.first, TextTools.isLetter(first) else { return false }
            var index = 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ":") { break }
                guard TextTools.isLetter(byte) || TextTools.isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else {
                    return false
                }
                index += 1
            }
            guard index < bytes.count else { return false }
            for offset in (index + 1)..<bytes.count where bytes[offset] >= 0x80 { return nil }
            return true
        }
        if let decided { return decided }
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
