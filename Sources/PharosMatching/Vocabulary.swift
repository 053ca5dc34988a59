import Foundation
import PharosCore
import PharosSupport

/// One named entity: a molecular target, a regulatory designation or a company.
public struct VocabularyEntry: Sendable {
    public var kind: EntityKind
    /// HGNC symbol, designation slug, or the company's canonical name.
    public var id: String
    public var label: String
    public var name: String?
    public var agency: String?
    /// Every spelling that names the entity (aliases, phrases, ticker forms).
    public var phrases: [String]
    /// Spellings deliberately not matched, with the reason.
    public var excluded: [(term: String, reason: String)]
    public var notes: String?
    public var location: SourceLocation
    /// A company's parent company (its canonical name).
    public var parent: String?
    /// A company's short names that are ordinary words ("Kite", "Janssen"): matched only where
    /// the context makes them the company.
    public var contextual: [String] = []
    /// A product's targets (target ids).
    public var targets: [String] = []
    /// A product's companies: the sponsor first, then partners and licensees.
    public var companies: [String] = []
    /// A product's modality (a modality id).
    public var modality: String?
    /// A product's development status (approved, phase-3, ...).
    public var status: String?
    /// Where a product's facts come from.
    public var source: String?
    /// A designation's kind of action, shared by the agencies that grant the same thing
    /// (`orphan-drug` for fda-orphan-drug, ema-orphan-drug and mhlw-orphan-drug).
    public var family: String?
    /// Words one of which must occur in the sentence for a designation's phrase to be an event
    /// (an approval phrase needs a product or an agency; "accepted" needs an application).
    public var requires: [String] = []
    /// Words that, in the sentence, make a designation's phrase tell another event ("positive
    /// opinion" beside "COMP" is an orphan designation's, not the CHMP's).
    public var unless: [String] = []
    /// Other designations or actions an event of this one also is: an EU conditional marketing
    /// authorisation is an EU approval; Priority Review is granted to an accepted application.
    public var implies: [String] = []
    /// A designation entry that is a regulatory action (an approval, a clinical hold), not a
    /// designation: `designations: [any]` with `status: any` leaves its ordinary words out.
    public var isAction = false

    public init(kind: EntityKind, id: String, label: String, name: String? = nil, agency: String? = nil, phrases: [String],
                excluded: [(term: String, reason: String)] = [], notes: String? = nil, location: SourceLocation) {
        self.kind = kind
        self.id = id
        self.label = label
        self.name = name
        self.agency = agency
        self.phrases = phrases
        self.excluded = excluded
        self.notes = notes
        self.location = location
    }
}

/// Targets, designations and companies, by id and by every spelling.
public struct Vocabulary: Sendable {
    public private(set) var entries: [VocabularyEntry] = []
    private var byID: [String: Int] = [:]

    public init() {}

    private static func idKey(_ kind: EntityKind, _ id: String) -> String { "\(kind.rawValue)|\(id.lowercased())" }

    /// Adds entries; an entry whose kind and id exist already replaces the earlier one.
    public mutating func add(_ newEntries: [VocabularyEntry]) {
        for entry in newEntries {
            let key = Self.idKey(entry.kind, entry.id)
            if let existing = byID[key] {
                entries[existing] = entry
            } else {
                byID[key] = entries.count
                entries.append(entry)
            }
        }
    }

    /// Entries of one kind, in file order.
    public func entries(of kind: EntityKind) -> [VocabularyEntry] { entries.filter { $0.kind == kind } }

    /// The entry of `kind` whose id is `id` (ids compare ignoring case).
    public func entry(_ kind: EntityKind, id: String) -> VocabularyEntry? {
        byID[Self.idKey(kind, id)].map { entries[$0] }
    }

    /// The company and every company below it (subsidiaries, their subsidiaries), by name.
    public func family(ofCompany name: String) -> [VocabularyEntry] {
        var found: [VocabularyEntry] = []
        var queue = [name.lowercased()]
        var seen: Set<String> = []
        while let next = queue.popLast() {
            guard seen.insert(next).inserted else { continue }
            if let entry = entry(.company, id: next) { found.append(entry) }
            for child in entries where child.kind == .company && child.parent?.lowercased() == next {
                queue.append(child.id.lowercased())
            }
        }
        return found
    }

    /// Products whose targets, companies or modality include `id` of `kind`.
    public func products(with kind: EntityKind, id: String) -> [VocabularyEntry] {
        let key = id.lowercased()
        return entries.filter { product in
            guard product.kind == .product else { return false }
            switch kind {
            case .target: return product.targets.contains { $0.lowercased() == key }
            case .company: return product.companies.contains { $0.lowercased() == key }
            case .modality: return product.modality?.lowercased() == key
            default: return false
            }
        }
    }

