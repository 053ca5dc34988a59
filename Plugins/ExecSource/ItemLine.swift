import Foundation
import PharosCore
import PharosSupport
import PharosText

/// A JSON value as written, numbers kept apart from booleans.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([JSONValue].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// "a string", "a number", ... for messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "true or false"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Compact JSON text of the value, keys sorted (how non-string extension fields are kept).
    var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let integer): String(integer)
        case .number(let number): number.isFinite ? "\(number)" : "null"
        case .string(let text): JSONWriter.encode(.string(text))
        case .array(let elements): "[" + elements.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { JSONWriter.encode(.string($0.key)) + ":" + $0.value.jsonText }
                .joined(separator: ",") + "}"
        }
    }
}

/// Turns one line of an exec program's output into an item (the protocol of README.md).
enum ItemLine {
    /// Why a line was skipped.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Keys with a meaning of their own; every other key becomes an extension field.
    static let knownKeys: Set<String> = [
        "id", "version", "title", "link", "published", "updated", "summary", "content", "authors", "categories",
    ]

    static func parse(_ bytes: some Collection<UInt8>) -> Result<Item, Problem> {
        do {
            return .success(try item(from: bytes))
        } catch {
            return .failure(error)
        }
    }

    private static func item(from bytes: some Collection<UInt8>) throws(Problem) -> Item {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw Problem(description: "not valid JSON")
        }
        guard case .object(let object) = value else {
            throw Problem(description: "not a JSON object (found \(value.kindName))")
        }
        func string(_ key: String) throws(Problem) -> String? {
            switch object[key] {
            case nil, .null: return nil
            case .string(let text): return text
            case let other?: throw Problem(description: "'\(key)' must be a string, found \(other.kindName)")
            }
        }
        func date(_ key: String) throws(Problem) -> Date? {
            switch object[key] {
            case nil, .null: return nil
            case .string(let text):
                guard let date = DateParsing.parse(text) else { throw Problem(description: "'\(key)' is not a date: '\(text.prefix(80))'") }
                return date
            case .integer(let seconds): return Date(timeIntervalSince1970: TimeInterval(seconds))
            case .number(let seconds): return Date(timeIntervalSince1970: seconds)
            case let other?: throw Problem(description: "'\(key)' must be a date string or Unix seconds, found \(other.kindName)")
            }
        }
        func strings(_ key: String) throws(Problem) -> [String] {
            switch object[key] {
            case nil, .null: return []
            case .string(let text): return [text]
            case .array(let elements):
                var result: [String] = []
                for element in elements {
                    if case .string(let text) = element {
                        result.append(text)
                    } else if case .object(let members) = element, case .string(let name)? = members["name"] {
                        result.append(name)  // JSON Feed style: {"name": "..."}
                    } else {
                        throw Problem(description: "'\(key)' must be a list of strings, found an entry that is \(element.kindName)")
                    }
                }
                return result
            case let other?: throw Problem(description: "'\(key)' must be a list of strings, found \(other.kindName)")
            }
        }

        var id: String?
        switch object["id"] {
        case nil, .null: id = nil
        case .string(let text): id = text.isEmpty ? nil : text
        case .integer(let number): id = String(number)
        case let other?: throw Problem(description: "'id' must be a string, found \(other.kindName)")
        }
        let title = try string("title")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let content = try string("content")
        let hasContent = content.map { !$0.allSatisfy(\.isWhitespace) } ?? false
        guard !title.isEmpty || hasContent else { throw Problem(description: "it has no title and no content") }
        let link = try string("link")
        let summary = try string("summary")
        let version = try string("version")
        let published = try date("published")
        let updated = try date("updated")
        let authors = try strings("authors")
        let categories = try strings("categories")

        var fields: [String: String] = [:]
        for (key, value) in object where !knownKeys.contains(key) {
            switch value {
            case .null: continue
            case .string(let text): fields[key] = text
            default: fields[key] = value.jsonText
            }
        }
        let effectiveTitle = title.isEmpty ? derivedTitle(from: content ?? "") : title
        let stableID = id ?? contentID(title: effectiveTitle, link: link, published: published, summary: summary, content: content)
        return Item(
            id: stableID, version: version, title: effectiveTitle, link: link, published: published, updated: updated,
            summary: summary, content: content, authors: authors, categories: categories, fields: fields)
    }

    /// The first non-empty line of the content, cut at 200 characters.
    static func derivedTitle(from content: String) -> String {
        let line = content.split(whereSeparator: \.isNewline).lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// The id of an item printed without one: a hash of what identifies it, so the same item
    /// printed again (keys in any order, other fields changed) keeps its id.
    static func contentID(title: String, link: String?, published: Date?, summary: String?, content: String?) -> String {
        let parts = [title, link ?? "", published.map(ISO8601.string) ?? "", summary ?? "", content ?? ""]
        return "sha256:" + SHA256.hex(parts.joined(separator: "\u{1F}")).prefix(32)
    }
}
