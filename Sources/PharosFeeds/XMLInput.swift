#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import PharosCore
import PharosText

/// Feed bytes made ready for libxml2: always UTF-8 (the parser is told to ignore the declared
/// encoding), and with the small lexical faults of real feeds repaired (``feed(chunkSize:_:)``)
/// so that one stray `&` does not cost the rest of the document.
struct XMLInput {
    /// The document as given, borrowed: read in place when it is UTF-8 already.
    private let source: UnsafeBufferPointer<UInt8>
    /// The UTF-8 bytes of the document when they differ from ``source`` (converted or repaired);
    /// empty and unused otherwise.
    private var bytes: [UInt8] = []
    private var converted = false
    /// Bytes skipped at the start of the UTF-8 text (a byte-order mark, junk before the prolog).
    private var start = 0
    /// What was converted or repaired, one line each.
    var warnings: [String] = []
    /// True when the document as given was not well-formed: bytes not in its encoding, text
    /// before the XML declaration, bare `&` or `<`, forbidden control characters.
    var repaired = false

    /// Reads `raw` as UTF-8, converting it when it is not (the lexical repairs are made as it is
    /// fed to the parser). `raw` must stay valid as long as this input is used.
    ///
    /// - Parameter checked: whether `raw` is valid UTF-8 when ``isUTF8Text(_:)`` says it is meant
    ///   to be, if the caller checks that itself (nil: checked here).
    init(borrowing raw: UnsafeBufferPointer<UInt8>, checked: Bool? = nil) {
        source = raw
        if Self.isUTF8Text(raw) {
            if !(checked ?? Self.isValidUTF8(raw)) { convert { $0.repairUTF8(assumed: "UTF-8") } }
        } else {
            convert { $0.decode() }
        }
        trimProlog()
    }

    /// Whether `raw` is meant to be UTF-8 without a byte-order mark (declared so, or not declared
    /// at all): then, when it is valid UTF-8, it is read in place.
    static func isUTF8Text(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        switch detect(raw) {
        case .undeclared: true
        case .declared(let label): ["utf-8", "utf8"].contains(label.lowercased())
        default: false
        }
    }

    /// Runs the conversions that work on a copy of the document.
    private mutating func convert(_ conversion: (inout XMLInput) -> Void) {
        bytes = Array(source)
        converted = true
        conversion(&self)
    }

    /// The UTF-8 text, from ``start`` on.
    private func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if converted {
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[min(start, $0.count)...])) }
        }
        return body(UnsafeBufferPointer(rebasing: source[min(start, source.count)...]))
    }

    // MARK: - Encoding

    private enum Detected {
        case utf8(bom: Bool)
        case unicode(String, bomLength: Int)
        case declared(String)
        case undeclared
    }

    private mutating func decode() {
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
    private mutating func repairUTF8(assumed: String) {
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

    // MARK: - Prolog

    /// White space (or other junk) before the XML declaration makes libxml2 ignore the
    /// declaration; it is dropped. Anything before the first tag is dropped likewise.
    private mutating func trimProlog() {
        let (skip, warning) = withText { bytes -> (Int, String?) in
            var index = 0
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "<") {
                if index > 0, hasPrefix(bytes, at: index, "<?xml") { return (index, "line 1: white space before the XML declaration ignored") }
                return (0, nil)
            }
            let limit = min(bytes.count, 4096)
            for marker in ["<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF", "<!DOCTYPE", "<channel"] {
                if let start = find(bytes, marker, from: 0, limit: limit) {
                    return (start, "line 1: \(start) bytes of text before the document ignored")
                }
            }
            return (0, nil)
        }
        if let warning {
            start += skip
            warnings.append(warning)
            repaired = true
        }
    }

    // MARK: - Lexical repairs

    /// Hands the document to `body` in pieces of at least `chunkSize` bytes (a piece ends where
    /// the repair scan stopped, after the construct it was in), each piece repaired: `&` that
    /// starts no reference and `<` that starts no markup escaped, the control characters XML
    /// forbids dropped, outside CDATA sections, comments, processing instructions and the
    /// DOCTYPE. libxml2 would drop them anyway, and after a fatal error it also stops
    /// delivering entity references, turning escaped HTML into garbage. The repair runs piece
    /// by piece, just ahead of the parser, so that the parser starts at once; pieces that need
    /// no repair are handed over where they are. `body` returns false to stop.
    ///
    /// - Parameter consumed: told, when the document was read in place, how many bytes of it
    ///   (from its start) are behind the parser and will not be read again.
    mutating func feed(chunkSize: Int, consumed: (Int) -> Void = { _ in }, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        let inPlace = !converted
        let offset = start
        let counts = withText { input -> LexicalRepairer in
            var repairer = LexicalRepairer(input: input)
            var start = 0
            var piece: [UInt8] = []
            while start < input.count {
                let end = repairer.scan(upTo: min(start + chunkSize, input.count), into: &piece)
                let keepGoing: Bool
                if piece.isEmpty {
                    keepGoing = body(UnsafeBufferPointer(rebasing: input[start..<end]))
                } else {
                    keepGoing = piece.withUnsafeBufferPointer(body)
                    piece.removeLast(piece.count)
                }
                start = end
                if inPlace { consumed(offset + end) }
                if !keepGoing { break }
            }
            return repairer
        }
        if counts.ampersands + counts.lessThans + counts.controls > 0 { repaired = true }
        if counts.ampersands > 0 { warnings.append("\(counts.ampersands) bare '&' escaped (not well-formed XML)") }
        if counts.lessThans > 0 { warnings.append("\(counts.lessThans) bare '<' escaped (not well-formed XML)") }
        if counts.controls > 0 {
            warnings.append("\(counts.controls) control character\(counts.controls == 1 ? "" : "s") removed (not allowed in XML)")
        }
    }
}

