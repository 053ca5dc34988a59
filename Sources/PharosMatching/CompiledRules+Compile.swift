import PharosCore

extension CompiledRules {
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
            let key = "\(kind.key)|entity|\(entry.id)"
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
            let key = "\(kind.key)|literal|" + String(decoding: caseSensitive ? exact : folded, as: UTF8.self)
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
                case .entity(.company):
                    guard let entry = vocabulary.resolve(term, kind: .company) else { return [literal(term, kind: kind)] }
                    let family = clause.includeSubsidiaries ? vocabulary.family(ofCompany: entry.id) : [entry]
                    return family.flatMap { company in
                        [atom(for: company, kind: kind)] + contextualAtom(for: company)
                            + vocabulary.products(with: .company, id: company.id).map { viaAtom(company, kind: kind, product: $0) }
                    }
                case .entity(.product):
                    return [vocabulary.resolve(term, kind: .product).map { atom(for: $0, kind: kind) } ?? literal(term, kind: kind)]
                case .entity(.modality):
                    guard let entry = vocabulary.resolve(term, kind: .modality) else {
                        unknown(term, field: field, kind: .modality, clause: clause)
                        return []
                    }
                    return [atom(for: entry, kind: kind)]
                        + vocabulary.products(with: .modality, id: entry.id).map { viaAtom(entry, kind: kind, product: $0) }
                case .entity(let entityKind):
                    if entityKind == .designation, term.lowercased() == "any" {
                        // Mentions of every designation; the regulatory actions' phrases are ordinary words.
                        return vocabulary.entries(of: .designation).filter { !$0.isAction }.map { atom(for: $0, kind: kind) }
                    }
                    if let entry = vocabulary.resolve(term, kind: entityKind) {
                        guard entityKind == .target else { return [atom(for: entry, kind: kind)] }
                        return [atom(for: entry, kind: kind)]
                            + vocabulary.products(with: .target, id: entry.id).map { viaAtom(entry, kind: kind, product: $0) }
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
            let key = "\(kind.key)|via|\(entry.id)|\(product.id)"
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
            atoms.append(Atom(kind: .entity(.company), id: company.id, label: company.label))
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
                fields = (EntityKind.allCases.map { resolve(clause[$0], field: $0.plural, kind: .entity($0), clause: clause) }
                    + [resolve(clause.keywords, field: "keywords", kind: .keyword, clause: clause)])
                    .filter { !$0.isEmpty }.map { slot($0, rule: rule) }
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
        longerNames = Self.longerNames(atoms: atoms, vias: vias, spellings: spellings, vocabulary: vocabulary)
        // Compounds ("CD20xCD3", "BCMA×CD3") join the names of targets and products: keywords,
        // written as the user wants them, are matched as written.
        splitsCompounds = patterns.indices.contains { pattern in
            patterns[pattern].caseSensitive && patternAtoms[pattern].contains { atoms[$0].kind != .keyword }
        }
    }

    /// For each atom a product spells, the other products' longer names that hold one of its
    /// spellings: "trastuzumab" (Herceptin) inside "trastuzumab deruxtecan" (Enhertu) and
    /// "ado-trastuzumab emtansine" (Kadcyla). Atoms without any are left out.
    static func longerNames(atoms: [Atom], vias: [String?], spellings: [[String]], vocabulary: Vocabulary) -> [Int32: [LongerName]] {
        guard vias.contains(where: { $0 != nil }) || atoms.contains(where: { $0.kind == .entity(.product) }) else { return [:] }
        // Every word run inside a longer product name -> the names and where the run starts.
        var inside: [[UInt8]: [(name: [UInt8], product: String, offset: Int)]] = [:]
        for product in vocabulary.entries(of: .product) {
            for phrase in product.phrases {
                let name = LongerName.normalised(Array(phrase.utf8))
                var starts = [0]
                for (index, byte) in name.enumerated() where byte == 0x20 { starts.append(index + 1) }
                guard starts.count > 1 else { continue }
                var ends = starts.dropFirst().map { $0 - 1 }
                ends.append(name.count)
                for start in starts {
                    for end in ends where end > start && (start, end) != (0, name.count) {
                        inside[Array(name[start..<end]), default: []].append((name, product.id, start))
                    }
                }
            }
        }
        guard !inside.isEmpty else { return [:] }
        var result: [Int32: [LongerName]] = [:]
        for (atom, words) in spellings.enumerated() {
            let product: String
            if let via = vias[atom] { product = via } else if atoms[atom].kind == .entity(.product) { product = atoms[atom].id } else { continue }
            for word in words {
                let written = LongerName.normalised(Array(word.utf8))
                for holder in inside[written] ?? [] where holder.product != product {
                    result[Int32(atom), default: []].append(LongerName(
                        word: written, before: Array(holder.name[..<holder.offset]), after: Array(holder.name[(holder.offset + written.count)...])))
                }
            }
        }
        return result
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
}
