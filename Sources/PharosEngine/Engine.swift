import Foundation
import Logging
import PharosCore
import PharosMatching
import ServiceLifecycle

/// How long to wait before retrying something that failed.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// Exponential delay for the `attempt`-th consecutive failure (1-based), with ±20% jitter,
    /// never shorter than what the peer asked for in `retryAfter`.
    public func delay(attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let raw = min(base.seconds * pow(2, exponent), cap.seconds)
        let jittered = raw * Double.random(in: 0.8...1.2)
        return .milliseconds(Int64(max(jittered, retryAfter?.seconds ?? 0) * 1000))
    }
}

/// What one poll of a source did.
public struct PollReport: Sendable {
    public var returned = 0
    public var changed = 0
    public var alerts = 0
}

/// Why a poll failed, as text: what `run --once` reports.
public struct PollFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// What one delivery pass to a sink did.
public struct DeliveryReport: Sendable {
    public var delivered = 0
    public var retrying = 0
    public var dead = 0
    /// Set when a digest sink has alerts waiting for its next period, which starts then.
    public var heldUntil: Date?

    public init() {}
}

/// Polls sources, matches items, queues alerts and delivers them: the heart of `pharos run`.
public final class Engine: Service, Sendable {
    public let config: PharosConfig
    public let store: any StateStore
    let logger: Logger
    let now: @Sendable () -> Date
    let http: any HTTPTransport
    let mail: any MailTransport
    let heartbeat: Heartbeat?
    let metrics: Metrics?
    var deliveryBackoff: Backoff { config.deliveryBackoff }
    let wakeups: [String: Wakeup]
    let sinksByRule: [String: [String]]
    /// Each rule's `description:`, which its alerts carry to the reader.
    let ruleDescriptions: [String: String]
    /// Items committed per transaction: small enough that delivery starts early on a big inbox.
    let commitChunk = 200
    /// Bytes of item text a source that reads as it goes hands over per transaction: what a
    /// poll of a folder of large files holds at once.
    let commitBytes: Int
    /// The most alerts one digest carries; more wait for the next period.
    let digestBatch = 500
    /// Polls the daemon runs at once (as many as the HTTP engine's transfers); sources that
    /// fall due meanwhile wait for a free slot. Without a bound, a round in which every feed
    /// has news (the first one) held every feed's items and alerts at once, waiting for the
    /// one writer: 75 MB at the peak for 500 feeds, and the heap stayed spread over that
    /// high-water mark, the pages it kept in use scattered across it.
    let pollsInFlight = 32

    public init(
        config: PharosConfig, store: any StateStore, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
        http: any HTTPTransport = NoHTTPTransport(), mail: any MailTransport = NoMailTransport(), heartbeat: Heartbeat? = nil,
        metrics: Metrics? = nil, commitBytes: Int = 8 << 20
    ) {
        self.commitBytes = commitBytes
        self.heartbeat = heartbeat
        self.metrics = metrics
        self.config = config
        self.store = store
        self.logger = logger
        self.now = now
        self.http = http
        self.mail = mail
        wakeups = Dictionary(uniqueKeysWithValues: config.sinks.map { ($0.name, Wakeup()) })
        sinksByRule = Dictionary(uniqueKeysWithValues: config.rules.map { ($0.name, config.sinkNames(for: $0.name)) })
        ruleDescriptions = Dictionary(uniqueKeysWithValues: config.rules.compactMap { rule in rule.description.map { (rule.name, $0) } })
    }

    private func context(for name: String, kind: String) -> PluginContext {
        var logger = logger
        logger[metadataKey: kind] = "\(name)"
        return PluginContext(logger: logger, now: now, http: http, mail: mail)
    }

    // MARK: Polling

