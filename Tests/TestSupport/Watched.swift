import PharosCore

/// A value a test waits on: `until` returns once the value meets a condition, so a test
/// waits for what the code under test did rather than for time to pass.
public final class Watched<Value: Sendable>: Sendable {
    private struct Waiter {
        var condition: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var value: Value
        var waiters: [Waiter] = []
    }

    private let state: Shared<State>

    public init(_ value: Value) { state = Shared(State(value: value)) }

    public var value: Value { state.value.value }

    /// Changes the value and wakes the waiters whose condition it now meets.
    public func update(_ body: (inout Value) -> Void) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            body(&state.value)
            let value = state.value
            defer { state.waiters.removeAll { $0.condition(value) } }
            return state.waiters.filter { $0.condition(value) }.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }

    /// Returns once the value meets `condition` (at once if it does).
    public func until(_ condition: @escaping @Sendable (Value) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let met = state.withLock { state in
                if condition(state.value) { return true }
                state.waiters.append(Waiter(condition: condition, continuation: continuation))
                return false
            }
            if met { continuation.resume() }
        }
    }
}
