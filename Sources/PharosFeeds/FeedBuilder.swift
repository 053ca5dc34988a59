import Foundation
import PharosCore

/// One attribute of an element, its value already decoded.
struct XMLAttribute {
    var name: String
    var prefix: String?
    var namespace: String?
    var value: String
}

/// The namespaces whose elements mean something to a feed reader.
enum FeedNamespace: Equatable {
    case none, atom10, atom03, rss, rdf, content, dc, dcterms, itunes, media, xhtml, xml, other

    private static let byURI: [String: FeedNamespace] = [
        "http://www.w3.org/2005/atom": .atom10,
        "http://purl.org/atom/ns#": .atom03,
        "http://purl.org/rss/1.0/": .rss,
        "http://my.netscape.com/rdf/simple/0.9/": .rss,
        "http://backend.userland.com/rss2": .rss,
        "http://blogs.law.harvard.edu/tech/rss": .rss,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#": .rdf,
        "http://purl.org/rss/1.0/modules/content/": .content,
        "http://purl.org/dc/elements/1.1/": .dc,
        "http://purl.org/dc/terms/": .dcterms,
        "http://www.itunes.com/dtds/podcast-1.0.dtd": .itunes,
        "http://search.yahoo.com/mrss/": .media,
        "http://search.yahoo.com/mrss": .media,
        "http://www.w3.org/1999/xhtml": .xhtml,
        "http://www.w3.org/xml/1998/namespace": .xml,
    ]

    /// Prefixes feeds use without declaring them (libxml2 then reports no namespace URI).
    private static let byPrefix: [String: FeedNamespace] = [
        "atom": .atom10, "content": .content, "dc": .dc, "dcterms": .dcterms, "itunes": .itunes,
        "media": .media, "rdf": .rdf, "xhtml": .xhtml, "xml": .xml,
    ]

    init(uri: String?, prefix: String?) {
        if let uri {
            self = Self.byURI[uri.lowercased()] ?? .other
        } else if let prefix {
            self = Self.byPrefix[prefix.lowercased()] ?? .other
        } else {
            self = .none
        }
    }

    /// The prefix used in ``Item/fields`` keys.
    var fieldPrefix: String? {
        switch self {
        case .dc: "dc"
        case .dcterms: "dcterms"
        case .content: "content"
        case .itunes: "itunes"
        case .media: "media"
        case .atom10, .atom03: "atom"
        case .rdf: "rdf"
        case .xhtml: "xhtml"
        case .none, .rss, .xml, .other: nil
        }
    }
}

/// Turns the element events of one XML document into a feed: recognises the format at the
/// root, keeps an element stack with the `xml:base` in scope, and collects the text of the
/// elements that carry item fields.
///
/// A struct, not a class: its state changes on every SAX event, and as the stored properties of
/// a class each of those accesses would be checked for exclusivity at run time.
struct FeedBuilder {
    enum Format { case unknown, rss, rdf, atom10, atom03 }

    private enum Role { case root, channel, item, person, capture, other }

    private struct Frame {
        var role: Role
        /// The `xml:base` in scope, absolute where it could be resolved; nil when none was given.
        var base: String?
    }

    /// How the text of an element is to be read.
    private enum TextMode { case text, html, xhtml, base64 }

    private enum Target {
        case feedTitle(rank: Int)
        case feedLink(rank: Int, href: String?)
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
        case personName
        case personEmail
    }

    /// Text being collected for one element; child elements are written back as markup.
    private struct Capture {
        var target: Target
        var mode: TextMode
        var depth: Int
        var base: String?
        var bytes: [UInt8] = []
        var sawElements = false
        var openTagEnd: Int?
    }

    private struct PersonDraft {
        var isAuthor: Bool
        var forFeed: Bool
        var name: String?
        var email: String?
    }

    private struct ItemDraft {
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

        mutating func addAuthor(_ name: String) {
            let name = TextTools.singleLine(name)
            if !name.isEmpty, !authors.contains(name) { authors.append(name) }
        }

