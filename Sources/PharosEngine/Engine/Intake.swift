import Foundation
import Logging
import PharosCore
import PharosMatching
import ServiceLifecycle

/// What one poll of a source did.
public struct PollReport: Sendable {
    public var returned = 0
    public var changed = 0
    public var alerts = 0
}

/// Why a poll failed, as the engine reports and schedules it.
public struct PollFailure: Error, Sendable, CustomStringConvertible {
    /// The error as text, with what the state knows of its cause (a full disk).
    public var description: String
    /// Whether trying again can help, and when the source asked to be polled again.
    public var error: PollError
}

/// Plugin contexts, each with its plugin's name in the logger's metadata.
struct PluginContexts: Sendable {
    let logger: Logger
    let now: @Sendable () -> Date
    let http: any HTTPTransport
    let mail: any MailTransport

    func context(for name: String, kind: String) -> PluginContext {
        var logger = logger
        logger[metadataKey: kind] = "\(name)"
        return PluginContext(logger: logger, now: now, http: http, mail: mail)
    }
}

/// The intake step: a source's items, deduplicated per id, filtered to the new and changed,
/// matched against the rules, made into alerts and recorded with them in one transaction
/// per chunk (`PollRecorder.record`). It delivers nothing: it wakes the sinks it queued
/// alerts for through `queued`, and can run without any delivery (a backtest).
public struct Intake: Sendable {
    let config: PharosConfig
    let store: any StateStore
    let contexts: PluginContexts
    let metrics: Metrics?
    /// Called with the sinks a committed chunk queued alerts for.
    let queued: @Sendable (Set<String>) -> Void
    let sinksByRule: [String: [String]]
    /// Each rule's `description:`, which its alerts carry to the reader.
    let ruleDescriptions: [String: String]
    /// Items committed per transaction: small enough that delivery starts early on a big inbox.
    let commitChunk = 200
    /// Bytes of item text a source that reads as it goes hands over per transaction: what a
    /// poll of a folder of large files holds at once.
    let commitBytes: Int
    /// One alert per story and rule, between matching and the outbox.
    let stories: StoryStage

    init(config: PharosConfig, store: any StateStore, contexts: PluginContexts, metrics: Metrics?, commitBytes: Int,
         queued: @escaping @Sendable (Set<String>) -> Void) {
        self.config = config
        self.store = store
        self.contexts = contexts
        self.metrics = metrics
        self.commitBytes = commitBytes
        self.queued = queued
        sinksByRule = Dictionary(uniqueKeysWithValues: config.rules.map { ($0.name, config.sinkNames(for: $0.name)) })
        ruleDescriptions = Dictionary(uniqueKeysWithValues: config.rules.compactMap { rule in rule.description.map { (rule.name, $0) } })
        stories = StoryStage(config: config, store: store)
    }

    /// Polls `source` once, matches new and changed items, and records them with their alerts,
    /// a chunk at a time as the source hands them over (at most ``commitChunk`` items and
    /// ``commitBytes`` bytes of text each): a chunk is committed before the source reads on.
    @discardableResult
    public func poll(_ source: ConfiguredSource) async throws -> PollReport {
        let report = Shared(PollReport())
        let state = try await SeenInStore(store: store, source: source.name)
        var output = ItemChunks(maxItems: commitChunk, maxBytes: commitBytes) { chunk in
            try await self.record(chunk, checkpoint: nil, from: source, report: report)
        }
        let checkpoint = try await source.source.poll(context: contexts.context(for: source.name, kind: "source"), state: state, into: &output)
        // The checkpoint goes in with the last chunk: after a crash half-way the next poll
        // starts from the old one and sees every uncommitted item again.
        try await record(output.takeRemaining(), checkpoint: checkpoint?.text, from: source, report: report)
        return report.value
    }

    /// ``poll(_:)``, its failure as the engine reports it: the one place a poll's errors are
    /// caught, for the scheduler and `run --once` alike. Nil when shutdown interrupted it.
    func attempt(_ source: ConfiguredSource) async -> Result<PollReport, PollFailure>? {
        do {
            return .success(try await poll(source))
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            return .failure(PollFailure(description: store.explain(error), error: PollError(error)))
        }
    }

