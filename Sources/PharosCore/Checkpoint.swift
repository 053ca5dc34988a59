import PharosSupport

/// What a source remembers between polls (validators, a cursor), kept by the engine in the
/// same transaction as the poll's items and handed back on the next poll.
///
/// A source declares its checkpoint as a `Codable` type whose fields are strings, integers
/// or booleans (optional or not), and never sees the stored text: `Checkpoint(value)` and
/// `checkpoint.decode(Type.self)`. The text is one flat JSON object with the fields in the
/// order the type encodes them (`{"etag":"…","lastModified":"…"}`), read and written by
/// PharosSupport's `FlatCoding` without Foundation's JSON coders, which kept about a megabyte
/// of their code resident in an idle daemon when they ran on every poll. Any such object
/// reads, whoever wrote it (the RSS source's hand-written text before, Foundation's
/// `JSONEncoder`).
public struct Checkpoint: Sendable, Equatable, CustomStringConvertible {
    /// The stored text.
    public let text: String

    /// A checkpoint as stored by an earlier poll.
    public init(text: String) {
        self.text = text
    }

    /// `value` as a checkpoint; throws `EncodingError` for a field that is not a string, an
    /// integer or a boolean.
    public init<Value: Encodable>(_ value: Value) throws {
        text = JSONWriter.encode(.object(try FlatCoding.fields(of: value).map { key, field in
            switch field {
            case .string(let text): (key, .string(text))
            case .int(let number): (key, .int(number))
            case .bool(let flag): (key, .bool(flag))
            case .null: (key, .null)
            }
        }))
    }

    /// The checkpoint as `type`; nil when it is not such a value (written by another kind of
    /// source, or damaged).
    public func decode<Value: Decodable>(_ type: Value.Type = Value.self) -> Value? {
        FlatCoding.decode(type, from: text)
    }

    public var description: String { text }
}
