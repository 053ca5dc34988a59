import Foundation
import PharosCore

/// The archive: every version of every item read, with its text (compressed), the regulatory
/// events the rules found in it and the rules it matched, kept for `history:` (180 days by
/// default). Written by ``PollRecorder/record(_:now:)`` in the transaction that marks the item
/// seen; read by `pharos backtest` and the web page (docs/ARCHITECTURE.md, "The archive").
public protocol ArchiveStore: Sendable {
    /// Archived versions, newest first (by last seen, then newest written), that match
    /// `query`, without their text: a listing.
    func archivedItems(_ query: ArchiveQuery) async throws -> [ArchiveSummary]
    /// Every archived version of one item, newest first, with its text.
    func archivedVersions(source: String, itemID: String) async throws -> [ArchivedItem]
    /// A page of archived versions with their text still compressed, in the order written:
    /// those with a position after `after` (0 for the first page) last seen at or after
    /// `since`, from `source` when given; at most `limit`. A backtest reads the archive with
    /// it and decompresses each version on the task that matches it.
    func archivePage(since: Date, source: String?, after: Int64, limit: Int) async throws -> [StoredVersion]
    /// Removes at most `limit` versions last seen before `cutoff`, in one transaction.
    /// Returns how many it removed: fewer than `limit` means none are left.
    func expireArchive(before cutoff: Date, limit: Int) async throws -> Int
    /// How many versions the archive holds, and their text's size before and after compression.
    func archiveStats() async throws -> ArchiveStats
    /// How many versions the archive holds (``archiveStats()``'s count, without summing every
    /// row's sizes): what a backtest's progress is measured against.
    func archivedVersionCount() async throws -> Int
    /// The alerts recorded for `rules` (every rule when empty) since `since`, from `source`
    /// when given: what did alert, which a backtest compares with what would have.
    func recordedAlerts(rules: [String], since: Date, source: String?) async throws -> [RecordedAlert]
}

extension ArchiveStore {
    public func archivedVersionCount() async throws -> Int {
        try await archiveStats().versions
    }
}

/// What to list from the archive.
public struct ArchiveQuery: Sendable {
    /// Versions last seen at or after this time.
    public var since: Date
    /// Only this source's, when set.
    public var source: String?
    /// Only versions that matched this rule, when set.
    public var rule: String?
    /// Only versions written before this position (the `position` of the last summary of the
    /// previous page), when set: the next page.
    public var before: Int64?
    public var limit: Int

    public init(since: Date = .distantPast, source: String? = nil, rule: String? = nil, before: Int64? = nil, limit: Int = 100) {
        self.since = since
        self.source = source
        self.rule = rule
        self.before = before
        self.limit = limit
    }
}

/// One archived version, as the intake writes it with the poll that read it.
public struct ArchiveEntry: Sendable {
    public var item: Item
    /// The item's text and fields, compressed (``ArchiveText``).
    public var text: [UInt8]
    /// The size of the text before compression.
    public var textBytes: Int
    /// The regulatory events the rules found, as a JSON array of event documents.
    public var eventsJSON: String
    /// The rules the item matched, in config order (whether or not they reach a sink).
    public var rules: [String]

    /// Compresses `item`'s text.
    public init(item: Item, events: [RegulatoryEvent], rules: [String]) {
        self.item = item
        let plain = ArchiveText.encode(item)
        textBytes = plain.count
        text = ArchiveText.compress(plain)
        eventsJSON = events.isEmpty ? "[]" : JSONWriter.encode(.array(events.map(\.jsonValue)))
        self.rules = rules
    }
}

/// One archived version without its text, as a listing shows it.
public struct ArchiveSummary: Sendable {
    /// The version's position in the archive: later writes have larger positions.
    public var position: Int64
    public var source: String
    public var itemID: String
    public var version: String
    public var title: String
    public var link: String?
    public var published: Date?
    /// When this version was first and last recorded.
    public var firstSeen: Date
    public var lastSeen: Date
    /// The rules it matched, in config order.
    public var rules: [String]
    /// Its regulatory events as a JSON array (``events`` decodes them).
    public var eventsJSON: String
    /// The size of its text before compression.
    public var textBytes: Int

    /// The regulatory events, decoded from ``eventsJSON`` (empty if it cannot be read).
    public var events: [RegulatoryEvent] { ArchiveText.decodeEvents(eventsJSON) }
}

/// One archived version with its text.
public struct ArchivedItem: Sendable {
    public var summary: ArchiveSummary
    /// The item as it was read: id, version, title, link, dates, summary, content, authors,
    /// categories and fields.
    public var item: Item
}

/// One archived version as stored: its text compressed (``ArchiveText``).
public struct StoredVersion: Sendable {
    public var summary: ArchiveSummary
    public var text: [UInt8]

    public init(summary: ArchiveSummary, text: [UInt8]) {
        self.summary = summary
        self.text = text
    }

    /// The version with its item decompressed and decoded.
    public func decoded() throws(ArchiveTextError) -> ArchivedItem {
        ArchivedItem(summary: summary, item: try ArchiveText.item(from: text, id: summary.itemID))
    }
}

/// The archive's size.
public struct ArchiveStats: Sendable, Equatable {
    public var versions: Int
    /// Bytes of text before compression, and as stored.
    public var textBytes: Int64
    public var storedBytes: Int64

    public init(versions: Int, textBytes: Int64, storedBytes: Int64) {
        self.versions = versions
        self.textBytes = textBytes
        self.storedBytes = storedBytes
    }
}

/// An alert as recorded when it was raised.
public struct RecordedAlert: Sendable, Equatable {
    public var id: String
    public var rule: String
    public var source: String
    public var itemID: String
    public var createdAt: Date
}

/// Why an archived text cannot be read back.
public struct ArchiveTextError: Error, CustomStringConvertible {
    public var description: String
}
