/// The coder behind PharosCore's `Checkpoint`: a `Codable` value whose fields are strings,
/// integers or booleans (optional or not), as one flat JSON object, without Foundation's JSON
/// coders (whose code would stay resident in an idle daemon that ran them on every poll).
package enum FlatCoding {
    /// One field's value; `Checkpoint` writes them in JSON with `JSONWriter`.
    package enum Field: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case null
    }

    /// The fields of `value` in the order it encodes them; throws `EncodingError` for a field
    /// that is not a string, an integer or a boolean.
    package static func fields<Value: Encodable>(of value: Value) throws -> [(String, Field)] {
        let encoder = FlatEncoder()
        try value.encode(to: encoder)
        return encoder.fields
    }

    /// `text`, one flat JSON object of such fields, as `type`; nil when it is not such an
    /// object or not such a value.
    package static func decode<Value: Decodable>(_ type: Value.Type, from text: String) -> Value? {
        guard let fields = FlatJSON.fields(text) else { return nil }
        return try? Value(from: FlatDecoder(fields: fields))
    }
}

/// Collects the fields of a flat keyed value in the order it encodes them.
private final class FlatEncoder: Encoder {
    var fields: [(String, FlatCoding.Field)] = []
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Fields(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("a checkpoint type encodes its fields by key")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        preconditionFailure("a checkpoint type encodes its fields by key")
    }

    struct Fields<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: FlatEncoder
        var codingPath: [any CodingKey] { [] }

        func put(_ value: FlatCoding.Field, _ key: Key) { encoder.fields.append((key.stringValue, value)) }
        func integer<Number: BinaryInteger>(_ value: Number, _ key: Key) throws {
            guard let exact = Int(exactly: value) else { throw unsupported(Number.self, key) }
            put(.int(exact), key)
        }
        func unsupported(_ type: Any.Type, _ key: Key) -> EncodingError {
            EncodingError.invalidValue(type, .init(codingPath: [key], debugDescription: "a checkpoint field is a string, an integer or a boolean"))
        }

        mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw unsupported(Double.self, key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw unsupported(Float.self, key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            switch value {
            case let text as String: put(.string(text), key)
            case let flag as Bool: put(.bool(flag), key)
            case let number as Int: put(.int(number), key)
            default: throw unsupported(T.self, key)
            }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("a checkpoint field is a string, an integer or a boolean")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("a checkpoint field is a string, an integer or a boolean")
        }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }
}

/// Reads a flat keyed value from the text of its fields.
private struct FlatDecoder: Decoder {
    let fields: [String: String]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Fields(fields: fields))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self, nil) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw mismatch(Any.self, nil) }

    struct Fields<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let fields: [String: String]
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }
        func text(_ key: Key) throws -> String {
            guard let text = fields[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no field \(key.stringValue)"))
            }
            return text
        }
        func value<Value: LosslessStringConvertible>(_ key: Key) throws -> Value {
            guard let value = Value(try text(key)) else { throw mismatch(Value.self, key) }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            switch try text(key) {
            case "true", "1": return true
            case "false", "0": return false
            default: throw mismatch(Bool.self, key)
            }
        }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try text(key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            switch type {
            case is String.Type: try text(key) as! T
            case is Bool.Type: try decode(Bool.self, forKey: key) as! T
            case is Int.Type: try value(key) as Int as! T
            default: throw mismatch(T.self, key)
            }
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw mismatch([String: Any].self, key)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self, key) }
        func superDecoder() throws -> any Decoder { FlatDecoder(fields: fields) }
        func superDecoder(forKey key: Key) throws -> any Decoder { FlatDecoder(fields: fields) }
    }
}

private func mismatch(_ type: Any.Type, _ key: (any CodingKey)?) -> DecodingError {
    DecodingError.typeMismatch(type, .init(codingPath: key.map { [$0] } ?? [], debugDescription: "a checkpoint field is a string, an integer or a boolean"))
}

/// Reads the one JSON shape a checkpoint has: an object whose values are strings, integers,
/// booleans or null.
private enum FlatJSON {
    /// The fields of such an object, each value as its text (nulls left out); nil for anything
    /// else.
    static func fields(_ text: String) -> [String: String]? {
        var bytes = Array(text.utf8)[...]
        func skipSpace() { while let byte = bytes.first, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { bytes.removeFirst() } }
        func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard bytes.first == byte else { return false }
            bytes.removeFirst()
            return true
        }
        func hex4() -> UInt32? {
            guard bytes.count >= 4, let code = UInt32(String(decoding: bytes.prefix(4), as: UTF8.self), radix: 16) else { return nil }
            bytes.removeFirst(4)
            return code
        }
        func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var value: [UInt8] = []
            while let byte = bytes.popFirst() {
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = bytes.popFirst() else { return nil }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): value.append(escaped)
                    case UInt8(ascii: "n"): value.append(0x0A)
                    case UInt8(ascii: "r"): value.append(0x0D)
                    case UInt8(ascii: "t"): value.append(0x09)
                    case UInt8(ascii: "b"): value.append(0x08)
                    case UInt8(ascii: "f"): value.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard var code = hex4() else { return nil }
                        // Outside the Basic Multilingual Plane: a surrogate pair, two escapes.
                        if (0xD800..<0xDC00).contains(code) {
                            guard bytes.starts(with: #"\u"#.utf8) else { return nil }
                            bytes.removeFirst(2)
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { return nil }
                        value += String(scalar).utf8
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: value.append(byte)
                }
            }
            return nil
        }
        /// An integer, `true` or `false`, as its text.
        func literal() -> String? {
            let token = bytes.prefix { $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
            let text = String(decoding: token, as: UTF8.self)
            guard text == "true" || text == "false" || Int(text) != nil else { return nil }
            bytes.removeFirst(token.count)
            return text
        }
        guard take(UInt8(ascii: "{")) else { return nil }
        var fields: [String: String] = [:]
        if take(UInt8(ascii: "}")) { skipSpace(); return bytes.isEmpty ? fields : nil }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            if bytes.starts(with: "null".utf8) {
                bytes.removeFirst(4)
            } else if bytes.first == UInt8(ascii: "\"") {
                guard let value = string() else { return nil }
                fields[key] = value
            } else {
                guard let value = literal() else { return nil }
                fields[key] = value
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return bytes.isEmpty ? fields : nil
    }
}
