import Foundation
import PharosCore
import PharosEngine
import PharosMatching

/// Runs plugins as `pharos run` does, on a ``MemoryStateStore``, with a ``LogCapture`` for a
/// logger and the given clock and transports: a source's poll goes through the engine's intake
/// (chunks committed as the source hands them over, the checkpoint stored with the last one,
/// and handed back on the next poll only after a poll succeeded), and a sink gets the alerts
/// queued for it through the engine's delivery stages (batches, digests, retries, dead
/// letters). No rules are configured: polls record items, and alerts reach a sink only
/// through ``queue(_:for:)``.
public final class PluginHarness: Sendable {
    /// The state the engine keeps between polls and deliveries.
    public let store: MemoryStateStore
    /// What the plugins logged.
    public let logs: LogCapture
    /// The engine the plugins run in (its intake and dispatcher).
    public let engine: Engine
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - sources: each source under its config `name:`.
    ///   - sinks: each sink under its config `name:`.
    ///   - now: the wall time items, alerts and deliveries are dated with.
    ///   - logs: where the plugins' logging goes.
    ///   - commitBytes: item text per intake transaction, as `Engine`'s.
    public init(sources: [(name: String, source: any Source)] = [], sinks: [(name: String, sink: any Sink)] = [],
                now: @escaping @Sendable () -> Date = { Date() }, http: any HTTPTransport = NoHTTPTransport(),
                mail: any MailTransport = NoMailTransport(), logs: LogCapture = LogCapture(), commitBytes: Int = 8 << 20) throws {
        let config = PharosConfig(
            file: URL(fileURLWithPath: "/harness/pharos.yaml"), stateDirectory: URL(fileURLWithPath: "/harness"),
            sources: sources.map { ConfiguredSource(name: $0.name, type: type(of: $0.source).typeName, every: .seconds(60), source: $0.source) },
            sinks: sinks.map { ConfiguredSink(name: $0.name, type: type(of: $0.sink).typeName, sink: $0.sink) },
            rules: [], evaluator: try CompiledRules(rules: [], vocabulary: Vocabulary()))
        let store = MemoryStateStore()
        self.store = store
        self.logs = logs
        self.now = now
        engine = Engine(config: config, store: store, logger: logs.logger, now: now, http: http, mail: mail, commitBytes: commitBytes)
    }

    /// A harness for one source, named `name`.
    public convenience init(source: any Source, name: String = "test", now: @escaping @Sendable () -> Date = { Date() },
                            http: any HTTPTransport = NoHTTPTransport(), logs: LogCapture = LogCapture(),
                            commitBytes: Int = 8 << 20) throws {
        try self.init(sources: [(name, source)], now: now, http: http, logs: logs, commitBytes: commitBytes)
    }

    /// A harness for one sink, named `name`.
    public convenience init(sink: any Sink, name: String = "test", now: @escaping @Sendable () -> Date = { Date() },
                            http: any HTTPTransport = NoHTTPTransport(), mail: any MailTransport = NoMailTransport(),
                            logs: LogCapture = LogCapture()) throws {
        try self.init(sinks: [(name, sink)], now: now, http: http, mail: mail, logs: logs)
    }

    /// Runs `body` with the plugins' `run(context:)` running, as the engine runs them from
    /// start to graceful shutdown; then ends them (cancelling their tasks) and waits for them.
    public func whileRunning<T>(_ body: () async throws -> T) async rethrows -> T {
        try await engine.whilePluginsRun(body)
    }

    /// What one poll committed.
    public struct Poll: Sendable {
        /// How many items the source handed over, seen before or not.
        public var returned: Int
        /// The new and changed items, as committed: one array per transaction.
        public var chunks: [[Item]]
        /// The new and changed items, in order.
        public var items: [Item] { chunks.flatMap { $0 } }
        /// The checkpoint stored after the poll (the previous one when it returned none).
        public var checkpoint: Checkpoint?
    }

