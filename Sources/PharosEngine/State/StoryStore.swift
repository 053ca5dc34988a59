import Foundation
import PharosCore
import PharosMatching

/// The story index (README, Stories): the items that raised alerts in the window, found by
/// the keys of their fingerprint, and per story the alert each rule raised first with the
/// copies seen since. Written only through ``PollRecorder/record(_:now:)``, with the poll.
public protocol StoryStore: Sendable {
    /// Items recorded at or after `since` that share a key with `keys` (``StoryEntry/keys``),
    /// at most the ``candidatesPerKey`` latest per key, the oldest first, each once.
    func storyCandidates(keys: [Int64], since: Date) async throws -> [StoryEntry]
    /// The alert each rule raised first for `story`.
    func storyAlerts(story: String) async throws -> [StoryAlert]
    /// The copies recorded for each of `alertIDs` that has any, in the order seen.
    func alsoSeen(alertIDs: [String]) async throws -> [String: [AlsoSeen]]
    /// The alerts with copies recorded, the most recently seen copy first: alert id, rule and
    /// the copies; at most `limit`.
    func storiesWithCopies(limit: Int) async throws -> [(alertID: String, rule: String, copies: [AlsoSeen])]
    /// Every copy recorded on an alert of one of `rules`: the alert's id and rule, and the copy.
    func recordedCopies(rules: [String]) async throws -> [(alertID: String, rule: String, copy: AlsoSeen)]
}


/// The most items one index key yields to a lookup (the latest): a lead action's key is
/// shared by every item of that action in the window, and a lookup must stay cheap however
/// many there are. Each candidate is read and decoded whole (its signatures), so this bounds
/// the cost of every item that alerts: at 200, `pharos run --once` over the soak's 500 feeds
/// (bench/soak) spent a third of its time here and took 11 times as long as without stories.
public let candidatesPerKey = 16

/// One item in the story index.
public struct StoryEntry: Sendable {
    public var story: String
    public var source: String
    public var itemID: String
    public var link: String?
    public var seenAt: Date
    public var fingerprint: StoryFingerprint

    public init(story: String, source: String, itemID: String, link: String?, seenAt: Date, fingerprint: StoryFingerprint) {
        self.story = story
        self.source = source
        self.itemID = itemID
        self.link = link
        self.seenAt = seenAt
        self.fingerprint = fingerprint
    }

    /// The keys the index finds it by: its signature's bands (when its text is long enough to
    /// be a copy), its lead event with its product, and its lead event's agency and action
    /// (when its topic is long enough to decide without a product). A key that could never
    /// make it the same story as another item is left out, so a flood of short template items
    /// looks nothing up.
    public var keys: [Int64] { Self.keys(of: fingerprint) }

    /// The index keys of `fingerprint`.
    public static func keys(of fingerprint: StoryFingerprint) -> [Int64] {
        var keys = fingerprint.textIsUsable ? fingerprint.signature.bandKeys : []
        if let lead = fingerprint.lead {
            if lead.product != nil { keys.append(eventKey(lead.key)) }
            if fingerprint.topicIsUsable { keys.append(eventKey(lead.actionKey)) }
        }
        // A rewrite that shares neither shingles nor an event is found by the figures it quotes
        // (its first few) or, a results report, by its period with the names of its lead.
        for figure in fingerprint.marks.figures.prefix(figureKeys) { keys.append(eventKey("figure|\(figure)")) }
        if let period = fingerprint.marks.period {
            for name in fingerprint.marks.leadNames.prefix(resultsKeys) { keys.append(eventKey("results|\(period)|\(name)")) }
        }
        return keys
    }

    /// How many of an item's figures, and of a results report's lead names, it is indexed by.
    static let figureKeys = 8
    static let resultsKeys = 8

    /// An event key as an index key (FNV-1a, tagged apart from band keys by its seed).
    public static func eventKey(_ event: String) -> Int64 {
        var hash: UInt64 = 0x6A09_E667_F3BC_C908
        for byte in event.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int64(bitPattern: hash)
    }
}

/// The alert a rule raised first for a story, and every entity alerted for it so far (a later
/// copy that matches one more raises an alert of its own).
public struct StoryAlert: Sendable, Equatable {
    public var story: String
    public var rule: String
    public var alertID: String
    /// The item that raised it.
    public var source: String
    public var itemID: String
    /// ``Matches/entityKeys`` of every alert of this story and rule.
    public var entities: [String]

    public init(story: String, rule: String, alertID: String, source: String, itemID: String, entities: [String]) {
        self.story = story
        self.rule = rule
        self.alertID = alertID
        self.source = source
        self.itemID = itemID
        self.entities = entities
    }
}

/// What a poll adds to the story index, written in its transaction.
public struct StoryWrites: Sendable {
    /// Items joining the index.
    public var entries: [StoryEntry]
    /// Per story and rule: inserted when new, else its entities merged in (the first alert stays).
    public var alerts: [StoryAlert]
    /// Copies to add to alerts' `also_seen` (their documents too), keyed by alert id.
    public var sightings: [(alertID: String, copy: AlsoSeen)]
    /// Index entries seen before this are forgotten (the window).
    public var forgetBefore: Date?

    public init(entries: [StoryEntry] = [], alerts: [StoryAlert] = [], sightings: [(alertID: String, copy: AlsoSeen)] = [], forgetBefore: Date? = nil) {
        self.entries = entries
        self.alerts = alerts
        self.sightings = sightings
        self.forgetBefore = forgetBefore
    }

    public var isEmpty: Bool { entries.isEmpty && alerts.isEmpty && sightings.isEmpty && forgetBefore == nil }
}

extension Alert {
    /// `document` (an alert's JSON line, `also_seen` last as ``Alert/jsonValue`` writes it)
    /// with `copy` added to its `also_seen`, the rest unchanged byte for byte; unchanged when
    /// it lists that copy already.
    static func adding(_ copy: AlsoSeen, to document: String) -> String {
        let entry = JSONWriter.encode(copy.jsonValue)
        let identity = JSONWriter.encode(.object([("source", .string(copy.source)), ("item_id", .string(copy.itemID))])).dropLast()
        guard document.hasSuffix("}"), !document.contains(identity) else { return document }
        if document.contains("\"also_seen\":["), document.hasSuffix("]}") {
            return String(document.dropLast(2)) + "," + entry + "]}"
        }
        return String(document.dropLast()) + ",\"also_seen\":[" + entry + "]}"
    }
}
