import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import Testing

private let start = Date(timeIntervalSince1970: 1_795_424_400)

private func entry(_ story: String, item: String, text: String, lead: String? = nil, at time: Date = start) -> StoryEntry {
    StoryEntry(story: story, source: "wire", itemID: item, link: "https://example.org/\(item)", seenAt: time, fingerprint: StoryFingerprint(
        signature: StorySignature(text: text), topic: StorySignature(text: text, shingleWords: 1, minimumLetters: 5),
        lead: lead.flatMap(StoryEvent.init(key:))))
}

private let release = """
    Example Biosciences announced today that the Food and Drug Administration granted Fast Track designation to \
    EXB-101 for the treatment of adults with primary membranous nephropathy, a serious kidney disease with few \
    approved options. The designation follows encouraging interim results from the ongoing LANTERN study, and \
    the company expects to begin registrational development during the second half of next year.
    """

/// What every `StoryStore` must do (the SQLite and memory backends alike).
@Suite struct StoryStateContract {
    @Test(arguments: Backend.allCases) func anEntryIsFoundByItsBandsOrItsEventsWithinTheWindow(_ backend: Backend) async throws {
        let store = try backend.make()
        let first = entry("s1", item: "1", text: release, lead: "fda|fda-fast-track|exb101")
        let other = entry("s2", item: "2", text: "Another company reports third quarter results and provides a corporate update.")
        try await store.record([PollRecord(source: "wire", stories: StoryWrites(entries: [first, other]))], now: start)

        let copy = StorySignature(text: release).bandKeys
        let found = try await store.storyCandidates(keys: copy, since: start)
        #expect(found.map(\.story) == ["s1"])
        let fingerprint = try #require(found.first?.fingerprint)
        #expect(fingerprint.signature == first.fingerprint.signature && fingerprint.topic.values == first.fingerprint.topic.values)
        #expect(fingerprint.lead == first.fingerprint.lead && found.first?.link == first.link)
        // By the lead event's agency and action alone (another product, or none).
        let byEvent = try await store.storyCandidates(keys: [StoryEntry.eventKey("fda|fda-fast-track")], since: start)
        #expect(byEvent.map(\.itemID) == ["1"])
        // Outside the window: nothing.
        #expect(try await store.storyCandidates(keys: copy, since: start.addingTimeInterval(1)).isEmpty)
        // Forgotten once the window has passed it.
        try await store.record([PollRecord(source: "wire", stories: StoryWrites(forgetBefore: start.addingTimeInterval(1)))], now: start)
        #expect(try await store.storyCandidates(keys: copy, since: .distantPast).isEmpty)
    }

    @Test(arguments: Backend.allCases) func anEntryIsFoundByItsFiguresAndItsResultsPeriodAndKeepsItsMarks(_ backend: Backend) async throws {
        let store = try backend.make()
        let text = "Example Biosciences reported financial results for the third quarter of 2025: revenue of $6.9 million, 33% lower."
        var first = entry("s1", item: "1", text: text)
        first.fingerprint.marks = StoryMarks(title: "Example Biosciences Reports Third Quarter 2025 Results", body: text)
        try await store.record([PollRecord(source: "wire", stories: StoryWrites(entries: [first]))], now: start)

        var retold = first.fingerprint
        retold.marks = StoryMarks(title: "Example Q3 2025 earnings", body: "Example said third quarter 2025 revenue fell 33% to $6.9 million.")
        retold.signature = StorySignature(text: "unrelated words")
        let found = try await store.storyCandidates(keys: StoryEntry.keys(of: retold).filter { !retold.signature.bandKeys.contains($0) }, since: start)
        #expect(found.map(\.story) == ["s1"])
        #expect(found.first?.fingerprint.marks == first.fingerprint.marks)
        #expect(retold.sameStory(as: try #require(found.first).fingerprint) != nil)
    }

    @Test(arguments: Backend.allCases) func theFirstAlertStaysAndEntitiesMerge(_ backend: Backend) async throws {
        let store = try backend.make()
        let first = StoryAlert(story: "s1", rule: "r", alertID: "a1", source: "wire", itemID: "1", entities: ["company:x"])
        try await store.record([PollRecord(source: "wire", stories: StoryWrites(alerts: [first]))], now: start)
        var later = StoryAlert(story: "s1", rule: "r", alertID: "a2", source: "trade", itemID: "9", entities: ["product:y"])
        later.entities.append("company:x")
        try await store.record([PollRecord(source: "trade", stories: StoryWrites(alerts: [later]))], now: start)
        let alerts = try await store.storyAlerts(story: "s1")
        #expect(alerts == [StoryAlert(story: "s1", rule: "r", alertID: "a1", source: "wire", itemID: "1", entities: ["company:x", "product:y"])])
        #expect(try await store.storyAlerts(story: "s2").isEmpty)
    }

    @Test(arguments: Backend.allCases) func aCopyIsRecordedOnceAndAddedToTheAlertsDocument(_ backend: Backend) async throws {
        let store = try backend.make()
        let document = Alert.sample.jsonLine()
        try await store.record([PollRecord(source: "wire", alerts: [NewAlert(
            id: Alert.sample.id, rule: Alert.sample.rule, itemID: "1", json: document, sinks: ["out"])])], now: start)
        let copy = AlsoSeen(source: "trade", itemID: "t-7", link: "https://trade.example/7", seenAt: start.addingTimeInterval(60))
        let folder = AlsoSeen(source: "inbox", itemID: "release.md", link: nil, seenAt: start.addingTimeInterval(120))
        for _ in 0..<2 {
            try await store.record([PollRecord(source: "trade", stories: StoryWrites(sightings: [(Alert.sample.id, copy)]))], now: start)
        }
        try await store.record([PollRecord(source: "inbox", stories: StoryWrites(sightings: [(Alert.sample.id, folder)]))], now: start)
        #expect(try await store.alsoSeen(alertIDs: [Alert.sample.id, "unknown"]) == [Alert.sample.id: [copy, folder]])
        let pending = try await store.due(sink: "out", now: start, limit: 1)
        let delivered = try Alert.decode(try #require(pending.first).json)
        #expect(delivered.alsoSeen == [copy, folder])
        // Everything else in the document is unchanged, byte for byte.
        #expect(pending.first?.json.hasPrefix(String(document.dropLast())) == true)
        let listed = try await store.storiesWithCopies(limit: 10)
        #expect(listed.map(\.alertID) == [Alert.sample.id] && listed.first?.rule == Alert.sample.rule && listed.first?.copies == [copy, folder])
        let recorded = try await store.recordedCopies(rules: [Alert.sample.rule, "other"])
        #expect(recorded.sorted { $0.copy.seenAt < $1.copy.seenAt }.map(\.copy) == [copy, folder])
        #expect(recorded.allSatisfy { $0.alertID == Alert.sample.id && $0.rule == Alert.sample.rule })
        #expect(try await store.recordedCopies(rules: ["other"]).isEmpty, "only the replayed rules' copies")
    }
}
