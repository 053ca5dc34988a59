import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A scratch folder for scripts and the files they write.
public struct Scratch: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes an executable script and returns its path.
    @discardableResult
    public func script(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func read(_ name: String) -> String? { try? String(contentsOfFile: path(name), encoding: .utf8) }

    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    public func touch(_ name: String) { _ = FileManager.default.createFile(atPath: path(name), contents: Data()) }
}

/// Whether process `pid` is no longer running: gone, or a zombie waiting for a parent that is
/// not us (a grandchild re-parented to init).
public func processIsGone(_ pid: Int32) -> Bool {
    if kill(pid, 0) != 0 { return errno == ESRCH }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}

/// Whether our own child `pid` was reaped: no process entry left at all, not even a zombie.
public func wasReaped(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 && errno == ESRCH
}

/// Waits (bounded) until `condition` holds; the bound only guards against a hang.
public func eventually(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
}
