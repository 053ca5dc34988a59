import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
}
