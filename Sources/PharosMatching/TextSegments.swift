/// Sentence and paragraph boundaries of UTF-8 text, as byte ranges.
enum TextSegments {
    private static let abbreviations: Set<String> = [
        "u.s", "u.k", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "llc", "plc",
        "e.g", "i.e", "etc", "vs", "no", "nos", "jr", "sr", "st", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "al", "ph.d", "m.d", "n.v", "s.a",
        "ag", "gmbh", "a.g", "b.v", "dept", "est", "mt", "vol", "p.m", "a.m", "u.s.a", "ca", "cf", "ref",
    ]
    /// Words a single letter follows as a label, not as an initial: "CAR T.", "Phase I.", "Cohort B.", "hepatitis B."
    private static let labelWordKeys: Set<UInt64> = Set([
        "car", "tcr", "phase", "part", "cohort", "arm", "group", "type", "grade", "stage", "class", "schedule", "vitamin",
        "hepatitis", "influenza", "study", "section", "appendix", "exhibit", "item", "series", "tier", "level", "category",
        "factor", "protein", "plan", "option", "list",
    ].compactMap { word in Array(word.utf8).withUnsafeBufferPointer { packedKey($0, 0..<$0.count) } })
    /// The abbreviations packed as in `packedKey`, so the splitter compares integers, not strings.
    private static let abbreviationKeys: Set<UInt64> = Set(abbreviations.compactMap { word in
        Array(word.utf8).withUnsafeBufferPointer { packedKey($0, 0..<$0.count) }
    })
    /// US states and Canadian provinces as datelines abbreviate them ("PHILADELPHIA, Pa., Aug. 5",
    /// "Cambridge, Mass."): abbreviations only when written with a capital, since "ill.", "mass."
    /// and "wash." end sentences.
    private static let capitalisedAbbreviations: Set<String> = [
        "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans", "ky", "la", "md", "mass",
        "mich", "minn", "miss", "mo", "mont", "neb", "nebr", "nev", "n.h", "n.j", "n.m", "n.y", "n.c", "n.d", "okla", "ore", "pa",
        "penn", "r.i", "s.c", "s.d", "tenn", "tex", "vt", "va", "wash", "wis", "wisc", "wyo", "w.va", "d.c", "ont", "que", "b.c",
        "alta", "sask", "man",
    ]
    private static let capitalisedAbbreviationKeys: Set<UInt64> = Set(capitalisedAbbreviations.compactMap { word in
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
            // Straight to the next line break (memchr): most of a text holds none.
            guard let newline = ByteSearch.next(0x0A, in: text, from: index) else { break }
            index = newline
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

    /// Sentences: split after `.`, `!` or `?` (and closing quotes or brackets, and footnote
    /// markers: "response.1 Continued", "challenge.2,3 The", ".[1] The", ".¹ The") followed by
    /// white space and a capital, digit or opening quote, except after abbreviations
    /// (U.S., Dr., Inc., e.g., Calif., N.J.) and initials; decimals never split (no space
    /// follows the dot); a dot between a word and a capitalised word with no space
    /// ("approval.The company") splits unless the word is a domain or file name; a line that
    /// starts with a list bullet ("•", "-", "*", "1.") starts a sentence; blank lines always
    /// end a sentence.
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
            if byte == 0x0A {
                if isBlankLineBefore(text, cursor) {
                    start = cursor + 1
                    break
                }
                if let bullet = bulletLine(after: cursor, in: text, limit: text.count), bullet <= offset {
                    start = bullet
                    break
                }
            }
            if isSentenceMark(byte), let found = boundary(at: cursor, in: text, limit: text.count) {
                // `offset` between the sentences (on a footnote marker): only the paragraph tells.
                guard found.next <= offset else { return nil }
                start = found.next
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
            if byte == 0x0A {
                if isBlankLineAfter(text, end) { break }
                if bulletLine(after: end, in: text, limit: text.count) != nil {
                    end = trimmedEnd(text, before: end, from: start)
                    break
                }
            }
            if isSentenceMark(byte), let found = boundary(at: end, in: text, limit: text.count) {
                // White space that holds a blank line ends the paragraph, not just the sentence.
                var blank = found.end
                while blank < found.next, !(text[blank] == 0x0A && isBlankLineAfter(text, blank)) { blank += 1 }
                end = blank < found.next ? blank : found.end
                break
            }
            end += 1
        }
        return start..<end
    }

    /// A byte that may end a sentence: `.`, `!`, `?`, or the `]` of a reference (`boundary` decides).
    @inline(__always)
    private static func isSentenceMark(_ byte: UInt8) -> Bool { byte == 0x2E || byte == 0x21 || byte == 0x3F || byte == 0x5D }

    /// Whether the eight bytes from `start` hold a line feed, `.`, `!`, `?` or `]`.
    @inline(__always)
    private static func mayEndSentence(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        let word = UnsafeRawPointer(text.baseAddress! + start).loadUnaligned(as: UInt64.self)
        return holds(word, 0x0A) || holds(word, 0x2E) || holds(word, 0x21) || holds(word, 0x3F) || holds(word, 0x5D)
    }

    /// Whether one of the eight bytes of `word` is `byte`.
    @inline(__always)
    static func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
        marks(word, byte) != 0
    }

