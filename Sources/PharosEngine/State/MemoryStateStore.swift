import Foundation
import PharosCore

/// A `StateStore` held in memory, for tests (and a test kit): the same contract as
/// `SQLiteStateStore` (`StateContractTests` runs the same assertions on both), with every
/// write under one lock so a `record` is as atomic as a transaction. Nothing survives the
/// process.
public final class MemoryStateStore: StateStore {
    private struct SeenItem {
        var version: String
        var title: String
    }

    private struct StoredAlert {
        var rule: String
        var source: String
        var itemID: String
        var json: String
        var created: Date
        /// Order of insertion: ties of `created` are ordered by it.
        var sequence: Int
    }

    /// A version in the archive, in the order written (SQLite's rowid).
    private struct ArchiveRow {
        var summary: ArchiveSummary
        var text: [UInt8]
    }

    /// A row of the outbox, kept in the order queued (SQLite's rowid).
    private struct Row {
        var alertID: String
        var sink: String
        var state: String
        var attempts: Int
        var nextAttempt: Date
        var lastError: String?
        var updated: Date
        var queued: Date
    }

    private struct SourceRow {
        var checkpoint: String?
        var lastPoll: Date?
        var lastSuccess: Date?
        var failures = 0
        var nextPoll: Date?
        var lastError: String?
        var failingSince: Date?
    }

    private struct State {
        var items: [String: [String: SeenItem]] = [:]
        var alerts: [String: StoredAlert] = [:]
        var outbox: [Row] = []
        var sources: [String: SourceRow] = [:]
        var sinkStreaks: [String: (failures: Int, since: Date?)] = [:]
        var records: [PollRecord] = []
        var archive: [ArchiveRow] = []
        var nextPosition: Int64 = 1
        var stories = MemoryStoryIndex()
    }

    private let state = Shared(State())

    public init() {}

    /// Every poll record written so far, in order: what a test reads to see what was committed
    /// in which transaction.
    public var records: [PollRecord] { state.value.records }

    public func checkpoint(source: String) async throws -> String? {
        state.withLock { $0.sources[source]?.checkpoint }
    }

    public func versions(source: String, ids: [String]) async throws -> [String: String] {
        state.withLock { state in
            var found: [String: String] = [:]
            for id in ids { if let item = state.items[source]?[id] { found[id] = item.version } }
            return found
        }
    }

    @discardableResult
    public func record(_ polls: [PollRecord], now: Date) async throws -> [String] {
        state.withLock { state in
            var inserted: [String] = []
            state.records += polls
            for poll in polls {
                if let checkpoint = poll.checkpoint { state.sources[poll.source, default: SourceRow()].checkpoint = checkpoint }
                for item in poll.items {
                    state.items[poll.source, default: [:]][item.id] = SeenItem(version: item.effectiveVersion, title: item.title)
                }
                for entry in poll.archive { Self.archive(entry, source: poll.source, now: now, into: &state) }
                for alert in poll.alerts where state.alerts[alert.id] == nil {
                    state.alerts[alert.id] = StoredAlert(rule: alert.rule, source: poll.source, itemID: alert.itemID, json: alert.json,
                                                           created: now, sequence: state.alerts.count)
                    inserted.append(alert.rule)
                    for sink in alert.sinks where !state.outbox.contains(where: { $0.alertID == alert.id && $0.sink == sink }) {
                        state.outbox.append(Row(alertID: alert.id, sink: sink, state: "pending", attempts: 0, nextAttempt: now,
                                                lastError: nil, updated: now, queued: now))
                    }
                }
                var alerts = state.alerts
                state.stories.apply(poll.stories) { alertID, copy in
                    if let json = alerts[alertID]?.json { alerts[alertID]?.json = Alert.adding(copy, to: json) }
                }
                state.alerts = alerts
                if let status = poll.status { Self.apply(status, to: &state.sources[status.source, default: SourceRow()]) }
            }
            return inserted
        }
    }

    private static func archive(_ entry: ArchiveEntry, source: String, now: Date, into state: inout State) {
        let version = entry.item.effectiveVersion
        if let index = state.archive.firstIndex(where: {
            $0.summary.source == source && $0.summary.itemID == entry.item.id && $0.summary.version == version
        }) {
            state.archive[index].summary.lastSeen = now
            state.archive[index].summary.rules = entry.rules
            state.archive[index].summary.eventsJSON = entry.eventsJSON
            return
        }
        let item = entry.item
        let summary = ArchiveSummary(
            position: state.nextPosition, source: source, itemID: item.id, version: version, title: item.title, link: item.link,
            published: item.published, firstSeen: now, lastSeen: now, rules: entry.rules, eventsJSON: entry.eventsJSON,
            textBytes: entry.textBytes)
        state.nextPosition += 1
        state.archive.append(ArchiveRow(summary: summary, text: entry.text))
    }

