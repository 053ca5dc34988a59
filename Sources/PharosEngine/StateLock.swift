import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An exclusive lock on a state directory, so two daemons never deliver the same outbox.
public final class StateLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock or throws naming the directory; released when the process exits.
    public init(directory: URL) throws {
        try SQLiteStateStore.makePrivateDirectory(directory)
        let path = directory.appendingPathComponent("pharos.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StateLockError.cannotOpen(path, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StateLockError.held(directory.path)
        }
    }

    deinit { close(descriptor) }
}

/// Why the state directory could not be locked.
public enum StateLockError: Error, CustomStringConvertible {
    case cannotOpen(String, String)
    case held(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open lock file \(path): \(reason)"
        case .held(let directory): "another pharos process is running with the state directory \(directory)"
        }
    }
}
