/// Text from outside (file names, feed fields, error messages) made safe to print on a
/// terminal or a log line: control characters could move the cursor, rewrite what is shown,
/// or forge a log line.
public enum Printable {
    /// `text` with C0 and C1 control characters and DEL escaped (`\r`, `\t`, `\x1B`,
    /// `\u{85}`); a line feed becomes `lineFeed` (`\n` by default, a space for log lines that
    /// flatten messages). Everything else, backslashes included, is left as it is.
    public static func escaped(_ text: String, lineFeed: String = "\\n") -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                result.append(scalar)
                continue
            }
            let replacement: String = switch scalar {
            case "\n": lineFeed
            case "\r": "\\r"
            case "\t": "\\t"
            default: scalar.value < 0x80 ? "\\x" + hex(scalar.value) : "\\u{" + hex(scalar.value) + "}"
            }
            result.append(contentsOf: replacement.unicodeScalars)
        }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
