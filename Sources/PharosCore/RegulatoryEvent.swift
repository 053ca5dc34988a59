/// One regulatory event found in an item: an agency's action on a product, with how the item
/// tells it (its status) and the cues that decided that.
public struct RegulatoryEvent: Sendable, Codable, Hashable {
    /// How an item tells an event.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// The item reports it as its news.
        case announced
        /// A prior or other event, told as context (About sections, "previously granted").
        case background
        /// Not happened yet ("plans to seek", "may be eligible").
        case prospective
        /// What a designation is ("RMAT designation is intended to ...").
        case definition
    }

    /// The agency that acted: FDA, EMA, MHRA, PMDA, NMPA, Health Canada.
    public var agency: String
    /// The designation or action id (`fda-rmat`, `fda-approval`, `nmpa-breakthrough-therapy`).
    public var action: String
    /// The designation's or action's label (`RMAT`, `Approval`).
    public var label: String
    /// The action as written in the text.
    public var text: String
    /// The product as written (code, INN or brand); nil when the text names none.
    public var product: String?
    /// The product's vocabulary id, when it is a known product.
    public var productID: String?
    /// The companies behind the product (sponsor first), or the company the text names.
    public var companies: [String]
    /// The product's targets, as target ids.
    public var targets: [EntityMatch]
    /// The targets (ids) known from the product vocabulary rather than from the text, with the product's id.
    public var targetVia: [String: String] = [:]
    /// The product's modality id, when known.
    public var modality: String?
    /// The indication as written, when the sentence gives one.
    public var indication: String?
    public var status: Status
    /// Why the status and the subject are what they are, one short phrase each
    /// (`title`, `cue "previously"`, `section "About NXC-201"`, `subject: nearest product after the designation`).
    public var cues: [String]
    /// The sentence that tells the event.
    public var evidence: Evidence

    /// Inlinable: the extractor builds many events, and a call across the module copies every
    /// argument where the inlined body moves it (bench/events/README.md, "Cost of extraction,
    /// eighth round").
    @inlinable
    public init(
        agency: String, action: String, label: String, text: String, product: String?, productID: String?, companies: [String],
        targets: [EntityMatch], modality: String?, indication: String?, status: Status, cues: [String], evidence: Evidence
    ) {
        self.agency = agency
        self.action = action
        self.label = label
        self.text = text
        self.product = product
        self.productID = productID
        self.companies = companies
        self.targets = targets
        self.modality = modality
        self.indication = indication
        self.status = status
        self.cues = cues
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case agency, action, label, text, product
        case productID = "product_id"
        case companies, targets, modality, indication, status, cues, evidence
    }

    /// The event as an ordered JSON object.
    public var jsonValue: JSONWriter.Value {
        .object([
            ("agency", .string(agency)), ("action", .string(action)), ("label", .string(label)), ("text", .string(text)),
            ("product", .optional(product)), ("product_id", .optional(productID)),
            ("companies", .array(companies.map { .string($0) })),
            ("targets", .array(targets.map { $0.jsonValue(via: targetVia[$0.id]) })),
            ("modality", .optional(modality)), ("indication", .optional(indication)),
            ("status", .string(status.rawValue)), ("cues", .array(cues.map { .string($0) })),
            ("evidence", evidence.jsonValue),
        ])
    }

    /// A headline for the event: `FDA RMAT designation: NXC-201 (Immix Biopharma), relapsed/refractory AL amyloidosis`.
    public var headline: String {
        let what: String
        switch action {
        case _ where action.hasSuffix("-approval") && !label.lowercased().contains("approval"): what = "\(agency) \(label) approval"
        case _ where label.lowercased().contains(agency.lowercased()): what = label
        default:
            let lower = label.lowercased()
            let isDesignation = !(lower.contains("approval") || lower.contains("letter") || lower.contains("hold")
                || lower.contains("opinion") || lower.contains("accepted") || lower.contains("clearance") || lower.contains("validated")
                || lower.contains("designation") || lower.contains("review") || lower.contains("authorisation"))
            what = "\(agency) \(label)\(isDesignation ? " designation" : "")"
        }
        var line = what
        if let product {
            line += ": \(product)"
            if let company = companies.first { line += " (\(company))" }
        } else if let company = companies.first {
            line += ": \(company)"
        }
        if let indication { line += ", \(indication)" }
        return line
    }
}
