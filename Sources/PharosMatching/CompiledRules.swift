import PharosCore

/// Rules compiled against a vocabulary: every spelling of every entity and phrase the rules
/// mention goes into one ``Automaton``; one pass over an item finds all of them, then each
/// rule is evaluated over the hits.
public struct CompiledRules: RuleEvaluator {
    /// What a hit stands for: an entity of the vocabulary, or a literal phrase.
    struct Atom: Sendable {
        var kind: Kind
        var id: String
        var label: String
    }

    enum Kind: Int, Sendable { case target, designation, company, keyword }

    /// A clause with its terms replaced by atom indices.
    struct CompiledClause: Sendable {
        var fields: [Set<Int>]
        var exclude: Set<Int>
        var within: Scope?
        var all: [CompiledClause]
        var any: [CompiledClause]
        var not: [CompiledClause]
    }

    public let rules: [Rule]
    /// Whether any clause asks for a sentence or paragraph: only then is every field split up front.
    let needsSegments: Bool
    let atoms: [Atom]
    let compiled: [CompiledClause]
    let automaton: Automaton
    /// For each pattern, the atoms it spells.
    let patternAtoms: [[Int]]

    /// Compiles `rules`; unknown target and designation names are reported with their
    /// position (companies and keywords not in the vocabulary match literally).
    public init(rules: [Rule], vocabulary: Vocabulary) throws(ConfigErrors) {
        var atoms: [Atom] = []
        var atomIndex: [String: Int] = [:]
        var spellings: [[String]] = []
        var diagnostics: [ConfigDiagnostic] = []

        func atom(for entry: VocabularyEntry, kind: Kind) -> Int {
            let key = "\(kind.rawValue)|entity|\(entry.id)"
            if let index = atomIndex[key] { return index }
            atoms.append(Atom(kind: kind, id: entry.id, label: entry.label))
            spellings.append(entry.phrases)
            atomIndex[key] = atoms.count - 1
            return atoms.count - 1
        }
        func literal(_ term: String, kind: Kind) -> Int {
            let key = "\(kind.rawValue)|literal|\(Folding.key(term))"
            if let index = atomIndex[key] { return index }
            atoms.append(Atom(kind: kind, id: term, label: term))
            spellings.append([term])
            atomIndex[key] = atoms.count - 1
            return atoms.count - 1
        }
        func resolve(_ terms: [String], field: String, kind: Kind, clause: Clause) -> [Int] {
            terms.flatMap { term -> [Int] in
                switch kind {
                case .keyword:
                    return [literal(term, kind: .keyword)]
                case .company:
                    return [vocabulary.resolve(term, kind: .company).map { atom(for: $0, kind: .company) } ?? literal(term, kind: .company)]
                case .target, .designation:
                    let entityKind: EntityKind = kind == .target ? .target : .designation
                    if kind == .designation, term.lowercased() == "any" {
                        return vocabulary.entries(of: .designation).map { atom(for: $0, kind: .designation) }
                    }
                    if let entry = vocabulary.resolve(term, kind: entityKind) { return [atom(for: entry, kind: kind)] }
                    var message = "unknown \(entityKind.rawValue) '\(term)'"
                    if let exclusion = vocabulary.exclusions(of: term).first {
                        message += ": it is left out of \(exclusion.entry.id) because \(exclusion.reason)"
                    } else if let suggestion = vocabulary.suggestion(for: term, kind: entityKind) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    message += " (add it to a \(entityKind.plural) vocabulary, or match the phrase with keywords:)"
                    let location = clause.locations["\(field):\(term)"] ?? SourceLocation(file: "rules", line: 1, column: 1)
                    diagnostics.append(ConfigDiagnostic(message, at: location))
                    return []
                }
            }
        }
        func compile(_ clause: Clause) -> CompiledClause {
            CompiledClause(
                fields: [
                    resolve(clause.targets, field: "targets", kind: .target, clause: clause),
                    resolve(clause.designations, field: "designations", kind: .designation, clause: clause),
                    resolve(clause.companies, field: "companies", kind: .company, clause: clause),
                    resolve(clause.keywords, field: "keywords", kind: .keyword, clause: clause),
                ].filter { !$0.isEmpty }.map(Set.init),
                exclude: Set(resolve(clause.exclude, field: "exclude", kind: .keyword, clause: clause)),
                within: clause.within, all: clause.all.map(compile), any: clause.any.map(compile), not: clause.not.map(compile))
        }
        let compiled = rules.map { compile($0.clause) }
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }

