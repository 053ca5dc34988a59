#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Byte helpers of ``XMLInput`` and its ``LexicalRepairer``.

func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

func hasPrefix<Bytes: RandomAccessCollection>(_ bytes: Bytes, at index: Int, _ prefix: String) -> Bool where Bytes.Element == UInt8, Bytes.Index == Int {
    var cursor = index
    for expected in prefix.utf8 {
        guard cursor < bytes.endIndex, bytes[cursor] == expected else { return false }
        cursor += 1
    }
    return true
}

/// ``find(_:_:from:limit:)`` with `memchr` looking for the needle's first byte.
func find(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: String, from start: Int, limit: Int) -> Int? {
    let pattern = Array(needle.utf8)
    guard let first = pattern.first, limit - start >= pattern.count, let base = bytes.baseAddress else { return nil }
    let lastStart = limit - pattern.count
    var index = start
    while index <= lastStart {
        guard let found = memchr(base + index, Int32(first), lastStart - index + 1) else { return nil }
        index = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        if hasPrefix(bytes, at: index, needle) { return index }
        index += 1
    }
    return nil
}

func find<Bytes: RandomAccessCollection>(_ bytes: Bytes, _ needle: String, from start: Int, limit: Int) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
    let pattern = Array(needle.utf8)
    guard let first = pattern.first, limit - start >= pattern.count else { return nil }
    var index = start
    while index <= limit - pattern.count {
        if bytes[index] == first && hasPrefix(bytes, at: index, needle) { return index }
        index += 1
    }
    return nil
}
