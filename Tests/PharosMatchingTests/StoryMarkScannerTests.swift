import Foundation
@testable import PharosMatching
import Testing

// The story marks' figures and periods are read by stepping through scalars, not by regular
// expressions (which page ICU into the daemon). These tests hold the scanner to the patterns
// it replaces, run here with Foundation's regular expressions as the reference, on every real
// text the repository keeps and on written edge cases.

private enum Reference {
    static let figurePattern = try! NSRegularExpression(pattern: #"""
        (?:US\$|\$|€|£)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion)\b)?|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b)|\b\d+\.\d+\b
        """#.trimmingCharacters(in: .whitespacesAndNewlines))

    static func figures(_ text: String) -> [String] {
        figurePattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { StoryMarkScanner.written(Array(text[$0].unicodeScalars)[...]) }
        }
    }

    static let resultsWord = try! NSRegularExpression(pattern: #"\b(results|earnings|revenues?|interim report)\b"#)
    static let periodPatterns: [(NSRegularExpression, @Sendable (String) -> Int?)] = [
        (try! NSRegularExpression(pattern: #"\b(first|second|third|fourth)[ -]quarter(?: of| of fiscal| fiscal)? (20\d\d)"#), ordinal),
        (try! NSRegularExpression(pattern: #"\b(first|second|third|fourth)[ -]quarter (?:and (?:full|fiscal)[ -]year )?(20\d\d)"#), ordinal),
        (try! NSRegularExpression(pattern: #"\bq([1-4]) (20\d\d)"#), { Int($0) }),
        (try! NSRegularExpression(pattern: #"\b(?:quarter|three months) ended (march|june|september|december) 3[01],? (20\d\d)"#),
         { ["march": 1, "june": 2, "september": 3, "december": 4][$0] }),
        (try! NSRegularExpression(pattern: #"\b(?:full[- ]year|fiscal year|year ended december 31,?)() (20\d\d)"#), { _ in 4 }),
    ]
    @Sendable static func ordinal(_ word: String) -> Int? { ["first": 1, "second": 2, "third": 3, "fourth": 4][word] }

    static func period(_ sentence: String) -> String? {
        let range = NSRange(sentence.startIndex..., in: sentence)
        guard resultsWord.firstMatch(in: sentence, range: range) != nil else { return nil }
        var best: (at: Int, period: String)?
        for (pattern, quarter) in periodPatterns {
            guard let match = pattern.firstMatch(in: sentence, range: range), best.map({ match.range.location < $0.at }) ?? true,
                  let word = Range(match.range(at: 1), in: sentence), let year = Range(match.range(at: 2), in: sentence),
                  let number = quarter(String(sentence[word])) else { continue }
            best = (match.range.location, "\(sentence[year])q\(number)")
        }
        return best?.period
    }
}

private func scannedPeriod(_ sentence: String) -> String? {
    let scanner = StoryMarkScanner(sentence)
    return scanner.namesResults() ? scanner.period() : nil
}

/// The repository's real texts: the stories and events benchmarks' corpora and the labelled documents.
private let realTexts: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var texts: [String] = []
    if let lines = try? String(contentsOf: root.appendingPathComponent("bench/stories/items.jsonl"), encoding: .utf8) {
        for line in lines.split(separator: "\n") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { continue }
            texts += ["title", "text"].compactMap { object[$0] as? String }
        }
    }
    for folder in ["bench/events/corpus", "Tests/PharosMatchingTests/Labelled/docs"] {
        let url = root.appendingPathComponent(folder)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
            if let text = try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8) { texts.append(text) }
        }
    }
    return texts
}()

private let edgeCases = [
    "Revenue was $6.9 million, up 13.5% from US$ 5,1 billion; 7 percent of 28.3 months; 1,000.5 patients; 4.5mg; 1.2.3",
    "$ 12billion, €12m, £3.50, US$7 Million, 12 %, 12percentage, 12 percent., 3.14159x, _2.5, é2.5, 2.5é, $\u{A0}4 million",
    "\u{0663}.\u{0664} and 5\u{2009}% and $5\u{2003}billion and 0.5\u{200D}",
    "", "$", "5.", ".5", "US$", "percent 5",
]

private let periodCases = [
    "third quarter of fiscal 2024 results", "results for the fourth quarter and full year 2023",
    "fourth quarter and fiscal-year 2023 earnings", "q3 2024 revenue", "revenues for the quarter ended june 30, 2024",
    "interim report for the three months ended september 31 2024", "full-year 2023 results", "fiscal year 2025 revenue",
    "results for the year ended december 31, 2023", "results for the year ended december 31,2023 and full year 2022",
    "resultsx for the first quarter 2024", "first quarter 2024 preresults", "first quarter of 2024 and q2 2023 results",
    "earnings: the second-quarter fiscal 2026 figures", "q5 2024 results", "first quarter 1999 results", "revenue q1 20245",
    "full year2024 results", "the fourth quarter and full year 2023 results for q4 2022",
]

@Suite struct StoryMarkScanning {
    @Test func figuresAreThoseOfTheReferencePatterns() {
        #expect(realTexts.count > 150, "the repository's corpora were not found")
        for text in realTexts + edgeCases {
            #expect(StoryMarkScanner(text).figures() == Reference.figures(text), "\(text.prefix(120))")
        }
    }

    @Test func periodsAreThoseOfTheReferencePatterns() {
        var sentences = periodCases
        for text in realTexts {
            let flat = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            sentences += StoryMarks.sentences(flat)
        }
        var periods = 0
        for sentence in sentences {
            let expected = Reference.period(sentence)
            if expected != nil { periods += 1 }
            #expect(scannedPeriod(sentence) == expected, "\(sentence.prefix(160))")
        }
        #expect(periods >= 10, "the cases name periods")
        // The whole item, with the cheap test that skips texts naming no results.
        for text in realTexts + periodCases + ["Interim\n  Report for the third quarter of 2024"] {
            let flat = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let expected = StoryMarks.sentences(flat).lazy.compactMap(Reference.period).first
            #expect(StoryMarks.period(title: "", body: text) == expected, "\(text.prefix(160))")
        }
    }

    @Test func figuresAreWrittenOneWay() {
        #expect(StoryMarkScanner("raised US$ 6.9 million, 13.5 percent more; median 28.3 months; 12,000 patients").figures()
            == ["$6.9m", "13.5%", "28.3"])
        #expect(scannedPeriod("third quarter of fiscal 2024 results") == "2024q3")
        #expect(scannedPeriod("results for the year ended december 31, 2023") == "2023q4")
        #expect(scannedPeriod("third quarter of fiscal 2024 update") == nil)
    }
}
