/// Writes JSON with keys in the order given, so documents read the way README.md shows them
/// and the same value always produces the same bytes.
public struct JSONWriter {
    public private(set) var output = ""

    public init() {}

    /// A JSON value with ordered object keys.
    public indirect enum Value {
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

    mutating func write(_ value: Value) {
        switch value {
        case .string(let text): writeString(text)
        case .int(let number): output += String(number)
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { output += "," }
                writeString(key)
                output += ":"
                write(member)
            }
            output += "}"
        }
    }

    mutating func writeString(_ text: String) {
        output += "\""
        // Most strings need no escaping: copy them whole.
        var needsEscaping = false
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || (previous == (0xE2, 0x80) && (byte == 0xA8 || byte == 0xA9)) {
                needsEscaping = true
                break
            }
            previous = (previous.1, byte)
        }
        guard needsEscaping else {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