    /// Every problem with the references between entries: a product's targets, companies and
    /// modality, and a company's parent, must name entries that exist.
    public func referenceProblems() -> [ConfigDiagnostic] {
        var problems: [ConfigDiagnostic] = []
        for entry in entries {
            switch entry.kind {
            case .product:
                for target in entry.targets where self.entry(.target, id: target) == nil {
                    problems.append(ConfigDiagnostic("product \(entry.id) names target '\(target)', which is not a target id", at: entry.location))
                }
                for company in entry.companies where self.entry(.company, id: company) == nil {
                    problems.append(ConfigDiagnostic("product \(entry.id) names company '\(company)', which is not a company name", at: entry.location))
                }
                if let modality = entry.modality, self.entry(.modality, id: modality) == nil {
                    problems.append(ConfigDiagnostic("product \(entry.id) names modality '\(modality)', which is not a modality id", at: entry.location))
                }
            case .company:
                if let parent = entry.parent, self.entry(.company, id: parent) == nil {
                    problems.append(ConfigDiagnostic("company \(entry.id) names parent '\(parent)', which is not a company name", at: entry.location))
                }
            default: break
            }
        }
        return problems
    }

    /// Spellings that name two different entities of the same kind: each one is a problem.
    public func conflicts() -> [ConfigDiagnostic] {
        var owner: [String: Int] = [:]
        var problems: [ConfigDiagnostic] = []
        // A designation whose phrases tell an event only beside a companion word (`requires:`) may
        // share them: "cleared" beside "IND" is an IND clearance, elsewhere an approval.
        for (index, entry) in entries.enumerated() where entry.requires.isEmpty {
            for phrase in Set(entry.phrases.map(Folding.key)) {
                let key = "\(entry.kind.rawValue)|\(phrase)"
                if let first = owner[key], first != index {
                    let other = entries[first]
                    problems.append(ConfigDiagnostic(
                        "'\(phrase)' names \(entry.kind.rawValue) \(entry.id) and also \(other.id) (\(other.location)); keep it in one entry",
                        at: entry.location))
                } else {
                    owner[key] = index
                }
            }
        }
        return problems
    }

    /// The entry of `kind` a rule term names: by id, then by spelling as written (capitals
    /// matter for capitalised spellings), then by spelling ignoring case.
    public func resolve(_ term: String, kind: EntityKind) -> VocabularyEntry? {
        if let index = byID[Self.idKey(kind, term)] { return entries[index] }
        let candidates = entries.filter { $0.kind == kind }
        func spellings(_ entry: VocabularyEntry) -> [String] {
            [entry.label] + (entry.name.map { [$0] } ?? []) + entry.phrases + entry.contextual
        }
        let key = Folding.key(term)
        if let exact = candidates.first(where: { spellings($0).contains { Folding.key($0) == key } }) { return exact }
        let folded = Folding.key(term.lowercased())
        return candidates.first { spellings($0).contains { Folding.key($0.lowercased()) == folded } }
    }

    /// Close spellings of `term` among entries of `kind`, for did-you-mean messages.
    public func suggestion(for term: String, kind: EntityKind) -> String? {
        let candidates = entries(of: kind).flatMap { [$0.label, $0.id] + $0.phrases }
        return closestMatch(to: term, among: candidates)
    }

    /// The problem with a rule term of `field` that names no entry of `kind`: why it is left out,
    /// or the closest spelling there is.
    func unknownTerm(_ term: String, kind: EntityKind, field: String, in clause: Clause) -> ConfigDiagnostic {
        var message = "unknown \(kind.rawValue) '\(term)'"
        if let exclusion = exclusions(of: term).first {
            message += ": it is left out of \(exclusion.entry.id) because \(exclusion.reason)"
        } else if let suggestion = suggestion(for: term, kind: kind) {
            message += "; did you mean '\(suggestion)'?"
        }
        message += " (add it to a \(kind.plural) vocabulary, or match the phrase with keywords:)"
        return ConfigDiagnostic(message, at: clause.locations["\(field):\(term)"] ?? SourceLocation(file: "rules", line: 1, column: 1))
    }

    /// Entries whose excluded spellings include `term`, with the reason.
    public func exclusions(of term: String) -> [(entry: VocabularyEntry, reason: String)] {
        let key = Folding.key(term.lowercased())
        return entries.flatMap { entry in
            entry.excluded.filter { Folding.key($0.term.lowercased()) == key }.map { (entry, $0.reason) }
        }
    }
}

