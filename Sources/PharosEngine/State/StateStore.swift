import Foundation
import PharosCore
import PharosText

// The state the engine keeps, behind one small protocol per concern (docs/ARCHITECTURE.md,
// "State"). `SQLiteStateStore` is the daemon's; `MemoryStateStore` serves tests. Both are
// held to the same contract by `StateContractTests`.

/// Items seen per source and each source's checkpoint.
public protocol SeenItemStore: Sendable {
    /// The checkpoint the last successful poll of `source` stored.
    func checkpoint(source: String) async throws -> String?
    /// The recorded version of each of `ids` already seen from `source`.
    func versions(source: String, ids: [String]) async throws -> [String: String]
}

/// The one way to write what a poll found: items seen, alerts queued, checkpoint and poll
/// status, all or nothing. This atomicity is the delivery guarantee "an item is never
/// marked seen without its alerts queued" (README, Delivery guarantees).
public protocol PollRecorder: Sendable {
    /// Records every part of every poll in `polls` in one transaction: items upserted with
    /// their versions, their archive entries, alerts queued once (an alert id already known is ignored, with its
    /// deliveries), checkpoints and statuses. `now` dates the items and alerts. Returns the
    /// rules of the alerts that were new, one entry per alert.
    @discardableResult
    func record(_ polls: [PollRecord], now: Date) async throws -> [String]
}

/// The outbox: each alert's delivery to each sink, pending, delivered or dead.
public protocol OutboxStore: Sendable {
    /// Deliveries due for `sink` at `now` (pending, next attempt not after `now`), the
    /// earliest due first, then in the order they were queued; at most `limit`.
    func due(sink: String, now: Date, limit: Int) async throws -> [PendingDelivery]
    /// When the next pending delivery for `sink` falls due, if any.
    func nextDue(sink: String) async throws -> Date?
    /// When `sink` last had a delivery succeed, if ever (a digest's period counts from it).
    func lastDelivery(sink: String) async throws -> Date?
    /// Records the outcomes of attempts (and expiries), in one transaction, with the sink's
    /// failure streak: one success clears it; each failed attempt adds one; expiries neither.
    func recordDeliveries(sink: String, _ outcomes: [(alertID: String, DeliveryRecord)], now: Date) async throws
    /// Deliveries not yet delivered (pending and dead), or all with `includeDelivered`, in
    /// the order they were queued.
    func outbox(includeDelivered: Bool, limit: Int) async throws -> [OutboxEntry]
    /// Makes the alert's pending or dead deliveries due now (every dead one with `alertID`
    /// nil), attempts back to 0 and `queued_at` now. Returns how many were rescheduled.
    @discardableResult
    func retry(alertID: String?, now: Date) async throws -> Int
    /// Removes the alert's undelivered deliveries. Returns how many were removed.
    @discardableResult
    func drop(alertID: String) async throws -> Int
    /// Deliveries per sink and state.
    func outboxCounts() async throws -> [String: OutboxCounts]
}

/// Source and sink health, as `pharos status`, `/healthz` and the scheduler read it.
public protocol HealthStore: Sendable {
    /// Health of every source and sink the state knows about, each list sorted by name.
    func health() async throws -> (sources: [SourceHealth], sinks: [SinkHealth])
    /// Each source's consecutive failures and next poll, as recorded; sources never polled are absent.
    func schedules() async throws -> [String: SourceSchedule]
}

/// Everything the engine keeps between polls and across restarts.
public protocol StateStore: SeenItemStore, PollRecorder, OutboxStore, HealthStore, ArchiveStore, AlertLog, StoryStore {
    /// A trivial read: the state answers (the heartbeat's proof of life).
    func ping() async throws
    /// Hands spare caches back, for when the daemon goes idle.
    func releaseMemory() async
    /// `error` as the operator should read it (with what the backend knows of its cause).
    func explain(_ error: any Error) -> String
}

extension StateStore {
    public func releaseMemory() async {}
    public func explain(_ error: any Error) -> String { "\(error)" }
}

extension OutboxStore {
    /// The first 1,000 entries of ``outbox(includeDelivered:limit:)``.
    public func outbox(includeDelivered: Bool = false) async throws -> [OutboxEntry] {
        try await outbox(includeDelivered: includeDelivered, limit: 1000)
    }
}

/// What one poll wrote (or a part of it, for a poll committed in chunks).
public struct PollRecord: Sendable {
    public var source: String
    /// New or changed items, recorded as seen with their versions.
    public var items: [Item]
    /// The alerts the items raised, queued for their sinks.
    public var alerts: [NewAlert]
    /// The items' versions for the archive (none when `history: 0`).
    public var archive: [ArchiveEntry]
    /// Replaces the source's checkpoint when set.
    public var checkpoint: String?
    /// The poll's outcome for `pharos status` and the schedule, when known.
    public var status: PollStatus?
    /// What the items add to the story index and to earlier alerts' `also_seen`.
    public var stories: StoryWrites

    public init(
        source: String, items: [Item] = [], alerts: [NewAlert] = [], archive: [ArchiveEntry] = [], checkpoint: String? = nil,
        status: PollStatus? = nil, stories: StoryWrites = StoryWrites()
    ) {
        self.source = source
        self.items = items
        self.alerts = alerts
        self.archive = archive
        self.checkpoint = checkpoint
        self.status = status
        self.stories = stories
    }

