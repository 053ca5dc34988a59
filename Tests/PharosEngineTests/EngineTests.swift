import Foundation
import FolderSource
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import PharosTestKit
import TestSupport
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

/// Jitter fixed at the middle of its range: factors of 1, first polls at `every`/20.
let middle = RandomSource { ($0.lowerBound + $0.upperBound) / 2 }

struct EngineFixture {
    let source = ScriptedSource()
    let broken = ScriptedSource()
    let sink: RecordingSink
    let clock = TestClock()
    let engine: Engine

    /// - Parameters:
    ///   - probe: a sink used instead of the recording one.
    ///   - onDisk: the SQLite state instead of the memory one.
    init(
        withBrokenSource: Bool = false, digestPeriod: Duration? = nil, maxAge: Duration? = nil, probe: (any Sink)? = nil,
        concurrency: Int = 1, backoff: Backoff? = nil, news: (any Source)? = nil, commitBytes: Int = 8 << 20, onDisk: Bool = false,
        metrics: Metrics? = nil, history: Duration? = nil
    ) throws {
        sink = RecordingSink(digestPeriod: digestPeriod)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-engine-\(UUID().uuidString)")
        var rmat = Clause()
        rmat.keywords = ["BCMA", "GPRC5D"]
        rmat.all = [{ var inner = Clause(); inner.keywords = ["RMAT"]; return inner }()]
        var sources = [ConfiguredSource(name: "news", type: "scripted", every: .seconds(60), source: news ?? source)]
        if withBrokenSource {
            broken.failure.withLock { $0 = "feed unreachable" }
            sources.insert(ConfiguredSource(name: "broken", type: "scripted", every: .seconds(60), source: broken), at: 0)
        }
        let rules = [Rule(name: "rmat", description: "RMAT for a BCMA or GPRC5D therapy", clause: rmat,
                          location: SourceLocation(file: "t", line: 1, column: 1))]
        var config = PharosConfig(
            file: state, stateDirectory: state, sources: sources,
            sinks: [ConfiguredSink(name: "rec", type: "recording", sink: probe ?? sink, maxAge: maxAge, concurrency: concurrency)],
            rules: rules, evaluator: try CompiledRules(rules: rules, vocabulary: Vocabulary()))
        if let backoff { config.deliveryBackoff = backoff }
        if let history { config.history = history }
        let store: any StateStore = onDisk ? try SQLiteStateStore(directory: state) : MemoryStateStore()
        engine = Engine(config: config, store: store, logger: Logger(label: "test"), now: { [clock] in clock.date }, clock: clock,
                        random: middle, metrics: metrics, commitBytes: commitBytes)
    }

    var now: @Sendable () -> Date { { [clock] in clock.date } }

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
        let report = try await fixture.engine.intake.poll(fixture.configuredSource)
        #expect(report.changed == 0 && report.alerts == 0)
    }

    @Test func anEditAlertsAgainOnlyWhenTheMatchChanges() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "First text.")])
        _ = await fixture.engine.runOnce()
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "Typo fixed text.")])
        let edited = try await fixture.engine.intake.poll(fixture.configuredSource)
        #expect(edited.changed == 1 && edited.alerts == 0)
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "Now also GPRC5D.")])
        let widened = try await fixture.engine.intake.poll(fixture.configuredSource)
        #expect(widened.alerts == 1)
        _ = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(fixture.sink.received.value.count == 2)
        #expect(Set(fixture.sink.received.value).count == 2)
    }

    @Test func retryableFailuresBackOffThenDeliver() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.retryable("503 Service Unavailable", retryAfter: .seconds(120))] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let failed = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(failed.retrying == 1 && failed.delivered == 0)
        let entry = try #require(try await fixture.engine.store.outbox().first)
        let pausedFor = entry.nextAttempt.timeIntervalSince(fixture.clock.date)
        #expect(pausedFor >= 120, "Retry-After is honoured")
        let tooEarly = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(tooEarly.delivered == 0 && tooEarly.retrying == 0)
        fixture.clock.advance(by: .seconds(pausedFor + 1))
        let later = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(later.delivered == 1)
        #expect(try await fixture.engine.store.outboxCounts()["rec"] == OutboxCounts(pending: 0, delivered: 1, dead: 0))
    }

    @Test func permanentFailuresGoToDeadLetters() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.permanent("400 Bad Request")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA"), Item(id: "2", title: "RMAT for GPRC5D")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let report = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(report.dead == 1 && report.delivered == 1)
        #expect(try await fixture.engine.store.outboxCounts()["rec"] == OutboxCounts(pending: 0, delivered: 1, dead: 1))
    }

    @Test func alertsOlderThanMaxAgeGoToDeadLettersAndARetryRequeuesThem() async throws {
        let fixture = try EngineFixture(maxAge: .seconds(3600))
        fixture.sink.failures.withLock { $0 = Array(repeating: .retryable("connection refused"), count: 20) }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        var expired = DeliveryReport()
        for _ in 0..<20 where expired.dead == 0 {
            fixture.clock.advance(by: .seconds(1000))
            expired = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        }
        #expect(expired.dead == 1)
        let entry = try #require(try await fixture.engine.store.outbox().first)
        #expect(entry.state == "dead")
        #expect(entry.lastError == "not delivered within max_age 1h; last error: connection refused")
        #expect(fixture.sink.failures.value.count > 14, "no attempt is made once the alert is too old")
        fixture.sink.failures.withLock { $0 = [] }
        try await fixture.engine.store.retry(alertID: entry.alertID, now: fixture.clock.date)
        let retried = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(retried.delivered == 1, "a manual retry restarts the max_age clock")
    }

    @Test func aDigestSinkGetsOneBatchPerPeriod() async throws {
        let fixture = try EngineFixture(digestPeriod: .seconds(3600))
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        #expect(try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink).delivered == 1, "the first digest goes at once")
        fixture.clock.advance(by: .seconds(60))
        fixture.setItems((2...4).map { Item(id: "\($0)", title: "RMAT for BCMA, part \($0)") })
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let held = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(held.delivered == 0)
        let heldFor = try #require(held.heldUntil).timeIntervalSince(fixture.clock.date)
        #expect(heldFor > 3400 && heldFor <= 3540)
        fixture.clock.advance(by: .seconds(heldFor))
        #expect(try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink).delivered == 3)
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

    @Test func alertsCarryTheirRuleDescription() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let queued = try #require(try await fixture.engine.store.due(sink: "rec", now: fixture.clock.date, limit: 10).first)
        #expect(try Alert.decode(queued.json).ruleDescription == "RMAT for a BCMA or GPRC5D therapy")
        #expect(queued.json.contains(#""rule":"rmat","rule_description":"RMAT for a BCMA or GPRC5D therapy","source":"news""#))
    }

    /// The SQLite state's guarantee: what a poll committed is there for the next process.
    @Test func alertsSurviveARestartBeforeDelivery() async throws {
        let fixture = try EngineFixture(onDisk: true)
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        // A new engine on the same state, as after kill -9 between commit and delivery.
        let reopened = try SQLiteStateStore(directory: fixture.engine.config.stateDirectory)
        let restarted = Engine(config: fixture.engine.config, store: reopened, logger: Logger(label: "test"), now: fixture.now)
        let report = try await restarted.dispatcher.deliverDue(fixture.configuredSink)
        #expect(report.delivered == 1)
        #expect(try await reopened.integrityCheck() == "ok")
    }
}

