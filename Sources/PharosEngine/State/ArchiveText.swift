import CZlib
import Foundation
import PharosCore

/// How an archived item's text is stored: every field of the `Item`, length-prefixed in a
/// fixed order, then compressed.
///
/// The layout, before compression: a format byte (1), then title, version, link, summary,
/// content (each a string, optional ones with a presence flag), published and updated (a
/// flag and milliseconds since 1970), authors and categories (a count, then strings), fields
/// (a count, then key and value). A string is a varint byte count and its UTF-8.
///
/// The compressed form is a Zstandard frame made with the preset dictionary
/// `ArchiveDictionary.v2` (``ArchiveZstd``); frames made with `ArchiveDictionary.v1` before it
/// still read. Rows written before zstd are a varint of the plain size and a zlib stream, with
/// v1 (its header names it by Adler-32) or without; they still read, told apart by the zstd
/// frame's magic number.
public enum ArchiveText {
    static let format: UInt8 = 1

    /// `item`'s fields in the layout above, uncompressed.
    public static func encode(_ item: Item) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(item.textBytes + 64)
        out.append(format)
        putString(item.title, &out)
        putOptional(item.version, &out)
        putOptional(item.link, &out)
        putOptional(item.summary, &out)
        putOptional(item.content, &out)
        putDate(item.published, &out)
        putDate(item.updated, &out)
        putVarint(UInt64(item.authors.count), &out)
        for author in item.authors { putString(author, &out) }
        putVarint(UInt64(item.categories.count), &out)
        for category in item.categories { putString(category, &out) }
        putVarint(UInt64(item.fields.count), &out)
        for key in item.fields.keys.sorted() {
            putString(key, &out)
            putString(item.fields[key]!, &out)
        }
        return out
    }

    /// The item `id` whose fields ``encode(_:)`` wrote into `bytes`.
    public static func decode(_ bytes: [UInt8], id: String) throws(ArchiveTextError) -> Item {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == format else { throw ArchiveTextError(description: "unknown archive text format") }
        let title = try reader.string()
        var item = Item(id: id, version: try reader.optional(), title: title)
        item.link = try reader.optional()
        item.summary = try reader.optional()
        item.content = try reader.optional()
        item.published = try reader.date()
        item.updated = try reader.date()
        for _ in 0..<(try reader.count()) { item.authors.append(try reader.string()) }
        for _ in 0..<(try reader.count()) { item.categories.append(try reader.string()) }
        for _ in 0..<(try reader.count()) {
            let key = try reader.string()
            item.fields[key] = try reader.string()
        }
        return item
    }

    /// `plain` compressed with the preset dictionary (``ArchiveZstd``).
    public static func compress(_ plain: [UInt8]) -> [UInt8] {
        ArchiveZstd.compress(plain)
    }

    /// What ``compress(_:)`` compressed, or a zlib row written before it.
    public static func decompress(_ stored: [UInt8]) throws(ArchiveTextError) -> [UInt8] {
        try ArchiveZstd.isFrame(stored) ? ArchiveZstd.decompress(stored) : decompressZlib(stored)
    }

    /// A zlib row: its plain size, then a zlib stream with or without the dictionary (zlib's
    /// header says).
    private static func decompressZlib(_ stored: [UInt8]) throws(ArchiveTextError) -> [UInt8] {
        var reader = Reader(bytes: stored)
        let size = try reader.count()
        guard size <= 1 << 31 else { throw ArchiveTextError(description: "archived text claims \(size) bytes") }
        var plain = [UInt8](repeating: 0, count: size)
        let offset = reader.offset
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ArchiveTextError(description: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var status = plain.withUnsafeMutableBufferPointer { buffer in
            stored.withUnsafeBufferPointer { source in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + offset)
                stream.avail_in = uInt(source.count - offset)
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                var status = inflate(&stream, Z_FINISH)
                if status == Z_NEED_DICT, stream.adler == ArchiveDictionary.v1Adler {
                    _ = ArchiveDictionary.v1.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                    status = inflate(&stream, Z_FINISH)
                }
                return status
            }
        }
        if status == Z_BUF_ERROR, stream.avail_out == 0 { status = Z_DATA_ERROR }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw ArchiveTextError(description: "archived text does not decompress (zlib status \(status))")
        }
        return plain
    }

    /// The item `id` from its stored (compressed) text.
    public static func item(from stored: [UInt8], id: String) throws(ArchiveTextError) -> Item {
        try decode(decompress(stored), id: id)
    }

    /// Events from the JSON array an ``ArchiveEntry`` stored; empty if it cannot be read.
    public static func decodeEvents(_ json: String) -> [RegulatoryEvent] {
        guard json != "[]", !json.isEmpty else { return [] }
        return (try? JSONDecoder().decode([RegulatoryEvent].self, from: Data(json.utf8))) ?? []
    }

    private static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func putString(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            putVarint(UInt64(bytes.count), &out)
            out.append(contentsOf: bytes)
        }
    }

    private static func putOptional(_ text: String?, _ out: inout [UInt8]) {
        guard let text else { return out.append(0) }
        out.append(1)
        putString(text, &out)
    }

    private static func putDate(_ date: Date?, _ out: inout [UInt8]) {
        guard let date else { return out.append(0) }
        out.append(1)
        putVarint(UInt64(bitPattern: Int64((date.timeIntervalSince1970 * 1000).rounded())), &out)
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() throws(ArchiveTextError) -> UInt8 {
            guard offset < bytes.count else { throw ArchiveTextError(description: "archived text is cut short") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(ArchiveTextError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = try byte()
                guard shift < 64 else { throw ArchiveTextError(description: "archived text has a bad length") }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        mutating func count() throws(ArchiveTextError) -> Int {
            let value = try varint()
            guard value <= UInt64(bytes.count) * 8 + 64 || value <= 1 << 31 else {
                throw ArchiveTextError(description: "archived text has a bad count")
            }
            return Int(value)
        }

        mutating func string() throws(ArchiveTextError) -> String {
            String(decoding: bytes[try range()], as: UTF8.self)
        }

        /// Where the next string's bytes are, read past.
        mutating func range() throws(ArchiveTextError) -> Range<Int> {
            let length = try count()
            guard length <= bytes.count - offset else { throw ArchiveTextError(description: "archived text is cut short") }
            defer { offset += length }
            return offset..<offset + length
        }

        mutating func optional() throws(ArchiveTextError) -> String? {
            try byte() == 0 ? nil : try string()
        }

        mutating func date() throws(ArchiveTextError) -> Date? {
            guard try byte() != 0 else { return nil }
            return Date(timeIntervalSince1970: Double(Int64(bitPattern: try varint())) / 1000)
        }
    }
}
