import Foundation
import PharosCore
import Yams

/// Turns YAML text into ``ConfigNode``s that remember file, line and column.
enum YAMLNodes {
    /// What one file may expand to. Yams shares an anchored node among its aliases, so
    /// parsing is cheap, but every alias becomes a copy here, and Yams hashes whole keys to
    /// find duplicates: nine nested anchors of ten aliases each (390 bytes) would be 10^9
    /// nodes. Configurations, rules and vocabularies are far smaller: the largest built-in
    /// vocabulary is about 2,000 nodes, 1,000 rules about 10,000.
    struct Limits: Sendable {
        /// Aliases (`*name`) written in one file.
        var aliases = 1_000
        /// Nodes in one file once every alias is expanded.
        var nodes = 250_000
    }

    /// Parses one YAML document of UTF-8 `bytes`: with ``SimpleYAML`` when it keeps to the plain
    /// subset vocabularies and rule files are written in (ten times faster), else as
    /// ``parse(_:file:limits:)`` does.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, file: String) throws(ConfigErrors) -> ConfigNode {
        if let node = SimpleYAML.parse(bytes, file: file) { return node }
        return try parse(String(decoding: bytes, as: UTF8.self), file: file)
    }

    /// Parses one YAML document; syntax errors become a diagnostic at the offending position.
    static func parse(_ text: String, file: String, limits: Limits = Limits()) throws(ConfigErrors) -> ConfigNode {
        let aliases = aliasTokens(in: text)
        if !aliases.isEmpty { try measure(text, aliases: aliases, file: file, limits: limits) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigErrors([diagnostic(for: error, text: text, file: file)])
        } catch {
            throw ConfigErrors([ConfigDiagnostic("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let root else {
            return ConfigNode(.null, location: SourceLocation(file: file, line: 1, column: 1), path: "")
        }
        var diagnostics: [ConfigDiagnostic] = []
        let node = convert(root, file: file, path: "", diagnostics: &diagnostics)
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }
        return node
    }

    /// An alias as written: where, and the anchor it names.
    struct AliasToken: Hashable {
        var line: Int
        var column: Int
        var name: String
        /// Offset of its `*` in the text's UTF-8.
        var offset: Int
    }

    /// Throws when `text` holds more aliases, or expands to more nodes, than `limits` allow.
    ///
    /// The text is parsed once with each alias's `*` made `_`, so that every alias is a plain
    /// scalar at the alias's own position and nothing is expanded or hashed twice; the sizes
    /// anchors expand to are then added up in document order, each computed once.
    private static func measure(_ text: String, aliases: [AliasToken], file: String, limits: Limits) throws(ConfigErrors) {
        var bytes = Array(text.utf8)
        for alias in aliases { bytes[alias.offset] = UInt8(ascii: "_") }
        let measured = String(decoding: bytes, as: UTF8.self)
        // The parser owns the anchors (nodes point at them weakly): it lives while they are read.
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: measured)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            // Positions are the text's own; a syntax error must stop here, before a parse that
            // would expand the aliases (and hash what they expand to, to find duplicate keys).
            var problem = diagnostic(for: error, text: measured, file: file)
            if case .duplicatedKeysInMapping(_, let context) = error,
               let alias = aliases.first(where: { $0.line == context.mark.line && $0.column == context.mark.column }) {
                problem.message = problem.message.replacingOccurrences(of: "'_\(alias.name)'", with: "'*\(alias.name)'")
            }
            throw ConfigErrors([problem])
        } catch {
            throw ConfigErrors([ConfigDiagnostic("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let root else { return }
        var expansion = Expansion(limits: limits, aliases: Dictionary(aliases.map { ("\($0.line):\($0.column)", $0) }) { first, _ in first })
        let exceeded = withExtendedLifetime(parser) { expansion.size(of: root) > limits.nodes ? expansion.exceeded : nil }
        if let exceeded { throw ConfigErrors([ConfigDiagnostic(exceeded.message, at: SourceLocation(file: file, line: exceeded.at.line, column: exceeded.at.column))]) }
    }

    /// Adds up what a tree expands to, with each alias counted as the size of its anchor.
    private struct Expansion {
        let limits: Limits
        /// The aliases written, by `LINE:COL`.
        let aliases: [String: AliasToken]
        var anchorSizes: [String: Int] = [:]
        var nodes = 0
        var aliasCount = 0
        var exceeded: (message: String, at: AliasToken)?

        init(limits: Limits, aliases: [String: AliasToken]) {
            self.limits = limits
            self.aliases = aliases
        }

        /// The expanded size of `node` (more than the limit once any limit is passed: the walk stops then).
        mutating func size(of node: Node) -> Int {
            guard exceeded == nil else { return limits.nodes + 1 }
            if case .scalar = node, let mark = node.mark, let alias = aliases["\(mark.line):\(mark.column)"] {
                aliasCount += 1
                let size = anchorSizes[alias.name] ?? 1
                nodes += size
                if aliasCount > limits.aliases {
                    exceeded = ("more than \(limits.aliases) YAML aliases in one file (here *\(alias.name)); write the values out", alias)
                } else if nodes > limits.nodes {
                    exceeded = ("aliases expand this file to more than \(limits.nodes) YAML nodes (here *\(alias.name)); write the values out or use fewer aliases", alias)
                }
                return exceeded == nil ? size : limits.nodes + 1
            }
            nodes += 1
            var total = 1
            switch node {
            case .scalar, .alias:
                break
            case .sequence(let sequence):
                for element in sequence { total = min(total + size(of: element), limits.nodes + 1) }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    total = min(total + size(of: key), limits.nodes + 1)
                    total = min(total + size(of: value), limits.nodes + 1)
                }
            }
            if let anchor = node.anchor { anchorSizes[anchor.rawValue] = total }
            return exceeded == nil ? total : limits.nodes + 1
        }
    }

    /// Every alias (`*name`) in `text` with its position as libyaml counts it (lines and
    /// Unicode scalars from 1), skipping comments and quoted scalars. A `*` that only looks
    /// like one (inside a block scalar) is listed too; it matches no node of the tree.
    static func aliasTokens(in text: String) -> [AliasToken] {
        var tokens: [AliasToken] = []
        var line = 1, column = 0, offset = 0
        var quote: Unicode.Scalar?
        var inComment = false
        var previous: Unicode.Scalar = "\n"
        var pending: (line: Int, column: Int, offset: Int, name: String.UnicodeScalarView)?
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
        }
        for scalar in text.unicodeScalars {
            defer {
                previous = scalar
                offset += scalar.utf8.count
            }
            if let started = pending {
                if isNameScalar(scalar) {
                    pending?.name.append(scalar)
                } else {
                    if !started.name.isEmpty {
                        tokens.append(AliasToken(line: started.line, column: started.column, name: String(started.name), offset: started.offset))
                    }
                    pending = nil
                }
            }
            column += 1
            if scalar == "\n" {
                line += 1
                column = 0
                inComment = false
                continue
            }
            if inComment || scalar == "\r" { continue }
            if let open = quote {
                if scalar == open, !(open == "\"" && previous == "\\") { quote = nil }
                continue
            }
            let startsToken = previous == " " || previous == "\t" || previous == "\n" || previous == "\r" || "[{,".unicodeScalars.contains(previous)
            guard startsToken else { continue }
            switch scalar {
            case "#": inComment = true
            case "'", "\"": quote = scalar
            case "*": pending = (line, column, offset, String.UnicodeScalarView())
            default: break
            }
        }
        if let started = pending, !started.name.isEmpty {
            tokens.append(AliasToken(line: started.line, column: started.column, name: String(started.name), offset: started.offset))
        }
        return tokens
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
        // A flow mapping's keys follow `{` or `,`, maybe after a `?` indicator.
        var before = start - 1
        while before >= 0, line[before] == " " || line[before] == "?" { before -= 1 }
        if before >= 0, line[before] == "{" || line[before] == "," {
            var index = start + keyScalars.count
            while index < line.count {
                if line[index] == "," {
                    var candidate = index + 1
                    while candidate < line.count, line[candidate] == " " || line[candidate] == "?" { candidate += 1 }
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

    /// Whether a plain (unquoted) scalar is YAML's null.
    static func isNull(plain text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    private static func convert(_ node: Node, file: String, path: String, diagnostics: inout [ConfigDiagnostic]) -> ConfigNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if !quoted, scalar.style == .plain, isNull(plain: scalar.string) {
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
