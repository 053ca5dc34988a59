import ExecSource
import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import ServiceLifecycle
import TestSupport
import Testing

/// Records when each plugin's `run(context:)` starts and ends.
final class Lifetimes: Sendable {
    let started = Watched<Set<String>>([])
    let ended = Shared<Set<String>>([])

    /// What a plugin's `run` does here: live until cancelled.
    func live(_ name: String) async {
        started.update { _ = $0.insert(name) }
        try? await Task.sleep(for: .seconds(3600))
        ended.withLock { _ = $0.insert(name) }
    }
}

struct LivingSource: Source {
    static let typeName = "living"
    let lifetimes: Lifetimes
    init(_ lifetimes: Lifetimes) { self.lifetimes = lifetimes }
    init(configuration: PluginConfiguration) throws { lifetimes = Lifetimes() }
    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult { PollResult(items: []) }
    func run(context: PluginContext) async throws { await lifetimes.live("source") }
}

struct LivingSink: Sink {
    static let typeName = "living"
    let lifetimes: Lifetimes
    init(_ lifetimes: Lifetimes) { self.lifetimes = lifetimes }
    init(configuration: PluginConfiguration) throws { lifetimes = Lifetimes() }
    func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {}
    func run(context: PluginContext) async throws { await lifetimes.live("sink") }
}

@Suite struct PluginLifecycle {
    func engine(sources: [ConfiguredSource], sinks: [ConfiguredSink] = []) throws -> Engine {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-lifecycle-\(UUID().uuidString)")
        let config = PharosConfig(file: state, stateDirectory: state, sources: sources, sinks: sinks, rules: [],
                                  evaluator: try CompiledRules(rules: [], vocabulary: Vocabulary()))
        return Engine(config: config, store: MemoryStateStore(), logger: Logger(label: "test"))
    }

    /// Runs `engine` in a service group until `body` returns, then shuts the group down
    /// gracefully and waits for it to end.
    func inServiceGroup(_ engine: Engine, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [.init(service: engine)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func everyPluginRunsFromStartToGracefulShutdown() async throws {
        let lifetimes = Lifetimes()
        let engine = try engine(sources: [ConfiguredSource(name: "news", type: "living", every: .seconds(60), source: LivingSource(lifetimes))],
                                sinks: [ConfiguredSink(name: "out", type: "living", sink: LivingSink(lifetimes))])
        try await inServiceGroup(engine) {
            await lifetimes.started.until { $0.count == 2 }
            #expect(lifetimes.started.value == ["source", "sink"])
            #expect(lifetimes.ended.value.isEmpty, "running while the engine runs")
        }
        #expect(lifetimes.ended.value == ["source", "sink"], "ended before the group returned")
    }

    @Test func runOnceRunsThePluginsForItsPassOnly() async throws {
        let lifetimes = Lifetimes()
        let engine = try engine(sources: [ConfiguredSource(name: "news", type: "living", every: .seconds(60), source: LivingSource(lifetimes))])
        #expect(await engine.runOnce().succeeded)
        #expect(lifetimes.ended.value == lifetimes.started.value, "whatever started has ended when runOnce returns")
    }

    @Test func theExecStreamProgramIsGoneAfterShutdown() async throws {
        let scratch = try Scratch()
        try scratch.script("stream.sh", #"""
            #!/bin/sh
            echo $$ > "$(dirname "$0")/pid.tmp" && mv "$(dirname "$0")/pid.tmp" "$(dirname "$0")/pid"
            echo '{"id": "one", "title": "a streamed item"}'
            exec sleep 300
            """#)
        let location = SourceLocation(file: "test.yaml", line: 1, column: 1)
        func scalar(_ text: String) -> ConfigNode { ConfigNode(.scalar(text, quoted: false), location: location, path: text) }
        let options = OptionReader(node: ConfigNode(.mapping([
            (key: scalar("command"), value: ConfigNode(.sequence([scalar("./stream.sh")]), location: location, path: "command")),
            (key: scalar("mode"), value: scalar("stream")),
        ]), location: location, path: ""), baseDirectory: scratch.url, what: "exec source 'stream'")
        let source = try ExecSource(configuration: PluginConfiguration(name: "stream", options: options))
        let engine = try engine(sources: [ConfiguredSource(name: "stream", type: "exec", every: .seconds(3600), source: source)])
        var pid: Int32?
        try await inServiceGroup(engine) {
            try await eventually {
                pid = Int32(scratch.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
                return pid != nil
            }
            #expect(pid.map { !processIsGone($0) } == true, "the program runs while the engine does")
        }
        let stopped = try #require(pid)
        #expect(wasReaped(stopped), "stopped and reaped before the group returned")
    }
}
