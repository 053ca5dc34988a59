import PharosCore

/// What a rewrite keeps of its story when it changes the words (README, Stories): the names
/// it gives (companies, products, codes, people, trials), the figures it quotes (amounts,
/// percentages, decimals) and, for a results report, the period it reports on. Compared
/// between two items, they tell a retold story from the same company's other news.
public struct StoryMarks: Sendable, Equatable {
    /// Hashes of the names in the text, in text order, each once (at most ``maximumNames``).
    public var names: [UInt32]
    /// Hashes of the names of the title and the text's opening: who the news is about.
    public var leadNames: [UInt32]
    /// Hashes of the figures quoted, in text order, each once (at most ``maximumFigures``).
    public var figures: [UInt32]
    /// A results report's period, `2023q3` (a full year is its fourth quarter: they are
    /// reported together); nil for other news.
    public var period: String?

    public static let maximumNames = 96
    public static let maximumLeadNames = 16
    public static let maximumFigures = 32
    /// How much of the text, after the title, the lead names are taken from (characters).
    public static let leadCharacters = 300

    public static let none = StoryMarks(names: [], leadNames: [], figures: [], period: nil)

    public init(names: [UInt32], leadNames: [UInt32], figures: [UInt32], period: String?) {
        self.names = names
        self.leadNames = leadNames
        self.figures = figures
        self.period = period
    }

    /// The marks of an item with this title and body (its other fields, joined by line breaks);
    /// words in `ordinary` (``ordinaryWords(in:)``) are no names.
    public init(title: String, body: String, ordinary: Set<String> = []) {
        names = Array(Self.names(in: title + "\n" + body, ordinary: ordinary).prefix(Self.maximumNames))
        let opening = String(String.UnicodeScalarView(body.unicodeScalars.prefix(Self.leadCharacters)))
        // The title's first word is named too: a headline starts with who the news is about.
        var lead = Self.names(in: "\n" + opening, ordinary: ordinary)
        for name in Self.names(in: "x " + title, ordinary: ordinary) where !lead.contains(name) { lead.append(name) }
        leadNames = Array(lead.prefix(Self.maximumLeadNames))
        figures = Array(Self.figures(in: title + "\n" + body).prefix(Self.maximumFigures))
        period = Self.period(title: title, body: body)
    }

    /// How many names the two share.
    public func sharedNames(with other: StoryMarks) -> Int { Self.shared(names, other.names) }
    /// How many lead names the two share.
    public func sharedLeadNames(with other: StoryMarks) -> Int { Self.shared(leadNames, other.leadNames) }
    /// How many figures the two share.
    public func sharedFigures(with other: StoryMarks) -> Int { Self.shared(figures, other.figures) }

    static func shared(_ one: [UInt32], _ other: [UInt32]) -> Int {
        guard !one.isEmpty, !other.isEmpty else { return 0 }
        let set = Set(other)
        return one.reduce(0) { $0 + (set.contains($1) ? 1 : 0) }
    }

    // MARK: - Names

    /// Capitalised words that do not open a sentence and are no common word of news (the
    /// list below), words of letters and digits (product codes: GLSI-100, CB5339), folded
    /// to lower case without dashes.
    static func names(in text: String, ordinary: Set<String>) -> [UInt32] {
        let bytes = Array(text.utf8)
        var found: [UInt32] = []
        var index = 0
        while index < bytes.count {
            guard isAlphanumeric(bytes[index]), index == 0 || !isAlphanumeric(bytes[index - 1]) else { index += 1; continue }
            let start = index
            var end = index
            // Runs of letters and digits joined by single dashes: "ELEVATE-TN", "BCX-9250".
            while true {
                while end < bytes.count, isAlphanumeric(bytes[end]) { end += 1 }
                if end + 1 < bytes.count, bytes[end] == 0x2D, isAlphanumeric(bytes[end + 1]) { end += 1 } else { break }
            }
            index = end
            let word = bytes[start..<end]
            let letters = word.filter(isLetter).count
            let digits = word.filter { $0 >= 0x30 && $0 <= 0x39 }.count
            let key = String(decoding: word.filter { $0 != 0x2D }.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            if letters > 0, digits > 0 {
                if letters >= 2, !ordinary.contains(key) { append(hash(key), to: &found) }
                continue
            }
            let first = bytes[start]
            guard digits == 0, first >= 0x41, first <= 0x5A, word.count >= 4 else { continue }
            // A word in capitals longer than a ticker or acronym is a shouted headline's.
            if word.count > 5, !word.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) { continue }
            if opensSentence(bytes, at: start) || commonWords.contains(key) || ordinary.contains(key) { continue }
            append(hash(key), to: &found)
        }
        return found
    }

