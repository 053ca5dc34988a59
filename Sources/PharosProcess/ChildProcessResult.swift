import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildTermination: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signaled(let signal): "was killed by signal \(signal) (\(Self.signalName(signal)))"
        }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGPIPE: "SIGPIPE"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        default: "signal \(signal)"
        }
    }

    /// Decodes a `waitpid` status (the `W*` macros are not visible from Swift).
    init(waitStatus status: Int32) {
        if status & 0x7F == 0 {
            self = .exited((status >> 8) & 0xFF)
        } else {
            self = .signaled(status & 0x7F)
        }
    }
}

/// One line a child printed, without its line end.
public struct ChildOutputLine: Sendable {
    /// 1-based position among the lines of that stream in this run of the program.
    public var number: Int
    /// The bytes of the line; cut at the line limit when ``truncated``.
    public var bytes: [UInt8]
    /// The line was longer than the limit and the rest was dropped.
    public var truncated: Bool

    public init(number: Int, bytes: [UInt8], truncated: Bool) {
        self.number = number
        self.bytes = bytes
        self.truncated = truncated
    }

    /// The line as text (invalid UTF-8 replaced).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// What a finished child did.
public struct ChildProcessResult: Sendable {
    public var processID: Int32
    /// How the program itself (the process group leader) ended.
    public var termination: ChildTermination
    /// The timeout expired and the process group was killed.
    public var timedOut: Bool
    /// The run was cancelled (task cancellation or a ``ChildStopSignal``) and the group killed.
    public var cancelled: Bool
    /// Standard output went over ``ChildProcess/maxOutputBytes``; the excess was dropped.
    public var outputLimitExceeded: Bool
    /// Standard output, unless it was delivered line by line.
    public var stdout: [UInt8]
    /// The last ``ChildProcess/maxErrorBytes`` of standard error.
    public var stderrTail: [UInt8]
    /// Standard error was longer than what ``stderrTail`` keeps.
    public var stderrTruncated: Bool

    /// Exit status 0, and neither a timeout, a cancellation nor an output limit.
    public var succeeded: Bool { termination == .exited(0) && !timedOut && !cancelled && !outputLimitExceeded }

    /// The last `count` non-empty lines of standard error, each cut to `maxLength` characters.
    public func lastErrorLines(_ count: Int = 3, maxLength: Int = 300) -> [String] {
        let lines = stderrTail.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        return lines.filter { !$0.isEmpty }.suffix(count).map { $0.count > maxLength ? String($0.prefix(maxLength)) + "…" : $0 }
    }
}

/// Why a program could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var program: String
    public var operation: String
    public var code: Int32

    public init(program: String, operation: String, code: Int32) {
        self.program = program
        self.operation = operation
        self.code = code
    }

    public var description: String { "cannot \(operation) \(program): \(String(cString: strerror(code)))" }

    /// The system was short of something (processes, memory, descriptors) or the file was busy:
    /// trying again later may work. A missing or non-executable program is not transient.
    public var isTransient: Bool {
        [EAGAIN, ENOMEM, EMFILE, ENFILE, ETXTBSY, EINTR].contains(code)
    }
}

/// Wakes a running child's I/O loop and makes it kill the child; once fired it stays fired.
public final class ChildStopSignal: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32
    private let fired = Atomic<Bool>(false)

    public init() throws(ChildProcessError) {
        let ends = try makePipe(program: "the stop signal")
        readEnd = ends.read
        writeEnd = ends.write
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
    }

    /// Asks the loop to stop; safe from any thread, any number of times.
    public func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    public var isFired: Bool { fired.load(ordering: .acquiring) }

    /// A descriptor that becomes readable once ``fire()`` was called.
    var descriptor: Int32 { readEnd }

    /// Sleeps until `duration` passed or the signal fired; returns false when it fired.
    /// Blocks the calling thread: only for threads the caller owns.
    public func sleep(for duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        while !isFired {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return true }
            var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, milliseconds(left))
        }
        return false
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
