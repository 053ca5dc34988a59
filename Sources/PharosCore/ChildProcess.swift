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

/// Runs a program directly (argv, no shell) with a clean environment, captures its output and
/// always reaps it.
///
/// - The child gets exactly ``environment`` (see ``environment(_:home:)``): never the daemon's,
///   which may hold secrets.
/// - It runs in a process group of its own. A timeout or a cancellation sends SIGTERM to the
///   whole group, then SIGKILL after ``killGracePeriod``. When the program exits, whatever it
///   left behind in its group is terminated the same way: a plugin run never outlives itself.
/// - I/O is driven by `poll(2)` on a dedicated thread (never on Swift's cooperative pool), and
///   the child is reaped with `waitpid` before any run method returns.
/// - Standard input is ``input`` (or `/dev/null` when empty); all other descriptors are closed.
public struct ChildProcess: Sendable {
    /// The `PATH` children get unless their environment sets one.
    public static let searchPath = "/usr/local/bin:/usr/bin:/bin"

    /// A minimal environment: `PATH` (``searchPath``), `LANG=C.UTF-8`, `HOME` only when given,
    /// then `extra` on top.
    public static func environment(_ extra: [String: String] = [:], home: String? = nil) -> [String: String] {
        var environment = ["PATH": searchPath, "LANG": "C.UTF-8"]
        if let home { environment["HOME"] = home }
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// The program's path and its arguments; `command[0]` is run and passed as `argv[0]`.
    public var command: [String]
    /// Everything the child sees in its environment.
    public var environment: [String: String]
    /// The child's working directory; nil keeps the daemon's.
    public var workingDirectory: String?
    /// Written to the child's standard input, which is then closed.
    public var input: [UInt8]
    /// Kill the process group when the run takes longer; nil waits for ever.
    public var timeout: Duration?
    /// How long after SIGTERM the group gets SIGKILL.
    public var killGracePeriod: Duration = .seconds(5)
    /// Standard output kept when collected; more sets ``ChildProcessResult/outputLimitExceeded``.
    public var maxOutputBytes: Int = 10_000_000
    /// Going over ``maxOutputBytes`` kills the process group (otherwise the excess is dropped).
    public var killOnOutputLimit = true
    /// Lines handed to line callbacks are cut at this length.
    public var maxLineBytes: Int = 1_000_000
    /// How much of the end of standard error is kept.
    public var maxErrorBytes: Int = 64 * 1024

    public init(
        command: [String], environment: [String: String] = ChildProcess.environment(), workingDirectory: String? = nil,
        input: [UInt8] = [], timeout: Duration? = nil
    ) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.input = input
        self.timeout = timeout
    }

    /// Runs the program to its end on a dedicated thread and returns what it printed.
    /// Cancelling the task kills the process group and throws `CancellationError`.
    /// - Parameter stderrLine: called (on the I/O thread) for each line of standard error.
    public func run(stderrLine: (@Sendable (ChildOutputLine) -> Void)? = nil) async throws -> ChildProcessResult {
        try await runOnThread(stdoutLine: nil, stderrLine: stderrLine)
    }

    /// Runs the program, handing each line of standard output to `stdoutLine` as it arrives
    /// (on the I/O thread; output is not collected). Cancellation kills the process group.
    public func run(
        stdoutLine: @escaping @Sendable (ChildOutputLine) -> Void, stderrLine: (@Sendable (ChildOutputLine) -> Void)? = nil
    ) async throws -> ChildProcessResult {
        try await runOnThread(stdoutLine: stdoutLine, stderrLine: stderrLine)
    }

