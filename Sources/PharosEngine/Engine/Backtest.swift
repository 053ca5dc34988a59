import Foundation
import PharosCore
import PharosMatching

/// `pharos backtest`: rules replayed over the archive, with what they would have alerted
/// compared with what did alert. It reads the archive a page at a time (the next page read
/// while the one before is matched), and decompresses, matches and renders each version on
/// every core, in chunks handed over in archive order as the next ones are matched; it
/// writes nothing to the state, and holds no more than two pages: each alert is handed over
/// as it is found.
///
/// An alert is built exactly as the intake builds it (`Alert.init(match:item:source:...)`),
/// so the same match gives the same id, and "did alert" is a lookup of that id.
public struct Backtest: Sendable {
    /// How an alert of the replay compares with what was recorded.
    public enum Status: String, Sendable {
        /// Would alert, and did not.
        case new
        /// Would alert, and did (the same id).
        case unchanged
        /// Would alert, and did not because the item was a later copy of a story the rule had
        /// already alerted on: it was recorded as `also_seen` on that alert (README, Stories).
        case alsoSeen = "also_seen"
    }

    /// An alert the replay raised.
    public struct Found: Sendable {
        public var alert: Alert
        public var status: Status
        /// The archived version that raised it.
        public var version: ArchiveSummary
        /// For ``Status/alsoSeen``: the alert it was recorded on.
        public var copyOf: String?
    }

    /// What a replay counted, once every alert it found was handed over.
    public struct Summary: Sendable {
        /// Alerts recorded for the replayed rules on replayed items that the replay no longer raises.
        public var noLonger: [RecordedAlert] = []
        /// Archived versions replayed, and the bytes of their text before compression.
        public var versions = 0
        public var textBytes: Int64 = 0
        /// Alerts found (each once) that did not alert, and that did.
        public var newCount = 0
        public var unchangedCount = 0
        /// Alerts found that were recorded as a later copy of their story's alert.
        public var alsoSeenCount = 0
    }

    /// How far a replay has got.
    public struct Progress: Sendable {
        public var versions: Int
        public var textBytes: Int64
        /// The versions the whole archive holds: at most what will be replayed.
        public var archived: Int
    }

    let store: any ArchiveStore
    let stories: (any StoryStore)?
    let evaluator: any RuleEvaluator
    let ruleDescriptions: [String: String]
    let since: Date
    let source: String?
    let workers: Int
    let pageSize: Int

    /// - Parameters:
    ///   - evaluator: the rules to replay (the config's, some of them, or a rule file's).
    ///   - since: replays the versions last seen at or after it.
    ///   - source: replays one source's items only, when set.
    ///   - stories: where the copies recorded as `also_seen` are read (the state's story index):
    ///     an alert the daemon folded into its story's first is then no "new" one.
    public init(store: any ArchiveStore, evaluator: any RuleEvaluator, since: Date, source: String? = nil, stories: (any StoryStore)? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, pageSize: Int = 512) {
        self.store = store
        self.stories = stories
        self.evaluator = evaluator
        ruleDescriptions = Dictionary(evaluator.rules.compactMap { rule in rule.description.map { (rule.name, $0) } }) { first, _ in first }
        self.since = since
        self.source = source
        self.workers = max(workers, 1)
        self.pageSize = max(pageSize, 1)
    }

