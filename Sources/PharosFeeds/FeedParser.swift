import Foundation
import PharosCore

/// One feed document reduced to what Pharos works with: the feed's title and link, its items,
/// and how much of the document had to be recovered.
public struct ParsedFeed: Sendable, Hashable {
    /// The feed's title as plain text, if it has one.
    public var title: String?
    /// The feed's web page (not its own URL), resolved to an absolute URL where a base is known.
    public var link: String?
    /// False when the document is not a well-formed feed: XML (or JSON) that had to be
    /// recovered, or a document that is no feed at all; ``warnings`` says what and where.
    public var wellFormed: Bool
    /// One line per problem met: libxml2's errors with their line numbers, encoding repairs,
    /// undeclared entities, and a note when the document is not a feed at all.
    public var warnings: [String]
    /// The entries in document order; an entry cut off by the end of the document is not included.
    public var items: [Item]

    /// A feed with the given parts.
    public init(title: String? = nil, link: String? = nil, wellFormed: Bool = true, warnings: [String] = [], items: [Item] = []) {
        self.title = title
        self.link = link
        self.wellFormed = wellFormed
        self.warnings = warnings
        self.items = items
    }

    /// Whether anything could be read as a feed: a well-formed one (even empty), or items
    /// recovered from a broken one. An HTML page is not. `itemCount` counts items handed out
    /// one by one, for a feed parsed without keeping them.
    public func isReadable(itemCount: Int? = nil) -> Bool { wellFormed || (itemCount ?? items.count) > 0 }

    /// Whether the document is a feed at all: readable, and its root an RSS, RDF or Atom element
    /// or its JSON a JSON Feed (a JSON document with an `items` array but no jsonfeed.org version
    /// is readable, yet no feed). What `pharos match` asks before reading a document as items.
    public func isFeed(itemCount: Int? = nil) -> Bool {
        isReadable(itemCount: itemCount) && !warnings.contains { $0.hasPrefix("not a feed") || $0.hasPrefix("not a JSON Feed") }
    }

    /// The object `pharos feed --json` prints: the feed's title and link, `well_formed`, `warnings`
    /// and its items with the fields below, keys in this order, dates as ISO-8601 UTC.
    public var jsonValue: JSONWriter.Value {
        .object([
            ("title", .optional(title)),
            ("link", .optional(link)),
            ("well_formed", .bool(wellFormed)),
            ("warnings", .array(warnings.map(JSONWriter.Value.string))),
            ("items", .array(items.map(Self.itemValue))),
        ])
    }

    private static func itemValue(_ item: Item) -> JSONWriter.Value {
        .object([
            ("id", .string(item.id)),
            ("title", .string(item.title)),
            ("link", .optional(item.link)),
            ("published", .optional(item.published.map(ISO8601.string))),
            ("updated", .optional(item.updated.map(ISO8601.string))),
            ("summary", .optional(item.summary)),
            ("content", .optional(item.content)),
            ("authors", .array(item.authors.map(JSONWriter.Value.string))),
            ("categories", .array(item.categories.map(JSONWriter.Value.string))),
        ])
    }
}

/// Parses RSS 0.9x, RSS 1.0 (RDF), RSS 2.0, Atom 0.3 and 1.0 and JSON Feed 1.0 and 1.1 into
/// ``ParsedFeed``.
///
/// XML goes through libxml2's SAX2 push parser in recovery mode with no network access, no
/// external entities and a bounded expansion of internal ones; the bytes are first converted to
/// UTF-8 from whatever the BOM, the XML declaration or (failing both) the bytes themselves say.
/// Titles, summaries and content are plain text (HTML reduced with `HTMLText`); links are
/// resolved against `xml:base` and the feed's URL; dates are UTC.
public enum FeedParser {
    /// Parses one feed document. Never throws and never traps: whatever cannot be read becomes
    /// a warning, and an unreadable document gives a feed with no items.
    ///
    /// - Parameters:
    ///   - data: the document as fetched (any encoding).
    ///   - url: where it came from; relative links are resolved against it.
    public static func parse(_ data: Data, url: URL?) -> ParsedFeed {
        var items: [Item] = []
        var feed = parse(bytes: [UInt8](data), url: url) { items.append($0) }
        feed.items = items
        return feed
    }

    /// Parses like ``parse(_:url:)`` but hands each item to `eachItem` as soon as it is complete,
    /// in document order, instead of keeping them all: the returned feed has no items. What
    /// `pharos feed --json` uses to write items as they come. (Atom entries that take the feed's
    /// authors, and those after them, arrive at the end, when the feed's authors are known.)
    ///
    /// - Parameters:
    ///   - bytes: the document as fetched (any encoding).
    ///   - url: where it came from; relative links are resolved against it.
    ///   - threads: 2 to parse XML on a second thread while this one normalises the items and
    ///     calls `eachItem` (a large feed is read up to twice as fast on two free cores); 1 for
    ///     everything on this thread. `eachItem` is always called on this thread, in document order.
    ///   - eachItem: called once per item, before this function returns.
    public static func parse(bytes: [UInt8], url: URL?, threads: Int = 1, eachItem: (Item) -> Void) -> ParsedFeed {
        parse(.bytes(bytes), url: url, threads: threads, eachItem: eachItem)
    }

    /// ``parse(bytes:url:threads:eachItem:)`` of a file read in place (mapped, not copied;
    /// what the parser has read leaves memory as it goes).
    public static func parse(file: FeedFile, url: URL?, threads: Int = 1, eachItem: (Item) -> Void) -> ParsedFeed {
        parse(.file(file), url: url, threads: threads, eachItem: eachItem)
    }

    private static func parse(_ source: FeedSource, url: URL?, threads: Int, eachItem: (Item) -> Void) -> ParsedFeed {
        let kind = source.withBuffer { bytes -> Kind in
            var start = 0
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
            while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
            if start < bytes.count, bytes[start] == UInt8(ascii: "{") { return .json(Array(bytes)) }
            let blank = !bytes.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            return blank ? .empty : .xml
        }
        switch kind {
        case .empty:
            return ParsedFeed(wellFormed: false, warnings: ["the document is empty"])
        case .json(let bytes):
            return JSONFeedReader.parse(bytes, url: url, deliver: eachItem)
        case .xml:
            return withoutActuallyEscaping(eachItem) { deliver in
                threads > 1 ? XMLFeedReader.parseOnTwoThreads(source, url: url, deliver: deliver) : XMLFeedReader.parse(source, url: url, deliver: deliver)
            }
        }
    }

    private enum Kind {
        case empty
        case json([UInt8])
        case xml
    }
}
