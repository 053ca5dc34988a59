import PharosCore

/// What the events of a clause that names designations must be: one of its designations (or,
/// with `agencies:`, the same kind from other agencies), told with an accepted status, granted
/// to a product whose targets, companies, modality or name satisfy the clause.
struct EventFilter: Sendable {
    /// Designation ids; nil for `any`.
    var designations: Set<String>?
    /// Families of the designations and the agencies accepted for them (empty: every agency).
    var families: [String: Set<String>] = [:]
    var statuses: Set<RegulatoryEvent.Status> { didSet { acceptsAnnounced = statuses.contains(.announced) } }
    /// Whether `statuses` holds `announced`, the status nearly every rule asks for.
    private var acceptsAnnounced = true
    var targets: Set<String>?
    /// Company ids, lower-cased.
    var companies: Set<String>?
    /// Companies not in the vocabulary, lower-cased: found in the event's sentence as written.
    var literalCompanies: [[UInt8]] = []
    /// Product ids lower-cased, and literal names in capitals.
    var products: Set<String>?
    var modalities: Set<String>?
    /// Designation id -> family, for `agencies:`.
    var familyOf: [String: String] = [:]

    static func make(_ clause: Clause, vocabulary: Vocabulary) -> (EventFilter, [ConfigDiagnostic]) {
        var problems: [ConfigDiagnostic] = []
        func unknown(_ term: String, _ field: String, _ kind: EntityKind) {
            problems.append(vocabulary.unknownTerm(term, kind: kind, field: field, in: clause))
        }
        var filter = EventFilter(designations: nil, statuses: [.announced])
        if case .only(let statuses) = clause.status { filter.statuses = statuses }
        if !clause.designations.contains(where: { $0.lowercased() == "any" }) {
            var ids: Set<String> = []
            for term in clause.designations {
                guard let entry = vocabulary.resolve(term, kind: .designation) else {
                    unknown(term, "designations", .designation)
                    continue
                }
                ids.insert(entry.id)
                if let agencies = clause.agencies, let family = entry.family { filter.families[family] = agencies }
            }
            filter.designations = ids
        }
        for entry in vocabulary.entries(of: .designation) { if let family = entry.family { filter.familyOf[entry.id] = family } }
        if !clause.targets.isEmpty {
            filter.targets = Set(clause.targets.compactMap { term in
                let entry = vocabulary.resolve(term, kind: .target)
                if entry == nil { unknown(term, "targets", .target) }
                return entry?.id
            })
        }
        if !clause.companies.isEmpty {
            var names: Set<String> = []
            for term in clause.companies {
                guard let entry = vocabulary.resolve(term, kind: .company) else {
                    filter.literalCompanies.append(Array(term.lowercased().utf8))
                    continue
                }
                let family = clause.includeSubsidiaries ? vocabulary.family(ofCompany: entry.id) : [entry]
                for company in family { names.insert(company.id.lowercased()) }
            }
            filter.companies = names
        }
        if !clause.products.isEmpty {
            filter.products = Set(clause.products.map { term in
                vocabulary.resolve(term, kind: .product).map { $0.id.lowercased() } ?? term.uppercased()
            })
        }
        if !clause.modalities.isEmpty {
            filter.modalities = Set(clause.modalities.compactMap { term in
                let entry = vocabulary.resolve(term, kind: .modality)
                if entry == nil { unknown(term, "modalities", .modality) }
                return entry?.id
            })
        }
        return (filter, problems)
    }

    /// Whether an event of `status` and designation `action` may pass: most events fail here,
    /// before their strings are made.
    func mayAccept(status: RegulatoryEvent.Status, action: String) -> Bool {
        guard accepts(status) else { return false }
        if let designations, families.isEmpty, !designations.contains(action) { return false }
        return true
    }

    /// A switch, not a set lookup: hashing the status costs more than the rest of the test.
    private func accepts(_ status: RegulatoryEvent.Status) -> Bool {
        switch status {
        case .announced: acceptsAnnounced
        case .background: statuses.contains(.background)
        case .prospective: statuses.contains(.prospective)
        case .definition: statuses.contains(.definition)
        }
    }

    func accepts(_ event: RegulatoryEvent) -> Bool {
        guard accepts(event.status) else { return false }
        if let designations, !designations.contains(event.action) {
            guard let family = familyOf[event.action], let agencies = families[family],
                  agencies.isEmpty || agencies.contains(event.agency.uppercased()) else { return false }
        }
        if let targets, !event.targets.contains(where: { targets.contains($0.id) }) { return false }
        if let companies, !event.companies.contains(where: { companies.contains($0.lowercased()) }) {
            guard !literalCompanies.isEmpty else { return false }
            let sentence = Array(event.evidence.text.lowercased().utf8)
            guard literalCompanies.contains(where: { ByteSearch.first($0, in: sentence) != nil }) else { return false }
        }
        if let products {
            let known = event.productID.map { products.contains($0.lowercased()) } ?? false
            let written = event.product.map { products.contains($0.uppercased()) } ?? false
            if !known && !written { return false }
        }
        if let modalities, !(event.modality.map(modalities.contains) ?? false) { return false }
        return true
    }
}
