/// Where matched spellings stand in a piece of evidence: what `pharos match` prints in bold
/// (or «…») and the web page marks.
public enum Highlight {
    /// `text` cut into pieces, each marked or not: one pass marks the leftmost and then longest
    /// of `spellings` that stands as a word, once. Replacing one spelling after another would mark
    /// inside earlier marks ("«V«EGFR»2»"), differently from run to run, since a set has no order.
    public static func pieces(_ text: String, spellings: Set<String>) -> [(text: String, marked: Bool)] {
        let needles = spellings.filter { !$0.isEmpty }.map { Array($0.utf8) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        let bytes = Array(text.utf8)
        var pieces: [(text: String, marked: Bool)] = []
        var plainStart = 0
        var index = 0
        while index < bytes.count {
            let startsWord = index == 0 || !isASCIIWordByte(bytes[index - 1])
            guard startsWord, let needle = needles.first(where: { spelling in
                bytes[index...].starts(with: spelling)
                    && (index + spelling.count == bytes.count || !isASCIIWordByte(bytes[index + spelling.count]))
            }) else {
                index += 1
                continue
            }
            if index > plainStart { pieces.append((String(decoding: bytes[plainStart..<index], as: UTF8.self), false)) }
            pieces.append((String(decoding: needle, as: UTF8.self), true))
            index += needle.count
            plainStart = index
        }
        if plainStart < bytes.count { pieces.append((String(decoding: bytes[plainStart...], as: UTF8.self), false)) }
        return pieces
    }

    private static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}