        // One pattern per distinct (folded, exact, case rule); each knows every atom it spells.
        var patterns: [Automaton.Pattern] = []
        var patternIndex: [String: Int] = [:]
        var patternAtoms: [[Int]] = []
        for (atomNumber, words) in spellings.enumerated() {
            for word in words {
                let (folded, exact, caseSensitive) = Folding.pattern(word)
                guard !folded.isEmpty else { continue }
                let key = String(decoding: caseSensitive ? exact : folded, as: UTF8.self) + (caseSensitive ? "|cs" : "|ci")
                if let existing = patternIndex[key] {
                    if !patternAtoms[existing].contains(atomNumber) { patternAtoms[existing].append(atomNumber) }
                    continue
                }
                let first = String(decoding: folded.prefix(4), as: UTF8.self).unicodeScalars.first
                let last = String(decoding: folded.suffix(4), as: UTF8.self).unicodeScalars.last
                patterns.append(Automaton.Pattern(
                    folded: folded, exact: exact, caseSensitive: caseSensitive,
                    boundaryBefore: first.map(Folding.isWordCharacter) ?? false,
                    boundaryAfter: last.map(Folding.isWordCharacter) ?? false))
                patternIndex[key] = patterns.count - 1
                patternAtoms.append([atomNumber])
            }
        }
        self.rules = rules
        func scoped(_ clause: Clause) -> Bool {
            (clause.within.map { $0 != .document } ?? false) || (clause.all + clause.any + clause.not).contains(where: scoped)
        }
        needsSegments = rules.contains { scoped($0.clause) }
        self.atoms = atoms
        self.compiled = compiled
        self.patternAtoms = patternAtoms
        automaton = Automaton(patterns: patterns)
    }

    /// Size of the compiled matcher, for reports.
    public var statistics: (patterns: Int, states: Int, bytes: Int) {
        (automaton.patterns.count, automaton.stateCount, automaton.memoryBytes)
    }

    /// One occurrence of an atom.
    struct Hit {
        var atom: Int
        var field: Int
        /// UTF-8 byte offsets into the field.
        var start: Int
        var end: Int
        var sentence = -1
        var paragraph = -1
    }

    public func evaluate(_ document: MatchDocument) -> [RuleMatch] {
        var texts = document.fields.map(\.text)
        var hits: [Hit] = []
        var raw: [Automaton.Hit] = []
        for index in texts.indices {
            raw.removeAll(keepingCapacity: true)
            texts[index].withUTF8 { automaton.scan($0, into: &raw) }
            for hit in raw {
                for atom in patternAtoms[Int(hit.pattern)] {
                    hits.append(Hit(atom: atom, field: index, start: hit.start, end: hit.end))
                }
            }
        }
        guard !hits.isEmpty else { return [] }
        hits = Self.longestPerAtom(hits)
        var segments: [Int: (sentences: [Range<Int>], paragraphs: [Range<Int>])] = [:]
        var asciiFields: [Int: Bool] = [:]
        for field in Set(hits.map(\.field)) {
            if needsSegments {
                segments[field] = texts[field].withUTF8 { (TextSegments.sentences($0), TextSegments.paragraphs($0)) }
            }
            asciiFields[field] = texts[field].utf8.allSatisfy { $0 < 0x80 }
        }
        if needsSegments {
            for index in hits.indices {
                let parts = segments[hits[index].field]!
                hits[index].sentence = Self.position(of: hits[index].start, in: parts.sentences)
                hits[index].paragraph = Self.position(of: hits[index].start, in: parts.paragraphs)
            }
        }
        var results: [RuleMatch] = []
        var evidence = EvidenceFinder(segments: segments, asciiFields: asciiFields)
        for (rule, clause) in zip(rules, compiled) {
            guard let used = evaluate(clause, hits: hits, allHits: hits) else { continue }
            results.append(makeMatch(rule: rule.name, used: used, document: document, texts: &texts, evidence: &evidence))
        }
        return results
    }

    /// Where one spelling of an atom contains another at the same place ("Orphan Drug
    /// Designation" and "Orphan Drug"), only the longer one is kept.
    private static func longestPerAtom(_ hits: [Hit]) -> [Hit] {
        let sorted = hits.sorted { ($0.field, $0.atom, $0.start, $1.end) < ($1.field, $1.atom, $1.start, $0.end) }
        var kept: [Hit] = []
        for hit in sorted {
            if let last = kept.last, last.field == hit.field, last.atom == hit.atom, hit.start < last.end { continue }
            kept.append(hit)
        }
        return kept
    }

    private static func position(of offset: Int, in ranges: [Range<Int>]) -> Int {
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound <= offset {
                low = middle + 1
            } else if ranges[middle].lowerBound > offset {
                high = middle - 1
            } else {
                return middle
            }
        }
        return -1
    }

    /// The hits that satisfy `clause`, or nil when it does not hold.
    private func evaluate(_ clause: CompiledClause, hits: [Hit], allHits: [Hit]) -> [Hit]? {
        guard let scope = clause.within, scope != .document else {
            return evaluateFlat(clause, hits: hits, allHits: allHits)
        }
        var groups: [Int: [Hit]] = [:]
        for hit in hits {
            let unit = scope == .sentence ? hit.sentence : hit.paragraph
            groups[hit.field << 32 | (unit & 0xFFFF_FFFF), default: []].append(hit)
        }
        var used: [Hit] = []
        var satisfied = false
        for key in groups.keys.sorted() {
            if let result = evaluateFlat(clause, hits: groups[key]!, allHits: allHits) {
                satisfied = true
                used += result
            }
        }
        return satisfied ? used : nil
    }

    private func evaluateFlat(_ clause: CompiledClause, hits: [Hit], allHits: [Hit]) -> [Hit]? {
        if !clause.exclude.isEmpty, allHits.contains(where: { clause.exclude.contains($0.atom) }) { return nil }
        var used: [Hit] = []
        for field in clause.fields {
            let found = hits.filter { field.contains($0.atom) }
            if found.isEmpty { return nil }
            used += found
        }
        for sub in clause.all {
            guard let result = evaluate(sub, hits: hits, allHits: allHits) else { return nil }
            used += result
        }
        if !clause.any.isEmpty {
            var satisfied = false
            for sub in clause.any {
                if let result = evaluate(sub, hits: hits, allHits: allHits) {
                    satisfied = true
                    used += result
                }
            }
            if !satisfied { return nil }
        }
        for negated in clause.not where evaluate(negated, hits: hits, allHits: allHits) != nil { return nil }
        return used
    }

    /// Sentences and scalar offsets found for one document, shared by every rule that matched it.
    struct EvidenceFinder {
        let segments: [Int: (sentences: [Range<Int>], paragraphs: [Range<Int>])]
        let asciiFields: [Int: Bool]
        var sentencesFound: [Int: [Range<Int>]] = [:]
        /// Per non-ASCII field: the number of scalars before each 256-byte block.
        var scalarBlocks: [Int: [Int]] = [:]

        init(segments: [Int: (sentences: [Range<Int>], paragraphs: [Range<Int>])], asciiFields: [Int: Bool]) {
            self.segments = segments
            self.asciiFields = asciiFields
        }

        mutating func sentence(of hit: Hit, in text: UnsafeBufferPointer<UInt8>) -> Range<Int> {
            if hit.sentence >= 0, let known = segments[hit.field]?.sentences[hit.sentence] { return known }
            if let known = sentencesFound[hit.field]?.first(where: { $0.contains(hit.start) }) { return known }
            let found = TextSegments.sentence(around: hit.start, in: text)
            sentencesFound[hit.field, default: []].append(found)
            return found
        }

        /// Offset in Unicode scalars of byte `offset`: evidence offsets are in scalars.
        mutating func scalarOffset(_ offset: Int, field: Int, in text: UnsafeBufferPointer<UInt8>) -> Int {
            if asciiFields[field] ?? false { return offset }
            let blocks = scalarBlocks[field] ?? {
                var counts = [0]
                var total = 0
                for start in stride(from: 0, to: text.count, by: 256) {
                    total += TextSegments.scalarOffset(UnsafeBufferPointer(rebasing: text[start..<min(start + 256, text.count)]), min(256, text.count - start))
                    counts.append(total)
                }
                scalarBlocks[field] = counts
                return counts
            }()
            let block = offset / 256
            return blocks[block] + TextSegments.scalarOffset(UnsafeBufferPointer(rebasing: text[(block * 256)...]), offset - block * 256)
        }
    }

    private func makeMatch(
        rule: String, used: [Hit], document: MatchDocument, texts: inout [String], evidence finder: inout EvidenceFinder
    ) -> RuleMatch {
        var matches = Matches()
        var spellings: [Int: [[UInt8]]] = [:]
        var evidence: [Evidence] = []
        var seenSentences: Set<Int> = []
        struct HitKey: Hashable {
            var atom: Int
            var field: Int
            var start: Int
        }
        var seenHits: Set<HitKey> = []
        for hit in used.sorted(by: { ($0.field, $0.start) < ($1.field, $1.start) }) {
            // A hit can satisfy several parts of a clause; report it once.
            guard seenHits.insert(HitKey(atom: hit.atom, field: hit.field, start: hit.start)).inserted else { continue }
            let atom = atoms[hit.atom]
            texts[hit.field].withUTF8 { text in
                // Strings only for spellings not reported yet: a term repeated a hundred times costs one.
                let bytes = UnsafeBufferPointer(rebasing: text[hit.start..<hit.end])
                let known = spellings[hit.atom, default: []].contains { $0.elementsEqual(bytes) }
                if !known {
                    spellings[hit.atom, default: []].append(Array(bytes))
                    let entity = EntityMatch(id: atom.id, label: atom.label, text: String(decoding: bytes, as: UTF8.self))
                    switch atom.kind {
                    case .target: matches.targets.append(entity)
                    case .designation: matches.designations.append(entity)
                    case .company: matches.companies.append(entity)
                    case .keyword: matches.keywords.append(entity)
                    }
                }
                guard evidence.count < 5 else { return }
                // Without sentence scopes nothing split the text up front: find just this sentence.
                let range = finder.sentence(of: hit, in: text)
                guard seenSentences.insert(hit.field << 40 | range.lowerBound).inserted else { return }
                // Line breaks become spaces one for one, so the offsets still fit the text.
                let sentence = String(decoding: text[range].map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
                let start = finder.scalarOffset(range.lowerBound, field: hit.field, in: text)
                let end = finder.scalarOffset(range.upperBound, field: hit.field, in: text)
                evidence.append(Evidence(field: document.fields[hit.field].name, text: sentence, start: start, end: end))
            }
        }
        return RuleMatch(rule: rule, matches: matches, evidence: evidence)
    }
}