/// A folder source whose poll fails once it has committed `chunks` chunks, as a kill would stop it.
struct InterruptedFolder: Source {
    static let typeName = "interrupted"
    let folder: FolderSource
    let chunks: Int

    init(folder: FolderSource, chunks: Int) {
        self.folder = folder
        self.chunks = chunks
    }

    init(configuration: PluginConfiguration) throws { throw ScriptedError(message: "built by tests only") }

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        try await folder.poll(context: context, state: state)
    }

    /// Hands the folder's items on to the engine one by one (so the engine's chunks commit when
    /// they would), and counts the chunks the same limits make.
    func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        final class Engine { var output: ItemChunks; init(_ output: ItemChunks) { self.output = output } }
        let engine = Engine(output)
        var committed = 0
        var counting = ItemChunks(maxItems: output.maxItems, maxBytes: output.maxBytes) { chunk in
            for item in chunk { try await engine.output.add(item) }
            committed += 1
            if committed == chunks { throw ScriptedError(message: "killed") }
        }
        defer { output = engine.output }
        return try await folder.poll(context: context, state: state, into: &counting)
    }
}

@Suite struct ChunkedPolls {
    /// Issue 16, finding 6: a poll of a folder held every file until it returned, so nothing
    /// was committed across 20 restarts of a big one. Now each chunk is committed before the
    /// next is read, and a poll cut short resumes after the committed chunks.
    @Test func aPollCutShortKeepsItsCommittedChunks() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for index in 10..<20 {
            let text = "RMAT for BCMA, release \(index)\n" + String(repeating: "Body text. ", count: 90)
            try Data(text.utf8).write(to: directory.appendingPathComponent("\(index).txt"))
        }
        let folder = try FolderSource(configuration: PluginConfiguration(name: "news", options: optionReader(
            [("path", directory.path)], what: "folder source 'news'")))
        // About 1,100 bytes per item: three fill a chunk of 2,500 bytes.
        let fixture = try EngineFixture(news: InterruptedFolder(folder: folder, chunks: 2), commitBytes: 2500)
        await #expect(throws: ScriptedError.self) { try await fixture.engine.intake.poll(fixture.configuredSource) }
        let ids = (10..<20).map { "\($0).txt" }
        let committed = try await fixture.engine.store.versions(source: "news", ids: ids)
        #expect(committed.keys.sorted() == Array(ids.prefix(6)))
        #expect(try await fixture.engine.store.outboxCounts()["rec"]?.pending == 6, "their alerts are queued with them")

        let resumed = try await fixture.engine.intake.poll(ConfiguredSource(name: "news", type: "folder", every: .seconds(60), source: folder))
        #expect(resumed.returned == 4 && resumed.changed == 4 && resumed.alerts == 4, "the committed files are not read again")
        #expect(try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink).delivered == 10)
    }
}

