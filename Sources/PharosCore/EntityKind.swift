/// The kinds of named entity rules match: the one list from which vocabulary file names, rule
/// fields, the alert document's lists and the matcher's atoms follow. Keywords, matched as
/// written, are not entities and stand beside these.
public enum EntityKind: String, Sendable, CaseIterable {
    case target, designation, company, product, modality

    /// The vocabulary file name stem, rule field and alert list of this kind: `targets`,
    /// `designations`, `companies`, `products`, `modalities`.
    public var plural: String {
        switch self {
        case .target: "targets"
        case .designation: "designations"
        case .company: "companies"
        case .product: "products"
        case .modality: "modalities"
        }
    }

    /// The kind whose `plural` is `plural`.
    public init?(plural: String) {
        guard let kind = Self.allCases.first(where: { $0.plural == plural }) else { return nil }
        self = kind
    }

    /// Alerts always list targets, designations and companies (keywords after them); the kinds
    /// added later only when a rule matched one, so documents keep the shape they had.
    public var isAlwaysListed: Bool { self == .target || self == .designation || self == .company }

    /// Whether ids of this kind compare without case (targets and designations have canonical ids).
    public var idIgnoresCase: Bool { !(self == .target || self == .designation) }

    /// The value of five, one per kind in declaration order, that belongs to this kind: how a
    /// type with a list per kind maps kinds to its lists.
    public func pick<Value>(_ target: Value, _ designation: Value, _ company: Value, _ product: Value, _ modality: Value) -> Value {
        switch self {
        case .target: target
        case .designation: designation
        case .company: company
        case .product: product
        case .modality: modality
        }
    }
}
