import Foundation
import PharosCore

/// A clock that moves only when a test says so: sleepers wake when `advance(by:)` passes
/// their deadline, so a test steps a scheduler's time instead of waiting for it. `date` is
/// the wall time at the clock's `now`, for an engine's `now`.
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        var cancelled: Set<UInt64> = []
        /// Tests waiting for sleepers, with what they wait for.
        var watchers: [(condition: @Sendable ([Instant]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Shared(State())
    private let start: Date

    public init(start: Date = Date(timeIntervalSince1970: 1_795_424_400)) { self.start = start }

    public var now: Instant { state.value.now }
    public var minimumResolution: Duration { .zero }
    /// The wall time now.
    public var date: Date {
        let (seconds, attoseconds) = state.value.now.offset.components
        return start.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in defer { state.nextID += 1 }; return state.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resume, watchers) = state.withLock { state -> (Result<Void, any Error>?, [CheckedContinuation<Void, Never>]) in
                    if state.cancelled.remove(id) != nil { return (.failure(CancellationError()), []) }
                    if deadline <= state.now { return (.success(()), []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (nil, Self.satisfied(&state))
                }
                watchers.forEach { $0.resume() }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `duration`, waking every sleeper whose deadline it reaches.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            defer { state.sleepers.removeAll { $0.deadline <= now } }
            return state.sleepers.filter { $0.deadline <= now }
        }
        woken.forEach { $0.continuation.resume() }
    }

    /// Returns once at least `count` tasks sleep on this clock: the code under test has
    /// done what it could and waits for time to pass.
    public func sleepers(atLeast count: Int) async {
        await watch { $0.count >= count }
    }

    /// Returns once a task sleeps until `deadline` (time since the clock started).
    public func sleeper(until deadline: Duration) async {
        await watch { $0.contains(Instant(offset: deadline)) }
    }

    private func watch(_ condition: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if condition(state.sleepers.map(\.deadline)) { return true }
                state.watchers.append((condition, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func satisfied(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let deadlines = state.sleepers.map(\.deadline)
        defer { state.watchers.removeAll { $0.condition(deadlines) } }
        return state.watchers.filter { $0.condition(deadlines) }.map(\.continuation)
    }
}
