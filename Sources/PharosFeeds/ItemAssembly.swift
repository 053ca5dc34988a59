import Foundation
import PharosCore
import PharosText

/// How the text of an element is to be read.
/// How an element's text is read: as text, HTML, inline XHTML, or base64 of text or of HTML
/// (Atom says which with `type`, Atom 0.3 with `mode`).
enum TextMode: Sendable { case text, html, xhtml, base64, base64HTML }

/// The item field an element's text goes to (links, hrefs and fallbacks as written, resolved
/// later against the event's base).
enum FieldTarget: Sendable {
    case title(rank: Int)
    case link(rank: Int, href: String?)
    case id(rank: Int)
    case guid(permalink: Bool)
    case published(rank: Int)
    case updated(rank: Int)
    case summary(rank: Int)
    case content(rank: Int)
    case rssAuthor
    case creator
    case itunesAuthor
    case category(domain: String?)
    case field(String, fallback: String?)
}

/// One thing the parser learnt about an item, in document order.
enum ItemEvent: Sendable {
    /// The text of an element, still as libxml2 gave it: `RawItem.text[range]`.
    case text(FieldTarget, mode: TextMode, sawElements: Bool, base: String?, range: Range<Int>)
    /// A link already resolved.
    case link(String, rank: Int)
    /// A link still to be resolved against `base` (or the document's URL).
    case linkReference(String, base: String?, rank: Int)
    case id(String, rank: Int)
    /// An extension field whose value is a reference to resolve (`enclosure`).
    case fieldReference(String, String, base: String?)
    case field(String, String)
    case category(String, domain: String?)
    /// An author's name, already on one line.
    case author(String)
}

/// An item as the XML reader leaves it: what its elements said, not yet normalised. Turning it
/// into an ``Item`` (HTML to text, dates, links, ids) is ``ItemAssembler``'s work, which may run
/// on another thread than the parse.
struct RawItem: Sendable {
    var events: [ItemEvent] = []
    /// The bytes of every `.text` event, one after the other.
    var text: [UInt8] = []
    /// Whether the document is Atom, whose entries without an author take the feed's.
    var atom = false
}

/// Turns ``RawItem``s into ``Item``s and hands them on in document order, holding back (from
/// the first Atom entry without an author on) those that wait for the feed's authors.
struct ItemAssembler {
    private let documentURL: String?
    private let deliver: (Item) -> Void
    private var heldItems: [(item: Item, inheritsAuthors: Bool)] = []

    init(documentURL: String?, deliver: @escaping (Item) -> Void) {
        self.documentURL = documentURL
        self.deliver = deliver
    }

    mutating func add(_ raw: RawItem) {
        let (item, inheritsAuthors) = assemble(raw)
        // Atom: an entry without an author has the feed's (RFC 4287 4.2.1).
        if heldItems.isEmpty && !(inheritsAuthors && item.authors.isEmpty) {
            deliver(item)
        } else {
            heldItems.append((item, inheritsAuthors))
        }
    }

    /// Delivers the items held back, now that the feed's authors are known.
    mutating func finish(feedAuthors: [String]) {
        for entry in heldItems {
            var item = entry.item
            if entry.inheritsAuthors && item.authors.isEmpty { item.authors = feedAuthors }
            deliver(item)
        }
        heldItems = []
    }

    private struct Draft {
        var title = Ranked<String>()
        var link = Ranked<String>()
        var id = Ranked<String>()
        var permalinkGUID: String?
        var published = Ranked<Date>()
        var updated = Ranked<Date>()
        var summary = Ranked<String>()
        var content = Ranked<String>()
        var authors: [String] = []
        var itunesAuthors: [String] = []
        var categories: [String] = []
        var fields: [String: String] = [:]