    /// Records the new and changed items of `items` with the alerts they raise, in
    /// transactions of at most ``commitChunk`` items.
    private func record(_ items: [Item], checkpoint: String?, from source: ConfiguredSource, report: Shared<PollReport>) async throws {
        var latest: [String: Item] = [:]
        for item in items { latest[item.id] = item }
        let known = try await store.versions(source: source.name, ids: Array(latest.keys))
        let changed = items.filter { item in
            latest[item.id].map { $0 == item } == true && known[item.id] != item.effectiveVersion
        }
        report.withLock {
            $0.returned += items.count
            $0.changed += changed.count
        }
        let chunkStarts = Array(stride(from: 0, to: max(changed.count, 1), by: commitChunk))
        for start in chunkStarts {
            try Task.checkCancellation()
            let chunk = Array(changed[start..<min(start + commitChunk, changed.count)])
            let evaluated = chunk.map { evaluate($0, source: source.name) }
            let matched = zip(chunk, evaluated).map { StoryStage.Matched(item: $0, alerts: $1.alerts) }
            let archive = evaluated.compactMap(\.archive)
            let checkpoint = start == chunkStarts.last ? checkpoint : nil
            guard !chunk.isEmpty || checkpoint != nil else { continue }
            let now = contexts.now()
            let raised: [String]
            let alerts: [NewAlert]
            if matched.allSatisfy(\.alerts.isEmpty) {
                raised = try await store.record(
                    [PollRecord(source: source.name, items: chunk, archive: archive, checkpoint: checkpoint)], now: now)
                alerts = []
            } else {
                (raised, alerts) = try await stories.gate.run { () async throws -> ([String], [NewAlert]) in
                    let (alerts, writes) = try await stories.process(matched, source: source.name, now: now)
                    let record = PollRecord(
                        source: source.name, items: chunk, alerts: alerts, archive: archive, checkpoint: checkpoint, stories: writes)
                    return (try await store.record([record], now: now), alerts)
                }
            }
            report.withLock { $0.alerts += raised.count }
            metrics?.recordAlerts(raised)
            queued(Set(alerts.flatMap(\.sinks)))
        }
    }

    /// What `item` gives: its alert documents, one per matching rule that has somewhere to go,
    /// each with its sinks (the story stage decides which are raised), and its archive entry
    /// (the events the rules found and every rule it matched), unless `history: 0`.
    func evaluate(_ item: Item, source: String) -> (alerts: [(alert: Alert, sinks: [String])], archive: ArchiveEntry?) {
        let detectedAt = contexts.now()
        let matches = config.evaluator.evaluate(MatchDocument(item: item))
        let alerts = matches.compactMap { match -> (alert: Alert, sinks: [String])? in
            guard let sinks = sinksByRule[match.rule], !sinks.isEmpty else { return nil }
            let alert = Alert(match: match, item: item, source: source, detectedAt: detectedAt, ruleDescription: ruleDescriptions[match.rule])
            return (alert, sinks)
        }
        guard config.history > .zero else { return (alerts, nil) }
        var events: [RegulatoryEvent] = []
        for event in matches.lazy.flatMap(\.events) where !events.contains(event) { events.append(event) }
        return (alerts, ArchiveEntry(item: item, events: events, rules: matches.map(\.rule)))
    }
}

extension Alert {
    /// The alert `match` of `item` from `source` makes: the one place alert documents are
    /// built, for the intake and for backtests.
    public init(match: RuleMatch, item: Item, source: String, detectedAt: Date, ruleDescription: String?) {
        self.init(
            id: Alert.makeID(source: source, itemID: item.id, rule: match.rule, matches: match.matches), rule: match.rule, source: source,
            item: .init(id: item.id, title: item.title, link: item.link, published: item.published, summary: item.summary),
            matches: match.matches, evidence: match.evidence, events: match.events, detectedAt: detectedAt,
            ruleDescription: ruleDescription)
    }
}
