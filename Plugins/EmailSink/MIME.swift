import Foundation

/// One mailbox: an address with an optional display name (`Pharos <pharos@example.org>`).
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    /// The display name, if any.
    public var name: String?
    /// The bare address, `local@domain`, ASCII only.
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Parses `local@domain`, `<local@domain>`, `Name <local@domain>` or `"Name, Inc." <local@domain>`;
    /// nil when the address part is not a plain ASCII address.
    public init?(parsing text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var display = text[..<open].trimmingCharacters(in: .whitespaces)
            if display.count >= 2, display.hasPrefix("\""), display.hasSuffix("\"") {
                display = String(display.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            if !display.isEmpty { name = display }
        }
        guard Self.isPlainAddress(address) else { return nil }
        if let name, name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return nil }
        self.name = name
        self.address = address
    }

    /// Whether `text` is `local@domain` with an unquoted ASCII local part and a host name or
    /// address literal: what can go into `MAIL FROM`/`RCPT TO` and a header without quoting.
    public static func isPlainAddress(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.count <= 64, text.utf8.count <= 254 else { return false }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
        let localOK = local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { atext.contains($0) }
        }
        let hostChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        let domainOK: Bool
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            domainOK = domain.dropFirst().dropLast().allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == "." || $0 == ":" || $0.isLetter) }
        } else {
            domainOK = domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.allSatisfy { hostChars.contains($0) }
                    && !label.hasPrefix("-") && !label.hasSuffix("-")
            }
        }
        return localOK && domainOK
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }
}

/// The pieces of RFC 5322 and MIME a mail needs, written so that no line is longer than 78
/// characters and every byte is ASCII.
public enum MIME {
    /// The longest header line written (RFC 5322 recommends 78).
    public static let lineLimit = 78
    /// The longest line of a quoted-printable body (RFC 2045).
    public static let quotedPrintableLimit = 76
    /// The most UTF-8 bytes one encoded word carries: 36 bytes are 48 base64 characters,
    /// 60 with `=?UTF-8?B?` and `?=`, so a word fits a line after any usual header name.
    static let encodedWordBytes = 36

    // MARK: Headers

    /// `Name: value` for unstructured text (Subject): control characters become spaces,
    /// anything not plain ASCII goes into RFC 2047 encoded words, and the result is folded
    /// to lines of at most 78 characters joined by CRLF (no final CRLF).
    public static func header(_ name: String, _ value: String) -> String {
        fold(name: name, atoms: textAtoms(value))
    }

    /// `Name: addr, Name <addr>` for From, To and Cc, folded between and inside mailboxes.
    public static func addressHeader(_ name: String, _ addresses: [MailAddress]) -> String {
        var atoms: [String] = []
        for (index, mailbox) in addresses.enumerated() {
            let last = index == addresses.count - 1
            var parts: [String] = []
            if let display = mailbox.name, !display.isEmpty { parts = phraseAtoms(display) }
            parts.append("<\(mailbox.address)>" + (last ? "" : ","))
            if parts.count == 1 { parts = [mailbox.address + (last ? "" : ",")] }
            atoms += parts
        }
        return fold(name: name, atoms: atoms)
    }

    /// Whether `text` can go into a header as it is (printable ASCII, no `=?`).
    static func isPlainHeaderText(_ text: String) -> Bool {
        !text.contains("=?") && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    /// `text` as header atoms: its words when plain, otherwise encoded words (whose spaces
    /// are inside them, since the space between two encoded words does not count).
    static func textAtoms(_ value: String) -> [String] {
        let text = cleanHeaderText(value)
        let words = text.split(separator: " ").map(String.init)
        if isPlainHeaderText(text), words.allSatisfy({ $0.count <= lineLimit - 10 }) { return words }
        return encodedWords(text)
    }

    /// A display name as atoms: plain words, a quoted string when it holds specials, or encoded words.
    static func phraseAtoms(_ value: String) -> [String] {
        let text = cleanHeaderText(value)
        guard isPlainHeaderText(text) else { return encodedWords(text) }
        let specials = Set("()<>[]:;@\\,.\"")
        if text.contains(where: { specials.contains($0) }) {
            let quoted = "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return quoted.count <= lineLimit - 10 ? [quoted] : encodedWords(text)
        }
        let words = text.split(separator: " ").map(String.init)
        return words.allSatisfy({ $0.count <= lineLimit - 10 }) ? words : encodedWords(text)
    }

    /// Control characters and runs of white space become one space; the ends are trimmed.
    static func cleanHeaderText(_ value: String) -> String {
        var result = ""
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// RFC 2047 `=?UTF-8?B?...?=` words for `text`, each at most ``encodedWordBytes`` bytes
    /// of UTF-8, never splitting a character's bytes.
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > encodedWordBytes {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// `Name: ` and the atoms, separated by spaces, a line break (CRLF and a space) before an
    /// atom that would make the line longer than ``lineLimit``.
    static func fold(name: String, atoms: [String]) -> String {
        var lines: [String] = []
        var line = name + ":"
        var lineHasAtom = false
        for atom in atoms {
            if lineHasAtom, line.count + 1 + atom.count > lineLimit {
                lines.append(line)
                line = ""
            }
            line += " " + atom
            lineHasAtom = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    /// The RFC 5322 date, `Mon, 23 Nov 2026 09:00:00 +0000`, always in UTC.
    public static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(parts.day ?? 1) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    // MARK: Bodies

    /// `text` (lines ending in LF or CRLF) as UTF-8 quoted-printable: lines end in CRLF and are
    /// at most 76 characters, with soft breaks (`=`) where a line is longer, and white space at
    /// the end of a line, `=`, control characters and every non-ASCII byte escaped.
    public static func quotedPrintable(_ text: String) -> String {
        var output = ""
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var current = ""
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let token: String
                switch byte {
                case 0x20, 0x09:
                    token = isLast ? escape(byte) : String(UnicodeScalar(byte))
                case 0x21...0x7E where byte != UInt8(ascii: "="):
                    // A leading dot is escaped too, so no line can look like the end of DATA.
                    token = current.isEmpty && byte == UInt8(ascii: ".") ? escape(byte) : String(UnicodeScalar(byte))
                default:
                    token = escape(byte)
                }
                // Keep room for the soft break's "=", unless this is the line's last token.
                let limit = isLast ? quotedPrintableLimit : quotedPrintableLimit - 1
                if current.count + token.count > limit {
                    output += current + "=\r\n"
                    current = ""
                }
                current += token
            }
            output += current
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output
    }

    static func escape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