    /// Replays the rules. Each alert, once and in archive order, goes to `found` with what
    /// `render` made of it on the task that matched it (the JSON or text of an alert is as
    /// much work as finding it); `progress` is called after each chunk of versions handed over.
    public func run<Rendered: Sendable>(
        render: @escaping @Sendable (Found) -> Rendered,
        found: (Found, Rendered) throws -> Void,
        progress: (Progress) -> Void = { _ in }
    ) async throws -> Summary {
        let rules = evaluator.rules.map(\.name)
        // Set once what did alert is read, beside the first pages: until then chunks are
        // matched without it, and their alerts classified and rendered when handed over.
        var known: Known?
        var recorded: [RecordedAlert] = []
        var archived = 0
        var summary = Summary()
        var seen: Set<Hashed<String>> = []
        var items: Set<Hashed<ItemKey>> = []
        // One group for the whole replay: pages are read, and chunks of them matched, while the
        // chunks before are handed over in archive order here, so no core waits for a page's
        // last chunk or for the output.
        try await withThrowingTaskGroup(of: Step<Rendered>.self) { group in
            var waiting: [ArraySlice<StoredVersion>] = []
            var firstWaiting = 0
            var waitingVersions = 0
            var after: Int64 = 0
            var reading = false
            var exhausted = false
            var running = 0
            var started = 0
            var handedOver = 0
            var finished: [Int: Chunk<Rendered>] = [:]
            /// The chunks finished in archive order from the first not handed over, once what did alert is known.
            func handOver() throws {
                guard let known else { return }
                while let chunk = finished.removeValue(forKey: handedOver) {
                    handedOver += 1
                    let alerts = chunk.classified ? chunk.alerts : chunk.unclassified.map { alert, version in
                        let found = classify(alert, version: version, known: known)
                        return (found, render(found))
                    }
                    for (alert, rendered) in alerts where seen.insert(Hashed(alert.alert.id)).inserted {
                        switch alert.status {
                        case .new: summary.newCount += 1
                        case .unchanged: summary.unchangedCount += 1
                        case .alsoSeen: summary.alsoSeenCount += 1
                        }
                        try found(alert, rendered)
                    }
                    if chunk.classified {
                        items.formUnion(chunk.alertedItems)
                    } else {
                        for item in chunk.alertedItems where known.alertedItems.contains(item) { items.insert(item) }
                    }
                    summary.textBytes += chunk.textBytes
                    summary.versions += chunk.versions
                    progress(Progress(versions: summary.versions, textBytes: summary.textBytes, archived: archived))
                }
            }
            group.addTask { .known(try await self.readKnown(rules: rules)) }
            while true {
                try Task.checkCancellation()
                while running < workers, firstWaiting < waiting.count {
                    let versions = waiting[firstWaiting]
                    // A slice holds its whole page: let go of it once started.
                    waiting[firstWaiting] = []
                    firstWaiting += 1
                    waitingVersions -= versions.count
                    let index = started
                    started += 1
                    running += 1
                    let known = known
                    group.addTask { .chunk(index, try self.match(versions, known: known, render: render)) }
                }
                if firstWaiting == waiting.count || firstWaiting >= 256 {
                    waiting.removeFirst(firstWaiting)
                    firstWaiting = 0
                }
                // The next page is read while at most a page waits: at most two are held.
                if !reading, !exhausted, waitingVersions < pageSize {
                    reading = true
                    let after = after
                    group.addTask { .page(try await store.archivePage(since: since, source: source, after: after, limit: pageSize)) }
                }
                guard let step = try await group.next() else { break }
                switch step {
                case .known(let read):
                    (known, recorded, archived) = (read.known, read.recorded, read.archived)
                    try handOver()
                case .page(let page):
                    reading = false
                    guard let last = page.last else {
                        exhausted = true
                        continue
                    }
                    after = last.summary.position
                    for start in stride(from: 0, to: page.count, by: Self.chunk) { waiting.append(page[start..<min(start + Self.chunk, page.count)]) }
                    waitingVersions += page.count
                case .chunk(let index, let chunk):
                    running -= 1
                    finished[index] = chunk
                    try handOver()
                }
            }
        }
        summary.noLonger = recorded.filter { !seen.contains(Hashed($0.id)) && items.contains(Hashed(ItemKey(source: $0.source, itemID: $0.itemID))) }
        return summary
    }

    /// What did alert, and how many versions the archive holds. One query after the other: a
    /// replay reads its pages beside them, on another of the store's readers.
    private func readKnown(rules: [String]) async throws -> (known: Known, recorded: [RecordedAlert], archived: Int) {
        let archived = try await store.archivedVersionCount()
        let recorded = try await store.recordedAlerts(rules: rules, since: .distantPast, source: source)
        let copies = try await stories?.recordedCopies(rules: rules) ?? []
        // A copy recorded on two alerts of one rule counts as the copy of the one it was seen
        // with first (then the lesser id), whatever order the store lists them in.
        let known = Known(
            alerts: Set(recorded.map { Hashed($0.id) }),
            alertedItems: Set(recorded.map { Hashed(ItemKey(source: $0.source, itemID: $0.itemID)) }),
            copies: Dictionary(copies.lazy.map { (Hashed(CopyKey(rule: $0.rule, source: $0.copy.source, itemID: $0.copy.itemID)), (alertID: $0.alertID, seenAt: $0.copy.seenAt)) }) { a, b in
                (a.seenAt, a.alertID) <= (b.seenAt, b.alertID) ? a : b
            })
        return (known, recorded, archived)
    }

    /// What a task of the replay's group brings back: a page read, or a chunk matched.
    private enum Step<Rendered: Sendable>: Sendable {
        case known((known: Known, recorded: [RecordedAlert], archived: Int))
        case page([StoredVersion])
        case chunk(Int, Chunk<Rendered>)
    }