/// The lexical repair of ``XMLInput/feed(chunkSize:_:)``, one stretch of the document at a time.
private struct LexicalRepairer {
    let input: UnsafeBufferPointer<UInt8>
    private(set) var ampersands = 0
    private(set) var lessThans = 0
    private(set) var controls = 0
    /// Where the scan goes on.
    private var position = 0

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    /// Scans from where the last call stopped to `target` or a little past it (to the end of the
    /// tag, section or comment there) and returns where it stopped. When anything in the
    /// stretch needed repair, `output` receives the whole stretch repaired; else it is left empty
    /// and the stretch is good as it is.
    mutating func scan(upTo target: Int, into output: inout [UInt8]) -> Int {
        let count = input.count
        let stretchStart = position
        // A local copy: as a stored property it would be written back to memory at every step.
        var index = position
        defer { position = index }
        var copiedUpTo = stretchStart
        var repairedAny = false
        func replace(at position: Int, with replacement: StaticString) {
            if !repairedAny {
                repairedAny = true
                output.reserveCapacity(target - stretchStart + 1024)
            }
            if copiedUpTo < position { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copiedUpTo..<position])) }
            output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            copiedUpTo = position + 1
        }
        let base = input.baseAddress
        while index < target {
            // Text without `<`, `&` or control characters (line breaks included), eight bytes at a time.
            if index + 8 <= count, let base {
                let flags = repairFlags(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
                if flags == 0 {
                    index += 8
                    continue
                }
                // The lowest flagged byte is exact (the bytes after it may be flagged falsely).
                index += flags.trailingZeroBitCount / 8
            }
            let byte = input[index]
            if byte == UInt8(ascii: "<") {
                let second = index + 1 < count ? input[index + 1] : 0
                if second == UInt8(ascii: "!"), hasPrefix(input, at: index, "<![CDATA[") { index = skip(past: "]]>", from: index + 9); continue }
                if second == UInt8(ascii: "!"), hasPrefix(input, at: index, "<!--") { index = skip(past: "-->", from: index + 4); continue }
                if second == UInt8(ascii: "?") { index = skip(past: "?>", from: index + 2); continue }
                if second == UInt8(ascii: "!") {
                    // DOCTYPE: its internal subset declares entities with `&` and `%` in them.
                    var cursor = index + 2
                    var depth = 0
                    var quote: UInt8 = 0
                    while cursor < count {
                        let current = input[cursor]
                        if quote != 0 {
                            if current == quote { quote = 0 }
                        } else if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                            quote = current
                        } else if current == UInt8(ascii: "[") {
                            depth += 1
                        } else if current == UInt8(ascii: "]") {
                            depth -= 1
                        } else if current == UInt8(ascii: ">") && depth <= 0 {
                            break
                        }
                        cursor += 1
                    }
                    index = min(cursor + 1, count)
                    continue
                }
                if second == UInt8(ascii: "/") || isNameStart(second) {
                    // Most tags are a bare name (`<title>`, `</item>`): nothing in them to repair.
                    var nameEnd = second == UInt8(ascii: "/") ? index + 2 : index + 1
                    while nameEnd < count, isNameByte(input[nameEnd]) { nameEnd += 1 }
                    if nameEnd < count, input[nameEnd] == UInt8(ascii: ">") {
                        index = nameEnd + 1
                        continue
                    }
                    // A tag: attribute values may hold bare `&` (URLs) and `<`.
                    var cursor = index + 1
                    var afterEquals = false
                    while cursor < count {
                        let current = input[cursor]
                        if current == UInt8(ascii: ">") || current == UInt8(ascii: "<") { break }
                        if afterEquals, current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                            afterEquals = false
                            guard let close = input[(cursor + 1)...].firstIndex(of: current) else { cursor = count; break }
                            var valueIndex = cursor + 1
                            while valueIndex < close {
                                let valueByte = input[valueIndex]
                                if valueByte == UInt8(ascii: "&"), !validReference(at: valueIndex) {
                                    replace(at: valueIndex, with: "&amp;")
                                    ampersands += 1
                                } else if valueByte == UInt8(ascii: "<") {
                                    replace(at: valueIndex, with: "&lt;")
                                    lessThans += 1
                                } else if isForbiddenControl(valueByte) {
                                    replace(at: valueIndex, with: "")
                                    controls += 1
                                }
                                valueIndex += 1
                            }
                            cursor = close + 1
                            continue
                        }
                        if current == UInt8(ascii: "=") {
                            afterEquals = true
                        } else if !isSpace(current) {
                            afterEquals = false
                        }
                        if isForbiddenControl(current) {
                            replace(at: cursor, with: "")
                            controls += 1
                        }
                        cursor += 1
                    }
                    index = cursor < count && input[cursor] == UInt8(ascii: ">") ? cursor + 1 : cursor
                    continue
                }
                replace(at: index, with: "&lt;")
                lessThans += 1
            } else if byte == UInt8(ascii: "&") {
                if !validReference(at: index) {
                    replace(at: index, with: "&amp;")
                    ampersands += 1
                }
            } else if isForbiddenControl(byte) {
                replace(at: index, with: "")
                controls += 1
            }
            index += 1
        }
        if repairedAny, copiedUpTo < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copiedUpTo..<index])) }
        return index
    }

    private func isForbiddenControl(_ byte: UInt8) -> Bool { byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D }

    private func validReference(at index: Int) -> Bool {
        let count = input.count
        var cursor = index + 1
        guard cursor < count else { return false }
        if input[cursor] == UInt8(ascii: "#") {
            cursor += 1
            var hex = false
            if cursor < count, input[cursor] == UInt8(ascii: "x") || input[cursor] == UInt8(ascii: "X") {
                hex = true
                cursor += 1
            }
            let start = cursor
            while cursor < count, cursor - start < 9,
                  isDigit(input[cursor]) || (hex && isHexLetter(input[cursor])) { cursor += 1 }
            return cursor > start && cursor < count && input[cursor] == UInt8(ascii: ";")
        }
        guard isNameStart(input[cursor]) else { return false }
        let start = cursor
        while cursor < count, cursor - start < 64, isNameByte(input[cursor]) { cursor += 1 }
        return cursor < count && input[cursor] == UInt8(ascii: ";")
    }

    private func skip(past terminator: String, from index: Int) -> Int {
        guard let end = find(input, terminator, from: index, limit: input.count) else { return input.count }
        return end + terminator.utf8.count
    }
}

