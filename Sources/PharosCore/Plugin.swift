import Foundation
import Logging

/// What a plugin gets from its configuration entry.
public struct PluginConfiguration {
    /// The `name:` of the source or sink.
    public let name: String
    /// Its options; read them, then call `validate()`.
    public let options: OptionReader
    /// Directory relative paths are resolved against (the config file's folder).
    public var baseDirectory: URL { options.baseDirectory }

    public init(name: String, options: OptionReader) {
        self.name = name
        self.options = options
    }
}

/// The outside world as a plugin sees it: injected so tests can replace it.
public struct PluginContext: Sendable {
    /// Logger carrying the plugin's name in its metadata.
    public var logger: Logger
    /// The current wall-clock time.
    public var now: @Sendable () -> Date
    /// HTTP for plugins that fetch or post (libcurl in the daemon, a fake in tests).
    public var http: any HTTPTransport
    /// SMTP for plugins that send mail (libcurl in the daemon, a fake in tests).
    public var mail: any MailTransport

    public init(
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }, http: any HTTPTransport = NoHTTPTransport(),
        mail: any MailTransport = NoMailTransport()
    ) {
        self.logger = logger
        self.now = now
        self.http = http
        self.mail = mail
    }
}

/// What the engine remembers for a source between polls.
public protocol SourceState: Sendable {
    /// The recorded version of each of `ids` that was seen before.
    func versions(of ids: [String]) async throws -> [String: String]
    /// The checkpoint the last successful poll returned (validators, a cursor), if any.
    var checkpoint: Checkpoint? { get }
}

/// What one poll produced.
public struct PollResult: Sendable {
    /// Items available now; returning one already seen (same id and version) is harmless.
    public var items: [Item]
    /// Stored with the items in the same transaction and handed back on the next poll;
    /// nil keeps the previous one.
    public var checkpoint: Checkpoint?

    public init(items: [Item], checkpoint: Checkpoint? = nil) {
        self.items = items
        self.checkpoint = checkpoint
    }
}

/// Where a source hands over a poll's items, a chunk at a time: each chunk is matched and
/// committed (items seen and alerts queued, in one transaction) before ``add(_:)`` returns,
/// so a source that reads as it goes holds one chunk in memory, and a poll cut short (a
/// crash, a failure half-way) keeps what was committed: the next poll finds those items
/// seen and goes on after them.
public struct ItemChunks {
    /// The most items in one chunk.
    public let maxItems: Int
    /// The most bytes of item text in one chunk; an item larger than this is a chunk alone.
    public let maxBytes: Int
    private let commit: ([Item]) async throws -> Void
    private var pending: [Item] = []
    private var pendingBytes = 0

    /// - Parameter commit: records one chunk; what a source's `add` waits for.
    public init(maxItems: Int, maxBytes: Int, commit: @escaping ([Item]) async throws -> Void) {
        self.maxItems = max(1, maxItems)
        self.maxBytes = max(1, maxBytes)
        self.commit = commit
    }

    /// Adds `item`; when that fills the chunk (by count or bytes), commits it before returning.
    public mutating func add(_ item: Item) async throws {
        pending.append(item)
        pendingBytes += item.textBytes
        if pending.count >= maxItems || pendingBytes >= maxBytes { try await flush() }
    }

    /// Adds items the source holds in memory already (a parsed feed): they are committed
    /// together with the poll's checkpoint when the poll returns.
    public mutating func add(contentsOf items: [Item]) {
        pending += items
        pendingBytes += items.reduce(0) { $0 + $1.textBytes }
    }

    /// Commits the items added since the last chunk, if any.
    public mutating func flush() async throws {
        let chunk = takeRemaining()
        if !chunk.isEmpty { try await commit(chunk) }
    }

    /// The items added and not yet committed, which the caller then owns.
    public mutating func takeRemaining() -> [Item] {
        defer {
            pending = []
            pendingBytes = 0
        }
        return pending
    }

    /// Runs a chunked `poll` without limits and returns everything it handed over, with its
    /// checkpoint: `poll(context:state:)` of a source whose real work is chunked.
    public static func collect(_ poll: (inout ItemChunks) async throws -> Checkpoint?) async throws -> PollResult {
        let collected = Shared<[Item]>([])
        var output = ItemChunks(maxItems: .max, maxBytes: .max) { chunk in collected.withLock { $0 += chunk } }
        let checkpoint = try await poll(&output)
        return PollResult(items: collected.value + output.takeRemaining(), checkpoint: checkpoint)
    }
}

/// A plugin's failure that says whether trying again can help: ``PollError`` for sources,
/// ``DeliveryError`` for sinks. Shared answers (an HTTP status, a transport error) are written
/// once against this protocol.
public protocol PluginFailure: Error {
    /// Trying again later can help; `retryAfter` if the peer said when.
    static func retryable(_ reason: String, retryAfter: Duration?) -> Self
    /// Trying again will not help until something changes.
    static func permanent(_ reason: String) -> Self
}

