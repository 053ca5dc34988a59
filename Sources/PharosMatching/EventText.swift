#if canImport(Glibc)
import Glibc
#endif

/// Background sections of a text: from a heading such as "About NXC-201" or "Forward-Looking
/// Statements" on a line of its own to the end of the text.
enum Sections {
    /// Where the first background section starts, and its heading.
    static func firstBackground(_ text: UnsafeBufferPointer<UInt8>) -> (start: Int, heading: String)? {
        var lineStart = 0
        // "Read More »" under every teaser of a list is a link, not a section of related news:
        // such a label starts a section only when it is the only one.
        var label: (start: Int, heading: String)?
        var labels = 0
        while lineStart < text.count {
            let lineEnd = ByteSearch.next(0x0A, in: text, from: lineStart) ?? text.count
            if let heading = heading(text, lineStart..<lineEnd) {
                if !isLinkLabel(heading) { return labels == 1 ? label : (lineStart, heading) }
                labels += 1
                if label == nil { label = (lineStart, heading) }
            }
            lineStart = lineEnd + 1
        }
        return labels == 1 ? label : nil
    }

    private static func isLinkLabel(_ heading: String) -> Bool {
        heading.lowercased().hasPrefix("read more")
    }

    /// Per byte: whether a heading can start with it (the first letter of one, in either case).
    private static let headingStarts: [Bool] = (0...255).map { byte in
        EventCues.backgroundHeadings.contains { heading in heading.utf8.first.map { $0 == UInt8(byte) || $0 == UInt8(byte) | 0x20 } ?? false }
    }

    /// The first two bytes of every heading, as one number.
    private static let headingPairs: [UInt16] = EventCues.backgroundHeadings.map { heading in
        let bytes = Array(heading.utf8)
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    private static let headingBytes: [[UInt8]] = EventCues.backgroundHeadings.map { Array($0.utf8) }

    /// Whether a heading may begin `line`: its bytes in lower case, compared byte by byte; a byte
    /// other than ASCII (whose lower case is not a byte's) leaves the question to the full test.
    private static func mayBeginHeading(_ text: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Bool {
        for heading in headingBytes {
            var offset = 0
            while offset < heading.count, line.lowerBound + offset < line.upperBound {
                let byte = text[line.lowerBound + offset]
                if byte >= 0x80 { return true }
                if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != heading[offset] { break }
                offset += 1
            }
            if offset == heading.count { return true }
        }
        return false
    }

    private static func heading(_ text: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> String? {
        var start = line.lowerBound
        // Markdown and list marks around a heading: "**About X**", "## About X", "_About X_".
        while start < line.upperBound, [0x20, 0x09, 0x2A, 0x23, 0x5F, 0x3E].contains(text[start]) { start += 1 }
        var end = line.upperBound
        while end > start, [0x20, 0x09, 0x0D, 0x2A, 0x5F, 0x3A].contains(text[end - 1]) { end -= 1 }
        guard end > start, end - start <= 160, headingStarts[Int(text[start])] else { return nil }
        // Most lines are prose: unless their first two letters begin a heading (in any case),
        // no string is made of them. Other bytes than ASCII take the full test.
        if end - start >= 2, text[start] < 0x80, text[start + 1] < 0x80,
           !headingPairs.contains(UInt16(text[start] | 0x20) << 8 | UInt16(text[start + 1] | 0x20)) {
            return nil
        }
        // Nor unless a whole heading begins it: every heading found below is a prefix of the line.
        guard mayBeginHeading(text, start..<end) else { return nil }
        let written = String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
        let lower = written.lowercased()
        // "About Immix Biopharma" (a capital after it): "About 40% of patients" is not a heading.
        if written.hasPrefix("About ") || written.hasPrefix("ABOUT ") {
            let after = written.dropFirst(6).unicodeScalars.first
            guard let after, after.properties.isUppercase, start > 200 else { return nil }
            // A heading is short, or ends no sentence; an About line run into its paragraph is long.
            if end - start > 90, ByteSearch.first([0x2E, 0x20], in: Array(written.utf8)) != nil { return String(written.prefix(60)) }
            return written
        }
        for heading in EventCues.backgroundHeadings where heading != "about" {
            if lower == heading || (lower.hasPrefix(heading) && end - start <= heading.utf8.count + 30 && ByteSearch.first([0x2E, 0x20], in: Array(lower.utf8)) == nil
                && (lower.dropFirst(heading.count).first.map { $0 == " " || $0 == ":" || $0 == "(" } ?? true)) {
                return written
            }
        }
        return nil
    }
}

/// Dates written in a sentence, compared with the item's own. Read on the bytes, word by
/// word: a sentence costs one array of word ranges and no string until a date is found.
enum Temporal {
    static let months: [(String, Int)] = [
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7), ("august", 8),
        ("september", 9), ("october", 10), ("november", 11), ("december", 12), ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4),
        ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ]
    /// Per byte: whether a year ("1", "2") or a capitalised month ("J", "F", "M", "A", "S", "O", "N", "D") starts with it.
    private static let mayStartDate: [Bool] = (0...255).map { Array("12JFMASOND".utf8).contains(UInt8($0)) }

    /// Whether a paragraph is a date alone ("December 23, 2022", "23 Dec 2022", "Friday, 6 March 2020"):
    /// a month, a year, and nothing but days and weekdays beside them.
    static func isDateLine(_ text: UnsafeBufferPointer<UInt8>, _ paragraph: Range<Int>) -> Bool {
        guard paragraph.count <= 40, mayHoldDate(text, paragraph) else { return false }
        var (month, year) = (false, false)
        for word in wordRanges(text, paragraph) {
            if let value = number(text, word) {
                if (1990...2099).contains(value) { year = true } else if !(1...31).contains(value) { return false }
                continue
            }
            let lowered = String(decoding: text[word], as: UTF8.self).lowercased()
            if months.contains(where: { $0.0 == lowered }) {
                month = true
            } else if !weekdays.contains(lowered) {
                return false
            }
        }
        return month && year
    }

    static let weekdays: Set<String> = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
    ]