    /// Polls source `name` (the only one when nil) once, as the engine's intake does. A poll
    /// that fails throws the source's error; the chunks it committed stay committed.
    @discardableResult
    public func poll(_ name: String? = nil) async throws -> Poll {
        let source = try configuredSource(name)
        let before = store.records.count
        let report = try await engine.intake.poll(source)
        let chunks = store.records.dropFirst(before).filter { $0.source == source.name && !$0.items.isEmpty }.map(\.items)
        return Poll(returned: report.returned, chunks: chunks, checkpoint: try await checkpoint(of: source.name))
    }

    /// The state source `name` (the only one when nil) is handed on its next poll.
    public func state(of name: String? = nil) async throws -> any SourceState {
        try await SeenInStore(store: store, source: try configuredSource(name).name)
    }

    /// The checkpoint stored for source `name` (the only one when nil).
    public func checkpoint(of name: String? = nil) async throws -> Checkpoint? {
        try await store.checkpoint(source: try configuredSource(name).name).map(Checkpoint.init(text:))
    }

    /// Stores `checkpoint` for source `name` (the only one when nil), as an earlier poll (or
    /// an earlier version of the plugin) left it.
    public func storeCheckpoint(_ checkpoint: Checkpoint, for name: String? = nil) async throws {
        try await store.record([PollRecord(source: try configuredSource(name).name, checkpoint: checkpoint.text)], now: now())
    }

    /// Queues `alerts` for sink `name` (the only one when nil), as the intake does when rules match.
    public func queue(_ alerts: [Alert], for name: String? = nil) async throws {
        let sink = try configuredSink(name).name
        let records = alerts.map { alert in
            PollRecord(source: alert.source,
                       alerts: [NewAlert(id: alert.id, rule: alert.rule, itemID: alert.item.id, json: alert.jsonLine(), sinks: [sink])])
        }
        try await store.record(records, now: now())
    }

    /// What one pass of deliveries did.
    public struct Deliveries: Sendable {
        public var delivered: Int
        /// Failed retryably: due again after a backoff.
        public var retrying: Int
        /// Failed permanently or expired: in dead letters.
        public var dead: Int
        /// Set when a digest sink has alerts waiting for its next period, which starts then.
        public var heldUntil: Date?
    }

    /// Delivers what is due to sink `name` (the only one when nil), as the engine's delivery loop does.
    @discardableResult
    public func deliverDue(_ name: String? = nil) async throws -> Deliveries {
        let report = try await engine.dispatcher.deliverDue(try configuredSink(name))
        return Deliveries(delivered: report.delivered, retrying: report.retrying, dead: report.dead, heldUntil: report.heldUntil)
    }

    /// The context the engine gives plugin `name` of `kind` (`source` or `sink`).
    public func context(for name: String = "test", kind: String = "source") -> PluginContext {
        engine.pluginContext(for: name, kind: kind)
    }

    private func configuredSource(_ name: String?) throws -> ConfiguredSource {
        let sources = engine.config.sources
        guard let source = name.map({ name in sources.first { $0.name == name } }) ?? (sources.count == 1 ? sources.first : nil) else {
            throw HarnessError("no source \(name.map { "'\($0)'" } ?? "given") among \(sources.map(\.name))")
        }
        return source
    }

    private func configuredSink(_ name: String?) throws -> ConfiguredSink {
        let sinks = engine.config.sinks
        guard let sink = name.map({ name in sinks.first { $0.name == name } }) ?? (sinks.count == 1 ? sinks.first : nil) else {
            throw HarnessError("no sink \(name.map { "'\($0)'" } ?? "given") among \(sinks.map(\.name))")
        }
        return sink
    }
}

/// A harness used wrongly (a plugin name it does not hold).
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The state of a source never polled: nothing seen, no checkpoint.
public struct NothingSeen: SourceState {
    public init() {}
    public var checkpoint: Checkpoint? { nil }
    public func versions(of ids: [String]) async throws -> [String: String] { [:] }
}