extension PluginFailure {
    /// `.retryable(reason)` when `retryable`, else `.permanent(reason)`.
    public static func failure(_ reason: String, retryable: Bool) -> Self {
        retryable ? .retryable(reason, retryAfter: nil) : .permanent(reason)
    }
}

/// Why a poll did not succeed, and whether the next one can do better: the source's side of
/// ``DeliveryError``. The engine retries a failing source with backoff either way (a feed that
/// answers 404 today may be back tomorrow), never sooner than `retryAfter`; a permanent
/// failure is logged as one that needs the source or its configuration to change.
public enum PollError: PluginFailure, Sendable, Equatable, CustomStringConvertible {
    /// A passing failure (network errors, timeouts, 429, 5xx, a program that failed this
    /// time); `retryAfter` if the peer said when.
    case retryable(String, retryAfter: Duration? = nil)
    /// The source fails the same way until it or its configuration changes (404, not a feed,
    /// a missing program).
    case permanent(String)

    /// Any error a poll threw, as a poll error: a ``PollError`` as it is, a ``TransferError``
    /// by whether retrying can help, anything else (the state database, a cancelled task)
    /// retryable.
    public init(_ error: any Error) {
        switch error {
        case let error as PollError: self = error
        case let error as TransferError: self = .failure(error.message, retryable: error.isRetryable)
        default: self = .retryable("\(error)")
        }
    }

    /// When the peer asked to be left alone for a while.
    public var retryAfter: Duration? {
        if case .retryable(_, let retryAfter) = self { retryAfter } else { nil }
    }

    public var isRetryable: Bool {
        if case .retryable = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .retryable(let reason, _): reason
        case .permanent(let reason): reason
        }
    }
}

/// A plugin that produces items. `type` names in config match the plugin's folder.
public protocol Source: Sendable {
    /// The `type:` used in config, such as `folder` or `rss`.
    static var typeName: String { get }
    /// Reads and validates options; throws ``ConfigErrors`` naming every bad key.
    init(configuration: PluginConfiguration) throws
    /// Produces the items available now; `state` tells what was seen (so a source can skip
    /// expensive work) and holds the last checkpoint. Failures are ``PollError``s (other errors
    /// are read as ``PollError/init(_:)`` says).
    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult
    /// The poll the engine runs: the items available now, handed to `output` (which commits
    /// each chunk as it fills); returns the checkpoint to store with the last chunk (nil keeps
    /// the previous one). The default hands over what ``poll(context:state:)`` returns; a
    /// source that reads much in one poll (a folder of large files) reads chunk by chunk.
    func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint?
    /// Work the plugin does for as long as this instance is in use, beside its polls (a
    /// program it keeps running, a connection it holds). The engine runs it in its task group
    /// from start until graceful shutdown, or until a reload replaces the instance, and ends
    /// it by cancelling its task: it must return soon after cancellation. The default does
    /// nothing.
    func run(context: PluginContext) async throws
}

extension Source {
    public func run(context: PluginContext) async throws {}

    public func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        let result = try await poll(context: context, state: state)
        output.add(contentsOf: result.items)
        return result.checkpoint
    }
}

/// An alert ready for delivery: its id and its exact JSON, identical on every retry.
///
/// The document is decoded only when a sink reads ``alert``: sinks that forward the stored
/// JSON (a file, a webhook without a template) never pay for decoding it, which keeps the
/// decoder's code out of a long-running daemon's memory.
public struct Delivery: Sendable {
    /// The alert's id, as in the document.
    public var alertID: String
    /// The name of the rule that matched, as in the document.
    public var rule: String
    /// The alert document exactly as queued, one line.
    public var json: String

    public init(alertID: String, rule: String, json: String) {
        self.alertID = alertID
        self.rule = rule
        self.json = json
    }

    /// A delivery of `alert` as the engine queues it.
    public init(alert: Alert) {
        self.init(alertID: alert.id, rule: alert.rule, json: alert.jsonLine())
    }

    /// The decoded document. A stored document that no longer decodes (written by another
    /// version, damaged on disk) cannot be delivered by retrying: a permanent failure.
    public var alert: Alert {
        get throws(DeliveryError) {
            do {
                return try Alert.decode(json)
            } catch {
                throw .permanent("stored alert \(alertID) cannot be decoded: \(error)")
            }
        }
    }
}

/// Why a delivery did not succeed, and whether trying again can help.
public enum DeliveryError: PluginFailure, Sendable, Equatable, CustomStringConvertible {
    /// Try again later (network errors, timeouts, 429, 5xx); `retryAfter` if the peer said when.
    case retryable(String, retryAfter: Duration? = nil)
    /// Trying again will not help (most 4xx, a rejected address); the alert goes to dead letters.
    case permanent(String)

    public var description: String {
        switch self {
        case .retryable(let reason, _): reason
        case .permanent(let reason): reason
        }
    }
}