// MARK: - Byte helpers

/// The high bit set in each of eight bytes (little-endian) that may be `<`, `&` or below 0x20
/// (bit tricks for finding a zero byte): zero when none is; otherwise the lowest flagged byte is
/// one, and bytes above it may be flagged falsely.
@inline(__always)
private func repairFlags(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
    let control = (word &- ones &* 0x20) & ~word & highBits
    return control | zeroBytes(word ^ (ones &* 0x3C)) | zeroBytes(word ^ (ones &* 0x26))
}

private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
private func isHexLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 }
private func isNameStart(_ byte: UInt8) -> Bool {
    ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
}
/// A name start, a digit, `-` or `.`: one bit per ASCII byte (`-` `.` `0`-`9` `:` below 64;
/// `A`-`Z` `_` `a`-`z` above), and every byte from 0x80 on.
@inline(__always)
private func isNameByte(_ byte: UInt8) -> Bool {
    if byte >= 0x80 { return true }
    let bits: UInt64 = byte < 64 ? 0x07ff_6000_0000_0000 : 0x07ff_fffe_87ff_fffe
    return (bits >> UInt64(byte & 63)) & 1 != 0
}

private func hasPrefix<Bytes: RandomAccessCollection>(_ bytes: Bytes, at index: Int, _ prefix: String) -> Bool where Bytes.Element == UInt8, Bytes.Index == Int {
    var cursor = index
    for expected in prefix.utf8 {
        guard cursor < bytes.endIndex, bytes[cursor] == expected else { return false }
        cursor += 1
    }
    return true
}

/// ``find(_:_:from:limit:)`` with `memchr` looking for the needle's first byte.
private func find(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: String, from start: Int, limit: Int) -> Int? {
    let pattern = Array(needle.utf8)
    guard let first = pattern.first, limit - start >= pattern.count, let base = bytes.baseAddress else { return nil }
    let lastStart = limit - pattern.count
    var index = start
    while index <= lastStart {
        guard let found = memchr(base + index, Int32(first), lastStart - index + 1) else { return nil }
        index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        if hasPrefix(bytes, at: index, needle) { return index }
        index += 1
    }
    return nil
}

private func find<Bytes: RandomAccessCollection>(_ bytes: Bytes, _ needle: String, from start: Int, limit: Int) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
    let pattern = Array(needle.utf8)
    guard let first = pattern.first, limit - start >= pattern.count else { return nil }
    var index = start
    while index <= limit - pattern.count {
        if bytes[index] == first && hasPrefix(bytes, at: index, needle) { return index }
        index += 1
    }
    return nil
}
