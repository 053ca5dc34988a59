import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import Testing

/// A source whose polls wait until the test lets them finish, counting how many run at once.
struct GatedSource: Source {
    static let typeName = "gated"
    struct Counts {
        var started = 0
        var running = 0
        var mostAtOnce = 0
    }

    let counts = Shared(Counts())
    let open = Shared(false)

    init() {}
    init(configuration: PluginConfiguration) throws {}

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        counts.withLock { counts in
            counts.started += 1
            counts.running += 1
            counts.mostAtOnce = max(counts.mostAtOnce, counts.running)
        }
        while !open.value { try await Task.sleep(for: .milliseconds(5)) }
        counts.withLock { $0.running -= 1 }
        return PollResult(items: [])
    }
}

@Suite struct Scheduling {
    @Test func theDaemonRunsABoundedNumberOfPollsAtOnceAndStillPollsEverySource() async throws {
        let source = GatedSource()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-scheduler-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let sources = (0..<40).map { ConfiguredSource(name: "feed\($0)", type: "gated", every: .seconds(60), source: source) }
        let config = PharosConfig(
            file: state, stateDirectory: state, sources: sources, sinks: [], rules: [],
            evaluator: try CompiledRules(rules: [], vocabulary: Vocabulary()))
        let engine = Engine(config: config, store: try StateStore(directory: state), logger: Logger(label: "test"))
        let daemon = Task { try await engine.run() }
        defer { daemon.cancel() }
        // First polls are spread over two seconds: by three, every source is due.
        try await Task.sleep(for: .seconds(3))
        let held = source.counts.value
        #expect(held.started == 32, "every slot taken, the other sources wait")
        source.open.withLock { $0 = true }
        while source.counts.value.started < 40 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(source.counts.value.mostAtOnce == 32)
    }
}
