import Foundation

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

    /// Asks the kernel to reclaim the pages mapped from files (the executable's code and data,
    /// and the shared libraries') now; returns how many bytes were advised.
    ///
    /// Start-up (argument parsing, YAML, the vocabulary and rule compilation, migrations, the
    /// first round of polls) runs code and reads tables that the steady state never touches
    /// again, but the pages stay mapped, and the kernel maps up to 16 neighbours with every
    /// page it faults in: 21 MB of the 28 MB of code stayed resident, of which about 7 MB are
    /// used while polling. The shared libraries are the same story: Debian's libcurl loads
    /// GnuTLS, Kerberos and LDAP libraries whose pages are touched once, when they are linked.
    /// These are clean pages of files: reclaiming them frees them, and the ones still in use
    /// come back from the file as they are touched. Random access advice on the mapping then
    /// brings back only the pages touched, not their neighbours. The kernel leaves alone pages
    /// another process maps as well (the C library, another `pharos` command). In the
    /// writable data segments only the pages never written are the file's; the pages written
    /// at start-up (relocations, globals) belong to the process and stay resident unless the
    /// machine has swap.
    @discardableResult
    public static func releaseStartupPages() -> Int {
        #if os(Linux)
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return 0 }
        var advised = 0
        for line in maps.split(separator: "\n") {
            // address perms offset device inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].drop(while: { $0 == " " })
            guard path.hasPrefix("/"), !path.hasPrefix("/dev/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            let length = Int(end - start)
            _ = madvise(address, length, MADV_RANDOM)
            if madvise(address, length, Allocator.pageOut) == 0 { advised += length }
        }
        return advised
        #else
        return 0
        #endif
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
