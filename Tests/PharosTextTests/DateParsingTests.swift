import Foundation
import PharosCore
import PharosSupport
import PharosText
import TestSupport
import Testing

@Suite struct DateParsingTests {
    @Test(arguments: [
        ("2025-02-10T22:35:00Z", 1_739_226_900.0), ("Mon, 10 Feb 2025 17:35:00 EST", 1_739_226_900.0),
        ("Mon, 10 Feb 2025 17:35 EST", 1_739_226_900.0), ("10 Feb 2025 22:35:00 GMT", 1_739_226_900.0),
        ("2025-02-10", 1_739_145_600.0), ("February 10, 2025", 1_739_145_600.0),
        // RFC 822 as press-release feeds write it.
        ("Mon, 10 Feb 2025 18:35:00 EDT", 1_739_226_900.0), ("Sat, 20 Feb 2021 02:44 GMT", 1_613_789_040.0),
        ("Mon, 10 Feb 2025 22:35:00 +0000", 1_739_226_900.0), ("Mon, 10 Feb 2025 23:35:00 +01:00", 1_739_226_900.0),
        ("Mon, 10 Feb 2025 22:35:00 UT", 1_739_226_900.0), ("Mon,10 Feb 2025 22:35:00 GMT", 1_739_226_900.0),
        ("  Mon, 10 Feb 2025 22:35:00 GMT\r\n      ", 1_739_226_900.0), ("Mon, 10 Feb 25 22:35:00 GMT", 1_739_226_900.0),
        ("Monday, 10 February 2025 22:35:00 GMT", 1_739_226_900.0), ("10 Feb 2025 22:35:00 +0000 (UTC)", 1_739_226_900.0),
        ("Tue, 11 Feb 2025 04:05:00 IST", 1_739_226_900.0), ("10 Feb. 2025 17:35 EST", 1_739_226_900.0),
        // ISO 8601 / RFC 3339 variants.
        ("2025-02-10T23:35:00+01:00", 1_739_226_900.0), ("2025-02-10T22:35:00.250Z", 1_739_226_900.25),
        ("2025-02-10 22:35:00", 1_739_226_900.0), ("2025-02-10T22:35", 1_739_226_900.0), ("2025-02-10t22:35:00z", 1_739_226_900.0),
        ("20250210T223500Z", 1_739_226_900.0), ("2025-02-10T17:35:00-0500", 1_739_226_900.0), ("2025", 1_735_689_600.0),
        // Written and local forms.
        ("February 10, 2025 5:35 PM EST", 1_739_226_900.0), ("10th February 2025", 1_739_145_600.0),
        ("Feb 10, 2025", 1_739_145_600.0), ("2020/1/10 14:33:00", 1_578_666_780.0), ("10.02.2025 22:35", 1_739_226_900.0),
        ("Seg, 24 Set 2018 19:42:40 -0300", 1_537_828_960.0), ("Mo, 10 Feb 2025 22:35:00 GMT", 1_739_226_900.0),
        ("10 Dez 2024 10:00 MEZ", 1_733_821_200.0), ("mar, 11 feb 2025 00:00:00 +0100", 1_739_228_400.0),
    ])
    func parses(text: String, seconds: Double) {
        #expect(DateParsing.parse(text)?.timeIntervalSince1970 == seconds, "\(text)")
    }

    @Test(arguments: [
        "soon", "", "   ", "yesterday", "insert published date here", "2003-07-32T15:51:30-05:00", "2003-06-31",
        "2003-07-01T25:51:30Z", "2003-07-01T01:61:30Z", "2003-13-01", "Sat, 31 Jun 2006 23:08:26 +1000",
        "Mon, 30 Feb 2025 10:00:00 GMT", "07-01T01:55:07-05:00", "12:30", "Episode 5", "10/11/12", "2025-02-10 bananas",
    ])
    func rejects(text: String) {
        #expect(DateParsing.parse(text) == nil, "\(text)")
    }

    @Test func leapDaysAndCenturies() {
        #expect(DateParsing.parse("2024-02-29") != nil)
        #expect(DateParsing.parse("2023-02-29") == nil)
        #expect(DateParsing.parse("2000-02-29") != nil)
        #expect(DateParsing.parse("1900-02-29") == nil)
        #expect(DateParsing.parse("1999-12-31T23:59:60Z")?.timeIntervalSince1970 == 946_684_800)
    }

