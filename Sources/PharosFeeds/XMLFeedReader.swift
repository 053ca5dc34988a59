import CLibXML2
import Foundation
import PharosCore

/// Runs libxml2's SAX2 push parser over a feed and hands the events to a ``FeedBuilder``.
///
/// Security: no network (`XML_PARSE_NONET`); entity substitution is off, and entities are
/// served by our own `getEntity` from our own table: external entities are never loaded, internal
/// ones are expanded by us under a fixed budget (billion laughs stops at the budget), and no DTD
/// is loaded or kept (the DTD callbacks are not installed).
enum XMLFeedReader {
    /// Bytes handed to libxml2 per `xmlParseChunk`; 16 KiB measured fastest (NOTES.md).
    static let chunkSize = 16 * 1024

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `raw`, handing each item to `deliver`; the feed returned has no items.
    static func parse(_ raw: FeedSource, url: URL?, deliver: @escaping (Item) -> Void) -> ParsedFeed {
        var assembler = ItemAssembler(documentURL: url?.absoluteString, deliver: deliver)
        let (feed, feedAuthors) = read(raw, url: url) { assembler.add($0) }
        assembler.finish(feedAuthors: feedAuthors)
        return feed
    }

    /// Items handed from the parsing thread to the assembling one at a time: enough to make the
    /// locking negligible, few enough that neither thread waits long for the other.
    static let batchSize = 64

    /// ``parse(_:url:deliver:)`` on two threads: libxml2 and the ``FeedBuilder`` on a new
    /// thread, the items assembled (HTML to text, dates, links) and handed to `deliver` on
    /// this one, in the same order, with the same result.
    ///
    /// A document meant to be UTF-8 is parsed at once as if it were valid, while this thread checks
    /// that it is; when it is not, that parse is abandoned before any item is delivered, and the
    /// document is read again, repaired, on this thread.
    static func parseOnTwoThreads(_ raw: FeedSource, url: URL?, deliver: @escaping (Item) -> Void) -> ParsedFeed {
        let handoff = Handoff<[RawItem]>(capacity: 8)
        let outcome = Outcome()
        let speculative = raw.withBuffer(XMLInput.isUTF8Text)
        // While this thread checks the text, the pages the parser has passed stay: handed back,
        // the check would read them in again, and they would stay for good.
        let checking = Flag(speculative)
        let parser = Thread {
            var batch: [RawItem] = []
            batch.reserveCapacity(batchSize)
            let (feed, feedAuthors) = read(raw, url: url, checked: speculative ? true : nil, holdPages: { checking.value },
                                           stop: { handoff.abandoned }) { item in
                batch.append(item)
                if batch.count == batchSize {
                    handoff.put(batch)
                    batch = []
                    batch.reserveCapacity(batchSize)
                }
            }
            if !batch.isEmpty { handoff.put(batch) }
            outcome.set(feed, feedAuthors)
            handoff.close()
        }
        // libxml2 recurses per nesting level (bounded by its own depth limit): the usual main-thread stack.
        parser.stackSize = 8 << 20
        parser.start()
        if speculative {
            let valid = raw.isValidUTF8()
            checking.value = false
            if !valid {
                handoff.abandon()
                while handoff.take() != nil {}
                return parse(raw, url: url, deliver: deliver)
            }
        }
        var assembler = ItemAssembler(documentURL: url?.absoluteString, deliver: deliver)
        while let batch = handoff.take() {
            for index in batch.indices { assembler.add(batch[index]) }
        }
        // `close()` comes after `set`, and `take()` returned nil only after `close()`.
        let (feed, feedAuthors) = outcome.get()
        assembler.finish(feedAuthors: feedAuthors)
        return feed
    }

    /// Parses `raw`, handing each item as read to `deliver`; the feed's authors come with the
    /// feed, which has no items.
    ///
    /// - Parameters:
    ///   - checked: passed on to ``XMLInput/init(borrowing:checked:)``.
    ///   - holdPages: asked before the pages the parser has passed are handed back; true keeps them.
    ///   - stop: asked between pieces of the document whether to stop reading.
    private static func read(_ raw: FeedSource, url: URL?, checked: Bool? = nil, holdPages: () -> Bool = { false },
                             stop: () -> Bool = { false }, deliver: @escaping (RawItem) -> Void) -> (ParsedFeed, [String]) {
        var checked = checked
        if checked == nil, case .file = raw, raw.withBuffer(XMLInput.isUTF8Text) { checked = raw.isValidUTF8() }
        return raw.withBuffer { buffer in
            read(buffer, url: url, checked: checked, consumed: { if !holdPages() { raw.consumed(upTo: $0) } }, stop: stop, deliver: deliver)
        }
    }

    private static func read(_ raw: UnsafeBufferPointer<UInt8>, url: URL?, checked: Bool?, consumed: (Int) -> Void,
                             stop: () -> Bool, deliver: @escaping (RawItem) -> Void) -> (ParsedFeed, [String]) {
        _ = initialized
        var input = XMLInput(borrowing: raw, checked: checked)
        let session = SAXSession(builder: FeedBuilder(documentURL: url, deliver: deliver))
        session.run(&input, consumed: consumed, stop: stop)
        let read = session.builder.result()
        var warnings = read.warnings + input.warnings + session.finalWarnings()
        if warnings.count > SAXSession.warningLimit + 8 {
            let dropped = warnings.count - SAXSession.warningLimit
            warnings = Array(warnings.prefix(SAXSession.warningLimit)) + ["… and \(dropped) more"]
        }
        let feed = ParsedFeed(
            title: read.title, link: read.link,
            wellFormed: session.wellFormed && !input.repaired && session.builder.format != .unknown,
            warnings: warnings
        )
        return (feed, read.authors)
    }
}

/// A Boolean shared by two threads, under a lock.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var state: Bool

    init(_ value: Bool) {
        state = value
    }

    var value: Bool {
        get {
            lock.lock()
            defer { lock.unlock() }
            return state
        }
        set {
            lock.lock()
            state = newValue
            lock.unlock()
        }
    }
}

/// The parsing thread's result, handed over under a lock.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (ParsedFeed, [String]) = (ParsedFeed(), [])

    func set(_ feed: ParsedFeed, _ authors: [String]) {
        lock.lock()
        value = (feed, authors)
        lock.unlock()
    }

    func get() -> (ParsedFeed, [String]) {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
