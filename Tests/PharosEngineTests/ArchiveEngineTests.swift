import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosTestKit
import Testing

/// The intake archives what it reads, and the expiry removes it after `history:`.
@Suite struct ArchiveEngine {
    @Test func theArchiveIsWrittenInThePollsTransaction() async throws {
        let fixture = try EngineFixture()
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T"), Item(id: "2", title: "Quarterly results")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let records = try #require(fixture.engine.store as? MemoryStateStore).records
        let withItems = records.filter { !$0.items.isEmpty }
        #expect(withItems.count == 1)
        #expect(withItems.first?.archive.map(\.item.id) == ["1", "2"], "the items, their alerts and their archive entries: one record")
        #expect(withItems.first?.alerts.count == 1)
        #expect(withItems.first?.archive.map(\.rules) == [["rmat"], []])
    }

    @Test func theArchiveOnDiskHoldsEveryItemReadAndItsEditedVersions() async throws {
        let fixture = try EngineFixture(onDisk: true)
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "First text.")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        fixture.clock.advance(by: .seconds(60))
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T", content: "Typo fixed text.")])
        try await fixture.engine.intake.poll(fixture.configuredSource)
        // Unchanged: nothing new to archive.
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let versions = try await fixture.engine.store.archivedVersions(source: "news", itemID: "1")
        #expect(versions.map(\.item.content) == ["Typo fixed text.", "First text."])
        #expect(versions.allSatisfy { $0.summary.rules == ["rmat"] })
        #expect(versions.first?.summary.firstSeen == fixture.clock.date)
    }

    @Test func historyZeroKeepsNone() async throws {
        let fixture = try EngineFixture(onDisk: true, history: .zero)
        fixture.setItems([Item(id: "1", title: "FDA grants RMAT to BCMA CAR-T")])
        let report = try await fixture.engine.intake.poll(fixture.configuredSource)
        #expect(report.alerts == 1, "alerts as ever")
        #expect(try await fixture.engine.store.archiveStats().versions == 0)
    }

    @Test func theExpiryRemovesWhatIsOlderThanHistoryInBatchesOnItsClock() async throws {
        let fixture = try EngineFixture(history: .seconds(3600))
        fixture.setItems((1...7).map { Item(id: "\($0)", title: "item \($0)") })
        try await fixture.engine.intake.poll(fixture.configuredSource)
        let clock = TestClock(start: fixture.clock.date)
        let expiry = ArchiveExpiry(store: fixture.engine.store, history: .seconds(3600), logger: Logger(label: "test"),
                                   now: { [clock = fixture.clock] in clock.date }, clock: clock, interval: .seconds(600), batch: 3)
        let store = fixture.engine.store
        let (before, after) = try await withThrowingTaskGroup(of: Void.self) { group throws -> (Int, Int) in
            group.addTask { await expiry.run() }
            await clock.sleepers(atLeast: 1)
            let before = try await store.archiveStats().versions
            fixture.clock.advance(by: .seconds(3601))
            clock.advance(by: .seconds(600))
            await clock.sleeper(until: .seconds(1200))
            let after = try await store.archiveStats().versions
            group.cancelAll()
            return (before, after)
        }
        #expect(before == 7, "nothing is an hour old yet")
        #expect(after == 0, "three batches of at most 3")
        #expect(try await store.versions(source: "news", ids: ["1"]).count == 1, "still seen: never alerted again")
    }
}
