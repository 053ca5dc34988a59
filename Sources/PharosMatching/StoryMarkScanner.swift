/// Reads the figures and the results period of ``StoryMarks`` by stepping through a text's
/// Unicode scalars. It finds what these patterns, read leftmost first with the usual word
/// boundaries (`\b`: a letter, mark, digit or `_` on one side only), white space (`\s`:
/// tab, line breaks, form feed and Unicode spaces) and decimal digits (`\d`), would find:
///
/// - figures: `(US$|$|€|£)\s?\d[\d,]*(\.\d+)?(\s?(million|billion)\b)?`, then
///   `\b\d[\d,]*(\.\d+)?\s?(%|percent\b)`, then `\b\d+\.\d+\b`, tried in that order at each
///   position;
/// - a results sentence: `\b(results|earnings|revenues?|interim report)\b`;
/// - a period: an ordinal quarter ("third quarter of fiscal 2024", "fourth quarter and full
///   year 2023"), `q3 2024`, "quarter ended june 30, 2024", "full-year 2023".
///
/// A regular-expression engine would do the same, but it pages in ICU's code and tables (a
/// few megabytes of a daemon's resident memory) to read a few dozen characters per item.
struct StoryMarkScanner {
    let scalars: [Unicode.Scalar]

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    // MARK: - Characters

    func scalar(_ index: Int) -> Unicode.Scalar? { index >= 0 && index < scalars.count ? scalars[index] : nil }

    func isDigit(_ index: Int) -> Bool {
        guard let scalar = scalar(index) else { return false }
        if scalar.isASCII { return scalar.value >= 0x30 && scalar.value <= 0x39 }
        return scalar.properties.generalCategory == .decimalNumber
    }

