import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosTestKit
import TestSupport
import Testing

@Suite struct SinkAndSourceHealth {
    @Test func aSinkWithFailedAttemptsIsFailingSinceTheFirstUntilOneSucceeds() async throws {
        let fixture = try EngineFixture()
        fixture.sink.failures.withLock { $0 = [.retryable("HTTP 500"), .retryable("timed out")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let firstFailure = fixture.clock.date
        _ = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        fixture.clock.advance(by: .seconds(4000))
        _ = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        var health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [2])
        #expect(health.sinks.first?.failingSince == firstFailure)
        #expect(Health.failing(sources: health.sources, sinks: health.sinks)
            == ["sink rec: 2 consecutive failures since \(ISO8601.string(from: firstFailure))"])
        fixture.clock.advance(by: .seconds(4000))
        #expect(try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink).delivered == 1)
        health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [0])
        #expect(health.sinks.first?.failingSince == nil)
        #expect(Health.failing(sources: health.sources, sinks: health.sinks).isEmpty)
    }

    @Test func anExpiryIsNoDeliveryAttemptNorAFailureOfTheSink() async throws {
        let metrics = Metrics()
        let fixture = try EngineFixture(maxAge: .seconds(60), metrics: metrics)
        let engine = fixture.engine
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await engine.intake.poll(fixture.configuredSource)
        fixture.clock.advance(by: .seconds(120))
        #expect(try await engine.dispatcher.deliverDue(fixture.configuredSink).dead == 1)
        let rendered = metrics.render()
        #expect(rendered.contains("pharos_deliveries_expired_total{sink=\"rec\"} 1"))
        #expect(rendered.contains("pharos_deliveries_total{sink=\"rec\",outcome=\"dead\"} 0"), "an expiry is no attempt")
        let entry = try #require(try await fixture.engine.store.outbox().first)
        #expect(entry.state == "dead" && entry.attempts == 0)
        let health = try await fixture.engine.store.health()
        #expect(health.sinks.map(\.consecutiveFailures) == [0])
        #expect(Health.failing(sources: health.sources, sinks: health.sinks) == ["sink rec: 1 dead"])
    }

    @Test func withoutAListenerTheMetricsKeepNoSeries() async throws {
        let metrics = Metrics(recording: false)
        let fixture = try EngineFixture(maxAge: .seconds(60), metrics: metrics)
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        fixture.clock.advance(by: .seconds(120))
        #expect(try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink).dead == 1)
        let rendered = metrics.render()
        #expect(!rendered.contains("pharos_polls_total"))
        #expect(!rendered.contains("pharos_deliveries_expired_total"))
        #expect(rendered.contains("pharos_build_info"))
    }

    @Test func errorsRecordedWithAURLAreShownRedacted() async throws {
        let fixture = try EngineFixture()
        // As an earlier version recorded it: the whole Slack-style URL, token and all.
        fixture.sink.failures.withLock { $0 = [.retryable("https://hooks.slack.com/services/T0/B0/SECRETTOKEN answered HTTP 500")] }
        fixture.setItems([Item(id: "1", title: "RMAT for BCMA")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        _ = try await fixture.engine.dispatcher.deliverDue(fixture.configuredSink)
        let shown = "https://hooks.slack.com/…(redacted) answered HTTP 500"
        #expect(try await fixture.engine.store.outbox().first?.lastError == shown)
        #expect(try await fixture.engine.store.health().sinks.first?.lastError == shown)
    }
}