/// A sink that watches the outbox while it delivers: at the start of each delivery, how many
/// deliveries it already returned are not yet recorded, and how many run at once.
struct ProbeSink: Sink {
    static let typeName = "probe"
    struct Counts {
        var attempts = 0
        var succeeded = 0
        var inFlight = 0
        var mostInFlight = 0
        var mostUnrecorded = 0
        var received: [String] = []
    }

    let store = Shared<(any StateStore)?>(nil)
    let counts = Watched(Counts())
    /// Alerts (by position of arrival, 0-based) whose every attempt fails retryably.
    let failingAttempts = Shared<Set<Int>>([])
    /// The first this many deliveries wait until as many are in flight: a sink that only
    /// returns once the engine runs them together.
    let together: Int

    init(together: Int = 1) { self.together = together }
    init(configuration: PluginConfiguration) throws { together = 1 }

    func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        // Returned first, recorded after: a recording that comes in between only lowers the count.
        let returned = counts.value.succeeded
        let recorded = (try? await store.value?.outboxCounts()["rec"]?.delivered) ?? 0
        var attempt = 0
        counts.update { counts in
            attempt = counts.attempts
            counts.attempts += 1
            counts.inFlight += 1
            counts.mostInFlight = max(counts.mostInFlight, counts.inFlight)
            counts.mostUnrecorded = max(counts.mostUnrecorded, returned - recorded)
        }
        if attempt < together { await counts.until { [together] in $0.attempts >= together } }
        let fails = failingAttempts.value.contains(attempt)
        counts.update { counts in
            counts.inFlight -= 1
            if !fails {
                counts.succeeded += 1
                counts.received.append(delivery.alertID)
            }
        }
        if fails { throw .retryable("503 Service Unavailable") }
    }
}

@Suite struct DeliveryGuarantees {
    private func items(_ count: Int) -> [Item] {
        (0..<count).map { Item(id: "\($0)", title: "RMAT for BCMA, part \($0)") }
    }

    @Test func eachDeliveryIsRecordedAsSoonAsTheSinkReturns() async throws {
        let probe = ProbeSink()
        let fixture = try EngineFixture(probe: probe)
        probe.store.withLock { $0 = fixture.engine.store }
        fixture.setItems(items(40))
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let report = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(report.delivered == 40)
        let counts = probe.counts.value
        #expect(counts.mostUnrecorded == 0, "a crash would deliver \(counts.mostUnrecorded) alerts again")
        #expect(counts.mostInFlight == 1, "concurrency 1 by default")
    }

    @Test(.timeLimit(.minutes(1))) func aSinksConcurrencyBoundsWhatIsInFlightAndUnrecorded() async throws {
        let probe = ProbeSink(together: 3)
        let fixture = try EngineFixture(probe: probe, concurrency: 3)
        probe.store.withLock { $0 = fixture.engine.store }
        fixture.setItems(items(60))
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let report = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(report.delivered == 60)
        let counts = probe.counts.value
        #expect(counts.mostInFlight == 3, "three run together, no more")
        #expect(counts.mostUnrecorded <= 2, "only the other deliveries in flight may be unrecorded")
        #expect(Set(counts.received).count == 60)
    }

    @Test func anAlertBackingOffHoldsNoOtherBack() async throws {
        let probe = ProbeSink()
        let fixture = try EngineFixture(probe: probe)
        probe.failingAttempts.withLock { $0 = [0] }
        fixture.setItems(items(40))
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let report = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        #expect(report.retrying == 1)
        #expect(report.delivered == 39, "every other due alert goes out in the same pass")
        let pending = try await fixture.engine.store.outbox()
        #expect(pending.count == 1)
        #expect(try #require(pending.first).nextAttempt > fixture.clock.date, "outbox list shows when it is tried next")
    }

    /// A daemon whose sink backs off one alert for an hour still delivers an alert raised
    /// meanwhile at once (the time limit only stops a daemon that waits for the hour).
    @Test(.timeLimit(.minutes(1))) func theDaemonDeliversNewAlertsWhileAnotherBacksOff() async throws {
        let probe = ProbeSink()
        let fixture = try EngineFixture(probe: probe, backoff: Backoff(base: .seconds(3600), cap: .seconds(3600)))
        probe.failingAttempts.withLock { $0 = [0] }
        fixture.setItems(items(1))
        try await fixture.engine.intake.poll(fixture.configuredSource)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.engine.run() }
            await probe.counts.until { $0.attempts == 1 }
            fixture.setItems(items(2))
            try await fixture.engine.intake.poll(fixture.configuredSource)
            await probe.counts.until { !$0.received.isEmpty }
            // The scheduler and the delivery loop both wait for time to pass: the pass is recorded.
            await fixture.clock.sleepers(atLeast: 2)
            #expect(probe.counts.value.received.count == 1)
            #expect(try await fixture.engine.store.outbox().count == 1, "the first alert still waits for its own retry time")
            group.cancelAll()
        }
    }
}
