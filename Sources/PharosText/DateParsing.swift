import Foundation
import PharosCore
import PharosSupport

/// Lenient parsing of the date strings found in press releases and feeds; results are UTC instants.
///
/// Understood: ISO 8601 / RFC 3339 / W3CDTF (`2025-02-10T22:35:00.5+01:00`, lower-case `t`/`z`,
/// a space instead of `T`, basic forms such as `20250210T223500Z`, and the reduced precisions
/// `2025`, `2025-02`, `2025-02-10`); RFC 822 / RFC 2822 with or without weekday and seconds,
/// two-digit years, comments in parentheses, numeric zones (`-0500`, `-05:00`) and named ones
/// (`EST`, `EDT`, `CEST`, `IST`, ...); written forms (`February 10, 2025`, `10th Feb 2025 5:35 PM`,
/// `2020/1/10 14:33:00`, `10.02.2025 17:35`); month names in English, German, French, Spanish,
/// Portuguese, Italian and Dutch. A date without a zone is taken as UTC. Impossible dates
/// (30 February, hour 25, month 13) and text that is not a date give nil.
public enum DateParsing {
    /// Parses ISO 8601 / RFC 3339, RFC 822 (named zones such as EST and EDT, with or without
    /// seconds) and common written forms ("February 10, 2025"); nil when nothing fits.
    public static func parse(_ raw: String) -> Date? {
        let bytes = stripComments(Array(raw.utf8))
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return nil }
        let text = Array(bytes[first...last])
        if let date = parseISO(text) { return date }
        // A leading four-digit year followed by `-` is ISO-shaped; if the strict reading failed
        // (2003-06-31, 2003-07-01T25:00) the general reader must not reinterpret it.
        if text.count >= 5, text[0..<4].allSatisfy(isDigit), text[4] == UInt8(ascii: "-") { return nil }
        return parseWritten(text)
    }

    // MARK: - ISO 8601

    /// `YYYY[-MM[-DD]]` or `YYYYMMDD`, then optionally `T`/`t`/space and `hh:mm[:ss[.fff]]`
    /// (or `hhmmss`), then optionally `Z`, `±hh[:]mm`, `±hh` or `UTC`/`GMT`.
    private static func parseISO(_ text: [UInt8]) -> Date? {
        var scanner = Scanner(text)
        guard let year = scanner.digits(exactly: 4) else { return nil }
        var month = 1, day = 1
        if scanner.eat("-") {
            guard let parsedMonth = scanner.digits(exactly: 2) else { return nil }
            month = parsedMonth
            if scanner.eat("-") {
                guard let parsedDay = scanner.digits(exactly: 2) else { return nil }
                day = parsedDay
            }
        } else if let parsedMonth = scanner.digits(exactly: 2) {
            guard let parsedDay = scanner.digits(exactly: 2) else { return nil }
            month = parsedMonth
            day = parsedDay
        }
        var clock = Clock()
        var offset = 0
        if !scanner.atEnd {
            let beforeSeparator = scanner.index
            scanner.skipSpaces()
            let sawT = scanner.eat("T") || scanner.eat("t")
            scanner.skipSpaces()
            if !sawT && scanner.index == beforeSeparator { return nil }
            guard let parsedClock = scanner.clock(allowCompact: true) else { return nil }
            clock = parsedClock
            scanner.skipSpaces()
            if !scanner.atEnd {
                guard let zone = scanner.isoZone() else { return nil }
                offset = zone
            }
            scanner.skipSpaces()
            guard scanner.atEnd else { return nil }
        }
        return makeDate(year: year, month: month, day: day, clock: clock, offsetMinutes: offset)
    }

    // MARK: - RFC 822 and written forms

    private enum Token: Equatable {
        case number(Int, digits: Int)
        case word(String)
        case symbol(UInt8)
    }

    private static func tokenize(_ text: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            if isSpace(byte) || byte == UInt8(ascii: ",") {
                index += 1
            } else if isDigit(byte) {
                var value = 0
                var digits = 0
                while index < text.count, isDigit(text[index]) {
                    if digits < 9 { value = value * 10 + Int(text[index] - 48) }
                    digits += 1
                    index += 1
                }
                tokens.append(.number(value, digits: digits))
            } else if isLetter(byte) || byte >= 0x80 {
                let start = index
                while index < text.count, isLetter(text[index]) || text[index] >= 0x80 || text[index] == UInt8(ascii: ".") && index + 1 < text.count && isLetter(text[index + 1]) {
                    index += 1
                }
                var word = String(decoding: text[start..<index], as: UTF8.self).lowercased()
                if word.hasSuffix(".") { word.removeLast() }
                tokens.append(.word(word))
                if index < text.count, text[index] == UInt8(ascii: ".") { index += 1 }
            } else {
                tokens.append(.symbol(byte))
                index += 1
            }
        }
        return tokens
    }

    private static func parseWritten(_ text: [UInt8]) -> Date? {
        let tokens = tokenize(text)
        var used = [Bool](repeating: false, count: tokens.count)
        var clock: Clock?
        var offset: Int?

        // The clock: h:mm[:ss[.fff]], optionally followed by am/pm and a zone.
        var index = 0
        while index < tokens.count {
            if case .number(let hour, let hourDigits) = tokens[index], hourDigits <= 2,
               index + 2 < tokens.count, tokens[index + 1] == .symbol(UInt8(ascii: ":")),
               case .number(let minute, 2) = tokens[index + 2] {
                var end = index + 3
                var second = 0
                var fraction = 0.0
                if end + 1 < tokens.count, tokens[end] == .symbol(UInt8(ascii: ":")), case .number(let parsedSecond, 2) = tokens[end + 1] {
                    second = parsedSecond
                    end += 2
                    if end + 1 < tokens.count, tokens[end] == .symbol(UInt8(ascii: ".")), case .number(let value, let digits) = tokens[end + 1] {
                        fraction = Double(value) / pow(10, Double(min(digits, 9)))
                        end += 2
                    }
                }
                var hour24 = hour
                if end < tokens.count, case .word(let word) = tokens[end], word == "am" || word == "pm" || word == "a.m" || word == "p.m" {
                    guard (1...12).contains(hour) else { return nil }
                    hour24 = hour % 12 + (word.hasPrefix("p") ? 12 : 0)
                    end += 1
                }
                for position in index..<end { used[position] = true }
                clock = Clock(hour: hour24, minute: minute, second: second, fraction: fraction)
                if let (zone, consumed) = zoneAfterClock(tokens, from: end) {
                    offset = zone
                    for position in end..<(end + consumed) { used[position] = true }
                }
                break
            }
            index += 1
        }

        // The date: numeric (Y/M/D, D.M.Y, M/D/Y when unambiguous) or with a month name.
        var year: Int?
        var month: Int?
        var day: Int?
        if let numeric = numericDate(tokens, used) {
            (year, month, day) = (numeric.year, numeric.month, numeric.day)
            for position in numeric.consumed { used[position] = true }
        } else {
            // A weekday abbreviation can also spell a month ("mar" is Tuesday in Spanish): when
            // two words could be the month, the one that is also a weekday name is not it.
            var candidates = tokens.indices.filter { position in
                guard !used[position], case .word(let word) = tokens[position] else { return false }
                return monthNumber(word) != nil
            }
            if candidates.count > 1 {
                let notWeekdays = candidates.filter { position in
                    guard case .word(let word) = tokens[position] else { return false }
                    return !isWeekday(word)
                }
                if !notWeekdays.isEmpty { candidates = notWeekdays }
            }
            guard let monthPosition = candidates.first, case .word(let monthWord) = tokens[monthPosition] else { return nil }
            month = monthNumber(monthWord)
            used[monthPosition] = true
            var numbers: [(position: Int, value: Int, digits: Int)] = []
            for position in tokens.indices where !used[position] {
                if case .number(let value, let digits) = tokens[position] { numbers.append((position, value, digits)) }
            }
            if let yearIndex = numbers.firstIndex(where: { $0.digits == 4 }) {
                year = numbers[yearIndex].value
                used[numbers[yearIndex].position] = true
                numbers.remove(at: yearIndex)
                guard let dayEntry = numbers.first(where: { $0.digits <= 2 }) else { return nil }
                day = dayEntry.value
                used[dayEntry.position] = true
            } else {
                // "31 Dec 99": the day comes first, then a two-digit year (RFC 2822 windowing).
                let small = numbers.filter { $0.digits <= 2 }
                guard small.count >= 2 else { return nil }
                day = small[0].value
                year = small[1].value < 50 ? 2000 + small[1].value : 1900 + small[1].value
                used[small[0].position] = true
                used[small[1].position] = true
            }
            // Ordinal suffixes ("10th") belong to the day.
            for position in tokens.indices where !used[position] {
                if case .word(let word) = tokens[position], ["st", "nd", "rd", "th"].contains(word), position > 0,
                   case .number = tokens[position - 1], used[position - 1] {
                    used[position] = true
                }
            }
        }

        // A zone may also stand apart from the clock ("GMT" before it, or with no clock at all).
        if offset == nil {
            for position in tokens.indices where !used[position] {
                if case .word(let word) = tokens[position], let zone = namedZone(word) {
                    offset = zone
                    used[position] = true
                }
            }
        }
        // What is left must be noise a date may carry: weekdays, "at", "of", stray punctuation.
        for position in tokens.indices where !used[position] {
            switch tokens[position] {
            case .word(let word):
                guard isWeekday(word) || fillerWords.contains(word) else { return nil }
            case .symbol(let symbol):
                guard symbol == UInt8(ascii: "-") || symbol == UInt8(ascii: "/") || symbol == UInt8(ascii: ".") || symbol == UInt8(ascii: "|") else { return nil }
            case .number:
                return nil
            }
        }
        guard let year, let month, let day else { return nil }
        return makeDate(year: year, month: month, day: day, clock: clock ?? Clock(), offsetMinutes: offset ?? 0)
    }

    /// Y/M/D or Y-M-D (four-digit year first), D.M.Y, and M/D/Y or D/M/Y when only one reading works.
    private static func numericDate(_ tokens: [Token], _ used: [Bool]) -> (year: Int, month: Int, day: Int, consumed: ClosedRange<Int>)? {
        guard tokens.count >= 5 else { return nil }
        for start in 0...(tokens.count - 5) where !used[start...(start + 4)].contains(true) {
            guard case .number(let a, let aDigits) = tokens[start],
                  case .symbol(let separator) = tokens[start + 1],
                  separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-"),
                  case .number(let b, let bDigits) = tokens[start + 2],
                  tokens[start + 3] == .symbol(separator),
                  case .number(let c, let cDigits) = tokens[start + 4] else { continue }
            let consumed = start...(start + 4)
            if aDigits == 4 && bDigits <= 2 && cDigits <= 2 { return (a, b, c, consumed) }
            guard aDigits <= 2 && bDigits <= 2 && (cDigits == 4 || cDigits == 2) else { return nil }
            let year = cDigits == 4 ? c : (c < 50 ? 2000 + c : 1900 + c)
            if separator == UInt8(ascii: ".") { return (year, b, a, consumed) }
            if a > 12 && b <= 12 { return (year, b, a, consumed) }
            if b > 12 && a <= 12 { return (year, a, b, consumed) }
            return nil
        }
        return nil
    }

    /// A zone right after the clock: `Z`, `GMT`, `EST`, `+0100`, `-05:00`, `GMT+2`, a military letter.
    private static func zoneAfterClock(_ tokens: [Token], from start: Int) -> (Int, Int)? {
        guard start < tokens.count else { return nil }
        var index = start
        var base = 0
        var consumed = 0
        if case .word(let word) = tokens[index] {
            if let named = namedZone(word) {
                base = named
            } else if word.count == 1, let letter = word.unicodeScalars.first, ("a"..."z").contains(letter), letter != "j" {
                // RFC 822 military zones have their signs reversed in the RFC itself; RFC 2822
                // says to read them as "no zone information", which is what UTC stands for here.
                base = 0
            } else {
                return nil
            }
            index += 1
            consumed = 1
            guard index < tokens.count else { return (base, consumed) }
        }
        guard case .symbol(let sign) = tokens[index], sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              index + 1 < tokens.count, case .number(let value, let digits) = tokens[index + 1] else {
            return consumed > 0 ? (base, consumed) : nil
        }
        var hours = 0
        var minutes = 0
        var used = 2
        switch digits {
        case 4: hours = value / 100; minutes = value % 100
        case 3: hours = value / 100; minutes = value % 100
        case 1, 2:
            hours = value
            if index + 3 < tokens.count, tokens[index + 2] == .symbol(UInt8(ascii: ":")), case .number(let parsedMinutes, 2) = tokens[index + 3] {
                minutes = parsedMinutes
                used = 4
            }
        default: return consumed > 0 ? (base, consumed) : nil
        }
        guard hours <= 14, minutes < 60 else { return nil }
        let total = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
        return (base + total, consumed + used)
    }

    private static let fillerWords: Set<String> = ["at", "of", "the", "on", "de", "del", "um", "le", "à", "a", "h", "uhr", "et"]

    /// Offsets in minutes east of UTC for the zone names feeds actually use.
    private static let zoneOffsets: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
        "ast": -240, "adt": -180, "nst": -210, "ndt": -150, "bst": 60, "ist": 330, "cet": 60, "cest": 120,
        "met": 60, "mest": 120, "west": 60, "eet": 120, "eest": 180, "msk": 180, "jst": 540, "kst": 540,
        "hkt": 480, "sgt": 480, "awst": 480, "acst": 570, "acdt": 630, "aest": 600, "aedt": 660,
        "nzst": 720, "nzdt": 780, "sast": 120, "wat": 60, "cat": 120, "eat": 180, "pht": 480, "wib": 420,
        "brt": -180, "art": -180, "mez": 60, "mesz": 120,
    ]

    private static func namedZone(_ word: String) -> Int? { zoneOffsets[word] }

    private static let monthNames: [(String, Int)] = [
        ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6), ("jul", 7), ("aug", 8),
        ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
        // German, Dutch, French, Spanish, Portuguese, Italian abbreviations that differ from English.
        ("jän", 1), ("mär", 3), ("mrz", 3), ("mai", 5), ("okt", 10), ("dez", 12), ("mei", 5), ("maa", 3),
        ("janv", 1), ("fév", 2), ("fev", 2), ("mars", 3), ("avr", 4), ("juin", 6), ("juil", 7), ("aoû", 8),
        ("aou", 8), ("déc", 12), ("ene", 1), ("abr", 4), ("ago", 8), ("dic", 12), ("set", 9), ("out", 10),
        ("gen", 1), ("mag", 5), ("giu", 6), ("lug", 7), ("ott", 10), ("sett", 9),
        ("janeiro", 1), ("fevereiro", 2), ("março", 3), ("abril", 4), ("maio", 5), ("junho", 6),
        ("julho", 7), ("agosto", 8), ("setembro", 9), ("outubro", 10), ("novembro", 11), ("dezembro", 12),
        ("enero", 1), ("febrero", 2), ("marzo", 3), ("mayo", 5), ("junio", 6), ("julio", 7),
        ("septiembre", 9), ("octubre", 10), ("noviembre", 11), ("diciembre", 12),
        ("januar", 1), ("februar", 2), ("märz", 3), ("juni", 6), ("juli", 7), ("oktober", 10), ("dezember", 12),
        ("janvier", 1), ("février", 2), ("avril", 4), ("juillet", 7), ("août", 8), ("septembre", 9),
        ("octobre", 10), ("novembre", 11), ("décembre", 12),
        ("gennaio", 1), ("febbraio", 2), ("aprile", 4), ("maggio", 5), ("giugno", 6), ("luglio", 7),
        ("settembre", 9), ("ottobre", 10), ("dicembre", 12),
    ]

    private static let englishMonths = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]

    /// Every accepted month word: English names and their abbreviations of three letters or
    /// more ("sept", "febr"), then the other languages.
    private static let monthWords: [String: Int] = {
        var words: [String: Int] = [:]
        for (index, name) in englishMonths.enumerated() {
            for length in 3...name.count { words[String(name.prefix(length))] = index + 1 }
        }
        for (word, month) in monthNames where words[word] == nil { words[word] = month }
        return words
    }()

    private static func monthNumber(_ word: String) -> Int? { monthWords[word] }

    private static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday",
        "mo", "di", "mi", "do", "fr", "sa", "so", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
        "samstag", "sonntag", "lun", "mar", "mer", "jeu", "ven", "sam", "dim", "mié", "jue", "vie", "sáb",
        "dom", "seg", "ter", "qua", "qui", "sex", "sab", "gio", "lunes", "martes", "miércoles", "jueves",
        "viernes", "sábado", "domingo", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        "segunda", "terça", "quarta", "quinta", "sexta", "ma", "wo", "vr", "za", "zo", "zon", "maa", "din",
        "woe", "don", "vri", "zat",
    ]

    private static func isWeekday(_ word: String) -> Bool { weekdays.contains(word) }

    // MARK: - Arithmetic

    private struct Clock {
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
    }

    private static func makeDate(year: Int, month: Int, day: Int, clock: Clock, offsetMinutes: Int) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= CivilCalendar.daysIn(month: month, year: year) else { return nil }
        guard (0...24).contains(clock.hour), (0...59).contains(clock.minute), (0...60).contains(clock.second) else { return nil }
        if clock.hour == 24 && (clock.minute != 0 || clock.second != 0 || clock.fraction != 0) { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + clock.hour * 3_600 + clock.minute * 60 + clock.second - offsetMinutes * 60
        return Date(timeIntervalSince1970: Double(seconds) + clock.fraction)
    }

    // MARK: - Bytes

    private struct Scanner {
        let text: [UInt8]
        var index = 0

        init(_ text: [UInt8]) { self.text = text }

        var atEnd: Bool { index >= text.count }

        mutating func eat(_ character: Unicode.Scalar) -> Bool {
            guard index < text.count, text[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func skipSpaces() {
            while index < text.count, isSpace(text[index]) { index += 1 }
        }

        mutating func digits(exactly count: Int) -> Int? {
            guard index + count <= text.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = text[index + offset]
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }

        /// `hh:mm[:ss[.fff]]`, or `hhmm[ss]` when compact forms are allowed.
        mutating func clock(allowCompact: Bool) -> Clock? {
            guard let hour = digits(exactly: 2) else { return nil }
            var clock = Clock(hour: hour)
            if eat(":") {
                guard let minute = digits(exactly: 2) else { return nil }
                clock.minute = minute
                if eat(":") {
                    guard let second = digits(exactly: 2) else { return nil }
                    clock.second = second
                }
            } else if allowCompact, let minute = digits(exactly: 2) {
                clock.minute = minute
                if let second = digits(exactly: 2) { clock.second = second }
            } else {
                return nil
            }
            if index < text.count, text[index] == UInt8(ascii: ".") || text[index] == UInt8(ascii: ",") {
                index += 1
                var scale = 0.1
                var fraction = 0.0
                var any = false
                while index < text.count, isDigit(text[index]) {
                    fraction += Double(text[index] - 48) * scale
                    scale /= 10
                    index += 1
                    any = true
                }
                guard any else { return nil }
                clock.fraction = fraction
            }
            return clock
        }

        /// `Z`, `±hh:mm`, `±hhmm`, `±hh`, `UTC`, `GMT`; minutes east of UTC.
        mutating func isoZone() -> Int? {
            if eat("Z") || eat("z") { return 0 }
            let rest = String(decoding: text[index...], as: UTF8.self).uppercased()
            if rest == "UTC" || rest == "GMT" || rest == "UT" {
                index = text.count
                return 0
            }
            guard index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") else { return nil }
            let negative = text[index] == UInt8(ascii: "-")
            index += 1
            guard let hours = digits(exactly: 2) else { return nil }
            var minutes = 0
            if eat(":") {
                guard let parsed = digits(exactly: 2) else { return nil }
                minutes = parsed
            } else if let parsed = digits(exactly: 2) {
                minutes = parsed
            }
            guard hours <= 14, minutes < 60 else { return nil }
            return (hours * 60 + minutes) * (negative ? -1 : 1)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 97 && (byte | 0x20) <= 122 }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    /// Text in parentheses is an RFC 822 comment ("+0000 (GMT)", "16(th)").
    private static func stripComments(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "(")) else { return bytes }
        var output: [UInt8] = []
        var depth = 0
        for byte in bytes {
            if byte == UInt8(ascii: "(") {
                depth += 1
                output.append(32)
            } else if byte == UInt8(ascii: ")") && depth > 0 {
                depth -= 1
            } else if depth == 0 {
                output.append(byte)
            }
        }
        return output
    }
}