    public func archivedItems(_ query: ArchiveQuery) async throws -> [ArchiveSummary] {
        state.withLock { state in
            let rows = state.archive.map(\.summary).filter { summary in
                summary.lastSeen >= query.since && query.source.map { summary.source == $0 } != false
                    && query.rule.map(summary.rules.contains) != false && query.before.map { summary.position < $0 } != false
            }
            return Array(rows.sorted { ($0.lastSeen, $0.position) > ($1.lastSeen, $1.position) }.prefix(max(query.limit, 0)))
        }
    }

    public func archivedVersions(source: String, itemID: String) async throws -> [ArchivedItem] {
        let rows = state.withLock { state in
            state.archive.filter { $0.summary.source == source && $0.summary.itemID == itemID }
                .sorted { ($0.summary.lastSeen, $0.summary.position) > ($1.summary.lastSeen, $1.summary.position) }
        }
        return try rows.map { ArchivedItem(summary: $0.summary, item: try ArchiveText.item(from: $0.text, id: itemID)) }
    }

    public func archivePage(since: Date, source: String?, after: Int64, limit: Int) async throws -> [StoredVersion] {
        state.withLock { state in
            state.archive.filter { row in
                row.summary.position > after && row.summary.lastSeen >= since && source.map { row.summary.source == $0 } != false
            }.prefix(limit).map { StoredVersion(summary: $0.summary, text: $0.text) }
        }
    }

    public func expireArchive(before cutoff: Date, limit: Int) async throws -> Int {
        state.withLock { state in
            let expired = Set(state.archive.filter { $0.summary.lastSeen < cutoff }
                .sorted { $0.summary.lastSeen < $1.summary.lastSeen }.prefix(limit).map(\.summary.position))
            state.archive.removeAll { expired.contains($0.summary.position) }
            return expired.count
        }
    }

    public func archiveStats() async throws -> ArchiveStats {
        state.withLock { state in
            ArchiveStats(versions: state.archive.count, textBytes: state.archive.reduce(0) { $0 + Int64($1.summary.textBytes) },
                         storedBytes: state.archive.reduce(0) { $0 + Int64($1.text.count) })
        }
    }

