import Foundation
import PharosCore
import Yams

/// Turns YAML text into ``ConfigNode``s that remember file, line and column.
enum YAMLNodes {
    /// Parses one YAML document; syntax errors become a diagnostic at the offending position.
    static func parse(_ text: String, file: String) throws(ConfigErrors) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigErrors([diagnostic(for: error, file: file)])
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

    private static func diagnostic(for error: YamlError, file: String) -> ConfigDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return ConfigDiagnostic("invalid YAML: \(detail)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .reader(let problem, _, _, _):
            return ConfigDiagnostic("cannot read YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return ConfigDiagnostic("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
