import Foundation

/// Lenient parsing of the date strings found in press releases and feeds; results are UTC instants.
public enum DateParsing {
    private static let zoneOffsets: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
        "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1, "IST": 5,
        "JST": 9,
    ]

    private static let formats = [
        "EEE, d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z", "d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm Z",
        "EEE, d MMM yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss Z", "yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd", "MMMM d, yyyy", "MMM d, yyyy", "d MMMM yyyy",
        "MMMM d, yyyy HH:mm", "yyyy/MM/dd",
    ]

    /// Parses ISO 8601 / RFC 3339, RFC 822 (named zones such as EST and EDT, with or without
    /// seconds) and common written forms ("February 10, 2025"); nil when nothing fits.
    public static func parse(_ raw: String) -> Date? {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if let date = ISO8601.date(from: text) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt)) { return date }
        // Named zones become numeric offsets that every format understands.
        if let last = text.split(separator: " ").last, let hours = zoneOffsets[String(last).uppercased()] {
            let sign = hours < 0 ? "-" : "+"
            text = text.dropLast(last.count) + String(format: "%@%02d00", sign, abs(hours))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in formats {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
