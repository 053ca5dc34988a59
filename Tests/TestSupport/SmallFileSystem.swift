import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs, when this process may mount one (root); unmounted when the value goes away.
/// For running out of disk space on purpose.
public final class SmallFileSystem {
    public let mountPoint: URL

    /// Whether this process may mount one.
    public static let canMount: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")

    public init?(kilobytes: Int) {
        mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-tmpfs-\(UUID().uuidString)")
        guard Self.canMount,
              (try? FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)) != nil,
              Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", mountPoint.path])
        else { return nil }
    }

    /// Fills the file system with one file until writes fail.
    public func fill() throws -> URL {
        let filler = mountPoint.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        return filler
    }

    deinit {
        _ = Self.run("/bin/umount", ["-l", mountPoint.path])
    }

    private static func run(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
