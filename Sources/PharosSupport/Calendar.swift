import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers: UTC timestamps are read and written
/// on bytes (`UTCTimestamp` behind Core's `ISO8601`, the text module's `DateParsing`,
/// `HTTPDate`) without Foundation's calendars.
package enum CivilCalendar {
    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    package static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
    package static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// An HTTP-date (RFC 9110, section 5.6.7), as `Retry-After` carries it: the IMF-fixdate
/// `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete `Sunday, 06-Nov-94 08:49:37 GMT` and
/// `Sun Nov  6 08:49:37 1994`, for Core's `HTTPResponse.retryAfter`. The text module's
/// `DateParsing` reads these the same way (a test holds them to it); this narrow reader keeps
/// Core from needing the text module.
package enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    package static func parse(_ text: String) -> Date? {
        let words = text.split { $0 == " " || $0 == "," || $0 == "-" }
        let day, month, year, clock: Substring
        switch words.count {
        case 6 where words[5] == "GMT": (day, month, year, clock) = (words[1], words[2], words[3], words[4])
        case 5: (month, day, clock, year) = (words[1], words[2], words[3], words[4])
        default: return nil
        }
        let time = clock.split(separator: ":")
        guard let monthIndex = months.firstIndex(of: month.lowercased()), year.count == 4 || year.count == 2,
              var yearNumber = Int(year), let dayNumber = Int(day), time.count == 3,
              let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else { return nil }
        // Two-digit years as RFC 2822 reads them, and `DateParsing` too.
        if year.count == 2 { yearNumber += yearNumber < 50 ? 2000 : 1900 }
        guard (1...CivilCalendar.daysIn(month: monthIndex + 1, year: yearNumber)).contains(dayNumber),
              (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second) else { return nil }
        let days = CivilCalendar.daysFromCivil(year: yearNumber, month: monthIndex + 1, day: dayNumber)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}

/// The one ISO-8601 form Pharos writes, `2026-11-23T09:00:00Z` from 1583 on, on bytes: Core's
/// `ISO8601` hands every other form to Foundation.
package enum UTCTimestamp {
    /// Appends `2026-11-23T09:00:00Z` (seconds truncated) to `output`; false, appending
    /// nothing, for a date before 1583 or after 9999.
    package static func append(_ date: Date, to output: inout [UInt8]) -> Bool {
        let time = date.timeIntervalSince1970
        guard time >= earliest, time < latest else { return false }
        let seconds = Int(time.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.civilFromDays(days)
        // The twenty bytes made in place and appended at once (a backtest writes two dates per
        // alert, and appending digit by digit cost more than the rest of the date).
        let hour = secondOfDay / 3_600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        let zero = UInt8(ascii: "0")
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { text in
            func two(_ value: Int, at index: Int) {
                text[index] = zero &+ UInt8(truncatingIfNeeded: value / 10)
                text[index + 1] = zero &+ UInt8(truncatingIfNeeded: value % 10)
            }
            two(year / 100, at: 0)
            two(year % 100, at: 2)
            text[4] = UInt8(ascii: "-")
            two(month, at: 5)
            text[7] = UInt8(ascii: "-")
            two(day, at: 8)
            text[10] = UInt8(ascii: "T")
            two(hour, at: 11)
            text[13] = UInt8(ascii: ":")
            two(minute, at: 14)
            text[16] = UInt8(ascii: ":")
            two(second, at: 17)
            text[19] = UInt8(ascii: "Z")
            output.append(contentsOf: UnsafeBufferPointer(text))
        }
        return true
    }

    /// Foundation's Gregorian calendar is Julian before October 1582; from 1583 on both agree.
    private static let earliest = Double(CivilCalendar.daysFromCivil(year: 1583, month: 1, day: 1) * 86_400)
    private static let latest = Double(CivilCalendar.daysFromCivil(year: 10_000, month: 1, day: 1) * 86_400)

    /// `YYYY-MM-DDTHH:MM:SSZ` exactly, from 1583 on; nil for anything else.
    package static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2),
              year >= 1583, (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}
