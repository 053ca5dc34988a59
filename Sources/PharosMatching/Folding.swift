import Foundation

/// How text is normalised before matching, shared by patterns and documents so both
/// fold the same way: NFKC, lower case, every dash and whitespace run as one separator,
/// ® ™ ℠ and invisible characters dropped.
enum Folding {
    /// The byte every separator (whitespace, hyphen, dash, minus) becomes.
    static let separator: UInt8 = 0x20

    /// What one input character contributes to the folded stream.
    enum Output {
        case separator
        case dropped
        /// The character's own UTF-8 bytes, unchanged.
        case identity
        /// Folded UTF-8 bytes, and the exact (NFKC, case kept) bytes.
        case bytes([UInt8], exact: [UInt8])
    }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D, 0x00A0, 0x2007, 0x202F: true
        default: scalar.properties.isWhitespace
        }
    }

    static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AE, 0x2122, 0x2120, 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: true
        default: false
        }
    }

    /// The folding of one non-ASCII scalar.
    static func fold(_ scalar: Unicode.Scalar) -> Output {
        if isSeparator(scalar) { return .separator }
        if isDropped(scalar) { return .dropped }
        if !scalar.properties.changesWhenNFKCCaseFolded { return .identity }
        let compatible = String(scalar).precomposedStringWithCompatibilityMapping
        // NFKC can turn a character into separators or ASCII (fullwidth letters, ligatures).
        if compatible.unicodeScalars.count == 1, let only = compatible.unicodeScalars.first, only != scalar {
            if isSeparator(only) { return .separator }
            if isDropped(only) { return .dropped }
        }
        let exact = Array(compatible.utf8)
        let folded = Array(compatible.lowercased().utf8)
        return .bytes(folded, exact: exact)
    }

    /// Whether `scalar` makes a word (a letter or a digit), for boundary checks.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// A term's folded bytes, its exact (case-kept) bytes, and whether it is case-sensitive
    /// (written with capitals and no lower-case letter, like RMAT, TIL, PD-L1, CD269).
    static func pattern(_ term: String) -> (folded: [UInt8], exact: [UInt8], caseSensitive: Bool) {
        if let ascii = asciiPattern(term) { return ascii }
        var folded: [UInt8] = []
        var exact: [UInt8] = []
        var pendingSeparator = false
        var hasUpper = false
        var hasLower = false
        for scalar in term.unicodeScalars {
            if scalar.properties.isUppercase { hasUpper = true }
            if scalar.properties.isLowercase { hasLower = true }
            let output: Output
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if byte == 0x2D || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    output = .separator
                } else {
                    output = .bytes([(0x41...0x5A).contains(byte) ? byte + 32 : byte], exact: [byte])
                }
            } else {
                output = fold(scalar)
            }
            switch output {
            case .separator:
                pendingSeparator = !folded.isEmpty
            case .dropped:
                continue
            case .identity:
                if pendingSeparator {
                    folded.append(separator)
                    exact.append(separator)
                    pendingSeparator = false
                }
                folded += Array(String(scalar).utf8)
                exact += Array(String(scalar).utf8)
            case .bytes(let bytes, let exactBytes):
                if pendingSeparator {
                    folded.append(separator)
                    exact.append(separator)
                    pendingSeparator = false
                }
                folded += bytes
                exact += bytes.count == exactBytes.count ? exactBytes : bytes
            }
        }
        return (folded, exact, hasUpper && !hasLower)
    }

    /// `pattern` for a term of ASCII characters only, read byte by byte; nil for any other term.
    private static func asciiPattern(_ term: String) -> (folded: [UInt8], exact: [UInt8], caseSensitive: Bool)? {
        var folded: [UInt8] = []
        var exact: [UInt8] = []
        var pendingSeparator = false
        var hasUpper = false
        var hasLower = false
        for byte in term.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x2D || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSeparator = !folded.isEmpty
                continue
            }
            if pendingSeparator {
                folded.append(separator)
                exact.append(separator)
                pendingSeparator = false
            }
            let isUpper = (0x41...0x5A).contains(byte)
            if isUpper { hasUpper = true }
            if (0x61...0x7A).contains(byte) { hasLower = true }
            folded.append(isUpper ? byte + 32 : byte)
            exact.append(byte)
        }
        return (folded, exact, hasUpper && !hasLower)
    }

    /// The normalised spelling of a term, used as a key when comparing vocabulary entries:
    /// case kept for case-sensitive terms, folded otherwise.
    static func key(_ term: String) -> String {
        let (folded, exact, caseSensitive) = pattern(term)
        return String(decoding: caseSensitive ? exact : folded, as: UTF8.self)
    }
}

