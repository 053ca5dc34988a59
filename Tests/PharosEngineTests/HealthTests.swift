import Foundation
import Logging
import PharosCore
import PharosEngine
import Testing

@Suite struct SinkAndSourceHealth {
    @Test func aSinkWithFailedAttemptsIsFailingSinceTheFirstUntilOneSucceeds() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.retryable("HTTP 500"), .retryable("timed out")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        let firstFailure = fixture.clock.current.value
        _ = try await fixture.engine.deliverDue(fixture.configuredSink)
        fixture.clock.advance(4000)
        _ = try await fixture.engine.deliverDue(fixture.configuredSink)
        var health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [2])
        #expect(health.sinks.first?.failingSince == firstFailure)
        #expect(Health.failing(sources: health.sources, sinks: health.sinks)
            == ["sink rec: 2 consecutive failures since \(ISO8601.string(from: firstFailure))"])
        fixture.clock.advance(4000)
        #expect(try await fixture.engine.deliverDue(fixture.configuredSink).delivered == 1)
        health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [0])
        #expect(health.sinks.first?.failingSince == nil)
        #expect(Health.failing(sources: health.sources, sinks: health.sinks).isEmpty)
    }

    @Test func aSourceIsFailingSinceItsFirstFailedPoll() async throws {
        let store = try SQLiteStateStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("pharos-health-\(UUID().uuidString)"))
        let start = Date(timeIntervalSince1970: 1_795_424_400)
        for (offset, error) in [(0.0, nil), (60, "refused"), (120, "refused"), (180, "timed out")] as [(Double, String?)] {
            let time = start.addingTimeInterval(offset)
            try await store.record([PollRecord(status: PollStatus(source: "wire", error: error, polled: time, nextPoll: time))], now: Date())
        }
        var wire = try #require(try await store.health().sources.first)
        #expect(wire.consecutiveFailures == 3 && wire.failingSince == start.addingTimeInterval(60))
        try await store.record([PollRecord(status: PollStatus(source: "wire", error: nil, polled: start.addingTimeInterval(240), nextPoll: start))], now: Date())
        wire = try #require(try await store.health().sources.first)
        #expect(wire.consecutiveFailures == 0 && wire.failingSince == nil)
    }

    @Test func anExpiryIsNoDeliveryAttemptNorAFailureOfTheSink() async throws {
        let fixture = try EngineFixture(maxAge: .seconds(60))
        let metrics = Metrics()
        let engine = Engine(config: fixture.engine.config, store: fixture.engine.store, logger: Logger(label: "test"),
                            now: fixture.clock.now, metrics: metrics)
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await engine.poll(fixture.configuredSource)
        fixture.clock.advance(120)
        #expect(try await engine.deliverDue(fixture.configuredSink).dead == 1)
        let rendered = metrics.render()
        #expect(rendered.contains("pharos_deliveries_expired_total{sink=\"rec\"} 1"))
        #expect(rendered.contains("pharos_deliveries_total{sink=\"rec\",outcome=\"dead\"} 0"), "an expiry is no attempt")
        let entry = try #require(try await fixture.engine.store.outbox().first)
        #expect(entry.state == "dead" && entry.attempts == 0)
        let health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [0])
        #expect(Health.failing(sources: health.sources, sinks: health.sinks) == ["sink rec: 1 dead"])
    }

    @Test func errorsRecordedWithAURLAreShownRedacted() async throws {
        let fixture = try EngineFixture()
        // As an earlier version recorded it: the whole Slack-style URL, token and all.
        fixture.sink.failures.withLock { $0 = [.retryable("https://hooks.slack.com/services/T0/B0/SECRETTOKEN answered HTTP 500")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.poll(fixture.configuredSource)
        _ = try await fixture.engine.deliverDue(fixture.configuredSink)
        let shown = "https://hooks.slack.com/…(redacted) answered HTTP 500"
        #expect(try await fixture.engine.store.outbox().first?.lastError == shown)
        #expect(try await fixture.engine.store.health().sinks.first?.lastError == shown)
    }
}
