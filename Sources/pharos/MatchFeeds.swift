import Foundation
import PharosCore
import PharosFeeds
import PharosMatching
import PharosSupport
import PharosText

/// The feed item a match came from, as `pharos match` names it.
struct FeedItemName: Sendable {
    /// Its place in the feed, from 1.
    var index: Int
    var id: String
    var title: String
    var link: String?

    /// `item 3 "Title" <https://…>`, with control characters escaped.
    var shown: String {
        "item \(index) \"\(Printable.escaped(title))\"" + (link.map { " <\(Printable.escaped($0))>" } ?? "")
    }

    var jsonValue: JSONWriter.Value {
        .object([("index", .int(index)), ("id", .string(id)), ("title", .string(title)), ("link", .optional(link))])
    }
}

/// The matches of one document, or of one item of a feed.
struct MatchedItem: Sendable {
    /// The feed item; nil for a document read whole.
    var item: FeedItemName?
    var matches: [RuleMatch]
}

extension Match {
    /// Files with these extensions are documents, never looked at as feeds (the folder walk reads
    /// only documents, as the folder source does; a feed is named on the command line).
    static let documentOnlyExtensions: Set<String> = ["txt", "md", "markdown", "html", "htm"]

    /// Each item of the feed in `bytes` (RSS, RDF, Atom or JSON Feed) matched on its own, so
    /// that terms from two items are never joined into one match; nil when `bytes` hold no feed,
    /// and the caller reads them as one document.
    static func matchFeed(_ bytes: UnsafeRawBufferPointer, url: URL?, with evaluator: any RuleEvaluator) -> [MatchedItem]? {
        guard startsWithMarkupOrObject(bytes) else { return nil }
        var items: [Item] = []
        let feed = FeedParser.parse(bytes: Array(bytes), url: url) { items.append($0) }
        guard feed.isFeed(itemCount: items.count) else { return nil }
        return items.enumerated().map { offset, item in
            MatchedItem(item: FeedItemName(index: offset + 1, id: item.id, title: item.title, link: item.link),
                        matches: evaluator.evaluate(MatchDocument(item: item)))
        }
    }

    /// Whether the first thing in `bytes` (after a byte order mark and white space) is `<` or `{`,
    /// or the bytes are UTF-16 or UTF-32 (which only a feed's XML is among the documents read):
    /// text and Markdown are not parsed as feeds at all.
    private static func startsWithMarkupOrObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0, 0, 0xFE, 0xFF]) { return true }
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index < bytes.count && (bytes[index] == UInt8(ascii: "<") || bytes[index] == UInt8(ascii: "{"))
    }
}
