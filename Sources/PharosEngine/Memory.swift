import Foundation
import PharosCore
import PharosSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How the daemon keeps its resident memory small: glibc's allocator tuned once at start-up,
/// freed heap handed back to the system after work, and the executable's start-up pages
/// given back once start-up is over.
public enum MemoryTuning {
    /// Call first thing in `main`, before any thread starts.
    ///
    /// glibc gives each thread that allocates its own arena (up to eight per core), and
    /// memory freed in one arena is never reused by another: a daemon whose work hops between
    /// the cooperative pool, SQLite's queues and the curl thread ended up with a dozen
    /// half-empty arenas (26 of its 40 MB of heap in two of them). Two arenas are enough for
    /// a process that is idle most of the time (one made a burst of new items cost 13% more
    /// CPU). Fixed mmap and trim thresholds keep buffers of a megabyte or more out of the
    /// arenas, where they would pin the pages around them; glibc would otherwise raise both
    /// thresholds (up to 32 MB) as such buffers are freed.
    public static func configureAllocator() {
        guard let mallopt = Allocator.mallopt else { return }
        _ = mallopt(Allocator.arenaMax, 2)
        _ = mallopt(Allocator.mmapThreshold, 1024 * 1024)
        _ = mallopt(Allocator.trimThreshold, 1024 * 1024)
    }

    /// Returns the free pages inside the heap to the system: `free` only ever trims the top
    /// of the heap, so a burst of work leaves it at its high-water mark.
    public static func releaseFreeHeap() {
        _ = Allocator.mallocTrim?(0)
    }

    /// Hands back the pages mapped from files (the executable's code and data, and the shared
    /// libraries') now; returns how many bytes were advised.
    ///
    /// Start-up (argument parsing, YAML, the vocabulary and rule compilation, migrations, the
    /// first round of polls) runs code and reads tables that the steady state never touches
    /// again, but the pages stay mapped, and the kernel maps up to 16 neighbours with every
    /// page it faults in: 21 MB of the 28 MB of code stayed resident, of which about 7 MB are
    /// used while polling. The shared libraries are the same story: Debian's libcurl loads
    /// GnuTLS, Kerberos and LDAP libraries whose pages are touched once, when they are linked.
    ///
    /// Mappings that hold only the file's pages (read-only, nothing copied on write: code,
    /// read-only data) are dropped from this process's page tables (`MADV_DONTNEED`; what is
    /// used comes back from the file on the next touch), and the file's cached pages that no
    /// process maps any more are then dropped from the page cache (`POSIX_FADV_DONTNEED`).
    /// Both steps are needed: `MADV_PAGEOUT` alone was seen to unmap only part of the pages
    /// (pages still in a CPU's LRU batch are skipped) and to leave most of those it unmapped
    /// in the page cache, from where fault-around mapped them all back within seconds. With
    /// random-access advice on the mapping, a page touched later comes back alone, without
    /// read-ahead. Pages written at start-up (relocations) are this process's own data, and
    /// a read-only mapping often holds some between the file's pages (a library's relocated
    /// pointers next to its symbol tables): there only the runs of pages `/proc/self/pagemap`
    /// shows as the file's are dropped. Writable mappings only get `MADV_PAGEOUT`, which never
    /// discards anything (without swap it leaves their written pages alone). Pages other
    /// processes map stay in the page cache for them.
    @discardableResult
    public static func releaseStartupPages() -> Int {
        #if os(Linux)
        guard let smaps = readSmaps() else { return 0 }
        var advised = 0
        var descriptors: [String: Int32] = [:]
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        defer {
            for descriptor in descriptors.values where descriptor >= 0 { close(descriptor) }
            if pagemap >= 0 { close(pagemap) }
        }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        for mapping in FileMapping.parse(smaps) {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            _ = madvise(address, mapping.length, MADV_RANDOM)
            if mapping.writable {
                if madvise(address, mapping.length, Allocator.pageOut) == 0 { advised += mapping.length }
                continue
            }
            let runs = mapping.privateCopiesKiB == 0
                ? [0..<mapping.length]
                : filePageRuns(of: mapping, pageSize: pageSize, pagemap: pagemap)
            for run in runs where madvise(address + run.lowerBound, run.count, MADV_DONTNEED) == 0 {
                advised += run.count
                // At once, before the threads still running fault the range back in (and, by
                // fault-around, its cached neighbours with it).
                let descriptor = descriptors[mapping.path] ?? open(mapping.path, O_RDONLY | O_CLOEXEC)
                descriptors[mapping.path] = descriptor
                if descriptor >= 0 {
                    _ = posix_fadvise(descriptor, off_t(mapping.offset) + off_t(run.lowerBound), off_t(run.count), POSIX_FADV_DONTNEED)
                }
            }
        }
        return advised
        #else
        return 0
        #endif
    }

