import Foundation
import PharosCore
import PharosSupport
import PharosText

/// Dates in feeds: RSS's usual `Mon, 23 Nov 2026 06:19:44 EST` read straight from the bytes,
/// everything else by `DateParsing`, which gives the same instant for this form but costs
/// several times as much.
enum FeedDates {
    /// The date in `bytes` (white space around it allowed), as `DateParsing.parse` reads it.
    static func parse(_ bytes: [UInt8]) -> Date? {
        bytes.withUnsafeBufferPointer(parse)
    }

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Date? {
        if let date = rfc822(buffer) { return date }
        return DateParsing.parse(TextTools.trimmed(utf8: buffer))
    }

    /// `[Www, ]D[D] Mmm YYYY hh:mm[:ss] ZONE` with single spaces, an English weekday and month
    /// abbreviation, and a zone that is one of the common names or `±hhmm`; nil for anything
    /// else, which then goes to the general parser.
    static func rfc822(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var scanner = ByteScanner(text)
        scanner.skipWhitespace()
        if let first = scanner.peek, isLetter(first) {
            guard let weekday = scanner.word(), weekdays.contains(weekday), scanner.eat(UInt8(ascii: ",")), scanner.eat(space) else { return nil }
        }
        guard let day = scanner.number(minDigits: 1, maxDigits: 2), scanner.eat(space),
              let monthWord = scanner.word(), let month = months[monthWord], scanner.eat(space),
              let year = scanner.number(minDigits: 4, maxDigits: 4), scanner.eat(space),
              let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.eat(UInt8(ascii: ":")),
              let minute = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
        var second = 0
        if scanner.eat(UInt8(ascii: ":")) {
            guard let parsed = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
            second = parsed
        }
        guard scanner.eat(space) else { return nil }
        let offsetMinutes: Int
        if let sign = scanner.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            scanner.advance()
            guard let value = scanner.number(minDigits: 4, maxDigits: 4) else { return nil }
            let hours = value / 100, minutes = value % 100
            guard hours <= 14, minutes < 60 else { return nil }
            offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            guard let zone = scanner.word(), let offset = zones[zone] else { return nil }
            offsetMinutes = offset
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { return nil }
        guard (1...9999).contains(year), day >= 1, day <= CivilCalendar.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return Date(timeIntervalSince1970: Double(seconds))
    }

    private static let space = UInt8(ascii: " ")

    /// Words packed as lower-case ASCII into an integer (three or four letters).
    private typealias Word = UInt32

    private static func word(_ text: StaticString) -> Word {
        var value: Word = 0
        for offset in 0..<text.utf8CodeUnitCount { value = value << 8 | Word(text.utf8Start[offset]) }
        return value
    }

    private static let weekdays: Set<Word> = Set(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { word($0) })

    private static let months: [Word: Int] = {
        var months: [Word: Int] = [:]
        for (index, name) in (["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] as [StaticString]).enumerated() {
            months[word(name)] = index + 1
        }
        return months
    }()

    /// The zones `DateParsing` reads the same way (minutes east of UTC).
    private static let zones: [Word: Int] = [
        word("gmt"): 0, word("ut"): 0, word("utc"): 0, word("est"): -300, word("edt"): -240, word("cst"): -360,
        word("cdt"): -300, word("mst"): -420, word("mdt"): -360, word("pst"): -480, word("pdt"): -420,
    ]

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private struct ByteScanner {
        let text: UnsafeBufferPointer<UInt8>
        var index = 0

        init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

        var atEnd: Bool { index >= text.count }
        var peek: UInt8? { index < text.count ? text[index] : nil }

        mutating func advance() { index += 1 }

        mutating func eat(_ byte: UInt8) -> Bool {
            guard index < text.count, text[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < text.count, text[index] == 0x20 || text[index] == 0x09 || text[index] == 0x0A || text[index] == 0x0D { index += 1 }
        }

        /// Two to four ASCII letters, lower-cased and packed.
        mutating func word() -> Word? {
            let start = index
            var value: Word = 0
            while index < text.count, FeedDates.isLetter(text[index]) {
                guard index - start < 4 else { return nil }
                value = value << 8 | Word(text[index] | 0x20)
                index += 1
            }
            return index - start >= 2 ? value : nil
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
            let start = index
            var value = 0
            while index < text.count, text[index] >= 0x30, text[index] <= 0x39 {
                guard index - start < maxDigits else { return nil }
                value = value * 10 + Int(text[index] - 0x30)
                index += 1
            }
            return index - start >= minDigits ? value : nil
        }
    }
}
