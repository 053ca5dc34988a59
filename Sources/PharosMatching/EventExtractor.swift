import PharosCore

/// Finds the regulatory events an item tells and how it tells them.
///
/// One pass of an automaton over each field finds every designation and action phrase, agency,
/// product, target, modality, company and cue (``EventCues``). Each designation or action
/// phrase is then read in its sentence: the agency named nearest resolves a phrase several
/// agencies share; the product it was granted to is the nearest one after it ("granted RMAT
/// designation to NXC-201"), else before it ("Yescarta receives"), else the products of the
/// sentence before ("these two treatments"); the product's targets come from the product
/// vocabulary and from the sentences that describe it ("ARC-217, a BCMA-directed CAR T"); and
/// its status from cues with a reach, the section it is in and where it stands (title, lead,
/// body). Every decision is written into the event's `cues`, so `pharos match --explain` can
/// say why.
public struct EventExtractor: Sendable {
    enum Term: Sendable, Equatable {
        case trigger(Int32)
        /// An index into `EventCues.agencies` (hits stay plain values: no reference counting per hit).
        case agency(Int32)
        case product(Int32)
        case target(Int32)
        case modality(Int32)
        case company(Int32)
        case cue(Int32)
        case companion(Int32)
        case veto(Int32)
    }

    struct Hit: Sendable {
        var term: Term
        var start: Int
        var end: Int
        /// For a cue: its class, direction and reach, copied in so the reading never goes back
        /// to the cue tables (global arrays, reference counted at every access).
        var cueClass: EventCues.Class?
        var direction: EventCues.Direction = .sentence
        var window: Int = 0
    }

    let automaton: Automaton
    /// The designation and action phrases alone: most items name none, and then this small
    /// automaton's pass is all they cost.
    let triggers: Automaton
    /// Per pattern of `triggers`, the designations it spells.
    let triggerDesignations: [[Int32]]
    /// The terms pattern `p` spells are `patternTermList[patternTermStart[p]..<patternTermStart[p + 1]]`:
    /// one array, not an array per pattern.
    let patternTermStart: [Int32]
    let patternTermList: [Term]
    let designations: [Known]
    let products: [Known]
    let targets: [Known]
    let modalities: [Known]
    let companies: [Known]

    /// What the reading needs of a vocabulary entry, shared (a class): reading a field of an
    /// entry in an array copies nothing.
    final class Known: Sendable {
        let id: String
        let label: String
        let agency: String?
        let family: String?
        let phrases: [String]
        let requires: [String]
        let unless: [String]
        let implies: [String]
        let targets: [String]
        let companies: [String]
        let modality: String?

        init(_ entry: VocabularyEntry) {
            id = entry.id
            label = entry.label
            agency = entry.agency
            family = entry.family
            phrases = entry.phrases
            requires = entry.requires
            unless = entry.unless
            implies = entry.implies
            targets = entry.targets
            companies = entry.companies
            modality = entry.modality
        }
    }
    /// family -> agency -> designation index: where a shared phrase goes when another agency is named.
    let siblings: [String: [String: Int32]]
    /// Per designation: whether it needs a companion word in its sentence.
    let needsCompanion: [Bool]
    /// Per designation: its agency as events name it.
    let agencyOf: [String]
    /// Per designation: whether it is an approval (told by common words), one of the actions
    /// that need an agency named (approvals, applications accepted), a clinical hold.
    let isApproval: [Bool]
    let needsAgency: [Bool]
    let isClinicalHold: [Bool]
    /// For a lifted hold ("fda-clinical-hold-lifted"), the hold it lifted; nil for the others.
    let placedHold: [Int32?]
    /// Per product: its targets' indices.
    let productTargets: [[Int32]]
    /// Per designation: the cues that name it, written once ("agency of fda-rmat", "subject:
    /// the product named after the RMAT designation").
    let cueTexts: [(agency: String, agencyNamed: String, subjectAfter: String, subjectBefore: String)]
    /// Designation ids to their index.
    let designationIndex: [String: Int]
    /// Target ids, lower-cased, to their index.
    let targetIndex: [String: Int32]

