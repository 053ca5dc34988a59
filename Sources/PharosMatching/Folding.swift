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
        /// Folded UTF-8 bytes, and whether they are the same bytes as the exact (unfolded) form.
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
        if !scalar.properties.changesWhenNFKCCaseFolded {
            let bytes = Array(String(scalar).utf8)
            return .bytes(bytes, exact: bytes)
        }
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
