import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import Testing

/// A source whose items and failures the test controls.
struct ScriptedSource: Source {
    static let typeName = "scripted"
    let items = Shared<[Item]>([])
    let failure = Shared<String?>(nil)

    init() {}
    init(configuration: PluginConfiguration) throws {}

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        if let message = failure.value { throw ScriptedError(message: message) }
        return PollResult(items: items.value)
    }
}

struct ScriptedError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A sink that records what it got and fails as scripted.
struct RecordingSink: Sink {
    static let typeName = "recording"
    let received = Shared<[String]>([])
    let failures = Shared<[DeliveryError]>([])
    /// Sizes of the batches handed over, to see digests.
    let batches = Shared<[Int]>([])
    var digestPeriod: Duration?

    init(digestPeriod: Duration? = nil) { self.digestPeriod = digestPeriod }
    init(configuration: PluginConfiguration) throws {}

    func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        batches.withLock { $0.append(batch.count) }
        return await deliverOneByOne(batch, context: context)
    }

    func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        if let next = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw next }
        received.withLock { $0.append(delivery.alertID) }
    }
}

final class TestClock: Sendable {
    let current = Shared(Date(timeIntervalSince1970: 1_795_424_400))
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var now: @Sendable () -> Date { { self.current.value } }
}

struct EngineFixture {
    let source = ScriptedSource()
    let broken = ScriptedSource()
    let sink: RecordingSink
    let clock = TestClock()
    let engine: Engine

    init(withBrokenSource: Bool = false, digestPeriod: Duration? = nil, maxAge: Duration? = nil) throws {
        sink = RecordingSink(digestPeriod: digestPeriod)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-engine-\(UUID().uuidString)")
        var rmat = Clause()
        rmat.keywords = ["BCMA", "GPRC5D"]
        rmat.all = [{ var inner = Clause(); inner.keywords = ["RMAT"]; return inner }()]
        var sources = [ConfiguredSource(name: "news", type: "scripted", every: .seconds(60), source: source)]
        if withBrokenSource {
            broken.failure.withLock { $0 = "feed unreachable" }
            sources.insert(ConfiguredSource(name: "broken", type: "scripted", every: .seconds(60), source: broken), at: 0)
        }
        let rules = [Rule(name: "rmat", clause: rmat, location: SourceLocation(file: "t", line: 1, column: 1))]
        let config = PharosConfig(
            file: state, stateDirectory: state, sources: sources,
            sinks: [ConfiguredSink(name: "rec", type: "recording", sink: sink, maxAge: maxAge)],
            rules: rules, evaluator: try CompiledRules(rules: rules, vocabulary: Vocabulary()))
        engine = Engine(config: config, store: try StateStore(directory: state), logger: Logger(label: "test"), now: clock.now)
    }

    func setItems(_ items: [Item]) { source.items.withLock { $0 = items } }
    var configuredSource: ConfiguredSource { engine.config.sources.last! }
    var configuredSink: ConfiguredSink { engine.config.sinks[0] }
}

