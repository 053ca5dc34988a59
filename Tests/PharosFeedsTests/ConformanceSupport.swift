import Foundation
import PharosCore
@testable import PharosFeeds
import PharosText
import TestSupport

/// Pass/fail/skip counts per field of one corpus, printed as a table.
struct Tally {
    let corpus: String
    private(set) var rows: [String: (passed: Int, failed: Int, skipped: Int, differs: Int)] = [:]
    private(set) var failures: [String] = []

    init(_ corpus: String) { self.corpus = corpus }

    var passed: Int { rows.values.reduce(0) { $0 + $1.passed } }
    var failed: Int { rows.values.reduce(0) { $0 + $1.failed } }
    var skipped: Int { rows.values.reduce(0) { $0 + $1.skipped } }
    var differs: Int { rows.values.reduce(0) { $0 + $1.differs } }
    /// Checks compared against our model (skips excluded).
    var compared: Int { passed + failed + differs }

    mutating func pass(_ field: String) { rows[field, default: (0, 0, 0, 0)].passed += 1 }
    mutating func skip(_ field: String) { rows[field, default: (0, 0, 0, 0)].skipped += 1 }
    mutating func differ(_ field: String) { rows[field, default: (0, 0, 0, 0)].differs += 1 }
    mutating func fail(_ field: String, _ detail: String) {
        rows[field, default: (0, 0, 0, 0)].failed += 1
        failures.append(detail)
    }

    func report() -> String {
        var lines = ["\(corpus): \(passed)/\(compared) compared checks pass, \(differs) differ by design, \(failed) fail, \(skipped) not in our model"]
        for (field, row) in rows.sorted(by: { $0.key < $1.key }) {
            let compared = row.passed + row.failed + row.differs
            lines.append("  \(field): \(row.passed)/\(compared) pass" + (row.differs > 0 ? ", \(row.differs) by design" : "")
                + (row.failed > 0 ? ", \(row.failed) FAIL" : "") + (row.skipped > 0 ? ", \(row.skipped) skipped" : ""))
        }
        for failure in failures.prefix(40) { lines.append("  FAIL " + failure) }
        return lines.joined(separator: "\n")
    }
}

/// How corpus values are compared with ours.
enum Compare {
    /// White space folded to single spaces.
    static func fold(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// An HTML (or text) value reduced to text, every HTML 4 entity decoded (HTMLText alone
    /// knows only the common ones).
    static func asText(_ text: String) -> String {
        fold(HTMLText.plainText(from: decodeHTMLEntities(text)))
    }

    /// `&name;` for every HTML 4 entity but the five that can make markup.
    static func decodeHTMLEntities(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            let after = rest.index(after: ampersand)
            if let semicolon = rest[after...].prefix(33).firstIndex(of: ";") {
                let name = String(rest[after..<semicolon])
                if !["lt", "gt", "amp", "quot", "apos"].contains(name), let character = HTMLEntities.character(name) {
                    output += character
                    rest = rest[rest.index(after: semicolon)...]
                    continue
                }
            }
            output += "&"
            rest = rest[after...]
        }
        return output + rest
    }

    /// Our plain text matches the corpus value read as HTML, or read as plain text.
    /// U+FFFD in the corpus value (bytes the other parser could not decode) matches any character.
    static func text(_ ours: String?, _ expected: String) -> Bool {
        // HTML without text (a lone <img>) is no text at all.
        guard let ours else { return asText(expected).isEmpty }
        let folded = fold(ours)
        return wildcardEqual(folded, asText(expected)) || wildcardEqual(folded, fold(expected))
    }

    /// Equality where each U+FFFD in `expected` stands for one character of ours or, where the
    /// other parser kept an undecodable no-break space that folding removed, for nothing.
    static func wildcardEqual(_ ours: String, _ expected: String) -> Bool {
        guard expected.contains("\u{FFFD}") else { return ours == expected }
        let a = Array(ours), b = Array(expected)
        // reachable[j]: ours[0..<i] can match expected[0..<j].
        var reachable = [Bool](repeating: false, count: b.count + 1)
        reachable[0] = true
        for j in 0..<b.count where b[j] == "\u{FFFD}" && reachable[j] { reachable[j + 1] = true }
        for i in 0..<a.count {
            var next = [Bool](repeating: false, count: b.count + 1)
            for j in 0..<b.count where reachable[j] && (b[j] == a[i] || b[j] == "\u{FFFD}") { next[j + 1] = true }
            for j in 0..<b.count where b[j] == "\u{FFFD}" && next[j] { next[j + 1] = true }
            reachable = next
            if !reachable.contains(true) { return false }
        }
        return reachable[b.count]
    }

    /// Differences of principle between Pharos and the corpus' parser, recognised by their shape
    /// (see the test files' documentation); nil when the values simply disagree.
    static func deliberateRule(_ ours: String?, _ expected: String) -> String? {
        let ours = fold(ours ?? "")
        // HTML escaped as a whole (`&lt;p&gt;Title&lt;/p&gt;` once XML is decoded): the other
        // parser shows the markup as text, Pharos takes it for double escaping and reduces it.
        if expected.contains("&lt;"), !ours.isEmpty, ours == asText(asText(expected)) {
            return "escaped markup: reduced as double-escaped HTML (the other parser keeps '<p>' as text)"
        }
        // xml2js (rss-parser) puts all text of mixed content before the child elements:
        // same characters, other order ("submitted bytobenjaab123space").
        let strip = { (text: String) in text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(\.value).sorted() }
        if !ours.isEmpty, strip(ours) == strip(asText(expected)) || strip(ours) == strip(fold(expected)) {
            return "mixed content: the other parser reorders text and elements; Pharos keeps document order"
        }
        return nil
    }

    /// Where two texts part, with some context, for failure messages.
    static func difference(_ ours: String?, _ expected: String) -> String {
        let a = Array(fold(ours ?? "")), b = Array(asText(expected))
        var index = 0
        while index < min(a.count, b.count), a[index] == b[index] || b[index] == "\u{FFFD}" { index += 1 }
        let start = max(0, index - 60)
        return "ours …\(String(a[start..<min(a.count, index + 60)]))… expected …\(String(b[start..<min(b.count, index + 60)]))…"
    }

    /// Same instant within a millisecond.
    static func date(_ ours: Date?, _ expected: String) -> Bool {
        guard let ours, let instant = ISO8601.date(from: expected) ?? DateParsing.parse(expected) else { return false }
        return abs(ours.timeIntervalSince(instant)) < 0.001
    }
}

/// Parses each corpus file once.
final class FeedCache {
    private var feeds: [String: ParsedFeed] = [:]
    private let directory: String

    init(_ directory: String) { self.directory = directory }

    func feed(_ path: String) -> ParsedFeed? {
        if let cached = feeds[path] { return cached }
        guard let data = Corpus.data(directory + "/" + path) else { return nil }
        let feed = FeedParser.parse(data, url: nil)
        feeds[path] = feed
        return feed
    }
}

/// A field path such as `entries[0].authors[1].name` split into names and indices.
struct FieldPath {
    let text: String
    let parts: [(name: String, index: Int?)]

    init(_ text: String) {
        self.text = text
        parts = text.split(separator: ".").map { part in
            if let open = part.firstIndex(of: "["), let close = part.firstIndex(of: "]") {
                return (String(part[..<open]), Int(part[part.index(after: open)..<close]))
            }
            return (String(part), nil)
        }
    }

    /// The path with indices dropped, the per-field key of the tally.
    var shape: String {
        parts.map { $0.index == nil ? $0.name : "\($0.name)[]" }.joined(separator: ".")
    }
}
