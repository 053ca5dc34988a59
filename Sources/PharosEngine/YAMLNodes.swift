import Foundation
import PharosCore
import Yams

/// Turns YAML text into ``ConfigNode``s that remember file, line and column.
enum YAMLNodes {
    /// What one file may expand to. Yams shares an anchored node among its aliases, so
    /// parsing is cheap, but every alias becomes a copy here: nine nested anchors of ten
    /// aliases each (390 bytes) would be 10^9 nodes. Configurations, rules and vocabularies
    /// are far smaller: the largest built-in vocabulary is about 2,000 nodes, 1,000 rules about 10,000.
    struct Limits: Sendable {
        /// Aliases (`*name`) written in one file.
        var aliases = 1_000
        /// Nodes in one file once every alias is expanded.
        var nodes = 250_000
    }

    /// Parses one YAML document; syntax errors become a diagnostic at the offending position.
    static func parse(_ text: String, file: String, limits: Limits = Limits()) throws(ConfigErrors) -> ConfigNode {
        let root: Node?
        // The parser owns the anchors (nodes only point at them weakly): it stays alive while
        // the tree is measured, so aliases can be told from the nodes they repeat.
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw ConfigErrors([diagnostic(for: error, text: text, file: file)])
        } catch {
            throw ConfigErrors([ConfigDiagnostic("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let root else {
            return ConfigNode(.null, location: SourceLocation(file: file, line: 1, column: 1), path: "")
        }
        try withExtendedLifetime(parser) { () throws(ConfigErrors) in
            var measure = Expansion(limits: limits)
            if let exceeded = measure.walk(root) {
                throw ConfigErrors([ConfigDiagnostic(exceeded.message(limits: limits), at: exceeded.location(in: text, file: file))])
            }
        }
        var diagnostics: [ConfigDiagnostic] = []
        let node = convert(root, file: file, path: "", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }
        return node
    }

    /// Counts nodes as they would be expanded and the aliases written, stopping at the first
    /// limit passed: the work is bounded by the limits, never by what the aliases expand to.
    private struct Expansion {
        let limits: Limits
        var nodes = 0
        var aliases = 0
        /// Anchors whose node has been seen: meeting one again is an alias of it.
        var defined: Set<ObjectIdentifier> = []

        /// What was exceeded, and the alias (counted in document order) being expanded then.
        struct Exceeded {
            var nodes: Bool
            var alias: Int
            var anchor: String

            func message(limits: Limits) -> String {
                nodes
                    ? "aliases expand this file to more than \(limits.nodes) YAML nodes (here *\(anchor)); write the values out or use fewer aliases"
                    : "more than \(limits.aliases) YAML aliases in one file (here *\(anchor)); write the values out"
            }

            /// Where alias number `alias` is written; the start of the file if it cannot be found.
            func location(in text: String, file: String) -> SourceLocation {
                aliasPosition(number: alias, in: text).map { SourceLocation(file: file, line: $0.line, column: $0.column) }
                    ?? SourceLocation(file: file, line: 1, column: 1)
            }
        }

        init(limits: Limits) {
            self.limits = limits
        }

        /// Walks `node` in document order (the order anchors are defined and aliases used).
        mutating func walk(_ node: Node, expanding alias: (number: Int, anchor: String)? = nil) -> Exceeded? {
            var alias = alias
            if let anchor = node.anchor {
                if !defined.insert(ObjectIdentifier(anchor)).inserted, alias == nil {
                    aliases += 1
                    alias = (aliases, anchor.rawValue)
                    if aliases > limits.aliases { return Exceeded(nodes: false, alias: aliases, anchor: anchor.rawValue) }
                }
            }
            nodes += 1
            if nodes > limits.nodes { return Exceeded(nodes: true, alias: alias?.number ?? 0, anchor: alias?.anchor ?? "") }
            switch node {
            case .scalar, .alias:
                return nil
            case .sequence(let sequence):
                for element in sequence {
                    if let exceeded = walk(element, expanding: alias) { return exceeded }
                }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if let exceeded = walk(key, expanding: alias) ?? walk(value, expanding: alias) { return exceeded }
                }
            }
            return nil
        }
    }

    /// Line and column of the `number`-th alias (`*name`, 1-based) in `text`, skipping
    /// comments and quoted scalars.
    static func aliasPosition(number: Int, in text: String) -> (line: Int, column: Int)? {
        guard number > 0 else { return nil }
        var seen = 0, line = 1, column = 0
        var quote: Character?
        var inComment = false
        var previous: Character = "\n"
        for character in text {
            column += 1
            defer { previous = character }
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 0
                inComment = false
                continue
            }
            if inComment { continue }
            if let open = quote {
                if character == open, !(open == "\"" && previous == "\\") { quote = nil }
                continue
            }
            let startsToken = previous.isWhitespace || "[{,\n".contains(previous)
            switch character {
            case "#" where startsToken: inComment = true
            case "'" where startsToken, "\"" where startsToken: quote = character
            case "*" where startsToken:
                seen += 1
                if seen == number { return (line, column) }
            default: break
            }
        }
        return nil
    }