    func isWord(_ index: Int) -> Bool {
        guard let scalar = scalar(index) else { return false }
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || ((value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A) || value == 0x5F
        }
        if scalar.value == 0x200C || scalar.value == 0x200D || scalar.properties.isAlphabetic { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    func isSpace(_ index: Int) -> Bool {
        guard let scalar = scalar(index) else { return false }
        switch scalar.value {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// The end of `literal` when the text spells it at `index`.
    func literal(_ literal: String, at index: Int) -> Int? {
        var position = index
        for expected in literal.unicodeScalars {
            guard scalar(position) == expected else { return nil }
            position += 1
        }
        return position
    }

    /// The end of the first of `literals` spelled at `index`.
    func oneOf(_ literals: [String], at index: Int) -> (end: Int, which: Int)? {
        for (which, word) in literals.enumerated() {
            if let end = literal(word, at: index) { return (end, which) }
        }
        return nil
    }

    /// Whether a word starts at `index`: `\b` before a word character.
    func startsWord(_ index: Int) -> Bool { !isWord(index - 1) }

    /// Past the digits from `index`.
    func digits(from index: Int) -> Int {
        var position = index
        while isDigit(position) { position += 1 }
        return position
    }

    /// Past `\d[\d,]*(\.\d+)?` from `index`, or nil when no digit starts there.
    func number(at index: Int) -> Int? {
        guard isDigit(index) else { return nil }
        var position = index + 1
        while isDigit(position) || scalar(position) == "," { position += 1 }
        if scalar(position) == ".", isDigit(position + 1) { position = digits(from: position + 2) }
        return position
    }

    // MARK: - Figures

    static let currencies = ["US$", "$", "€", "£"]
    static let magnitudes = ["million", "billion"]
    static let resultsWords = ["results", "earnings", "revenues", "revenue", "interim report"]

    /// The figures in text order, each as `$6.9m`, `13.5%` or `28.3` would be written.
    func figures() -> [String] {
        var found: [String] = []
        var index = 0
        while index < scalars.count {
            // Every figure starts with a digit or a currency sign: most scalars are passed at once.
            let first = scalars[index]
            guard isDigit(index) || first == "$" || first == "U" || first == "€" || first == "£" else {
                index += 1
                continue
            }
            if let end = amount(at: index) ?? percentage(at: index) ?? decimal(at: index) {
                found.append(Self.written(scalars[index..<end]))
                index = end
            } else {
                index += 1
            }
        }
        return found
    }

    func amount(at index: Int) -> Int? {
        guard let afterSign = oneOf(Self.currencies, at: index)?.end else { return nil }
        let start = isSpace(afterSign) && isDigit(afterSign + 1) ? afterSign + 1 : afterSign
        guard var end = number(at: start) else { return nil }
        let word = isSpace(end) ? end + 1 : end
        if let afterWord = oneOf(Self.magnitudes, at: word)?.end, !isWord(afterWord) { end = afterWord }
        return end
    }

    func percentage(at index: Int) -> Int? {
        guard startsWord(index), let end = number(at: index) else { return nil }
        for start in isSpace(end) ? [end + 1, end] : [end] {
            if scalar(start) == "%" { return start + 1 }
            if let afterWord = literal("percent", at: start), !isWord(afterWord) { return afterWord }
        }
        return nil
    }

    func decimal(at index: Int) -> Int? {
        guard isDigit(index), startsWord(index) else { return nil }
        let point = digits(from: index)
        guard scalar(point) == ".", isDigit(point + 1) else { return nil }
        let end = digits(from: point + 1)
        return isWord(end) ? nil : end
    }

    /// A figure written one way: lower case, without spaces, no-break spaces or thousands
    /// separators, `US$` as `$`, and `percent`, `million`, `billion` as `%`, `m`, `b`.
    static func written(_ figure: ArraySlice<Unicode.Scalar>) -> String {
        var text = String(String.UnicodeScalarView(figure)).lowercased()
        for (from, to) in [("us$", "$"), (" ", ""), ("\u{A0}", ""), (",", ""), ("percent", "%"), ("billion", "b"), ("million", "m")] {
            text = text.replacing(from, with: to)
        }
        return text
    }

    // MARK: - Results periods

    /// Whether the text names results, earnings, revenue or an interim report.
    func namesResults() -> Bool {
        for index in scalars.indices where "reis".unicodeScalars.contains(scalars[index]) && startsWord(index) {
            if let end = oneOf(Self.resultsWords, at: index)?.end, !isWord(end) {
                return true
            }
        }
        return false
    }

    /// The period the text names first, `2023q3`; the earlier pattern where two start together.
    func period() -> String? {
        let readers: [(Int) -> String?] = [ordinalQuarter, ordinalQuarterAndYear, numberedQuarter, quarterEnded, fullYear]
        for index in scalars.indices where startsWord(index) {
            for reader in readers {
                if let period = reader(index) { return period }
            }
        }
        return nil
    }

    /// `20\d\d` at `index`, as written.
    func year(at index: Int) -> String? {
        guard literal("20", at: index) != nil, isDigit(index + 2), isDigit(index + 3) else { return nil }
        return String(String.UnicodeScalarView(scalars[index..<index + 4]))
    }

    static let ordinals = ["first", "second", "third", "fourth"]

    /// The quarter of "first quarter" or "third-quarter" at `index`, and where the words end.
    func ordinalQuarterHead(at index: Int) -> (quarter: Int, end: Int)? {
        guard let (afterOrdinal, which) = oneOf(Self.ordinals, at: index),
              scalar(afterOrdinal) == " " || scalar(afterOrdinal) == "-",
              let end = literal("quarter", at: afterOrdinal + 1) else { return nil }
        return (which + 1, end)
    }

    /// "third quarter 2024", "third quarter of 2024", "third quarter of fiscal 2024", "third quarter fiscal 2024".
    func ordinalQuarter(at index: Int) -> String? {
        guard let head = ordinalQuarterHead(at: index) else { return nil }
        for joint in [" of", " of fiscal", " fiscal", ""] {
            if let afterJoint = literal(joint + " ", at: head.end), let year = year(at: afterJoint) { return "\(year)q\(head.quarter)" }
        }
        return nil
    }

    /// "fourth quarter and full year 2023", "fourth quarter and fiscal-year 2023".
    func ordinalQuarterAndYear(at index: Int) -> String? {
        guard let head = ordinalQuarterHead(at: index), let afterSpace = literal(" ", at: head.end) else { return nil }
        if let afterAnd = literal("and ", at: afterSpace), let afterWhich = oneOf(["full", "fiscal"], at: afterAnd)?.end,
           scalar(afterWhich) == " " || scalar(afterWhich) == "-", let afterYear = literal("year ", at: afterWhich + 1),
           let year = year(at: afterYear) {
            return "\(year)q\(head.quarter)"
        }
        return year(at: afterSpace).map { "\($0)q\(head.quarter)" }
    }

    /// "q3 2024".
    func numberedQuarter(at index: Int) -> String? {
        guard scalar(index) == "q", let digit = scalar(index + 1), ("1"..."4").contains(digit), scalar(index + 2) == " ",
              let year = year(at: index + 3) else { return nil }
        return "\(year)q\(digit)"
    }

    static let quarterEndMonths = ["march", "june", "september", "december"]

    /// "quarter ended june 30, 2024", "three months ended september 30 2024".
    func quarterEnded(at index: Int) -> String? {
        guard let afterWhat = oneOf(["quarter", "three months"], at: index)?.end,
              let afterEnded = literal(" ended ", at: afterWhat),
              let (afterMonth, month) = oneOf(Self.quarterEndMonths, at: afterEnded),
              let afterThree = literal(" 3", at: afterMonth), scalar(afterThree) == "0" || scalar(afterThree) == "1" else { return nil }
        var position = afterThree + 1
        if scalar(position) == "," { position += 1 }
        guard scalar(position) == " ", let year = year(at: position + 1) else { return nil }
        return "\(year)q\(month + 1)"
    }

    /// "full-year 2023", "fiscal year 2023", "year ended december 31, 2023": a year's fourth quarter.
    func fullYear(at index: Int) -> String? {
        var end: Int?
        if let afterFull = literal("full", at: index), scalar(afterFull) == "-" || scalar(afterFull) == " " {
            end = literal("year", at: afterFull + 1)
        }
        if end == nil { end = literal("fiscal year", at: index) }
        if end == nil, let afterDate = literal("year ended december 31", at: index) {
            end = scalar(afterDate) == "," && literal(" ", at: afterDate + 1) != nil && year(at: afterDate + 2) != nil ? afterDate + 1 : afterDate
        }
        guard let end, scalar(end) == " ", let year = year(at: end + 1) else { return nil }
        return "\(year)q4"
    }
}
