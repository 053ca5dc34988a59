import Foundation
import PharosCore
import PharosMatching

/// `pharos backtest`: rules replayed over the archive, with what they would have alerted
/// compared with what did alert. It reads the archive a page at a time (the next page read
/// while this one is matched), and decompresses, matches and renders each version on every
/// core; it writes nothing to the state, and holds no more than the pages in flight: each
/// alert is handed over as it is found.
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
    /// much work as finding it); `progress` is called after each page.
    public func run<Rendered: Sendable>(
        render: @escaping @Sendable (Found) -> Rendered,
        found: (Found, Rendered) throws -> Void,
        progress: (Progress) -> Void = { _ in }
    ) async throws -> Summary {
        let archived = try await store.archiveStats().versions
        let recorded = try await store.recordedAlerts(rules: evaluator.rules.map(\.name), since: .distantPast, source: source)
        let copies = try await stories?.recordedCopies(rules: evaluator.rules.map(\.name)) ?? []
        let known = Known(
            alerts: Set(recorded.map(\.id)),
            copies: Dictionary(copies.map { (Known.key(rule: $0.rule, source: $0.copy.source, itemID: $0.copy.itemID), $0.alertID) }) { first, _ in first })
        var summary = Summary()
        var seen: Set<String> = []
        var items: Set<ItemKey> = []
        var page = try await store.archivePage(since: since, source: source, after: 0, limit: pageSize)
        while !page.isEmpty {
            try Task.checkCancellation()
            let after = page[page.count - 1].summary.position
            async let next = store.archivePage(since: since, source: source, after: after, limit: pageSize)
            for (alert, rendered) in try await match(page, known: known, render: render) where seen.insert(alert.alert.id).inserted {
                switch alert.status {
                case .new: summary.newCount += 1
                case .unchanged: summary.unchangedCount += 1
                case .alsoSeen: summary.alsoSeenCount += 1
                }
                try found(alert, rendered)
            }
            for version in page {
                items.insert(ItemKey(source: version.summary.source, itemID: version.summary.itemID))
                summary.textBytes += Int64(version.summary.textBytes)
            }
            summary.versions += page.count
            progress(Progress(versions: summary.versions, textBytes: summary.textBytes, archived: archived))
            page = try await next
        }
        summary.noLonger = recorded.filter { !seen.contains($0.id) && items.contains(ItemKey(source: $0.source, itemID: $0.itemID)) }
        return summary
    }

    private struct ItemKey: Hashable {
        var source: String
        var itemID: String
    }

    /// What did alert: the recorded alerts' ids, and the copies recorded as `also_seen` (by
    /// rule, source and item) with the alert each was recorded on.
    private struct Known: Sendable {
        var alerts: Set<String>
        var copies: [String: String]

        static func key(rule: String, source: String, itemID: String) -> String { "\(rule)\u{1F}\(source)\u{1F}\(itemID)" }
    }

    /// Versions a task takes at a time: small enough that the tasks of a page end together.
    static let chunk = 16

    /// The alerts of a page, in page order, rendered; its versions decompressed and matched
    /// on tasks of ``chunk`` versions, as many at once as there are cores.
    private func match<Rendered: Sendable>(
        _ page: [StoredVersion], known: Known, render: @escaping @Sendable (Found) -> Rendered
    ) async throws -> [(Found, Rendered)] {
        let chunks = stride(from: 0, to: page.count, by: Self.chunk).map { $0..<min($0 + Self.chunk, page.count) }
        var results = [[(Found, Rendered)]](repeating: [], count: chunks.count)
        try await withThrowingTaskGroup(of: (Int, [(Found, Rendered)]).self) { group in
            var started = 0
            func start() {
                let index = started
                let versions = page[chunks[index]]
                group.addTask {
                    var found: [(Found, Rendered)] = []
                    for version in versions {
                        for alert in try self.alerts(version.decoded(), known: known) { found.append((alert, render(alert))) }
                    }
                    return (index, found)
                }
                started += 1
            }
            while started < min(workers, chunks.count) { start() }
            while let (index, found) = try await group.next() {
                results[index] = found
                if started < chunks.count { start() }
            }
        }
        return results.flatMap { $0 }
    }

    /// The alerts one archived version raises, dated when it was read.
    private func alerts(_ version: ArchivedItem, known: Known) -> [Found] {
        evaluator.evaluate(MatchDocument(item: version.item)).map { match in
            let alert = Alert(match: match, item: version.item, source: version.summary.source, detectedAt: version.summary.firstSeen,
                              ruleDescription: ruleDescriptions[match.rule])
            if known.alerts.contains(alert.id) { return Found(alert: alert, status: .unchanged, version: version.summary) }
            let copyOf = known.copies[Known.key(rule: alert.rule, source: alert.source, itemID: alert.item.id)]
            return Found(alert: alert, status: copyOf == nil ? .new : .alsoSeen, version: version.summary, copyOf: copyOf)
        }
    }
}
