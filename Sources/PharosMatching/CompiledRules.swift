import Foundation
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

    /// What an atom is: an entity of one of the vocabulary's kinds, or a keyword matched as written.
    enum Kind: Sendable, Equatable {
        case entity(EntityKind)
        case keyword

        /// Its name in atom keys.
        var key: String {
            switch self {
            case .entity(let kind): kind.rawValue
            case .keyword: "keyword"
            }
        }
    }

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
    /// Per atom a product spells: other products' longer names that hold its spelling.
    let longerNames: [Int32: [LongerName]]
    let hasContextual: Bool
    /// Whether some spelling is written in capitals, so a compound ("CD20xCD3") can hold it.
    let splitsCompounds: Bool

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

    public func evaluate(utf8 fields: [(name: String, text: UnsafeBufferPointer<UInt8>)], published: Date?) -> [RuleMatch] {
        // Only the names and the date are read from the document; the texts are these.
        evaluate(MatchDocument(fields: fields.map { ($0.name, "") }, published: published), texts: fields.map(\.text))
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
        if hasVia { dropCombinationPartners(&hits, texts: texts) }
        if !longerNames.isEmpty { dropInsideLongerNames(&hits, texts: texts) }
        guard !hits.isEmpty || extractor != nil else { return [] }
        Self.keepLongestPerAtom(&hits)

        var present = [Bool](repeating: false, count: slotCount)
        // Events only where a rule's clause asks for them; each event slot holds its accepted events.
        var slotEvents: [Int: [Int]] = [:]
        // Events are read as drafts; an event's strings are made only when its status and
        // designation pass a clause (most fail there).
        var events: [RegulatoryEvent?] = []
        if let extractor, let reader = extractor.reader(document, texts: texts, wanted: wantedMask) {
            // The texts this evaluation already holds: no second copy of each field.
            let drafts = reader.read()
            events = [RegulatoryEvent?](repeating: nil, count: drafts.count)
            for (slot, filter) in eventSlots where !drafts.isEmpty {
                var accepted: [Int] = []
                for index in drafts.indices {
                    let designation = extractor.designations[Int(drafts[index].designation)].id
                    guard filter.mayAccept(status: drafts[index].status, action: designation) else { continue }
                    if events[index] == nil { events[index] = reader.event(drafts[index]) }
                    if filter.accepts(events[index]!) { accepted.append(index) }
                }
                if !accepted.isEmpty {
                    present[slot] = true
                    slotEvents[slot] = accepted
                }
            }
        }
        if extractor != nil, hits.isEmpty, slotEvents.isEmpty { return [] }
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

}
