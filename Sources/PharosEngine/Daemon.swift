import Foundation
import Logging
import PharosCore
import ServiceLifecycle

/// When the engine's scheduler last showed it was alive: its heartbeat task sleeps, reads
/// the state database and records the time, so a wedged executor or database stops it.
public final class Heartbeat: Sendable {
    private let last = Shared(ContinuousClock.now)
    /// How often the engine beats.
    public let period: Duration

    public init(period: Duration = .seconds(1)) {
        self.period = period
    }

    func beat() { last.withLock { $0 = .now } }

    /// Whether a beat happened within `interval`.
    public func isFresh(within interval: Duration) -> Bool { ContinuousClock.now - last.value <= interval }
}

/// `pharos run`: the engine for the current configuration, replaced by a new one when a
/// reload is requested (SIGHUP) and the new configuration is valid; an invalid one is
/// logged with its FILE:LINE:COL problems and the running engine is left alone. Sources
/// keep their schedule across reloads because the next poll time lives in the state
/// database. Tells systemd about readiness, reloads, health and stopping.
public final class Daemon: Service {
    let initial: PharosConfig
    let load: @Sendable () throws(ConfigErrors) -> PharosConfig
    let reloadRequests: AsyncStream<Void>
    let store: any StateStore
    let logger: Logger
    let http: any HTTPTransport
    let mail: any MailTransport
    let notifier: SystemdNotifier
    let heartbeat: Heartbeat
    let statusInterval: Duration
    /// How often freed memory is handed back to the system.
    let memoryInterval: Duration = .seconds(10)
    /// What the daemon counts; served when the configuration has `metrics:`, and counting
    /// nothing without it.
    public let metrics: Metrics
    /// The configuration running now (the web page names its sources, sinks and rules).
    private let running: Shared<PharosConfig>

    /// - Parameters:
    ///   - load: reads and validates the configuration again (for reloads).
    ///   - reloadRequests: one element per reload request (the executable feeds SIGHUP in).
    public init(
        config: PharosConfig, load: @escaping @Sendable () throws(ConfigErrors) -> PharosConfig, reloadRequests: AsyncStream<Void>,
        store: any StateStore, logger: Logger, http: any HTTPTransport, mail: any MailTransport,
        notifier: SystemdNotifier = SystemdNotifier(), statusInterval: Duration = .seconds(30)
    ) {
        initial = config
        metrics = Metrics(recording: config.metricsAddress != nil)
        running = Shared(config)
        self.load = load
        self.reloadRequests = reloadRequests
        self.store = store
        self.logger = logger
        self.http = http
        self.mail = mail
        self.notifier = notifier
        self.statusInterval = statusInterval
        heartbeat = Heartbeat(period: min(.seconds(1), (notifier.watchdogInterval ?? .seconds(2)) / 2))
    }