    /// Polls `source` once, matches new and changed items, and records them with their alerts,
    /// a chunk at a time as the source hands them over (at most ``commitChunk`` items and
    /// ``commitBytes`` bytes of text each): a chunk is committed before the source reads on.
    @discardableResult
    public func poll(_ source: ConfiguredSource) async throws -> PollReport {
        let report = Shared(PollReport())
        let state = SeenInStore(store: store, source: source.name, checkpoint: try await store.checkpoint(source: source.name).map(Checkpoint.init(text:)))
        var output = ItemChunks(maxItems: commitChunk, maxBytes: commitBytes) { chunk in
            try await self.record(chunk, checkpoint: nil, from: source, report: report)
        }
        let checkpoint = try await source.source.poll(context: context(for: source.name, kind: "source"), state: state, into: &output)
        // The checkpoint goes in with the last chunk: after a crash half-way the next poll
        // starts from the old one and sees every uncommitted item again.
        try await record(output.takeRemaining(), checkpoint: checkpoint?.text, from: source, report: report)
        return report.value
    }

    /// Records the new and changed items of `items` with the alerts they raise, in
    /// transactions of at most ``commitChunk`` items.
    private func record(_ items: [Item], checkpoint: String?, from source: ConfiguredSource, report: Shared<PollReport>) async throws {
        var latest: [String: Item] = [:]
        for item in items { latest[item.id] = item }
        let known = try await store.versions(source: source.name, ids: Array(latest.keys))
        let changed = items.filter { item in
            latest[item.id].map { $0 == item } == true && known[item.id] != item.effectiveVersion
        }
        report.withLock {
            $0.returned += items.count
            $0.changed += changed.count
        }
        let chunkStarts = Array(stride(from: 0, to: max(changed.count, 1), by: commitChunk))
        for start in chunkStarts {
            try Task.checkCancellation()
            let chunk = Array(changed[start..<min(start + commitChunk, changed.count)])
            let alerts = chunk.flatMap { makeAlerts(for: $0, source: source.name) }
            let checkpoint = start == chunkStarts.last ? checkpoint : nil
            guard !chunk.isEmpty || checkpoint != nil else { continue }
            let raised = try await store.record([PollRecord(source: source.name, items: chunk, alerts: alerts, checkpoint: checkpoint)], now: now())
            report.withLock { $0.alerts += raised.count }
            metrics?.recordAlerts(raised)
            for sink in Set(alerts.flatMap(\.sinks)) { wakeups[sink]?.signal() }
        }
    }

    /// The alerts `item` raises, one per matching rule that has somewhere to go.
    func makeAlerts(for item: Item, source: String) -> [NewAlert] {
        let detectedAt = now()
        return config.evaluator.evaluate(MatchDocument(item: item)).compactMap { match in
            guard let sinks = sinksByRule[match.rule], !sinks.isEmpty else { return nil }
            let id = Alert.makeID(source: source, itemID: item.id, rule: match.rule, matches: match.matches)
            let alert = Alert(
                id: id, rule: match.rule, source: source,
                item: .init(id: item.id, title: item.title, link: item.link, published: item.published, summary: item.summary),
                matches: match.matches, evidence: match.evidence, events: match.events, detectedAt: detectedAt,
                ruleDescription: ruleDescriptions[match.rule])
            return NewAlert(id: id, rule: match.rule, itemID: item.id, json: alert.jsonLine(), sinks: sinks)
        }
    }

    // MARK: Delivery