    /// The alerts of a chunk of versions, rendered, and what was replayed.
    private struct Chunk<Rendered: Sendable>: Sendable {
        /// Whether it was matched knowing what did alert: its alerts are then classified and
        /// rendered in `alerts`, else they are in `unclassified`.
        var classified: Bool
        var alerts: [(Found, Rendered)] = []
        var unclassified: [(Alert, ArchiveSummary)] = []
        var versions = 0
        /// Of the items replayed, those with a recorded alert (when not classified, every item).
        var alertedItems: [Hashed<ItemKey>] = []
        var textBytes: Int64 = 0
    }

    private struct ItemKey: Hashable, Sendable {
        var source: String
        var itemID: String
    }

    private struct CopyKey: Hashable, Sendable {
        var rule: String
        var source: String
        var itemID: String
    }

    /// A key with its hash computed once, kept beside it and compared first. A set probes
    /// several occupied places per look-up and compares the key in each; ids and item ids are
    /// strings of one length kept out of line, so each such comparison read another string and
    /// compared its bytes (`memcmp` was 3% of a replay, bench/backtest/README.md).
    private struct Hashed<Key: Hashable & Sendable>: Hashable, Sendable {
        let key: Key
        let hash: Int

        init(_ key: Key) {
            self.key = key
            hash = key.hashValue
        }

        static func == (lhs: Self, rhs: Self) -> Bool { lhs.hash == rhs.hash && lhs.key == rhs.key }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// What did alert: the recorded alerts' ids and their items, and the copies recorded as
    /// `also_seen` (by rule, source and item) with the alert each was recorded on.
    private struct Known: Sendable {
        var alerts: Set<Hashed<String>>
        var alertedItems: Set<Hashed<ItemKey>>
        var copies: [Hashed<CopyKey>: (alertID: String, seenAt: Date)]
    }

    /// Versions a task takes at a time: small enough that no core waits long for the last
    /// one, large enough that starting tasks costs little.
    static let chunk = 16

    /// The alerts of `versions`, in order: their texts decompressed and matched, and when what
    /// did alert is `known`, classified and rendered.
    private func match<Rendered: Sendable>(
        _ versions: ArraySlice<StoredVersion>, known: Known?, render: @Sendable (Found) -> Rendered
    ) throws -> Chunk<Rendered> {
        var chunk = Chunk<Rendered>(classified: known != nil)
        // Each version's text is decompressed into the same buffer.
        var scratch: [UInt8] = []
        for version in versions {
            let alerts = try alerts(version, scratch: &scratch)
            if let known {
                for alert in alerts {
                    let found = classify(alert, version: version.summary, known: known)
                    chunk.alerts.append((found, render(found)))
                }
            } else {
                for alert in alerts { chunk.unclassified.append((alert, version.summary)) }
            }
            chunk.versions += 1
            let item = Hashed(ItemKey(source: version.summary.source, itemID: version.summary.itemID))
            if known?.alertedItems.contains(item) ?? true { chunk.alertedItems.append(item) }
            chunk.textBytes += Int64(version.summary.textBytes)
        }
        return chunk
    }

    /// The alerts one archived version raises, dated when it was read: matched over its
    /// decompressed text in place, as `MatchDocument(item:)` would list its fields.
    private func alerts(_ version: StoredVersion, scratch: inout [UInt8]) throws(ArchiveTextError) -> [Alert] {
        let (item, matches) = try ArchiveText.withMatchFields(from: version.text, id: version.summary.itemID, scratch: &scratch) { fields, texts in
            // Made with their labels: an array of `zip`'s unlabelled pairs was cast element by element.
            var named: [(name: String, text: UnsafeBufferPointer<UInt8>)] = []
            named.reserveCapacity(texts.count)
            for (name, text) in zip(fields.names, texts) { named.append((name, text)) }
            return (fields.item, evaluator.evaluate(utf8: named, published: fields.item.published))
        }
        return matches.map { match in
            Alert(match: match, item: item, source: version.summary.source, detectedAt: version.summary.firstSeen,
                  ruleDescription: ruleDescriptions[match.rule])
        }
    }

    /// How `alert` compares with what did alert.
    private func classify(_ alert: Alert, version: ArchiveSummary, known: Known) -> Found {
        if known.alerts.contains(Hashed(alert.id)) { return Found(alert: alert, status: .unchanged, version: version) }
        let copyOf = known.copies[Hashed(CopyKey(rule: alert.rule, source: alert.source, itemID: alert.item.id))]?.alertID
        return Found(alert: alert, status: copyOf == nil ? .new : .alsoSeen, version: version, copyOf: copyOf)
    }
}
