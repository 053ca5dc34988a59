import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
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

    let counts = Shared(Counts())
    let open = Shared(false)
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
        gate.counts.withLock { counts in
            counts.started += 1
            counts.running += 1
            counts.mostAtOnce = max(counts.mostAtOnce, counts.running)
            counts.polled.insert(name)
        }
        defer { gate.counts.withLock { $0.running -= 1 } }
        while !gate.open.value { try await Task.sleep(for: .milliseconds(5)) }
        return PollResult(items: [])
    }
}

@Suite struct Scheduling {
    @Test(.timeLimit(.minutes(1))) func theDaemonRunsABoundedNumberOfPollsAtOnceAndStillPollsEverySource() async throws {
        let gate = PollGate()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-scheduler-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        // Polled every millisecond: all 40 are due at once from the start, and again at once.
        let sources = (0..<40).map {
            ConfiguredSource(name: "feed\($0)", type: "gated", every: .milliseconds(1), source: GatedSource(name: "feed\($0)", gate: gate))
        }
        let config = PharosConfig(
            file: state, stateDirectory: state, sources: sources, sinks: [], rules: [],
            evaluator: try CompiledRules(rules: [], vocabulary: Vocabulary()))
        let engine = Engine(config: config, store: try SQLiteStateStore(directory: state), logger: Logger(label: "test"))
        let daemon = Task { try await engine.run() }
        defer { daemon.cancel() }
        while gate.counts.value.started < 32 { try await Task.sleep(for: .milliseconds(10)) }
        // Time for an unbounded scheduler to start the rest; no poll can finish meanwhile.
        try await Task.sleep(for: .milliseconds(200))
        #expect(gate.counts.value.started == 32, "every slot taken, the other sources wait")
        gate.open.withLock { $0 = true }
        while gate.counts.value.polled.count < 40 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(gate.counts.value.mostAtOnce <= 32)
    }
}