/// How a term is spelled for matching, for tools that explain matches.
public enum Spelling {
    /// Whether `term` matches only as written: it has capitals and no lower-case letter.
    public static func isCaseSensitive(_ term: String) -> Bool { Folding.pattern(term).caseSensitive }

    /// The normalised form two spellings share when they match the same text.
    public static func key(_ term: String) -> String { Folding.key(term) }
}

/// How each non-ASCII scalar folds, for the scanner: precomputed for U+0080–U+07FF (Latin,
/// Greek, Cyrillic) and U+2000–U+21FF (spaces, dashes, quotes, ™) once per process, so a scan
/// builds no `String` for the characters press releases use; other scalars are folded on
/// the spot.
struct ScalarFolding: Sendable {
    enum Kind: UInt8, Sendable {
        /// Fed as its own UTF-8 bytes.
        case identity
        case separator
        case dropped
        /// Fed as other bytes (NFKC, lower case).
        case replaced
    }

    /// The folding of one scalar.
    struct Entry: Sendable {
        var kind: Kind
        /// A letter or digit, for word boundaries.
        var isWord: Bool
        /// Whether the folded bytes hold an ASCII letter (a fullwidth Ｂ does): such a character
        /// never satisfies a term written in capitals.
        var foldsToASCIILetter: Bool
        /// Folded bytes: for `.replaced` in `replacements`, for `.identity` the scalar's own.
        var length: UInt8
        var offset: UInt32
    }

    static let shared = ScalarFolding()

    private static let punctuationBase: UInt32 = 0x2000
    private static let punctuationCount = 0x200
    /// Entries for U+0080–U+07FF, first in `entries`; U+2000–U+21FF follow.
    static let lowCount = 0x800 - 0x80

    /// The precomputed entries: U+0080–U+07FF, then U+2000–U+21FF.
    let entries: [Entry]
    /// Folded bytes of the `.replaced` entries of the table.
    let replacements: [UInt8]

    private init() {
        var entries: [Entry] = []
        var replacements: [UInt8] = []
        entries.reserveCapacity(Self.lowCount + Self.punctuationCount)
        let values = Array(0x80..<UInt32(0x800)) + Array(Self.punctuationBase..<Self.punctuationBase + UInt32(Self.punctuationCount))
        for value in values {
            guard let scalar = Unicode.Scalar(value) else {
                entries.append(Entry(kind: .identity, isWord: false, foldsToASCIILetter: false, length: 0, offset: 0))
                continue
            }
            let (entry, bytes) = Self.compute(scalar)
            var stored = entry
            if entry.kind == .replaced {
                stored.offset = UInt32(replacements.count)
                replacements += bytes
            }
            entries.append(stored)
        }
        self.entries = entries
        self.replacements = replacements
    }

    /// The table's entry for `value`, or nil outside the precomputed ranges.
    @inline(__always)
    func entry(_ value: UInt32) -> Entry? {
        if value < 0x800 { return entries[Int(value) &- 0x80] }
        let offset = value &- Self.punctuationBase
        if offset < UInt32(Self.punctuationCount) { return entries[Self.lowCount &+ Int(offset)] }
        return nil
    }

    /// The folding of any non-ASCII scalar, and its folded bytes when they are not its own.
    static func compute(_ scalar: Unicode.Scalar) -> (Entry, [UInt8]) {
        let isWord = Folding.isWordCharacter(scalar)
        let ownLength = UInt8(UTF8.width(scalar))
        switch Folding.fold(scalar) {
        case .separator: return (Entry(kind: .separator, isWord: isWord, foldsToASCIILetter: false, length: 1, offset: 0), [])
        case .dropped: return (Entry(kind: .dropped, isWord: isWord, foldsToASCIILetter: false, length: 0, offset: 0), [])
        case .identity: return (Entry(kind: .identity, isWord: isWord, foldsToASCIILetter: false, length: ownLength, offset: 0), [])
        case .bytes(let bytes, _):
            let letter = bytes.contains { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            return (Entry(kind: .replaced, isWord: isWord, foldsToASCIILetter: letter, length: UInt8(clamping: bytes.count), offset: 0), bytes)
        }
    }

    /// The entry for any non-ASCII scalar (computed on the spot outside the table).
    @inline(__always)
    func summary(_ scalar: Unicode.Scalar) -> Entry {
        entry(scalar.value) ?? Self.compute(scalar).0
    }
}
