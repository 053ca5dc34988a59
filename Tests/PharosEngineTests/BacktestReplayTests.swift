import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import Testing

private let start = Date(timeIntervalSince1970: 1_795_424_400)

/// How `Backtest` splits the archive into pages and chunks must not show in what it hands over.
@Suite struct BacktestReplay {
    /// `count` items, every third naming BCMA; item 4 is edited later (a second version that
    /// names it too, so the same alert id).
    private func archive(_ backend: Backend, count: Int) async throws -> any StateStore {
        let store = try backend.make()
        for index in 0..<count {
            let item = Item(id: "\(index)", title: "item \(index)",
                            content: index % 3 == 1 ? "Acme doses the first patient with its BCMA therapy. Item \(index)." : "Nothing here \(index).")
            try await store.record([PollRecord(source: "news", items: [item], archive: [ArchiveEntry(item: item, events: [], rules: [])])],
                                   now: start.addingTimeInterval(Double(index)))
        }
        var edited = Item(id: "4", title: "item 4", content: "Acme doses the second patient with its BCMA therapy.")
        edited.version = "v2"
        try await store.record([PollRecord(source: "news", items: [edited], archive: [ArchiveEntry(item: edited, events: [], rules: [])])],
                               now: start.addingTimeInterval(Double(count)))
        return store
    }

    /// One rule, "bcma", that fires on the keyword BCMA.
    private func bcmaRule() throws -> CompiledRules {
        var clause = Clause()
        clause.keywords = ["BCMA"]
        return try CompiledRules(rules: [Rule(name: "bcma", clause: clause, location: SourceLocation(file: "t", line: 1, column: 1))],
                                 vocabulary: Vocabulary())
    }

    @Test(arguments: Backend.allCases) func anySizeOfPageAndChunkHandsOverTheSameAlertsInArchiveOrder(_ backend: Backend) async throws {
        let count = 70
        let store = try await archive(backend, count: count)
        let evaluator = try bcmaRule()
        func replay(workers: Int, pageSize: Int) async throws -> (items: [String], summary: Backtest.Summary, progress: [Int]) {
            var items: [String] = []
            var progress: [Int] = []
            let summary = try await Backtest(store: store, evaluator: evaluator, since: .distantPast, workers: workers, pageSize: pageSize)
                .run(render: { $0.alert.item.id }, found: { found, rendered in
                    #expect(found.status == .new)
                    items.append(rendered)
                }, progress: { progress.append($0.versions) })
            return (items, summary, progress)
        }
        // Archive order; item 4's second version raises the alert its first did, so it is handed over once.
        let expected = (0..<count).filter { $0 % 3 == 1 }.map(String.init)
        for (workers, pageSize) in [(1, 512), (2, 5), (3, 17), (4, 1), (2, 16)] {
            let replayed = try await replay(workers: workers, pageSize: pageSize)
            #expect(replayed.items == expected, "workers \(workers), pages of \(pageSize)")
            #expect(replayed.summary.versions == count + 1 && replayed.summary.newCount == expected.count)
            #expect(replayed.summary.noLonger.isEmpty)
            #expect(replayed.progress == replayed.progress.sorted() && replayed.progress.last == count + 1, "\(replayed.progress)")
        }
    }

    /// Chunks matched before what did alert is read are classified when handed over, as those
    /// matched after it: the same statuses and the same alerts that no longer alert.
    @Test(arguments: Backend.allCases) func alertsMatchedBeforeTheRecordedOnesAreReadCompareTheSame(_ backend: Backend) async throws {
        let count = 70
        let store = try await archive(backend, count: count)
        let evaluator = try bcmaRule()
        var ids: [String] = []
        _ = try await Backtest(store: store, evaluator: evaluator, since: .distantPast).run(render: { $0.alert.id }, found: { ids.append($1) })
        // Every other alert did alert; and item 3 (which matches nothing now) once alerted.
        let recorded = ids.enumerated().filter { $0.offset % 2 == 0 }.map { NewAlert(id: $0.element, rule: "bcma", itemID: "?", json: "{}", sinks: []) }
        try await store.record([PollRecord(source: "news", alerts: recorded + [NewAlert(id: "gone", rule: "bcma", itemID: "3", json: "{}", sinks: [])])],
                               now: start.addingTimeInterval(Double(count + 1)))
        func replay(_ store: any ArchiveStore) async throws -> (statuses: [String], summary: Backtest.Summary) {
            var statuses: [String] = []
            let summary = try await Backtest(store: store, evaluator: evaluator, since: .distantPast, workers: 2, pageSize: 4)
                .run(render: { "\($0.alert.id) \($0.status.rawValue)" }, found: { statuses.append($1) })
            return (statuses, summary)
        }
        let expected = ids.enumerated().map { "\($0.element) \($0.offset % 2 == 0 ? "unchanged" : "new")" }
        for store in [store, SlowRecords(store: store)] as [any ArchiveStore] {
            let replayed = try await replay(store)
            #expect(replayed.statuses == expected, "\(type(of: store))")
            #expect(replayed.summary.unchangedCount == recorded.count && replayed.summary.newCount == ids.count - recorded.count)
            #expect(replayed.summary.noLonger.map(\.id) == ["gone"], "\(type(of: store))")
        }
    }
}

/// A store whose recorded alerts take a while to read: the replay's first chunks are matched
/// before they are known.
private struct SlowRecords: ArchiveStore {
    let store: any StateStore

    func archivedItems(_ query: ArchiveQuery) async throws -> [ArchiveSummary] { try await store.archivedItems(query) }
    func archivedVersions(source: String, itemID: String) async throws -> [ArchivedItem] {
        try await store.archivedVersions(source: source, itemID: itemID)
    }
    func archivePage(since: Date, source: String?, after: Int64, limit: Int) async throws -> [StoredVersion] {
        try await store.archivePage(since: since, source: source, after: after, limit: limit)
    }
    func expireArchive(before cutoff: Date, limit: Int) async throws -> Int { try await store.expireArchive(before: cutoff, limit: limit) }
    func archiveStats() async throws -> ArchiveStats { try await store.archiveStats() }
    func recordedAlerts(rules: [String], since: Date, source: String?) async throws -> [RecordedAlert] {
        try await Task.sleep(for: .milliseconds(300))
        return try await store.recordedAlerts(rules: rules, since: since, source: source)
    }
}
