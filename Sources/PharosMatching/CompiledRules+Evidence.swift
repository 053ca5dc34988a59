import PharosCore

extension CompiledRules {
    /// What one document's matches share: its text, its hits, the spellings seen, and the
    /// sentences found so far.
    struct DocumentContext {
        let texts: [UnsafeBufferPointer<UInt8>]
        let isASCII: [Bool]
        let hits: [Hit]
        /// Per hit: the first hit of the same atom written the same way.
        var firstSpelling: [Int32] = []
        /// Per field: paragraphs split so far, with their sentences.
        var paragraphs: [[(range: Range<Int>, sentences: [Range<Int>])]]
        /// The paragraph the last question was about: hits come in document order.
        private var lastParagraph: (field: Int, index: Int)?
        /// Per field: sentences found for evidence without splitting their paragraph.
        private var sentencesFound: [[Range<Int>]]
        /// Per hit, once a scoped clause asked: the start of its sentence and of its paragraph.
        var units: [(sentence: Int, paragraph: Int)] = []
        /// Per field: where its non-ASCII characters are.
        let marks: [ScalarMarks]
        /// Evidence made so far, by field and sentence start: rules whose hits share a sentence
        /// share its text.
        var evidenceMade: [(field: Int32, start: Int, evidence: Evidence)] = []

        init(texts: [UnsafeBufferPointer<UInt8>], isASCII: [Bool], marks: [ScalarMarks], hits: [Hit]) {
            self.texts = texts
            self.isASCII = isASCII
            self.marks = marks
            self.hits = hits
            paragraphs = Array(repeating: [], count: texts.count)
            sentencesFound = Array(repeating: [], count: texts.count)
        }

        /// The sentence and paragraph around byte `offset` of `field`.
        mutating func segments(around offset: Int, field: Int) -> (sentence: Range<Int>, paragraph: Range<Int>) {
            let found: Int
            if let last = lastParagraph, last.field == field, paragraphs[field][last.index].range.contains(offset) {
                found = last.index
            } else if let known = paragraphs[field].firstIndex(where: { $0.range.contains(offset) }) {
                found = known
            } else {
                let paragraph = TextSegments.paragraph(around: offset, in: texts[field])
                paragraphs[field].append((paragraph, TextSegments.sentences(texts[field], in: paragraph)))
                found = paragraphs[field].count - 1
            }
            lastParagraph = (field, found)
            let (paragraph, sentences) = paragraphs[field][found]
            return (sentences.first { $0.contains(offset) } ?? paragraph, paragraph)
        }

        /// The sentence around byte `offset` of `field`, for evidence: read locally unless the
        /// paragraph was split already.
        mutating func sentence(around offset: Int, field: Int) -> Range<Int> {
            if let known = sentencesFound[field].last(where: { $0.contains(offset) }) { return known }
            if paragraphs[field].contains(where: { $0.range.contains(offset) }) {
                return segments(around: offset, field: field).sentence
            }
            let found = TextSegments.sentence(near: offset, in: texts[field]) ?? segments(around: offset, field: field).sentence
            sentencesFound[field].append(found)
            return found
        }

        /// The sentence or paragraph of hit `index`, as the offset where it starts.
        mutating func unit(of index: Int, scope: Scope) -> Int {
            if units.isEmpty {
                units = hits.map { hit in
                    let found = segments(around: Int(hit.start), field: Int(hit.field))
                    return (found.sentence.lowerBound, found.paragraph.lowerBound)
                }
            }
            return scope == .sentence ? units[index].sentence : units[index].paragraph
        }

