import Foundation
import PharosCore
import PharosFeeds
import TestSupport
import Testing

/// rss-parser's corpus (`corpora/rss_parser/cases.jsonl`, 28 feeds, 3,576 checks): what that
/// library produced, mapped onto ``ParsedFeed``.
///
/// Mapping: `feed.title`, `feed.link`, `feed.items.length`; per item `title`, `link`, `guid`/`id`
/// → id, `isoDate` → published, `content` (the RSS description, or Atom content) → summary for
/// RSS and content for Atom (the other one when that is empty), `contentSnippet` → the same field
/// compared without white space (the two libraries break lines differently when stripping tags),
/// `summary` → summary, `creator` and `author` → one of authors.
///
/// Not compared: `feed.feedUrl` (the feed's own URL is not part of ParsedFeed), `pubDate` (the raw
/// string; `isoDate` is compared), empty `creator`/`author` values, and `xml2js-options.rss`,
/// whose expectations come from custom xml2js options (`emptyTag: "EMPTY"`).
///
/// Deliberate differences (counted apart, never as passes):
/// - U+FFFD in rss-parser's values (`uolNoticias.rss`, Latin-1 without a declaration, which it
///   read as UTF-8) matches any one character, or a no-break space that folding removed: Pharos
///   decodes those bytes (`simulações`, not `simula��es`).
/// - xml2js puts all text of mixed content before the child elements; where ours holds the same
///   characters in another order it is the document's order (``Compare/deliberateRule(_:_:)``).
/// - The cases in ``deliberate``, each with its reason: rss-parser's snippets dropping text, and
///   `reddit-atom.rss`, whose naked XHTML xml2js mangles and whose self-texts are escaped twice.
///
/// Threshold: every compared check passes except those deliberate differences, and at least
/// 2,700 checks are compared at all.
@Suite(.enabled(if: Corpus.available, "needs ../shared/corpora"))
struct RSSParserConformanceTests {
    /// (input file, field path with `[]` for any index) → why Pharos deliberately differs.
    static let deliberate: [String: String] = [
        "reddit-atom.rss|feed.items[].content":
            "xml2js mangles the naked XHTML in these <description>s (text moved before the elements, or the link texts lost: "
            + "'submitted byto'), and some self-texts are HTML escaped twice; Pharos keeps document order and reduces both levels",
        "reddit-atom.rss|feed.items[].contentSnippet": "as content",
        "reddit-home.rss|feed.items[].contentSnippet":
            "rss-parser's snippet of Atom xhtml content drops the text between links ('submitted by … to …'); the items' content checks pass",
        "customfields.rss|feed.items[4].contentSnippet":
            "rss-parser's tag stripping drops the line after '<br />' (the names); Pharos keeps it and the item's content check passes",
    ]