/// A plugin that delivers alerts somewhere.
public protocol Sink: Sendable {
    /// The `type:` used in config, such as `file` or `webhook`.
    static var typeName: String { get }
    /// Reads and validates options; throws ``ConfigErrors`` naming every bad key.
    init(configuration: PluginConfiguration) throws
    /// Delivers one alert; returning means it arrived.
    func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError)
    /// Delivers several alerts, one result per alert in order. The default delivers one by one;
    /// sinks that can batch (a file: one write and one fsync) override it.
    func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>]
    /// Where alerts go, for people reading logs and summaries (a path, a host); never a secret.
    var destination: String { get }
    /// When set, the engine collects due alerts and hands them to ``deliver(batch:context:)``
    /// together at most once per period (an email digest); nil hands them over as soon as
    /// they are due.
    var digestPeriod: Duration? { get }
    /// When true, the engine hands the due alerts of one item (every rule it matched) to
    /// ``deliver(batch:context:)`` together, so the sink can send them as one message.
    var groupsByItem: Bool { get }
    /// Work the plugin does for as long as this instance is in use, beside its deliveries (a
    /// program it keeps running, a connection it holds). The engine runs it in its task group
    /// from start until graceful shutdown, or until a reload replaces the instance, and ends
    /// it by cancelling its task: it must return soon after cancellation. The default does
    /// nothing.
    func run(context: PluginContext) async throws
}

extension Sink {
    public func run(context: PluginContext) async throws {}

    public var destination: String { Self.typeName }
    public var digestPeriod: Duration? { nil }
    public var groupsByItem: Bool { false }

    public func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        await deliverOneByOne(batch, context: context)
    }

    /// Delivers each alert of `batch` in turn with ``deliver(_:context:)``: the default batch
    /// behaviour, for overrides that only sometimes do better.
    public func deliverOneByOne(_ batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        var results: [Result<Void, DeliveryError>] = []
        for delivery in batch {
            do {
                try await deliver(delivery, context: context)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

extension Sink {
    /// Delivers `batch` as one message per group of alerts with the same `key` (in order of
    /// their first alert), sent by `send`: every alert of a group gets the group's result, and
    /// one whose stored document cannot be decoded fails alone.
    public func deliverInGroups(
        _ batch: [Delivery], key: (Alert) -> String, send: ([(delivery: Delivery, alert: Alert)]) async throws(DeliveryError) -> Void
    ) async -> [Result<Void, DeliveryError>] {
        var results = [Result<Void, DeliveryError>](repeating: .success(()), count: batch.count)
        var groups: [[Int]] = []
        var groupOf: [String: Int] = [:]
        var alerts: [Int: Alert] = [:]
        for (index, delivery) in batch.enumerated() {
            do throws(DeliveryError) {
                let alert = try delivery.alert
                alerts[index] = alert
                let groupKey = key(alert)
                if let group = groupOf[groupKey] {
                    groups[group].append(index)
                } else {
                    groupOf[groupKey] = groups.count
                    groups.append([index])
                }
            } catch {
                results[index] = .failure(error)
            }
        }
        for group in groups {
            do throws(DeliveryError) {
                try await send(group.map { (batch[$0], alerts[$0]!) })
            } catch {
                for index in group { results[index] = .failure(error) }
            }
        }
        return results
    }
}

/// What a sink sends as one message (`group:`): each alert alone, or every alert of one item
/// (all the rules it matched) together.
public enum AlertGrouping: String, Sendable {
    case alert, item

    /// Reads `group:` (`alert` or `item`), reporting any other value under its key.
    public static func read(_ options: OptionReader, default fallback: AlertGrouping) -> AlertGrouping {
        guard let text = options.string("group") else { return fallback }
        guard let grouping = AlertGrouping(rawValue: text.lowercased()) else {
            options.problem("must be alert or item, found '\(text)'", key: "group")
            return fallback
        }
        return grouping
    }

    /// The key alerts of one item share: their source and the item's id.
    public static func itemKey(_ alert: Alert) -> String { alert.source + "\u{0}" + alert.item.id }
}

/// Every plugin type the running program knows, by `type` name.
public struct PluginRegistry: Sendable {
    public private(set) var sources: [String: any Source.Type] = [:]
    public private(set) var sinks: [String: any Sink.Type] = [:]
    /// Well-known sources by name (`preset:` in a source entry).
    public private(set) var presets: [String: SourcePreset] = [:]

    public init() {}

    /// Adds a source type; a later registration of the same name replaces it.
    public mutating func register(source: any Source.Type) { sources[source.typeName] = source }
    /// Adds a sink type; a later registration of the same name replaces it.
    public mutating func register(sink: any Sink.Type) { sinks[sink.typeName] = sink }
    /// Adds a preset; a later registration of the same name replaces it.
    public mutating func register(preset: SourcePreset) { presets[preset.name] = preset }
}