    /// Core reads `Retry-After` dates with the narrow `HTTPDate` of PharosSupport: it must read every
    /// HTTP-date form as `DateParsing` does, and refuse what is no HTTP-date.
    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Thu, 29 Feb 2024 23:59:59 GMT", "Wed, 01-Jan-31 00:00:00 GMT", "Fri Dec 31 23:59:60 1999",
    ])
    func httpDatesAsDateParsingReadsThem(text: String) throws {
        let parsed = try #require(HTTPDate.parse(text))
        #expect(parsed == DateParsing.parse(text))
    }

    @Test(arguments: ["Thu, 29 Feb 2023 10:00:00 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Xyz 1994 08:49:37 GMT", "120", ""])
    func notHTTPDates(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}

/// feedvalidator's date cases (`corpora/feedvalidator/date_validity.jsonl`): 177 values labelled
/// valid or invalid RFC 822 / RFC 3339 / W3CDTF in the element they appeared in.
///
/// Pass rule: every value labelled valid (or "problematical", RFC 822 that is parseable but
/// discouraged) parses to the instant in ``instants``, computed independently with Python's
/// datetime. A value labelled invalid may be refused, or accepted when its reading is
/// unambiguous (Pharos is a lenient reader: `2003-07-01 01:55:07-05:00`, an RFC 822 date in an
/// Atom element); then it must give the instant in ``instants`` too. Impossible dates (day 32,
/// 31 June, hour 25, minute or second 61, month 13) and non-dates must give nil. A date without a
/// zone is read as UTC; RFC 822's military zones ("A") as UTC, as RFC 2822 advises.
@Suite(.enabled(if: Corpus.available, "needs ../shared/corpora"))
struct FeedValidatorDateTests {
    static let instants: [String: Double] = [
        "1 Dec 2002 14:20:20 +0000": 1_038_752_420, "10 Apr 2002 14:20:20 GMT": 1_018_448_420,
        "10 Aug 2002 14:20:20 GMT": 1_028_989_220, "10 Feb 2002 14:20:20 GMT": 1_013_350_820,
        "10 Jan 2002 14:20:20 GMT": 1_010_672_420, "10 Jul 2002 14:20:20 GMT": 1_026_310_820,
        "10 Jun 2002 14:20:20 GMT": 1_023_718_820, "10 Mar 2002 14:20:20 GMT": 1_015_770_020,
        "10 May 2002 14:20:20 GMT": 1_021_040_420, "10 Nov 2002 14:20:20 GMT": 1_036_938_020,
        "10 Oct 2002 14:20:20 GMT": 1_034_259_620, "10 Sep 2002 14:20:20 GMT": 1_031_667_620,
        "2000-01-01T12:00+00:00": 946_728_000, "2002": 1_009_843_200, "2002-12": 1_038_700_800, "2002-12-31": 1_041_292_800,
        "2002-12-31T01:15:07-05:00": 1_041_315_307, "2002-12-31T192030+01:00": 1_041_358_830,
        "2002-12-31T19:20+01:00": 1_041_358_800, "2002-12-31T19:20:30+01:00": 1_041_358_830,
        "2002-12-31T19:20:30.45+01:00": 1_041_358_830.45, "2002-12-31T19:20:30Z": 1_041_362_430,
        "20021231T19:20:30.45+01:00": 1_041_358_830.45, "2003": 1_041_379_200, "2003-07-01": 1_057_017_600,
        "2003-07-01 01:55:07-05:00": 1_057_042_507, "2003-07-01 T 01:55:07-05:00": 1_057_042_507,
        "2003-07-01 T01:55:07-05:00": 1_057_042_507, "2003-07-01T 01:55:07-05:00": 1_057_042_507,
        "2003-07-01T01:55:07 -05:00": 1_057_042_507, "2003-07-01T01:55:07-0500": 1_057_042_507,
        "2003-07-01T01:55:07-05:00": 1_057_042_507, "2003-09-24": 1_064_361_600, "2003-09-24T11:36:36": 1_064_403_396,
        "2003-12-13T18:30:02Z": 1_071_340_202, "2003-12-13t18:30:02.25z": 1_071_340_202.25,
        "2005-07-02T10:00:00": 1_120_298_400, "2007": 1_167_609_600, "2007-05-06": 1_178_409_600,
        "2007-05-06T07:30:15Z": 1_178_436_615, "21 Oct 2002 06:45 EDT": 1_035_197_100,
        "31 Dec 2002 14:20:20 +0000": 1_041_344_420, "31 Dec 2002 14:20:20 -0234": 1_041_353_660,
        "31 Dec 2002 14:20:20 A": 1_041_344_420, "31 Dec 2002 14:20:20 CST": 1_041_366_020,
        "31 Dec 2002 14:20:20 EDT": 1_041_358_820, "31 Dec 2002 14:20:20 EST": 1_041_362_420,
        "31 Dec 2002 14:20:20 GMT": 1_041_344_420, "31 Dec 2002 14:20:20 MDT": 1_041_366_020,
        "31 Dec 2002 14:20:20 MST": 1_041_369_620, "31 Dec 2002 14:20:20 PDT": 1_041_369_620,
        "31 Dec 2002 14:20:20 PST": 1_041_373_220, "31 Dec 2002 14:20:20 UT": 1_041_344_420,
        "31 Dec 2002 14:20:20 Z": 1_041_344_420, "31 Dec 99 23:59:59 +0000": 946_684_799,
        "Fri, 27 Dec 2002 14:20:20 GMT": 1_040_998_820, "Mon, 21 Oct 2002 14:04:23 -0500": 1_035_227_063,
        "Mon, 21 Oct 2002 14:04:23 -05:00": 1_035_227_063, "Mon, 31 Dec 2002 14:20:20 GMT": 1_041_344_420,
        "Sat,29 Jul 2006 00:03:02 +0000": 1_154_131_382,
        "Thu (oh how I hate thursdays), 16(th) Feb(ruary) 2006 01:39 +0000 (GMT r0x0rz)": 1_140_053_940,
        "Thu, 09 Feb 2006 23:59:45 +0000": 1_139_529_585, "Thu, 19 Jul 2006 23:08:26 +1000": 1_153_314_506,
        "Thu, 26 Dec 2002 14:20:20 GMT": 1_040_912_420, "Tue, 31 Dec 2002 14:20:20 GMT": 1_041_344_420,
        "Wed, 02 Oct 2002 13:00:00 GMT": 1_033_563_600, "Wed, 25 Dec 2002 14:20:20 GMT": 1_040_826_020,
    ]