    /// The files whose mappings ``releaseStartupPages()`` walks: every file `/proc/self/smaps`
    /// lists, the shared libraries as well as the executable.
    package static func mappedFiles() -> Set<String> {
        #if os(Linux)
        Set(FileMapping.parse(readSmaps() ?? "").map(\.path))
        #else
        []
        #endif
    }

    /// The whole of /proc/self/smaps. Foundation's `String(contentsOfFile:)` stops after its
    /// first read there (proc files report a size of 0): that was the first 4 KB, the
    /// executable's own mappings, so no shared library's pages were ever handed back.
    private static func readSmaps() -> String? {
        FileIO.readAll("/proc/self/smaps").map { String(decoding: $0, as: UTF8.self) }
    }

    #if os(Linux)
    /// The byte ranges (from the mapping's start) of `mapping`'s resident pages that are the
    /// file's own, not copies this process wrote; none when the page map cannot be read.
    private static func filePageRuns(of mapping: FileMapping, pageSize: Int, pagemap: Int32) -> [Range<Int>] {
        guard pagemap >= 0, pageSize > 0 else { return [] }
        let count = mapping.length / pageSize
        var entries = [UInt64](repeating: 0, count: count)
        let wanted = count * MemoryLayout<UInt64>.size
        let read = entries.withUnsafeMutableBytes { pread(pagemap, $0.baseAddress, wanted, off_t(mapping.start / UInt(pageSize)) * 8) }
        guard read == wanted else { return [] }
        // Bit 63: present; bit 61: a page of the file (or shared), not an anonymous copy.
        var runs: [Range<Int>] = []
        var runStart: Int?
        for index in 0...count {
            let filePage = index < count && entries[index] >> 63 & 1 == 1 && entries[index] >> 61 & 1 == 1
            if filePage, runStart == nil { runStart = index }
            if !filePage, let start = runStart {
                runs.append(start * pageSize..<index * pageSize)
                runStart = nil
            }
        }
        return runs
    }
    #endif

    /// A mapping of a file, as `/proc/self/smaps` describes it.
    struct FileMapping {
        var start: UInt
        var length: Int
        /// Where in the file the mapping starts.
        var offset: UInt
        var writable: Bool
        var path: String
        /// Pages of the mapping that are this process's copies (written since mapped), in KiB.
        var privateCopiesKiB = 0

        /// The private mappings of regular files in `smaps`; a mapping whose `Anonymous:` line
        /// is missing counts as holding copies.
        static func parse(_ smaps: String) -> [FileMapping] {
            var mappings: [FileMapping] = []
            var current: FileMapping?
            for line in smaps.split(separator: "\n") {
                if let first = line.first, first.isHexDigit, line.utf8.contains(UInt8(ascii: "-")) {
                    if let current { mappings.append(current) }
                    current = nil
                    // address perms offset device inode path
                    let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                    guard fields.count == 6 else { continue }
                    let path = fields[5].drop(while: { $0 == " " })
                    guard path.hasPrefix("/"), !path.hasPrefix("/dev/"), !path.hasSuffix(" (deleted)") else { continue }
                    let bounds = fields[0].split(separator: "-")
                    guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                          end > start, let offset = UInt(fields[2], radix: 16) else { continue }
                    // Shared mappings (SQLite's -shm index) are other processes' pages too.
                    guard fields[1].utf8.last == UInt8(ascii: "p") else { continue }
                    current = FileMapping(start: start, length: Int(end - start), offset: offset, writable: fields[1].utf8.contains(UInt8(ascii: "w")),
                                          path: String(path), privateCopiesKiB: Int.max)
                } else if line.hasPrefix("Anonymous:"), current != nil {
                    let value = line.dropFirst("Anonymous:".count).split(separator: " ").first
                    current?.privateCopiesKiB = value.flatMap { Int($0) } ?? Int.max
                }
            }
            if let current { mappings.append(current) }
            return mappings
        }
    }

    /// glibc's allocator controls, declared in <malloc.h>, which Swift's Glibc module does
    /// not export: looked up at run time (absent with other C libraries, then nothing is tuned).
    private enum Allocator {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        typealias MallocTrim = @convention(c) (Int) -> Int32
        // <malloc.h>: M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX.
        static let trimThreshold: Int32 = -1
        static let mmapThreshold: Int32 = -3
        static let arenaMax: Int32 = -8
        // <sys/mman.h>: MADV_PAGEOUT (Linux 5.4; older kernels refuse it with EINVAL).
        static let pageOut: Int32 = 21

        static let mallopt: Mallopt? = symbol("mallopt")
        static let mallocTrim: MallocTrim? = symbol("malloc_trim")

        private static func symbol<Function>(_ name: String) -> Function? {
            guard let address = dlsym(nil, name) else { return nil }
            return unsafeBitCast(address, to: Function.self)
        }
    }
}