/// Reads vocabulary files: a YAML list of entries per kind.
public enum VocabularyParser {
    /// Parses the list in `node` as entries of `kind`, collecting every problem.
    public static func parse(_ node: ConfigNode, kind: EntityKind) -> (entries: [VocabularyEntry], diagnostics: [ConfigDiagnostic]) {
        guard let list = node.sequence else {
            if case .null = node.value { return ([], []) }
            return ([], [ConfigDiagnostic("a \(kind.plural) vocabulary must be a list of entries, found \(node.kindName)", at: node.location)])
        }
        var entries: [VocabularyEntry] = []
        var diagnostics: [ConfigDiagnostic] = []
        for element in list {
            let reader = OptionReader(node: element, baseDirectory: URL(fileURLWithPath: "/"), what: "\(kind.rawValue) entry")
            var phrases: [String]
            let id: String
            let label: String
            var name: String?
            var agency: String?
            var extra = VocabularyEntry(kind: kind, id: "", label: "", phrases: [], location: element.location)
            switch kind {
            case .target, .designation, .modality:
                id = reader.requiredString("id")
                if kind == .designation {
                    agency = reader.string("agency")
                    _ = reader.string("region")
                }
                label = reader.string("label") ?? id
                name = reader.string("name")
                phrases = reader.stringList(kind == .target ? "aliases" : "phrases") ?? []
                if kind == .designation {
                    extra.family = reader.string("family")
                    extra.requires = reader.stringList("requires") ?? []
                    extra.unless = reader.stringList("unless") ?? []
                    extra.implies = reader.stringList("implies") ?? []
                    if let kind = reader.string("kind") {
                        if kind == "action" { extra.isAction = true } else if kind != "designation" {
                            reader.problem("must be designation or action, found '\(kind)'", key: "kind")
                        }
                    }
                }
            case .product:
                id = reader.requiredString("id")
                let inn = reader.stringList("inn") ?? []
                let brands = reader.stringList("brands") ?? []
                label = reader.string("label") ?? brands.first ?? inn.first ?? id
                name = inn.first
                phrases = inn + brands + (reader.stringList("codes") ?? [])
                let sponsor = reader.string("company")
                extra.companies = (sponsor.map { [$0] } ?? []) + (reader.stringList("partners") ?? [])
                extra.targets = reader.stringList("targets") ?? []
                extra.modality = reader.string("modality")
                extra.status = reader.string("status")
                extra.source = reader.string("source")
                if extra.source == nil, !id.isEmpty { reader.problem("product '\(id)' has no source: say where its facts come from (source:)") }
            case .company:
                id = reader.requiredString("name")
                label = id
                phrases = (reader.stringList("aliases") ?? []) + (reader.stringList("former_names") ?? [])
                extra.parent = reader.string("parent")
                extra.contextual = reader.stringList("contextual") ?? []
                for ticker in reader.stringList("tickers") ?? [] {
                    guard let colon = ticker.firstIndex(of: ":") else {
                        reader.problem("ticker '\(ticker)' must be written EXCHANGE: SYMBOL, like NASDAQ: IBRX", key: "tickers")
                        continue
                    }
                    let exchange = ticker[..<colon].trimmingCharacters(in: .whitespaces)
                    let symbol = ticker[ticker.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    // Both spellings, in one order every run ("NASDAQ: X", then "Nasdaq: X").
                    let upper = exchange.uppercased()
                    let capitalised = exchange.prefix(1).uppercased() + exchange.dropFirst().lowercased()
                    for spelling in upper == capitalised ? [upper] : [upper, capitalised] {
                        phrases += ["\(spelling): \(symbol)", "\(spelling):\(symbol)"]
                    }
                }
            }
            var excluded: [(term: String, reason: String)] = []
            if let map = reader.raw("excluded") {
                for (term, reason) in map.mapping ?? [] {
                    if let term = term.scalar { excluded.append((term, reason.scalar ?? "")) }
                }
                if map.mapping == nil { reader.problem("must map each left-out spelling to its reason", key: "excluded") }
            }
            let notes = reader.string("notes")
            if !label.isEmpty, !phrases.contains(label) { phrases.insert(label, at: 0) }
            if kind == .target, !id.isEmpty, !phrases.contains(id) { phrases.append(id) }
            phrases = phrases.filter { !Folding.pattern($0).folded.isEmpty }
            if phrases.isEmpty, !id.isEmpty { reader.problem("\(kind.rawValue) '\(id)' has no spelling to match") }
            reader.reportUnknownKeys()
            diagnostics += reader.diagnostics
            var entry = extra
            entry.id = id
            entry.label = label
            entry.name = name
            entry.agency = agency
            entry.phrases = phrases
            entry.excluded = excluded
            entry.notes = notes
            entries.append(entry)
        }
        return (entries, diagnostics)
    }

    /// The kind a vocabulary file holds, from its name: `targets*.yaml`, `designations*.yaml`,
    /// `companies*.yaml`, `products*.yaml`, `modalities*.yaml`.
    public static func kind(ofFile name: String) -> EntityKind? {
        EntityKind.allCases.first { name.lowercased().hasPrefix($0.plural) }
    }
}
