#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A feed file mapped into memory, for ``FeedParser/parse(file:url:threads:eachItem:)``: the
/// parser reads it in place, and the pages it has read are handed back to the kernel as it goes,
/// so that a large file is neither copied nor held whole in memory.
///
/// A file that is truncated by someone else while it is being parsed makes the process fail
/// (SIGBUS), as with any mapped file: this is for files at rest, such as `pharos feed FILE`.
public final class FeedFile: @unchecked Sendable {
    fileprivate let base: UnsafeMutableRawPointer
    /// The file's size in bytes.
    public let count: Int
    /// Bytes from the start already handed back; only the parsing thread changes it.
    private var released = 0

    /// Maps the regular file at `path`; nil when it cannot be opened or mapped, is empty, or is
    /// not a regular file (a pipe or a terminal must be read instead).
    public init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0 else { return nil }
        let size = Int(status.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else { return nil }
        base = mapped
        count = size
        _ = madvise(base, count, MADV_SEQUENTIAL)
    }

    deinit {
        munmap(base, count)
    }

    var buffer: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// The first `offset` bytes will not be read again: their whole pages leave this process's
    /// memory (they stay in the page cache, and reading them again would fault them back in).
    func release(upTo offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        // A megabyte at a time: each call costs a system call and, with two threads running, a
        // TLB shoot-down on the other core.
        guard end - released >= 1 << 20 else { return }
        _ = madvise(base + released, end - released, MADV_DONTNEED)
        released = end
    }
}

extension FeedFile {
    /// Whether the file is valid UTF-8, checked 8 MiB at a time with each window's pages handed
    /// back after it: a check of the whole file before (or beside) the parse must not keep the
    /// whole file in memory. The parser reads them again from the page cache.
    func isValidUTF8() -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = buffer
        var start = 0
        while start < count {
            var end = min(start + (8 << 20), count)
            // A window ends before a character, never inside one.
            while end < count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            guard XMLInput.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<end])) else { return false }
            let from = start / page * page
            let to = end / page * page
            if to > from { _ = madvise(base + from, to - from, MADV_DONTNEED) }
            start = end
        }
        return true
    }
}

/// The bytes of a document as the XML reader gets them.
enum FeedSource: Sendable {
    case bytes([UInt8])
    case file(FeedFile)

    func withBuffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        switch self {
        case .bytes(let bytes): bytes.withUnsafeBufferPointer(body)
        case .file(let file): body(file.buffer)
        }
    }

    /// Whether the document is valid UTF-8 (a file checked without holding it whole).
    func isValidUTF8() -> Bool {
        switch self {
        case .bytes(let bytes): bytes.withUnsafeBufferPointer(XMLInput.isValidUTF8)
        case .file(let file): file.isValidUTF8()
        }
    }

    /// Tells the source that its first `offset` bytes are behind the parser.
    func consumed(upTo offset: Int) {
        if case .file(let file) = self { file.release(upTo: offset) }
    }
}