    /// Whether `range` holds a digit or a capitalised month's first letters: only then can it be dated.
    static func mayHoldDate(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        // Eight bytes at a time past bytes that start no date: neither "1", "2" nor a capital
        // (a superset of the months' first letters), each byte that does tested below.
        if let base = text.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high = ones &* 0x80
            while index + 8 <= range.upperBound {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                // Per byte below 0x80 (adding to it carries into no other): from "1" to "2", from "A" to "Z".
                let ascii = word & ~high
                let oneOrTwo = (ascii &+ ones &* (0x80 - 0x31)) & ~(ascii &+ ones &* (0x7F - 0x32))
                let capital = (ascii &+ ones &* (0x80 - 0x41)) & ~(ascii &+ ones &* (0x7F - 0x5A))
                var candidates = (oneOrTwo | capital) & ~word & high
                while candidates != 0 {
                    if startsDate(text, at: index + candidates.trailingZeroBitCount >> 3, in: range) { return true }
                    candidates &= candidates &- 1
                }
                index += 8
            }
        }
        while index < range.upperBound {
            if startsDate(text, at: index, in: range) { return true }
            index += 1
        }
        return false
    }

    /// Whether a date may start at `index` of `range`: a year ("19" or "20" and two more digits)
    /// or a capitalised month's first three letters after a space.
    @inline(__always)
    private static func startsDate(_ text: UnsafeBufferPointer<UInt8>, at index: Int, in range: Range<Int>) -> Bool {
        let byte = text[index]
        guard mayStartDate[Int(byte)] else { return false }
        // A year: "19" or "20" and two more digits.
        if byte == 0x31 || byte == 0x32, index + 3 < range.upperBound, isDigit(text[index + 1]), isDigit(text[index + 2]),
           isDigit(text[index + 3]) { return true }
        // J F M A S O N D, then two lower-case letters that begin a month.
        return (byte == 0x4A || byte == 0x46 || byte == 0x4D || byte == 0x41 || byte == 0x53 || byte == 0x4F || byte == 0x4E || byte == 0x44)
            && index + 2 < range.upperBound && text[index + 1] >= 0x61 && text[index + 2] >= 0x61
            && (index == range.lowerBound || text[index - 1] == 0x20)
            && month(text, index..<(index + 3)) != nil
    }

    /// The latest year from 1990 to 2099 written as a number of its own, read on the bytes: a
    /// run of exactly four digits. Eight bytes at a time, each told a digit by adding to it
    /// (bytes below 0x80 carry into no other), and the places where four digits start found
    /// at once with the next eight bytes' digits; only those are read one by one.
    static func latestYear(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var latest: Int?
        let count = text.count
        guard count >= 4, let base = text.baseAddress else { return nil }
        /// The four digits at `start`, when no digit is next to them.
        func consider(_ start: Int) {
            guard start == 0 || !isDigit(text[start - 1]), start + 4 == count || !isDigit(text[start + 4]) else { return }
            var value = 0
            for index in start..<(start + 4) { value = value * 10 + Int(text[index] - 0x30) }
            if (1990...2099).contains(value) { latest = max(latest ?? 0, value) }
        }
        @inline(__always) func digits(at index: Int) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high = ones &* 0x80
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let ascii = word & ~high
            // x + (0x80 - low) has its top bit when x >= low, x + (0x7F - high) when x > high.
            return (ascii &+ ones &* (0x80 - 0x30)) & ~(ascii &+ ones &* (0x7F - 0x39)) & ~word & high
        }
        var index = 0
        if count >= 16 {
            var current = digits(at: 0)
            while index + 16 <= count {
                let next = digits(at: index + 8)
                // Byte k: bytes k to k + 3 are digits (the last ones from the next eight).
                var starts = current & (current >> 8 | next << 56) & (current >> 16 | next << 48) & (current >> 24 | next << 40)
                while starts != 0 {
                    consider(index + starts.trailingZeroBitCount >> 3)
                    starts &= starts &- 1
                }
                current = next
                index += 8
            }
        }
        while index + 4 <= count {
            if isDigit(text[index]), isDigit(text[index + 1]), isDigit(text[index + 2]), isDigit(text[index + 3]) { consider(index) }
            index += 1
        }
        return latest
    }

    static func dayOfYear(month: Int, day: Int) -> Int {
        let before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return before[max(0, min(11, month - 1))] + day
    }

    /// The year (and day, when given) of the dateline: the first date in the first 400 bytes of
    /// the first paragraph that is not an event's own ("In August 2017, X received ..." dates X's
    /// event, not the item).
    static func dateline(_ text: UnsafeBufferPointer<UInt8>) -> (year: Int, dayOfYear: Int?)? {
        var limit = min(400, text.count)
        if limit > 1, let blank = (1..<limit).first(where: { text[$0] == 0x0A && text[$0 - 1] == 0x0A }) { limit = blank }
        let words = wordRanges(text, 0..<limit)
        func opensEventDate(_ index: Int) -> Bool {
            index >= 1 && ["in", "since", "during", "until", "by", "from"].contains { Self.word(text, words[index - 1], is: $0) }
        }
        for (index, word) in words.enumerated() {
            guard let year = number(text, word), (1990...2099).contains(year) else { continue }
            if opensEventDate(index) || (index >= 1 && month(text, words[index - 1]) != nil && opensEventDate(index - 1)) { continue }
            // "Feb. 10, 2025": month and day before the year.
            if index >= 2, let month = month(text, words[index - 2]), let day = number(text, words[index - 1]), (1...31).contains(day) {
                return (year, dayOfYear(month: month, day: day))
            }
            return (year, nil)
        }
        return nil
    }

    /// The month a word names ("March", "mar", "Sept"), in any case.
    static func month(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Int? {
        // Most words are no month: three to nine letters, the first one of "jfmasond".
        guard (3...9).contains(word.count) else { return nil }
        switch lowered(text[word.lowerBound]) {
        case 0x6A, 0x66, 0x6D, 0x61, 0x73, 0x6F, 0x6E, 0x64: break
        default: return nil
        }
        // The word lower-cased in one number ("september", nine letters, without its last).
        var key: UInt64 = 0
        for index in word.prefix(8) { key = key << 8 | UInt64(lowered(text[index])) }
        if word.count == 9 { return key == monthKeys.september && lowered(text[word.upperBound - 1]) == 0x72 ? 9 : nil }
        return monthKeys.short.first { $0.key == key }?.month
    }

    /// `months` as numbers of their lower-case bytes, for `month`.
    private static let monthKeys: (short: [(key: UInt64, month: Int)], september: UInt64) = (
        months.filter { $0.0.utf8.count <= 8 }.map { name, month in (name.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, month) },
        "septembe".utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    )

    /// The value of a word of digits alone, nil for any other word (or one too long for an Int).
    static func number(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Int? {
        guard !word.isEmpty else { return nil }
        var value = 0
        for index in word {
            guard isDigit(text[index]) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = shifted.addingReportingOverflow(Int(text[index] - 0x30))
            guard !overflow, !overflowSum else { return nil }
            value = sum
        }
        return value
    }

    /// The ASCII words and numbers of `range` as byte ranges (anything else separates them).
    static func wordRanges(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Range<Int>] {
        var words: [Range<Int>] = []
        // About one word in six bytes of prose: room for them at once, not grown step by step.
        words.reserveCapacity(range.count / 5 + 4)
        var start = -1
        for index in range.lowerBound...range.upperBound {
            let isWord = index < range.upperBound && (isLetter(text[index]) || isDigit(text[index]))
            if isWord, start < 0 { start = index }
            if !isWord, start >= 0 {
                words.append(start..<index)
                start = -1
            }
        }
        return words
    }

    /// Whether the word is `lower` (ASCII lower case), in any case.
    static func word(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, is lower: StaticString) -> Bool {
        guard word.count == lower.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)
        return zip(expected, word).allSatisfy { $0 == lowered(text[$1]) }
    }

    /// A date in the sentence `range` of `text` more than three weeks before `reference` ("in
    /// 2019", "In March,"), as written.
    static func earlierDate(
        in text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, than reference: (year: Int, dayOfYear: Int?), monthsOnly: Bool = false
    ) -> String? {
        func written(_ word: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: text[word]), as: UTF8.self) }
        let words = wordRanges(text, range)
        for (index, word) in words.enumerated() {
            // A lead's years may be its dateline's ("2025 /PRNewswire/"); "in 2019" is an event's.
            if !monthsOnly || (index >= 1 && Self.word(text, words[index - 1], is: "in")), word.count == 4,
               let year = number(text, word), (1990...2099).contains(year), year < reference.year {
                // "December 28, 2024" in an item of January 3, 2025 is not earlier news.
                if year == reference.year - 1, let day = reference.dayOfYear, day <= 21, index >= 1,
                   let month = month(text, words[index - (number(text, words[index - 1]) != nil && index >= 2 ? 2 : 1)]), month == 12 { continue }
                return written(word)
            }
            // A capital first, which most words lack, before the month is looked up.
            guard isCapital(text[word.lowerBound]), index >= 1, let month = month(text, word) else { continue }
            let before = words[index - 1]
            let isIn = Self.word(text, before, is: "in")
            let isSince = Self.word(text, before, is: "since")
            guard isIn || isSince || Self.word(text, before, is: "on") || Self.word(text, before, is: "during") else { continue }
            let next = index + 1 < words.count ? number(text, words[index + 1]) : nil
            let nextIsDay = next.map { (1...31).contains($0) } ?? false
            let nextIsYear = next != nil && words[index + 1].count == 4
            if nextIsYear { continue }  // the year decides, above
            guard let referenceDay = reference.dayOfYear, !monthsOnly else {
                // Without the item's day, only "In March," with no day is taken for an earlier event.
                if !nextIsDay, isIn || isSince { return "\(written(before)) \(written(word))" }
                continue
            }
            let day = nextIsDay ? next! : 15
            if dayOfYear(month: month, day: day) < referenceDay - 21 {
                return "\(written(before)) \(written(word))\(nextIsDay ? " \(written(words[index + 1]))" : "")"
            }
        }
        return nil
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    @inline(__always) static func isCapital(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    @inline(__always) static func lowered(_ byte: UInt8) -> UInt8 { isCapital(byte) ? byte | 0x20 : byte }
}