    /// Delivers everything due for `sink` now. Each alert keeps its own due time: one that
    /// fails retryably backs off alone while the others go out when they fall due. Up to the
    /// sink's `concurrency` deliveries run at once, and each is recorded as soon as the sink
    /// returns, so a kill -9 repeats at most the deliveries in flight. Alerts queued longer
    /// than the sink's `max_age` go to dead letters without an attempt; a digest sink gets
    /// everything due in one batch, at most once per period.
    @discardableResult
    public func deliverDue(_ sink: ConfiguredSink) async throws -> DeliveryReport {
        let context = context(for: sink.name, kind: "sink")
        if let digestPeriod = sink.sink.digestPeriod {
            return try await deliverDigest(sink, period: digestPeriod, context: context)
        }
        let tally = Shared(DeliveryReport())
        // A page holds several rounds of deliveries in flight; everything in it is recorded
        // before the next page is read, so no alert is read again while it is in flight.
        let page = max(4 * sink.concurrency, 32)
        while true {
            let due = try await store.due(sink: sink.name, now: now(), limit: page)
            if due.isEmpty { break }
            let live = try await expire(due, sink: sink, context: context, tally: tally)
            let units = sink.sink.groupsByItem ? Self.groupedByItem(live) : live.map { [$0] }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, unit) in units.enumerated() {
                    if index >= sink.concurrency { try await group.next() }
                    group.addTask { try await self.deliver(unit, to: sink, context: context, tally: tally) }
                }
                try await group.waitForAll()
            }
        }
        return tally.value
    }

    /// A digest: everything due at once, at most once per `period` (the first after a quiet
    /// period goes at once), recorded together since it is one message.
    private func deliverDigest(_ sink: ConfiguredSink, period: Duration, context: PluginContext) async throws -> DeliveryReport {
        let tally = Shared(DeliveryReport())
        if let last = try await store.lastDelivery(sink: sink.name) {
            let nextDigest = last.addingTimeInterval(period.seconds)
            if nextDigest > now() {
                if try await store.nextDue(sink: sink.name) != nil { tally.withLock { $0.heldUntil = nextDigest } }
                return tally.value
            }
        }
        let due = try await store.due(sink: sink.name, now: now(), limit: digestBatch)
        let live = try await expire(due, sink: sink, context: context, tally: tally)
        try await deliver(live, to: sink, context: context, tally: tally)
        var report = tally.value
        if report.delivered > 0, try await store.nextDue(sink: sink.name) != nil {
            report.heldUntil = now().addingTimeInterval(period.seconds)
        }
        return report
    }

    /// Moves the alerts of `due` older than the sink's `max_age` to dead letters; returns the rest.
    private func expire(_ due: [PendingDelivery], sink: ConfiguredSink, context: PluginContext, tally: Shared<DeliveryReport>) async throws -> [PendingDelivery] {
        let maxAge = config.maxAge(of: sink)
        let started = now()
        var live: [PendingDelivery] = []
        var records: [(alertID: String, DeliveryRecord)] = []
        for pending in due {
            guard started.timeIntervalSince(pending.queuedAt) > maxAge.seconds else {
                live.append(pending)
                continue
            }
            let reason = "not delivered within max_age \(maxAge.configText)" + (pending.lastError.map { "; last error: \($0)" } ?? "")
            records.append((pending.alertID, .expired(error: reason)))
            context.logger.error("alert expired undelivered; moved to dead letters", metadata: ["alert": "\(pending.alertID)"])
        }
        guard !records.isEmpty else { return live }
        try await store.recordDeliveries(sink: sink.name, records, now: started)
        metrics?.recordDeliveries(sink: sink.name, delivered: [], retried: 0, dead: 0, expired: records.count)
        tally.withLock { $0.dead += records.count }
        return live
    }

    /// Consecutive runs of deliveries of one item (alerts of one item are queued together).
    static func groupedByItem(_ deliveries: [PendingDelivery]) -> [[PendingDelivery]] {
        var units: [[PendingDelivery]] = []
        var index: [String: Int] = [:]
        for pending in deliveries {
            let key = pending.source + "\u{0}" + pending.itemID
            if let at = index[key] {
                units[at].append(pending)
            } else {
                index[key] = units.count
                units.append([pending])
            }
        }
        return units
    }

    /// Hands `unit` to the sink in one call and records every outcome as soon as it returns.
    private func deliver(_ unit: [PendingDelivery], to sink: ConfiguredSink, context: PluginContext, tally: Shared<DeliveryReport>) async throws {
        guard !unit.isEmpty else { return }
        let results = await sink.sink.deliver(
            batch: unit.map { Delivery(alertID: $0.alertID, rule: $0.rule, json: $0.json) }, context: context)
        let finished = now()
        var records: [(alertID: String, DeliveryRecord)] = []
        var latencies: [Double] = []
        var report = DeliveryReport()
        for (pending, result) in zip(unit, results) {
            switch result {
            case .success:
                records.append((pending.alertID, .delivered))
                report.delivered += 1
                latencies.append(finished.timeIntervalSince(pending.queuedAt))
            case .failure(.retryable(let reason, let retryAfter)):
                let delay = deliveryBackoff.delay(attempt: pending.attempts + 1, retryAfter: retryAfter)
                records.append((pending.alertID, .retry(error: reason, at: finished.addingTimeInterval(delay.seconds))))
                report.retrying += 1
                context.logger.warning("delivery failed, will retry", metadata: [
                    "alert": "\(pending.alertID)", "error": "\(reason)", "retry_in": "\(delay.configText)",
                ])
            case .failure(.permanent(let reason)):
                records.append((pending.alertID, .dead(error: reason)))
                report.dead += 1
                context.logger.error("delivery failed permanently; alert moved to dead letters", metadata: [
                    "alert": "\(pending.alertID)", "error": "\(reason)",
                ])
            }
        }
        try await store.recordDeliveries(sink: sink.name, records, now: finished)
        metrics?.recordDeliveries(sink: sink.name, delivered: latencies, retried: report.retrying, dead: report.dead, expired: 0)
        tally.withLock { total in
            total.delivered += report.delivered
            total.retrying += report.retrying
            total.dead += report.dead
        }
    }

    // MARK: Running

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
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.runPlugins() }
            defer { group.cancelAll() }
            return await pollAndDeliverOnce()
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
                    let outcome: Result<PollReport, PollFailure>
                    do {
                        outcome = .success(try await self.poll(source))
                    } catch {
                        outcome = .failure(PollFailure(description: "\(error)"))
                    }
                    outcomes.withLock { $0[index] = outcome }
                }
            }
        }
        let collected = outcomes.value
        report.polls = config.sources.enumerated().map { index, source in
            (source.name, collected[index].map { $0.mapError { $0 as any Error } } ?? .failure(PollFailure(description: "not polled")))
        }
        let polled = now()
        let statuses = report.polls.map { source, result -> PollStatus in
            var error: String?
            if case .failure(let failure) = result { error = "\(failure)" }
            return PollStatus(source: source, error: error, polled: polled, nextPoll: polled)
        }
        _ = try? await store.record(statuses.map(PollRecord.init(status:)), now: polled)
        for sink in config.sinks {
            do {
                report.deliveries.append((sink.name, sink.sink.destination, .success(try await deliverDue(sink))))
            } catch {
                report.deliveries.append((sink.name, sink.sink.destination, .failure(error)))
            }
        }
        return report
    }

    /// The daemon: every source on its own schedule, every sink delivering continuously,
    /// until graceful shutdown. Work in flight when shutdown starts is finished, not dropped.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runPlugins() }
            group.addTask { await self.schedulePolls() }
            for sink in config.sinks {
                group.addTask { await self.deliveryLoop(sink) }
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
        let context = context(for: name, kind: kind)
        do {
            try await run(context)
        } catch {
            if !Task.isCancelled { context.logger.error("the \(kind)'s background work stopped", metadata: ["error": "\(error)"]) }
        }
    }

    /// Proves the scheduler alive every heartbeat period: a sleep wakes and the database answers.
    private func beat(_ heartbeat: Heartbeat) async {
        repeat {
            if (try? await store.ping()) != nil { heartbeat.beat() }
        } while await sleepUnlessShuttingDown(heartbeat.period)
    }

    /// A finished poll, as the scheduler takes it back.
    private struct PollOutcome: Sendable {
        var index: Int
        var failures: Int
        var delay: Duration
        var error: String?
        var finished: Date
    }

    /// Every source on its own schedule, from one task: a task per poll only while it runs.
    /// (A task per source, asleep between polls, held about 15 KB each: 7 MB of heap for 500
    /// sources.) Poll statuses are written together, at most once a second: they only say
    /// when a source was last polled and is next due, and a crash that loses the last second
    /// of them makes those sources' next poll come sooner, nothing more.
    private func schedulePolls() async {
        let sources = config.sources
        guard !sources.isEmpty else { return }
        let clock = ContinuousClock()
        var failures: [Int] = []
        var due: [ContinuousClock.Instant?] = []
        let recorded = (try? await store.schedules()) ?? [:]
        for source in sources {
            failures.append(recorded[source.name]?.failures ?? 0)
            // Keep the schedule a previous run (or the configuration before a reload) set, so a
            // restart does not poll everything at once; otherwise spread first polls so sources
            // sharing a host are not hit at the same instant.
            var firstDelay: Duration = .milliseconds(Int64.random(in: 0...min(2000, Int64(source.every.seconds * 100))))
            if let scheduled = recorded[source.name]?.nextPoll {
                let wait = scheduled.timeIntervalSince(now())
                if wait > 0 { firstDelay = .milliseconds(Int64(min(wait, retryBackoff(source).cap.seconds) * 1000)) }
            }
            due.append(clock.now + firstDelay)
        }
        // nil for a poll that shutdown interrupted: it still frees its slot.
        let finished = Shared<[PollOutcome?]>([])
        let wakeup = Wakeup()
        var running = 0
        var unrecorded: [PollOutcome] = []
        var lastRecorded = clock.now
        let recordEvery: Duration = .seconds(1)
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let current = clock.now
                for index in sources.indices where running < pollsInFlight {
                    guard let when = due[index], when <= current else { continue }
                    due[index] = nil
                    running += 1
                    group.addTask { [failures = failures[index]] in
                        let outcome = await self.pollOnce(sources[index], index: index, failures: failures)
                        finished.withLock { $0.append(outcome) }
                        wakeup.signal()
                    }
                }
                for outcome in finished.withLock({ outcomes in defer { outcomes.removeAll() }; return outcomes }) {
                    running -= 1
                    guard let outcome else { continue }
                    failures[outcome.index] = outcome.failures
                    due[outcome.index] = clock.now + outcome.delay
                    unrecorded.append(outcome)
                }
                if !unrecorded.isEmpty, clock.now - lastRecorded >= recordEvery {
                    await recordPolls(unrecorded)
                    unrecorded.removeAll()
                    lastRecorded = clock.now
                }
                // With every slot taken, only a finishing poll (which signals) lets another start.
                var wait = (running < pollsInFlight ? due.compactMap { $0 }.min().map { $0 - clock.now } : nil) ?? .seconds(60)
                if !unrecorded.isEmpty { wait = min(wait, lastRecorded + recordEvery - clock.now) }
                if wait > .zero { _ = await wakeup.waitUnlessShuttingDown(timeout: wait) }
            }
            // Polls in flight are interrupted; what they had committed stays.
            group.cancelAll()
        }
        // Every poll has finished (the group waited for them): record the last ones.
        unrecorded += finished.value.compactMap { $0 }
        await recordPolls(unrecorded)
    }

    private func retryBackoff(_ source: ConfiguredSource) -> Backoff {
        Backoff(base: min(source.every, .seconds(30)), cap: max(source.every, .seconds(1800)))
    }

    /// Polls `source` once, logs and counts the outcome; nil when shutdown interrupted it.
    private func pollOnce(_ source: ConfiguredSource, index: Int, failures: Int) async -> PollOutcome? {
        let logger = context(for: source.name, kind: "source").logger
        var failures = failures
        var errorText: String?
        var askedDelay: Duration?
        do {
            // Shutdown cancels the scheduler's task group, and with it this poll.
            let report = try await self.poll(source)
            metrics?.recordPoll(source: source.name, succeeded: true, newOrChanged: report.changed)
            failures = 0
            if report.changed > 0 || report.alerts > 0 {
                logger.info("polled", metadata: ["items": "\(report.returned)", "new_or_changed": "\(report.changed)", "alerts": "\(report.alerts)"])
            } else {
                logger.debug("polled, nothing new", metadata: ["items": "\(report.returned)"])
            }
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return nil }
            failures += 1
            metrics?.recordPoll(source: source.name, succeeded: false)
            errorText = store.explain(error)
            let failure = PollError(error)
            askedDelay = failure.retryAfter
            logger.error(failure.isRetryable ? "poll failed" : "poll failed; it will fail the same way until the source or its configuration changes",
                         metadata: ["error": "\(errorText ?? "")", "consecutive_failures": "\(failures)"])
        }
        let delay = failures == 0 ? jittered(source.every) : retryBackoff(source).delay(attempt: failures, retryAfter: askedDelay)
        return PollOutcome(index: index, failures: failures, delay: delay, error: errorText, finished: now())
    }

    private func recordPolls(_ outcomes: [PollOutcome]) async {
        guard !outcomes.isEmpty else { return }
        let statuses = outcomes.map { outcome in
            PollStatus(source: config.sources[outcome.index].name, error: outcome.error, polled: outcome.finished,
                       nextPoll: outcome.finished.addingTimeInterval(outcome.delay.seconds))
        }
        do {
            try await store.record(statuses.map(PollRecord.init(status:)), now: now())
        } catch {
            logger.error("cannot record poll status", metadata: ["error": "\(store.explain(error))", "sources": "\(statuses.count)"])
        }
    }

    private func deliveryLoop(_ sink: ConfiguredSink) async {
        let logger = context(for: sink.name, kind: "sink").logger
        let wakeup = wakeups[sink.name]!
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait: Duration = .seconds(60)
            var held = false
            do {
                let report = try await deliverDue(sink)
                failures = 0
                if report.delivered > 0 {
                    logger.info("delivered", metadata: ["alerts": "\(report.delivered)", "to": "\(sink.sink.destination)"])
                }
                if let until = report.heldUntil {
                    held = true
                    wait = .milliseconds(Int64(max(0, until.timeIntervalSince(now())) * 1000))
                } else if let next = try await store.nextDue(sink: sink.name) {
                    // The earliest due time of any alert: one backing off never delays the others.
                    wait = .milliseconds(Int64(min(60, max(0.05, next.timeIntervalSince(now()))) * 1000))
                }
            } catch {
                failures += 1
                held = true
                wait = deliveryBackoff.delay(attempt: failures)
                logger.error("delivery pass failed", metadata: ["error": "\(error)"])
            }
            // New alerts wake the sink at once, unless a digest waits for its next period (they
            // would wait for it anyway) or the state database just failed.
            let keepGoing = await (held ? Wakeup() : wakeup).waitUnlessShuttingDown(timeout: wait)
            if !keepGoing { break }
        }
    }

    private func jittered(_ every: Duration) -> Duration {
        .milliseconds(Int64(every.seconds * Double.random(in: 0.9...1.1) * 1000))
    }

}

