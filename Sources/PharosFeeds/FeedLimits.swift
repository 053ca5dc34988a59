import Foundation

/// What one feed may hold, enforced while it streams in, so that no document (a 1 GB line, a
/// field of hundreds of megabytes, millions of items or of nested elements) makes the reader
/// hold more than a bounded amount: what is over a limit is dropped, with a warning.
public struct FeedLimits: Sendable {
    /// Text kept of one field (a title, a description), in bytes; the rest is cut.
    public var fieldBytes = 1 << 20
    /// Text kept of one item, all fields together.
    public var itemBytes = 4 << 20
    /// Fields, categories and other values kept of one item.
    public var itemValues = 1000
    /// Items read; the rest of the document is not read.
    public var items = 50_000
    /// Item text read in all; the rest of the document is not read.
    public var feedBytes = 64 << 20
    /// Elements nested deeper than this are ignored; past ten times as deep the document is not read further.
    public var depth = 256

    public init() {}

    /// The limits every parse uses.
    public static let standard = FeedLimits()
}


/// What one feed has used of its ``FeedLimits``, kept by every reader (XML and JSON Feed) so
/// that each cuts, caps and warns alike.
struct FeedBudget {
    let limits: FeedLimits
    private var fieldsCut = 0
    private var valuesDropped = 0
    private var itemsRead = 0
    private var textRead = 0
    /// Why the rest of the document is not to be read, once a limit says so.
    private(set) var exhausted: String?

    init(_ limits: FeedLimits) {
        self.limits = limits
    }

    /// Bytes a field may still take, holding `fieldBytes` already, in an item whose text holds
    /// `itemBytes` (nil for text outside an item).
    func room(fieldBytes: Int, itemBytes: Int?) -> Int {
        let field = limits.fieldBytes - fieldBytes
        return itemBytes.map { min(field, limits.itemBytes - $0) } ?? field
    }

    /// How many of `bytes` to keep when `room` fit: all of them, else those before the first
    /// character that would not fit whole (a cut, counted for the warning).
    mutating func kept(_ bytes: UnsafeBufferPointer<UInt8>, room: Int) -> Int {
        guard bytes.count > room else { return bytes.count }
        var end = max(room, 0)
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        fieldsCut += 1
        return end
    }

    /// Whether an item holding `values` fields, categories and the like may take one more
    /// (one refused is counted for the warning).
    mutating func admitsValue(holding values: Int) -> Bool {
        guard values >= limits.itemValues else { return true }
        valuesDropped += 1
        return false
    }

    /// Counts an item that was read, its text `textBytes` long; false when the feed was
    /// already exhausted, so the item is not to be delivered.
    mutating func countItem(textBytes: Int) -> Bool {
        guard exhausted == nil else { return false }
        itemsRead += 1
        textRead += textBytes
        if itemsRead >= limits.items {
            exhausted = "items after the first \(limits.items) are not read"
        } else if textRead >= limits.feedBytes {
            exhausted = "items after the first \(limits.feedBytes >> 20) MiB of text are not read"
        }
        return true
    }

    /// Ends the read for a reason other than the item limits (the first reason is kept).
    mutating func stop(_ reason: String) {
        if exhausted == nil { exhausted = reason }
    }

    /// One line per limit that was reached.
    var warnings: [String] {
        var warnings: [String] = []
        if fieldsCut > 0 {
            warnings.append("\(fieldsCut) field\(fieldsCut == 1 ? "" : "s") cut at \(limits.fieldBytes >> 10) KiB (or \(limits.itemBytes >> 10) KiB for an item)")
        }
        if valuesDropped > 0 { warnings.append("\(valuesDropped) values past \(limits.itemValues) in one item ignored") }
        if let exhausted { warnings.append(exhausted) }
        return warnings
    }
}
