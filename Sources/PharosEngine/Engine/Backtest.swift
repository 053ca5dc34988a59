import Foundation
import PharosCore
import PharosMatching

/// `pharos backtest`: rules replayed over the archive, with what they would have alerted
/// compared with what did alert. It reads the archive a page at a time (the next page read
/// while this one is matched) and matches each page on every core; it writes nothing.
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
    }

    /// An alert the replay raised.
    public struct Found: Sendable {
        public var alert: Alert
        public var status: Status
        /// The archived version that raised it.
        public var version: ArchiveSummary
    }

    /// What a replay found.
    public struct Report: Sendable {
        /// Alerts the rules would have raised, in archive order, each once.
        public var alerts: [Found] = []
        /// Alerts recorded for the replayed rules on replayed items that the replay no longer raises.
        public var noLonger: [RecordedAlert] = []
        /// Archived versions replayed, and the bytes of their text before compression.
        public var versions = 0
        public var textBytes: Int64 = 0

        public var newCount: Int { alerts.count { $0.status == .new } }
        public var unchangedCount: Int { alerts.count { $0.status == .unchanged } }
    }

    /// How far a replay has got.
    public struct Progress: Sendable {
        public var versions: Int
        public var textBytes: Int64
        /// The versions the whole archive holds: at most what will be replayed.
        public var archived: Int
    }

    let store: any ArchiveStore
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
    public init(store: any ArchiveStore, evaluator: any RuleEvaluator, since: Date, source: String? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, pageSize: Int = 512) {
        self.store = store
        self.evaluator = evaluator
        ruleDescriptions = Dictionary(evaluator.rules.compactMap { rule in rule.description.map { (rule.name, $0) } }) { first, _ in first }
        self.since = since
        self.source = source
        self.workers = max(workers, 1)
        self.pageSize = max(pageSize, 1)
    }

    /// Replays the rules, calling `progress` after each page.
    public func run(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        let archived = try await store.archiveStats().versions
        var report = Report()
        var seen: Set<String> = []
        var items: Set<ItemKey> = []
        var page = try await store.archivePage(since: since, source: source, after: 0, limit: pageSize)
        while !page.isEmpty {
            try Task.checkCancellation()
            let after = page[page.count - 1].summary.position
            async let next = store.archivePage(since: since, source: source, after: after, limit: pageSize)
            for found in await match(page) where seen.insert(found.alert.id).inserted {
                report.alerts.append(found)
            }
            for version in page {
                items.insert(ItemKey(source: version.summary.source, itemID: version.summary.itemID))
                report.textBytes += Int64(version.summary.textBytes)
            }
            report.versions += page.count
            progress(Progress(versions: report.versions, textBytes: report.textBytes, archived: archived))
            page = try await next
        }
        let recorded = try await store.recordedAlerts(rules: evaluator.rules.map(\.name), since: .distantPast, source: source)
        let recordedIDs = Set(recorded.map(\.id))
        for index in report.alerts.indices where recordedIDs.contains(report.alerts[index].alert.id) {
            report.alerts[index].status = .unchanged
        }
        report.noLonger = recorded.filter { !seen.contains($0.id) && items.contains(ItemKey(source: $0.source, itemID: $0.itemID)) }
        return report
    }

    private struct ItemKey: Hashable {
        var source: String
        var itemID: String
    }

    /// The alerts of a page, in page order, its versions matched on `workers` tasks.
    private func match(_ page: [ArchivedItem]) async -> [Found] {
        let slice = (page.count + workers - 1) / workers
        var results = [[Found]](repeating: [], count: workers)
        await withTaskGroup(of: (Int, [Found]).self) { group in
            for worker in 0..<workers where worker * slice < page.count {
                let part = page[(worker * slice)..<min((worker + 1) * slice, page.count)]
                group.addTask { (worker, part.flatMap(self.alerts)) }
            }
            for await (worker, found) in group { results[worker] = found }
        }
        return results.flatMap { $0 }
    }

    /// The alerts one archived version raises, dated when it was read.
    private func alerts(_ version: ArchivedItem) -> [Found] {
        evaluator.evaluate(MatchDocument(item: version.item)).map { match in
            let alert = Alert(match: match, item: version.item, source: version.summary.source, detectedAt: version.summary.firstSeen,
                              ruleDescription: ruleDescriptions[match.rule])
            return Found(alert: alert, status: .new, version: version.summary)
        }
    }
}
