import Foundation
import PharosCore

/// Turns the element events of one XML document into a feed: recognises the format at the
/// root, keeps an element stack with the `xml:base` in scope, and collects the text of the
/// elements that carry item fields.
///
/// A struct, not a class: its state changes on every SAX event, and as the stored properties of
/// a class each of those accesses would be checked for exclusivity at run time.
struct FeedBuilder {
    enum Format { case unknown, rss, rdf, atom10, atom03 }

    enum Role { case root, channel, item, person, capture, other }

    private struct Frame {
        var role: Role
        /// The `xml:base` in scope, absolute where it could be resolved; nil when none was given.
        var base: String?
        /// Whether its start tag went into the capture (a full capture takes none), so its end tag does.
        var wroteTag = false
    }

    enum Target {
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

    struct PersonDraft {
        var isAuthor: Bool
        var forFeed: Bool
        var name: String?
        var email: String?
    }

    private let documentURL: String?
    var format: Format = .unknown
    var rootName: String?
    var atomWithoutNamespace = false
    private var stack: [Frame] = []
    private var capture: Capture?
    /// The byte buffer of the last capture, emptied, for the next one (one allocation per
    /// document instead of one or more per field).
    private var spareBytes: [UInt8] = []
    var person: PersonDraft?
    var item: RawItem?
    /// What the next item reserves for its text: a little more than the last one held.
    var textCapacity = 1024
    /// Where finished items go, in document order, to be normalised by an ``ItemAssembler``.
    private let deliver: (RawItem) -> Void
    private var feedTitle = Ranked<String>()
    var feedLink = Ranked<String>()
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

    // MARK: - Captures

    mutating func startField(_ target: FieldTarget, mode: TextMode, _ element: Element) -> Role {
        if let count = item?.events.count, !budget.admitsValue(holding: count) { return .other }
        return startCapture(.item(target), mode: mode, element)
    }

    mutating func startCapture(_ target: Target, mode: TextMode, _ element: Element) -> Role {
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
            tag += " \(qualified)=\"\(Self.escapedAttributeValue(attribute.value))\""
        }
        tag += ">"
        guard tag.utf8.count < captureRoom - 1024 else { return false }
        capture!.bytes.append(contentsOf: Array(tag.utf8))
        capture!.sawElements = true
        capture!.openTagEnd = capture!.bytes.count
        return true
    }

    /// `value` with `&`, `"` and `<` escaped, as Foundation's `replacingOccurrences` escaped it, but
    /// on the UTF-8 bytes (the memory rules of docs/ARCHITECTURE.md). Foundation's search leaves
    /// a character followed by a combining mark alone, by Unicode tables of its own that the
    /// standard library's do not match; so a value where one of the three is followed by a
    /// non-ASCII character, rare in an attribute, is still escaped by Foundation.
    static func escapedAttributeValue(_ value: String) -> String {
        var escapes = 0
        var afterEscaped = false
        for byte in value.utf8 {
            if afterEscaped, byte >= 0x80 {
                return value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                    .replacingOccurrences(of: "<", with: "&lt;")
            }
            afterEscaped = byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "<")
            if afterEscaped { escapes += 1 }
        }
        guard escapes > 0 else { return value }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(value.utf8.count + 5 * escapes)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): escaped.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "<"): escaped.append(contentsOf: "&lt;".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
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

    func resolveLink(_ reference: String, base: String?) -> String {
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

    mutating func finishItem() {
        guard var finished = item else { return }
        item = nil
        guard budget.countItem(textBytes: finished.text.count) else { return }
        textCapacity = min(finished.text.count + finished.text.count / 4, 16 * 1024)
        finished.atom = isAtomDocument
        deliver(finished)
    }
}
