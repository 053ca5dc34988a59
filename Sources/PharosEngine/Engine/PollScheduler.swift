import Foundation
import Logging
import PharosCore
import ServiceLifecycle

/// Every source on its own schedule, polled through the intake step, until graceful
/// shutdown: `every` ±10% after a success, exponential backoff after a failure. Time and
/// jitter come from the engine's clock and random source, so tests step them.
final class PollScheduler: Service, Sendable {
    let sources: [ConfiguredSource]
    let intake: Intake
    let store: any StateStore
    let contexts: PluginContexts
    let time: Timeline
    let random: RandomSource
    let metrics: Metrics?
    /// Polls the daemon runs at once (as many as the HTTP engine's transfers); sources that
    /// fall due meanwhile wait for a free slot. Without a bound, a round in which every feed
    /// has news (the first one) held every feed's items and alerts at once, waiting for the
    /// one writer: 75 MB at the peak for 500 feeds, and the heap stayed spread over that
    /// high-water mark, the pages it kept in use scattered across it.
    let pollsInFlight = 32
    /// How often finished polls' statuses are written together.
    let recordEvery: Duration = .seconds(1)

    init(intake: Intake, store: any StateStore, contexts: PluginContexts, time: Timeline, random: RandomSource, metrics: Metrics?) {
        sources = intake.config.sources
        self.intake = intake
        self.store = store
        self.contexts = contexts
        self.time = time
        self.random = random
        self.metrics = metrics
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
    func run() async {
        guard !sources.isEmpty else { return }
        var failures: [Int] = []
        var due: [Duration?] = []
        let recorded = (try? await store.schedules()) ?? [:]
        for source in sources {
            failures.append(recorded[source.name]?.failures ?? 0)
            due.append(time.elapsed() + firstDelay(source, scheduled: recorded[source.name]?.nextPoll))
        }
        // nil for a poll that shutdown interrupted: it still frees its slot.
        let finished = Shared<[PollOutcome?]>([])
        let wakeup = Wakeup()
        var running = 0
        var unrecorded: [PollOutcome] = []
        var lastRecorded = time.elapsed()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let current = time.elapsed()
                for index in sources.indices where running < pollsInFlight {
                    guard let when = due[index], when <= current else { continue }
                    due[index] = nil
                    running += 1
                    group.addTask { [failures = failures[index]] in
                        let outcome = await self.pollOnce(index: index, failures: failures)
                        finished.withLock { $0.append(outcome) }
                        wakeup.signal()
                    }
                }
                for outcome in finished.withLock({ outcomes in defer { outcomes.removeAll() }; return outcomes }) {
                    running -= 1
                    guard let outcome else { continue }
                    failures[outcome.index] = outcome.failures
                    due[outcome.index] = time.elapsed() + outcome.delay
                    unrecorded.append(outcome)
                }
                if !unrecorded.isEmpty, time.elapsed() - lastRecorded >= recordEvery {
                    await recordPolls(unrecorded)
                    unrecorded.removeAll()
                    lastRecorded = time.elapsed()
                }
                // With every slot taken, only a finishing poll (which signals) lets another start.
                var wait = (running < pollsInFlight ? due.compactMap { $0 }.min().map { $0 - time.elapsed() } : nil) ?? .seconds(60)
                if !unrecorded.isEmpty { wait = min(wait, lastRecorded + recordEvery - time.elapsed()) }
                if wait > .zero { _ = await wakeup.waitUnlessShuttingDown(timeout: wait, on: time) }
            }
            // Polls in flight are interrupted; what they had committed stays.
            group.cancelAll()
        }
        // Every poll has finished (the group waited for them): record the last ones.
        unrecorded += finished.value.compactMap { $0 }
        await recordPolls(unrecorded)
    }

    /// Keeps the schedule a previous run (or the configuration before a reload) set, so a
    /// restart does not poll everything at once; otherwise spreads first polls (up to
    /// `every`/10, at most 2 s) so sources sharing a host are not hit at the same instant.
    private func firstDelay(_ source: ConfiguredSource, scheduled: Date?) -> Duration {
        if let scheduled {
            let wait = scheduled.timeIntervalSince(contexts.now())
            if wait > 0 { return .milliseconds(Int64(min(wait, retryBackoff(source).cap.seconds) * 1000)) }
        }
        let spread = Double(min(2000, Int64(source.every.seconds * 100)))
        return .milliseconds(Int64(random.next(in: 0...spread)))
    }

    private func retryBackoff(_ source: ConfiguredSource) -> Backoff {
        Backoff(base: min(source.every, .seconds(30)), cap: max(source.every, .seconds(1800)))
    }

    /// Polls a source once, logs and counts the outcome; nil when shutdown interrupted it.
    private func pollOnce(index: Int, failures: Int) async -> PollOutcome? {
        let source = sources[index]
        let logger = contexts.context(for: source.name, kind: "source").logger
        // Shutdown cancels the scheduler's task group, and with it this poll.
        guard let result = await intake.attempt(source) else { return nil }
        switch result {
        case .success(let report):
            metrics?.recordPoll(source: source.name, succeeded: true, newOrChanged: report.changed)
            if report.changed > 0 || report.alerts > 0 {
                logger.info("polled", metadata: ["items": "\(report.returned)", "new_or_changed": "\(report.changed)", "alerts": "\(report.alerts)"])
            } else {
                logger.debug("polled, nothing new", metadata: ["items": "\(report.returned)"])
            }
            let delay = Duration.milliseconds(Int64(source.every.seconds * random.next(in: 0.9...1.1) * 1000))
            return PollOutcome(index: index, failures: 0, delay: delay, error: nil, finished: contexts.now())
        case .failure(let failure):
            metrics?.recordPoll(source: source.name, succeeded: false)
            logger.error(failure.error.isRetryable ? "poll failed" : "poll failed; it will fail the same way until the source or its configuration changes",
                         metadata: ["error": "\(failure)", "consecutive_failures": "\(failures + 1)"])
            let delay = retryBackoff(source).delay(attempt: failures + 1, retryAfter: failure.error.retryAfter, random: random)
            return PollOutcome(index: index, failures: failures + 1, delay: delay, error: failure.description, finished: contexts.now())
        }
    }

    private func recordPolls(_ outcomes: [PollOutcome]) async {
        guard !outcomes.isEmpty else { return }
        let statuses = outcomes.map { outcome in
            PollStatus(source: sources[outcome.index].name, error: outcome.error, polled: outcome.finished,
                       nextPoll: outcome.finished.addingTimeInterval(outcome.delay.seconds))
        }
        do {
            try await store.record(statuses.map(PollRecord.init(status:)), now: contexts.now())
        } catch {
            contexts.logger.error("cannot record poll status", metadata: ["error": "\(store.explain(error))", "sources": "\(statuses.count)"])
        }
    }
}