/// Development codes recognised by their shape (`NXC-201`, `CT053`, `JNJ-64007957`, `DS-8201a`):
/// two to five capitals, an optional hyphen, two to eight digits and at most two letters.
enum Codes {
    /// Prefixes of codes that are not products: trial registrations, fiscal periods, standards,
    /// diseases, CD markers, conferences.
    static let notProducts: Set<String> = [
        "NCT", "FY", "ISO", "COVID", "SARS", "CD", "EU", "US", "UK", "ASCO", "ESMO", "ASH", "AACR", "EHA", "SITC", "SABCS", "WCLC",
        "ASGCT", "ISRCTN", "EUDRACT", "CTR", "CTIS", "ICD", "IL", "HER", "HLA", "BRCA", "IGHV", "DSM", "PMID", "DOI", "ECOG",
        "CFR", "USC", "HR", "CIK", "SEC", "NASDAQ", "NYSE", "HKEX", "SSE", "SZSE", "KOSDAQ", "TSE", "PDUFA", "GMT", "EST", "EDT",
    ]

    static func find(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var index = 0
        let count = text.count
        while index < count {
            // Eight bytes at a time past text with no capital letter (a code starts with one).
            if index + 8 <= count {
                let skip = capitalMarks(UnsafeRawPointer(text.baseAddress! + index).loadUnaligned(as: UInt64.self)).trailingZeroBitCount >> 3
                index += skip
                if skip == 8 { continue }
            }
            let byte = text[index]
            guard byte >= 0x41, byte <= 0x5A, index == 0 || !isWordByte(text[index - 1]) else {
                index += 1
                continue
            }
            // A capital then a small letter ("Arvinas") begins no code of any shape; the capitals
            // later in the word follow a letter, so they start nothing either.
            if index + 1 < count, text[index + 1] >= 0x61, text[index + 1] <= 0x7A {
                index += 2
                continue
            }
            // The whole token: letters, digits and inner hyphens ("C-CAR039", "P-BCMA-101", "JNJ-68284528").
            var end = index
            var holdsDigit = false
            while end < count {
                let byte = text[end]
                if isDigit(byte) {
                    holdsDigit = true
                } else if !isLetter(byte), !(byte == 0x2D && end + 1 < count && (isLetter(text[end + 1]) || isDigit(text[end + 1]))) {
                    break
                }
                end += 1
            }
            defer { index = max(end, index + 1) }
            // Most capitalised words hold no digit: no code, and nothing to allocate for them.
            guard end - index <= 20, holdsDigit, let code = shape(text, index..<end) else { continue }
            found.append(code)
        }
        return found
    }

