/// Text prepared for matching, with a map back to the original characters.
///
/// Dashes and whitespace runs become one space (so `PD-L1`, `PD L1` and `PD‑L1` are one
/// spelling), ® and ™ disappear, and a case-folded copy sits beside the exact one.
struct NormalizedText {
    /// Separators unified, marks removed, case kept.
    var exact: [Unicode.Scalar] = []
    /// `exact`, lower-cased scalar by scalar.
    var folded: [Unicode.Scalar] = []
    /// For each scalar of `exact`, its index in the original text.
    var origin: [Int] = []

    static let separator: Unicode.Scalar = " "

    init(_ text: String) {
        var pendingSeparator = false
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if Self.isDropped(scalar) { continue }
            if Self.isSeparator(scalar) {
                pendingSeparator = !exact.isEmpty
                continue
            }
            if pendingSeparator {
                exact.append(Self.separator)
                folded.append(Self.separator)
                origin.append(index - 1)
                pendingSeparator = false
            }
            exact.append(scalar)
            folded.append(Self.fold(scalar))
            origin.append(index)
        }
    }

    static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AE, 0x2122, 0x2120, 0x00AD, 0x200B, 0x200C, 0x200D, 0xFEFF: true  // ® ™ ℠, soft hyphen, zero widths
        default: false
        }
    }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: true  // hyphen-minus, dashes, minus
        default: scalar.properties.isWhitespace
        }
    }

    static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            return (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }
        return scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}

/// Sentence and paragraph boundaries, as ranges of Unicode-scalar offsets.
enum TextSegments {
    private static let abbreviations: Set<String> = [
        "u.s", "u.k", "e.u", "dr", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "corp", "llc", "plc",
        "e.g", "i.e", "etc", "vs", "no", "jr", "sr", "st", "jan", "feb", "mar", "apr", "jun", "jul",
        "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "al", "ph.d", "m.d", "n.v", "s.a",
        "ag", "gmbh", "a.g", "b.v",
    ]

    /// Paragraphs: runs of text separated by blank lines.
    static func paragraphs(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\n" {
                var next = index + 1
                while next < scalars.count, scalars[next] == " " || scalars[next] == "\t" || scalars[next] == "\r" { next += 1 }
                if next < scalars.count, scalars[next] == "\n" {
                    ranges.append(start..<index)
                    while next < scalars.count, scalars[next].properties.isWhitespace { next += 1 }
                    start = next
                    index = next
                    continue
                }
            }
            index += 1
        }
        ranges.append(start..<scalars.count)
        return ranges.filter { !$0.isEmpty }
    }

    /// Sentences: split after `.`, `!` or `?` (and closing quotes) followed by a space and a
    /// capital, digit or quote, except after abbreviations (U.S., Dr., Inc., e.g.) and
    /// inside numbers; blank lines always end a sentence.
    static func sentences(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for paragraph in paragraphs(scalars) {
            var start = paragraph.lowerBound
            var index = paragraph.lowerBound
            while index < paragraph.upperBound {
                let scalar = scalars[index]
                guard scalar == "." || scalar == "!" || scalar == "?" else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < paragraph.upperBound, "\"'”’)]".unicodeScalars.contains(scalars[end]) { end += 1 }
                guard end < paragraph.upperBound, scalars[end].properties.isWhitespace else {
                    index = end
                    continue
                }
                var next = end
                while next < paragraph.upperBound, scalars[next].properties.isWhitespace { next += 1 }
                guard next < paragraph.upperBound else { break }
                let following = scalars[next]
                let startsSentence = following.properties.isUppercase || following.properties.numericType != nil
                    || "\"“‘'(".unicodeScalars.contains(following)
                if startsSentence && !(scalar == "." && endsWithAbbreviation(scalars, before: index, from: start)) {
                    ranges.append(start..<end)
                    start = next
                }
                index = next
            }
            if start < paragraph.upperBound { ranges.append(start..<paragraph.upperBound) }
        }
        return ranges
    }

    private static func endsWithAbbreviation(_ scalars: [Unicode.Scalar], before dot: Int, from start: Int) -> Bool {
        var wordStart = dot
        while wordStart > start, !scalars[wordStart - 1].properties.isWhitespace, scalars[wordStart - 1] != "(" { wordStart -= 1 }
        let word = String(String.UnicodeScalarView(scalars[wordStart..<dot])).lowercased()
        if word.count == 1, word.unicodeScalars.first!.properties.isAlphabetic { return true }  // initials: "J. Smith"
        return abbreviations.contains(word)
    }
}
