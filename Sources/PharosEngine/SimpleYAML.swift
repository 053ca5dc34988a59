import PharosCore

/// A fast reader for the plain subset of YAML that vocabularies and generated rule files are
/// written in, giving the same ``ConfigNode`` tree (values, lines, columns, paths) as
/// ``YAMLNodes``, or nil for anything outside the subset: the caller then parses the text with
/// ``YAMLNodes``, which also words every error.
///
/// The subset: a block sequence at the left margin whose items are block mappings (`- id: x`);
/// mapping values on the key's line, or a more indented block mapping on the lines below;
/// scalars plain, single- or double-quoted (no escapes), on one line; one-line flow sequences
/// of such scalars (`[a, "b c"]`); the empty flow mapping `{}`; comments on their own lines
/// or after a value. Anchors, aliases, tags, block scalars, multi-line scalars, duplicate
/// keys, tabs, carriage returns and invalid UTF-8 are left to Yams.
enum SimpleYAML {
    static func parse(_ text: UnsafeBufferPointer<UInt8>, file: String) -> ConfigNode? {
        var reader = Reader(bytes: text, file: file)
        return try? reader.document()
    }

    /// Outside the subset.
    private struct Unsupported: Error {}

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: String
        /// The current line: its 1-based number and the offset of its first byte.
        var line = 1
        var lineStart = 0
        /// The last offset a column was counted for, and its column.
        var counted = (offset: 0, column: 1)

