/// Background sections of a text: from a heading such as "About NXC-201" or "Forward-Looking
/// Statements" on a line of its own to the end of the text.
enum Sections {
    /// Where the first background section starts, and its heading.
    static func firstBackground(_ text: UnsafeBufferPointer<UInt8>) -> (start: Int, heading: String)? {
        var lineStart = 0
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count, text[lineEnd] != 0x0A { lineEnd += 1 }
            if let heading = heading(text, lineStart..<lineEnd) { return (lineStart, heading) }
            lineStart = lineEnd + 1
        }
        return nil
    }

    private static func heading(_ text: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> String? {
        var start = line.lowerBound
        // Markdown and list marks around a heading: "**About X**", "## About X", "_About X_".
        while start < line.upperBound, [0x20, 0x09, 0x2A, 0x23, 0x5F, 0x3E].contains(text[start]) { start += 1 }
        var end = line.upperBound
        while end > start, [0x20, 0x09, 0x0D, 0x2A, 0x5F, 0x3A].contains(text[end - 1]) { end -= 1 }
        guard end > start, end - start <= 160 else { return nil }
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

/// Dates written in a sentence, compared with the item's own.
enum Temporal {
    static let months: [(String, Int)] = [
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6), ("july", 7), ("august", 8),
        ("september", 9), ("october", 10), ("november", 11), ("december", 12), ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4),
        ("jun", 6), ("jul", 7), ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ]

    /// Whether `range` holds a digit or a capitalised month's first letters: only then can it be dated.
    static func mayHoldDate(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let starts: [UInt8] = [0x4A, 0x46, 0x4D, 0x41, 0x53, 0x4F, 0x4E, 0x44]  // J F M A S O N D
        for index in range {
            let byte = text[index]
            // A year: "19" or "20" and two more digits.
            if byte == 0x31 || byte == 0x32, index + 3 < range.upperBound, (0x30...0x39).contains(text[index + 1]),
               (0x30...0x39).contains(text[index + 2]), (0x30...0x39).contains(text[index + 3]) { return true }
            if starts.contains(byte), index + 2 < range.upperBound, text[index + 1] >= 0x61, text[index + 2] >= 0x61,
               index == range.lowerBound || text[index - 1] == 0x20 {
                let key = String(decoding: UnsafeBufferPointer(rebasing: text[index..<index + 3]), as: UTF8.self).lowercased()
                if months.contains(where: { $0.0 == key }) { return true }
            }
        }
        return false
    }

    /// The latest year from 1990 to 2099 written as a number of its own, read on the bytes.
    static func latestYear(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var latest: Int?
        var index = 0
        let count = text.count
        while index + 4 <= count {
            let first = text[index]
            guard first == 0x31 || first == 0x32, index == 0 || !(text[index - 1] >= 0x30 && text[index - 1] <= 0x39) else {
                index += 1
                continue
            }
            var value = 0
            var digits = 0
            while digits < 5, index + digits < count, text[index + digits] >= 0x30, text[index + digits] <= 0x39 {
                value = value * 10 + Int(text[index + digits] - 0x30)
                digits += 1
            }
            if digits == 4, (1990...2099).contains(value) { latest = max(latest ?? 0, value) }
            index += max(digits, 1)
        }
        return latest
    }

    static func dayOfYear(month: Int, day: Int) -> Int {
        let before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        return before[max(0, min(11, month - 1))] + day
    }

    /// The year (and day, when given) of the dateline: the first date in the first 400 bytes.
    static func dateline(_ text: UnsafeBufferPointer<UInt8>) -> (year: Int, dayOfYear: Int?)? {
        let head = String(decoding: UnsafeBufferPointer(rebasing: text[0..<min(400, text.count)]), as: UTF8.self)
        let words = tokens(head)
        for (index, word) in words.enumerated() {
            guard let year = Int(word), (1990...2099).contains(year) else { continue }
            // "Feb. 10, 2025": month and day before the year.
            if index >= 2, let month = month(words[index - 2]), let day = Int(words[index - 1]), (1...31).contains(day) {
                return (year, dayOfYear(month: month, day: day))
            }
            return (year, nil)
        }
        return nil
    }

    static func month(_ word: String) -> Int? {
        let lower = word.lowercased()
        return months.first { $0.0 == lower }?.1
    }

    /// The ASCII words and numbers of `text`, read on its bytes (anything else separates them).
    static func tokens(_ text: String) -> [String] {
        var words: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var start = -1
            for index in 0...bytes.count {
                let isWord = index < bytes.count && (((bytes[index] | 0x20) >= 0x61 && (bytes[index] | 0x20) <= 0x7A) || (bytes[index] >= 0x30 && bytes[index] <= 0x39))
                if isWord, start < 0 { start = index }
                if !isWord, start >= 0 {
                    words.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                    start = -1
                }
            }
        }
        return words
    }

    /// A date in `sentence` more than three weeks before `reference` ("in 2019", "In March,"), as written.
    static func earlierDate(in sentence: String, than reference: (year: Int, dayOfYear: Int?), monthsOnly: Bool = false) -> String? {
        let words = tokens(sentence)
        for (index, word) in words.enumerated() {
            if !monthsOnly, let year = Int(word), word.count == 4, (1990...2099).contains(year), year < reference.year {
                // "December 28, 2024" in an item of January 3, 2025 is not earlier news.
                if year == reference.year - 1, let day = reference.dayOfYear, day <= 21, index >= 1,
                   let month = month(words[index - (Int(words[index - 1]) != nil && index >= 2 ? 2 : 1)]), month == 12 { continue }
                return word
            }
            guard let month = month(word), word.first?.isUppercase == true, index >= 1 else { continue }
            let before = words[index - 1].lowercased()
            guard before == "in" || before == "on" || before == "since" || before == "during" else { continue }
            let nextIsDay = index + 1 < words.count ? Int(words[index + 1]).map { (1...31).contains($0) } ?? false : false
            let nextIsYear = index + 1 < words.count && words[index + 1].count == 4 && Int(words[index + 1]) != nil
            if nextIsYear { continue }  // the year decides, above
            guard let referenceDay = reference.dayOfYear, !monthsOnly else {
                // Without the item's day, only "In March," with no day is taken for an earlier event.
                if !nextIsDay, before == "in" || before == "since" { return "\(words[index - 1]) \(word)" }
                continue
            }
            let day = nextIsDay ? Int(words[index + 1])! : 15
            let written = dayOfYear(month: month, day: day)
            if written < referenceDay - 21 { return "\(words[index - 1]) \(word)\(nextIsDay ? " \(words[index + 1])" : "")" }
        }
        return nil
    }
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
            let byte = text[index]
            guard byte >= 0x41, byte <= 0x5A, index == 0 || !isWordByte(text[index - 1]) else {
                index += 1
                continue
            }
            // The whole token: letters, digits and inner hyphens ("C-CAR039", "P-BCMA-101", "JNJ-68284528").
            var end = index
            while end < count, isLetter(text[end]) || isDigit(text[end]) || (text[end] == 0x2D && end + 1 < count && (isLetter(text[end + 1]) || isDigit(text[end + 1]))) {
                end += 1
            }
            defer { index = max(end, index + 1) }
            // Most capitalised words hold no digit: no code, and nothing to allocate for them.
            guard end - index <= 20, (index..<end).contains(where: { isDigit(text[$0]) }), let code = shape(text, index..<end) else { continue }
            found.append(code)
        }
        return found
    }

    /// The token as a code, or nil: its first run of capitals (2 to 5) then digits (2 to 8, 4 or
    /// more after 5 capitals), at most two letters after, or a token of several parts of which
    /// one has that shape and the rest are capitals or digits ("C-CAR039", "P-BCMA-101").
    private static func shape(_ text: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> Range<Int>? {
        var parts: [Range<Int>] = []
        var start = token.lowerBound
        for position in token where text[position] == 0x2D {
            parts.append(start..<position)
            start = position + 1
        }
        parts.append(start..<token.upperBound)
        // "NXC-201", "DS-8201a": capitals, a hyphen, digits.
        if parts.count == 2, isCapitals(text, parts[0]), (2...5).contains(parts[0].count), isDigitsThenLetters(text, parts[1]) {
            return accept(text, token, letters: parts[0].count, digits: digitCount(text, parts[1]))
        }
        // "CT053", "AZD0901": capitals then digits in one part.
        if parts.count == 1 {
            var cursor = token.lowerBound
            while cursor < token.upperBound, isCapital(text[cursor]) { cursor += 1 }
            let letters = cursor - token.lowerBound
            guard (2...5).contains(letters), cursor < token.upperBound, isDigitsThenLetters(text, cursor..<token.upperBound) else { return nil }
            return accept(text, token, letters: letters, digits: digitCount(text, cursor..<token.upperBound))
        }
        // "C-CAR039", "P-BCMA-101", "ALLO-501A": several parts, capitals and digits only, with digits.
        let digits = parts.reduce(0) { $0 + digitCount(text, $1) }
        let capitals = token.filter { isCapital(text[$0]) }.count
        guard parts.count <= 4, digits >= 2, capitals >= 2,
              parts.allSatisfy({ part in part.allSatisfy { isCapital(text[$0]) || isDigit(text[$0]) } || isDigitsThenLetters(text, part) })
        else { return nil }
        return accept(text, token, letters: capitals, digits: digits)
    }

    private static func accept(_ text: UnsafeBufferPointer<UInt8>, _ token: Range<Int>, letters: Int, digits: Int) -> Range<Int>? {
        guard (2...8).contains(digits), letters < 5 || digits >= 4 else { return nil }
        var prefixEnd = token.lowerBound
        while prefixEnd < token.upperBound, isCapital(text[prefixEnd]) { prefixEnd += 1 }
        let prefix = String(decoding: UnsafeBufferPointer(rebasing: text[token.lowerBound..<prefixEnd]), as: UTF8.self)
        if notProducts.contains(prefix) { return nil }
        // Years after a word ("EHA2024"), and "COVID-19"-like names: four digits that are a year.
        var digitsStart = prefixEnd
        while digitsStart < token.upperBound, !isDigit(text[digitsStart]) { digitsStart += 1 }
        var digitsEnd = digitsStart
        while digitsEnd < token.upperBound, isDigit(text[digitsEnd]) { digitsEnd += 1 }
        if digitsEnd - digitsStart == 4,
           let year = Int(String(decoding: UnsafeBufferPointer(rebasing: text[digitsStart..<digitsEnd]), as: UTF8.self)),
           (1990...2039).contains(year) { return nil }
        // "KEYNOTE-522 trial", "the ZUMA-76 study": trial names.
        let following = String(decoding: UnsafeBufferPointer(rebasing: text[token.upperBound..<min(text.count, token.upperBound + 8)]), as: UTF8.self)
            .lowercased()
        if following.hasPrefix(" trial") || following.hasPrefix(" study") || following.hasPrefix(" phase") { return nil }
        return token
    }

    private static func isCapital(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isCapitals(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && range.allSatisfy { isCapital(text[$0]) }
    }

    private static func digitCount(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        range.filter { isDigit(text[$0]) }.count
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

/// The indication a sentence gives after its subject: "for the treatment of patients with
/// relapsed or refractory multiple myeloma".
enum Indication {
    static let openings = [
        "for the treatment of adult patients with ", "for the treatment of patients with ", "for the treatment of adults with ",
        "for the treatment of ", "for adult patients with ", "for patients with ", "in patients with ", "for adults with ",
        "in adults with ", "to treat patients with ", "to treat ", "for people with ", "for ",
    ]
    static let endings = [". ", "; ", " (", ", based", ", which", ", and ", " based on", ", a ", ", an ", ", the ", ", as ", ", following", " and has ", " and the ", ", marking", ", making"]

    static func find(in sentence: String, after offset: Int) -> String? {
        let utf8 = Array(sentence.utf8)
        // Quotations speak of patients and hopes, not of the indication granted.
        if utf8.contains(0x22) || ByteSearch.first([0xE2, 0x80, 0x9C], in: utf8) != nil { return nil }
        guard offset >= 0, offset < utf8.count else { return nil }
        let rest = Array(utf8[offset...])
        let lower = rest.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        for opening in openings {
            // Only close to the subject: a bare "for" far away is something else.
            guard let found = ByteSearch.first(Array(opening.utf8), in: lower), found <= (opening == "for " ? 60 : 140) else { continue }
            let tailStart = found + opening.utf8.count
            var cut = rest.count
            for ending in endings {
                if let end = ByteSearch.first(Array(ending.utf8), in: lower, from: tailStart), end < cut { cut = end }
            }
            let tail = ByteSearch.trimmed(String(decoding: rest[tailStart..<cut], as: UTF8.self), also: [".", ",", ";", ":", "\n"])
            // "for NXC-201" or "for the designation" is no indication.
            guard tail.count >= 6, tail.count <= 160, !tail.lowercased().hasPrefix("the designation") else { continue }
            if opening == "for ", tail.first?.isUppercase == true, !tail.contains(" ") { continue }
            return tail
        }
        return nil
    }
}

/// Byte searches on UTF-8 (daemon paths stay out of Foundation's string code).
enum ByteSearch {
    static func first(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
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
        var index = max(start, 1)
        guard let base = text.baseAddress else { return nil }
        while index + 1 < text.count {
            // Eight bytes at a time past text with no "x" and no "×" lead byte (most of it).
            if index + 8 <= text.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if !TextSegments.holds(word, 0x78), !TextSegments.holds(word, 0xC3) {
                    index += 8
                    continue
                }
            }
            let byte = text[index]
            if byte == 0x78 || (byte == 0xC3 && index + 2 < text.count && text[index + 1] == 0x97) {
                let after = byte == 0x78 ? index + 1 : index + 2
                if isCapitalOrDigit(text[index - 1]), after < text.count, text[after] >= 0x41, text[after] <= 0x5A,
                   index >= 2, isCapitalOrDigit(text[index - 2]) || text[index - 2] == 0x2D {
                    return index
                }
            }
            index += 1
        }
        return nil
    }

    private static func isCapitalOrDigit(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) }
}
