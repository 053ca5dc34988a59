import Foundation
import PharosCore

extension ArchiveText {
    /// What a rule is matched over in an archived item, read from its decompressed text in
    /// place: a backtest matches every item, and making a `String` of each content (a copy,
    /// and a check of UTF-8 that cost more than the copy) was as much work as decompressing it.
    public struct MatchFields {
        /// The item without its content, authors, categories and fields (what an alert carries, and more).
        public var item: Item
        /// The fields as `MatchDocument(item:)` lists them: title, then summary and content
        /// when not empty, and the categories joined by blank lines.
        public var names: [String]
        /// Where each field's UTF-8 is in `bytes`.
        let ranges: [Range<Int>]
        /// The decompressed text, and after it any field not read in place: the categories
        /// joined, or a field repaired.
        let bytes: [UInt8]
    }

    /// `body` with the item `id` of `stored` and the UTF-8 of the fields a rule reads, in the
    /// order of ``MatchFields/names``. Each is valid UTF-8: a field that is not (the archive
    /// writes only valid text, and its checksum guards it) is repaired as
    /// `String(decoding:as:)` repairs it, so the match is the one of the decoded item.
    public static func withMatchFields<Result>(
        from stored: [UInt8], id: String, _ body: (MatchFields, [UnsafeBufferPointer<UInt8>]) -> Result
    ) throws(ArchiveTextError) -> Result {
        var scratch: [UInt8] = []
        return try withMatchFields(from: stored, id: id, scratch: &scratch, body)
    }

    /// ``withMatchFields(from:id:_:)`` decompressing into `scratch`, a buffer the caller keeps
    /// from one item to the next (its contents on return are no concern of the caller's).
    public static func withMatchFields<Result>(
        from stored: [UInt8], id: String, scratch: inout [UInt8], _ body: (MatchFields, [UnsafeBufferPointer<UInt8>]) -> Result
    ) throws(ArchiveTextError) -> Result {
        if ArchiveZstd.isFrame(stored) {
            try ArchiveZstd.decompress(stored, into: &scratch)
        } else {
            scratch = try decompress(stored)
        }
        // `fields` shares the buffer while `body` runs; once it is gone, `scratch` is the only
        // owner again and the next item reuses it.
        let fields = try matchFields(scratch, id: id)
        return fields.bytes.withUnsafeBufferPointer { bytes in
            body(fields, fields.ranges.map { UnsafeBufferPointer(rebasing: bytes[$0]) })
        }
    }

    /// ``decode(_:id:)`` without the strings a match does not need.
    static func matchFields(_ plain: [UInt8], id: String) throws(ArchiveTextError) -> MatchFields {
        var reader = Reader(bytes: plain)
        guard try reader.byte() == format else { throw ArchiveTextError(description: "unknown archive text format") }
        let titleRange = try reader.range()
        var item = Item(id: id, version: try reader.optional(), title: String(decoding: plain[titleRange], as: UTF8.self))
        item.link = try reader.optional()
        let summaryRange = try reader.byte() == 0 ? nil : try reader.range()
        item.summary = summaryRange.map { String(decoding: plain[$0], as: UTF8.self) }
        let contentRange = try reader.byte() == 0 ? nil : try reader.range()
        item.published = try reader.date()
        item.updated = try reader.date()
        for _ in 0..<(try reader.count()) { _ = try reader.range() }
        var categories: [Range<Int>] = []
        for _ in 0..<(try reader.count()) { categories.append(try reader.range()) }
        for _ in 0..<(try reader.count()) {
            _ = try reader.range()
            _ = try reader.range()
        }
        var bytes = plain
        var names: [String] = []
        var ranges: [Range<Int>] = []
        func add(_ name: String, _ range: Range<Int>) {
            names.append(name)
            guard !UTF8Check.isValid(plain[range]) else { return ranges.append(range) }
            let start = bytes.count
            bytes.append(contentsOf: String(decoding: plain[range], as: UTF8.self).utf8)
            ranges.append(start..<bytes.count)
        }
        add("title", titleRange)
        if let summaryRange, !summaryRange.isEmpty { add("summary", summaryRange) }
        if let contentRange, !contentRange.isEmpty { add("content", contentRange) }
        if !categories.isEmpty {
            var joined: [UInt8] = []
            for (index, range) in categories.enumerated() {
                if index > 0 { joined.append(contentsOf: [0x0A, 0x0A]) }
                joined.append(contentsOf: String(decoding: plain[range], as: UTF8.self).utf8)
            }
            names.append("categories")
            ranges.append(bytes.count..<bytes.count + joined.count)
            bytes.append(contentsOf: joined)
        }
        return MatchFields(item: item, names: names, ranges: ranges, bytes: bytes)
    }
}

/// Whether bytes are valid UTF-8 (what `String(decoding:as:)` keeps as it is), eight ASCII
/// bytes at a time.
enum UTF8Check {
    static func isValid(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while index < count {
            // Thirty-two ASCII bytes at a time while they last (the usual text is nearly all ASCII).
            while index &+ 32 <= count {
                let raw = UnsafeRawPointer(base + index)
                let any = raw.loadUnaligned(as: UInt64.self) | raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    | raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                if any & 0x8080_8080_8080_8080 != 0 { break }
                index &+= 32
            }
            if index &+ 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index &+= 8
                continue
            }
            let lead = base[index]
            if lead < 0x80 {
                index &+= 1
                continue
            }
            // The second byte's range depends on the lead (no overlong forms, surrogates or
            // code points above U+10FFFF); the others are any continuation byte.
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard index &+ length <= count else { return false }
            let second = base[index &+ 1]
            guard second >= low, second <= high else { return false }
            var offset = 2
            while offset < length {
                guard base[index &+ offset] & 0xC0 == 0x80 else { return false }
                offset &+= 1
            }
            index &+= length
        }
        return true
    }
}