        init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
            self.bytes = bytes
            self.file = file
        }

        mutating func document() throws(Unsupported) -> ConfigNode {
            guard onlyPrintable() else { throw Unsupported() }
            guard skipBlankLines(), indentation() == 0 else { throw Unsupported() }
            let root = try sequence(indent: 0, path: "")
            guard !skipBlankLines() else { throw Unsupported() }
            return root
        }

        /// Whether the text is valid UTF-8 with no tabs, carriage returns, control characters or
        /// byte order marks, and no line breaks but LF (YAML also breaks lines at NEL, U+2028
        /// and U+2029, which would change every line number after them).
        func onlyPrintable() -> Bool {
            var offset = 0
            while offset < bytes.count {
                let first = bytes[offset]
                if first < 0x80 {
                    if first < 0x20 && first != 0x0A || first == 0x7F { return false }
                    offset += 1
                    continue
                }
                var end = offset
                while end < bytes.count && bytes[end] >= 0x80 { end += 1 }
                guard let run = String(validating: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self) else { return false }
                for scalar in run.unicodeScalars {
                    switch scalar.value {
                    case 0xA0...0xD7FF where scalar.value != 0x2028 && scalar.value != 0x2029, 0xE000...0xFFFD where scalar.value != 0xFEFF,
                         0x10000...0x10FFFF: continue
                    default: return false
                    }
                }
                offset = end
            }
            return true
        }

        // MARK: Lines

        /// The byte at `offset`, or a newline past the end.
        func byte(_ offset: Int) -> UInt8 { offset < bytes.count ? bytes[offset] : 0x0A }

        /// Moves past lines that are empty or hold only a comment; false at the end of the text.
        mutating func skipBlankLines() -> Bool {
            while lineStart < bytes.count {
                var offset = lineStart
                while byte(offset) == 0x20 { offset += 1 }
                if byte(offset) != 0x0A && byte(offset) != 0x23 { return true }
                nextLine()
            }
            return false
        }

        mutating func nextLine() {
            var offset = lineStart
            while offset < bytes.count && bytes[offset] != 0x0A { offset += 1 }
            lineStart = offset + 1
            line += 1
        }

        /// Spaces before the first character of the current line.
        func indentation() -> Int {
            var offset = lineStart
            while byte(offset) == 0x20 { offset += 1 }
            return offset - lineStart
        }

        /// Where `offset` is, as YAML counts columns: in characters, from 1.
        mutating func location(_ offset: Int) -> SourceLocation {
            // Counted on from the last place asked for on the line: a rule file may hold
            // thousands of terms on one line.
            if counted.offset < lineStart || counted.offset > offset { counted = (lineStart, 1) }
            for index in counted.offset..<offset where bytes[index] & 0xC0 != 0x80 { counted.column += 1 }
            counted.offset = offset
            return SourceLocation(file: file, line: line, column: counted.column)
        }

        func text(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }

        /// After a value: only blanks, then the end of the line or a comment; moves to the next line.
        mutating func endOfLine(after offset: Int) throws(Unsupported) {
            var offset = offset
            while byte(offset) == 0x20 { offset += 1 }
            switch byte(offset) {
            case 0x0A: break
            case 0x23 where byte(offset - 1) == 0x20: break
            default: throw Unsupported()
            }
            nextLine()
        }

        // MARK: Blocks

        /// A block sequence of mappings whose dashes stand at `indent`.
        mutating func sequence(indent: Int, path: String) throws(Unsupported) -> ConfigNode {
            let start = location(lineStart + indent)
            var elements: [ConfigNode] = []
            while skipBlankLines() {
                let current = indentation()
                if current < indent { break }
                let dash = lineStart + indent
                guard current == indent, byte(dash) == 0x2D, byte(dash + 1) == 0x20 else { throw Unsupported() }
                var offset = dash + 1
                while byte(offset) == 0x20 { offset += 1 }
                elements.append(try mapping(indent: offset - lineStart, path: "\(path)[\(elements.count)]"))
            }
            return ConfigNode(.sequence(elements), location: start, path: path)
        }

        /// A block mapping whose keys stand at `indent`, the first on the current line.
        mutating func mapping(indent: Int, path: String) throws(Unsupported) -> ConfigNode {
            let start = location(lineStart + indent)
            var entries: [(key: ConfigNode, value: ConfigNode)] = []
            var names: [String] = []
            repeat {
                let (key, name, colon) = try self.key(at: lineStart + indent, path: path)
                if names.contains(name) { throw Unsupported() }
                names.append(name)
                let child = path.isEmpty ? name : "\(path).\(name)"
                var offset = colon + 1
                while byte(offset) == 0x20 { offset += 1 }
                let value: ConfigNode
                if byte(offset) == 0x0A || byte(offset) == 0x23 {
                    // Yams places an empty value just after the colon.
                    let empty = ConfigNode(.null, location: location(colon + 1), path: child)
                    try endOfLine(after: offset)
                    if skipBlankLines(), indentation() > indent {
                        value = try mapping(indent: indentation(), path: child)
                    } else {
                        value = empty
                    }
                } else {
                    let (node, end) = try inlineValue(at: offset, path: child)
                    value = node
                    try endOfLine(after: end)
                }
                entries.append((key, value))
            } while skipBlankLines() && indentation() == indent
            if skipBlankLines(), indentation() > indent { throw Unsupported() }
            return ConfigNode(.mapping(entries), location: start, path: path)
        }

        /// A key and the offset of the colon after it.
        mutating func key(at offset: Int, path: String) throws(Unsupported) -> (ConfigNode, String, Int) {
            if byte(offset) == 0x22 || byte(offset) == 0x27 {
                let (node, end) = try quoted(at: offset, path: path)
                guard byte(end) == 0x3A, byte(end + 1) == 0x20 || byte(end + 1) == 0x0A, let name = node.scalar else { throw Unsupported() }
                return (node, name, end)
            }
            guard !Self.startsOtherwise(byte(offset), next: byte(offset + 1)) else { throw Unsupported() }
            var end = offset
            while true {
                switch byte(end) {
                case 0x0A: throw Unsupported()
                case 0x3A where byte(end + 1) == 0x20 || byte(end + 1) == 0x0A:
                    guard byte(end - 1) != 0x20 else { throw Unsupported() }
                    let name = text(offset, end)
                    return (plain(name, at: offset, path: path), name, end)
                case 0x23 where byte(end - 1) == 0x20: throw Unsupported()
                default: end += 1
                }
            }
        }

        // MARK: Values on one line

        /// The value starting at `offset` and the offset just past it.
        mutating func inlineValue(at offset: Int, path: String) throws(Unsupported) -> (ConfigNode, Int) {
            switch byte(offset) {
            case 0x22, 0x27: return try quoted(at: offset, path: path)
            case 0x5B: return try flowSequence(at: offset, path: path)
            case 0x7B:
                var end = offset + 1
                while byte(end) == 0x20 { end += 1 }
                guard byte(end) == 0x7D else { throw Unsupported() }
                return (ConfigNode(.mapping([]), location: location(offset), path: path), end + 1)
            default:
                guard !Self.startsOtherwise(byte(offset), next: byte(offset + 1)) else { throw Unsupported() }
                var end = offset
                while true {
                    switch byte(end) {
                    case 0x0A: break
                    case 0x23 where byte(end - 1) == 0x20: break
                    case 0x3A where byte(end + 1) == 0x20 || byte(end + 1) == 0x0A: throw Unsupported()
                    default:
                        end += 1
                        continue
                    }
                    break
                }
                var last = end
                while byte(last - 1) == 0x20 { last -= 1 }
                return (plain(text(offset, last), at: offset, path: path), end)
            }
        }

        /// `[a, "b c"]` on one line.
        mutating func flowSequence(at offset: Int, path: String) throws(Unsupported) -> (ConfigNode, Int) {
            var elements: [ConfigNode] = []
            var cursor = offset + 1
            while byte(cursor) == 0x20 { cursor += 1 }
            if byte(cursor) == 0x5D {
                return (ConfigNode(.sequence([]), location: location(offset), path: path), cursor + 1)
            }
            while true {
                let elementPath = "\(path)[\(elements.count)]"
                if byte(cursor) == 0x22 || byte(cursor) == 0x27 {
                    let (node, end) = try quoted(at: cursor, path: elementPath)
                    elements.append(node)
                    cursor = end
                } else {
                    guard !Self.startsOtherwise(byte(cursor), next: byte(cursor + 1)) else { throw Unsupported() }
                    var end = cursor
                    while byte(end) != 0x2C && byte(end) != 0x5D {
                        switch byte(end) {
                        case 0x0A, 0x3A, 0x5B, 0x7B, 0x7D: throw Unsupported()
                        case 0x23 where byte(end - 1) == 0x20: throw Unsupported()
                        default: end += 1
                        }
                    }
                    var last = end
                    while byte(last - 1) == 0x20 { last -= 1 }
                    elements.append(plain(text(cursor, last), at: cursor, path: elementPath))
                    cursor = end
                }
                while byte(cursor) == 0x20 { cursor += 1 }
                if byte(cursor) == 0x5D { break }
                guard byte(cursor) == 0x2C else { throw Unsupported() }
                cursor += 1
                while byte(cursor) == 0x20 { cursor += 1 }
                if byte(cursor) == 0x5D || byte(cursor) == 0x2C { throw Unsupported() }
            }
            return (ConfigNode(.sequence(elements), location: location(offset), path: path), cursor + 1)
        }

        /// `'...'` (`''` is a quote) or `"..."` without escapes, on one line.
        mutating func quoted(at offset: Int, path: String) throws(Unsupported) -> (ConfigNode, Int) {
            let quote = byte(offset)
            var cursor = offset + 1
            var value = ""
            var runStart = cursor
            while true {
                switch byte(cursor) {
                case 0x0A: throw Unsupported()
                case 0x5C where quote == 0x22: throw Unsupported()
                case quote where quote == 0x27 && byte(cursor + 1) == 0x27:
                    value += text(runStart, cursor + 1)
                    cursor += 2
                    runStart = cursor
                case quote:
                    value += text(runStart, cursor)
                    return (ConfigNode(.scalar(value, quoted: true), location: location(offset), path: path), cursor + 1)
                default: cursor += 1
                }
            }
        }

        mutating func plain(_ text: String, at offset: Int, path: String) -> ConfigNode {
            ConfigNode(YAMLNodes.isNull(plain: text) ? .null : .scalar(text, quoted: false), location: location(offset), path: path)
        }

        /// Whether a plain scalar cannot start with `first` (followed by `next`): YAML indicators,
        /// and anything this reader leaves to Yams.
        static func startsOtherwise(_ first: UInt8, next: UInt8) -> Bool {
            switch first {
            case 0x2D, 0x3F, 0x3A: next == 0x20 || next == 0x0A  // "- ", "? ", ": "
            case 0x0A, 0x20, 0x09, 0x0D, 0x23, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x25, 0x40, 0x60, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x22, 0x27: true
            default: false
            }
        }
    }
}