        /// Fills `firstSpelling`: hits of one atom written alike share the index of the first.
        mutating func findSpellings() {
            var capacity = 16
            while capacity < hits.count * 2 { capacity *= 2 }
            var table = [Int32](repeating: -1, count: capacity)
            firstSpelling = [Int32](repeating: 0, count: hits.count)
            for (index, hit) in hits.enumerated() {
                let text = texts[Int(hit.field)]
                var hash = UInt64(UInt32(bitPattern: hit.atom)) &* 0x9E37_79B9_7F4A_7C15 ^ 0xCBF2_9CE4_8422_2325
                var offset = Int(hit.start)
                let end = Int(hit.end)
                // Eight bytes at a time, then the rest one by one.
                while offset + 8 <= end {
                    let word = UnsafeRawPointer(text.baseAddress! + offset).loadUnaligned(as: UInt64.self)
                    hash = (hash ^ word) &* 0x0000_0100_0000_01B3
                    hash ^= hash >> 29
                    offset += 8
                }
                while offset < end {
                    hash = (hash ^ UInt64(text[offset])) &* 0x0000_0100_0000_01B3
                    offset += 1
                }
                var slot = Int(truncatingIfNeeded: hash ^ hash >> 29) & (capacity - 1)
                while true {
                    let other = table[slot]
                    if other < 0 {
                        table[slot] = Int32(index)
                        firstSpelling[index] = Int32(index)
                        break
                    }
                    if isSameSpelling(hit, hits[Int(other)]) {
                        firstSpelling[index] = other
                        break
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
            }
        }

        private func isSameSpelling(_ one: Hit, _ other: Hit) -> Bool {
            guard one.atom == other.atom, one.end - one.start == other.end - other.start else { return false }
            return CompiledRules.sameBytes(
                texts[Int(one.field)].baseAddress.map { $0 + Int(one.start) }, texts[Int(other.field)].baseAddress.map { $0 + Int(other.start) },
                count: Int(one.end - one.start))
        }

        /// Offset in Unicode scalars of byte `offset`: evidence offsets are in scalars.
        func scalarOffset(_ offset: Int, field: Int) -> Int {
            isASCII[field] ? offset : marks[field].scalarOffset(offset)
        }
    }

    /// Whether `written` is byte for byte the UTF-8 of `spelling`.
    private static func isSpelled(_ spelling: String, as written: UnsafeBufferPointer<UInt8>) -> Bool {
        var spelling = spelling
        return spelling.withUTF8 { bytes in
            bytes.count == written.count && sameBytes(bytes.baseAddress, written.baseAddress, count: bytes.count)
        }
    }

    /// Whether `count` bytes at `one` and at `other` are equal, eight at a time.
    @inline(__always)
    static func sameBytes(_ one: UnsafePointer<UInt8>?, _ other: UnsafePointer<UInt8>?, count: Int) -> Bool {
        guard count > 0, let one, let other else { return true }
        var offset = 0
        while offset + 8 <= count {
            if UnsafeRawPointer(one + offset).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(other + offset).loadUnaligned(as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < count {
            if one[offset] != other[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Whether `bytes` hold a line feed or a carriage return, eight bytes at a time.
    private static func holdsLineBreak(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if TextSegments.holds(word, 0x0A) || TextSegments.holds(word, 0x0D) { return true }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] == 0x0A || bytes[index] == 0x0D { return true }
            index += 1
        }
        return false
    }

    /// Evidence text: the bytes, with line breaks made spaces one for one so the offsets still
    /// fit the text (and no copy to make when there is none).
    static func oneLine(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard holdsLineBreak(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte == 0x0A || byte == 0x0D ? 0x20 : byte }
            return bytes.count
        }
    }

    /// At most this many evidence sentences per match.
    static let evidenceLimit = 5

    func makeMatch(
        rule: String, used: [Int], documentWide: Bool, document: MatchDocument, context: inout DocumentContext
    ) -> RuleMatch {
        var matches = Matches()
        var evidence: [Evidence] = []
        evidence.reserveCapacity(Self.evidenceLimit)
        var seenSentences: [(field: Int32, start: Int)] = []
        seenSentences.reserveCapacity(Self.evidenceLimit)
        // A document-wide match uses every hit of its atoms, so the first hit of a spelling in
        // the document is its first in the match; other matches keep their own account.
        var reported: Set<Int32> = []
        if documentWide {
            // Each list sized once: a match of a thousand-term rule can name dozens of spellings.
            var counts = (target: 0, designation: 0, company: 0, keyword: 0)
            for index in used where context.firstSpelling[index] == Int32(index) {
                switch atomKinds[Int(context.hits[index].atom)] {
                case .entity(.target): counts.target += 1
                case .entity(.designation): counts.designation += 1
                case .entity(.company): counts.company += 1
                case .keyword: counts.keyword += 1
                case .entity(.product), .entity(.modality): break
                }
            }
            matches.targets.reserveCapacity(counts.target)
            matches.designations.reserveCapacity(counts.designation)
            matches.companies.reserveCapacity(counts.company)
            matches.keywords.reserveCapacity(counts.keyword)
        }
        for index in used {
            let hit = context.hits[index]
            let first = context.firstSpelling[index]
            let isNew = documentWide ? first == Int32(index) : reported.insert(first).inserted
            if isNew {
                let atom = atoms[Int(hit.atom)]
                let written = UnsafeBufferPointer(rebasing: context.texts[Int(hit.field)][Int(hit.start)..<Int(hit.end)])
                // Written as the rule or vocabulary spells it (the usual case): the same string, not a copy.
                // A short text is a small string, made without allocating; a longer one written as
                // the rule or vocabulary spells it (the usual case) is the same string, not a copy.
                let text = written.count > 15 && Self.isSpelled(atom.id, as: written)
                    ? atom.id : String(decoding: written, as: UTF8.self)
                let entity = EntityMatch(id: atom.id, label: atom.label, text: text)
                switch atom.kind {
                case .entity(let kind):
                    if hasVia, let via = atomVia[Int(hit.atom)] { matches.via["\(kind.rawValue):\(atom.id)"] = via }
                    matches[kind].append(entity)
                case .keyword: matches.keywords.append(entity)
                }
            }
            guard evidence.count < Self.evidenceLimit else { continue }
            let field = Int(hit.field)
            let range = context.sentence(around: Int(hit.start), field: field)
            guard !seenSentences.contains(where: { $0.field == hit.field && $0.start == range.lowerBound }) else { continue }
            seenSentences.append((hit.field, range.lowerBound))
            if let made = context.evidenceMade.first(where: { $0.field == hit.field && $0.start == range.lowerBound }) {
                evidence.append(made.evidence)
                continue
            }
            let sentence = Self.oneLine(UnsafeBufferPointer(rebasing: context.texts[field][range]))
            let start = context.scalarOffset(range.lowerBound, field: field)
            let end = context.scalarOffset(range.upperBound, field: field)
            let made = Evidence(field: document.fields[field].name, text: sentence, start: start, end: end)
            context.evidenceMade.append((hit.field, range.lowerBound, made))
            evidence.append(made)
        }
        return RuleMatch(rule: rule, matches: matches, evidence: evidence)
    }
}
