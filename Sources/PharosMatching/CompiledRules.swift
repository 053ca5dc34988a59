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

    enum Kind: Int, Sendable { case target, designation, company, keyword, product, modality }

    /// A clause with each list of terms replaced by a slot: a slot holds when any of its atoms
    /// occurs. Slots are numbered across all rules; every slot belongs to one rule.
    struct CompiledClause: Sendable {
        var fields: [Int]
        var exclude: Int?
        var within: Scope?
        var all: [CompiledClause]
        var any: [CompiledClause]
        var not: [CompiledClause]

        /// Whether this clause or one inside it asks for a sentence or paragraph.
        var isScoped: Bool {
            (within.map { $0 != .document } ?? false) || (all + any + not).contains { $0.isScoped }
        }
    }

    public let rules: [Rule]
    let atoms: [Atom]
    let compiled: [CompiledClause]
    /// Per rule: whether no clause of it asks for a sentence or paragraph, so the atoms present
    /// in the document decide it.
    let isDocumentWide: [Bool]
    let automaton: Automaton
    let slotCount: Int
    /// The rule each slot belongs to.
    let slotRule: [Int32]
    /// The slots of atom `a` are `atomSlots[atomSlotStart[a]..<atomSlotStart[a + 1]]`.
    let atomSlotStart: [Int32]
    let atomSlots: [Int32]
    /// The atoms pattern `p` spells are `patternAtomList[patternAtomStart[p]..<patternAtomStart[p + 1]]`.
    let patternAtomStart: [Int32]
    let patternAtomList: [Int32]
    /// Per pattern that spells one atom: the atom, and its slot when it has only one
    /// (`atom | slot << 32`, `slot` -1 otherwise); `UInt64.max` for a pattern of several atoms.
    /// One load per hit where the lists above take four.
    let patternAtomSlot: [UInt64]
    /// Each atom's kind, apart from `atoms`: a tenth of the bytes to read when counting a match's entities.
    let atomKinds: [Kind]
    /// Clauses decided by regulatory events: their slot and what the events must be.
    let eventSlots: [(slot: Int, filter: EventFilter)]
    /// Per slot: whether it is decided by events, not by hits.
    let isEventSlot: [Bool]
    /// Finds the events, when a rule needs them.
    let extractor: EventExtractor?
    /// Per designation: whether a rule's events may be it (nil: any).
    let wantedMask: [Bool]?
    /// Per atom: whether its spellings are ordinary words that name the company only in
    /// context ("Kite"), checked after the scan.
    let isContextual: [Bool]
    /// Per atom: the product through which the item names the entity (its id), for atoms
    /// spelled by a product; apart from `atoms`, which the hot path copies.
    let atomVia: [String?]
    /// Whether any atom is spelled by a product (most keyword rule sets have none).
    let hasVia: Bool
    let hasContextual: Bool
    /// Whether some spelling is written in capitals, so a compound ("CD20xCD3") can hold it.
    let splitsCompounds: Bool

    /// Compiles `rules`; unknown target and designation names are reported with their
    /// position (companies and keywords not in the vocabulary match literally).
    public init(rules: [Rule], vocabulary: Vocabulary) throws(ConfigErrors) {
        var atoms: [Atom] = []
        var vias: [String?] = []
        var contextuals: [Bool] = []
        var atomIndex: [String: Int] = [:]
        var spellings: [[String]] = []
        var diagnostics: [ConfigDiagnostic] = []
        // Each spelling is folded once, though atoms and patterns both need it.
        var foldings: [String: (folded: [UInt8], exact: [UInt8], caseSensitive: Bool)] = [:]
        func folding(of spelling: String) -> (folded: [UInt8], exact: [UInt8], caseSensitive: Bool) {
            if let known = foldings[spelling] { return known }
            let computed = Folding.pattern(spelling)
            foldings[spelling] = computed
            return computed
        }

        func atom(for entry: VocabularyEntry, kind: Kind) -> Int {
            let key = "\(kind.rawValue)|entity|\(entry.id)"
            if let index = atomIndex[key] { return index }
            atoms.append(Atom(kind: kind, id: entry.id, label: entry.label))
            vias.append(nil)
            contextuals.append(false)
            spellings.append(entry.phrases)
            atomIndex[key] = atoms.count - 1
            return atoms.count - 1
        }
        func literal(_ term: String, kind: Kind) -> Int {
            let (folded, exact, caseSensitive) = folding(of: term)
            let key = "\(kind.rawValue)|literal|" + String(decoding: caseSensitive ? exact : folded, as: UTF8.self)
            if let index = atomIndex[key] { return index }
            atoms.append(Atom(kind: kind, id: term, label: term))
            vias.append(nil)
            contextuals.append(false)
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
                    guard let entry = vocabulary.resolve(term, kind: .company) else { return [literal(term, kind: .company)] }
                    let family = clause.includeSubsidiaries ? vocabulary.family(ofCompany: entry.id) : [entry]
                    return family.flatMap { company in
                        [atom(for: company, kind: .company)] + contextualAtom(for: company)
                            + vocabulary.products(with: .company, id: company.id).map { viaAtom(company, kind: .company, product: $0) }
                    }
                case .product:
                    return [vocabulary.resolve(term, kind: .product).map { atom(for: $0, kind: .product) } ?? literal(term, kind: .product)]
                case .modality:
                    guard let entry = vocabulary.resolve(term, kind: .modality) else {
                        unknown(term, field: field, kind: .modality, clause: clause)
                        return []
                    }
                    return [atom(for: entry, kind: .modality)]
                        + vocabulary.products(with: .modality, id: entry.id).map { viaAtom(entry, kind: .modality, product: $0) }
                case .target, .designation:
                    let entityKind: EntityKind = kind == .target ? .target : .designation
                    if kind == .designation, term.lowercased() == "any" {
                        // Mentions of every designation; the regulatory actions' phrases are ordinary words.
                        return vocabulary.entries(of: .designation).filter { !$0.isAction }.map { atom(for: $0, kind: .designation) }
                    }
                    if let entry = vocabulary.resolve(term, kind: entityKind) {
                        guard kind == .target else { return [atom(for: entry, kind: kind)] }
                        return [atom(for: entry, kind: kind)]
                            + vocabulary.products(with: .target, id: entry.id).map { viaAtom(entry, kind: .target, product: $0) }
                    }
                    unknown(term, field: field, kind: entityKind, clause: clause)
                    return []
                }
            }
        }
        func unknown(_ term: String, field: String, kind entityKind: EntityKind, clause: Clause) {
            diagnostics.append(vocabulary.unknownTerm(term, kind: entityKind, field: field, in: clause))
        }
        /// The entity `entry` as spelled by `product`: "Yescarta" names CD19, Kite Pharma and CAR-T.
        func viaAtom(_ entry: VocabularyEntry, kind: Kind, product: VocabularyEntry) -> Int {
            let key = "\(kind.rawValue)|via|\(entry.id)|\(product.id)"
            if let index = atomIndex[key] { return index }
            atoms.append(Atom(kind: kind, id: entry.id, label: entry.label))
            vias.append(product.id)
            contextuals.append(false)
            spellings.append(product.phrases)
            atomIndex[key] = atoms.count - 1
            return atoms.count - 1
        }
        func contextualAtom(for company: VocabularyEntry) -> [Int] {
            guard !company.contextual.isEmpty else { return [] }
            let key = "company|contextual|\(company.id)"
            if let index = atomIndex[key] { return [index] }
            atoms.append(Atom(kind: .company, id: company.id, label: company.label))
            vias.append(nil)
            contextuals.append(true)
            spellings.append(company.contextual)
            atomIndex[key] = atoms.count - 1
            return [atoms.count - 1]
        }
        var slotAtoms: [[Int]] = []
        var slotRule: [Int32] = []
        func slot(_ atoms: [Int], rule: Int) -> Int {
            slotAtoms.append(atoms)
            slotRule.append(Int32(rule))
            return slotAtoms.count - 1
        }
        var eventSlots: [(slot: Int, filter: EventFilter)] = []
        func compile(_ clause: Clause, rule: Int) -> CompiledClause {
            var fields: [Int]
            if clause.usesEvents {
                // Designations, and what the product they are granted to must be, are read from the events.
                let (filter, problems) = EventFilter.make(clause, vocabulary: vocabulary)
                diagnostics += problems
                let eventSlot = slot([], rule: rule)
                eventSlots.append((eventSlot, filter))
                fields = [eventSlot]
                let keywords = resolve(clause.keywords, field: "keywords", kind: .keyword, clause: clause)
                if !keywords.isEmpty { fields.append(slot(keywords, rule: rule)) }
            } else {
                fields = [
                    resolve(clause.targets, field: "targets", kind: .target, clause: clause),
                    resolve(clause.designations, field: "designations", kind: .designation, clause: clause),
                    resolve(clause.companies, field: "companies", kind: .company, clause: clause),
                    resolve(clause.products, field: "products", kind: .product, clause: clause),
                    resolve(clause.modalities, field: "modalities", kind: .modality, clause: clause),
                    resolve(clause.keywords, field: "keywords", kind: .keyword, clause: clause),
                ].filter { !$0.isEmpty }.map { slot($0, rule: rule) }
            }
            let excluded = resolve(clause.exclude, field: "exclude", kind: .keyword, clause: clause)
            return CompiledClause(
                fields: fields, exclude: excluded.isEmpty ? nil : slot(excluded, rule: rule), within: clause.usesEvents ? nil : clause.within,
                all: clause.all.map { compile($0, rule: rule) }, any: clause.any.map { compile($0, rule: rule) },
                not: clause.not.map { compile($0, rule: rule) })
        }
        let compiled = rules.indices.map { compile(rules[$0].clause, rule: $0) }
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }

        // One pattern per distinct (folded, exact, case rule); each knows every atom it spells.
        var patternSet = PatternSet<Int>()
        for (atomNumber, words) in spellings.enumerated() {
            for word in words { patternSet.add(folding(of: word), atomNumber) }
        }
        let patterns = patternSet.patterns
        let patternAtoms = patternSet.values
        self.rules = rules
        self.atoms = atoms
        self.compiled = compiled
        isDocumentWide = compiled.map { !$0.isScoped }
        (patternAtomStart, patternAtomList) = Self.flatten(patternAtoms, Int32.init)
        var slotsOfAtom = [[Int]](repeating: [], count: atoms.count)
        for (slot, members) in slotAtoms.enumerated() {
            for atom in members where slotsOfAtom[atom].last != slot { slotsOfAtom[atom].append(slot) }
        }
        atomKinds = atoms.map(\.kind)
        patternAtomSlot = patternAtoms.map { spelled in
            guard spelled.count == 1 else { return UInt64.max }
            let slots = slotsOfAtom[spelled[0]]
            return UInt64(UInt32(spelled[0])) | UInt64(UInt32(bitPattern: slots.count == 1 ? Int32(slots[0]) : -1)) << 32
        }
        (atomSlotStart, atomSlots) = Self.flatten(slotsOfAtom, Int32.init)
        slotCount = slotAtoms.count
        self.slotRule = slotRule
        automaton = Automaton(patterns: patterns)
        self.eventSlots = eventSlots
        var isEventSlot = [Bool](repeating: false, count: slotAtoms.count)
        for (slot, _) in eventSlots { isEventSlot[slot] = true }
        self.isEventSlot = isEventSlot
        extractor = eventSlots.isEmpty ? nil : EventExtractor(vocabulary: vocabulary)
        let wanted: Set<String>? = eventSlots.contains { $0.filter.designations == nil || !$0.filter.families.isEmpty }
            ? nil : Set(eventSlots.flatMap { $0.filter.designations ?? [] })
        if let extractor, let wanted { wantedMask = extractor.wantedMask(wanted) } else { wantedMask = nil }
        isContextual = contextuals
        hasContextual = contextuals.contains(true)
        atomVia = vias
        hasVia = vias.contains { $0 != nil }
        // Compounds ("CD20xCD3", "BCMA×CD3") join the names of targets and products: keywords,
        // written as the user wants them, are matched as written.
        splitsCompounds = patterns.indices.contains { pattern in
            patterns[pattern].caseSensitive && patternAtoms[pattern].contains { atoms[$0].kind != .keyword }
        }
    }

    /// Lists of lists as one array and the start of each list (plus the end of the last).
    static func flatten<Element, Value>(_ lists: [[Element]], _ transform: (Element) -> Value) -> (starts: [Int32], values: [Value]) {
        var starts: [Int32] = [0]
        var values: [Value] = []
        starts.reserveCapacity(lists.count + 1)
        for list in lists {
            values += list.map(transform)
            starts.append(Int32(values.count))
        }
        return (starts, values)
    }

    /// Size of the compiled matcher, for reports.
    public var statistics: (patterns: Int, states: Int, bytes: Int) {
        (automaton.patternCount, automaton.stateCount, automaton.memoryBytes)
    }

    /// One occurrence of an atom: UTF-8 byte offsets into one field.
    struct Hit {
        var atom: Int32
        var field: Int32
        var start: Int32
        var end: Int32
        /// The atom's slot when it has only one, else -1.
        var slot: Int32

        /// Document order: by field, then start; at one place by atom, the longer first.
        @inline(__always)
        func precedes(_ other: Hit) -> Bool {
            if field != other.field { return field < other.field }
            if start != other.start { return start < other.start }
            if atom != other.atom { return atom < other.atom }
            return end > other.end
        }
    }

    public func evaluate(_ document: MatchDocument) -> [RuleMatch] {
        Self.withUTF8(of: document.fields.map(\.text)) { texts in evaluate(document, texts: texts) }
    }

    /// Runs `body` with the UTF-8 bytes of every text at once.
    private static func withUTF8<Result>(
        of texts: [String], from index: Int = 0, collected: [UnsafeBufferPointer<UInt8>] = [],
        _ body: ([UnsafeBufferPointer<UInt8>]) -> Result
    ) -> Result {
        guard index < texts.count else { return body(collected) }
        var text = texts[index]
        return text.withUTF8 { withUTF8(of: texts, from: index + 1, collected: collected + [$0], body) }
    }

    private func evaluate(_ document: MatchDocument, texts: [UnsafeBufferPointer<UInt8>]) -> [RuleMatch] {
        // Dense press releases hold about one hit per 64 bytes (the densest one per 50): reserving
        // that much saves the arrays growing step by step.
        let expectedHits = texts.reduce(0) { $0 + $1.count } / 48 + 16
        var hits: [Hit] = []
        hits.reserveCapacity(expectedHits)
        var raw: [Automaton.Hit] = []
        raw.reserveCapacity(expectedHits)
        var isASCII = [Bool](repeating: true, count: texts.count)
        var marks: [ScalarMarks] = []
        marks.reserveCapacity(texts.count)
        for (field, text) in texts.enumerated() {
            raw.removeAll(keepingCapacity: true)
            var fieldMarks = ScalarMarks()
            isASCII[field] = splitsCompounds
                ? !Compounds.withSplitCompounds(text) { automaton.scan($0, into: &raw, marks: &fieldMarks) }
                : !automaton.scan(text, into: &raw, marks: &fieldMarks)
            marks.append(fieldMarks)
            let firstOfField = hits.count
            for hit in raw {
                let single = patternAtomSlot[Int(hit.pattern)]
                if single != UInt64.max {
                    hits.append(Hit(
                        atom: Int32(truncatingIfNeeded: single), field: Int32(field), start: Int32(hit.start), end: Int32(hit.end),
                        slot: Int32(truncatingIfNeeded: single >> 32)))
                    continue
                }
                for position in Int(patternAtomStart[Int(hit.pattern)])..<Int(patternAtomStart[Int(hit.pattern) + 1]) {
                    let atom = patternAtomList[position]
                    let slots = slotPositions(of: atom)
                    hits.append(Hit(
                        atom: atom, field: Int32(field), start: Int32(hit.start), end: Int32(hit.end),
                        slot: slots.count == 1 ? atomSlots[slots.lowerBound] : -1))
                }
            }
            Self.sortByStart(&hits, from: firstOfField)
        }
        if hasContextual { dropOutOfContext(&hits, texts: texts) }
        guard !hits.isEmpty || extractor != nil else { return [] }
        Self.keepLongestPerAtom(&hits)

        var present = [Bool](repeating: false, count: slotCount)
        // Events only where a rule's clause asks for them; each event slot holds its accepted events.
        var slotEvents: [Int: [Int]] = [:]
        var events: [RegulatoryEvent] = []
        if let extractor {
            // The texts this evaluation already holds: no second copy of each field.
            events = extractor.extract(document, texts: texts, wanted: wantedMask)
            for (slot, filter) in eventSlots where !events.isEmpty {
                // Indices, not copies: an event is a dozen strings and arrays.
                let accepted = events.indices.filter { filter.accepts(events, at: $0) }
                if !accepted.isEmpty {
                    present[slot] = true
                    slotEvents[slot] = accepted
                }
            }
            if hits.isEmpty, slotEvents.isEmpty { return [] }
        }
        for hit in hits {
            if hit.slot >= 0 {
                present[Int(hit.slot)] = true
                continue
            }
            for position in slotPositions(of: hit.atom) { present[Int(atomSlots[position])] = true }
        }

        // Document-wide rules first: decided by the slots present; their hits are those of the
        // atoms in the slots that made them hold.
        var used = [[Int]](repeating: [], count: rules.count)
        var matched = [Bool](repeating: false, count: rules.count)
        var usedSlot = [Bool](repeating: false, count: slotCount)
        var anyDocumentWide = false
        for (rule, clause) in compiled.enumerated() where isDocumentWide[rule] {
            if Self.holds(clause, present: present, used: &usedSlot) {
                matched[rule] = true
                anyDocumentWide = true
            }
        }
        if anyDocumentWide {
            // Each list sized once: count first (the hits of one rule are a fraction of all).
            var counts = [Int](repeating: 0, count: rules.count)
            for hit in hits {
                if hit.slot >= 0 {
                    let rule = Int(slotRule[Int(hit.slot)])
                    if usedSlot[Int(hit.slot)], matched[rule] { counts[rule] += 1 }
                    continue
                }
                for position in slotPositions(of: hit.atom) where usedSlot[Int(atomSlots[position])] {
                    if matched[Int(slotRule[Int(atomSlots[position])])] { counts[Int(slotRule[Int(atomSlots[position])])] += 1 }
                }
            }
            for rule in rules.indices where matched[rule] { used[rule].reserveCapacity(counts[rule]) }
            for (index, hit) in hits.enumerated() {
                if hit.slot >= 0 {
                    let rule = Int(slotRule[Int(hit.slot)])
                    if usedSlot[Int(hit.slot)], matched[rule] { used[rule].append(index) }
                    continue
                }
                for position in slotPositions(of: hit.atom) where usedSlot[Int(atomSlots[position])] {
                    let rule = Int(slotRule[Int(atomSlots[position])])
                    if matched[rule], used[rule].last != index { used[rule].append(index) }
                }
            }
        }
        var context = DocumentContext(texts: texts, isASCII: isASCII, marks: marks, hits: hits)
        for (rule, clause) in compiled.enumerated() where !isDocumentWide[rule] {
            guard let found = evaluate(clause, hits: Array(hits.indices), present: present, context: &context) else { continue }
            matched[rule] = true
            used[rule] = Array(Set(found)).sorted()
        }
        guard matched.contains(true) else { return [] }
        context.findSpellings()
        var results: [RuleMatch] = []
        for (index, rule) in rules.enumerated() where matched[index] {
            var match = makeMatch(rule: rule.name, used: used[index], documentWide: isDocumentWide[index], document: document, context: &context)
            if !slotEvents.isEmpty { addEvents(to: &match, rule: index, slotEvents: slotEvents, events: events) }
            results.append(match)
        }
        return results
    }

    /// Where the slots of `atom` are in `atomSlots` (a range, not a slice: no reference counting per hit).
    @inline(__always)
    private func slotPositions(of atom: Int32) -> Range<Int> {
        Int(atomSlotStart[Int(atom)])..<Int(atomSlotStart[Int(atom) + 1])
    }

    /// Hits arrive ordered by end; overlapping ones are the only ones out of start order, so an
    /// insertion sort is close to one pass.
    private static func sortByStart(_ hits: inout [Hit], from first: Int) {
        guard hits.count - first > 1 else { return }
        for index in (first + 1)..<hits.count {
            let hit = hits[index]
            var position = index
            while position > first, hit.precedes(hits[position - 1]) {
                hits[position] = hits[position - 1]
                position -= 1
            }
            hits[position] = hit
        }
    }

    /// Where one spelling of an atom contains another at the same place ("Orphan Drug
    /// Designation" and "Orphan Drug"), only the longer one is kept; of overlapping hits of one
    /// atom, the first.
    private static func keepLongestPerAtom(_ hits: inout [Hit]) {
        // Compacted in place: `kept` hits are `hits[..<kept]`, never ahead of the one read.
        var kept = 0
        var longest: Int32 = 0
        var field: Int32 = -1
        var furthestEnd: Int32 = 0
        for reading in hits.indices {
            let hit = hits[reading]
            if hit.field != field {
                field = hit.field
                furthestEnd = 0
            }
            if hit.start < furthestEnd {
                // Overlaps an earlier hit: look back as far as the longest hit reaches.
                var index = kept - 1
                var overlapsSameAtom = false
                while index >= 0, hits[index].field == field, hits[index].start >= hit.start - longest {
                    if hits[index].atom == hit.atom, hits[index].end > hit.start {
                        overlapsSameAtom = true
                        break
                    }
                    index -= 1
                }
                if overlapsSameAtom { continue }
            }
            hits[kept] = hit
            kept += 1
            longest = max(longest, hit.end - hit.start)
            furthestEnd = max(furthestEnd, hit.end)
        }
        hits.removeLast(hits.count - kept)
    }

    /// Whether a clause with no sentence or paragraph scope holds, from the slots present;
    /// marks the slots whose atoms count as its evidence.
    private static func holds(_ clause: CompiledClause, present: [Bool], used: inout [Bool]) -> Bool {
        if let exclude = clause.exclude, present[exclude] { return false }
        for slot in clause.fields where !present[slot] { return false }
        for negated in clause.not {
            var ignored = used
            if holds(negated, present: present, used: &ignored) { return false }
        }
        var marked = used
        for sub in clause.all where !holds(sub, present: present, used: &marked) { return false }
        if !clause.any.isEmpty {
            var satisfied = false
            for sub in clause.any where holds(sub, present: present, used: &marked) { satisfied = true }
            if !satisfied { return false }
        }
        for slot in clause.fields { marked[slot] = true }
        used = marked
        return true
    }

    /// The hits (indices) that satisfy `clause`, or nil when it does not hold: the general
    /// form, for clauses that group hits by sentence or paragraph.
    private func evaluate(_ clause: CompiledClause, hits: [Int], present: [Bool], context: inout DocumentContext) -> [Int]? {
        guard let scope = clause.within, scope != .document else {
            return evaluateFlat(clause, hits: hits, present: present, context: &context)
        }
        var groups: [Int: [Int]] = [:]
        for index in hits {
            let unit = context.unit(of: index, scope: scope)
            groups[Int(context.hits[index].field) << 32 | unit, default: []].append(index)
        }
        var used: [Int] = []
        var satisfied = false
        for key in groups.keys.sorted() {
            if let result = evaluateFlat(clause, hits: groups[key]!, present: present, context: &context) {
                satisfied = true
                used += result
            }
        }
        return satisfied ? used : nil
    }

    private func evaluateFlat(_ clause: CompiledClause, hits: [Int], present: [Bool], context: inout DocumentContext) -> [Int]? {
        // Excluded phrases veto the whole item, wherever they occur.
        if let exclude = clause.exclude, present[exclude] { return nil }
        var used: [Int] = []
        for slot in clause.fields {
            if isEventSlot[slot] {
                if !present[slot] { return nil }
                continue
            }
            let found = hits.filter { slotPositions(of: context.hits[$0].atom).contains { atomSlots[$0] == Int32(slot) } }
            if found.isEmpty { return nil }
            used += found
        }
        for sub in clause.all {
            guard let result = evaluate(sub, hits: hits, present: present, context: &context) else { return nil }
            used += result
        }
        if !clause.any.isEmpty {
            var satisfied = false
            for sub in clause.any {
                if let result = evaluate(sub, hits: hits, present: present, context: &context) {
                    satisfied = true
                    used += result
                }
            }
            if !satisfied { return nil }
        }
        for negated in clause.not where evaluate(negated, hits: hits, present: present, context: &context) != nil { return nil }
        return used
    }

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

    private func makeMatch(
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
                case .target: counts.target += 1
                case .designation: counts.designation += 1
                case .company: counts.company += 1
                case .keyword: counts.keyword += 1
                case .product, .modality: break
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
                if hasVia, let via = atomVia[Int(hit.atom)] {
                    matches.via["\(atom.kind == .target ? "target" : atom.kind == .company ? "company" : "modality"):\(atom.id)"] = via
                }
                switch atom.kind {
                case .target: matches.targets.append(entity)
                case .designation: matches.designations.append(entity)
                case .company: matches.companies.append(entity)
                case .keyword: matches.keywords.append(entity)
                case .product: matches.products.append(entity)
                case .modality: matches.modalities.append(entity)
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
