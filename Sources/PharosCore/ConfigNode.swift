import Foundation

/// Where a value was written: a file and a 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COL`, the prefix editors and compilers use.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in configuration, printed as `FILE:LINE:COL: message`.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Every problem found in one configuration load, in file order.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A parsed configuration value that remembers where it was written.
///
/// The engine turns YAML into `ConfigNode`s so that plugins can read their options
/// without depending on a YAML library, and every message can point at the text.
public struct ConfigNode: Sendable {
    /// The shape of a node.
    public enum Value: Sendable {
        case null
        /// A scalar as written; `quoted` is true for `'...'` and `"..."` scalars,
        /// which are always strings.
        case scalar(String, quoted: Bool)
        case sequence([ConfigNode])
        case mapping([(key: ConfigNode, value: ConfigNode)])
    }

    public var value: Value
    public var location: SourceLocation
    /// Dotted path from the document root, such as `sources[0].path`; used in messages.
    public var path: String

    public init(_ value: Value, location: SourceLocation, path: String) {
        self.value = value
        self.location = location
        self.path = path
    }

    /// The scalar text, if this is a scalar.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// The entries, if this is a mapping.
    public var mapping: [(key: ConfigNode, value: ConfigNode)]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    /// The elements, if this is a sequence.
    public var sequence: [ConfigNode]? {
        if case .sequence(let elements) = value { return elements }
        return nil
    }

    /// The value stored under `key` in a mapping.
    public subscript(key: String) -> ConfigNode? {
        mapping?.first { $0.key.scalar == key }?.value
    }

    /// A short name of the node's kind for "expected X, found Y" messages.
    public var kindName: String {
        switch value {
        case .null: "nothing"
        case .scalar(let text, let quoted):
            if quoted { "a string" } else if Int(text) != nil { "a number" } else { "'\(text)'" }
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
