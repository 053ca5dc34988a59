import Foundation
import PharosCore
import PharosSupport

/// How close the parts of a clause must be to each other.
public enum Scope: String, Sendable, CaseIterable {
    case document, paragraph, sentence
}

/// Which events a clause that names designations accepts, by how the item tells them.
public enum StatusFilter: Sendable, Equatable {
    /// Events with one of these statuses.
    case only(Set<RegulatoryEvent.Status>)
    /// Any mention of the designation, event or not (the literal matcher).
    case any
}

/// A condition over an item's text: listed fields are AND-ed, values inside a field OR-ed.
public struct Clause: Sendable {
    public var targets: [String] = []
    public var designations: [String] = []
    public var companies: [String] = []
    public var keywords: [String] = []
    public var products: [String] = []
    public var modalities: [String] = []
    /// `companies` also name every company below them (`include_subsidiaries: true`).
    public var includeSubsidiaries = false
    /// How the events of `designations` must be told; nil means `announced`.
    public var status: StatusFilter?
    /// Other agencies whose designations of the same kind count too; nil means only the ones
    /// named, an empty set means every agency (`agencies: any`).
    public var agencies: Set<String>?
    /// None of these phrases may occur anywhere in the item.
    public var exclude: [String] = []
    public var within: Scope?
    public var all: [Clause] = []
    public var any: [Clause] = []
    /// Zero or one negated clause (an array because structs cannot nest themselves directly).
    public var not: [Clause] = []
    /// Where each term was written, keyed `field:term`, for messages about unknown names.
    public var locations: [String: SourceLocation] = [:]

    public init() {}

    /// The terms of `kind` the clause names.
    public subscript(kind: EntityKind) -> [String] {
        get { self[keyPath: Self.terms(kind)] }
        set { self[keyPath: Self.terms(kind)] = newValue }
    }

    private static func terms(_ kind: EntityKind) -> WritableKeyPath<Clause, [String]> {
        kind.pick(\.targets, \.designations, \.companies, \.products, \.modalities)
    }

    /// The fields that name what must be present, for messages: "targets, designations, ..., keywords".
    static let presentFields = (EntityKind.allCases.map(\.plural) + ["keywords"]).joined(separator: ", ")

    /// Whether the clause asks for anything to be present.
    public var hasPositiveCondition: Bool {
        !(EntityKind.allCases.allSatisfy { self[$0].isEmpty } && keywords.isEmpty && all.isEmpty && any.isEmpty)
    }

    /// Whether the clause is decided by regulatory events: it names designations and does not
    /// ask for `status: any`.
    public var usesEvents: Bool { !designations.isEmpty && status != .any }
}

/// A named watch rule.
public struct Rule: Sendable {
    public var name: String
    public var description: String?
    /// Sinks to deliver to; nil means every sink.
    public var sinks: [String]?
    public var clause: Clause
    /// Where the rule starts, for messages.
    public var location: SourceLocation
    /// Where each sink name was written, for messages about unknown sinks.
    public var sinkLocations: [String: SourceLocation] = [:]
    /// `per_story:` — false raises an alert for every item, copies of one story included;
    /// true (the default) raises one per story and records later copies as `also_seen`.
    public var perStory = true

    public init(name: String, description: String? = nil, sinks: [String]? = nil, clause: Clause, location: SourceLocation) {
        self.name = name
        self.description = description
        self.sinks = sinks
        self.clause = clause
        self.location = location
    }
}

/// Reads rules from configuration nodes, collecting every problem.
public enum RuleParser {
    /// Parses a list of rules (or a single rule mapping) from one document.
    public static func parse(_ node: ConfigNode, baseDirectory: URL) -> (rules: [Rule], diagnostics: [ConfigDiagnostic]) {
        var rules: [Rule] = []
        var diagnostics: [ConfigDiagnostic] = []
        let elements: [ConfigNode]
        switch node.value {
        case .sequence(let list): elements = list
        case .mapping: elements = [node]
        case .null: elements = []
        case .scalar:
            return ([], [ConfigDiagnostic("rules must be a list of rule mappings, found \(node.kindName)", at: node.location)])
        }
        for element in elements {
            let reader = OptionReader(node: element, baseDirectory: baseDirectory, what: "rule")
            let name = reader.requiredString("name")
            let description = reader.string("description")
            let sinks = reader.stringList("sinks")
            let perStory = reader.bool("per_story", default: true)
            var clause = parseClause(reader, diagnostics: &diagnostics)
            if clause.within == nil { clause.within = .document }
            if !clause.hasPositiveCondition, element.mapping != nil {
                reader.problem("rule '\(name)' has nothing to match: give \(Clause.presentFields), all or any")
            }
            reader.reportUnknownKeys()
            diagnostics += reader.diagnostics
            var rule = Rule(name: name, description: description, sinks: sinks, clause: clause, location: element.location)
            rule.perStory = perStory
            for sinkNode in reader.raw("sinks").map({ $0.sequence ?? [$0] }) ?? [] {
                if let sinkName = sinkNode.scalar { rule.sinkLocations[sinkName] = sinkNode.location }
            }
            rules.append(rule)
        }
        return (rules, diagnostics)
    }

