import Foundation

/// Writes JSON with keys in the order given, so documents read the way README.md shows them
/// and the same value always produces the same bytes.
public struct JSONWriter {
    /// The UTF-8 written so far.
    public private(set) var bytes: [UInt8] = []

    /// What was written, as a string.
    public var output: String { String(decoding: bytes, as: UTF8.self) }

    public init() {}

    /// A JSON value with ordered object keys. Not `indirect`: arrays and objects hold their
    /// elements in an array already, and an indirect case would box every string and number
    /// (most of the allocations of writing an alert).
    public enum Value {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
        case array([Value])
        case object([(String, Value)])

        /// A string, or null when absent.
        public static func optional(_ text: String?) -> Value { text.map(Value.string) ?? .null }
    }

    /// The compact encoding of `value`.
    public static func encode(_ value: Value) -> String {
        var writer = JSONWriter()
        writer.write(value)
        return writer.output
    }

    /// Appends the compact encoding of `value` to `output` as UTF-8: where documents are
    /// written by the thousand, without a string for each.
    public static func append(_ value: Value, to output: inout [UInt8]) {
        append(to: &output) { $0.write(value) }
    }

    /// Appends to `output` what `body` writes: for documents written field by field, without
    /// a ``Value`` tree.
    public static func append(to output: inout [UInt8], _ body: (inout JSONWriter) -> Void) {
        var writer = JSONWriter()
        swap(&writer.bytes, &output)
        body(&writer)
        swap(&writer.bytes, &output)
    }

    /// Appends JSON text as it is (punctuation and keys the caller spells out).
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func write(_ value: Value) {
        switch value {
        case .string(let text): writeString(text)
        case .int(let number): writeInt(number)
        case .bool(let flag): bytes.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .null: bytes.append(contentsOf: "null".utf8)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(member)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// `text` quoted, with `"`, the backslash, control characters and U+2028/U+2029 (which end a line
    /// in JavaScript) escaped; every other byte copied as it is, runs at a time.
    public mutating func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var copied = 0
            var index = 0
            let count = utf8.count
            while index < count {
                // Most bytes are written as they are: skipped eight at a time while none is a
                // control character, a quote, a backslash or outside ASCII (the test may stop
                // early, never late), then one at a time before the switch.
                if index &+ 8 <= count {
                    let word = UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)
                    if Self.isPlain(word) {
                        index &+= 8
                        continue
                    }
                }
                let byte = utf8[index]
                if byte >= 0x20, byte != 0x22, byte != 0x5C, byte != 0xE2 {
                    index += 1
                    continue
                }
                let escape: String?
                var width = 1
                switch byte {
                case 0x22: escape = "\\\""
                case 0x5C: escape = "\\\\"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0..<0x20:
                    let hex = String(byte, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                    escape = utf8[index + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                default: escape = nil
                }
                if let escape {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[copied..<index]))
                    bytes.append(contentsOf: escape.utf8)
                    copied = index + width
                }
                index += width
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[copied..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Whether none of the eight bytes of `word` is below 0x20, a quote, a backslash or above
    /// 0x7F. A borrow can make it say no for a plain word, never yes for another.
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & high }
        let control = (word &- ones &* 0x20) & ~word & high
        return (word & high) | control | hasZeroByte(word ^ (ones &* 0x22)) | hasZeroByte(word ^ (ones &* 0x5C)) == 0
    }

    /// `number` in decimal.
    mutating func writeInt(_ number: Int) {
        guard number >= 0 else { return bytes.append(contentsOf: String(number).utf8) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var value = number
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }

    /// `date` as ``ISO8601/string(from:)`` writes it, quoted.
    mutating func writeDate(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        ISO8601.append(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