    @Test func allChecks() throws {
        let cases = Corpus.lines("rss_parser/cases.jsonl")
        #expect(cases.count == 3_576)
        let cache = FeedCache("rss_parser")
        var tally = Tally("rss_parser")
        var deliberateSeen: Set<String> = []
        var rulesSeen: [String: Int] = [:]
        var atomFiles: [String: Bool] = [:]
        for entry in cases {
            guard let input = entry["input"] as? String, let pathText = entry["field_path"] as? String else { continue }
            let path = FieldPath(pathText)
            let field = path.shape
            let file = String(input.split(separator: "/").last ?? "")
            guard file != "xml2js-options.rss" else {
                tally.skip(field)
                continue
            }
            guard let feed = cache.feed(input) else {
                tally.fail(field, "\(input): unreadable")
                continue
            }
            let isAtom = atomFiles[input] ?? Self.isAtom(Corpus.data("rss_parser/" + input) ?? Data())
            atomFiles[input] = isAtom
            let expected = entry["expected_value"]
            let ok: Bool?
            switch Self.ours(path, feed: feed, isAtom: isAtom) {
            case .skip:
                ok = nil
            case .count(let count):
                ok = count == (expected as? Int)
            case .text(let ours):
                ok = Compare.text(ours, expected as? String ?? "")
            case .exact(let ours):
                ok = ours == Trim.expected(expected as? String ?? "")
            case .date(let ours):
                ok = Compare.date(ours, expected as? String ?? "")
            case .compact(let ours):
                let strip = { (text: String) in String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)) }
                ok = Compare.wildcardEqual(strip(ours ?? ""), strip(Compare.asText(expected as? String ?? "")))
                    || Compare.wildcardEqual(strip(ours ?? ""), strip(expected as? String ?? ""))
            case .author(let authors):
                let value = Compare.fold(expected as? String ?? "")
                if value.isEmpty {
                    ok = nil
                } else {
                    ok = authors.contains { Compare.text($0, value) || value.contains($0) }
                }
            }
            guard let ok else {
                tally.skip(field)
                continue
            }
            let exactKey = "\(file)|\(pathText)"
            let shapeKey = "\(file)|\(field)"
            let key = Self.deliberate[exactKey] != nil ? exactKey : shapeKey
            let ourText: String?? = {
                switch Self.ours(path, feed: feed, isAtom: isAtom) {
                case .text(let value), .compact(let value): return .some(value)
                default: return .none
                }
            }()
            if ok {
                tally.pass(field)
            } else if Self.deliberate[key] != nil {
                deliberateSeen.insert(key)
                tally.differ(field)
            } else if let ourText, let rule = Compare.deliberateRule(ourText, expected as? String ?? "") {
                rulesSeen[rule + " (" + file + ")", default: 0] += 1
                tally.differ(field)
            } else {
                let detail: String
                switch Self.ours(path, feed: feed, isAtom: isAtom) {
                case .text(let ours), .compact(let ours): detail = Compare.difference(ours, expected as? String ?? "")
                case let other: detail = "expected \(String(describing: expected).prefix(300)), got \(other)"
                }
                tally.fail(field, "\(file) \(pathText): \(detail)")
            }
        }
        print(tally.report())
        print("rss_parser deliberate differences:")
        for (key, reason) in Self.deliberate.sorted(by: { $0.key < $1.key }) { print("  \(key): \(reason)") }
        for (rule, count) in rulesSeen.sorted(by: { $0.key < $1.key }) { print("  \(count)× \(rule)") }
        #expect(tally.failed == 0, "\(tally.failures.prefix(30).joined(separator: "\n"))")
        #expect(deliberateSeen.count == Self.deliberate.count)
        // Floor on what is compared at all, so a mapping regression cannot pass by skipping.
        #expect(tally.compared >= 2_700)
    }

    enum Check: CustomStringConvertible {
        case count(Int)
        case text(String?)
        case exact(String?)
        case date(Date?)
        case compact(String?)
        case author([String])
        case skip

        var description: String {
            switch self {
            case .count(let count): "\(count)"
            case .text(let value), .exact(let value), .compact(let value): String(value.debugDescription.prefix(300))
            case .date(let value): value.map(ISO8601.string).debugDescription
            case .author(let names): names.description
            case .skip: "skipped"
            }
        }
    }

    static func isAtom(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(4096), as: UTF8.self)
        guard let feed = head.range(of: "<feed") else { return false }
        let rss = [head.range(of: "<rss"), head.range(of: "<rdf:RDF")].compactMap { $0?.lowerBound }.min()
        return rss.map { feed.lowerBound < $0 } ?? true
    }

    static func ours(_ path: FieldPath, feed: ParsedFeed, isAtom: Bool) -> Check {
        let parts = path.parts
        guard parts.count >= 2, parts[0].name == "feed" else { return .skip }
        if parts[1].name == "items" {
            guard let index = parts[1].index else { return parts.count == 3 && parts[2].name == "length" ? .count(feed.items.count) : .skip }
            guard parts.count == 3 else { return .skip }
            let item = index < feed.items.count ? feed.items[index] : nil
            let body = isAtom ? (item?.content ?? item?.summary) : (item?.summary ?? item?.content)
            switch parts[2].name {
            case "title": return .text(item?.title)
            case "link": return .exact(item?.link)
            case "guid", "id": return .exact(item?.id)
            case "isoDate": return .date(item?.published)
            case "content": return .text(body)
            case "contentSnippet": return .compact(body)
            case "summary": return .text(item?.summary)
            case "creator", "author": return .author(item?.authors ?? [])
            default: return .skip
            }
        }
        switch parts[1].name {
        case "title": return .text(feed.title)
        case "link": return .exact(feed.link)
        default: return .skip
        }
    }
}
