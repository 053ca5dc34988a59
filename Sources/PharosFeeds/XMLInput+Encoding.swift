#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PharosText

/// The document's encoding: found from its byte-order mark or XML declaration, converted to
/// UTF-8 (iconv), bytes that are not in it read as Windows-1252.
extension XMLInput {
    /// Whether `raw` is meant to be UTF-8 without a byte-order mark (declared so, or not declared
    /// at all): then, when it is valid UTF-8, it is read in place.
    static func isUTF8Text(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        switch detect(raw) {
        case .undeclared: true
        case .declared(let label): ["utf-8", "utf8"].contains(label.lowercased())
        default: false
        }
    }

    private enum Detected {
        case utf8(bom: Bool)
        case unicode(String, bomLength: Int)
        case declared(String)
        case undeclared
    }

    mutating func decode() {
        switch bytes.withUnsafeBufferPointer(Self.detect) {
        case .utf8(let bom):
            if bom { bytes.removeFirst(3) }
            repairUTF8(assumed: "UTF-8")
        case .unicode(let name, let bomLength):
            if bomLength > 0 { bytes.removeFirst(bomLength) }
            convert(from: name)
        case .undeclared:
            repairUTF8(assumed: "UTF-8")
        case .declared(let label):
            let name = label.lowercased()
            if ["utf-8", "utf8"].contains(name) {
                repairUTF8(assumed: "UTF-8")
            } else if Self.westernLabels.contains(name) {
                // A document labelled Latin-1 whose bytes are valid UTF-8 with non-ASCII characters
                // is UTF-8 in practice; the reverse accident practically never happens.
                if bytes.contains(where: { $0 >= 0x80 }), Self.isValidUTF8(bytes) {
                    warnings.append("declared encoding \(label), but the bytes are UTF-8: read as UTF-8")
                } else {
                    // Windows-1252 rather than ISO-8859-1, as browsers do: feeds labelled Latin-1
                    // use its curly quotes and dashes in 0x80-0x9F, which Latin-1 leaves as controls.
                    bytes = Self.windows1252ToUTF8(bytes)
                }
            } else if name.hasPrefix("utf-16") || name.hasPrefix("utf-32") || name.hasPrefix("ucs") {
                // Bytes that read as ASCII cannot be UTF-16: the label is wrong.
                repaired = true
                warnings.append("declared encoding \(label), but the document is 8-bit: read as UTF-8")
                repairUTF8(assumed: "UTF-8")
            } else {
                convert(from: Self.iconvAliases[name] ?? label)
            }
        }
    }

    private static let westernLabels: Set<String> = [
        "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
        "windows-1252", "cp1252", "x-cp1252", "iso-8859-15", "latin9", "iso8859-15",
    ]

    /// Labels whose usual meaning is a superset iconv knows under another name.
    private static let iconvAliases: [String: String] = [
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "gb_2312-80": "GB18030", "chinese": "GB18030",
        "shift_jis": "CP932", "sjis": "CP932", "x-sjis": "CP932", "ks_c_5601-1987": "CP949", "euc-kr": "CP949",
        "big5": "BIG5-HKSCS", "tis-620": "CP874", "iso-8859-11": "CP874", "iso-8859-9": "CP1254",
    ]