    /// Only a poll's outcome.
    public init(status: PollStatus) {
        self.init(source: status.source, status: status)
    }
}

/// An alert waiting in the outbox for one sink.
public struct PendingDelivery: Sendable {
    public var alertID: String
    public var rule: String
    public var sink: String
    /// The source and item that raised the alert: a sink grouping by item gets them together.
    public var source: String
    public var itemID: String
    public var json: String
    public var attempts: Int
    /// When it was queued (or last re-queued by `pharos outbox retry`): what `max_age` counts from.
    public var queuedAt: Date
    /// Why the previous attempt failed, if one did.
    public var lastError: String?
}

/// A new alert and the sinks it must reach, written with the item that caused it.
public struct NewAlert: Sendable {
    public var id: String
    public var rule: String
    public var itemID: String
    public var json: String
    public var sinks: [String]

    public init(id: String, rule: String, itemID: String, json: String, sinks: [String]) {
        self.id = id
        self.rule = rule
        self.itemID = itemID
        self.json = json
        self.sinks = sinks
    }
}

/// What happened to one delivery: an attempt's outcome, or an expiry.
public enum DeliveryRecord: Sendable {
    case delivered
    case retry(error: String, at: Date)
    case dead(error: String)
    /// Given up without an attempt: undelivered `max_age` after it was queued. Neither an
    /// attempt nor a failure of the sink.
    case expired(error: String)
}

/// One poll's outcome as `pharos status` shows it.
public struct PollStatus: Sendable {
    public var source: String
    /// Why the poll failed; nil when it succeeded.
    public var error: String?
    public var polled: Date
    public var nextPoll: Date

    public init(source: String, error: String?, polled: Date, nextPoll: Date) {
        self.source = source
        self.error = error
        self.polled = polled
        self.nextPoll = nextPoll
    }
}

/// A source's schedule as recorded: what a restarted scheduler resumes from.
public struct SourceSchedule: Sendable, Equatable {
    public var failures: Int
    public var nextPoll: Date?

    public init(failures: Int, nextPoll: Date?) {
        self.failures = failures
        self.nextPoll = nextPoll
    }
}

/// Per-sink outbox counts.
public struct OutboxCounts: Sendable, Equatable {
    public var pending = 0
    public var delivered = 0
    public var dead = 0

    public init(pending: Int = 0, delivered: Int = 0, dead: Int = 0) {
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
    }
}

/// One row of `pharos outbox list`.
public struct OutboxEntry: Sendable {
    public var alertID: String
    public var sink: String
    /// `pending`, `delivered` or `dead`.
    public var state: String
    public var attempts: Int
    public var nextAttempt: Date
    public var lastError: String?
    public var rule: String
    public var source: String
}

/// One source's health, as `pharos status` shows it.
public struct SourceHealth: Sendable {
    public var source: String
    public var lastPoll: Date?
    public var lastSuccess: Date?
    public var consecutiveFailures: Int
    public var nextPoll: Date?
    public var lastError: String?
    public var itemsSeen: Int
    /// The first failed poll after the last success, while failures go on.
    public var failingSince: Date?

    public init(source: String, lastPoll: Date? = nil, lastSuccess: Date? = nil, consecutiveFailures: Int = 0,
                nextPoll: Date? = nil, lastError: String? = nil, itemsSeen: Int = 0, failingSince: Date? = nil) {
        self.failingSince = failingSince
        self.source = source
        self.lastPoll = lastPoll
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.nextPoll = nextPoll
        self.lastError = lastError
        self.itemsSeen = itemsSeen
    }
}

/// One sink's outbox, as `pharos status` shows it.
public struct SinkHealth: Sendable {
    public var sink: String
    public var counts: OutboxCounts
    /// When the oldest alert still pending was queued.
    public var oldestPending: Date?
    /// The most recent failure among pending and dead deliveries.
    public var lastError: String?
    public var lastDelivery: Date?
    /// Failed delivery attempts since the last success (expiries are no attempts).
    public var consecutiveFailures: Int
    /// The first failed attempt after the last success, while failures go on.
    public var failingSince: Date?

    public init(sink: String, counts: OutboxCounts, oldestPending: Date? = nil, lastError: String? = nil, lastDelivery: Date? = nil,
                consecutiveFailures: Int = 0, failingSince: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.failingSince = failingSince
        self.sink = sink
        self.counts = counts
        self.oldestPending = oldestPending
        self.lastError = lastError
        self.lastDelivery = lastDelivery
    }
}

/// A recorded error as it may be shown: plugins redact the URLs they name, and an error
/// recorded by an earlier version, or quoting a URL itself, is redacted here.
func shownError(_ error: String?) -> String? {
    error.map(Redaction.urls(in:))
}

/// The state as a source sees it: its seen versions and its last checkpoint.
public struct SeenInStore: SourceState {
    let store: any SeenItemStore
    let source: String
    public let checkpoint: Checkpoint?

    /// What `store` holds for `source`, its checkpoint as read once when the poll starts.
    public init(store: any SeenItemStore, source: String) async throws {
        self.store = store
        self.source = source
        checkpoint = try await store.checkpoint(source: source).map(Checkpoint.init(text:))
    }

    public func versions(of ids: [String]) async throws -> [String: String] {
        try await store.versions(source: source, ids: ids)
    }
}
