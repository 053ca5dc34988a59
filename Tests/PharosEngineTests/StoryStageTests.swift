import Foundation
import Logging
import PharosCore
import PharosEngine
import PharosMatching
import PharosTestKit
import TestSupport
import Testing

/// A release long enough to be recognised as copied (well over 20 shingles).
private let release = """
    Example Cell Therapeutics today announced that its BCMA-directed CAR-T candidate ECT-17 received \
    RMAT designation, based on early data from the ongoing phase 1 study in patients with relapsed or \
    refractory multiple myeloma who had received at least four prior lines of therapy. The company plans \
    to meet the agency later this year to discuss the design of a registrational study.
    """

/// Two scripted sources (a wire and a trade site) and two recording sinks, one of which
/// takes every copy (`per_story: false`).
private struct StoryFixture {
    let wire = ScriptedSource()
    let trade = ScriptedSource()
    let once = RecordingSink()
    let every = RecordingSink()
    let clock = TestClock()
    let engine: Engine

    init(rulePerStory: Bool = true, onDisk: Bool = false, vocabulary: Vocabulary = Vocabulary()) throws {
        var clause = Clause()
        clause.keywords = ["BCMA", "GPRC5D"]
        clause.all = [{ var inner = Clause(); inner.keywords = ["RMAT"]; return inner }()]
        var rule = Rule(name: "rmat", clause: clause, location: SourceLocation(file: "t", line: 1, column: 1))
        rule.perStory = rulePerStory
        var everyCopy = ConfiguredSink(name: "every", type: "recording", sink: every)
        everyCopy.perStory = false
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-stories-\(UUID().uuidString)")
        let config = PharosConfig(
            file: state, stateDirectory: state,
            sources: [ConfiguredSource(name: "wire", type: "scripted", every: .seconds(60), source: wire),
                      ConfiguredSource(name: "trade", type: "scripted", every: .seconds(60), source: trade)],
            sinks: [ConfiguredSink(name: "once", type: "recording", sink: once), everyCopy],
            rules: [rule], evaluator: try CompiledRules(rules: [rule], vocabulary: Vocabulary()), vocabulary: vocabulary)
        let store: any StateStore = onDisk ? try SQLiteStateStore(directory: state) : MemoryStateStore()
        engine = Engine(config: config, store: store, logger: Logger(label: "test"), now: { [clock] in clock.date }, clock: clock, random: middle)
    }

    func poll(_ source: ScriptedSource, _ items: [Item]) async throws -> PollReport {
        source.items.withLock { $0 = items }
        let configured = engine.config.sources.first { ($0.source as? ScriptedSource).map { $0.items === source.items } ?? false }!
        return try await engine.intake.poll(configured)
    }

    func deliver() async throws {
        for sink in engine.config.sinks { _ = try await engine.dispatcher.deliverDue(sink) }
    }
}

@Suite struct StoryStageBehaviour {
    @Test(arguments: [false, true]) func aCopyFromAnotherSourceIsSeenAlsoNotAlertedAgain(_ onDisk: Bool) async throws {
        let fixture = try StoryFixture(onDisk: onDisk)
        let first = try await fixture.poll(fixture.wire, [Item(id: "w1", title: "ECT-17 receives RMAT designation", link: "https://wire/1", content: release)])
        #expect(first.alerts == 1)
        fixture.clock.advance(by: .seconds(3600))
        let copy = try await fixture.poll(fixture.trade, [Item(id: "t9", title: "Example Cell gets RMAT for ECT-17", link: "https://trade/9", content: release)])
        // One alert, for the sink that takes every copy only.
        #expect(copy.alerts == 1)
        try await fixture.deliver()
        #expect(fixture.once.received.value.count == 1)
        #expect(fixture.every.received.value.count == 2)
        let firstAlert = try #require(fixture.once.received.value.first)
        let seen = try await fixture.engine.store.alsoSeen(alertIDs: [firstAlert])
        #expect(seen[firstAlert]?.map(\.source) == ["trade"])
        #expect(seen[firstAlert]?.first?.link == "https://trade/9")
        #expect(seen[firstAlert]?.first?.seenAt == fixture.clock.date)
    }