    private static func detect(_ b: UnsafeBufferPointer<UInt8>) -> Detected {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8(bom: true) }
        if b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return .unicode("UTF-32BE", bomLength: 4) }
        if b.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return .unicode("UTF-32LE", bomLength: 4) }
        if b.starts(with: [0xFE, 0xFF]) { return .unicode("UTF-16BE", bomLength: 2) }
        if b.starts(with: [0xFF, 0xFE]) { return .unicode("UTF-16LE", bomLength: 2) }
        if b.starts(with: [0x00, 0x00, 0x00, 0x3C]) { return .unicode("UTF-32BE", bomLength: 0) }
        if b.starts(with: [0x3C, 0x00, 0x00, 0x00]) { return .unicode("UTF-32LE", bomLength: 0) }
        if b.starts(with: [0x00, 0x3C, 0x00]) { return .unicode("UTF-16BE", bomLength: 0) }
        if b.starts(with: [0x3C, 0x00]) { return .unicode("UTF-16LE", bomLength: 0) }
        if let label = Self.declaredEncoding(in: b) { return .declared(label) }
        return .undeclared
    }

    /// The `encoding` pseudo-attribute of an XML declaration at the start (after white space).
    static func declaredEncoding<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes) -> String? where Bytes.Index == Int {
        var index = 0
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard hasPrefix(bytes, at: index, "<?xml"), index + 5 < bytes.count, isSpace(bytes[index + 5]) else { return nil }
        let limit = min(bytes.count, index + 1024)
        guard let end = find(bytes, "?>", from: index, limit: limit) else { return nil }
        let declaration = Array(bytes[index..<end])
        guard let key = find(declaration, "encoding", from: 0, limit: declaration.count) else { return nil }
        var cursor = index + key + 8
        while cursor < end, isSpace(bytes[cursor]) { cursor += 1 }
        guard cursor < end, bytes[cursor] == UInt8(ascii: "=") else { return nil }
        cursor += 1
        while cursor < end, isSpace(bytes[cursor]) { cursor += 1 }
        guard cursor < end, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") else { return nil }
        let quote = bytes[cursor]
        cursor += 1
        guard let close = bytes[cursor..<end].firstIndex(of: quote) else { return nil }
        let label = String(decoding: bytes[cursor..<close], as: UTF8.self)
        return label.isEmpty ? nil : label
    }

    /// Keeps valid UTF-8 and reads each byte that is not as Windows-1252, the usual culprit.
    mutating func repairUTF8(assumed: String) {
        let result = Self.repairingUTF8(bytes)
        guard result.repairs > 0 else { return }
        bytes = result.bytes
        // Bytes that are not in the document's encoding are a fatal error in XML (4.3.3).
        repaired = true
        warnings.append("\(result.repairs) byte\(result.repairs == 1 ? " was" : "s were") not valid \(assumed): read as Windows-1252")
    }

    /// `bytes` with every byte that is not part of well-formed UTF-8 read as Windows-1252.
    static func repairingUTF8(_ bytes: [UInt8]) -> (bytes: [UInt8], repairs: Int) {
        if isValidUTF8(bytes) { return (bytes, 0) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        var repairs = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                output.append(byte)
                index += 1
                continue
            }
            let length = validSequenceLength(bytes, at: index)
            if length > 0 {
                output.append(contentsOf: bytes[index..<(index + length)])
                index += length
            } else {
                HTMLText.appendUTF8(windows1252Scalar(byte), to: &output)
                repairs += 1
                index += 1
            }
        }
        return (output, repairs)
    }

    /// Checks in place (making a `String` of a whole feed to validate it would copy it).
    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(isValidUTF8)
    }

    static func isValidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        do {
            guard let base = buffer.baseAddress else { return true }
            let count = buffer.count
            var index = 0
            while index < count {
                // ASCII, the bulk of every feed, eight bytes at a time.
                if index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
                if buffer[index] < 0x80 {
                    index += 1
                    continue
                }
                let length = validSequenceLength(buffer, at: index)
                guard length > 0 else { return false }
                index += length
            }
            return true
        }
    }

    /// Length of the well-formed UTF-8 sequence at `index` (RFC 3629), or 0.
    private static func validSequenceLength<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int) -> Int where Bytes.Index == Int {
        let first = bytes[index]
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + offset < bytes.count && range.contains(bytes[index + offset])
        }
        switch first {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    private static func windows1252Scalar(_ byte: UInt8) -> UInt32 {
        (0x80...0x9F).contains(byte) ? windows1252High[Int(byte - 0x80)] : UInt32(byte)
    }

    static func windows1252ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 { output.append(byte) } else { HTMLText.appendUTF8(windows1252Scalar(byte), to: &output) }
        }
        return output
    }

    /// Converts with iconv; undecodable bytes become U+FFFD. Unknown encodings are read as UTF-8.
    private mutating func convert(from encoding: String) {
        guard let converted = Self.iconvToUTF8(bytes, from: encoding) else {
            repaired = true
            warnings.append("unsupported encoding \(encoding): read as UTF-8")
            repairUTF8(assumed: "UTF-8")
            return
        }
        if converted.invalid > 0 {
            repaired = true
            warnings.append("\(converted.invalid) byte sequence\(converted.invalid == 1 ? " was" : "s were") not valid \(encoding): replaced by U+FFFD")
        }
        bytes = converted.bytes
    }

    private static func iconvToUTF8(_ input: [UInt8], from encoding: String) -> (bytes: [UInt8], invalid: Int)? {
        let opened: iconv_t? = iconv_open("UTF-8", encoding)
        guard let descriptor = opened, descriptor != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        var invalid = 0
        var source = input
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        source.withUnsafeMutableBufferPointer { sourceBuffer in
            guard let sourceBase = sourceBuffer.baseAddress else { return }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(sourceBase).assumingMemoryBound(to: CChar.self)
            var inLeft = sourceBuffer.count
            chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                let chunkBase = UnsafeMutableRawPointer(chunkBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                while inLeft > 0 {
                    var outPointer: UnsafeMutablePointer<CChar>? = chunkBase
                    var outLeft = chunkBuffer.count
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    let produced = chunkBuffer.count - outLeft
                    output.append(contentsOf: UnsafeBufferPointer(start: chunkBuffer.baseAddress, count: produced))
                    if result == -1 {
                        let code = errno
                        if code == E2BIG { continue }
                        output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        invalid += 1
                        if code == EILSEQ, inLeft > 0 {
                            inPointer = inPointer.map { $0 + 1 }
                            inLeft -= 1
                        } else {
                            inLeft = 0
                        }
                    }
                }
            }
        }
        return (output, invalid)
    }
}
