import Foundation
import PharosCore
import PharosFeeds
import TestSupport
import Testing

/// NetNewsWire's quirky real-world feeds (`corpora/realworld/netnewswire`): no expectations came
/// with them, so each must parse, without a crash, into the number of items it holds, and every
/// item must be sensible: an id, some text, absolute links, no markup or entities left in the
/// text, dates in a plausible range. A few facts each file is there for are checked by name.
@Suite(.enabled(if: Corpus.available, "needs ../shared/corpora"))
struct RealWorldTests {
    /// Items per file, counted in the files themselves (`<item`, `<entry`, JSON `items`).
    static let itemCounts: [String: Int] = [
        "3960.json": 20, "489.rss": 10, "EMarley.rss": 10, "aktuality.rss": 30, "authors.json": 4, "bio.rdf": 30,
        "donthitsave.xml": 10, "expertopinionent.atom": 43, "kc0011.rss": 20, "livemint.xml": 25, "manton.rss": 10,
        "medscape.rss": 20, "natasha.xml": 10, "phpxml.rss": 20, "shopify-namespace.rss": 1,
    ]

    static func feed(_ name: String) throws -> ParsedFeed {
        let data = try #require(Corpus.data("realworld/netnewswire/" + name))
        return FeedParser.parse(data, url: URL(string: "https://feeds.example.org/" + name))
    }

    @Test func everyFileParsesIntoSensibleItems() throws {
        let directory = try #require(Corpus.url("realworld/netnewswire"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasPrefix("LICENSE") && $0 != "SOURCE_COMMIT" }.sorted()
        #expect(Set(files) == Set(Self.itemCounts.keys), "the corpus changed: \(files)")
        var sensible = 0
        for file in files {
            let feed = try Self.feed(file)
            var problems: [String] = []
            if feed.items.count != Self.itemCounts[file] { problems.append("\(feed.items.count) items, expected \(Self.itemCounts[file] ?? -1)") }
            if feed.title?.isEmpty ?? true { problems.append("no feed title") }
            if !feed.wellFormed { problems.append("not well-formed: \(feed.warnings)") }
            for (index, item) in feed.items.enumerated() {
                let where_ = "item \(index)"
                if item.id.isEmpty { problems.append("\(where_): empty id") }
                let text = [item.title, item.summary ?? "", item.content ?? ""].joined()
                if text.isEmpty && file != "authors.json" { problems.append("\(where_): no text at all") }
                if let link = item.link, !(link.hasPrefix("http://") || link.hasPrefix("https://")) { problems.append("\(where_): link \(link)") }
                // 3960.json is a web-development blog: its posts show HTML inside <code>, which is text.
                let texts = [("title", item.title), ("summary", item.summary ?? "")] + (file == "3960.json" ? [] : [("content", item.content ?? "")])
                for (name, value) in texts {
                    if Self.hasMarkup(value) { problems.append("\(where_): markup left in \(name): \(value.prefix(120))") }
                }
                if item.title.contains("\n") { problems.append("\(where_): title spans lines") }
                for date in [item.published, item.updated].compactMap({ $0 }) {
                    if date < Date(timeIntervalSince1970: 946_684_800) || date > Date(timeIntervalSince1970: 1_893_456_000) {
                        problems.append("\(where_): implausible date \(ISO8601.string(from: date))")
                    }
                }
            }
            let dated = feed.items.filter { $0.published != nil }.count
            print("realworld \(file): \(feed.items.count) items, \(dated) dated, well-formed \(feed.wellFormed), title \(feed.title ?? "nil")"
                + (problems.isEmpty ? "" : "\n  " + problems.prefix(5).joined(separator: "\n  ")))
            if problems.isEmpty { sensible += 1 }
        }
        print("realworld: \(sensible)/\(files.count) files parse into sensible items")
        #expect(sensible == files.count)
    }

    /// Tags, comments or character references that survived reduction to text.
    static func hasMarkup(_ text: String) -> Bool {
        for pattern in ["</", "<p>", "<br", "<div", "<a ", "<img", "<!--", "&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#"] where text.contains(pattern) {
            return true
        }
        return false
    }

    @Test func medscapeZonesAndEscapedHTMLWithCDATA() throws {
        let feed = try Self.feed("medscape.rss")
        // "Wed, 5 Nov 2025 13:52:10  EST" (two spaces): 18:52:10Z.
        #expect(feed.items[0].published.map(ISO8601.string) == "2025-11-05T18:52:10Z")
        // `&lt;br /&gt; &lt;i&gt;<![CDATA[Medscape News Canada]]>&lt;/i&gt;` is markup, not text.
        #expect(feed.items[0].summary?.hasSuffix("experts warn.\nMedscape News Canada") == true)
        #expect(feed.items.allSatisfy { $0.published != nil })
    }

    @Test func chineseInGB2312WithSlashDates() throws {
        let feed = try Self.feed("kc0011.rss")
        #expect(feed.title == "投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文")
        #expect(feed.items[0].title == "建国35周年纪念，华表，和平鸽")
        #expect(feed.items[0].published.map(ISO8601.string) == "2020-01-10T14:33:00Z")
        #expect(feed.warnings.isEmpty)
    }

    @Test func rdfWithoutDeclaration() throws {
        let feed = try Self.feed("bio.rdf")
        #expect(feed.title == "bioRxiv Subject Collection: Plant Biology")
        #expect(feed.items.allSatisfy { $0.published != nil && $0.link?.hasPrefix("http://biorxiv.org/") == true })
        #expect(feed.items[0].fields["dc:identifier"] == "doi:10.1101/743294")
    }

    @Test func byteOrderMarkAndCarriageReturns() throws {
        let feed = try Self.feed("donthitsave.xml")
        #expect(feed.items[0].title == "Skipping Around")
        #expect(feed.items[0].summary?.hasPrefix("I was nearly murdered by a coconut today.\n\nFor real.") == true)
        #expect(feed.items[0].published.map(ISO8601.string) == "2019-05-24T07:00:00Z")
    }

    @Test func bogusDeclarationAndCDATADates() throws {
        let feed = try Self.feed("phpxml.rss")
        #expect(feed.items.count == 20)
        #expect(feed.items.allSatisfy { $0.published != nil })
    }

    @Test func jsonFeedAuthorsInherit() throws {
        let feed = try Self.feed("authors.json")
        #expect(feed.items.map(\.authors) == [
            ["Root Author 1", "Root Author 2"], ["Legacy Item Author"], ["Item Author 1", "Item Author 2"],
            ["Item Author 1", "Item Author 2"],
        ])
    }
}
