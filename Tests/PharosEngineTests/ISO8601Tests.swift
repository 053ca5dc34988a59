import Foundation
import PharosCore
import Testing

/// Alerts and log lines carry times written by hand: they must read exactly as Foundation's
/// ISO-8601 format style writes and reads them.
@Suite struct ISO8601Text {
    @Test func writtenAsFoundationWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var times: [Double] = [0, -0.4, 0.6, 59.9999, 951_782_400, 1_795_424_400.5, -12_212_553_600, 253_402_300_799.9,
                               -12_212_553_601, 253_402_300_800, -62_135_596_800]
        for _ in 0..<2000 { times.append(Double.random(in: -12_300_000_000...253_500_000_000, using: &generator)) }
        for time in times {
            let date = Date(timeIntervalSince1970: time)
            #expect(ISO8601.string(from: date) == date.formatted(.iso8601), "\(time)")
        }
    }

    @Test func readAsFoundationReadsThem() throws {
        for text in ["2026-11-23T09:00:00Z", "2000-02-29T23:59:59Z", "1583-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                     "1970-01-01T00:00:00Z", "2026-11-23T09:00:00.250Z", "2026-11-23T09:00:00+01:00", "2026-11-23"] {
            let foundation = (try? Date(text, strategy: .iso8601))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()))
            #expect(ISO8601.date(from: text) == foundation, "\(text)")
        }
        #expect(ISO8601.date(from: "2026-02-31T00:00:00Z") == (try? Date("2026-02-31T00:00:00Z", strategy: .iso8601)))
        #expect(ISO8601.date(from: "2026-11-23T24:00:00Z") == (try? Date("2026-11-23T24:00:00Z", strategy: .iso8601)))
        #expect(ISO8601.date(from: "not a date") == nil)
    }
}
