import Foundation
import Logging
import PharosCore
import ServiceLifecycle

/// `pharos run` for one configuration: the poll scheduler, the intake step it feeds, and a
/// delivery loop per sink, put together (docs/ARCHITECTURE.md, "One item, from fetch to
/// delivered alert"). Time, jitter, state and the outside world are injected.
public final class Engine: Service, Sendable {
    public let config: PharosConfig
    public let store: any StateStore
    /// Polls a source and records what it found (no delivery).
    public let intake: Intake
    /// Delivers what is due to a sink.
    public let dispatcher: Dispatcher
    let scheduler: PollScheduler
    /// Removes what the archive holds longer than `history:`: the daemon runs it as a service
    /// beside the engine, in the same generation (`Daemon.runGenerations`).
    public let expiry: ArchiveExpiry
    let contexts: PluginContexts
    let time: Timeline
    let random: RandomSource
    let heartbeat: Heartbeat?
    /// One per sink: the intake signals the sinks it queued alerts for.
    let wakeups: [String: Wakeup]

    /// - Parameters:
    ///   - now: the wall time that items, alerts and deliveries are dated with.
    ///   - clock: what the scheduler and the delivery loops wait on.
    ///   - random: the jitter of schedules and backoffs.
    ///   - commitBytes: item text per intake transaction (``Intake/commitBytes``).
    public init(
        config: PharosConfig, store: any StateStore, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        clock: any Clock<Duration> = ContinuousClock(), random: RandomSource = .system,
        http: any HTTPTransport = NoHTTPTransport(), mail: any MailTransport = NoMailTransport(), heartbeat: Heartbeat? = nil,
        metrics: Metrics? = nil, commitBytes: Int = 8 << 20
    ) {
        self.config = config
        self.store = store
        self.heartbeat = heartbeat
        self.random = random
        time = Timeline(clock)
        contexts = PluginContexts(logger: logger, now: now, http: http, mail: mail)
        let wakeups = Dictionary(uniqueKeysWithValues: config.sinks.map { ($0.name, Wakeup()) })
        self.wakeups = wakeups
        intake = Intake(config: config, store: store, contexts: contexts, metrics: metrics, commitBytes: commitBytes) { sinks in
            for sink in sinks { wakeups[sink]?.signal() }
        }
        dispatcher = Dispatcher(config: config, store: store, contexts: contexts, random: random, metrics: metrics)
        scheduler = PollScheduler(intake: intake, store: store, contexts: contexts, time: time, random: random, metrics: metrics)
        expiry = ArchiveExpiry(store: store, history: config.history, logger: logger, now: now, time: time)
    }

    /// The context plugin `name` of `kind` (`source` or `sink`) is given: the injected
    /// outside world, with the plugin's name in the logger's metadata.
    public func pluginContext(for name: String, kind: String) -> PluginContext {
        contexts.context(for: name, kind: kind)
    }

    /// The summary of a `run --once`.
    public struct OnceReport: Sendable {
        public var polls: [(source: String, result: Result<PollReport, any Error>)] = []
        public var deliveries: [(sink: String, destination: String, result: Result<DeliveryReport, any Error>)] = []
        public var succeeded: Bool {
            polls.allSatisfy { if case .success = $0.result { true } else { false } }
                && deliveries.allSatisfy { if case .success(let report) = $0.result { report.retrying == 0 } else { false } }
        }
    }

    /// Polls every source once (concurrently), then delivers everything due, with every
    /// plugin's `run(context:)` running meanwhile.
    public func runOnce() async -> OnceReport {
        await whilePluginsRun { await pollAndDeliverOnce() }
    }

    /// Runs `body` with every plugin's `run(context:)` running meanwhile, then ends them
    /// (cancelling their tasks) and waits for them before returning.
    public func whilePluginsRun<T>(_ body: () async throws -> T) async rethrows -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.runPlugins() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    private func pollAndDeliverOnce() async -> OnceReport {
        var report = OnceReport()
        // Results are collected by index rather than returned through the group: the runtime
        // crashed destroying tuple results of 100 concurrent polls in release builds.
        let outcomes = Shared<[Int: Result<PollReport, PollFailure>]>([:])
        await withDiscardingTaskGroup { group in
            for (index, source) in config.sources.enumerated() {
                group.addTask {
                    guard let outcome = await self.intake.attempt(source) else { return }
                    outcomes.withLock { $0[index] = outcome }
                }
            }
        }
        let collected = outcomes.value
        report.polls = config.sources.enumerated().map { index, source in
            (source.name, collected[index].map { $0.mapError { $0 as any Error } } ?? .failure(PollFailure(description: "not polled", error: .retryable("not polled"))))
        }
        let polled = contexts.now()
        let statuses = report.polls.map { source, result -> PollRecord in
            var error: String?
            if case .failure(let failure) = result { error = "\(failure)" }
            return PollRecord(status: PollStatus(source: source, error: error, polled: polled, nextPoll: polled))
        }
        _ = try? await store.record(statuses, now: polled)
        for sink in config.sinks {
            do {
                report.deliveries.append((sink.name, sink.sink.destination, .success(try await dispatcher.deliverDue(sink))))
            } catch {
                report.deliveries.append((sink.name, sink.sink.destination, .failure(error)))
            }
        }
        return report
    }

    /// The daemon: every plugin's `run(context:)`, the poll scheduler, every sink delivering
    /// continuously, and the heartbeat, until graceful shutdown. Work in flight when shutdown
    /// starts is finished, not dropped.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runPlugins() }
            group.addTask { await self.scheduler.run() }
            for sink in config.sinks {
                let loop = DeliveryLoop(sink: sink, dispatcher: dispatcher, wakeup: wakeups[sink.name]!, time: time,
                                        backoff: config.deliveryBackoff, random: random)
                group.addTask { await loop.run() }
            }
            if let heartbeat {
                group.addTask { await self.beat(heartbeat) }
            }
        }
    }

    /// Every plugin's `run(context:)`, each in its own task, until graceful shutdown (or
    /// cancellation) cancels them.
    private func runPlugins() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for source in self.config.sources {
                    group.addTask { await self.runPlugin(source.name, kind: "source") { try await source.source.run(context: $0) } }
                }
                for sink in self.config.sinks {
                    group.addTask { await self.runPlugin(sink.name, kind: "sink") { try await sink.sink.run(context: $0) } }
                }
            }
        }
    }

    private func runPlugin(_ name: String, kind: String, _ run: (PluginContext) async throws -> Void) async {
        let context = contexts.context(for: name, kind: kind)
        do {
            try await run(context)
        } catch {
            if !Task.isCancelled { context.logger.error("the \(kind)'s background work stopped", metadata: ["error": "\(error)"]) }
        }
    }

    /// Proves the scheduler alive every heartbeat period: a sleep wakes and the state answers.
    private func beat(_ heartbeat: Heartbeat) async {
        repeat {
            if (try? await store.ping()) != nil { heartbeat.beat() }
        } while await sleepUnlessShuttingDown(heartbeat.period, on: time)
    }
}
