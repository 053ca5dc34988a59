import Foundation
import PharosCore

/// Writes the document `pharos feed --json` prints (the same bytes as
/// `JSONWriter.encode(feed.jsonValue)`) one item at a time, as the items are parsed, so that
/// neither every item nor one document-sized string is ever held.
///
/// The items come last in the document but the feed's `well_formed` and `warnings`, which come
/// before them, are known only at the end; the items' JSON is therefore kept, compactly, until
/// ``write(_:to:)``.
public struct FeedJSONWriter {
    /// The items written so far, comma-separated, in pieces of about ``chunkSize`` bytes (one
    /// growing buffer would be copied, and briefly held twice, each time it doubled).
    private var chunks: [[UInt8]] = []
    private var current: [UInt8] = []
    private var itemCount = 0
    private static let chunkSize = 1 << 20

    /// An empty writer.
    public init() {}

    /// Encodes `item` (as ``ParsedFeed/jsonValue`` does) after those appended before.
    public mutating func append(_ item: Item) {
        if current.capacity == 0 { current.reserveCapacity(Self.chunkSize + Self.chunkSize / 4) }
        if itemCount > 0 { current.append(UInt8(ascii: ",")) }
        itemCount += 1
        Self.appendItem(item, to: &current)
        if current.count >= Self.chunkSize {
            chunks.append(current)
            current = []
        }
    }

    /// Writes the whole document, `feed`'s title, link, `well_formed` and warnings with the items
    /// appended so far, through `output` in pieces; no newline at the end.
    public func write(_ feed: ParsedFeed, to output: (UnsafeBufferPointer<UInt8>) -> Void) {
        var head: [UInt8] = []
        head.append(contentsOf: #"{"title":"#.utf8)
        Self.appendOptional(feed.title, to: &head)
        head.append(contentsOf: #","link":"#.utf8)
        Self.appendOptional(feed.link, to: &head)
        head.append(contentsOf: #","well_formed":"#.utf8)
        head.append(contentsOf: (feed.wellFormed ? "true" : "false").utf8)
        head.append(contentsOf: #","warnings":"#.utf8)
        Self.appendArray(feed.warnings, to: &head)
        head.append(contentsOf: #","items":["#.utf8)
        var items = feed.items.makeIterator()
        // Items the feed itself carries (a feed parsed the usual way) come first.
        var wroteAny = false
        while let item = items.next() {
            if wroteAny { head.append(UInt8(ascii: ",")) }
            wroteAny = true
            Self.appendItem(item, to: &head)
        }
        if wroteAny && itemCount > 0 { head.append(UInt8(ascii: ",")) }
        head.withUnsafeBufferPointer(output)
        for chunk in chunks { chunk.withUnsafeBufferPointer(output) }
        current.withUnsafeBufferPointer(output)
        Array("]}".utf8).withUnsafeBufferPointer(output)
    }

    // MARK: - Encoding

    static func appendItem(_ item: Item, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"id":"#.utf8)
        appendString(item.id, to: &output)
        output.append(contentsOf: #","title":"#.utf8)
        appendString(item.title, to: &output)
        output.append(contentsOf: #","link":"#.utf8)
        appendOptional(item.link, to: &output)
        output.append(contentsOf: #","published":"#.utf8)
        appendDate(item.published, to: &output)
        output.append(contentsOf: #","updated":"#.utf8)
        appendDate(item.updated, to: &output)
        output.append(contentsOf: #","summary":"#.utf8)
        appendOptional(item.summary, to: &output)
        output.append(contentsOf: #","content":"#.utf8)
        appendOptional(item.content, to: &output)
        output.append(contentsOf: #","authors":"#.utf8)
        appendArray(item.authors, to: &output)
        output.append(contentsOf: #","categories":"#.utf8)
        appendArray(item.categories, to: &output)
        output.append(UInt8(ascii: "}"))
    }

    private static func appendOptional(_ text: String?, to output: inout [UInt8]) {
        if let text {
            appendString(text, to: &output)
        } else {
            output.append(contentsOf: "null".utf8)
        }
    }

    private static func appendArray(_ texts: [String], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "["))
        for (index, text) in texts.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            appendString(text, to: &output)
        }
        output.append(UInt8(ascii: "]"))
    }

    private static func appendDate(_ date: Date?, to output: inout [UInt8]) {
        guard let date else {
            output.append(contentsOf: "null".utf8)
            return
        }
        output.append(UInt8(ascii: "\""))
        ISO8601.append(date, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// The high bit set in each of eight bytes (little-endian) that may be a control character,
    /// `"`, `\` or 0xE2 (the lead byte of U+2028 and U+2029): zero when none is; otherwise the
    /// lowest flagged byte is one, and bytes above it may be flagged falsely.
    @inline(__always)
    private static func escapeFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
        // Bytes below 0x20, found as for zero bytes but against 0x20 (exact for limits up to 0x80).
        let control = (word &- ones &* 0x20) & ~word & highBits
        return control | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C)) | zeroBytes(word ^ (ones &* 0xE2))
    }

    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(utf8: $0, to: &output) }
    }

    /// A JSON string as `JSONWriter` writes it: `"`, `\`, the C0 controls and U+2028/U+2029
    /// escaped, everything else (all other non-ASCII included) as it is.
    static func appendString(utf8 bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var runStart = 0
        var index = 0
        let count = bytes.count
        let base = bytes.baseAddress
        while index < count {
            if index + 8 <= count, let base {
                let flags = Self.escapeFlags(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
                if flags == 0 {
                    index += 8
                    continue
                }
                index += flags.trailingZeroBitCount / 8
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0xE2 {
                index += 1
                continue
            }
            if byte == 0xE2 {
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                guard index + 2 < count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 else {
                    index += 1
                    continue
                }
                if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                output.append(contentsOf: (bytes[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8)
                index += 3
                runStart = index
                continue
            }
            if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            switch byte {
            case 0x22: output.append(contentsOf: #"\""#.utf8)
            case 0x5C: output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
            index += 1
            runStart = index
        }
        if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
        output.append(UInt8(ascii: "\""))
    }
}
