/// Sentence and paragraph boundaries of UTF-8 text, as byte ranges.
enum TextSegments {
    private static let abbreviations: Set<String> = [
        "u.s", "u.k", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "llc", "plc",
        "e.g", "i.e", "etc", "vs", "no", "nos", "jr", "sr", "st", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "al", "ph.d", "m.d", "n.v", "s.a",
        "ag", "gmbh", "a.g", "b.v", "dept", "est", "mt", "vol", "p.m", "a.m", "u.s.a", "ca", "cf", "ref",
    ]
    /// The abbreviations packed as in `packedKey`, so the splitter compares integers, not strings.
    private static let abbreviationKeys: Set<UInt64> = Set(abbreviations.compactMap { word in
        Array(word.utf8).withUnsafeBufferPointer { packedKey($0, 0..<$0.count) }
    })

    /// Up to eight ASCII bytes, lower-cased, in one integer; nil for longer or non-ASCII words.
    private static func packedKey(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        guard range.count <= 8 else { return nil }
        var key: UInt64 = 0
        for index in range {
            var byte = text[index]
            guard byte < 0x80 else { return nil }
            if (0x41...0x5A).contains(byte) { byte += 32 }
            key = key << 8 | UInt64(byte)
        }
        return key
    }

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
        let own = paragraph(around: offset, in: text)
        return sentences(text, in: own).first { $0.contains(offset) } ?? own
    }

    /// The sentence that holds `offset`, the same `sentence(around:)` finds, found by reading
    /// only as far as the nearest sentence ends on either side: every possible sentence end
    /// (`.`, `!`, `?`) is decided by the few bytes around it, so the paragraph need not be
    /// split from its start. Nil when `offset` is on white space, a closing mark or inside a
    /// character, where only the whole paragraph tells.
    static func sentence(near offset: Int, in text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard offset < text.count, !isSpace(text[offset]), text[offset] & 0xC0 != 0x80, closingMarkLength(text, at: offset) == nil else {
            return nil
        }
        var start = 0
        var cursor = offset - 1
        while cursor >= 0 {
            // Eight bytes at a time over text with no line break and no sentence mark.
            if cursor >= 7, !mayEndSentence(text, from: cursor - 7) {
                cursor -= 8
                continue
            }
            let byte = text[cursor]
            if byte == 0x0A, isBlankLineBefore(text, cursor) {
                start = cursor + 1
                break
            }
            if byte == 0x2E || byte == 0x21 || byte == 0x3F, let next = nextSentence(after: cursor, in: text, before: offset + 1) {
                start = next
                break
            }
            cursor -= 1
        }
        var end = offset
        while end < text.count {
            if end + 8 <= text.count, !mayEndSentence(text, from: end) {
                end += 8
                continue
            }
            let byte = text[end]
            if byte == 0x0A, isBlankLineAfter(text, end) { break }
            if byte == 0x2E || byte == 0x21 || byte == 0x3F {
                var after = end + 1
                while after < text.count, let length = closingMarkLength(text, at: after) { after += length }
                // White space that holds a blank line ends the paragraph, not just the sentence.
                var blank: Int?
                var next = after
                while next < text.count, isSpace(text[next]) {
                    if blank == nil, text[next] == 0x0A, isBlankLineAfter(text, next) { blank = next }
                    next += 1
                }
                if let blank {
                    end = blank
                    break
                }
                if next < text.count, nextSentence(after: end, in: text, before: text.count) != nil {
                    end = after
                    break
                }
                end = max(after, end + 1)
                continue
            }
            end += 1
        }
        return start..<end
    }

    /// Whether the eight bytes from `start` hold a line feed, `.`, `!` or `?`.
    @inline(__always)
    private static func mayEndSentence(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        let word = UnsafeRawPointer(text.baseAddress! + start).loadUnaligned(as: UInt64.self)
        return holds(word, 0x0A) || holds(word, 0x2E) || holds(word, 0x21) || holds(word, 0x3F)
    }

    /// Whether one of the eight bytes of `word` is `byte`.
    @inline(__always)
    static func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let zeroed = word ^ (ones &* UInt64(byte))
        return (zeroed &- ones) & ~zeroed & (ones &* 0x80) != 0
    }

    /// Where the sentence after the one ended by the `.`, `!` or `?` at `mark` starts, or nil
    /// when the mark ends no sentence (an abbreviation, a decimal, no capital after it), looking
    /// no further than `limit`.
    private static func nextSentence(after mark: Int, in text: UnsafeBufferPointer<UInt8>, before limit: Int) -> Int? {
        var after = mark + 1
        while after < limit, let length = closingMarkLength(text, at: after) { after += length }
        guard after < limit, isSpace(text[after]) else { return nil }
        var next = after
        while next < limit, isSpace(text[next]) { next += 1 }
        guard next < limit, startsSentence(text, at: next) else { return nil }
        if text[mark] == 0x2E, endsWithAbbreviation(text, dot: mark, from: 0) { return nil }
        return next
    }

    /// The paragraph that holds `offset`, found by looking for blank lines on either side.
    static func paragraph(around offset: Int, in text: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = offset
        while start > 0, !(text[start - 1] == 0x0A && isBlankLineBefore(text, start - 1)) { start -= 1 }
        var end = offset
        while end < text.count, !(text[end] == 0x0A && isBlankLineAfter(text, end)) { end += 1 }
        let paragraph = paragraphs(UnsafeBufferPointer(rebasing: text[start..<end]))
            .map { ($0.lowerBound + start)..<($0.upperBound + start) }
        return paragraph.first { $0.contains(offset) } ?? (start..<end)
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

    /// The sentences of one paragraph.
    static func sentences(_ text: UnsafeBufferPointer<UInt8>, in paragraph: Range<Int>) -> [Range<Int>] {
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

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
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
        if !text[wordStart..<dot].contains(where: { $0 >= 0x80 }) {
            if dot - wordStart == 1 { return isASCIILetter(text[wordStart]) }  // initials: "J. Smith"
            return packedKey(text, wordStart..<dot).map(abbreviationKeys.contains) ?? false
        }
        // Two ASCII letters or digits make at least two characters, and only the Kelvin sign (E2 84 AA)
        // lower-cases to ASCII: with both true, the word is neither an initial nor an abbreviation
        // (every abbreviation is ASCII), whatever else it holds.
        var asciiWordBytes = 0
        var mayLowerToASCII = false
        for index in wordStart..<dot {
            let byte = text[index]
            if byte < 0x80 {
                if isASCIILetter(byte) || (0x30...0x39).contains(byte) { asciiWordBytes += 1 }
            } else if byte == 0xE2, index + 2 < dot, text[index + 1] == 0x84, text[index + 2] == 0xAA {
                mayLowerToASCII = true
            }
        }
        if asciiWordBytes >= 2, !mayLowerToASCII { return false }
        let word = String(decoding: UnsafeBufferPointer(rebasing: text[wordStart..<dot]), as: UTF8.self).lowercased()
        if word.count == 1, word.unicodeScalars.first!.properties.isAlphabetic { return true }
        return abbreviations.contains(word)
    }

    /// The number of Unicode scalars in `text[range]`: every byte but UTF-8 continuation
    /// bytes (10xxxxxx) starts one. Counts eight bytes at a time.
    static func scalarCount(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        guard let base = text.baseAddress, !range.isEmpty else { return 0 }
        let raw = UnsafeRawPointer(base)
        var continuations = 0
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // Bit 7 set and bit 6 clear: shifting left by one brings each byte's bit 6 under its bit 7.
            continuations += (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
            index += 8
        }
        while index < range.upperBound {
            if text[index] & 0xC0 == 0x80 { continuations += 1 }
            index += 1
        }
        return range.count - continuations
    }
}