    private static let termFields = EntityKind.allCases.map(\.plural) + ["keywords", "exclude"]

    /// Whether `term` is empty or only spaces and tabs (what `trimmingCharacters(in: .whitespaces)`
    /// would empty, without its cost: a rule file may list thousands of terms).
    private static func isBlank(_ term: String) -> Bool {
        term.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    static func parseClause(_ reader: OptionReader, diagnostics: inout [ConfigDiagnostic]) -> Clause {
        var clause = Clause()
        for field in termFields {
            let terms = reader.stringList(field) ?? []
            for (index, term) in terms.enumerated() where isBlank(term) {
                let location = reader.raw(field)?.sequence?[index].location ?? reader.node.location
                diagnostics.append(ConfigDiagnostic("'\(field)' has an empty entry", at: location))
            }
            let cleaned = terms.filter { !isBlank($0) }
            if let node = reader.raw(field) {
                for (index, element) in (node.sequence ?? [node]).enumerated() where index < terms.count {
                    clause.locations["\(field):\(terms[index])"] = element.location
                }
            }
            if let kind = EntityKind(plural: field) {
                clause[kind] = cleaned
            } else if field == "keywords" {
                clause.keywords = cleaned
            } else {
                clause.exclude = cleaned
            }
        }
        if reader.raw("include_subsidiaries") != nil { clause.includeSubsidiaries = reader.bool("include_subsidiaries", default: false) }
        if let statuses = reader.stringList("status") {
            let known = RegulatoryEvent.Status.allCases.map(\.rawValue)
            if statuses.map({ $0.lowercased() }).contains("any") {
                clause.status = .any
            } else {
                var accepted: Set<RegulatoryEvent.Status> = []
                for status in statuses {
                    if let value = RegulatoryEvent.Status(rawValue: status.lowercased()) {
                        accepted.insert(value)
                    } else {
                        var message = "must be announced, background, prospective, definition or any; found '\(status)'"
                        if let suggestion = closestMatch(to: status, among: known + ["any"]) { message += "; did you mean '\(suggestion)'?" }
                        reader.problem(message, key: "status")
                    }
                }
                if !accepted.isEmpty { clause.status = .only(accepted) }
            }
            if clause.designations.isEmpty {
                reader.problem("applies to the events of designations: give designations (or any) beside it", key: "status")
            }
        }
        if let agencies = reader.stringList("agencies") {
            clause.agencies = agencies.map { $0.lowercased() }.contains("any") ? [] : Set(agencies.map { $0.uppercased() })
            if clause.designations.isEmpty {
                reader.problem("widens designations to other agencies: give designations beside it", key: "agencies")
            }
        }
        if let text = reader.string("within") {
            if let scope = Scope(rawValue: text.lowercased()) {
                clause.within = scope
            } else {
                reader.problem("must be one of document, paragraph, sentence; found '\(text)'", key: "within")
            }
        }
        for key in ["all", "any"] {
            guard let list = reader.raw(key) else { continue }
            guard let elements = list.sequence else {
                reader.problem("must be a list of clauses", key: key)
                continue
            }
            let clauses = elements.map { parseNested($0, baseDirectory: reader.baseDirectory, diagnostics: &diagnostics) }
            if key == "all" { clause.all = clauses } else { clause.any = clauses }
        }
        if let negated = reader.raw("not") {
            clause.not = [parseNested(negated, baseDirectory: reader.baseDirectory, diagnostics: &diagnostics)]
        }
        return clause
    }

    private static func parseNested(_ node: ConfigNode, baseDirectory: URL, diagnostics: inout [ConfigDiagnostic]) -> Clause {
        let reader = OptionReader(node: node, baseDirectory: baseDirectory, what: "clause")
        let clause = parseClause(reader, diagnostics: &diagnostics)
        if !clause.hasPositiveCondition, node.mapping != nil {
            reader.problem("clause has nothing to match: give \(Clause.presentFields), all or any")
        }
        reader.reportUnknownKeys()
        diagnostics += reader.diagnostics
        return clause
    }
}