    private func runOnThread(
        stdoutLine: (@Sendable (ChildOutputLine) -> Void)?, stderrLine: (@Sendable (ChildOutputLine) -> Void)?
    ) async throws -> ChildProcessResult {
        let stop = try ChildStopSignal()
        let outcome: Result<ChildProcessResult, ChildProcessError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result { () throws(ChildProcessError) -> ChildProcessResult in
                        try self.runOnCurrentThread(stop: stop, stdoutLine: stdoutLine, stderrLine: stderrLine)
                    })
                }
                thread.name = "pharos-child"
                thread.start()
            }
        } onCancel: {
            stop.fire()
        }
        let result = try outcome.get()
        if result.cancelled { throw CancellationError() }
        return result
    }

    /// Runs the program on the calling thread, which it blocks until the child is reaped: call
    /// it only from a thread of your own, never from a task. Firing `stop` kills the group.
    /// - Parameters:
    ///   - stdoutLine: when given, standard output goes to it line by line and is not collected.
    ///   - stderrLine: called for each line of standard error.
    public func runOnCurrentThread(
        stop: ChildStopSignal? = nil, stdoutLine: (@Sendable (ChildOutputLine) -> Void)? = nil,
        stderrLine: (@Sendable (ChildOutputLine) -> Void)? = nil
    ) throws(ChildProcessError) -> ChildProcessResult {
        let program = command.first ?? ""
        guard !program.isEmpty else { throw ChildProcessError(program: "''", operation: "run", code: ENOENT) }
        // Writing to a child that stopped reading must give EPIPE here, not kill the daemon.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        defer {
            var zero = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &zero) == SIGPIPE {}
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }

        let spawned = try spawn(program: program)
        var loop = IOLoop(process: self, spawned: spawned, stop: stop, stdoutLine: stdoutLine, stderrLine: stderrLine)
        return loop.run()
    }

    struct Spawned {
        var pid: pid_t
        var stdin: Int32?
        var stdout: Int32
        var stderr: Int32
    }

    private func spawn(program: String) throws(ChildProcessError) -> Spawned {
        let output = try makePipe(program: program)
        let errors: (read: Int32, write: Int32)
        do {
            errors = try makePipe(program: program)
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        var inputPipe: (read: Int32, write: Int32)?
        if !input.isEmpty {
            do {
                inputPipe = try makePipe(program: program)
            } catch {
                for fd in [output.read, output.write, errors.read, errors.write] { close(fd) }
                throw error
            }
        }
        func closeAll() {
            for fd in [output.read, output.write, errors.read, errors.write, inputPipe?.read, inputPipe?.write].compactMap({ $0 }) {
                close(fd)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        if let closeFrom = SpawnExtensions.addCloseFrom {
            _ = closeFrom(&actions, 3)
        }
        if let workingDirectory {
            guard let addChdir = SpawnExtensions.addChdir else {
                closeAll()
                throw ChildProcessError(program: program, operation: "set a working directory for", code: ENOSYS)
            }
            let status = workingDirectory.withCString { addChdir(&actions, $0) }
            if status != 0 {
                closeAll()
                throw ChildProcessError(program: program, operation: "set a working directory for", code: status)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (so the whole tree can be signalled), no blocked signals, and every
        // signal at its default action: the daemon ignores SIGPIPE, which exec would pass on.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // 1...64 covers the real-time signals; glibc leaves its two internal ones (32, 33) alone.
        for signal in 1...64 where signal != SIGKILL && signal != SIGSTOP {
            sigaddset(&defaults, Int32(signal))
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = command.map { strdup($0) }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var status: Int32 = 0
        // ETXTBSY is transient when the program file was just written: a child another thread
        // spawned in that moment holds a copy of the writing descriptor until its own exec.
        for attempt in 1...5 {
            status = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
                (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                    posix_spawn(&pid, program, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
                }
            }
            guard status == ETXTBSY, attempt < 5 else { break }
            usleep(UInt32(10_000 * attempt))
        }
        close(output.write)
        close(errors.write)
        if let inputPipe { close(inputPipe.read) }
        guard status == 0 else {
            close(output.read)
            close(errors.read)
            if let inputPipe { close(inputPipe.write) }
            throw ChildProcessError(program: program, operation: "start", code: status)
        }
        for fd in [output.read, errors.read, inputPipe?.write].compactMap({ $0 }) {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        LiveGroups.add(pid)
        return Spawned(pid: pid, stdin: inputPipe?.write, stdout: output.read, stderr: errors.read)
    }
}

/// The poll(2) loop of one child: feeds stdin, reads stdout and stderr, enforces the timeout,
/// kills the group when asked, and reaps the child.
private struct IOLoop {
    let process: ChildProcess
    let pid: pid_t
    let stop: ChildStopSignal?
    let stdoutLine: (@Sendable (ChildOutputLine) -> Void)?
    let stderrLine: (@Sendable (ChildOutputLine) -> Void)?

    var stdinFD: Int32?
    var stdoutFD: Int32?
    var stderrFD: Int32?
    var inputOffset = 0

    var collected: [UInt8] = []
    var outputLimitExceeded = false
    var stdoutSplitter = LineSplitter()
    var stderrSplitter = LineSplitter()
    var stderrTail: [UInt8] = []
    var stderrTruncated = false

    var termination: ChildTermination?
    var timedOut = false
    var cancelled = false
    /// When SIGTERM went to the group, and whether SIGKILL followed.
    var terminatingSince: ContinuousClock.Instant?
    var killedAt: ContinuousClock.Instant?
    let deadline: ContinuousClock.Instant?

    init(
        process: ChildProcess, spawned: ChildProcess.Spawned, stop: ChildStopSignal?,
        stdoutLine: (@Sendable (ChildOutputLine) -> Void)?, stderrLine: (@Sendable (ChildOutputLine) -> Void)?
    ) {
        self.process = process
        pid = spawned.pid
        self.stop = stop
        self.stdoutLine = stdoutLine
        self.stderrLine = stderrLine
        stdinFD = spawned.stdin
        stdoutFD = spawned.stdout
        stderrFD = spawned.stderr
        deadline = process.timeout.map { ContinuousClock.now + $0 }
    }

    mutating func run() -> ChildProcessResult {
        var tick = Duration.milliseconds(1)
        while true {
            let now = ContinuousClock.now
            if termination == nil { reap() }
            if terminatingSince == nil {
                if stop?.isFired == true {
                    cancelled = termination == nil
                    beginTermination(now)
                } else if let deadline, now >= deadline {
                    timedOut = true
                    beginTermination(now)
                } else if termination != nil, groupAlive() {
                    // The program ended but left processes behind: they go too.
                    beginTermination(now)
                }
            }
            if let since = terminatingSince, killedAt == nil, now >= since + process.killGracePeriod {
                kill(-pid, SIGKILL)
                killedAt = now
            }
            if termination != nil {
                // Leftovers that do not hold the pipes got SIGTERM above; they are not waited for.
                if stdoutFD == nil && stderrFD == nil { break }
                // Something outside the group still holds the pipes: stop waiting for it.
                if let killedAt, now >= killedAt + .seconds(1) { break }
                if terminatingSince == nil, !groupAlive() {
                    // Only descendants that left the group hold the pipes; give them the grace period.
                    beginTermination(now)
                }
            }

            var entries: [pollfd] = []
            if let fd = stdoutFD { entries.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = stderrFD { entries.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = stdinFD { entries.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if let stop, terminatingSince == nil { entries.append(pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0)) }

            // Exits are noticed with waitpid: promptly once the pipes closed, at least every
            // 250 ms while they are open (a descendant may hold them after the program ended).
            var wait = entries.isEmpty || (stdoutFD == nil && stderrFD == nil) ? tick : .milliseconds(250)
            if stdoutFD == nil && stderrFD == nil { tick = min(tick * 2, .milliseconds(100)) }
            if let deadline, terminatingSince == nil { wait = min(wait, max(.zero, now.duration(to: deadline))) }
            if let since = terminatingSince, killedAt == nil { wait = min(wait, max(.zero, now.duration(to: since + process.killGracePeriod))) }
            if let killedAt { wait = min(wait, max(.zero, now.duration(to: killedAt + .seconds(1)))) }
            let ready = entries.withUnsafeMutableBufferPointer { buffer in
                poll(buffer.baseAddress, nfds_t(buffer.count), milliseconds(wait))
            }
            if ready <= 0 { continue }
            for entry in entries where entry.revents != 0 {
                if entry.fd == stdoutFD {
                    readAvailable(fromStdout: true)
                } else if entry.fd == stderrFD {
                    readAvailable(fromStdout: false)
                } else if entry.fd == stdinFD {
                    writeInput()
                }
            }
        }
        closeAll()
        if termination == nil {
            // Unreachable in practice (the loop waits for it); never leave a zombie.
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            termination = ChildTermination(waitStatus: status)
        }
        // A last line without a line end counts, unless the program was cut short.
        if !timedOut && !cancelled, let line = stdoutSplitter.finish() { deliverStdout(line) }
        if let line = stderrSplitter.finish() { stderrLine?(line) }
        LiveGroups.remove(pid)
        return ChildProcessResult(
            processID: pid, termination: termination ?? .signaled(SIGKILL), timedOut: timedOut, cancelled: cancelled,
            outputLimitExceeded: outputLimitExceeded, stdout: collected, stderrTail: stderrTail, stderrTruncated: stderrTruncated)
    }

    private func groupAlive() -> Bool { kill(-pid, 0) == 0 }

    private mutating func beginTermination(_ now: ContinuousClock.Instant) {
        terminatingSince = now
        kill(-pid, SIGTERM)
        // A stopped process acts on SIGTERM only once continued.
        kill(-pid, SIGCONT)
        if let fd = stdinFD {
            close(fd)
            stdinFD = nil
        }
    }

    private mutating func reap() {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            termination = ChildTermination(waitStatus: status)
        } else if result < 0 && errno == ECHILD {
            // Someone else reaped it (a SIGCHLD handler set to SIG_IGN); nothing is known.
            termination = .signaled(0)
        }
    }

    private mutating func readAvailable(fromStdout: Bool) {
        guard let fd = fromStdout ? stdoutFD : stderrFD else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        // A bounded number of reads per wakeup, so one chatty stream cannot starve the other.
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                consume(buffer[0..<count], fromStdout: fromStdout)
                if count < buffer.count { return }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                close(fd)
                if fromStdout { stdoutFD = nil } else { stderrFD = nil }
                return
            } else {
                return
            }
        }
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>, fromStdout: Bool) {
        if fromStdout {
            if stdoutLine != nil {
                for line in stdoutSplitter.feed(bytes, limit: process.maxLineBytes) { deliverStdout(line) }
            } else {
                let room = process.maxOutputBytes - collected.count
                if bytes.count > room {
                    collected.append(contentsOf: bytes.prefix(max(room, 0)))
                    if !outputLimitExceeded {
                        outputLimitExceeded = true
                        if process.killOnOutputLimit, terminatingSince == nil { beginTermination(.now) }
                    }
                } else {
                    collected.append(contentsOf: bytes)
                }
            }
        } else {
            stderrTail.append(contentsOf: bytes)
            if stderrTail.count > process.maxErrorBytes {
                stderrTail.removeFirst(stderrTail.count - process.maxErrorBytes)
                stderrTruncated = true
            }
            if let stderrLine {
                for line in stderrSplitter.feed(bytes, limit: min(process.maxLineBytes, 4096)) { stderrLine(line) }
            }
        }
    }

    private func deliverStdout(_ line: ChildOutputLine) {
        stdoutLine?(line)
    }

    private mutating func writeInput() {
        guard let fd = stdinFD else { return }
        let input = process.input
        while inputOffset < input.count {
            let count = input.withUnsafeBytes { bytes in
                write(fd, bytes.baseAddress! + inputOffset, bytes.count - inputOffset)
            }
            if count > 0 {
                inputOffset += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && errno == EAGAIN {
                return
            } else {
                break  // EPIPE: the program does not want (the rest of) its input
            }
        }
        close(fd)
        stdinFD = nil
    }

    private mutating func closeAll() {
        for fd in [stdinFD, stdoutFD, stderrFD].compactMap({ $0 }) { close(fd) }
        stdinFD = nil
        stdoutFD = nil
        stderrFD = nil
    }
}

/// The process groups of children still running, so that the daemon's own exit takes them
/// along (SIGTERM) instead of leaving a stream program behind; a SIGKILL of the daemon cannot.
private enum LiveGroups {
    static let groups = Mutex<Set<pid_t>>([])
    static let exitHook: Void = {
        atexit {
            let running = LiveGroups.groups.withLockIfAvailable { $0 } ?? []
            for group in running {
                kill(-group, SIGTERM)
                kill(-group, SIGCONT)
            }
        }
    }()

    static func add(_ group: pid_t) {
        _ = exitHook
        groups.withLock { _ = $0.insert(group) }
    }

    static func remove(_ group: pid_t) {
        groups.withLock { _ = $0.remove(group) }
    }
}

/// Splits a byte stream into lines (`\n`, with a `\r` before it dropped), cutting long ones.
struct LineSplitter {
    private var partial: [UInt8] = []
    private var partialTruncated = false
    private var count = 0

    mutating func feed(_ bytes: ArraySlice<UInt8>, limit: Int) -> [ChildOutputLine] {
        var lines: [ChildOutputLine] = []
        var rest = bytes
        while let newline = rest.firstIndex(of: 0x0A) {
            append(rest[rest.startIndex..<newline], limit: limit)
            lines.append(take())
            rest = rest[(newline + 1)...]
        }
        append(rest, limit: limit)
        return lines
    }

    /// The last line when the stream ended without a line end.
    mutating func finish() -> ChildOutputLine? {
        partial.isEmpty && !partialTruncated ? nil : take()
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, limit: Int) {
        let room = limit - partial.count
        if bytes.count > room {
            partial.append(contentsOf: bytes.prefix(max(room, 0)))
            partialTruncated = true
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func take() -> ChildOutputLine {
        count += 1
        if partial.last == 0x0D { partial.removeLast() }
        let line = ChildOutputLine(number: count, bytes: partial, truncated: partialTruncated)
        partial = []
        partialTruncated = false
        return line
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `..._addclosefrom_np` (2.34),
/// which Swift's Glibc module does not show; looked up at run time.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        return dlsym(handle, name)
    }
}

/// A pipe whose ends are close-on-exec and numbered 3 or more (so they never collide with the
/// 0/1/2 they are duplicated onto, even in a daemon started with those closed).
private func makePipe(program: String) throws(ChildProcessError) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw ChildProcessError(program: program, operation: "create a pipe for", code: errno) }
    var moved: [Int32] = []
    for fd in ends {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        let code = errno
        close(fd)
        if copy < 0 {
            for fd in moved { close(fd) }
            throw ChildProcessError(program: program, operation: "create a pipe for", code: code)
        }
        moved.append(copy)
    }
    return (moved[0], moved[1])
}

private func milliseconds(_ duration: Duration) -> Int32 {
    let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    // Round up, so a wait never ends just short of its deadline and spins.
    let rounded = ms + (duration.components.attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)
    return Int32(clamping: max(0, rounded))
}

// MARK: - Options shared by plugins that run programs

extension OptionReader {
    /// A program and its arguments, such as `command: [./fetch.py, --days, "2"]`; the first entry
    /// is resolved and checked: a path with a `/` against the config folder, a bare name in
    /// `searchPath`; it must be an executable file. Returns nil after recording the problem.
    public func command(_ key: String, searchPath: String = ChildProcess.searchPath) -> [String]? {
        guard raw(key) != nil else {
            problem("is required: the program to run and its arguments, as a list", key: key)
            return nil
        }
        guard let list = stringList(key) else { return nil }
        guard let name = list.first, !name.isEmpty else {
            problem("must name a program to run", key: key)
            return nil
        }
        guard let program = ChildProcess.resolveProgram(name, relativeTo: baseDirectory, searchPath: searchPath) else {
            if list.count == 1, name.contains(" ") {
                let words = name.split(separator: " ").joined(separator: ", ")
                problem("program '\(name)' not found; no shell splits it: give the program and its arguments as a list, [\(words)]", key: key)
            } else if name.contains("/") {
                let path = resolvePath(name, against: baseDirectory).path
                if !FileManager.default.fileExists(atPath: path) {
                    problem("program \(path) does not exist", key: key)
                } else {
                    problem("program \(path) is not an executable file", key: key)
                }
            } else {
                problem("program '\(name)' was not found in \(searchPath)", key: key)
            }
            return nil
        }
        return [program] + list.dropFirst()
    }

    /// Environment variables for a child: names of letters, digits and `_`, not starting with
    /// a digit.
    public func environmentVariables(_ key: String) -> [String: String] {
        let map = stringMap(key) ?? [:]
        for name in map.keys.sorted() where !ChildProcess.isValidVariableName(name) {
            problem("'\(name)' is not a valid environment variable name", key: key)
        }
        return map.filter { ChildProcess.isValidVariableName($0.key) }
    }

    /// A directory that must exist, resolved against the config folder.
    public func existingDirectory(_ key: String) -> URL? {
        guard let url = path(key) else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            problem("\(url.path) is not a directory", key: key)
            return nil
        }
        return url
    }
}

extension ChildProcess {
    /// The absolute path of an executable file: `name` with a `/` is taken relative to `base`
    /// (`~` expanded), a bare name is looked up in `searchPath`; nil when there is none.
    public static func resolveProgram(_ name: String, relativeTo base: URL, searchPath: String = ChildProcess.searchPath) -> String? {
        func isExecutableFile(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && access(path, X_OK) == 0
        }
        if name.contains("/") || name.hasPrefix("~") {
            let path = resolvePath(name, against: base).path
            return isExecutableFile(path) ? path : nil
        }
        for directory in searchPath.split(separator: ":") where directory.hasPrefix("/") {
            let path = "\(directory)/\(name)"
            if isExecutableFile(path) { return path }
        }
        return nil
    }

    /// Whether `name` can be an environment variable: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x5F }
    }
}
