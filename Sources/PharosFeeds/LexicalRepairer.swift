/// The lexical repair of ``XMLInput/feed(chunkSize:_:)``, one stretch of the document at a time.
struct LexicalRepairer {
    let input: UnsafeBufferPointer<UInt8>
    private(set) var ampersands = 0
    private(set) var lessThans = 0
    private(set) var controls = 0
    /// Where the scan goes on.
    private var position = 0

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    /// Scans from where the last call stopped to `target` or a little past it (to the end of the
    /// tag, section or comment there) and returns where it stopped. When anything in the
    /// stretch needed repair, `output` receives the whole stretch repaired; else it is left empty
    /// and the stretch is good as it is.
    mutating func scan(upTo target: Int, into output: inout [UInt8]) -> Int {
        let count = input.count
        let stretchStart = position
        // A local copy: as a stored property it would be written back to memory at every step.
        var index = position
        defer { position = index }
        var copiedUpTo = stretchStart
        var repairedAny = false
        func replace(at position: Int, with replacement: StaticString) {
            if !repairedAny {
                repairedAny = true
                output.reserveCapacity(target - stretchStart + 1024)
            }
            if copiedUpTo < position { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copiedUpTo..<position])) }
            output.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            copiedUpTo = position + 1
        }
        let base = input.baseAddress
        while index < target {
            // Text without `<`, `&` or control characters (line breaks included), eight bytes at a time.
            if index + 8 <= count, let base {
                let flags = repairFlags(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
                if flags == 0 {
                    index += 8
                    continue
                }
                // The lowest flagged byte is exact (the bytes after it may be flagged falsely).
                index += flags.trailingZeroBitCount / 8
            }
            let byte = input[index]
            if byte == UInt8(ascii: "<") {
                let second = index + 1 < count ? input[index + 1] : 0
                if second == UInt8(ascii: "!"), hasPrefix(input, at: index, "<![CDATA[") { index = skip(past: "]]>", from: index + 9); continue }
                if second == UInt8(ascii: "!"), hasPrefix(input, at: index, "<!--") { index = skip(past: "-->", from: index + 4); continue }
                if second == UInt8(ascii: "?") { index = skip(past: "?>", from: index + 2); continue }
                if second == UInt8(ascii: "!") {
                    // DOCTYPE: its internal subset declares entities with `&` and `%` in them.
                    var cursor = index + 2
                    var depth = 0
                    var quote: UInt8 = 0
                    while cursor < count {
                        let current = input[cursor]
                        if quote != 0 {
                            if current == quote { quote = 0 }
                        } else if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                            quote = current
                        } else if current == UInt8(ascii: "[") {
                            depth += 1
                        } else if current == UInt8(ascii: "]") {
                            depth -= 1
                        } else if current == UInt8(ascii: ">") && depth <= 0 {
                            break
                        }
                        cursor += 1
                    }
                    index = min(cursor + 1, count)
                    continue
                }
                if second == UInt8(ascii: "/") || isNameStart(second) {
                    // Most tags are a bare name (`<title>`, `</item>`): nothing in them to repair.
                    var nameEnd = second == UInt8(ascii: "/") ? index + 2 : index + 1
                    while nameEnd < count, isNameByte(input[nameEnd]) { nameEnd += 1 }
                    if nameEnd < count, input[nameEnd] == UInt8(ascii: ">") {
                        index = nameEnd + 1
                        continue
                    }
                    // A tag: attribute values may hold bare `&` (URLs) and `<`.
                    var cursor = index + 1
                    var afterEquals = false
                    while cursor < count {
                        let current = input[cursor]
                        if current == UInt8(ascii: ">") || current == UInt8(ascii: "<") { break }
                        if afterEquals, current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                            afterEquals = false
                            guard let close = input[(cursor + 1)...].firstIndex(of: current) else { cursor = count; break }
                            var valueIndex = cursor + 1
                            while valueIndex < close {
                                let valueByte = input[valueIndex]
                                if valueByte == UInt8(ascii: "&"), !validReference(at: valueIndex) {
                                    replace(at: valueIndex, with: "&amp;")
                                    ampersands += 1
                                } else if valueByte == UInt8(ascii: "<") {
                                    replace(at: valueIndex, with: "&lt;")
                                    lessThans += 1
                                } else if isForbiddenControl(valueByte) {
                                    replace(at: valueIndex, with: "")
                                    controls += 1
                                }
                                valueIndex += 1
                            }
                            cursor = close + 1
                            continue
                        }
                        if current == UInt8(ascii: "=") {
                            afterEquals = true
                        } else if !isSpace(current) {
                            afterEquals = false
                        }
                        if isForbiddenControl(current) {
                            replace(at: cursor, with: "")
                            controls += 1
                        }
                        cursor += 1
                    }
                    index = cursor < count && input[cursor] == UInt8(ascii: ">") ? cursor + 1 : cursor
                    continue
                }
                replace(at: index, with: "&lt;")
                lessThans += 1
            } else if byte == UInt8(ascii: "&") {
                if !validReference(at: index) {
                    replace(at: index, with: "&amp;")
                    ampersands += 1
                }
            } else if isForbiddenControl(byte) {
                replace(at: index, with: "")
                controls += 1
            }
            index += 1
        }
        if repairedAny, copiedUpTo < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[copiedUpTo..<index])) }
        return index
    }

    private func isForbiddenControl(_ byte: UInt8) -> Bool { byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D }

    private func validReference(at index: Int) -> Bool {
        let count = input.count
        var cursor = index + 1
        guard cursor < count else { return false }
        if input[cursor] == UInt8(ascii: "#") {
            cursor += 1
            var hex = false
            if cursor < count, input[cursor] == UInt8(ascii: "x") || input[cursor] == UInt8(ascii: "X") {
                hex = true
                cursor += 1
            }
            let start = cursor
            while cursor < count, cursor - start < 9,
                  isDigit(input[cursor]) || (hex && isHexLetter(input[cursor])) { cursor += 1 }
            return cursor > start && cursor < count && input[cursor] == UInt8(ascii: ";")
        }
        guard isNameStart(input[cursor]) else { return false }
        let start = cursor
        while cursor < count, cursor - start < 64, isNameByte(input[cursor]) { cursor += 1 }
        return cursor < count && input[cursor] == UInt8(ascii: ";")
    }

    private func skip(past terminator: String, from index: Int) -> Int {
        guard let end = find(input, terminator, from: index, limit: input.count) else { return input.count }
        return end + terminator.utf8.count
    }
}

/// The high bit set in each of eight bytes (little-endian) that may be `<`, `&` or below 0x20
/// (bit tricks for finding a zero byte): zero when none is; otherwise the lowest flagged byte is
/// one, and bytes above it may be flagged falsely.
@inline(__always)
private func repairFlags(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highBits: UInt64 = 0x8080_8080_8080_8080
    func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
    let control = (word &- ones &* 0x20) & ~word & highBits
    return control | zeroBytes(word ^ (ones &* 0x3C)) | zeroBytes(word ^ (ones &* 0x26))
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
private func isHexLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66 }
private func isNameStart(_ byte: UInt8) -> Bool {
    ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
}
/// A name start, a digit, `-` or `.`: one bit per ASCII byte (`-` `.` `0`-`9` `:` below 64;
/// `A`-`Z` `_` `a`-`z` above), and every byte from 0x80 on.
@inline(__always)
private func isNameByte(_ byte: UInt8) -> Bool {
    if byte >= 0x80 { return true }
    let bits: UInt64 = byte < 64 ? 0x07ff_6000_0000_0000 : 0x07ff_fffe_87ff_fffe
    return (bits >> UInt64(byte & 63)) & 1 != 0
}
