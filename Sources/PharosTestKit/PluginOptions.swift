import Foundation
import PharosCore

/// An option value as a config file gives it: a scalar, a list of scalars or a mapping of scalars.
public enum OptionValue: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    case text(String)
    case list([String])
    case map([(String, String)])

    public init(stringLiteral value: String) { self = .text(value) }
    public init(arrayLiteral elements: String...) { self = .list(elements) }
}

/// Plugin options as if read from a config mapping of `pairs`, every node at `test.yaml:1:1`,
/// relative paths against `base`. `quoted` writes the values as quoted scalars (`'...'`),
/// which diagnostics call "a string" rather than quoting the text.
public func pluginOptions(_ pairs: [(String, OptionValue)], base: URL = URL(fileURLWithPath: "/"), what: String,
                          quoted: Bool = false) -> OptionReader {
    let location = SourceLocation(file: "test.yaml", line: 1, column: 1)
    func scalar(_ text: String, _ path: String, quoted: Bool) -> ConfigNode {
        ConfigNode(.scalar(text, quoted: quoted), location: location, path: path)
    }
    let entries = pairs.map { key, value -> (key: ConfigNode, value: ConfigNode) in
        let node = switch value {
        case .text(let text): scalar(text, key, quoted: quoted)
        case .list(let items): ConfigNode(.sequence(items.map { scalar($0, key, quoted: quoted) }), location: location, path: key)
        case .map(let pairs):
            ConfigNode(.mapping(pairs.map { (key: scalar($0.0, key, quoted: quoted), value: scalar($0.1, key, quoted: quoted)) }),
                       location: location, path: key)
        }
        return (key: scalar(key, key, quoted: false), value: node)
    }
    return OptionReader(node: ConfigNode(.mapping(entries), location: location, path: ""), baseDirectory: base, what: what)
}

/// Plugin options from `key: value` pairs of text, written unquoted (``pluginOptions(_:base:what:quoted:)``).
public func optionReader(_ pairs: [(String, String)], base: URL = URL(fileURLWithPath: "/"), what: String) -> OptionReader {
    pluginOptions(pairs.map { ($0.0, .text($0.1)) }, base: base, what: what)
}
