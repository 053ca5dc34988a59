import Foundation

/// Reduces HTML to readable plain text: tags dropped, scripts and styles removed,
/// entities decoded, block elements on their own lines, paragraphs separated by a blank line.
///
/// The work is done on UTF-8 bytes (feeds hand over megabytes of HTML, and character-wise
/// processing was the slowest part of reading them); a `String` is made once, at the end.
public enum HTMLText {
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

    /// Entities read differently from the shared table when reducing to plain text: the fixed-width
    /// spaces become ordinary spaces and the invisible formatting characters disappear.
    private static let plainTextReadings: [String: Unicode.Scalar?] = [
        "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ", "zwj": nil, "zwnj": nil, "shy": nil,
    ]

    private enum TagKind { case inline, line, paragraph, skipped }

    /// The kind of every tag that is not inline, keyed by its lower-case ASCII name packed
    /// into an integer (names of up to eight bytes), so that no `String` is made per tag.
    private static let shortTagKinds: [UInt64: TagKind] = {
        var kinds: [UInt64: TagKind] = [:]
        for name in blockTags.union(skippedTags) where name.utf8.count <= 8 {
            kinds[packed(Array(name.utf8)[...])] = kind(of: name)
        }
        return kinds
    }()

    private static func kind(of name: String) -> TagKind {
        if skippedTags.contains(name) { return .skipped }
        if paragraphTags.contains(name) { return .paragraph }
        if blockTags.contains(name) { return .line }
        return .inline
    }

    private static func packed(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        for (offset, byte) in bytes.enumerated() { key |= UInt64(byte) << (8 * UInt64(offset)) }
        return key
    }

    /// Plain text of an HTML document or fragment.
    public static func plainText(from html: String) -> String {
        var html = html
        return html.withUTF8 { String(decoding: plainText(utf8: $0), as: UTF8.self) }
    }

