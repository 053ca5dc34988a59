import Foundation
import Logging
import PharosCore
import PharosProcess

/// Runs a program that prints one JSON item per line on its standard output (README.md has
/// the protocol). `mode: poll` runs it once per poll; `mode: stream` keeps it running while
/// the engine runs the source (``run(context:)``) and returns, on each poll, the lines that
/// arrived since the last one.
public struct ExecSource: Source {
    public static let typeName = "exec"

    public enum Mode: String, Sendable {
        case poll, stream
    }

    /// The program (an absolute path) and its arguments.
    public let command: [String]
    public let mode: Mode
    /// Poll mode: the longest a run may take before its process group is killed.
    public let timeout: Duration
    /// Variables added to the program's minimal environment.
    public let environment: [String: String]
    public let workingDirectory: URL
    /// Poll mode: the most standard output one run may print. Stream mode: the longest line,
    /// and the most output held between two polls.
    public let maxBytes: Int
    /// Stream mode: the wait before the first restart of a program that ended (doubling up to 5m).
    public let restartDelay: Duration

    private let stream: StreamRunner?

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        environment = options.environmentVariables("env")
        command = options.command("command", searchPath: environment["PATH"] ?? ChildProcess.searchPath) ?? []
        let modeText = options.string("mode") ?? Mode.poll.rawValue
        mode = Mode(rawValue: modeText) ?? .poll
        if Mode(rawValue: modeText) == nil { options.problem("must be poll or stream, found '\(modeText)'", key: "mode") }
        timeout = options.duration("timeout", default: .seconds(60), minimum: .milliseconds(100))
        if mode == .stream, options.raw("timeout") != nil {
            options.problem("applies to mode: poll only (a stream program runs until it ends)", key: "timeout")
        }
        restartDelay = options.duration("restart_delay", default: .seconds(1), minimum: .milliseconds(10))
        if mode == .poll, options.raw("restart_delay") != nil {
            options.problem("applies to mode: stream only", key: "restart_delay")
        }
        workingDirectory = options.existingDirectory("working_directory") ?? options.baseDirectory
        let size = options.byteSize("max_bytes", default: 10_000_000)
        if size > 1_000_000_000 { options.problem("must be at most 1GB", key: "max_bytes") }
        maxBytes = Int(min(size, 1_000_000_000))
        try options.validate()

        if mode == .stream {
            stream = StreamRunner(process: Self.process(command, environment, workingDirectory, maxBytes),
                                  restartDelay: restartDelay, maxBytes: maxBytes)
        } else {
            stream = nil
        }
    }

    static func process(_ command: [String], _ environment: [String: String], _ directory: URL, _ maxBytes: Int) -> ChildProcess {
        var process = ChildProcess(command: command, environment: ChildProcess.environment(environment), workingDirectory: directory.path)
        process.maxOutputBytes = maxBytes
        process.maxLineBytes = maxBytes
        return process
    }

    var program: String { command.first ?? "" }

    /// Stream mode: keeps the program running (and restarts it) until the engine cancels this.
    public func run(context: PluginContext) async throws {
        await stream?.run(logger: context.logger)
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        if let stream { return try stream.take(acknowledging: state.checkpoint) }
        var process = Self.process(command, environment, workingDirectory, maxBytes)
        process.timeout = timeout
        let logger = context.logger
        let program = program
        let result: ChildProcessResult
        do {
            result = try await process.run(stderrLine: { line in logger.info("\(line.text)", metadata: ["stderr": "\(program)"]) })
        } catch let error as ChildProcessError {
            throw PollError.failure(error.description, retryable: error.isTransient)
        }
        // A run that failed contributes nothing, not even the lines it printed before failing:
        // see "When the program fails" in README.md.
        if result.timedOut {
            throw Self.failure(result, "\(program) did not finish within \(timeout.configText) and was killed")
        }
        if result.outputLimitExceeded {
            throw Self.failure(result, "\(program) printed more than max_bytes (\(maxBytes) bytes) and was killed")
        }
        if result.termination != .exited(0) {
            throw Self.failure(result, "\(program) \(result.termination)")
        }
        return PollResult(items: Self.items(from: result.stdout, logger: logger))
    }

    /// A run that failed, with the end of what it printed on standard error: the next run may
    /// do better.
    static func failure(_ result: ChildProcessResult, _ message: String) -> PollError {
        let lines = result.lastErrorLines(3)
        return .retryable(lines.isEmpty ? message : message + "; stderr: " + lines.joined(separator: " | "))
    }

    /// The items of a run's output; bad lines are skipped with a warning naming the line.
    static func items(from output: [UInt8], logger: Logger) -> [Item] {
        var items: [Item] = []
        for (index, rawLine) in output.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            switch ItemLine.parse(line) {
            case .success(let item): items.append(item)
            case .failure(let problem):
                logger.warning("skipping output line \(index + 1): \(problem)", metadata: ["line": "\(index + 1)"])
            }
        }
        return items
    }
}