    /// Where `key`, first written at `first`, is written again in the same mapping: later in
    /// the same flow mapping (`{a: 1, a: 2}`), or on a later line of a block mapping at the same
    /// indentation before the mapping ends.
    static func repeatedKeyPosition(_ key: String, firstAt first: (line: Int, column: Int), in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard first.line >= 1, first.line <= lines.count, first.column >= 1 else { return nil }
        let keyScalars = Array(key.unicodeScalars)
        /// Whether `line` holds the key at `column` (0-based), followed by optional blanks and ':'.
        func holdsKey(_ line: [Unicode.Scalar], at column: Int) -> Bool {
            for quoted in [keyScalars, ["\""] + keyScalars + ["\""], ["'"] + keyScalars + ["'"]] {
                guard column + quoted.count <= line.count, Array(line[column..<column + quoted.count]) == quoted else { continue }
                var next = column + quoted.count
                while next < line.count, line[next] == " " { next += 1 }
                if next < line.count, line[next] == ":" { return true }
            }
            return false
        }
        let line = lines[first.line - 1]
        let start = first.column - 1
        var before = start - 1
        while before >= 0, line[before] == " " { before -= 1 }
        if before >= 0, line[before] == "{" || line[before] == "," {
            var index = start + keyScalars.count
            while index < line.count {
                if line[index] == "," {
                    var candidate = index + 1
                    while candidate < line.count, line[candidate] == " " { candidate += 1 }
                    if holdsKey(line, at: candidate) { return (first.line, candidate + 1) }
                }
                index += 1
            }
            return nil
        }
        for number in first.line..<lines.count {
            let candidate = lines[number]
            let indent = candidate.prefix { $0 == " " }.count
            if indent == candidate.count || candidate[indent] == "#" { continue }
            if indent < start { return nil }
            if indent == start, holdsKey(candidate, at: indent) { return (number + 1, indent + 1) }
        }
        return nil
    }

    private static func convert(_ node: Node, file: String, path: String, diagnostics: inout [ConfigDiagnostic]) -> ConfigNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if !quoted, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return ConfigNode(.null, location: location, path: path)
            }
            return ConfigNode(.scalar(scalar.string, quoted: quoted || scalar.style != .plain), location: location, path: path)
        case .sequence(let sequence):
            let elements = sequence.enumerated().map { index, element in
                convert(element, file: file, path: "\(path)[\(index)]", diagnostics: &diagnostics)
            }
            return ConfigNode(.sequence(elements), location: location, path: path)
        case .mapping(let mapping):
            let entries = mapping.map { key, value in
                let keyNode = convert(key, file: file, path: path, diagnostics: &diagnostics)
                let child = path.isEmpty ? (key.string ?? "?") : "\(path).\(key.string ?? "?")"
                return (key: keyNode, value: convert(value, file: file, path: child, diagnostics: &diagnostics))
            }
            return ConfigNode(.mapping(entries), location: location, path: path)
        case .alias:
            diagnostics.append(ConfigDiagnostic("YAML aliases (*name) are not supported; write the value out", at: location))
            return ConfigNode(.null, location: location, path: path)
        }
    }

    private static func diagnostic(for error: YamlError, text: String, file: String) -> ConfigDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return ConfigDiagnostic("invalid YAML: \(detail)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .reader(let problem, _, _, _):
            return ConfigDiagnostic("cannot read YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams points at the first of the keys; the mistake is usually the later one.
            let key = duplicates.sorted().first ?? ""
            let first = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
            guard let again = repeatedKeyPosition(key, firstAt: (context.mark.line, context.mark.column), in: text) else {
                return ConfigDiagnostic("duplicate key '\(key)' in this mapping", at: first)
            }
            return ConfigDiagnostic("duplicate key '\(key)' (first at \(first.line):\(first.column))",
                                    at: SourceLocation(file: file, line: again.line, column: again.column))
        default:
            return ConfigDiagnostic("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