        mutating func addCategory(_ term: String, domain: String?) {
            let term = TextTools.singleLine(term)
            guard !term.isEmpty else { return }
            if !categories.contains(term) { categories.append(term) }
            // A short domain names a scheme ("NASDAQ"): the qualified form is what rules match on.
            // URL domains (GlobeNewswire's .../rss/stock) already come with qualified terms.
            if let domain = domain.map(TextTools.singleLine), !domain.isEmpty, domain.count <= 24,
               !domain.contains("/"), !domain.contains(":"), !term.contains(":") {
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

    private let documentURL: String?
    private(set) var format: Format = .unknown
    private(set) var rootName: String?
    private var atomWithoutNamespace = false
    private var stack: [Frame] = []
    private var capture: Capture?
    /// The byte buffer of the last capture, emptied, for the next one (one allocation per
    /// document instead of one or more per field).
    private var spareBytes: [UInt8] = []
    private var person: PersonDraft?
    private var item: ItemDraft?
    /// Where finished items go, in document order.
    private let deliver: (Item) -> Void
    /// Items held back from ``deliver`` until the end of the document: from the first Atom entry
    /// without an author on, which takes the feed's authors, and the feed's `author` may still follow.
    private var heldItems: [(item: Item, inheritsAuthors: Bool)] = []
    private var feedTitle = Ranked<String>()
    private var feedLink = Ranked<String>()
    private var feedAuthors: [String] = []
    private var namespaceCache: [String: FeedNamespace] = [:]

    /// - Parameter deliver: receives each item once it is complete (Atom entries that inherit
    ///   the feed's authors, and those after them, at the end of the document).
    init(documentURL: URL?, deliver: @escaping (Item) -> Void) {
        self.documentURL = documentURL?.absoluteString
        self.deliver = deliver
    }

    // MARK: - Events

    mutating func startElement(_ localName: String, prefix: String?, namespace uri: String?, attributes: [XMLAttribute]) {
        var base = stack.last?.base
        if let xmlBase = attributes.first(where: { $0.name == "base" && FeedNamespace(uri: $0.namespace, prefix: $0.prefix) == .xml }) {
            base = URLResolver.resolve(xmlBase.value, against: base ?? documentURL)
        }
        if capture != nil {
            writeStartTag(localName, prefix: prefix, attributes: attributes)
            stack.append(Frame(role: .capture, base: base))
            return
        }
        let namespace: FeedNamespace
        if let uri {
            if let known = namespaceCache[uri] {
                namespace = known
            } else {
                namespace = FeedNamespace(uri: uri, prefix: prefix)
                namespaceCache[uri] = namespace
            }
        } else {
            namespace = FeedNamespace(uri: nil, prefix: prefix)
        }
        let element = Element(name: localName, prefix: prefix, namespace: namespace, attributes: attributes, base: base)
        let role: Role
        if let parent = stack.last {
            switch parent.role {
            case .root: role = startUnderRoot(element)
            case .channel: role = startUnderChannel(element)
            case .item: role = startUnderItem(element)
            case .person: role = startUnderPerson(element)
            case .capture, .other: role = .other
            }
        } else {
            role = startRoot(element)
        }
        stack.append(Frame(role: role, base: base))
    }

    /// - Parameter name: the element's local name and prefix, asked for only when it is written
    ///   back as markup.
    mutating func endElement(_ name: () -> (localName: String, prefix: String?)) {
        guard let frame = stack.popLast() else { return }
        if capture != nil {
            if stack.count == capture!.depth {
                var finished = capture!
                capture = nil
                finish(finished)
                finished.bytes.removeAll(keepingCapacity: true)
                spareBytes = finished.bytes
            } else {
                let (localName, prefix) = name()
                writeEndTag(localName, prefix: prefix)
            }
            return
        }
        switch frame.role {
        case .item: finishItem()
        case .person: finishPerson()
        default: break
        }
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard capture != nil else { return }
        if capture!.mode == .xhtml {
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "&"): capture!.bytes.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): capture!.bytes.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): capture!.bytes.append(contentsOf: "&gt;".utf8)
                default: capture!.bytes.append(byte)
                }
            }
        } else {
            capture!.bytes.append(contentsOf: bytes)
        }
        capture!.openTagEnd = nil
    }

    /// The feed as read so far (what a truncated document yields is the items that were
    /// closed); items held back are delivered now.
    mutating func result() -> (title: String?, link: String?, warnings: [String]) {
        var warnings: [String] = []
        if format == .unknown {
            warnings.append("not a feed: the root element is <\(rootName ?? "none")>")
        }
        for entry in heldItems {
            var item = entry.item
            if entry.inheritsAuthors && item.authors.isEmpty { item.authors = feedAuthors }
            deliver(item)
        }
        heldItems = []
        let title = feedTitle.value.flatMap { $0.isEmpty ? nil : $0 }
        return (title, feedLink.value, warnings)
    }

    // MARK: - Structure

    private struct Element {
        var name: String
        var prefix: String?
        var namespace: FeedNamespace
        var attributes: [XMLAttribute]
        var base: String?

        func attribute(_ name: String) -> String? {
            attributes.first(where: { $0.name == name && $0.namespace == nil && $0.prefix == nil })?.value
        }

        func rdfAttribute(_ name: String) -> String? {
            attributes.first(where: { $0.name == name && FeedNamespace(uri: $0.namespace, prefix: $0.prefix) == .rdf })?.value
        }

        var fieldKey: String {
            if let fieldPrefix = namespace.fieldPrefix { return "\(fieldPrefix):\(name)" }
            if namespace == .other, let prefix { return "\(prefix):\(name)" }
            return name
        }
    }

    private func isRSS(_ element: Element) -> Bool {
        element.namespace == .rss || (element.namespace == .none && !atomWithoutNamespace)
    }

    private func isAtom(_ element: Element) -> Bool {
        element.namespace == .atom10 || element.namespace == .atom03 || (element.namespace == .none && atomWithoutNamespace)
    }

    private func isAtom03(_ element: Element) -> Bool {
        element.namespace == .atom03 || (element.namespace == .none && format == .atom03)
    }

    private var isAtomDocument: Bool { format == .atom10 || format == .atom03 }

    private mutating func startRoot(_ element: Element) -> Role {
        rootName = element.prefix.map { "\($0):\(element.name)" } ?? element.name
        switch (element.namespace, element.name) {
        case (_, "rss"):
            format = .rss
            return .root
        case (_, "RDF"):
            format = .rdf
            return .root
        case (.atom10, "feed"), (.atom03, "feed"), (.none, "feed"):
            atomWithoutNamespace = element.namespace == .none
            format = element.namespace == .atom03 || element.attribute("version") == "0.3" ? .atom03 : .atom10
            return .channel
        case (.atom10, "entry"), (.atom03, "entry"):
            format = element.namespace == .atom03 ? .atom03 : .atom10
            return startItem(element)
        case (.none, "channel"):
            format = .rss
            return .channel
        default:
            return .other
        }
    }

    private mutating func startUnderRoot(_ element: Element) -> Role {
        guard isRSS(element) else { return .other }
        switch element.name {
        case "channel": return .channel
        case "item": return startItem(element)
        default: return .other
        }
    }

    private mutating func startUnderChannel(_ element: Element) -> Role {
        if isRSS(element) {
            switch element.name {
            case "item": return startItem(element)
            case "title": return startCapture(.feedTitle(rank: 0), mode: .html, element)
            case "link":
                let href = element.attribute("href").map { resolveLink($0, base: element.base) }
                return startCapture(.feedLink(rank: 0, href: href), mode: .text, element)
            default: return .other
            }
        }
        if isAtom(element) {
            switch element.name {
            case "entry": return startItem(element)
            case "title": return startCapture(.feedTitle(rank: isAtomDocument ? 0 : 1), mode: atomMode(element), element)
            case "link":
                if let (href, rank) = alternateLink(element) {
                    let offeredRank = isAtomDocument ? rank : rank + 2
                    feedLink.offer(href, rank: offeredRank)
                }
                return .other
            case "author":
                person = PersonDraft(isAuthor: true, forFeed: true)
                return .person
            default: return .other
            }
        }
        if element.namespace == .dc, element.name == "title" {
            return startCapture(.feedTitle(rank: 3), mode: .html, element)
        }
        return .other
    }

    private mutating func startItem(_ element: Element) -> Role {
        var draft = ItemDraft()
        if let about = element.rdfAttribute("about") { draft.id.offer(TextTools.trimmed(about), rank: 1) }
        item = draft
        return .item
    }

    private mutating func startUnderItem(_ element: Element) -> Role {
        // Items never nest: one opening inside another means the first was not closed (libxml2
        // recovers a mismatched end tag by closing the innermost element instead).
        if (isRSS(element) && element.name == "item") || (isAtom(element) && element.name == "entry") {
            finishItem()
            return startItem(element)
        }
        if isRSS(element) {
            switch element.name {
            case "title": return startCapture(.title(rank: 0), mode: .html, element)
            case "link":
                let href = element.attribute("href").map { resolveLink($0, base: element.base) }
                return startCapture(.link(rank: 0, href: href), mode: .text, element)
            case "description": return startCapture(.summary(rank: 0), mode: .html, element)
            case "guid":
                let permalink = element.attribute("isPermaLink").map { TextTools.trimmed($0).lowercased() != "false" } ?? true
                return startCapture(.guid(permalink: permalink), mode: .text, element)
            case "pubDate": return startCapture(.published(rank: 0), mode: .text, element)
            case "author": return startCapture(.rssAuthor, mode: .html, element)
            case "category": return startCapture(.category(domain: element.attribute("domain")), mode: .html, element)
            case "enclosure":
                if let url = element.attribute("url") {
                    let enclosure = resolveLink(url, base: element.base)
                    item?.addField("enclosure", enclosure)
                }
                return .other
            default: break
            }
        } else if isAtom(element) {
            switch element.name {
            case "title": return startCapture(.title(rank: isAtomDocument ? 0 : 1), mode: atomMode(element), element)
            case "link":
                if let (href, rank) = alternateLink(element) {
                    let offeredRank = isAtomDocument ? rank : rank + 2
                    item?.link.offer(href, rank: offeredRank)
                } else if element.attribute("rel").map(TextTools.trimmed)?.lowercased() == "enclosure", let href = element.attribute("href") {
                    let enclosure = resolveLink(href, base: element.base)
                    item?.addField("enclosure", enclosure)
                }
                return .other
            case "id": return startCapture(.id(rank: 0), mode: .text, element)
            case "published": return startCapture(.published(rank: 1), mode: .text, element)
            case "issued": return startCapture(.published(rank: 1), mode: .text, element)
            case "created": return startCapture(.published(rank: 4), mode: .text, element)
            case "updated", "modified": return startCapture(.updated(rank: 0), mode: .text, element)
            case "summary": return startCapture(.summary(rank: 0), mode: atomMode(element), element)
            case "content":
                // Out-of-line content: its address is the best link an entry without one has.
                if let source = element.attribute("src") {
                    let link = resolveLink(source, base: element.base)
                    item?.link.offer(link, rank: 8)
                }
                return startCapture(.content(rank: 0), mode: atomMode(element), element)
            case "author", "contributor":
                person = PersonDraft(isAuthor: element.name == "author", forFeed: false)
                return .person
            case "category":
                if let term = element.attribute("term") ?? element.attribute("label") { item?.addCategory(term, domain: nil) }
                return .other
            case "source":
                // The feed an entry was copied from: its title, id and dates are not the entry's.
                return .other
            default: break
            }
        } else {
            switch (element.namespace, element.name) {
            case (.content, "encoded"): return startCapture(.content(rank: 0), mode: .html, element)
            case (.dc, "title"): return startCapture(.title(rank: 2), mode: .html, element)
            case (.dc, "creator"): return startCapture(.creator, mode: .html, element)
            case (.dc, "author"): return startCapture(.rssAuthor, mode: .html, element)
            case (.dc, "date"): return startCapture(.published(rank: 2), mode: .text, element)
            case (.dc, "subject"): return startCapture(.category(domain: nil), mode: .html, element)
            case (.dc, "description"): return startCapture(.summary(rank: 1), mode: .html, element)
            case (.dcterms, "modified"): return startCapture(.updated(rank: 1), mode: .text, element)
            case (.dcterms, "issued"), (.dcterms, "created"), (.dcterms, "available"):
                return startCapture(.published(rank: 3), mode: .text, element)
            case (.itunes, "author"): return startCapture(.itunesAuthor, mode: .html, element)
            case (.itunes, "summary"): return startCapture(.summary(rank: 2), mode: .html, element)
            case (.media, "title"): return startCapture(.title(rank: 3), mode: .html, element)
            case (.media, "description"): return startCapture(.summary(rank: 3), mode: .html, element)
            case (.xhtml, _), (.rdf, _): return .other
            default: break
            }
        }
        let fallback = (element.attribute("url") ?? element.attribute("href")).map { resolveLink($0, base: element.base) }
        return startCapture(.field(element.fieldKey, fallback: fallback), mode: .text, element)
    }

    private mutating func startUnderPerson(_ element: Element) -> Role {
        guard isAtom(element) else { return .other }
        switch element.name {
        case "name": return startCapture(.personName, mode: .text, element)
        case "email": return startCapture(.personEmail, mode: .text, element)
        default: return .other
        }
    }

    /// An Atom `link` that points at the entry's (or feed's) page, with a rank that prefers HTML.
    private func alternateLink(_ element: Element) -> (String, Int)? {
        let rel = TextTools.trimmed(element.attribute("rel") ?? "alternate").lowercased()
        guard rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate",
              let href = element.attribute("href"), !TextTools.trimmed(href).isEmpty else { return nil }
        let type = element.attribute("type")?.lowercased()
        let rank = type == nil || type!.contains("html") ? 0 : 1
        return (resolveLink(href, base: element.base), rank)
    }

    /// Atom text constructs: `type` is text, html, xhtml or a media type; Atom 0.3 adds `mode`.
    private func atomMode(_ element: Element) -> TextMode {
        let type = element.attribute("type").map { TextTools.trimmed($0).lowercased() }
        if isAtom03(element) {
            switch element.attribute("mode").map({ TextTools.trimmed($0).lowercased() }) ?? "xml" {
            case "base64": return .base64
            case "escaped": return type?.contains("html") == true ? .html : .text
            default:
                if type == "application/xhtml+xml" || type == "xhtml" { return .xhtml }
                return type?.contains("html") == true ? .html : .text
            }
        }
        guard let type, !type.isEmpty else { return .text }
        switch type {
        case "text", "text/plain": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default:
            // Other XML types carry XML, not HTML: its text is read as text.
            if type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .text }
            return .base64
        }
    }

    private mutating func startCapture(_ target: Target, mode: TextMode, _ element: Element) -> Role {
        let bytes = spareBytes
        spareBytes = []
        capture = Capture(target: target, mode: mode, depth: stack.count, base: element.base, bytes: bytes)
        return .capture
    }

    private mutating func writeStartTag(_ name: String, prefix: String?, attributes: [XMLAttribute]) {
        guard capture != nil else { return }
        var tag = "<" + (prefix.map { "\($0):\(name)" } ?? name)
        for attribute in attributes {
            let qualified = attribute.prefix.map { "\($0):\(attribute.name)" } ?? attribute.name
            let escaped = attribute.value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;")
            tag += " \(qualified)=\"\(escaped)\""
        }
        tag += ">"
        capture!.bytes.append(contentsOf: Array(tag.utf8))
        capture!.sawElements = true
        capture!.openTagEnd = capture!.bytes.count
    }

    private mutating func writeEndTag(_ name: String, prefix: String?) {
        guard capture != nil else { return }
        if capture!.openTagEnd == capture!.bytes.count {
            // An element with nothing inside: `<br/>`, not `<br></br>` (a second line break).
            capture!.bytes.removeLast()
            capture!.bytes.append(contentsOf: Array("/>".utf8))
        } else {
            capture!.bytes.append(contentsOf: Array(("</" + (prefix.map { "\($0):\(name)" } ?? name) + ">").utf8))
        }
        capture!.openTagEnd = nil
    }

    // MARK: - Values

    private func resolveLink(_ reference: String, base: String?) -> String {
        URLResolver.resolve(reference, against: base ?? documentURL)
    }

    /// The text of a capture as readable plain text.
    private static func readable(_ capture: Capture) -> String {
        capture.bytes.withUnsafeBufferPointer { bytes in
            switch capture.mode {
            case .text:
                if capture.sawElements { return String(decoding: TextTools.htmlToText(utf8: bytes), as: UTF8.self) }
                return TextTools.paragraphs(utf8: bytes)
            case .html, .xhtml:
                return String(decoding: TextTools.htmlToText(utf8: bytes), as: UTF8.self)
            case .base64:
                let raw = String(decoding: bytes, as: UTF8.self)
                let compact = raw.filter { !$0.isWhitespace }
                if let data = Data(base64Encoded: compact), let decoded = String(data: data, encoding: .utf8) {
                    return TextTools.htmlToText(decoded)
                }
                return TextTools.paragraphs(utf8: bytes)
            }
        }
    }

    /// The text of a capture as readable plain text on one line.
    private static func readableLine(_ capture: Capture) -> String {
        guard capture.mode == .html || capture.mode == .xhtml else { return TextTools.singleLine(Self.readable(capture)) }
        var text = capture.bytes.withUnsafeBufferPointer { TextTools.htmlToText(utf8: $0) }
        TextTools.singleLine(inPlace: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The text of a capture as written, for ids, links and dates.
    private static func verbatim(_ capture: Capture) -> String {
        capture.bytes.withUnsafeBufferPointer { TextTools.trimmed(utf8: $0) }
    }

    private mutating func finish(_ capture: Capture) {
        switch capture.target {
        case .feedTitle(let rank):
            feedTitle.offer(Self.readableLine(capture), rank: rank)
        case .feedLink(let rank, let href):
            let text = Self.verbatim(capture)
            if !text.isEmpty {
                let link = resolveLink(text, base: capture.base)
                feedLink.offer(link, rank: rank)
            } else {
                feedLink.offer(href, rank: rank + 1)
            }
        case .title(let rank):
            let title = Self.readableLine(capture)
            if !title.isEmpty { item?.title.offer(title, rank: rank) }
        case .link(let rank, let href):
            let text = Self.verbatim(capture)
            if !text.isEmpty {
                let link = resolveLink(text, base: capture.base)
                item?.link.offer(link, rank: rank)
            } else {
                item?.link.offer(href, rank: rank + 1)
            }
        case .id(let rank):
            let text = Self.verbatim(capture)
            guard !text.isEmpty else { return }
            // atom:id must be absolute; a relative one is read against an explicit xml:base only,
            // never against the feed URL, which would change every id when a feed moves.
            let id = capture.base != nil && !URLResolver.hasScheme(text) ? URLResolver.resolve(text, against: capture.base) : text
            item?.id.offer(id, rank: rank)
        case .guid(let permalink):
            let text = Self.verbatim(capture)
            guard !text.isEmpty else { return }
            item?.id.offer(text, rank: 0)
            if permalink { item?.permalinkGUID = text }
        case .published(let rank):
            item?.published.offer(FeedDates.parse(capture.bytes), rank: rank)
        case .updated(let rank):
            item?.updated.offer(FeedDates.parse(capture.bytes), rank: rank)
        case .summary(let rank):
            let text = Self.readable(capture)
            if !text.isEmpty { item?.summary.offer(text, rank: rank) }
        case .content(let rank):
            let text = Self.readable(capture)
            if !text.isEmpty { item?.content.offer(text, rank: rank) }
        case .rssAuthor:
            item?.addAuthor(TextTools.personName(Self.readable(capture)))
        case .creator:
            item?.addAuthor(Self.readableLine(capture))
        case .itunesAuthor:
            let name = Self.readableLine(capture)
            if !name.isEmpty { item?.itunesAuthors.append(name) }
        case .category(let domain):
            item?.addCategory(Self.readableLine(capture), domain: domain)
        case .field(let key, let fallback):
            let text = capture.sawElements ? Self.readable(capture) : Self.verbatim(capture)
            if !text.isEmpty {
                item?.addField(key, text)
            } else if let fallback {
                item?.addField(key, fallback)
            }
        case .personName:
            person?.name = Self.readableLine(capture)
        case .personEmail:
            person?.email = TextTools.singleLine(Self.verbatim(capture))
        }
    }

    private mutating func finishPerson() {
        guard let finished = person else { return }
        person = nil
        let name = [finished.name, finished.email].compactMap { $0 }.first { !$0.isEmpty }
        guard let name else { return }
        if finished.forFeed {
            if finished.isAuthor, !feedAuthors.contains(name) { feedAuthors.append(name) }
        } else if finished.isAuthor {
            item?.addAuthor(name)
        } else {
            item?.addField("contributor", name)
        }
    }

    private mutating func finishItem() {
        guard let draft = item else { return }
        item = nil
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
        let parsed = Item(
            id: id, title: title, link: link, published: published, updated: draft.updated.value,
            summary: summary, content: content, authors: authors, categories: draft.categories, fields: draft.fields
        )
        // Atom: an entry without an author has the feed's (RFC 4287 4.2.1).
        let inheritsAuthors = isAtomDocument && draft.authors.isEmpty
        if heldItems.isEmpty && !(inheritsAuthors && parsed.authors.isEmpty) {
            deliver(parsed)
        } else {
            heldItems.append((parsed, inheritsAuthors))
        }
    }
}