    public func recordedAlerts(rules: [String], since: Date, source: String?) async throws -> [RecordedAlert] {
        state.withLock { state in
            state.alerts.map { id, alert in
                RecordedAlert(id: id, rule: alert.rule, source: alert.source, itemID: alert.itemID, createdAt: alert.created)
            }.filter { alert in
                alert.createdAt >= since && source.map { alert.source == $0 } != false && (rules.isEmpty || rules.contains(alert.rule))
            }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    public func storyCandidates(keys: [Int64], since: Date) async throws -> [StoryEntry] {
        state.withLock { $0.stories.candidates(keys: keys, since: since) }
    }

    public func storyAlerts(story: String) async throws -> [StoryAlert] {
        state.withLock { $0.stories.alerts(story: story) }
    }

    public func alsoSeen(alertIDs: [String]) async throws -> [String: [AlsoSeen]] {
        state.withLock { state in
            var found: [String: [AlsoSeen]] = [:]
            for id in alertIDs { if let copies = state.stories.copies[id], !copies.isEmpty { found[id] = copies.sorted(by: Self.copyOrder) } }
            return found
        }
    }

    public func storiesWithCopies(limit: Int) async throws -> [(alertID: String, rule: String, copies: [AlsoSeen])] {
        state.withLock { state in
            state.stories.copies.compactMap { id, copies -> (alertID: String, rule: String, copies: [AlsoSeen])? in
                guard let alert = state.alerts[id] else { return nil }
                return (id, alert.rule, copies.sorted(by: Self.copyOrder))
            }
            .sorted { ($0.copies.last?.seenAt ?? .distantPast, $1.alertID) > ($1.copies.last?.seenAt ?? .distantPast, $0.alertID) }
            .prefix(limit).map { $0 }
        }
    }

    public func recordedCopies(rules: [String]) async throws -> [(alertID: String, rule: String, copy: AlsoSeen)] {
        let wanted = Set(rules)
        return state.withLock { state in
            state.stories.copies.flatMap { id, copies -> [(alertID: String, rule: String, copy: AlsoSeen)] in
                guard let rule = state.alerts[id]?.rule, wanted.contains(rule) else { return [] }
                return copies.map { (id, rule, $0) }
            }
        }
    }

    private static func copyOrder(_ a: AlsoSeen, _ b: AlsoSeen) -> Bool {
        (a.seenAt, a.source, a.itemID) < (b.seenAt, b.source, b.itemID)
    }

    private static func apply(_ status: PollStatus, to row: inout SourceRow) {
        row.lastPoll = status.polled
        row.nextPoll = status.nextPoll
        if let error = status.error {
            row.failingSince = row.failures > 0 ? (row.failingSince ?? status.polled) : status.polled
            row.failures += 1
            row.lastError = error
        } else {
            row.lastSuccess = status.polled
            row.failures = 0
            row.lastError = nil
            row.failingSince = nil
        }
    }

    public func due(sink: String, now: Date, limit: Int) async throws -> [PendingDelivery] {
        state.withLock { state in
            let due = state.outbox.enumerated()
                .filter { $0.element.sink == sink && $0.element.state == "pending" && $0.element.nextAttempt <= now }
                .sorted { ($0.element.nextAttempt, $0.offset) < ($1.element.nextAttempt, $1.offset) }
                .prefix(limit)
            return due.compactMap { _, row in
                guard let alert = state.alerts[row.alertID] else { return nil }
                return PendingDelivery(alertID: row.alertID, rule: alert.rule, sink: sink, source: alert.source, itemID: alert.itemID,
                                       json: alert.json, attempts: row.attempts, queuedAt: row.queued, lastError: row.lastError)
            }
        }
    }

    public func nextDue(sink: String) async throws -> Date? {
        state.withLock { $0.outbox.filter { $0.sink == sink && $0.state == "pending" }.map(\.nextAttempt).min() }
    }

    public func lastDelivery(sink: String) async throws -> Date? {
        state.withLock { $0.outbox.filter { $0.sink == sink && $0.state == "delivered" }.map(\.updated).max() }
    }

    public func recordDeliveries(sink: String, _ outcomes: [(alertID: String, DeliveryRecord)], now: Date) async throws {
        state.withLock { state in
            var failed = 0, succeeded = false
            for (alertID, outcome) in outcomes {
                guard let index = state.outbox.firstIndex(where: { $0.alertID == alertID && $0.sink == sink }) else { continue }
                state.outbox[index].updated = now
                switch outcome {
                case .delivered:
                    state.outbox[index].state = "delivered"
                    state.outbox[index].attempts += 1
                    state.outbox[index].lastError = nil
                    succeeded = true
                case .retry(let error, let at):
                    state.outbox[index].attempts += 1
                    state.outbox[index].lastError = error
                    state.outbox[index].nextAttempt = at
                    failed += 1
                case .dead(let error):
                    state.outbox[index].state = "dead"
                    state.outbox[index].attempts += 1
                    state.outbox[index].lastError = error
                    failed += 1
                case .expired(let error):
                    state.outbox[index].state = "dead"
                    state.outbox[index].lastError = error
                }
            }
            if succeeded {
                state.sinkStreaks[sink] = (0, nil)
            } else if failed > 0 {
                let streak = state.sinkStreaks[sink] ?? (0, nil)
                state.sinkStreaks[sink] = (streak.failures + failed, streak.since ?? now)
            }
        }
    }

    public func outbox(includeDelivered: Bool, limit: Int) async throws -> [OutboxEntry] {
        state.withLock { state in
            state.outbox.filter { includeDelivered || $0.state != "delivered" }.prefix(limit).compactMap { row in
                guard let alert = state.alerts[row.alertID] else { return nil }
                return OutboxEntry(alertID: row.alertID, sink: row.sink, state: row.state, attempts: row.attempts, nextAttempt: row.nextAttempt,
                                   lastError: shownError(row.lastError), rule: alert.rule, source: alert.source)
            }
        }
    }

    @discardableResult
    public func retry(alertID: String?, now: Date) async throws -> Int {
        state.withLock { state in
            var count = 0
            for index in state.outbox.indices {
                let row = state.outbox[index]
                guard alertID.map({ row.alertID == $0 && row.state != "delivered" }) ?? (row.state == "dead") else { continue }
                state.outbox[index].state = "pending"
                state.outbox[index].attempts = 0
                state.outbox[index].nextAttempt = now
                state.outbox[index].updated = now
                state.outbox[index].queued = now
                count += 1
            }
            return count
        }
    }

    @discardableResult
    public func drop(alertID: String) async throws -> Int {
        state.withLock { state in
            let before = state.outbox.count
            state.outbox.removeAll { $0.alertID == alertID && $0.state != "delivered" }
            return before - state.outbox.count
        }
    }

    public func outboxCounts() async throws -> [String: OutboxCounts] {
        state.withLock { state in
            var counts: [String: OutboxCounts] = [:]
            for row in state.outbox {
                switch row.state {
                case "pending": counts[row.sink, default: .init()].pending += 1
                case "delivered": counts[row.sink, default: .init()].delivered += 1
                default: counts[row.sink, default: .init()].dead += 1
                }
            }
            return counts
        }
    }

    public func health() async throws -> (sources: [SourceHealth], sinks: [SinkHealth]) {
        state.withLock { state in
            let names = Set(state.sources.keys).union(state.items.keys)
            let sources = names.sorted().map { name in
                let row = state.sources[name] ?? SourceRow()
                return SourceHealth(source: name, lastPoll: row.lastPoll, lastSuccess: row.lastSuccess, consecutiveFailures: row.failures,
                                    nextPoll: row.nextPoll, lastError: shownError(row.lastError), itemsSeen: state.items[name]?.count ?? 0,
                                    failingSince: row.failingSince)
            }
            let streaks = state.sinkStreaks.filter { $0.value.failures > 0 }
            let sinks = Set(state.outbox.map(\.sink)).union(streaks.keys).sorted().map { sink in
                let rows = state.outbox.filter { $0.sink == sink }
                let counts = OutboxCounts(pending: rows.filter { $0.state == "pending" }.count,
                                          delivered: rows.filter { $0.state == "delivered" }.count,
                                          dead: rows.filter { $0.state == "dead" }.count)
                let lastFailure = rows.filter { $0.state != "delivered" && $0.lastError != nil }.max { $0.updated < $1.updated }
                return SinkHealth(sink: sink, counts: counts, oldestPending: rows.filter { $0.state == "pending" }.map(\.queued).min(),
                                  lastError: shownError(lastFailure?.lastError),
                                  lastDelivery: rows.filter { $0.state == "delivered" }.map(\.updated).max(),
                                  consecutiveFailures: streaks[sink]?.failures ?? 0, failingSince: streaks[sink]?.since)
            }
            return (sources, sinks)
        }
    }

    public func schedules() async throws -> [String: SourceSchedule] {
        state.withLock { state in
            state.sources.mapValues { SourceSchedule(failures: $0.failures, nextPoll: $0.nextPoll) }
        }
    }

    public func ping() async throws {}

    public func alerts(_ query: AlertQuery) async throws -> [AlertRecord] {
        state.withLock { state in
            let newestFirst = state.alerts.sorted { ($0.value.created, $0.value.sequence) > ($1.value.created, $1.value.sequence) }
            var found: [AlertRecord] = []
            for (id, alert) in newestFirst where found.count < query.limit {
                let deliveries = Self.deliveries(of: id, state)
                guard query.rule.map({ $0 == alert.rule }) ?? true, query.source.map({ $0 == alert.source }) ?? true,
                      query.item.map({ $0 == alert.itemID }) ?? true,
                      query.since.map({ alert.created >= $0 }) ?? true, query.until.map({ alert.created < $0 }) ?? true,
                      query.sink == nil && query.status == nil || deliveries.contains(where: { delivery in
                          (query.sink.map { $0 == delivery.sink } ?? true) && (query.status.map { $0 == delivery.state } ?? true)
                      }),
                      query.acceptsDocument(alert.json) else { continue }
                found.append(AlertRecord(id: id, rule: alert.rule, source: alert.source, itemID: alert.itemID, json: alert.json,
                                         createdAt: alert.created, deliveries: deliveries))
            }
            return found
        }
    }

    public func alert(id: String) async throws -> AlertRecord? {
        state.withLock { state in
            state.alerts[id].map { alert in
                AlertRecord(id: id, rule: alert.rule, source: alert.source, itemID: alert.itemID, json: alert.json,
                            createdAt: alert.created, deliveries: Self.deliveries(of: id, state))
            }
        }
    }

    private static func deliveries(of alertID: String, _ state: State) -> [AlertDelivery] {
        state.outbox.filter { $0.alertID == alertID }.sorted { $0.sink < $1.sink }.map { row in
            AlertDelivery(sink: row.sink, state: row.state, attempts: row.attempts, lastError: shownError(row.lastError), updatedAt: row.updated)
        }
    }
}