    /// The high bit of each byte of `word` that is `byte`, and possibly of bytes above one that
    /// is: the lowest bit set is exact, so `trailingZeroBitCount / 8` is the first such byte.
    @inline(__always)
    static func marks(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let zeroed = word ^ (ones &* UInt64(byte))
        return (zeroed &- ones) & ~zeroed & (ones &* 0x80)
    }

    /// How far from `start` the first line feed, `.`, `!`, `?` or `]` of the next eight bytes is (8: none).
    @inline(__always)
    static func firstSentenceMark(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let word = UnsafeRawPointer(text.baseAddress! + start).loadUnaligned(as: UInt64.self)
        return (marks(word, 0x0A) | marks(word, 0x2E) | marks(word, 0x21) | marks(word, 0x3F) | marks(word, 0x5D)).trailingZeroBitCount >> 3
    }

    /// The sentence boundary at the `.`, `!` or `?` at `mark`: where the sentence ends (after
    /// closing quotes and brackets and footnote markers) and where the next one starts; nil
    /// when the mark ends no sentence (an abbreviation, a decimal, no capital after it, a
    /// list number). Reads no further than `limit`; decided by the bytes around the mark.
    private static func boundary(at mark: Int, in text: UnsafeBufferPointer<UInt8>, limit: Int) -> (end: Int, next: Int)? {
        if text[mark] == 0x5D { return referenceBoundary(at: mark, in: text, limit: limit) }
        var after = mark + 1
        while after < limit, let length = closingMarkLength(text, at: after) { after += length }
        guard after < limit else { return nil }
        if !isSpace(text[after]) {
            if after == mark + 1, text[mark] == 0x2E, isGluedSentenceEnd(text, dot: mark, limit: limit) {
                return endsWithAbbreviation(text, dot: mark, from: 0) ? nil : (after, after)
            }
            after = footnoteEnd(text, mark: mark, from: after, limit: limit)
            guard after < limit, isSpace(text[after]) else { return nil }
        }
        var next = after
        while next < limit, isSpace(text[next]) { next += 1 }
        guard next < limit, startsSentence(text, at: next) else { return nil }
        if text[mark] == 0x2E {
            if endsWithAbbreviation(text, dot: mark, from: 0) || isListNumber(text, dot: mark) { return nil }
        }
        return (after, next)
    }