/// Sleeps for `duration`, less when graceful shutdown begins or the task is cancelled; false then.
func sleepUnlessShuttingDown(_ duration: Duration) async -> Bool {
    await Wakeup().waitUnlessShuttingDown(timeout: duration)
}

/// Wakes one waiting task; a signal with nobody waiting is kept for the next wait.
///
/// A wait is one continuation and a dispatch timer: the daemon's loops wait every second
/// or so, and every poll used to, and waiting with child tasks (a sleeping one and a
/// signalled one, as `cancelWhenGracefulShutdown` does) cost three task allocations and a
/// task group each time.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// Which wait the waiter belongs to, so that a late timer leaves the next one alone.
        var ticket: UInt64 = 0
    }

    private let state = Shared(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `timeout`, or on cancellation, whichever comes first.
    func wait(timeout: Duration) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ticket = state.withLock { state -> UInt64? in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return nil
                    }
                    state.ticket &+= 1
                    state.waiter = continuation
                    return state.ticket
                }
                guard let ticket else { return continuation.resume() }
                let (seconds, attoseconds) = timeout.components
                let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) {
                    self.resume(ticket: ticket)
                }
            }
        } onCancel: {
            resume(ticket: nil)
        }
    }

    /// `wait(timeout:)`, also woken when graceful shutdown begins; false when shutdown began
    /// or the task was cancelled.
    func waitUnlessShuttingDown(timeout: Duration) async -> Bool {
        await withGracefulShutdownHandler {
            await wait(timeout: timeout)
        } onGracefulShutdown: {
            self.signal()
        }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }

    /// Resumes the waiter of wait `ticket` (of any wait when nil), if it still waits.
    private func resume(ticket: UInt64?) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard ticket == nil || ticket == state.ticket else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
