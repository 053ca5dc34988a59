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
    private let base: UnsafeMutableRawPointer
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

    /// Tells the source that its first `offset` bytes are behind the parser.
    func consumed(upTo offset: Int) {
        if case .file(let file) = self { file.release(upTo: offset) }
    }
}
