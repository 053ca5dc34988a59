import Foundation
import PharosCore
import PharosEngine
import Testing

/// The state backends, each held to the same contract.
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, memory

    var testDescription: String { rawValue }

    func make() throws -> any StateStore {
        switch self {
        case .sqlite:
            try SQLiteStateStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("pharos-contract-\(UUID().uuidString)"))
        case .memory:
            MemoryStateStore()
        }
    }
}

private let start = Date(timeIntervalSince1970: 1_795_424_400)

private func alert(_ id: String, item: String = "1", rule: String = "r", sinks: [String] = ["out"]) -> NewAlert {
    NewAlert(id: id, rule: rule, itemID: item, json: #"{"id":"\#(id)"}"#, sinks: sinks)
}

/// What every `StateStore` must do; the engine relies on nothing more.
@Suite struct StateContract {
    @Test(arguments: Backend.allCases) func aPollIsRecordedWithItsAlertsAndAnAlertIsQueuedOnce(_ backend: Backend) async throws {
        let store = try backend.make()
        let items = [Item(id: "1", title: "one"), Item(id: "2", version: "v2", title: "two")]
        let raised = try await store.record(
            [PollRecord(source: "news", items: items, alerts: [alert("a", rule: "x", sinks: ["out", "log"])], checkpoint: "etag-1")], now: start)
        #expect(raised == ["x"])
        #expect(try await store.versions(source: "news", ids: ["1", "2", "3"]) == ["1": items[0].effectiveVersion, "2": "v2"])
        #expect(try await store.versions(source: "other", ids: ["1"]).isEmpty)
        #expect(try await store.checkpoint(source: "news") == "etag-1")
        // The same alert again (a restarted poll) is not queued twice; a checkpoint-less record keeps the checkpoint.
        let again = try await store.record([PollRecord(source: "news", items: items, alerts: [alert("a"), alert("b", item: "2")])], now: start)
        #expect(again == ["r"])
        #expect(try await store.checkpoint(source: "news") == "etag-1")
        #expect(try await store.outboxCounts() == ["out": OutboxCounts(pending: 2), "log": OutboxCounts(pending: 1)])
        let due = try await store.due(sink: "out", now: start, limit: 10)
        #expect(due.map(\.alertID) == ["a", "b"])
        #expect(due.first.map { [$0.rule, $0.source, $0.itemID, $0.json] } == ["x", "news", "1", #"{"id":"a"}"#])
        #expect(due.first?.queuedAt == start && due.first?.attempts == 0)
    }

    @Test(arguments: Backend.allCases) func dueIsByNextAttemptThenQueueOrder(_ backend: Backend) async throws {
        let store = try backend.make()
        try await store.record([PollRecord(source: "news", alerts: ["a", "b", "c"].map { alert($0) })], now: start)
        let later = start.addingTimeInterval(100)
        try await store.recordDeliveries(sink: "out", [("a", .retry(error: "503", at: later))], now: start)
        #expect(try await store.due(sink: "out", now: start, limit: 10).map(\.alertID) == ["b", "c"])
        #expect(try await store.due(sink: "out", now: start, limit: 1).map(\.alertID) == ["b"])
        #expect(try await store.due(sink: "elsewhere", now: later, limit: 10).isEmpty)
        try await store.recordDeliveries(sink: "out", [("b", .delivered), ("c", .delivered)], now: start)
        #expect(try await store.due(sink: "out", now: start, limit: 10).isEmpty)
        #expect(try await store.nextDue(sink: "out") == later)
        let retried = try #require(try await store.due(sink: "out", now: later, limit: 10).first)
        #expect(retried.alertID == "a" && retried.attempts == 1 && retried.lastError == "503")
    }

    @Test(arguments: Backend.allCases) func outcomesSetStatesAttemptsAndTheSinksStreak(_ backend: Backend) async throws {
        let store = try backend.make()
        try await store.record([PollRecord(source: "news", alerts: ["a", "b", "c", "d"].map { alert($0) })], now: start)
        let t1 = start.addingTimeInterval(10), t2 = start.addingTimeInterval(20), t3 = start.addingTimeInterval(30)
        try await store.recordDeliveries(sink: "out", [("a", .retry(error: "timed out", at: t2)), ("b", .dead(error: "400"))], now: t1)
        var sink = try #require(try await store.health().sinks.first)
        #expect(sink.consecutiveFailures == 2 && sink.failingSince == t1)
        try await store.recordDeliveries(sink: "out", [("c", .expired(error: "too old"))], now: t2)
        sink = try #require(try await store.health().sinks.first)
        #expect(sink.consecutiveFailures == 2 && sink.failingSince == t1, "an expiry is no attempt")
        #expect(sink.lastError == "too old", "the most recent failure")
        #expect(try await store.lastDelivery(sink: "out") == nil)
        try await store.recordDeliveries(sink: "out", [("a", .delivered)], now: t3)
        sink = try #require(try await store.health().sinks.first)
        #expect(sink.consecutiveFailures == 0 && sink.failingSince == nil)
        #expect(sink.counts == OutboxCounts(pending: 1, delivered: 1, dead: 2))
        #expect(sink.oldestPending == start && sink.lastDelivery == t3)
        #expect(try await store.lastDelivery(sink: "out") == t3)
        let entries = try await store.outbox(includeDelivered: true, limit: 10)
        #expect(entries.map(\.alertID) == ["a", "b", "c", "d"])
        #expect(entries.map(\.state) == ["delivered", "dead", "dead", "pending"])
        #expect(entries.map(\.attempts) == [2, 1, 0, 0])
        #expect(try await store.outbox().map(\.alertID) == ["b", "c", "d"])
    }

    @Test(arguments: Backend.allCases) func aRetryRequeuesAndADropRemovesOnlyWhatIsUndelivered(_ backend: Backend) async throws {
        let store = try backend.make()
        try await store.record([PollRecord(source: "news", alerts: ["a", "b", "c"].map { alert($0) })], now: start)
        try await store.recordDeliveries(sink: "out", [("a", .dead(error: "400")), ("b", .dead(error: "400")), ("c", .delivered)], now: start)
        let later = start.addingTimeInterval(60)
        #expect(try await store.retry(alertID: "a", now: later) == 1)
        #expect(try await store.retry(alertID: "c", now: later) == 0, "a delivered alert stays delivered")
        let requeued = try #require(try await store.due(sink: "out", now: later, limit: 10).first)
        #expect(requeued.alertID == "a" && requeued.attempts == 0 && requeued.queuedAt == later)
        #expect(try await store.retry(alertID: nil, now: later) == 1, "every dead one")
        #expect(try await store.drop(alertID: "b") == 1)
        #expect(try await store.drop(alertID: "c") == 0)
        #expect(try await store.outboxCounts() == ["out": OutboxCounts(pending: 1, delivered: 1)])
    }

    @Test(arguments: Backend.allCases) func pollStatusesMakeTheSourcesHealthAndSchedule(_ backend: Backend) async throws {
        let store = try backend.make()
        for (offset, error) in [(0.0, nil), (60, "refused"), (120, "timed out")] as [(Double, String?)] {
            let time = start.addingTimeInterval(offset)
            try await store.record([PollRecord(status: PollStatus(source: "wire", error: error, polled: time, nextPoll: time.addingTimeInterval(30)))],
                                   now: time)
        }
        try await store.record([PollRecord(source: "inbox", items: [Item(id: "1", title: "one")])], now: start)
        let health = try await store.health().sources
        #expect(health.map(\.source) == ["inbox", "wire"])
        #expect(health[0].itemsSeen == 1 && health[0].lastPoll == nil && health[0].consecutiveFailures == 0)
        let wire = health[1]
        #expect(wire.consecutiveFailures == 2 && wire.failingSince == start.addingTimeInterval(60))
        #expect(wire.lastSuccess == start && wire.lastPoll == start.addingTimeInterval(120) && wire.lastError == "timed out")
        #expect(try await store.schedules()["wire"] == SourceSchedule(failures: 2, nextPoll: start.addingTimeInterval(150)))
        #expect(try await store.schedules()["inbox"] == nil, "never polled")
        try await store.record([PollRecord(status: PollStatus(source: "wire", error: nil, polled: start, nextPoll: start))], now: start)
        let recovered = try #require(try await store.health().sources.last)
        #expect(recovered.consecutiveFailures == 0 && recovered.failingSince == nil && recovered.lastError == nil)
    }

    @Test(arguments: Backend.allCases) func aPollsItemsAlertsCheckpointAndStatusGoInTogether(_ backend: Backend) async throws {
        let store = try backend.make()
        let status = PollStatus(source: "news", error: nil, polled: start, nextPoll: start.addingTimeInterval(60))
        try await store.record([
            PollRecord(source: "news", items: [Item(id: "1", title: "one")], alerts: [alert("a")], checkpoint: "c1", status: status),
            PollRecord(status: PollStatus(source: "wire", error: "refused", polled: start, nextPoll: start)),
        ], now: start)
        #expect(try await store.checkpoint(source: "news") == "c1")
        #expect(try await store.versions(source: "news", ids: ["1"]).count == 1)
        #expect(try await store.schedules() == [
            "news": SourceSchedule(failures: 0, nextPoll: start.addingTimeInterval(60)), "wire": SourceSchedule(failures: 1, nextPoll: start),
        ])
        #expect(try await store.outboxCounts()["out"]?.pending == 1)
    }

    @Test(arguments: Backend.allCases) func recordedErrorsAreShownRedacted(_ backend: Backend) async throws {
        let store = try backend.make()
        try await store.record([PollRecord(source: "news", alerts: [alert("a")])], now: start)
        let error = "https://hooks.slack.com/services/T0/B0/SECRETTOKEN answered HTTP 500"
        try await store.recordDeliveries(sink: "out", [("a", .retry(error: error, at: start))], now: start)
        try await store.record([PollRecord(status: PollStatus(source: "news", error: error, polled: start, nextPoll: start))], now: start)
        let shown = "https://hooks.slack.com/…(redacted) answered HTTP 500"
        #expect(try await store.outbox().first?.lastError == shown)
        #expect(try await store.health().sinks.first?.lastError == shown)
        #expect(try await store.health().sources.first?.lastError == shown)
        #expect(try await store.due(sink: "out", now: start, limit: 1).first?.lastError == error, "the sink's own error, as recorded")
    }
}