    @Test func dateValidity() {
        let cases = Corpus.lines("feedvalidator/date_validity.jsonl")
        #expect(cases.count == 177)
        var validPassed = 0, validTotal = 0, invalidRefused = 0, invalidAccepted = 0, noValue = 0
        var failures: [String] = []
        var handling: [String] = []
        for entry in cases {
            guard let value = entry["value"] as? String else {
                noValue += 1
                continue
            }
            let event = entry["event"] as? String ?? ""
            let negated = entry["negated"] as? Bool ?? false
            let valid = (event.hasPrefix("Valid") && !negated) || (event.hasPrefix("Invalid") && negated)
                || event.hasPrefix("Problematical")
            let parsed = DateParsing.parse(value)?.timeIntervalSince1970
            let expected = Self.instants[value]
            if valid {
                validTotal += 1
                if let parsed, let expected, abs(parsed - expected) < 0.001 {
                    validPassed += 1
                } else {
                    failures.append("valid \(value.debugDescription) (\(event)): got \(parsed.map { "\($0)" } ?? "nil"), want \(expected.map { "\($0)" } ?? "an entry")")
                }
                continue
            }
            if let parsed {
                invalidAccepted += 1
                handling.append("  accepted leniently: \(value.debugDescription) (\(event)) → \(ISO8601.string(from: Date(timeIntervalSince1970: parsed)))")
                if expected.map({ abs(parsed - $0) >= 0.001 }) ?? true {
                    failures.append("invalid \(value.debugDescription) accepted as \(parsed), which is not its reading")
                }
            } else {
                invalidRefused += 1
                handling.append("  refused: \(value.debugDescription) (\(event))")
            }
        }
        print("feedvalidator dates: \(validPassed)/\(validTotal) valid parse to the right instant; of the invalid, \(invalidRefused) refused and \(invalidAccepted) accepted leniently (each at its natural instant); \(noValue) cases without a value")
        for line in Set(handling).sorted() { print(line) }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(validPassed == validTotal)
        #expect(validTotal >= 60)
    }
}