    /// The boundary after a bracketed reference that ends a sentence with no mark before it, as
    /// summaries run their bullets inline: "... cardiomyopathy (ACM) [1][7] - The RMAT designation
    /// allows ...", "... potential endpoints [2] Company Developments". The reference ("[1]",
    /// "[2, 3]") follows a word, not a sentence mark (those `boundary` reads), is the last of its
    /// run, and white space, an optional dash, then a capital follow it.
    private static func referenceBoundary(at close: Int, in text: UnsafeBufferPointer<UInt8>, limit: Int) -> (end: Int, next: Int)? {
        guard var first = referenceOpening(closedAt: close, in: text) else { return nil }
        // The first reference of the run follows a word or a closing bracket, not a sentence mark.
        while first > 0, text[first - 1] == 0x5D, let earlier = referenceOpening(closedAt: first - 1, in: text) { first = earlier }
        var before = first - 1
        while before >= 0, text[before] == 0x20 { before -= 1 }
        guard before >= 0, isASCIILetter(text[before]) || isDigit(text[before]) || text[before] == 0x29 else { return nil }
        var next = close + 1
        guard next < limit, isSpace(text[next]) else { return nil }
        while next < limit, isSpace(text[next]) { next += 1 }
        // A dash between ("[1][7] - The"): a hyphen, an en or an em dash, then white space.
        if next < limit, text[next] == 0x2D, next + 1 < limit, isSpace(text[next + 1]) {
            next += 1
        } else if next + 2 < limit, text[next] == 0xE2, text[next + 1] == 0x80, text[next + 2] == 0x93 || text[next + 2] == 0x94,
                  next + 3 < limit, isSpace(text[next + 3]) {
            next += 3
        }
        while next < limit, isSpace(text[next]) { next += 1 }
        guard next < limit, startsSentence(text, at: next) else { return nil }
        return (close + 1, next)
    }

    /// Where the reference that `close` ends opens: "[1]", "[2, 3]", "[4-6]" (digits first, at
    /// most 16 bytes), or nil.
    private static func referenceOpening(closedAt close: Int, in text: UnsafeBufferPointer<UInt8>) -> Int? {
        var open = close - 1
        while open >= 0, close - open <= 16, isReferenceByte(text[open]) { open -= 1 }
        guard open >= 0, text[open] == 0x5B, open + 1 < close, isDigit(text[open + 1]) else { return nil }
        return open
    }

    /// A byte inside a reference's brackets: digits, commas, dashes and spaces.
    @inline(__always)
    private static func isReferenceByte(_ byte: UInt8) -> Bool { isDigit(byte) || byte == 0x2C || byte == 0x2D || byte == 0x20 }

    /// The end of the footnote markers right after a sentence mark, or `from` when there are
    /// none: bracketed references ("[1]", "[2, 3]", "[4-6]"), and digits after a word, not a
    /// number ("response.1", "challenge.2,3", "myeloma.¹"; "4.5" is a decimal).
    private static func footnoteEnd(_ text: UnsafeBufferPointer<UInt8>, mark: Int, from: Int, limit: Int) -> Int {
        var cursor = from
        while cursor < limit, text[cursor] == 0x5B {
            var inner = cursor + 1
            while inner < limit, inner - cursor <= 16, isReferenceByte(text[inner]) { inner += 1 }
            guard inner < limit, text[inner] == 0x5D, inner > cursor + 1, isDigit(text[cursor + 1]) else { break }
            cursor = inner + 1
        }
        if cursor > from { return cursor }
        guard mark > 0 else { return from }
        let before = text[mark - 1]
        guard isASCIILetter(before) || before == 0x29 || before == 0x25 || before == 0x22 else { return from }
        var group = 0
        var digits = 0
        while cursor < limit, cursor - from < 16 {
            let byte = text[cursor]
            if isDigit(byte) {
                group += 1
                digits += 1
                guard group <= 3 else { return from }
                cursor += 1
            } else if let length = superscriptDigitLength(text, at: cursor, limit: limit) {
                digits += 1
                cursor += length
            } else if (byte == 0x2C || byte == 0x2D), digits > 0, cursor + 1 < limit, isDigit(text[cursor + 1]) {
                group = 0
                cursor += 1
            } else {
                break
            }
        }
        return digits > 0 ? cursor : from
    }

