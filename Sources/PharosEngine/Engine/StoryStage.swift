import Foundation
import PharosCore
import PharosMatching
import PharosSupport

/// The stage between matching and the outbox (README, Stories): one alert per story and rule.
///
/// Each item that raised alerts is fingerprinted (``StoryFingerprint``) and looked up in the
/// story index; it joins the story of the first indexed item it is the same story as, or
/// starts its own. For a rule that already alerted on the story, a copy that matches nothing
/// the story's alerts lacked raises no alert for the sinks that want one per story: it is
/// recorded as `also_seen` on the first alert instead. Everything it decides is written with
/// the poll, in its transaction.
struct StoryStage: Sendable {
    let store: any StoryStore
    /// How far back the index looks.
    let window: TimeInterval
    let perStoryRules: Set<String>
    let perStorySinks: Set<String>
    private let extractor: LazyExtractor
    /// One chunk at a time decides and records: two sources polled at once must not both
    /// find a story new.
    let gate = SerialGate()

    init(config: PharosConfig, store: any StoryStore) {
        self.store = store
        window = Double(config.storyWindow.components.seconds)
        perStoryRules = Set(config.rules.filter(\.perStory).map(\.name))
        perStorySinks = Set(config.sinks.filter(\.perStory).map(\.name))
        extractor = LazyExtractor(vocabulary: config.vocabulary)
    }

    /// An item and the alerts it raised, each with the sinks it would go to.
    struct Matched {
        var item: Item
        var alerts: [(alert: Alert, sinks: [String])]
    }

    /// The alerts to queue for `matched` (a chunk, in order) and what to write to the index.
    func process(_ matched: [Matched], source: String, now: Date) async throws -> (alerts: [NewAlert], writes: StoryWrites) {
        var writes = StoryWrites(forgetBefore: now.addingTimeInterval(-window))
        var raised: [NewAlert] = []
        var pending: [StoryEntry] = []
        var firstAlerts: [String: [String: StoryAlert]] = [:]
        let (extractor, ordinary) = extractor.value
        for entry in matched where !entry.alerts.isEmpty {
            let item = entry.item
            let fingerprint = StoryFingerprint(document: MatchDocument(item: item), extractor: extractor, ordinary: ordinary)
            var probe = StoryEntry(story: "", source: source, itemID: item.id, link: item.link, seenAt: now, fingerprint: fingerprint)
            let known = try await store.storyCandidates(keys: probe.keys, since: now.addingTimeInterval(-window)) + pending
            let itself = known.first { $0.source == source && $0.itemID == item.id }
            let joined = itself ?? known.first { fingerprint.sameStory(as: $0.fingerprint) != nil }
            let story = joined?.story ?? Self.storyID(source: source, itemID: item.id)
            var firsts: [String: StoryAlert]
            if let known = firstAlerts[story] {
                firsts = known
            } else {
                firsts = Dictionary(try await store.storyAlerts(story: story).map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
            }
            for (var alert, sinks) in entry.alerts {
                alert.story = story
                let entities = alert.matches.entityKeys
                var deliverTo = sinks
                if let first = firsts[alert.rule], first.source != source || first.itemID != item.id,
                   perStoryRules.contains(alert.rule), Set(entities).isSubset(of: first.entities) {
                    let copyTo = sinks.filter(perStorySinks.contains)
                    if !copyTo.isEmpty {
                        writes.sightings.append((first.alertID, AlsoSeen(source: source, itemID: item.id, link: item.link, seenAt: now)))
                        deliverTo = sinks.filter { !perStorySinks.contains($0) }
                    }
                }
                guard !deliverTo.isEmpty else { continue }
                raised.append(NewAlert(id: alert.id, rule: alert.rule, itemID: item.id, json: alert.jsonLine(), sinks: deliverTo))
                var record = firsts[alert.rule]
                    ?? StoryAlert(story: story, rule: alert.rule, alertID: alert.id, source: source, itemID: item.id, entities: [])
                record.entities = Array(Set(record.entities).union(entities)).sorted()
                firsts[alert.rule] = record
                writes.alerts.append(record)
            }
            firstAlerts[story] = firsts
            if itself == nil {
                probe.story = story
                pending.append(probe)
                writes.entries.append(probe)
            }
        }
        return (raised, writes)
    }

    /// A new story's id: its first item's, stable across restarts.
    static func storyID(source: String, itemID: String) -> String {
        String(SHA256.hex("story\u{1F}\(source)\u{1F}\(itemID)").prefix(32))
    }
}

/// The event extractor and the vocabulary's ordinary words (no names of a story), made on
/// first use: most engines built in tests never need them.
final class LazyExtractor: Sendable {
    private let vocabulary: Vocabulary
    private let built = Shared<(EventExtractor, Set<String>)?>(nil)

    init(vocabulary: Vocabulary) { self.vocabulary = vocabulary }

    var value: (EventExtractor, Set<String>) {
        built.withLock { built in
            if let built { return built }
            let made = (EventExtractor(vocabulary: vocabulary), StoryMarks.ordinaryWords(in: vocabulary))
            built = made
            return made
        }
    }
}

/// Runs bodies one at a time, in the order they arrive, across their suspension points.
final class SerialGate: Sendable {
    private let state = Shared<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.busy { state.waiting.append(continuation); return false }
                state.busy = true
                return true
            }
            if now { continuation.resume() }
        }
        defer {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiting.isEmpty { state.busy = false; return nil }
                return state.waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