    /// Compiles every designation, product, target, modality, company and cue of `vocabulary`.
    public init(vocabulary: Vocabulary) {
        designations = vocabulary.entries(of: .designation).map(Known.init)
        products = vocabulary.entries(of: .product).map(Known.init)
        targets = vocabulary.entries(of: .target).map(Known.init)
        modalities = vocabulary.entries(of: .modality).map(Known.init)
        companies = vocabulary.entries(of: .company).map(Known.init)
        var siblings: [String: [String: Int32]] = [:]
        for (index, entry) in designations.enumerated() {
            if let family = entry.family, let agency = entry.agency { siblings[family, default: [:]][Self.agency(agency)] = Int32(index) }
        }
        self.siblings = siblings
        needsCompanion = designations.map { !$0.requires.isEmpty }
        agencyOf = designations.map { $0.agency.map(Self.agency) ?? "" }
        isApproval = designations.map { $0.family == "approval" }
        needsAgency = designations.map { $0.family == "approval" || $0.family == "application-accepted" }
        isClinicalHold = designations.map { $0.family == "clinical-hold" }
        cueTexts = designations.map {
            ("agency of \($0.id)", "agency \($0.agency.map(Self.agency) ?? "") named",
             "subject: the product named after the \($0.label)", "subject: the product named before the \($0.label)")
        }
        designationIndex = Dictionary(designations.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        placedHold = designations.map { [designationIndex] entry in
            guard entry.id.hasSuffix("-lifted") else { return nil }
            return designationIndex[String(entry.id.dropLast("-lifted".count))].map(Int32.init)
        }
        let targetIndex = Dictionary(targets.enumerated().map { ($1.id.lowercased(), Int32($0)) }, uniquingKeysWith: { first, _ in first })
        self.targetIndex = targetIndex
        productTargets = products.map { product in product.targets.compactMap { targetIndex[$0.lowercased()] } }

        var patternSet = PatternSet<Term>()
        func add(_ spelling: String, _ term: Term) { patternSet.add(Folding.pattern(spelling), term) }
        for (index, entry) in designations.enumerated() {
            for phrase in entry.phrases { add(phrase, .trigger(Int32(index))) }
            for word in entry.requires { add(word, .companion(Int32(index))) }
            for word in entry.unless { add(word, .veto(Int32(index))) }
        }
        for (index, agency) in EventCues.agencies.enumerated() { add(agency.phrase, .agency(Int32(index))) }
        for (index, entry) in products.enumerated() { for phrase in entry.phrases { add(phrase, .product(Int32(index))) } }
        for (index, entry) in targets.enumerated() { for phrase in entry.phrases { add(phrase, .target(Int32(index))) } }
        for (index, entry) in modalities.enumerated() { for phrase in entry.phrases { add(phrase, .modality(Int32(index))) } }
        for (index, entry) in companies.enumerated() { for phrase in entry.phrases { add(phrase, .company(Int32(index))) } }
        for (index, cue) in EventCues.all.enumerated() { add(cue.phrase, .cue(Int32(index))) }
        // Every product, company, target and cue: most bytes of news are inside some term's first
        // letters, so the scan walks deep states; full rows for sixteen times the matcher's number
        // of states (4 MB) take a tenth off the pass, and a further sixth off what was left at
        // four times (bench/events/README.md, "Cost of extraction", sixth and ninth rounds).
        // Its terms' first letters cover most words, so the scan steps through the rest of a word
        // rather than stopping to skip it (bench/events/README.md, ninth round).
        automaton = Automaton(patterns: patternSet.patterns, denseTableBytes: 16 * Automaton.denseTableBytes, stepsThroughWords: true)
        var triggerSet = PatternSet<Int32>()
        for (index, entry) in designations.enumerated() {
            for phrase in entry.phrases { triggerSet.add(Folding.pattern(phrase), Int32(index)) }
        }
        triggers = Automaton(patterns: triggerSet.patterns)
        triggerDesignations = triggerSet.values
        (patternTermStart, patternTermList) = CompiledRules.flatten(patternSet.values) { $0 }
    }

    /// The events of `document`, in text order.
    ///
    /// - Parameter wanted: the designation ids whose events are wanted (with the other agencies'
    ///   of their family and those that imply them, which the reading needs); nil for every one.
    ///   An item with none of them costs one scan.
    public func extract(_ document: MatchDocument, wanted: Set<String>? = nil) -> [RegulatoryEvent] {
        let mask = wanted.map(wantedMask)
        return Self.withBuffers(document.fields.map(\.text), from: 0, collected: []) { texts in
            extract(document, texts: texts, wanted: mask)
        }
    }

    /// The events of `document` told with one of `statuses`, in text order: every event is
    /// still read (what the title and lead announce decides the rest), but only these are built
    /// (their evidence, cues, names and targets), so asking for the announced ones costs less.
    public func extract(_ document: MatchDocument, wanted: Set<String>? = nil, statuses: Set<RegulatoryEvent.Status>) -> [RegulatoryEvent] {
        let mask = wanted.map(wantedMask)
        return Self.withBuffers(document.fields.map(\.text), from: 0, collected: []) { texts in
            guard let reader = reader(document, texts: texts, wanted: mask) else { return [] }
            return reader.read().filter { statuses.contains($0.status) }.map(reader.event)
        }
    }

    /// Per designation: whether its events are wanted, or needed to read a wanted one's.
    func wantedMask(_ ids: Set<String>) -> [Bool] {
        let families = Set(ids.compactMap { designationIndex[$0].flatMap { designations[$0].family } })
        return designations.map { entry in
            ids.contains(entry.id) || entry.family.map(families.contains) == true || entry.implies.contains(where: ids.contains)
        }
    }

    /// `body` on the UTF-8 of every field, read where each string keeps it (no copy of a native string).
    private static func withBuffers<Result>(
        _ fields: [String], from index: Int, collected: [UnsafeBufferPointer<UInt8>],
        _ body: ([UnsafeBufferPointer<UInt8>]) -> Result
    ) -> Result {
        guard index < fields.count else { return body(collected) }
        var text = fields[index]
        return text.withUTF8 { buffer in
            withBuffers(fields, from: index + 1, collected: collected + [buffer], body)
        }
    }

    /// Hits of one field, in start order, with terms spelled alike split out.
    func scan(_ text: UnsafeBufferPointer<UInt8>, marks: inout ScalarMarks) -> [Hit] {
        var raw: [Automaton.Hit] = []
        // Room for a hit per 16 bytes at once (news names about one per 35, dense news one per
        // 20), not grown step by step.
        raw.reserveCapacity(text.count / 16)
        Compounds.withSplitCompounds(text) { scanned in _ = automaton.scan(scanned, into: &raw, marks: &marks) }
        var hits: [Hit] = []
        // A spelling can stand for several terms ("cleared"): room for half as many again.
        hits.reserveCapacity(raw.count + raw.count / 2)
        // The global tables read once, not at every hit.
        let (classes, directions, windows, lowerCaseOnly) = (EventCues.classes, EventCues.directions, EventCues.windows, Self.lowerCaseOnly)
        for hit in raw {
            let pattern = Int(hit.pattern)
            for position in Int(patternTermStart[pattern])..<Int(patternTermStart[pattern + 1]) {
                let term = patternTermList[position]
                if case .cue(let index) = term {
                    // "may", "will" and "no" are cues only in lower case: "May 5, 2025" is a date.
                    if lowerCaseOnly[Int(index)], text[hit.start] < 0x61 { continue }
                    hits.append(Hit(
                        term: term, start: hit.start, end: hit.end, cueClass: classes[Int(index)],
                        direction: directions[Int(index)], window: windows[Int(index)]))
                    continue
                }
                hits.append(Hit(term: term, start: hit.start, end: hit.end))
            }
        }
        // The automaton reports hits in the order they end, so they are nearly in start order:
        // an insertion sort (stable, as the order of terms spelled alike must stay) moves each
        // only past the few longer hits that end after it.
        hits.withUnsafeMutableBufferPointer { hits in
            guard hits.count > 1 else { return }
            for index in 1..<hits.count {
                let hit = hits[index]
                var place = index
                while place > 0, hit.start < hits[place - 1].start || (hit.start == hits[place - 1].start && hit.end > hits[place - 1].end) {
                    hits[place] = hits[place - 1]
                    place -= 1
                }
                if place != index { hits[place] = hit }
            }
        }
        // An agency's name inside a longer one is not named on its own: "State Food and Drug
        // Administration" is China's, "Korean FDA" Korea's, whatever the shorter name says.
        // The hits kept are moved down in place, in one pass.
        var agencyEnd = -1
        var agencyStart = -1
        let kept = hits.withUnsafeMutableBufferPointer { hits in
            var kept = 0
            for index in 0..<hits.count {
                let hit = hits[index]
                if case .agency = hit.term {
                    if hit.end <= agencyEnd, hit.start >= agencyStart, hit.end - hit.start < agencyEnd - agencyStart { continue }
                    if hit.end > agencyEnd { (agencyStart, agencyEnd) = (hit.start, hit.end) }
                }
                if kept != index { hits[kept] = hit }
                kept += 1
            }
            return kept
        }
        hits.removeLast(hits.count - kept)
        return hits
    }

    /// The agency as events name it: "EMA/European Commission" is EMA, "MHLW/PMDA" PMDA, "NMPA/CDE" NMPA.
    static func agency(_ written: String) -> String {
        if written.contains("EMA") || written.contains("European") { return "EMA" }
        if written.contains("PMDA") || written.contains("MHLW") { return "PMDA" }
        if written.contains("NMPA") || written.contains("CDE") { return "NMPA" }
        return written
    }

    /// Per cue: whether it is one only in lower case ("may", "will", "no").
    private static let lowerCaseOnly: [Bool] = EventCues.all.map { ["may", "will", "no"].contains($0.phrase) }
}