    /// Length of a superscript digit at `index`: ¹ ² ³ (C2 B9, B2, B3), ⁰ ⁴-⁹ (E2 81 B0, B4-B9).
    @inline(__always)
    private static func superscriptDigitLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int, limit: Int) -> Int? {
        let byte = text[index]
        if byte == 0xC2, index + 1 < limit, [0xB9, 0xB2, 0xB3].contains(text[index + 1]) { return 2 }
        if byte == 0xE2, index + 2 < limit, text[index + 1] == 0x81, text[index + 2] == 0xB0 || (0xB4...0xB9).contains(text[index + 2]) {
            return 3
        }
        return nil
    }

    /// "approval.The company", "narcolepsy.AXS-12 is": a dot between a lower-case letter and a
    /// capitalised word or a product code, in a run of text with no other dot, slash, colon or @
    /// (not "www.ImmunityBio.com", "e.g.The").
    private static func isGluedSentenceEnd(_ text: UnsafeBufferPointer<UInt8>, dot: Int, limit: Int) -> Bool {
        guard dot > 0, dot + 2 < limit, isLowercaseASCII(text[dot - 1]), (0x41...0x5A).contains(text[dot + 1]),
              isLowercaseASCII(text[dot + 2]) || isCodeWord(text, from: dot + 1, limit: limit) else { return false }
        func isLinkByte(_ byte: UInt8) -> Bool { byte == 0x2E || byte == 0x2F || byte == 0x3A || byte == 0x40 || byte == 0x5C }
        var cursor = dot - 1
        while cursor >= 0, !isSpace(text[cursor]) {
            if isLinkByte(text[cursor]) || dot - cursor > 64 { return false }
            cursor -= 1
        }
        cursor = dot + 1
        while cursor < limit, !isSpace(text[cursor]) {
            let byte = text[cursor]
            // A dot that ends the next word is punctuation; one between letters is a domain.
            if byte == 0x2E, cursor + 1 < limit, isASCIILetter(text[cursor + 1]) { return false }
            if byte != 0x2E, isLinkByte(byte) { return false }
            if cursor - dot > 64 { return false }
            cursor += 1
        }
        return true
    }

    /// Whether the word at `start` is written like a product code: capitals, then a hyphen or a
    /// digit before its end ("AXS-12", "CT053"); "FDA" or "PDF" alone are not.
    private static func isCodeWord(_ text: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Bool {
        var cursor = start
        while cursor < limit, (0x41...0x5A).contains(text[cursor]) { cursor += 1 }
        return cursor - start >= 2 && cursor < limit && (text[cursor] == 0x2D || isDigit(text[cursor]))
    }

    /// Whether the dot ends a list number at the start of a line ("1. The first"): not a sentence end.
    private static func isListNumber(_ text: UnsafeBufferPointer<UInt8>, dot: Int) -> Bool {
        var cursor = dot - 1
        while cursor >= 0, dot - cursor <= 2, isDigit(text[cursor]) { cursor -= 1 }
        guard cursor < dot - 1, cursor < 0 || !isDigit(text[cursor]) else { return false }
        while cursor >= 0, text[cursor] == 0x20 || text[cursor] == 0x09 { cursor -= 1 }
        return cursor < 0 || text[cursor] == 0x0A
    }

    /// Where the list item on the line after the line feed at `newline` starts: a bullet ("•",
    /// "◦", "▪", "–", "-", "*") or a number ("1.", "12)") followed by a space; nil for any other line.
    private static func bulletLine(after newline: Int, in text: UnsafeBufferPointer<UInt8>, limit: Int) -> Int? {
        var start = newline + 1
        while start < limit, text[start] == 0x20 || text[start] == 0x09 || text[start] == 0x0D { start += 1 }
        guard start < limit else { return nil }
        var marker = start
        let byte = text[start]
        if byte == 0x2D || byte == 0x2A {
            marker += 1
        } else if byte == 0xE2, start + 2 < limit,
                  (text[start + 1] == 0x80 && (text[start + 2] == 0xA2 || text[start + 2] == 0x93))
                    || (text[start + 1] == 0x97 && text[start + 2] == 0xA6) || (text[start + 1] == 0x96 && text[start + 2] == 0xAA) {
            marker += 3
        } else if isDigit(byte) {
            while marker < limit, marker - start < 2, isDigit(text[marker]) { marker += 1 }
            guard marker < limit, text[marker] == 0x2E || text[marker] == 0x29 else { return nil }
            marker += 1
        } else {
            return nil
        }
        guard marker < limit, text[marker] == 0x20 || text[marker] == 0x09 else { return nil }
        return start
    }

    /// The end of the text before the line feed at `newline`, without trailing spaces (no earlier than `from`).
    private static func trimmedEnd(_ text: UnsafeBufferPointer<UInt8>, before newline: Int, from: Int) -> Int {
        var end = newline
        while end > from, text[end - 1] == 0x20 || text[end - 1] == 0x09 || text[end - 1] == 0x0D { end -= 1 }
        return end
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
        // Room for a sentence per 100 bytes at once, not grown step by step (most sentences are longer).
        ranges.reserveCapacity(paragraph.count / 100 + 2)
        var start = paragraph.lowerBound
        var index = paragraph.lowerBound
        let end = paragraph.upperBound
        while index < end {
            // Eight bytes at a time over text with no line break and no sentence mark, then
            // straight to the first one.
            if index + 8 <= end {
                let skip = firstSentenceMark(text, from: index)
                index += skip
                if skip == 8 { continue }
            }
            let byte = text[index]
            if byte == 0x0A {
                if let bullet = bulletLine(after: index, in: text, limit: end) {
                    let last = trimmedEnd(text, before: index, from: start)
                    if start < last { ranges.append(start..<last) }
                    start = bullet
                    index = bullet
                    continue
                }
                index += 1
                continue
            }
            guard isSentenceMark(byte) else {
                index += 1
                continue
            }
            if let found = boundary(at: index, in: text, limit: end) {
                ranges.append(start..<found.end)
                start = found.next
                index = found.next
            } else {
                index += 1
            }
        }
        if start < end { ranges.append(start..<end) }
        return ranges
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    @inline(__always)
    private static func isLowercaseASCII(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }

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
            // Initials ("J. Smith"), but not a letter that labels the word before it ("CAR T.", "Phase I.", "Cohort B.").
            if dot - wordStart == 1 { return isASCIILetter(text[wordStart]) && !isLabelledBy(text, letterAt: wordStart, from: start) }
            guard let key = packedKey(text, wordStart..<dot) else { return false }
            return abbreviationKeys.contains(key)
                || ((0x41...0x5A).contains(text[wordStart]) && capitalisedAbbreviationKeys.contains(key))
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

    /// Whether the single letter at `letter` follows a word that takes a letter as a label ("CAR T").
    private static func isLabelledBy(_ text: UnsafeBufferPointer<UInt8>, letterAt letter: Int, from start: Int) -> Bool {
        var end = letter
        while end > start, text[end - 1] == 0x20 || text[end - 1] == 0x2D { end -= 1 }
        guard end < letter else { return false }
        var wordStart = end
        while wordStart > start, end - wordStart < 10, isASCIILetter(text[wordStart - 1]) { wordStart -= 1 }
        guard wordStart < end, wordStart == start || !isASCIILetter(text[wordStart - 1]) else { return false }
        return packedKey(text, wordStart..<end).map(labelWordKeys.contains) ?? false
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