@Suite struct EngineBehaviour {
    @Test func pollingTwiceRaisesNoDuplicateAlerts() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([
            Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T"),
            Item(id: "2", title: "Quarterly results"),
        ])
        let first = await fixture.engine.runOnce()
        #expect(first.succeeded)
        let second = await fixture.engine.runOnce()
        #expect(second.succeeded)
        #expect(fixture.sink.received.value.count == 1)
        let report = try await fixture.engine.poll(fixture.configuredSource)
        #expect(report.changed == 0 && report.alerts == 0)
    }

    @Test func anEditAlertsAgainOnlyWhenTheMatchChanges() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "First text.")])
        _ = await fixture.engine.runOnce()
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "Typo fixed text.")])
        let edited = try await fixture.engine.poll(fixture.configuredSource)
        #expect(edited.changed == 1 && edited.alerts == 0)
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "Now also GPRC5D.")])
        let widened = try await fixture.engine.poll(fixture.configuredSource)
        #expect(widened.alerts == 1)
        _ = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(fixture.sink.received.value.count == 2)
        #expect(Set(fixture.sink.received.value).count == 2)
    }

    @Test func retryableFailuresBackOffThenDeliver() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.retryable("503 Service Unavailable", retryAfter: .seconds(120))] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        let failed = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(failed.retrying == 1 && failed.delivered == 0)
        let pausedFor = try #require(failed.pausedUntil).timeIntervalSince(fixture.clock.current.value)
        #expect(pausedFor >= 120, "Retry-After is honoured")
        let tooEarly = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(tooEarly.delivered == 0 && tooEarly.retrying == 0)
        fixture.clock.advance(pausedFor + 1)
        let later = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(later.delivered == 1)
        #expect(try await fixture.engine.store.outboxCounts()["rec"] == OutboxCounts(pending: 0, delivered: 1, dead: 0))
    }

    @Test func permanentFailuresGoToDeadLetters() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.permanent("400 Bad Request")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA"), Item(id: "2", title: "RMAT for GPRC5D")])
        try await fixture.engine.poll(fixture.configuredSource)
        let report = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(report.dead == 1 && report.delivered == 1)
        #expect(try await fixture.engine.store.outboxCounts()["rec"] == OutboxCounts(pending: 0, delivered: 1, dead: 1))
    }

    @Test func alertsOlderThanMaxAgeGoToDeadLettersAndARetryRequeuesThem() async throws {
        let fixture = try EngineFixture(maxAge: .seconds(3600))
        fixture.sink.failures.withLock { $0 = Array(repeating: .retryable("connection refused"), count: 20) }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        var expired = DeliveryReport()
        for _ in 0..<20 where expired.dead == 0 {
            fixture.clock.advance(1000)
            expired = try await fixture.engine.deliverDue(fixture.configuredSink)
        }
        #expect(expired.dead == 1)
        let entry = try #require(try await fixture.engine.store.outbox().first)
        #expect(entry.state == "dead")
        #expect(entry.lastError == "not delivered within max_age 1h; last error: connection refused")
        #expect(fixture.sink.failures.value.count > 14, "no attempt is made once the alert is too old")
        fixture.sink.failures.withLock { $0 = [] }
        try await fixture.engine.store.retry(alertID: entry.alertID, now: fixture.clock.current.value)
        let retried = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(retried.delivered == 1, "a manual retry restarts the max_age clock")
    }

    @Test func aDigestSinkGetsOneBatchPerPeriod() async throws {
        let fixture = try EngineFixture(digestPeriod: .seconds(3600))
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        #expect(try await fixture.engine.deliverDue(fixture.configuredSink).delivered == 1, "the first digest goes at once")
        fixture.clock.advance(60)
        fixture.setItems((2...4).map { Item(id: "\($0)", title: "RMAT for BCMA, part \($0)") })
        try await fixture.engine.poll(fixture.configuredSource)
        let held = try await fixture.engine.deliverDue(fixture.configuredSink)
        #expect(held.delivered == 0)
        let heldFor = try #require(held.heldUntil).timeIntervalSince(fixture.clock.current.value)
        #expect(heldFor > 3400 && heldFor <= 3540)
        fixture.clock.advance(heldFor)
        #expect(try await fixture.engine.deliverDue(fixture.configuredSink).delivered == 3)
        #expect(fixture.sink.batches.value == [1, 3])
    }

    @Test func aFailingSourceDoesNotStopTheOthers() async throws {
        let fixture = try EngineFixture(withBrokenSource: true)
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        let report = await fixture.engine.runOnce()
        #expect(!report.succeeded)
        #expect(report.polls.map(\.source) == ["broken", "news"])
        if case .failure(let error) = report.polls[0].result { #expect("\(error)" == "feed unreachable") } else { Issue.record("broken source should fail") }
        #expect(fixture.sink.received.value.count == 1)
    }

    @Test func alertsSurviveARestartBeforeDelivery() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        // A new engine on the same state, as after kill -9 between commit and delivery.
        let restarted = Engine(config: fixture.engine.config, store: try StateStore(directory: fixture.engine.config.stateDirectory),
                               logger: Logger(label: "test"), now: fixture.clock.now)
        let report = try await restarted.deliverDue(fixture.configuredSink)
        #expect(report.delivered == 1)
        #expect(try await restarted.store.integrityCheck() == "ok")
    }
}