        /// - Parameter folded: `name` is already on one line (``TextTools/singleLine(_:)`` of it is itself).
        mutating func addAuthor(_ name: String, folded: Bool = false) {
            let name = folded ? name : TextTools.singleLine(name)
            if !name.isEmpty, !authors.contains(name) { authors.append(name) }
        }

        mutating func addCategory(_ term: String, domain: String?, folded: Bool = false) {
            let term = folded ? term : TextTools.singleLine(term)
            guard !term.isEmpty else { return }
            if !categories.contains(term) { categories.append(term) }
            // A short domain names a scheme ("NASDAQ"): the qualified form is what rules match on.
            // URL domains (GlobeNewswire's .../rss/stock) already come with qualified terms.
            if let domain = domain.map(TextTools.singleLine), !domain.isEmpty, domain.count <= 24,
               !domain.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") }), !term.utf8.contains(UInt8(ascii: ":")) {
                let qualified = "\(domain):\(term)"
                if !categories.contains(qualified) { categories.append(qualified) }
            }
        }

        mutating func addField(_ key: String, _ value: String) {
            let value = TextTools.trimmed(value)
            guard !value.isEmpty else { return }
            let bounded = value.utf8.count > 16_384 ? String(value.prefix(16_384)) : value
            if let existing = fields[key] {
                if !existing.split(separator: "\n").contains(Substring(bounded)) { fields[key] = existing + "\n" + bounded }
            } else {
                fields[key] = bounded
            }
        }
    }

    private func resolveLink(_ reference: String, base: String?) -> String {
        URLResolver.resolve(reference, against: base ?? documentURL)
    }

    private func assemble(_ raw: RawItem) -> (Item, inheritsAuthors: Bool) {
        var draft = Draft()
        raw.text.withUnsafeBufferPointer { arena in
            for event in raw.events {
                switch event {
                case .text(let target, let mode, let sawElements, let base, let range):
                    let text = FieldText(bytes: UnsafeBufferPointer(rebasing: arena[range]), mode: mode, sawElements: sawElements)
                    apply(target, text, base: base, to: &draft)
                case .link(let link, let rank):
                    draft.link.offer(link, rank: rank)
                case .linkReference(let reference, let base, let rank):
                    draft.link.offer(resolveLink(reference, base: base), rank: rank)
                case .id(let id, let rank):
                    draft.id.offer(id, rank: rank)
                case .fieldReference(let key, let reference, let base):
                    draft.addField(key, resolveLink(reference, base: base))
                case .field(let key, let value):
                    draft.addField(key, value)
                case .category(let term, let domain):
                    draft.addCategory(term, domain: domain)
                case .author(let name):
                    draft.addAuthor(name, folded: true)
                }
            }
        }
        var link = draft.link.value
        if link == nil, let guid = draft.permalinkGUID, let scheme = guid.split(separator: ":").first?.lowercased(),
           scheme == "http" || scheme == "https" {
            link = guid
        }
        let title = draft.title.value ?? ""
        let summary = draft.summary.value
        let content = draft.content.value
        // Feeds that give only an update date mean it as the publication date.
        let published = draft.published.value ?? draft.updated.value
        let id = draft.id.value ?? link ?? TextTools.contentHash([
            title, published.map(ISO8601.string) ?? "", summary ?? "", content ?? "",
        ])
        let authors = draft.authors.isEmpty ? draft.itunesAuthors : draft.authors
        let item = Item(
            id: id, title: title, link: link, published: published, updated: draft.updated.value,
            summary: summary, content: content, authors: authors, categories: draft.categories, fields: draft.fields
        )
        return (item, raw.atom && draft.authors.isEmpty)
    }

    private func apply(_ target: FieldTarget, _ text: FieldText, base: String?, to draft: inout Draft) {
        switch target {
        case .title(let rank):
            let title = text.readableLine()
            if !title.isEmpty { draft.title.offer(title, rank: rank) }
        case .link(let rank, let href):
            let verbatim = text.verbatim()
            if !verbatim.isEmpty {
                draft.link.offer(resolveLink(verbatim, base: base), rank: rank)
            } else if let href {
                draft.link.offer(resolveLink(href, base: base), rank: rank + 1)
            }
        case .id(let rank):
            let verbatim = text.verbatim()
            guard !verbatim.isEmpty else { return }
            // atom:id must be absolute; a relative one is read against an explicit xml:base only,
            // never against the feed URL, which would change every id when a feed moves.
            let id = base != nil && !URLResolver.hasScheme(verbatim) ? URLResolver.resolve(verbatim, against: base) : verbatim
            draft.id.offer(id, rank: rank)
        case .guid(let permalink):
            let verbatim = text.verbatim()
            guard !verbatim.isEmpty else { return }
            draft.id.offer(verbatim, rank: 0)
            if permalink { draft.permalinkGUID = verbatim }
        case .published(let rank):
            draft.published.offer(FeedDates.parse(text.bytes), rank: rank)
        case .updated(let rank):
            draft.updated.offer(FeedDates.parse(text.bytes), rank: rank)
        case .summary(let rank):
            let readable = text.readable()
            if !readable.isEmpty { draft.summary.offer(readable, rank: rank) }
        case .content(let rank):
            let readable = text.readable()
            if !readable.isEmpty { draft.content.offer(readable, rank: rank) }
        case .rssAuthor:
            draft.addAuthor(TextTools.personName(text.readable()))
        case .creator:
            draft.addAuthor(text.readableLine(), folded: true)
        case .itunesAuthor:
            let name = text.readableLine()
            if !name.isEmpty { draft.itunesAuthors.append(name) }
        case .category(let domain):
            draft.addCategory(text.readableLine(), domain: domain, folded: true)
        case .field(let key, let fallback):
            let value = text.sawElements ? text.readable() : text.verbatim()
            if !value.isEmpty {
                draft.addField(key, value)
            } else if let fallback {
                draft.addField(key, resolveLink(fallback, base: base))
            }
        }
    }
}