    /// The token as a code, or nil: its first run of capitals (2 to 5) then digits (2 to 8, 4 or
    /// more after 5 capitals), at most two letters after, or a token of several parts of which
    /// one has that shape and the rest are capitals or digits ("C-CAR039", "P-BCMA-101").
    private static func shape(_ text: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> Range<Int>? {
        var hyphens = 0
        var firstHyphen = token.upperBound
        for position in token where text[position] == 0x2D {
            if hyphens == 0 { firstHyphen = position }
            hyphens += 1
        }
        // "NXC-201", "DS-8201a": capitals, a hyphen, digits.
        if hyphens == 1 {
            let first = token.lowerBound..<firstHyphen
            let second = (firstHyphen + 1)..<token.upperBound
            if isCapitals(text, first), (2...5).contains(first.count), isDigitsThenLetters(text, second) {
                return accept(text, token, letters: first.count, digits: digitCount(text, second))
            }
        }
        // "CT053", "AZD0901": capitals then digits in one part.
        if hyphens == 0 {
            var cursor = token.lowerBound
            while cursor < token.upperBound, isCapital(text[cursor]) { cursor += 1 }
            let letters = cursor - token.lowerBound
            guard (2...5).contains(letters), cursor < token.upperBound, isDigitsThenLetters(text, cursor..<token.upperBound) else { return nil }
            return accept(text, token, letters: letters, digits: digitCount(text, cursor..<token.upperBound))
        }
        // "C-CAR039", "P-BCMA-101", "ALLO-501A": several parts, capitals and digits only, with digits.
        var parts: [Range<Int>] = []
        var start = token.lowerBound
        for position in token where text[position] == 0x2D {
            parts.append(start..<position)
            start = position + 1
        }
        parts.append(start..<token.upperBound)
        let digits = parts.reduce(0) { $0 + digitCount(text, $1) }
        let capitals = token.reduce(0) { $0 + (isCapital(text[$1]) ? 1 : 0) }
        guard parts.count <= 4, digits >= 2, capitals >= 2,
              parts.allSatisfy({ part in part.allSatisfy { isCapital(text[$0]) || isDigit(text[$0]) } || isDigitsThenLetters(text, part) })
        else { return nil }
        return accept(text, token, letters: capitals, digits: digits)
    }

    private static func accept(_ text: UnsafeBufferPointer<UInt8>, _ token: Range<Int>, letters: Int, digits: Int) -> Range<Int>? {
        guard (2...8).contains(digits), letters < 5 || digits >= 4 else { return nil }
        var prefixEnd = token.lowerBound
        while prefixEnd < token.upperBound, isCapital(text[prefixEnd]) { prefixEnd += 1 }
        if let key = packed(text, token.lowerBound..<prefixEnd), notProductKeys.contains(key) { return nil }
        // Years after a word ("EHA2024"), and "COVID-19"-like names: four digits that are a year.
        var digitsStart = prefixEnd
        while digitsStart < token.upperBound, !isDigit(text[digitsStart]) { digitsStart += 1 }
        var digitsEnd = digitsStart
        while digitsEnd < token.upperBound, isDigit(text[digitsEnd]) { digitsEnd += 1 }
        if digitsEnd - digitsStart == 4, let year = Temporal.number(text, digitsStart..<digitsEnd), (1990...2039).contains(year) { return nil }
        // "KEYNOTE-522 trial", "the ZUMA-76 study": trial names.
        let following = token.upperBound..<min(text.count, token.upperBound + 6)
        if Temporal.word(text, following, is: " trial") || Temporal.word(text, following, is: " study")
            || Temporal.word(text, following, is: " phase") { return nil }
        return token
    }

    /// `notProducts` as `packed` keys: a prefix is looked up without making a string of it.
    private static let notProductKeys = Set(notProducts.compactMap { name in
        Array(name.utf8).withUnsafeBufferPointer { packed($0, 0..<$0.count) }
    })

    /// Up to eight bytes as one number (longer: nil, and no prefix in `notProducts` is).
    private static func packed(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
        guard range.count <= 8 else { return nil }
        return range.reduce(UInt64(range.count)) { $0 << 8 | UInt64(text[$1]) }
    }

    private static func isCapital(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    /// The high bit of each of the eight bytes of `word` that is an ASCII capital (0x41–0x5A),
    /// exactly: no carry crosses a byte; bytes of 0x80 and above never count.
    @inline(__always)
    static func capitalMarks(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low = word & (ones &* 0x7F)
        // Per byte: the high bit of (0x7F + 0x5B - b) is set for b < 0x5B, that of (b + 0x7F - 0x40) for b > 0x40.
        let belowEnd = (ones &* (0x7F + 0x5B)) &- low
        let aboveStart = low &+ (ones &* (0x7F - 0x40))
        return belowEnd & aboveStart & ~word & (ones &* 0x80)
    }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isCapitals(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && range.allSatisfy { isCapital(text[$0]) }
    }

    private static func digitCount(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        range.reduce(0) { $0 + (isDigit(text[$1]) ? 1 : 0) }
    }

    /// Digits, then at most two letters: "201", "8201a", "501A".
    private static func isDigitsThenLetters(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var cursor = range.lowerBound
        while cursor < range.upperBound, isDigit(text[cursor]) { cursor += 1 }
        guard cursor > range.lowerBound, range.upperBound - cursor <= 2 else { return false }
        return (cursor..<range.upperBound).allSatisfy { isLetter(text[$0]) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 || byte == 0x2D
    }
}

/// Drug names the vocabulary lacks, recognised by the stems the WHO's International
/// Nonproprietary Names give each class: "seclidemstat", "enobosarm"'s peers "sotorasib",
/// "lifileucel", "talimogene laherparepvec". Only stems no common English word ends with.
enum NonproprietaryNames {
    /// Stems, reversed for comparing from a word's end, longest first where one ends another.
    static let stems: [[UInt8]] = [
        "mab", "nib", "ciclib", "parib", "lisib", "rasib", "sertib", "zomib", "degib", "tecan", "taxel", "platin", "rubicin",
        "dotin", "tansine", "leucel", "temcel", "cabtagene", "parvovec", "repvec", "grastim", "siran", "rsen", "demstat",
        "nostat", "tostat", "lestat", "glutide",
        // The antibody stems of the 2021 scheme: "enlonstobart", "raludotatug" (deruxtecan's antibody), "-mig" multispecifics.
        "tug", "bart", "mig",
    ].map { Array($0.utf8.reversed()) }

    /// Per pair of lower-case letters (`(first - 0x61) * 26 + second - 0x61`): whether a stem
    /// ends with it. Most long words end with no such pair ("-tion", "-ment", "-ed", "-ing"), and
    /// their stems are not compared at all.
    static let stemEndings: [Bool] = {
        var endings = [Bool](repeating: false, count: 26 * 26)
        for stem in stems { endings[(Int(stem[1]) - 0x61) * 26 + Int(stem[0]) - 0x61] = true }
        return endings
    }()

    /// The names in `text`: a word of letters only, seven or more, lower-case after its first
    /// letter, ending in a stem.
    ///
    /// A word of seven letters or more holds the seventh byte from wherever its search starts
    /// (`from`, just after a byte that is no letter): when that byte is no letter, no such word
    /// starts before it, and the search moves on seven bytes without reading the ones between.
    /// Most words of prose are shorter: most of the text is never read.
    static func find(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        // The global tables read once, not at every word.
        let (stems, stemEndings) = (Self.stems, Self.stemEndings)
        let count = text.count
        // Every word that starts before `from` is read, and the byte before `from` is no letter.
        var from = 0
        while from + 7 <= count {
            let probe = from + 6
            guard isLetter(text[probe]) else {
                from = probe + 1
                continue
            }
            // The word that holds the probe: back to its start (not before `from`), on to its end.
            var start = probe
            while start > from, isLetter(text[start - 1]) { start -= 1 }
            var end = probe + 1
            while end < count, isLetter(text[end]) { end += 1 }
            from = end + 1
            guard end - start >= 7 else { continue }
            // Glued to digits, hyphens or other letters: a code, a compound, another script.
            if start > 0, isJoining(text[start - 1]) { continue }
            if end < count, isJoining(text[end]) { continue }
            // Ending in a stem, in lower case: the last two letters first, which most words fail.
            let (secondLast, last) = (text[end - 2], text[end - 1])
            guard secondLast >= 0x61, last >= 0x61, stemEndings[(Int(secondLast) - 0x61) * 26 + Int(last) - 0x61] else { continue }
            // Lower-case after its first letter.
            var capital = false
            for index in (start + 1)..<end where text[index] < 0x61 {
                capital = true
                break
            }
            if capital { continue }
            if stems.contains(where: { stem in endsWith(text, start..<end, reversedStem: stem) }) {
                // An ADC's payload after its antibody is one name: "sofetabart mipitecan".
                if let antibody = found.last, antibody.upperBound + 1 == start, text[antibody.upperBound] == 0x20,
                   reversedPayloadStems.contains(where: { endsWith(text, start..<end, reversedStem: $0) }) {
                    found[found.count - 1] = antibody.lowerBound..<end
                } else {
                    found.append(start..<end)
                }
            }
        }
        return found
    }

    /// The modality a nonproprietary name's stem tells, as a modality id: "-mab" an antibody,
    /// "-nib" a small molecule, "-cabtagene" a CAR-T. Nil for a stem that tells none on its own
    /// ("-tecan", "-platin": a payload or a chemotherapy) and for any other word.
    static func modality(of name: String) -> String? {
        // Read on the name's UTF-8 bytes, capitals folded: the stems are ASCII, and no other
        // character's bytes fold into theirs.
        var name = name
        return name.withUTF8(modality(ofBytes:))
    }

    /// `modality(of:)` on a name's UTF-8 bytes, compared in lower case.
    private static func modality(ofBytes name: UnsafeBufferPointer<UInt8>) -> String? {
        func endsWith(_ stem: [UInt8]) -> Bool {
            guard name.count >= stem.count else { return false }
            let start = name.count - stem.count
            for (offset, byte) in stem.enumerated() {
                let written = name[start + offset]
                if (written >= 0x41 && written <= 0x5A ? written | 0x20 : written) != byte { return false }
            }
            return true
        }
        // An ADC is written with its payload's name after the antibody's: "belantamab mafodotin".
        if name.contains(0x20) { return adcPayloadStems.contains(where: endsWith) ? "adc" : nil }
        for (stems, modality) in stemModalityBytes where stems.contains(where: endsWith) { return modality }
        return nil
    }

    /// `stemModalities` and the ADC payloads' stems as bytes.
    private static let stemModalityBytes = stemModalities.map { stems, modality in (stems.map { Array($0.utf8) }, modality) }
    private static let adcPayloadStems = ["dotin", "tansine", "tecan"].map { Array($0.utf8) }
    private static let reversedPayloadStems = adcPayloadStems.map { Array($0.reversed()) }

    /// Stems that name a product's modality, the more specific first.
    private static let stemModalities: [(stems: [String], modality: String)] = [
        (["cabtagene"], "car-t"),
        (["mig"], "bispecific-antibody"),
        (["mab", "tug", "bart"], "monoclonal-antibody"),
        (["nib", "ciclib", "parib", "lisib", "rasib", "sertib", "zomib", "degib", "demstat", "nostat", "tostat", "lestat"], "small-molecule"),
        (["parvovec", "repvec"], "gene-therapy"),
        (["siran", "rsen"], "oligonucleotide"),
        (["grastim", "glutide"], "protein"),
    ]

    private static func endsWith(_ text: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, reversedStem stem: [UInt8]) -> Bool {
        guard word.count > stem.count else { return false }
        for (offset, byte) in stem.enumerated() where text[word.upperBound - 1 - offset] | 0x20 != byte { return false }
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    private static func isJoining(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 || byte == 0x2D || byte == 0x5F }
}

/// The indication a sentence gives after its subject: "for the treatment of patients with
/// relapsed or refractory multiple myeloma".
enum Indication {
    static let openings = [
        "for the treatment of adult patients with ", "for the treatment of patients with ", "for the treatment of adults with ",
        "for the treatment of ", "for adult patients with ", "for patients with ", "in patients with ", "for adults with ",
        "in adults with ", "to treat patients with ", "to treat ", "for people with ", "for ",
    ]
    static let endings = [". ", "; ", " (", ", based", ", which", ", and ", " based on", ", a ", ", an ", ", the ", ", as ", ", following", " and has ", " and the ", ", marking", ", making"]

    private static let openingBytes = openings.map { Array($0.utf8) }
    /// Per opening: the furthest place it may start; only close to the subject: a bare "for"
    /// far away is something else.
    private static let openingReach = openings.map { $0 == "for " ? 60 : 140 }
    /// Per byte: the openings that start with it, in the order of `openings`.
    private static let openingsByFirstByte: [[Int]] = (0...255).map { byte in openingBytes.indices.filter { openingBytes[$0][0] == byte } }
    /// What an indication is trimmed of besides white space.
    private static let trimmedAlso: Set<Character> = [".", ",", ";", ":", "\n"]
    private static let endingBytes = endings.map { Array($0.utf8) }
    /// Per byte: whether an ending starts with it, and whether one has it second (every ending
    /// has two bytes or more): a space before any other letter ends nothing.
    private static let endingStarts: [Bool] = (0...255).map { byte in endingBytes.contains { $0[0] == byte } }
    private static let endingSeconds: [Bool] = (0...255).map { byte in endingBytes.contains { $0[1] == byte } }

    /// The place of the bare "for " in `openings`.
    private static let plainForIndex = openings.firstIndex(of: "for ")!

    /// `bytes` without leading and trailing white space and `trimmedAlso`'s characters, when
    /// every byte is ASCII and none a carriage return (one character per byte); else nil.
    static func asciiTail(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        for byte in bytes where byte >= 0x80 || byte == 0x0D { return nil }
        func strip(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x2E || byte == 0x2C || byte == 0x3B || byte == 0x3A
        }
        var start = 0
        var end = bytes.count
        while start < end, strip(bytes[start]) { start += 1 }
        while end > start, strip(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// The indication in `sentence` of `text` after `offset` bytes into it.
    static func find(in text: UnsafeBufferPointer<UInt8>, sentence: Range<Int>, after offset: Int) -> String? {
        // Quotations speak of patients and hopes, not of the indication granted.
        let whole = UnsafeBufferPointer(rebasing: text[sentence])
        if whole.contains(0x22) || ByteSearch.first([0xE2, 0x80, 0x9C], in: whole) != nil { return nil }
        guard offset >= 0, offset < whole.count else { return nil }
        let rest = UnsafeBufferPointer(rebasing: whole[offset...])
        // The tables read once here, not at every byte.
        let (openingBytes, openingReach, openingsByFirstByte) = (Self.openingBytes, Self.openingReach, Self.openingsByFirstByte)
        let (endingBytes, endingStarts, endingSeconds) = (Self.endingBytes, Self.endingStarts, Self.endingSeconds)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rest.count) { buffer in
            for (index, byte) in rest.enumerated() { buffer[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
            let lower = UnsafeBufferPointer(buffer)
            // Where each opening first starts, found in one pass over the places an opening can
            // start (its first letter), not one search per opening.
            var firstAt = [Int](repeating: -1, count: openingBytes.count)
            var place = 0
            while place <= 140, place < lower.count {
                for index in openingsByFirstByte[Int(lower[place])] where firstAt[index] < 0 && place <= openingReach[index] {
                    if ByteSearch.holds(openingBytes[index], in: lower, at: place) { firstAt[index] = place }
                }
                place += 1
            }
            for index in openingBytes.indices where firstAt[index] >= 0 {
                let found = firstAt[index]
                let tailStart = found + openingBytes[index].count
                // The first ending after the opening: the earliest place where any of them starts.
                var cut = tailStart
                while cut < lower.count, !(endingStarts[Int(lower[cut])] && cut + 1 < lower.count && endingSeconds[Int(lower[cut + 1])]
                    && endingBytes.contains(where: { ByteSearch.holds($0, in: lower, at: cut) })) {
                    cut += 1
                }
                let tailBytes = UnsafeBufferPointer(rebasing: rest[tailStart..<cut])
                // Plain ASCII (no carriage return, which joins a line feed into one character)
                // is trimmed and tested on its bytes; anything else as characters.
                if let simple = asciiTail(tailBytes) {
                    guard simple.count >= 6, simple.count <= 160, !DocumentReader.continues(simple, at: 0, end: simple.count, with: "the designation") else { continue }
                    if index == plainForIndex, simple[0] >= 0x41, simple[0] <= 0x5A, !simple.contains(0x20) { continue }
                    return String(decoding: simple, as: UTF8.self)
                }
                let tail = ByteSearch.trimmed(String(decoding: tailBytes, as: UTF8.self), also: Self.trimmedAlso)
                // "for NXC-201" or "for the designation" is no indication.
                guard tail.count >= 6, tail.count <= 160, !tail.lowercased().hasPrefix("the designation") else { continue }
                if openings[index] == "for ", tail.first?.isUppercase == true, !tail.contains(" ") { continue }
                return tail
            }
            return nil
        }
    }
}

/// Byte searches on UTF-8 (daemon paths stay out of Foundation's string code).
enum ByteSearch {
    static func first(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        haystack.withUnsafeBufferPointer { first(needle, in: $0, from: start) }
    }

    /// Where `needle` first starts in `haystack`, at `start` or after, and no later than `startingAtMost`.
    static func first(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int = 0, startingAtMost: Int = .max) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
        let last = min(haystack.count - needle.count, startingAtMost)
        var index = start
        // memchr finds each candidate first byte (vectorised), then the rest is compared.
        while index <= last {
            guard let found = memchr(base + index, Int32(needle[0]), last - index + 1) else { return nil }
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if holds(needle, in: haystack, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// `first(_:in:from:)` led by the needle's rarest byte in news (a code's "W" or "9", not its
    /// "A"): memchr stops at fewer places that are no match.
    static func firstLedByRarest(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
        var lead = 0
        for offset in needle.indices.dropFirst() where commonness[Int(needle[offset])] < commonness[Int(needle[lead])] { lead = offset }
        let last = haystack.count - needle.count
        var index = start
        while index <= last {
            guard let found = memchr(base + index + lead, Int32(needle[lead]), last - index + 1) else { return nil }
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) - lead
            if holds(needle, in: haystack, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Per byte: how common it is in English news, from the space (most) down; bytes outside
    /// printable ASCII count as the rarest.
    private static let commonness: [UInt8] = {
        let order = Array(" eatinorscldhpumfg.y-v,w2bACT01PMD3RILS5BE64897G)(xNFkH%OUKWqVzJj:Z/'\"X$QY;=>&@?+[]_*|<~!".utf8)
        var table = [UInt8](repeating: 0, count: 256)
        for (rank, byte) in order.enumerated() { table[Int(byte)] = UInt8(order.count - rank) }
        return table
    }()

    /// Where `byte` first is in `text` from `start` up to `end` (the text's end when nil), found by memchr.
    @inline(__always)
    static func next(_ byte: UInt8, in text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int? = nil) -> Int? {
        let limit = end ?? text.count
        guard start < limit, let base = text.baseAddress, let found = memchr(base + start, Int32(byte), limit - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Whether `needle` starts at `index` of `haystack`.
    @inline(__always)
    static func holds(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + needle.count <= haystack.count, haystack[index] == needle[0] else { return false }
        for offset in 1..<needle.count where haystack[index + offset] != needle[offset] { return false }
        return true
    }

    /// `text` without leading and trailing white space and the characters in `also`.
    static func trimmed(_ text: String, also: Set<Character> = []) -> String {
        func strip(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\n" || also.contains(character) }
        guard let first = text.firstIndex(where: { !strip($0) }), let last = text.lastIndex(where: { !strip($0) }) else { return "" }
        return String(text[first...last])
    }
}

/// Compound names written without spaces: "CD20xCD3", "BCMA×CD3". Scanning a copy where the
/// joining "x" is a space (byte for byte the same length, so every offset still fits the
/// original) lets each part match as a word; nothing changes inside ordinary words, since
/// both sides must be capitals or digits.
enum Compounds {
    static func withSplitCompounds<Result>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        guard let first = firstJoint(text, from: 0) else { return body(text) }
        var copy = Array(text)
        var joint: Int? = first
        while let at = joint {
            if copy[at] == 0x78 {
                copy[at] = 0x20
                joint = firstJoint(text, from: at + 1)
            } else {
                // "×" is two bytes (C3 97): two spaces, one separator run.
                copy[at] = 0x20
                copy[at + 1] = 0x20
                joint = firstJoint(text, from: at + 2)
            }
        }
        return copy.withUnsafeBufferPointer(body)
    }

    /// The next "x" or "×" between a capital or digit and a capital: `CD20xCD3`, `BCMAxCD3`.
    private static func firstJoint(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let index = max(start, 1)
        guard index + 1 < text.count else { return nil }
        // memchr finds each "x" and each "×" lead byte (vectorised): most of a text holds neither.
        func next(_ byte: UInt8, from position: Int) -> Int { ByteSearch.next(byte, in: text, from: position, to: text.count - 1) ?? Int.max }
        var nextX = next(0x78, from: index)
        var nextTimes = next(0xC3, from: index)
        while true {
            let candidate = min(nextX, nextTimes)
            guard candidate != Int.max else { return nil }
            let byte = text[candidate]
            if byte == 0x78 || (candidate + 2 < text.count && text[candidate + 1] == 0x97) {
                let after = byte == 0x78 ? candidate + 1 : candidate + 2
                if isCapitalOrDigit(text[candidate - 1]), after < text.count, text[after] >= 0x41, text[after] <= 0x5A,
                   candidate >= 2, isCapitalOrDigit(text[candidate - 2]) || text[candidate - 2] == 0x2D {
                    return candidate
                }
            }
            if byte == 0x78 { nextX = next(0x78, from: candidate + 1) } else { nextTimes = next(0xC3, from: candidate + 1) }
        }
    }

    private static func isCapitalOrDigit(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) }
}