    /// The endpoint for the configuration's `metrics:` address (nil without one), serving this
    /// daemon's metrics and health, and the web page with the alerts feed (``WebPages``): a
    /// service to run beside it. It binds now, so a taken port fails at start-up.
    public func metricsServer() throws -> MetricsServer? {
        guard let address = initial.metricsAddress else { return nil }
        let server: MetricsServer
        do {
            let live: @Sendable () -> Bool = { [heartbeat] in heartbeat.isFresh(within: heartbeat.period * 5) }
            let pages = WebPages(store: store, config: { [running] in running.value })
            server = try MetricsServer(host: address.host, port: address.port, metrics: metrics, live: live, health: { [metrics] in
                guard live() else { return "scheduler stalled" }
                let failing = metrics.failing
                return failing.isEmpty ? nil : "failing:\n" + failing.joined(separator: "\n")
            }, pages: pages)
        } catch {
            logger.critical("cannot serve metrics", metadata: ["address": "\(address.host):\(address.port)", "error": "\(error)"])
            throw error
        }
        let shown = address.host.contains(":") ? "[\(address.host)]" : address.host
        logger.info("serving metrics", metadata: ["url": "http://\(shown):\(server.port)/metrics"])
        logger.info("serving the web page", metadata: ["url": "http://\(shown):\(server.port)/", "feed": "http://\(shown):\(server.port)/feed.atom"])
        return server
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runGenerations() }
            if let interval = notifier.watchdogInterval {
                group.addTask { await self.pingWatchdog(every: interval) }
            }
            if notifier.socketPath != nil || initial.metricsAddress != nil {
                group.addTask { await self.reportStatus() }
            }
            group.addTask { await self.releaseMemory(every: self.memoryInterval) }
        }
        notifier.stopping()
        logger.info("stopped")
    }

    private func runGenerations() async {
        var config = initial
        logger.info("starting", metadata: ["config": "\(config.file.path)", "summary": "\(config.summary)"])
        notifier.ready(status: "running: \(config.summary)")
        while true {
            let engine = Engine(config: config, store: store, logger: logger, http: http, mail: mail, heartbeat: heartbeat, metrics: metrics)
            // The archive's expiry lives as long as the engine of its `history:`.
            let generation = ServiceGroup(configuration: .init(services: [.init(service: engine), .init(service: engine.expiry)], logger: logger))
            let next = Shared<PharosConfig?>(nil)
            let current = config
            await withDiscardingTaskGroup { tasks in
                tasks.addTask {
                    do {
                        try await generation.run()
                    } catch {
                        self.logger.critical("the engine stopped on an error", metadata: ["error": "\(error)"])
                    }
                }
                tasks.addTask {
                    let reloaded = await self.nextValidConfig(replacing: current)
                    next.withLock { $0 = reloaded }
                    await generation.triggerGracefulShutdown()
                }
            }
            guard let reloaded = next.value else { return }
            config = reloaded
            running.withLock { $0 = reloaded }
            logger.info("reloaded", metadata: ["config": "\(config.file.path)", "summary": "\(config.summary)"])
            notifier.ready(status: "running: \(config.summary)")
        }
    }

    /// Waits for a reload request that yields a valid configuration; nil on shutdown.
    private func nextValidConfig(replacing current: PharosConfig) async -> PharosConfig? {
        let found = Shared<PharosConfig?>(nil)
        await cancelWhenGracefulShutdown {
            for await _ in self.reloadRequests {
                self.notifier.reloading()
                self.logger.info("reloading", metadata: ["config": "\(current.file.path)"])
                do throws(ConfigErrors) {
                    let candidate = try self.load()
                    if candidate.stateDirectory.standardizedFileURL.path != current.stateDirectory.standardizedFileURL.path {
                        throw ConfigErrors([ConfigDiagnostic(
                            "'state' cannot change on reload (\(current.stateDirectory.path) -> \(candidate.stateDirectory.path)); restart instead",
                            at: SourceLocation(file: candidate.file.path, line: 1, column: 1))])
                    }
                    found.withLock { $0 = candidate }
                    return
                } catch {
                    for diagnostic in error.diagnostics {
                        self.logger.error("reload rejected; the previous configuration keeps running", metadata: ["problem": "\(diagnostic)"])
                    }
                    self.notifier.ready(status: "reload failed (\(error.diagnostics.count) problem\(error.diagnostics.count == 1 ? "" : "s")); running the previous configuration")
                }
            }
        }
        return found.value
    }

    /// Hands memory back to the system now and then: freed heap pages after every interval
    /// (a burst of new items, parsed feeds and delivery batches otherwise leaves the heap at
    /// its high-water mark), SQLite's spare caches every sixth, and the executable's start-up
    /// pages 30 s and 2 min after start (start-up is over by then; the second attempt catches
    /// pages another `pharos` command was mapping at the first).
    private func releaseMemory(every interval: Duration) async {
        var elapsed: Duration = .zero
        var rounds = 0
        var startupReleases: [Duration] = [.seconds(30), .seconds(120)]
        while await sleepUnlessShuttingDown(interval) {
            elapsed += interval
            rounds += 1
            if rounds % 6 == 0 { await store.releaseMemory() }
            MemoryTuning.releaseFreeHeap()
            if let next = startupReleases.first, elapsed >= next {
                startupReleases.removeFirst()
                MemoryTuning.releaseStartupPages()
            }
        }
    }

    /// `WATCHDOG=1` while the engine's heartbeat is fresh; silence lets systemd restart a
    /// daemon that is alive but no longer scheduling anything.
    private func pingWatchdog(every interval: Duration) async {
        while await sleepUnlessShuttingDown(interval) {
            if heartbeat.isFresh(within: interval * 2) {
                notifier.watchdog()
            } else {
                logger.warning("the scheduler made no progress; not telling the watchdog", metadata: ["for_more_than": "\((interval * 2).configText)"])
            }
        }
    }

    /// A short `STATUS=` line for `systemctl status` (sources ok and failing, outbox backlog),
    /// and the outbox gauges of the metrics.
    private func reportStatus() async {
        let interval = initial.metricsAddress == nil ? statusInterval : min(statusInterval, .seconds(5))
        repeat {
            guard let health = try? await store.health() else { continue }
            var depths = Dictionary(uniqueKeysWithValues: initial.sinks.map { ($0.name, OutboxCounts()) })
            for sink in health.sinks { depths[sink.sink] = sink.counts }
            metrics.setOutbox(depths)
            metrics.setHealth(sources: health.sources, sinks: health.sinks)
            let failing = health.sources.filter { $0.consecutiveFailures > 0 }.count
            let failingSinks = health.sinks.filter { $0.consecutiveFailures > 0 }.count
            let pending = health.sinks.reduce(0) { $0 + $1.counts.pending }
            let dead = health.sinks.reduce(0) { $0 + $1.counts.dead }
            notifier.status("\(health.sources.count - failing) sources ok, \(failing) failing; \(failingSinks) sinks failing; outbox \(pending) pending, \(dead) dead")
        } while await sleepUnlessShuttingDown(interval)
    }
}