/// The text of one element as collected, and the readings of it the fields use.
struct FieldText {
    var bytes: UnsafeBufferPointer<UInt8>
    var mode: TextMode
    /// Whether child elements were written back into the text as markup.
    var sawElements: Bool

    /// Readable plain text.
    func readable() -> String {
        switch mode {
        case .text:
            if sawElements { return String(decoding: TextTools.htmlToText(utf8: bytes), as: UTF8.self) }
            return TextTools.paragraphs(utf8: bytes)
        case .html:
            return String(decoding: TextTools.htmlToText(utf8: bytes), as: UTF8.self)
        case .xhtml:
            // XHTML is exact: its text was escaped as it was written back, so `&lt;p&gt;` here is
            // text that reads "<p>", never markup escaped twice (which HTML in feeds often is).
            return String(decoding: HTMLText.plainText(utf8: bytes), as: UTF8.self)
        case .base64, .base64HTML:
            let raw = String(decoding: bytes, as: UTF8.self)
            let compact = raw.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact), let decoded = String(data: data, encoding: .utf8) else {
                return TextTools.paragraphs(utf8: bytes)
            }
            // Decoded text is read as its declared type says: only HTML is reduced as HTML.
            if mode == .base64HTML { return TextTools.htmlToText(decoded) }
            return TextTools.paragraphs(decoded)
        }
    }

    /// Readable plain text on one line.
    func readableLine() -> String {
        guard mode == .html else { return TextTools.singleLine(readable()) }
        // Without markup, HTML only folds white space, which folding to one line does anyway.
        if TextTools.markup(bytes) == .none { return TextTools.singleLineString(utf8: bytes) }
        var text = TextTools.htmlToText(utf8: bytes)
        TextTools.singleLine(inPlace: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The text as written, trimmed: for ids, links and dates.
    func verbatim() -> String {
        TextTools.trimmed(utf8: bytes)
    }
}
