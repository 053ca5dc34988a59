import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers: UTC timestamps are read and written
/// on bytes (the alert document's `ISO8601`, the text module's `DateParsing`, `HTTPDate`)
/// without Foundation's calendars.
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
/// `Sun Nov  6 08:49:37 1994`. The text module's `DateParsing` reads these the same way (a
/// test holds them to it); Core keeps this narrow reader so that it needs no text module.
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