    /// ``plainText(from:)`` on UTF-8: the same text, as UTF-8.
    package static func plainText(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let count = input.count
        var index = 0
        // The lower-case name of the script, style, ... element being skipped.
        var skipping: String?

        while index < count {
            let byte = input[index]
            if byte == lessThan {
                if index + 1 < count, input[index + 1] == UInt8(ascii: "!") {
                    if hasPrefix(input, at: index, "<!--") {
                        index = find(input, "-->", from: index + 4).map { $0 + 3 } ?? count
                        continue
                    }
                    if hasPrefix(input, at: index, "<![CDATA[") {
                        let end = find(input, "]]>", from: index + 9) ?? count
                        if skipping == nil { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[(index + 9)..<end])) }
                        index = min(end + 3, count)
                        continue
                    }
                }
                guard let close = tagEnd(input, from: index + 1) else {
                    if skipping == nil { output.append(byte) }
                    index += 1
                    continue
                }
                let isClosing = input[index + 1] == UInt8(ascii: "/")
                let nameStart = isClosing ? index + 2 : index + 1
                index = close + 1
                if let skipped = skipping {
                    if isClosing && tagName(input, from: nameStart, to: close) == skipped { skipping = nil }
                    continue
                }
                switch tagKind(input, from: nameStart, to: close) {
                case .inline:
                    break
                case .line:
                    newline(1, in: &output)
                case .paragraph:
                    newline(2, in: &output)
                case .skipped:
                    if !isClosing && input[close - 1] != UInt8(ascii: "/") { skipping = tagName(input, from: nameStart, to: close) }
                }
                continue
            }
            if skipping != nil {
                index += 1
                continue
            }
            if byte == ampersand, let (decoded, length) = reference(input, at: index) {
                if let decoded { appendUTF8(decoded.value, to: &output) }
                index += length
                continue
            }
            if byte != ampersand && !isHTMLSpace(byte) {
                // A run of ordinary text, copied whole.
                var end = index + 1
                while end < count, input[end] != lessThan, input[end] != ampersand, !isHTMLSpace(input[end]) { end += 1 }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                index = end
                continue
            }
            if isHTMLSpace(byte) {
                if let last = output.last, last != space && last != newlineByte { output.append(space) }
            } else {
                output.append(byte)
            }
            index += 1
        }
        tidyLines(&output)
        return output
    }

    /// Starts a new line (or paragraph): trailing spaces and line breaks are replaced, but an
    /// existing blank line is kept.
    private static func newline(_ lines: Int, in output: inout [UInt8]) {
        var trailing = 0
        var cursor = output.count
        while cursor > 0 {
            let previous = output[cursor - 1]
            if previous == newlineByte { trailing += 1 } else if previous != space { break }
            cursor -= 1
        }
        if output.isEmpty { return }
        output.removeSubrange(cursor...)
        for _ in 0..<max(lines, min(trailing, 2)) { output.append(newlineByte) }
    }

    /// Each line trimmed of spaces and tabs, runs of blank lines folded to one, no blank
    /// lines at either end; in place (the result is never longer: each line break written
    /// stands for one read).
    static func tidyLines(_ text: inout [UInt8]) {
        let count = text.count
        let newCount = text.withUnsafeMutableBufferPointer { buffer -> Int in
            var written = 0
            var pendingBlank = false
            var lineStart = 0
            while lineStart <= count {
                var lineEnd = lineStart
                while lineEnd < count, buffer[lineEnd] != newlineByte { lineEnd += 1 }
                var start = lineStart
                var end = lineEnd
                while start < end, buffer[start] == space || buffer[start] == 0x09 { start += 1 }
                while end > start, buffer[end - 1] == space || buffer[end - 1] == 0x09 { end -= 1 }
                if start == end {
                    pendingBlank = written > 0
                } else {
                    if written > 0 {
                        buffer[written] = newlineByte
                        written += 1
                    }
                    if pendingBlank {
                        buffer[written] = newlineByte
                        written += 1
                    }
                    pendingBlank = false
                    for index in start..<end {
                        buffer[written] = buffer[index]
                        written += 1
                    }
                }
                lineStart = lineEnd + 1
            }
            return written
        }
        text.removeSubrange(newCount...)
    }

    /// The text of the first `<tag>` element, reduced to plain text, or nil.
    public static func firstElementText(_ tag: String, in html: String) -> String? {
        let lower = html.lowercased()
        guard let open = lower.range(of: "<\(tag)"),
              let openEnd = lower[open.upperBound...].firstIndex(of: ">"),
              let close = lower[openEnd...].range(of: "</\(tag)>") else { return nil }
        let inner = html[html.index(after: openEnd)..<close.lowerBound]
        let text = plainText(from: String(inner)).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? nil : text
    }

    /// Decodes character references (`&amp;`, `&#8212;`, `&#x2013;`) in text.
    public static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var text = text
        return text.withUTF8 { input in
            var output: [UInt8] = []
            output.reserveCapacity(input.count)
            var index = 0
            while index < input.count {
                if input[index] == ampersand, let (decoded, length) = reference(input, at: index) {
                    if let decoded { appendUTF8(decoded.value, to: &output) }
                    index += length
                } else {
                    output.append(input[index])
                    index += 1
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    // MARK: - Bytes

    private static let lessThan = UInt8(ascii: "<")
    private static let ampersand = UInt8(ascii: "&")
    private static let space = UInt8(ascii: " ")
    private static let newlineByte = UInt8(ascii: "\n")

    /// The character reference starting at `start` (an `&`): what it stands for (nil for
    /// nothing) and its length in bytes; nil when it is no reference this reader knows.
    /// Names are at most 32 characters of letters, digits and `#`.
    private static func reference(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> (Unicode.Scalar?, Int)? {
        var end = start + 1
        while end < input.count, end - start <= 32, input[end] != UInt8(ascii: ";") {
            let byte = input[end]
            // A name with a character outside ASCII matches nothing (every known name and
            // every number is ASCII).
            guard byte < 0x80, isASCIILetter(byte) || isDigit(byte) || byte == UInt8(ascii: "#") else { return nil }
            end += 1
        }
        guard end < input.count, input[end] == UInt8(ascii: ";") else { return nil }
        let length = end - start + 1
        let name = UnsafeBufferPointer(rebasing: input[(start + 1)..<end])
        if name.first == UInt8(ascii: "#") {
            let hex = name.count > 1 && (name[1] | 0x20) == UInt8(ascii: "x")
            guard let code = number(UnsafeBufferPointer(rebasing: name[(hex ? 2 : 1)...]), hex: hex),
                  let scalar = Unicode.Scalar(code) else { return nil }
            return (scalar, length)
        }
        if let markup = markupCharacter(name) { return (markup, length) }
        let key = String(decoding: name, as: UTF8.self)
        if let reading = plainTextReadings[key] { return (reading, length) }
        guard let value = HTMLEntities.scalars[key], let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// The five references that can make markup, which are most of those met in practice.
    private static func markupCharacter(_ name: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        switch name.count {
        case 2 where name[1] == UInt8(ascii: "t"):
            if name[0] == UInt8(ascii: "l") { return "<" }
            if name[0] == UInt8(ascii: "g") { return ">" }
            return nil
        case 3 where name[0] == UInt8(ascii: "a") && name[1] == UInt8(ascii: "m") && name[2] == UInt8(ascii: "p"):
            return "&"
        default:
            return nil
        }
    }

    /// Decimal or hexadecimal digits (nothing else) as a number, nil when empty or too large.
    private static func number(_ digits: UnsafeBufferPointer<UInt8>, hex: Bool) -> UInt32? {
        guard !digits.isEmpty else { return nil }
        var value: UInt32 = 0
        for byte in digits {
            let digit: UInt32
            if isDigit(byte) {
                digit = UInt32(byte - UInt8(ascii: "0"))
            } else if hex, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "f") {
                digit = UInt32((byte | 0x20) - UInt8(ascii: "a") + 10)
            } else {
                return nil
            }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: hex ? 16 : 10)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }

    /// The index of the `>` closing a tag that starts after `<`, honouring quoted attributes;
    /// a tag starts with a letter, `/`, `!` or `?`.
    private static func tagEnd(_ input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < input.count else { return nil }
        let first = input[start]
        guard isLetter(input, at: start) || first == UInt8(ascii: "/") || first == UInt8(ascii: "!") || first == UInt8(ascii: "?") else { return nil }
        var quote: UInt8 = 0
        var index = start
        while index < input.count {
            let byte = input[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The end of a tag name (letters and digits) starting at `start`, and whether it is all ASCII.
    private static func nameEnd(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int) -> (end: Int, ascii: Bool) {
        var index = start
        var ascii = true
        while index < limit {
            let byte = input[index]
            if byte < 0x80 {
                guard isASCIILetter(byte) || isDigit(byte) else { break }
                index += 1
            } else {
                guard isLetter(input, at: index) else { break }
                ascii = false
                index += sequenceLength(byte)
            }
        }
        return (min(index, limit), ascii)
    }

    /// The lower-case name of the tag whose name starts at `start`.
    private static func tagName(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int) -> String {
        let (end, _) = nameEnd(input, from: start, to: limit)
        return String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self).lowercased()
    }

    private static func tagKind(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to limit: Int) -> TagKind {
        let (end, ascii) = nameEnd(input, from: start, to: limit)
        let length = end - start
        guard length > 0 else { return .inline }
        if ascii && length <= 8 {
            var key: UInt64 = 0
            for offset in 0..<length {
                var byte = input[start + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                key |= UInt64(byte) << (8 * UInt64(offset))
            }
            return shortTagKinds[key] ?? .inline
        }
        return kind(of: tagName(input, from: start, to: limit))
    }

    /// HTML's white space: space, tab, line feed, carriage return, form feed.
    private static func isHTMLSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == 0x09 || byte == newlineByte || byte == 0x0D || byte == 0x0C
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether the character at `index` is alphabetic (Unicode's Alphabetic property).
    private static func isLetter(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = input[index]
        if byte < 0x80 { return isASCIILetter(byte) }
        return scalar(input, at: index)?.properties.isAlphabetic ?? false
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    }

    /// The scalar whose UTF-8 starts at `index` (the input is valid UTF-8).
    private static func scalar(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Unicode.Scalar? {
        let length = sequenceLength(input[index])
        guard length > 1, index + length <= input.count else { return nil }
        var value = UInt32(input[index]) & (0xFF >> UInt32(length + 1))
        for offset in 1..<length { value = value << 6 | UInt32(input[index + offset] & 0x3F) }
        return Unicode.Scalar(value)
    }

    private static func hasPrefix(_ input: UnsafeBufferPointer<UInt8>, at index: Int, _ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= input.count else { return false }
        let start = prefix.utf8Start
        for offset in 0..<length where input[index + offset] != start[offset] { return false }
        return true
    }

    private static func find(_ input: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from start: Int) -> Int? {
        let first = needle.utf8Start[0]
        var index = start
        while index < input.count {
            if input[index] == first && hasPrefix(input, at: index, needle) { return index }
            index += 1
        }
        return nil
    }

    /// Appends the UTF-8 of `scalar`.
    package static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (scalar >> 6)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (scalar >> 12)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (scalar >> 18)))
            output.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
