/// Sentence and paragraph boundaries of UTF-8 text, as byte ranges.
enum TextSegments {
    private static let abbreviations: Set<String> = [
        "u.s", "u.k", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "llc", "plc",
        "e.g", "i.e", "etc", "vs", "no", "nos", "jr", "sr", "st", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "al", "ph.d", "m.d", "n.v", "s.a",
        "ag", "gmbh", "a.g", "b.v", "dept", "est", "mt", "vol", "p.m", "a.m", "u.s.a", "ca", "cf", "ref",
    ]

    /// Paragraphs: runs of text separated by blank lines.
    static func paragraphs(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var index = 0
        let count = text.count
        while index < count {
            guard text[index] == 0x0A else {
                index += 1
                continue
            }
            var next = index + 1
            while next < count, text[next] == 0x20 || text[next] == 0x09 || text[next] == 0x0D { next += 1 }
            guard next < count, text[next] == 0x0A else {
                index += 1
                continue
            }
            if start < index { ranges.append(start..<index) }
            while next < count, text[next] == 0x0A || text[next] == 0x20 || text[next] == 0x09 || text[next] == 0x0D { next += 1 }
            start = next
            index = next
        }
        if start < count { ranges.append(start..<count) }
        return ranges
    }

    /// Sentences: split after `.`, `!` or `?` (and closing quotes or brackets) followed by
    /// white space and a capital, digit or opening quote, except after abbreviations
    /// (U.S., Dr., Inc., e.g.) and initials; decimals never split (no space follows the
    /// dot); blank lines always end a sentence.
    static func sentences(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        paragraphs(text).flatMap { sentences(text, in: $0) }
    }

    /// The sentence that holds `offset`, found by splitting only its own paragraph.
    static func sentence(around offset: Int, in text: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = offset
        while start > 0, !(text[start - 1] == 0x0A && isBlankLineBefore(text, start - 1)) { start -= 1 }
        var end = offset
        while end < text.count, !(text[end] == 0x0A && isBlankLineAfter(text, end)) { end += 1 }
        let paragraph = paragraphs(UnsafeBufferPointer(rebasing: text[start..<end]))
            .map { ($0.lowerBound + start)..<($0.upperBound + start) }
        let own = paragraph.first { $0.contains(offset) } ?? (start..<end)
        return sentences(text, in: own).first { $0.contains(offset) } ?? own
    }

    /// Whether the newline at `index` ends a blank line (only spaces back to the previous newline).
    private static func isBlankLineBefore(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        var cursor = index - 1
        while cursor >= 0, text[cursor] == 0x20 || text[cursor] == 0x09 || text[cursor] == 0x0D { cursor -= 1 }
        return cursor < 0 || text[cursor] == 0x0A
    }

    /// Whether the newline at `index` is followed by a blank line.
    private static func isBlankLineAfter(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        var cursor = index + 1
        while cursor < text.count, text[cursor] == 0x20 || text[cursor] == 0x09 || text[cursor] == 0x0D { cursor += 1 }
        return cursor >= text.count || text[cursor] == 0x0A
    }

    private static func sentences(_ text: UnsafeBufferPointer<UInt8>, in paragraph: Range<Int>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
            var start = paragraph.lowerBound
            var index = paragraph.lowerBound
            let end = paragraph.upperBound
            while index < end {
                let byte = text[index]
                guard byte == 0x2E || byte == 0x21 || byte == 0x3F else {
                    index += 1
                    continue
                }
                var after = index + 1
                while after < end, let length = closingMarkLength(text, at: after) { after += length }
                guard after < end, isSpace(text[after]) else {
                    index = after
                    continue
                }
                var next = after
                while next < end, isSpace(text[next]) { next += 1 }
                guard next < end else { break }
                if startsSentence(text, at: next) && !(byte == 0x2E && endsWithAbbreviation(text, dot: index, from: start)) {
                    ranges.append(start..<after)
                    start = next
                }
                index = next
            }
            if start < end { ranges.append(start..<end) }
        return ranges
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    /// Length of a closing quote or bracket at `index`: `"`, `'`, `)`, `]`, `”`, `’`.
    private static func closingMarkLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        switch text[index] {
        case 0x22, 0x27, 0x29, 0x5D: return 1
        case 0xE2 where index + 2 < text.count && text[index + 1] == 0x80 && (text[index + 2] == 0x9D || text[index + 2] == 0x99):
            return 3
        default: return nil
        }
    }

    private static func startsSentence(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = text[index]
        if byte < 0x80 {
            return (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x22 || byte == 0x27 || byte == 0x28
        }
        let (scalar, _) = Automaton.decode(text, at: index)
        return scalar.properties.isUppercase || scalar == "“" || scalar == "‘"
    }

    private static func endsWithAbbreviation(_ text: UnsafeBufferPointer<UInt8>, dot: Int, from start: Int) -> Bool {
        var wordStart = dot
        while wordStart > start {
            let previous = text[wordStart - 1]
            // A word ends at white space (a no-break space too) or an opening bracket or quote.
            if isSpace(previous) || previous == 0x28 || previous == 0x22 || previous == 0x27 { break }
            if previous == 0xA0, wordStart >= 2, text[wordStart - 2] == 0xC2 { break }
            wordStart -= 1
        }
        let word = String(decoding: UnsafeBufferPointer(rebasing: text[wordStart..<dot]), as: UTF8.self).lowercased()
        if word.count == 1, word.unicodeScalars.first!.properties.isAlphabetic { return true }  // initials: "J. Smith"
        return abbreviations.contains(word)
    }

    /// The number of Unicode scalars in `text[0..<offset]`: evidence offsets are in scalars.
    static func scalarOffset(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Int {
        var count = 0
        for index in 0..<offset where text[index] & 0xC0 != 0x80 { count += 1 }
        return count
    }
}