    /// The words of the vocabulary's targets, modalities and designations ("BCMA", "CD19",
    /// "CAR-T", "RMAT", "Breakthrough"), folded as names are: what many companies' news names
    /// alike, so no name of one story.
    public static func ordinaryWords(in vocabulary: Vocabulary) -> Set<String> {
        var words = Set<String>()
        for kind in [EntityKind.target, .modality, .designation] {
            for entry in vocabulary.entries(of: kind) {
                for phrase in [entry.label] + entry.phrases {
                    for word in phrase.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
                        let key = word.lowercased().filter { $0 != "-" }
                        if key.count >= 3 { words.insert(key) }
                    }
                }
            }
        }
        return words
    }

    static func append(_ value: UInt32, to list: inout [UInt32]) {
        if !list.contains(value) { list.append(value) }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || (byte >= 0x30 && byte <= 0x39) }

    /// Whether the word at `start` opens a sentence or a line (past quotes and brackets).
    static func opensSentence(_ bytes: [UInt8], at start: Int) -> Bool {
        var index = start - 1
        while index >= 0 {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x22 || byte == 0x27 || byte == 0x28 {
                index -= 1
            } else if index >= 2, bytes[index - 2] == 0xE2, bytes[index - 1] == 0x80, byte == 0x9C || byte == 0x98 {
                index -= 3  // “ ‘
            } else {
                break
            }
        }
        guard index >= 0 else { return true }
        return [0x2E, 0x21, 0x3F, 0x3A, 0x0A].contains(bytes[index])
    }

    /// FNV-1a, 32 bits.
    static func hash(_ key: String) -> UInt32 {
        var value: UInt32 = 0x811C_9DC5
        for byte in key.utf8 { value = (value ^ UInt32(byte)) &* 0x0100_0193 }
        return value
    }

    /// Words news capitalises that say nothing of whose news it is: function words that open
    /// clauses, months and days, agencies and programmes, company and results wording, wire
    /// and site furniture, titles of office, places and meetings, and the verbs of headlines
    /// (a Title Case headline capitalises every word).
    static let commonWords: Set<String> = Set("""
        the and for with from that this its their our his her has have had was were will would could should \
        may might can are is be been being not but also into over than then there these those they them which who whom whose \
        what when where while about after again against all any because before below between both during each few more most \
        other some such only own same so too very just now new today announced announces announce said says reported reports \
        report company companies inc ltd corp corporation plc llc \
        january february march april june july august september october november december jan feb mar apr jun jul aug sep \
        sept oct nov dec monday tuesday wednesday thursday friday saturday sunday \
        fda food drug drugs administration agency european medicines commission health regulator national medical products \
        usfda nmpa ema mhra pmda cber cder \
        designation designations designated therapy therapies breakthrough fast track orphan priority review approval approved \
        approves grant granted grants accelerated rare pediatric disease diseases status program programme treatment treatments \
        patients patient phase trial trials study studies clinical data results \
        press release source view read more comments post comment news share shares stock nasdaq nyse otcqx lse newswire \
        prnewswire globenewswire businesswire accesswire \
        chief executive officer president chairman director ceo cfo \
        pharmaceutical pharmaceuticals therapeutic therapeutics biotech bio biosciences bioscience biotherapeutics lifesciences \
        sciences pharma holdings group oncology \
        quarter first second third fourth financial business update updates corporate provides provided full year fiscal \
        earnings revenue revenues highlights \
        cancer china chinese japan united states america american society annual meeting congress international university \
        institute center centre \
        presents presented receives received gets wins secures reports launches completes initiates enters signs raises \
        expands doses publishes unveils shows achieves awarded
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    // MARK: - Figures

    /// Amounts ("$6.9 million", "€12m"), percentages ("13.5%", "7 percent") and decimals
    /// ("28.3 months"), written one way: `$6.9m`, `13.5%`, `28.3`. Plain integers (days, years,
    /// counts) are left out: every text has them.
    static func figures(in text: String) -> [UInt32] {
        var found: [UInt32] = []
        for figure in StoryMarkScanner(text).figures() { append(hash(figure), to: &found) }
        return found
    }

    // MARK: - Results periods

    /// The period of the first sentence (of the title, else the body) that names results,
    /// earnings, revenue or an interim report together with a quarter or a year.
    static func period(title: String, body: String) -> String? {
        for text in [title, body] {
            // Most items name no results: one pass over the bytes spares the sentences.
            guard mayNameResults(text) else { continue }
            let flat = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for sentence in sentences(flat) {
                let scanner = StoryMarkScanner(sentence)
                if scanner.namesResults(), let period = scanner.period() { return period }
            }
        }
        return nil
    }

    /// Whether `text` holds, in any case, the start of a results word ("result", "earning",
    /// "revenue", "interim"): a cheap test before the sentences are read.
    static func mayNameResults(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for index in bytes.indices {
                switch bytes[index] | 0x20 {
                case 0x72: if holdsFolded(bytes, index, "result") || holdsFolded(bytes, index, "revenue") { return true }
                case 0x65: if holdsFolded(bytes, index, "earning") { return true }
                case 0x69: if holdsFolded(bytes, index, "interim") { return true }
                default: continue
                }
            }
            return false
        }
    }

    static func holdsFolded(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ word: StaticString) -> Bool {
        guard index + word.utf8CodeUnitCount <= bytes.count else { return false }
        for offset in 0..<word.utf8CodeUnitCount where bytes[index + offset] | 0x20 != word.utf8Start[offset] {
            return false
        }
        return true
    }

    /// Sentences end at ". ", "! " or "? ".
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previous: Character = " "
        for character in text {
            if character == " ", previous == "." || previous == "!" || previous == "?" {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        result.append(current)
        return result
    }

    // MARK: - Storage

    /// The marks as bytes: three counts, the hashes, the period.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for list in [names, leadNames, figures] {
            out.append(UInt8(list.count))
            StoredValues.append(list, to: &out)
        }
        out.append(contentsOf: (period ?? "").utf8)
        return out
    }

    /// Reads ``bytes``; nil when they are not marks.
    public init?(bytes: [UInt8]) {
        var offset = 0
        var lists: [[UInt32]] = []
        for _ in 0..<3 {
            guard offset < bytes.count else { return nil }
            let count = Int(bytes[offset])
            offset += 1
            guard offset + count * 4 <= bytes.count else { return nil }
            lists.append(bytes.withUnsafeBytes { StoredValues.read($0, from: offset, count: count) })
            offset += count * 4
        }
        let period = String(decoding: bytes[offset...], as: UTF8.self)
        self.init(names: lists[0], leadNames: lists[1], figures: lists[2], period: period.isEmpty ? nil : period)
    }
}
