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

    /// A namespace as feeds declare it: also with a trailing `/` or `#` added or missing
    /// (`http://www.w3.org/2005/Atom/`), and the Atom 1.0 drafts
    /// (`http://purl.org/atom/ns#draft-ietf-atompub-format-08`), which are Atom 1.0.
    private static func lookUp(_ uri: String) -> FeedNamespace? {
        if let known = byURI[uri] { return known }
        if uri.hasPrefix("http://purl.org/atom/ns#draft-") { return .atom10 }
        if let last = uri.last, last == "/" || last == "#" { return byURI[String(uri.dropLast())] }
        return byURI[uri + "/"] ?? byURI[uri + "#"]
    }

    /// Prefixes feeds use without declaring them (libxml2 then reports no namespace URI).
    private static let byPrefix: [String: FeedNamespace] = [
        "atom": .atom10, "content": .content, "dc": .dc, "dcterms": .dcterms, "itunes": .itunes,
        "media": .media, "rdf": .rdf, "xhtml": .xhtml, "xml": .xml,
    ]

    init(uri: String?, prefix: String?) {
        if let uri {
            self = Self.lookUp(uri.lowercased()) ?? .other
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
        /// Whether its start tag went into the capture (a full capture takes none), so its end tag does.
        var wroteTag = false
    }

    private enum Target {
        case feedTitle(rank: Int)
        case feedLink(rank: Int, href: String?)
        case personName
        case personEmail
        case item(FieldTarget)
    }

    /// Text being collected for one element; child elements are written back as markup.
    private struct Capture {
        var target: Target
        var mode: TextMode
        var depth: Int
        var base: String?
        var bytes: [UInt8] = []
        /// Where this element's text starts in ``bytes``.
        var start = 0
        /// Whether ``bytes`` is the item's text buffer, to be given back.
        var inItemText = false
        var sawElements = false
        var openTagEnd: Int?
        /// Set once a limit was reached: nothing more is added.
        var full = false
    }

    private struct PersonDraft {
        var isAuthor: Bool
        var forFeed: Bool
        var name: String?
        var email: String?
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
    private var item: RawItem?
    /// What the next item reserves for its text: a little more than the last one held.
    private var textCapacity = 1024
    /// Where finished items go, in document order, to be normalised by an ``ItemAssembler``.
    private let deliver: (RawItem) -> Void
    private var feedTitle = Ranked<String>()
    private var feedLink = Ranked<String>()
    private var feedAuthors: [String] = []
    private var budget: FeedBudget
    private var limits: FeedLimits { budget.limits }
    /// Elements past ``FeedLimits/depth`` that are open, not on the stack.
    private var ignoredDepth = 0
    /// Why the rest of the document is not to be read, once a limit says so.
    var exhausted: String? { budget.exhausted }

    /// - Parameter deliver: receives each item once its end tag is read.
    init(documentURL: URL?, limits: FeedLimits = .standard, deliver: @escaping (RawItem) -> Void) {
        self.documentURL = documentURL?.absoluteString
        self.budget = FeedBudget(limits)
        self.deliver = deliver
    }

    // MARK: - Events

    mutating func startElement(_ localName: String, prefix: String?, namespace: FeedNamespace, attributes: [XMLAttribute]) {
        guard stack.count < limits.depth, ignoredDepth == 0 else {
            ignoredDepth += 1
            if ignoredDepth >= 9 * limits.depth {
                budget.stop("elements nested more than \(10 * limits.depth) deep: the rest of the document is not read")
            }
            return
        }
        var base = stack.last?.base
        if let xmlBase = attributes.first(where: { $0.name == "base" && FeedNamespace(uri: $0.namespace, prefix: $0.prefix) == .xml }) {
            base = URLResolver.resolve(xmlBase.value, against: base ?? documentURL)
        }
        if capture != nil {
            let wrote = writeStartTag(localName, prefix: prefix, attributes: attributes)
            stack.append(Frame(role: .capture, base: base, wroteTag: wrote))
            return
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
        if ignoredDepth > 0 {
            ignoredDepth -= 1
            return
        }
        guard let frame = stack.popLast() else { return }
        if capture != nil {
            if stack.count == capture!.depth {
                let finished = capture!
                capture = nil
                finish(finished)
            } else if frame.wroteTag {
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

    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {
        guard capture != nil, ignoredDepth == 0 else { return }
        let room = captureRoom
        guard room > 0 else { return }
        var bytes = text
        let kept = budget.kept(bytes, room: room)
        if kept < bytes.count {
            bytes = UnsafeBufferPointer(rebasing: bytes[..<kept])
            capture!.full = true
        }
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

    /// Bytes the capture may still take: its field's and its item's limits.
    private var captureRoom: Int {
        guard let capture, !capture.full else { return 0 }
        return budget.room(fieldBytes: capture.bytes.count - capture.start, itemBytes: capture.inItemText ? capture.bytes.count : nil)
    }

    /// The feed as read so far (what a truncated document yields is the items that were
    /// closed), with the feed's authors, which Atom entries without their own take.
    func result() -> (title: String?, link: String?, warnings: [String], authors: [String]) {
        var warnings: [String] = []
        if format == .unknown {
            warnings.append("not a feed: the root element is <\(rootName ?? "none")>")
        }
        warnings += budget.warnings
        let title = feedTitle.value.flatMap { $0.isEmpty ? nil : $0 }
        return (title, feedLink.value, warnings, feedAuthors)
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
        var raw = RawItem()
        raw.events.reserveCapacity(16)
        raw.text.reserveCapacity(textCapacity)
        if let about = element.rdfAttribute("about") { raw.events.append(.id(TextTools.trimmed(about), rank: 1)) }
        item = raw
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
            case "title": return startField(.title(rank: 0), mode: .html, element)
            case "link": return startField(.link(rank: 0, href: element.attribute("href")), mode: .text, element)
            case "description": return startField(.summary(rank: 0), mode: .html, element)
            case "guid":
                let permalink = element.attribute("isPermaLink").map { TextTools.trimmed($0).lowercased() != "false" } ?? true
                return startField(.guid(permalink: permalink), mode: .text, element)
            case "pubDate": return startField(.published(rank: 0), mode: .text, element)
            case "author": return startField(.rssAuthor, mode: .html, element)
            case "category": return startField(.category(domain: element.attribute("domain")), mode: .html, element)
            case "enclosure":
                if let url = element.attribute("url") { item?.events.append(.fieldReference("enclosure", url, base: element.base)) }
                return .other
            default: break
            }
        } else if isAtom(element) {
            switch element.name {
            case "title": return startField(.title(rank: isAtomDocument ? 0 : 1), mode: atomMode(element), element)
            case "link":
                if let (href, rank) = alternateLink(element) {
                    let offeredRank = isAtomDocument ? rank : rank + 2
                    item?.events.append(.link(href, rank: offeredRank))
                } else if element.attribute("rel").map(TextTools.trimmed)?.lowercased() == "enclosure", let href = element.attribute("href") {
                    item?.events.append(.fieldReference("enclosure", href, base: element.base))
                }
                return .other
            case "id": return startField(.id(rank: 0), mode: .text, element)
            case "published": return startField(.published(rank: 1), mode: .text, element)
            case "issued": return startField(.published(rank: 1), mode: .text, element)
            case "created": return startField(.published(rank: 4), mode: .text, element)
            case "updated", "modified": return startField(.updated(rank: 0), mode: .text, element)
            case "summary": return startField(.summary(rank: 0), mode: atomMode(element), element)
            case "content":
                // Out-of-line content: its address is the best link an entry without one has.
                if let source = element.attribute("src") { item?.events.append(.linkReference(source, base: element.base, rank: 8)) }
                return startField(.content(rank: 0), mode: atomMode(element), element)
            case "author", "contributor":
                person = PersonDraft(isAuthor: element.name == "author", forFeed: false)
                return .person
            case "category":
                if let term = element.attribute("term") ?? element.attribute("label") { item?.events.append(.category(term, domain: nil)) }
                return .other
            case "source":
                // The feed an entry was copied from: its title, id and dates are not the entry's.
                return .other
            default: break
            }
        } else {
            switch (element.namespace, element.name) {
            case (.content, "encoded"): return startField(.content(rank: 0), mode: .html, element)
            case (.dc, "title"): return startField(.title(rank: 2), mode: .html, element)
            case (.dc, "creator"): return startField(.creator, mode: .html, element)
            case (.dc, "author"): return startField(.rssAuthor, mode: .html, element)
            case (.dc, "date"): return startField(.published(rank: 2), mode: .text, element)
            case (.dc, "subject"): return startField(.category(domain: nil), mode: .html, element)
            case (.dc, "description"): return startField(.summary(rank: 1), mode: .html, element)
            case (.dcterms, "modified"): return startField(.updated(rank: 1), mode: .text, element)
            case (.dcterms, "issued"), (.dcterms, "created"), (.dcterms, "available"):
                return startField(.published(rank: 3), mode: .text, element)
            case (.itunes, "author"): return startField(.itunesAuthor, mode: .html, element)
            case (.itunes, "summary"): return startField(.summary(rank: 2), mode: .html, element)
            case (.media, "title"): return startField(.title(rank: 3), mode: .html, element)
            case (.media, "description"): return startField(.summary(rank: 3), mode: .html, element)
            // XHTML's body in an RSS item: the item's full text, after content:encoded.
            case (.xhtml, "body"): return startField(.content(rank: 1), mode: .xhtml, element)
            case (.xhtml, _), (.rdf, _): return .other
            default: break
            }
        }
        let fallback = element.attribute("url") ?? element.attribute("href")
        return startField(.field(element.fieldKey, fallback: fallback), mode: .text, element)
    }

    private mutating func startUnderPerson(_ element: Element) -> Role {
        guard isAtom(element) else { return .other }
        switch element.name {
        case "name": return startCapture(.personName, mode: .text, element)
        case "email": return startCapture(.personEmail, mode: .text, element)
        default: return .other
        }
    }

    /// An Atom `link` that points at the entry's (or feed's) page, with a rank: an alternate
    /// (no `rel` is one) first, HTML before other types; without one, a `related` page, then
    /// the `via` source. `self`, `edit`, `enclosure` and the like are never the page.
    private func alternateLink(_ element: Element) -> (String, Int)? {
        let rel = TextTools.trimmed(element.attribute("rel") ?? "alternate").lowercased()
        let iana = "http://www.iana.org/assignments/relation/"
        let relation = rel.hasPrefix(iana) ? String(rel.dropFirst(iana.count)) : rel
        guard let href = element.attribute("href"), !TextTools.trimmed(href).isEmpty else { return nil }
        let rank: Int
        switch relation {
        case "alternate":
            let type = element.attribute("type")?.lowercased()
            rank = type == nil || type!.utf8.contains("html".utf8) ? 0 : 1
        case "related": rank = 4
        case "via": rank = 5
        default: return nil
        }
        return (resolveLink(href, base: element.base), rank)
    }

    /// Atom text constructs: `type` is text, html, xhtml or a media type; Atom 0.3 adds `mode`.
    private func atomMode(_ element: Element) -> TextMode {
        let type = element.attribute("type").map { TextTools.trimmed($0).lowercased() }
        if isAtom03(element) {
            switch element.attribute("mode").map({ TextTools.trimmed($0).lowercased() }) ?? "xml" {
            case "base64": return type?.utf8.contains("html".utf8) == true ? .base64HTML : .base64
            case "escaped": return type?.utf8.contains("html".utf8) == true ? .html : .text
            default:
                if type == "application/xhtml+xml" || type == "xhtml" { return .xhtml }
                return type?.utf8.contains("html".utf8) == true ? .html : .text
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

    private mutating func startField(_ target: FieldTarget, mode: TextMode, _ element: Element) -> Role {
        if let count = item?.events.count, !budget.admitsValue(holding: count) { return .other }
        return startCapture(.item(target), mode: mode, element)
    }

    private mutating func startCapture(_ target: Target, mode: TextMode, _ element: Element) -> Role {
        var bytes: [UInt8]
        var inItemText = false
        if case .item = target, item != nil {
            // An item's text goes straight into the item's buffer, after what it holds already.
            bytes = item!.text
            item!.text = []
            inItemText = true
        } else {
            bytes = spareBytes
            spareBytes = []
        }
        capture = Capture(target: target, mode: mode, depth: stack.count, base: element.base, bytes: bytes, start: bytes.count,
                          inItemText: inItemText)
        return .capture
    }

    private mutating func writeStartTag(_ name: String, prefix: String?, attributes: [XMLAttribute]) -> Bool {
        guard capture != nil, captureRoom > 4096 else { return false }
        var tag = "<" + (prefix.map { "\($0):\(name)" } ?? name)
        for attribute in attributes {
            let qualified = attribute.prefix.map { "\($0):\(attribute.name)" } ?? attribute.name
            let escaped = attribute.value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;")
            tag += " \(qualified)=\"\(escaped)\""
        }
        tag += ">"
        guard tag.utf8.count < captureRoom - 1024 else { return false }
        capture!.bytes.append(contentsOf: Array(tag.utf8))
        capture!.sawElements = true
        capture!.openTagEnd = capture!.bytes.count
        return true
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

    private static func text(_ capture: Capture, _ bytes: UnsafeBufferPointer<UInt8>) -> FieldText {
        FieldText(bytes: UnsafeBufferPointer(rebasing: bytes[capture.start...]), mode: capture.mode, sawElements: capture.sawElements)
    }

    private mutating func finish(_ capture: Capture) {
        if capture.inItemText, case .item(let target) = capture.target, item != nil {
            // The text is normalised later, by the ItemAssembler (possibly on another thread).
            item!.text = capture.bytes
            item!.events.append(.text(target, mode: capture.mode, sawElements: capture.sawElements, base: capture.base,
                                      range: capture.start..<capture.bytes.count))
            return
        }
        defer {
            var bytes = capture.bytes
            bytes.removeLast(bytes.count)
            spareBytes = bytes
        }
        switch capture.target {
        case .feedTitle(let rank):
            let title = capture.bytes.withUnsafeBufferPointer { Self.text(capture, $0).readableLine() }
            feedTitle.offer(title, rank: rank)
        case .feedLink(let rank, let href):
            let text = capture.bytes.withUnsafeBufferPointer { Self.text(capture, $0).verbatim() }
            if !text.isEmpty {
                let link = resolveLink(text, base: capture.base)
                feedLink.offer(link, rank: rank)
            } else {
                feedLink.offer(href, rank: rank + 1)
            }
        case .personName:
            person?.name = capture.bytes.withUnsafeBufferPointer { Self.text(capture, $0).readableLine() }
        case .personEmail:
            person?.email = TextTools.singleLine(capture.bytes.withUnsafeBufferPointer { Self.text(capture, $0).verbatim() })
        case .item(let target):
            // A capture that did not start in the item's buffer (none: kept for safety).
            guard item != nil else { return }
            let start = item!.text.count
            capture.bytes.withUnsafeBufferPointer { item!.text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[capture.start...])) }
            item!.events.append(.text(target, mode: capture.mode, sawElements: capture.sawElements, base: capture.base,
                                      range: start..<item!.text.count))
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
            item?.events.append(.author(name))
        } else {
            item?.events.append(.field("contributor", name))
        }
    }

    private mutating func finishItem() {
        guard var finished = item else { return }
        item = nil
        guard budget.countItem(textBytes: finished.text.count) else { return }
        textCapacity = min(finished.text.count + finished.text.count / 4, 16 * 1024)
        finished.atom = isAtomDocument
        deliver(finished)
    }
}