    @Test func aCopyThatMatchesMoreAlertsAsUsual() async throws {
        let fixture = try StoryFixture()
        _ = try await fixture.poll(fixture.wire, [Item(id: "w1", title: "ECT-17 receives RMAT designation", content: release)])
        let wider = try await fixture.poll(fixture.trade, [Item(id: "t9", title: "ECT-17 (BCMA, GPRC5D) gets RMAT", content: release + " It also binds GPRC5D.")])
        #expect(wider.alerts == 1, "an alert as usual (to both sinks): the copy matched GPRC5D, which the story's alert lacked")
        try await fixture.deliver()
        #expect(fixture.once.received.value.count == 2)
        // A third copy matching nothing new is a copy again.
        let third = try await fixture.poll(fixture.trade, [Item(id: "t10", title: "RMAT for ECT-17", content: release + " It also binds GPRC5D.")])
        try await fixture.deliver()
        #expect(third.alerts == 1 && fixture.once.received.value.count == 2)
    }

    @Test func aRuleWithPerStoryFalseAlertsOnEveryCopy() async throws {
        let fixture = try StoryFixture(rulePerStory: false)
        _ = try await fixture.poll(fixture.wire, [Item(id: "w1", title: "ECT-17 receives RMAT designation", content: release)])
        _ = try await fixture.poll(fixture.trade, [Item(id: "t9", title: "RMAT for ECT-17", content: release)])
        try await fixture.deliver()
        #expect(fixture.once.received.value.count == 2)
        #expect(try await fixture.engine.store.storiesWithCopies(limit: 10).isEmpty)
    }

    @Test func copiesInOnePollAreOneStory() async throws {
        let fixture = try StoryFixture()
        let report = try await fixture.poll(fixture.wire, [
            Item(id: "w1", title: "ECT-17 receives RMAT designation", content: release),
            Item(id: "w2", title: "Correction: ECT-17 receives RMAT designation", content: "Corrected. " + release),
        ])
        try await fixture.deliver()
        #expect(report.alerts == 2, "the first item's alert, and the copy's for the sink that takes every copy")
        #expect(fixture.once.received.value.count == 1)
        #expect(fixture.every.received.value.count == 2)
    }

    /// A rewrite shares few shingles with the release and neither tells an event; the figure
    /// it quotes and the product its lead names find the story in the index and join it. The
    /// same figure in another company's news, which names the same target and designation
    /// (vocabulary words, no names), is other news (issue 19).
    @Test(arguments: [false, true]) func aRewriteQuotingTheReleasesFiguresJoinsItsStory(_ onDisk: Bool) async throws {
        let fixture = try StoryFixture(onDisk: onDisk, vocabulary: ConfigLoader.builtinOnly())
        _ = try await fixture.poll(fixture.wire, [Item(
            id: "w1", title: "ECT-17 data at ASH",
            content: "Example Cell Therapeutics said its BCMA-directed CAR-T candidate ECT-17 showed an overall response rate of 87.5% at a median follow-up of 14.2 months in relapsed myeloma. The company plans to seek RMAT designation.")])
        let rewrite = try await fixture.poll(fixture.trade, [Item(
            id: "t3", title: "BCMA CAR-T ECT-17 impresses",
            content: "Shares of Example Cell rose after the ECT-17 data: 87.5% of heavily pretreated myeloma patients responded. The company plans to seek RMAT designation.")])
        try await fixture.deliver()
        #expect(rewrite.alerts == 1, "for the sink that takes every copy only")
        #expect(fixture.once.received.value.count == 1)
        let other = try await fixture.poll(fixture.trade, [Item(
            id: "t4", title: "Second Bio's SB-4 shows 87.5% response",
            content: "Second Bio said its BCMA bispecific SB-4 had an 87.5% response rate; the company plans to seek RMAT designation.")])
        try await fixture.deliver()
        #expect(other.alerts == 1 && fixture.once.received.value.count == 2, "the same figure, another company's product: other news")
    }

    @Test func differentNewsAlertsEachTime() async throws {
        let fixture = try StoryFixture()
        _ = try await fixture.poll(fixture.wire, [Item(id: "w1", title: "ECT-17 receives RMAT designation", content: release)])
        let other = try await fixture.poll(fixture.trade, [Item(
            id: "t1", title: "Another BCMA therapy gets RMAT",
            content: "Second Bio said its BCMA bispecific SB-4 received RMAT designation after a phase 2 readout in myeloma patients.")])
        try await fixture.deliver()
        #expect(other.alerts == 1 && fixture.once.received.value.count == 2)
    }
}
