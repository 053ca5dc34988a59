import Foundation
import Logging
import PharosCore
import PharosProcess
import Synchronization

/// Keeps a `mode: stream` program running while the source's `run(context:)` runs,
/// restarting it with backoff when it ends, and holds the items it printed until a poll has
/// handed them over *and* the engine has stored them. Cancelling `run` (graceful shutdown, a
/// reload) stops the program: SIGTERM to its group, SIGKILL after the grace period, reaped
/// before `run` returns.
///
/// Acknowledgement goes through the poll checkpoint: a poll returns the pending items with a
/// ``Cursor`` (this runner's generation and the last sequence); the engine stores it in the
/// same transaction as the items, and the next poll drops what it covers. If storing failed,
/// the next poll sees the older checkpoint and returns the same items again.
final class StreamRunner: Sendable {
    struct Pending: Sendable {
        var sequence: Int
        var item: Item
        var size: Int
    }

    struct State: Sendable {
        var pending: [Pending] = []
        var pendingBytes = 0
        var nextSequence = 1
        var runs = 0
        /// Why the program is not running now, when its last run ended abnormally.
        var failure: String?
    }

    /// The checkpoint: which items the engine has stored.
    struct Cursor: Codable, Equatable {
        var generation: String
        var sequence: Int
    }

    let process: ChildProcess
    let restartDelay: Duration
    let maxBytes: Int
    /// Distinguishes this runner's checkpoints from those of an earlier daemon or config.
    let generation = UUID().uuidString.lowercased().prefix(8).description
    let state = Mutex(State())
    static let maximumDelay = Duration.seconds(300)
    /// A run this long resets the restart delay to its base.
    static let healthyRun = Duration.seconds(60)

    init(process: ChildProcess, restartDelay: Duration, maxBytes: Int) {
        self.process = process
        self.restartDelay = restartDelay
        self.maxBytes = maxBytes
    }

    var program: String { process.command.first ?? "" }

    /// The items not yet acknowledged by `checkpoint`, with the checkpoint that acknowledges
    /// them; throws when there are none and the program is down after a failure.
    func take(acknowledging checkpoint: Checkpoint?) throws -> PollResult {
        let cursor = checkpoint?.decode(Cursor.self)
        let acknowledged = cursor?.generation == generation ? cursor?.sequence ?? 0 : 0
        return try state.withLock { state throws -> PollResult in
            if let index = state.pending.firstIndex(where: { $0.sequence > acknowledged }) {
                state.pendingBytes -= state.pending[..<index].reduce(0) { $0 + $1.size }
                state.pending.removeFirst(index)
            } else {
                state.pending.removeAll()
                state.pendingBytes = 0
            }
            if let last = state.pending.last {
                return PollResult(items: state.pending.map(\.item), checkpoint: try Checkpoint(Cursor(generation: generation, sequence: last.sequence)))
            }
            if let failure = state.failure { throw PollError.retryable(failure) }
            return PollResult(items: [])
        }
    }

    /// Runs the program, and again whenever it ends, until the task is cancelled.
    func run(logger: Logger) async {
        // Wakes a reader waiting for room in a full queue: it waits on the I/O thread, where
        // task cancellation cannot reach it.
        let stop: ChildStopSignal
        do {
            stop = try ChildStopSignal()
        } catch {
            state.withLock { $0.failure = "\(program) could not be supervised: \(error)" }
            return
        }
        await withTaskCancellationHandler {
            await supervise(stop: stop, logger: logger)
        } onCancel: {
            stop.fire()
        }
    }

    private func supervise(stop: ChildStopSignal, logger: Logger) async {
        var delay = restartDelay
        while !Task.isCancelled {
            let run = state.withLock { state in
                state.runs += 1
                state.failure = nil
                return state.runs
            }
            let started = ContinuousClock.now
            logger.debug("starting stream program", metadata: ["program": "\(program)", "run": "\(run)"])
            var ending: String
            var failed: Bool
            do {
                let result = try await process.run(
                    stdoutLine: { line in self.accept(line, run: run, stop: stop, logger: logger) },
                    stderrLine: { line in logger.info("\(line.text)", metadata: ["stderr": "\(self.program)"]) })
                ending = result.termination.description
                if let last = result.lastErrorLines(1).last { ending += ": \(last)" }
                failed = result.termination != .exited(0)
            } catch is CancellationError {
                break
            } catch {
                ending = "could not be started: \(error)"
                failed = true
            }
            if Task.isCancelled { break }
            if started.duration(to: .now) >= Self.healthyRun { delay = restartDelay }
            if failed { state.withLock { $0.failure = "\(program) \(ending)" } }
            logger.warning("stream program ended; restarting it", metadata: [
                "program": "\(program)", "run": "\(run)", "status": "\(ending)", "restart_in": "\(delay.configText)",
            ])
            do { try await Task.sleep(for: delay) } catch { break }
            delay = min(delay * 2, Self.maximumDelay)
        }
    }

    /// One line from the program (on its I/O thread): parsed, then queued, waiting while the
    /// queue is full, so a fast program is slowed down rather than losing items.
    private func accept(_ line: ChildOutputLine, run: Int, stop: ChildStopSignal, logger: Logger) {
        if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        if line.truncated {
            logger.warning("skipping output line: longer than max_bytes", metadata: ["line": "\(line.number)", "run": "\(run)"])
            return
        }
        let item: Item
        switch ItemLine.parse(line.bytes) {
        case .success(let parsed): item = parsed
        case .failure(let problem):
            logger.warning("skipping output line \(line.number): \(problem)", metadata: ["line": "\(line.number)", "run": "\(run)"])
            return
        }
        while !stop.isFired {
            let queued = state.withLock { state -> Bool in
                guard state.pending.isEmpty || state.pendingBytes + line.bytes.count <= maxBytes else { return false }
                state.pending.append(Pending(sequence: state.nextSequence, item: item, size: line.bytes.count))
                state.nextSequence += 1
                state.pendingBytes += line.bytes.count
                return true
            }
            if queued { return }
            _ = stop.sleep(for: .milliseconds(50))
        }
    }
}
