import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import PharosTestKit
import TestSupport
import Testing

/// What the gated sources of one test share: polls wait until the test opens the gate, and
/// are counted meanwhile.
final class PollGate: Sendable {
    struct Counts {
        var started = 0
        var running = 0
        var mostAtOnce = 0
        var polled: Set<String> = []
    }

    let counts = Watched(Counts())
    let open = Watched(false)
}

/// A source whose polls wait at its gate.
struct GatedSource: Source {
    static let typeName = "gated"
    let name: String
    let gate: PollGate

    init(name: String, gate: PollGate) {
        self.name = name
        self.gate = gate
    }

    init(configuration: PluginConfiguration) throws { self.init(name: configuration.name, gate: PollGate()) }

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        gate.counts.update { counts in
            counts.started += 1
            counts.running += 1
            counts.mostAtOnce = max(counts.mostAtOnce, counts.running)
            counts.polled.insert(name)
        }
        await gate.open.until { $0 }
        gate.counts.update { $0.running -= 1 }
        return PollResult(items: [])
    }
}

/// A source that notes when it was polled (on the test clock) and fails when told to.
struct TimedSource: Source {
    static let typeName = "timed"
    let clock: TestClock
    let polls = Watched<[Date]>([])
    let failing = Shared(false)

    init(clock: TestClock) { self.clock = clock }
    init(configuration: PluginConfiguration) throws { throw ScriptedError(message: "built by tests only") }

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        polls.update { $0.append(clock.date) }
        if failing.value { throw ScriptedError(message: "refused") }
        return PollResult(items: [])
    }
}

private func engine(_ sources: [ConfiguredSource], clock: TestClock, random: RandomSource,
                    store: any StateStore = MemoryStateStore()) throws -> Engine {
    let file = URL(fileURLWithPath: "/nonexistent/pharos.yaml")
    let config = PharosConfig(
        file: file, stateDirectory: file.deletingLastPathComponent(), sources: sources, sinks: [], rules: [],
        evaluator: try CompiledRules(rules: [], vocabulary: Vocabulary()))
    return Engine(config: config, store: store, logger: Logger(label: "test"), now: { [clock] in clock.date }, clock: clock,
                  random: random)
}

@Suite struct Scheduling {
    @Test(.timeLimit(.minutes(1))) func theDaemonRunsABoundedNumberOfPollsAtOnceAndStillPollsEverySource() async throws {
        let gate = PollGate()
        let clock = TestClock()
        // Polled every millisecond: all 40 are due at once from the start, and again at once.
        let sources = (0..<40).map {
            ConfiguredSource(name: "feed\($0)", type: "gated", every: .milliseconds(1), source: GatedSource(name: "feed\($0)", gate: gate))
        }
        let engine = try engine(sources, clock: clock, random: middle)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await engine.run() }
            await gate.counts.until { $0.started == 32 }
            // The scheduler waits: with every slot taken it started no other poll.
            await clock.sleepers(atLeast: 1)
            #expect(gate.counts.value.started == 32, "every slot taken, the other sources wait")
            gate.open.update { $0 = true }
            await gate.counts.until { $0.polled.count == 40 }
            #expect(gate.counts.value.mostAtOnce <= 32)
            group.cancelAll()
        }
    }

    /// The scheduler's decisions, read from when it next sleeps until: `every` less the
    /// jitter after a success, the retry backoff (less its jitter) after each failure, and
    /// `every` again after a recovery.
    @Test(.timeLimit(.minutes(1))) func aSourceIsPolledEveryIntervalAndBacksOffWhileItFails() async throws {
        let clock = TestClock()
        let source = TimedSource(clock: clock)
        // The least of every range: first poll at once, `every` × 0.9, backoff × 0.8.
        let lowest = RandomSource { $0.lowerBound }
        let engine = try engine([ConfiguredSource(name: "wire", type: "timed", every: .seconds(120), source: source)], clock: clock, random: lowest)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            await source.polls.until { $0.count == 1 }
            // Poll statuses are written at most once a second: the first waits for that second.
            await clock.sleeper(until: .seconds(1))
            clock.advance(by: .seconds(1))
            await clock.sleeper(until: .seconds(108))
            source.failing.withLock { $0 = true }
            clock.advance(by: .seconds(107))
            await source.polls.until { $0.count == 2 }
            // Backoff base: the least of `every` and 30 s.
            await clock.sleeper(until: .seconds(108 + 24))
            clock.advance(by: .seconds(24))
            await source.polls.until { $0.count == 3 }
            await clock.sleeper(until: .seconds(132 + 48))
            source.failing.withLock { $0 = false }
            clock.advance(by: .seconds(48))
            await source.polls.until { $0.count == 4 }
            await clock.sleeper(until: .seconds(180 + 108))
            #expect(source.polls.value.map { $0.timeIntervalSince(source.polls.value[0]) } == [0, 108, 132, 180])
            let wire = try #require(try await engine.store.health().sources.first)
            #expect(wire.consecutiveFailures == 0 && wire.lastSuccess == clock.date)
            group.cancelAll()
        }
    }

    /// A restart (or a reload) keeps the next poll a previous run recorded, so it does not
    /// poll every source at once.
    @Test(.timeLimit(.minutes(1))) func aRestartKeepsTheRecordedSchedule() async throws {
        let clock = TestClock()
        let source = TimedSource(clock: clock)
        let store = MemoryStateStore()
        let status = PollStatus(source: "wire", error: nil, polled: clock.date.addingTimeInterval(-70), nextPoll: clock.date.addingTimeInterval(50))
        try await store.record([PollRecord(status: status)], now: clock.date)
        let engine = try engine([ConfiguredSource(name: "wire", type: "timed", every: .seconds(120), source: source)], clock: clock,
                                random: RandomSource { $0.lowerBound }, store: store)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await engine.run() }
            await clock.sleeper(until: .seconds(50))
            #expect(source.polls.value.isEmpty, "not polled at once, as a first start would")
            clock.advance(by: .seconds(50))
            await source.polls.until { $0.count == 1 }
            #expect(source.polls.value.first == status.nextPoll)
            group.cancelAll()
        }
    }
}
