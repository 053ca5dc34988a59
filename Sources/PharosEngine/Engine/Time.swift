import Foundation
import PharosCore
import ServiceLifecycle

/// Where the engine's jitter comes from: the system's random numbers in the daemon, a fixed
/// draw in tests.
public struct RandomSource: Sendable {
    private let draw: @Sendable (ClosedRange<Double>) -> Double

    /// - Parameter draw: a number in the range it is given.
    public init(_ draw: @escaping @Sendable (ClosedRange<Double>) -> Double) {
        self.draw = draw
    }

    public static let system = RandomSource { Double.random(in: $0) }

    /// A number in `range`.
    public func next(in range: ClosedRange<Double>) -> Double { draw(range) }
}

/// How long to wait before retrying something that failed.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// Exponential delay for the `attempt`-th consecutive failure (1-based), with ±20% jitter,
    /// never shorter than what the peer asked for in `retryAfter`.
    public func delay(attempt: Int, retryAfter: Duration? = nil, random: RandomSource = .system) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let raw = min(base.seconds * pow(2, exponent), cap.seconds)
        let jittered = raw * random.next(in: 0.8...1.2)
        return .milliseconds(Int64(max(jittered, retryAfter?.seconds ?? 0) * 1000))
    }
}

/// The engine's clock (an injected `any Clock<Duration>`) as durations since the engine
/// started: an existential clock's instants cannot be kept in a variable, durations can.
struct Timeline: Sendable {
    /// Time since the timeline started.
    let elapsed: @Sendable () -> Duration
    /// Sleeps for a duration on the clock.
    let sleep: @Sendable (Duration) async throws -> Void
    /// The system's continuous clock, whose timed waits take the cheap path (`Wakeup`).
    let isSystem: Bool

    init<C: Clock<Duration>>(_ clock: C) {
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
        isSystem = clock is ContinuousClock
    }

    static let system = Timeline(ContinuousClock())
}

/// Sleeps for `duration` on `time`, less when graceful shutdown begins or the task is
/// cancelled; false then.
func sleepUnlessShuttingDown(_ duration: Duration, on time: Timeline = .system) async -> Bool {
    await Wakeup().waitUnlessShuttingDown(timeout: duration, on: time)
}

/// Wakes one waiting task; a signal with nobody waiting is kept for the next wait.
///
/// On the system clock a wait is one continuation and a dispatch timer: the daemon's loops
/// wait every second or so, and waiting with child tasks (a sleeping one and a signalled
/// one, as `cancelWhenGracefulShutdown` does) cost three task allocations and a task group
/// each time. On an injected clock (tests) the wait races the clock's sleep instead.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Which wait the waiter belongs to, so that a late timer leaves the next one alone.
        var ticket: UInt64 = 0
    }

    private let state = Shared(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `timeout` on `time`, or on cancellation, whichever comes first.
    func wait(timeout: Duration, on time: Timeline = .system) async {
        guard time.isSystem else {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await time.sleep(timeout) }
                group.addTask { await self.waitForSignal(timeout: nil) }
                await group.next()
                group.cancelAll()
            }
            return
        }
        await waitForSignal(timeout: timeout)
    }

    /// Returns on a signal, after `timeout` of the system clock (never when nil), or on cancellation.
    private func waitForSignal(timeout: Duration?) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ticket = state.withLock { state -> UInt64? in
                    if state.pending {
                        state.pending = false
                        return nil
                    }
                    if Task.isCancelled { return nil }
                    state.ticket &+= 1
                    state.waiter = continuation
                    return state.ticket
                }
                guard let ticket else { return continuation.resume() }
                guard let timeout else { return }
                let (seconds, attoseconds) = timeout.components
                let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) {
                    self.resume(ticket: ticket)
                }
            }
        } onCancel: {
            resume(ticket: nil)
        }
    }

    /// `wait(timeout:on:)`, also woken when graceful shutdown begins; false when shutdown
    /// began or the task was cancelled.
    func waitUnlessShuttingDown(timeout: Duration, on time: Timeline = .system) async -> Bool {
        await withGracefulShutdownHandler {
            await wait(timeout: timeout, on: time)
        } onGracefulShutdown: {
            self.signal()
        }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }

    /// Resumes the waiter of wait `ticket` (of any wait when nil), if it still waits.
    private func resume(ticket: UInt64?) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard ticket == nil || ticket == state.ticket else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
