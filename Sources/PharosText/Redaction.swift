/// URLs as Pharos shows them: in logs, `pharos status`, the outbox, errors and messages.
///
/// For Slack, Teams or Discord webhooks the path is the credential
/// (`/services/T0/B0/TOKEN`), and feeds and hooks put tokens in queries and user info, so
/// only the scheme, host and port are shown, with a mark where the rest was.
public enum Redaction {
    /// The mark put in place of a path, query or fragment.
    public static let mark = "…(redacted)"

    /// `https://hooks.slack.com/services/T0/B0/TOKEN` → `https://hooks.slack.com/…(redacted)`;
    /// `http://user:pw@host:8080/` → `http://host:8080/`. Text that is no URL is hidden whole.
    public static func url(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard let separator = find(Array("://".utf8), in: bytes, from: 0), separator > 0,
              bytes[..<separator].allSatisfy(isSchemeByte) else { return "(URL)" + mark }
        return redact(bytes, schemeStart: 0, separator: separator).text
    }

    /// `text` with every `scheme://…` in it redacted as ``url(_:)`` does; a URL ends at
    /// whitespace or a quote.
    public static func urls(in text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while let separator = find(Array("://".utf8), in: bytes, from: index) {
            var start = separator
            while start > index, isSchemeByte(bytes[start - 1]) { start -= 1 }
            guard start < separator else {
                out += bytes[index..<separator + 3]
                index = separator + 3
                continue
            }
            out += bytes[index..<start]
            let redacted = redact(bytes, schemeStart: start, separator: separator)
            out += Array(redacted.text.utf8)
            index = redacted.end
        }
        out += bytes[index...]
        return String(decoding: out, as: UTF8.self)
    }

    private static func redact(_ bytes: [UInt8], schemeStart: Int, separator: Int) -> (text: String, end: Int) {
        let authorityStart = separator + 3
        var end = authorityStart
        while end < bytes.count, !isURLEnd(bytes[end]) { end += 1 }
        // Punctuation that ends a sentence or a clause ends the URL in prose ("…: refused").
        while end > authorityStart, ".,;:!?".utf8.contains(bytes[end - 1]) { end -= 1 }
        var authorityEnd = authorityStart
        while authorityEnd < end, !"/?#".utf8.contains(bytes[authorityEnd]) { authorityEnd += 1 }
        // Already redacted: the mark is kept as it is, and what follows it is not the URL's.
        let marked = Array(("/" + mark).utf8)
        if bytes[authorityEnd...].starts(with: marked) { end = authorityEnd + marked.count }
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var shown = Array(bytes[schemeStart..<authorityStart]) + Array(bytes[hostStart..<authorityEnd])
        let rest = bytes[authorityEnd..<end]
        if rest.elementsEqual("/".utf8) {
            shown.append(UInt8(ascii: "/"))
        } else if !rest.isEmpty {
            shown += Array(("/" + mark).utf8)
        }
        return (String(decoding: shown, as: UTF8.self), end)
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2B || byte == 0x2D || byte == 0x2E
    }

    private static func isURLEnd(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
    }
}
