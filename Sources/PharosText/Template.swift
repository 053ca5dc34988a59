import PharosCore

/// A Mustache-style template over a JSON value (an alert document, say): `{{name}}`,
/// dotted names (`{{item.title}}`, `{{evidence.0.text}}`), `{{{raw}}}` and `{{&raw}}`,
/// sections `{{#list}}…{{/list}}` (repeated per element, or shown once for a truthy value),
/// inverted sections `{{^list}}…{{/list}}`, `{{.}}` for the current value and `{{! comments }}`.
///
/// Values are escaped for where the output goes: inside JSON strings (webhook bodies),
/// HTML (email), or not at all (plain text).
public struct Template: Sendable {
    /// How `{{name}}` values are escaped; `{{{name}}}` is never escaped.
    public enum Escaping: Sendable {
        /// For a value written inside a JSON string literal: `"` `\` and control characters escaped.
        case json
        /// `&` `<` `>` `"` `'` as entities.
        case html
        case none
    }

    indirect enum Node: Sendable {
        case text(String)
        case variable(path: [String], escaped: Bool)
        case section(path: [String], inverted: Bool, body: [Node])
    }

    let nodes: [Node]
    public let escaping: Escaping

    /// Parses `text`; errors give the line and column in it.
    public init(_ text: String, escaping: Escaping) throws(TemplateError) {
        self.escaping = escaping
        var parser = TemplateParser(text: Array(text.unicodeScalars))
        nodes = try parser.parseAll()
    }

    /// The template filled in from `context`.
    public func render(_ context: JSONWriter.Value) -> String {
        var output = ""
        render(nodes, stack: [context], into: &output)
        return output
    }

    private func render(_ nodes: [Node], stack: [JSONWriter.Value], into output: inout String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .variable(let path, let escaped):
                guard let value = Self.lookup(path, in: stack) else { continue }
                let text = Self.text(of: value)
                output += escaped ? escape(text) : text
            case .section(let path, let inverted, let body):
                let value = Self.lookup(path, in: stack)
                let truthy = value.map(Self.isTruthy) ?? false
                if inverted {
                    if !truthy { render(body, stack: stack, into: &output) }
                } else if truthy, let value {
                    if case .array(let elements) = value {
                        for element in elements { render(body, stack: stack + [element], into: &output) }
                    } else {
                        render(body, stack: stack + [value], into: &output)
                    }
                }
            }
        }
    }

    /// The first name is looked up from the innermost context outwards, the rest inside it.
    private static func lookup(_ path: [String], in stack: [JSONWriter.Value]) -> JSONWriter.Value? {
        if path == ["."] { return stack.last }
        guard let first = path.first else { return nil }
        var found: JSONWriter.Value?
        for context in stack.reversed() {
            if let value = member(first, of: context) {
                found = value
                break
            }
        }
        for name in path.dropFirst() {
            guard let current = found else { return nil }
            found = member(name, of: current)
        }
        return found
    }

    private static func member(_ name: String, of value: JSONWriter.Value) -> JSONWriter.Value? {
        switch value {
        case .object(let members): members.first { $0.0 == name }?.1
        case .array(let elements): Int(name).flatMap { elements.indices.contains($0) ? elements[$0] : nil }
        default: nil
        }
    }

    private static func isTruthy(_ value: JSONWriter.Value) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .string(let text): !text.isEmpty
        case .array(let elements): !elements.isEmpty
        case .int, .object: true
        }
    }

    private static func text(of value: JSONWriter.Value) -> String {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: ""
        case .array, .object: JSONWriter.encode(value)
        }
    }

    private func escape(_ text: String) -> String {
        switch escaping {
        case .none:
            return text
        case .json:
            let quoted = JSONWriter.encode(.string(text))
            return String(quoted.dropFirst().dropLast())
        case .html:
            return HTMLEscaping.escape(text)
        }
    }
}

/// A template that cannot be parsed, with where.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Escaping text for HTML element content and attribute values.
public enum HTMLEscaping {
    /// `text` with `&` `<` `>` `"` `'` replaced by entities.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }
}

struct TemplateParser {
    let text: [Unicode.Scalar]
    var position = 0

    init(text: [Unicode.Scalar]) {
        self.text = text
    }

    mutating func parseAll() throws(TemplateError) -> [Template.Node] {
        let (nodes, closing) = try parse(until: nil)
        if let closing { throw error("'{{/\(closing)}}' closes no section", at: position) }
        return nodes
    }

    /// Parses until `{{/section}}` (consumed) or the end; returns the name closed, if any.
    private mutating func parse(until section: [String]?) throws(TemplateError) -> ([Template.Node], String?) {
        var nodes: [Template.Node] = []
        var literal = ""
        while position < text.count {
            guard startsTag(at: position) else {
                literal.unicodeScalars.append(text[position])
                position += 1
                continue
            }
            let tagStart = position
            let triple = position + 2 < text.count && text[position + 2] == "{"
            position += triple ? 3 : 2
            let closer: [Unicode.Scalar] = triple ? ["}", "}", "}"] : ["}", "}"]
            guard let end = find(closer, from: position) else { throw error("'{{' is never closed", at: tagStart) }
            var content = String(String.UnicodeScalarView(text[position..<end])).trimmingSpaces
            position = end + closer.count
            if !literal.isEmpty {
                nodes.append(.text(literal))
                literal = ""
            }
            if triple {
                nodes.append(.variable(path: try path(content, at: tagStart), escaped: false))
                continue
            }
            let sigil = content.first
            if let sigil, "#^/!&".contains(sigil) { content = String(content.dropFirst()).trimmingSpaces }
            switch sigil {
            case "!":
                continue
            case "&":
                nodes.append(.variable(path: try path(content, at: tagStart), escaped: false))
            case "#", "^":
                let name = try path(content, at: tagStart)
                let (body, closed) = try parse(until: name)
                guard closed != nil else { throw error("section '\(content)' is never closed with {{/\(content)}}", at: tagStart) }
                nodes.append(.section(path: name, inverted: sigil == "^", body: body))
            case "/":
                guard let section, section.joined(separator: ".") == content else {
                    throw error(section.map { "'{{/\(content)}}' where '{{/\($0.joined(separator: "."))}}' was expected" }
                                ?? "'{{/\(content)}}' closes no section", at: tagStart)
                }
                return (nodes, content)
            default:
                nodes.append(.variable(path: try path(content, at: tagStart), escaped: true))
            }
        }
        if !literal.isEmpty { nodes.append(.text(literal)) }
        return (nodes, nil)
    }

    private func startsTag(at index: Int) -> Bool {
        index + 1 < text.count && text[index] == "{" && text[index + 1] == "{"
    }

    private func find(_ needle: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= text.count {
            if text[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private func path(_ name: String, at offset: Int) throws(TemplateError) -> [String] {
        if name == "." { return ["."] }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw error("'\(name)' is not a name (letters, digits, _ and dots)", at: offset)
        }
        return parts
    }

    private func error(_ message: String, at offset: Int) -> TemplateError {
        var line = 1
        var column = 1
        for scalar in text[..<min(offset, text.count)] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return TemplateError(line: line, column: column, message: message)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view = view.dropFirst() }
        while view.last?.isWhitespace == true { view = view.dropLast() }
        return String(view)
    }
}
