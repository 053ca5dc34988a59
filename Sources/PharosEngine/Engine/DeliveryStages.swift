import Foundation
import Logging
import PharosCore

/// What one delivery pass to a sink did.
public struct DeliveryReport: Sendable {
    public var delivered = 0
    public var retrying = 0
    public var dead = 0
    /// Set when a digest sink has alerts waiting for its next period, which starts then.
    public var heldUntil: Date?

    public init() {}
}

/// One step of delivering to a sink, in the manner of Alertmanager's notifier stages: it
/// takes what the previous step left and hands on what is still to do. A pass is a
/// `DeliveryPipeline` of them (`Delivery.swift` puts them together).
protocol DeliveryStage: Sendable {
    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork
}

/// What flows from stage to stage.
struct DeliveryWork: Sendable {
    /// Deliveries still to hand to the sink.
    var pending: [PendingDelivery] = []
    /// How many deliveries were read as due.
    var read = 0
    /// What the sink answered, for the deliveries it was handed.
    var answers: [(delivery: PendingDelivery, result: Result<Void, DeliveryError>)] = []
    /// Outcomes decided and not yet recorded, and when they were decided.
    var outcomes: [(delivery: PendingDelivery, record: DeliveryRecord)] = []
    var decidedAt = Date.distantPast
    /// Set by a stage that ends the pass (a digest waiting for its period).
    var finished = false
}

/// What every stage of one pass to one sink shares.
struct DeliveryPass: Sendable {
    let sink: ConfiguredSink
    let context: PluginContext
    let store: any OutboxStore
    let tally = Shared(DeliveryReport())

    var now: Date { context.now() }
}

/// Stages run in order; a stage that finishes the pass stops the rest.
struct DeliveryPipeline: Sendable {
    let stages: [any DeliveryStage]

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        var work = work
        for stage in stages where !work.finished {
            work = try await stage.run(work, in: pass)
        }
        return work
    }
}

/// A digest goes at most once per `period` after the last delivery (the first after a quiet
/// period at once); until then the pass ends here, saying when the period starts.
struct DigestGate: DeliveryStage {
    let period: Duration

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        guard let last = try await pass.store.lastDelivery(sink: pass.sink.name) else { return work }
        let nextDigest = last.addingTimeInterval(period.seconds)
        guard nextDigest > pass.now else { return work }
        var work = work
        work.finished = true
        if try await pass.store.nextDue(sink: pass.sink.name) != nil { pass.tally.withLock { $0.heldUntil = nextDigest } }
        return work
    }
}

/// After a digest went out, what is still due waits for the next period.
struct DigestHold: DeliveryStage {
    let period: Duration

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        if pass.tally.value.delivered > 0, try await pass.store.nextDue(sink: pass.sink.name) != nil {
            let until = pass.now.addingTimeInterval(period.seconds)
            pass.tally.withLock { $0.heldUntil = until }
        }
        return work
    }
}

/// Reads up to `limit` deliveries due now, the earliest due first.
struct ReadDue: DeliveryStage {
    let limit: Int

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        var work = work
        work.pending = try await pass.store.due(sink: pass.sink.name, now: pass.now, limit: limit)
        work.read = work.pending.count
        return work
    }
}

/// Gives up, without an attempt, on deliveries queued longer than the sink's `max_age`.
struct Expire: DeliveryStage {
    let maxAge: Duration

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        var work = work
        let started = pass.now
        var live: [PendingDelivery] = []
        for pending in work.pending {
            guard started.timeIntervalSince(pending.queuedAt) > maxAge.seconds else {
                live.append(pending)
                continue
            }
            let reason = "not delivered within max_age \(maxAge.configText)" + (pending.lastError.map { "; last error: \($0)" } ?? "")
            work.outcomes.append((pending, .expired(error: reason)))
            pass.context.logger.error("alert expired undelivered; moved to dead letters", metadata: ["alert": "\(pending.alertID)"])
        }
        work.pending = live
        work.decidedAt = started
        return work
    }
}

/// Hands every pending delivery to the sink in one call.
struct Deliver: DeliveryStage {
    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        guard !work.pending.isEmpty else { return work }
        var work = work
        let results = await pass.sink.sink.deliver(
            batch: work.pending.map { Delivery(alertID: $0.alertID, rule: $0.rule, json: $0.json) }, context: pass.context)
        work.decidedAt = pass.now
        work.answers = Array(zip(work.pending, results))
        work.pending = []
        return work
    }
}

/// Turns the sink's answers into outcomes: delivered, retry after a backoff (never before
/// the sink's `Retry-After`), or dead letters for a permanent failure.
struct Classify: DeliveryStage {
    let backoff: Backoff
    let random: RandomSource

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        var work = work
        for (pending, result) in work.answers {
            switch result {
            case .success:
                work.outcomes.append((pending, .delivered))
            case .failure(.retryable(let reason, let retryAfter)):
                let delay = backoff.delay(attempt: pending.attempts + 1, retryAfter: retryAfter, random: random)
                work.outcomes.append((pending, .retry(error: reason, at: work.decidedAt.addingTimeInterval(delay.seconds))))
                pass.context.logger.warning("delivery failed, will retry", metadata: [
                    "alert": "\(pending.alertID)", "error": "\(reason)", "retry_in": "\(delay.configText)",
                ])
            case .failure(.permanent(let reason)):
                work.outcomes.append((pending, .dead(error: reason)))
                pass.context.logger.error("delivery failed permanently; alert moved to dead letters", metadata: [
                    "alert": "\(pending.alertID)", "error": "\(reason)",
                ])
            }
        }
        work.answers = []
        return work
    }
}

/// Writes the decided outcomes in one transaction, as soon as they are decided: a kill -9
/// repeats at most the deliveries still in flight. Counts them in the pass and the metrics.
struct RecordOutcomes: DeliveryStage {
    let metrics: Metrics?

    func run(_ work: DeliveryWork, in pass: DeliveryPass) async throws -> DeliveryWork {
        guard !work.outcomes.isEmpty else { return work }
        var work = work
        try await pass.store.recordDeliveries(sink: pass.sink.name, work.outcomes.map { ($0.delivery.alertID, $0.record) }, now: work.decidedAt)
        var latencies: [Double] = []
        var report = DeliveryReport()
        var expired = 0
        for (pending, record) in work.outcomes {
            switch record {
            case .delivered:
                report.delivered += 1
                latencies.append(work.decidedAt.timeIntervalSince(pending.queuedAt))
            case .retry: report.retrying += 1
            case .dead: report.dead += 1
            case .expired: expired += 1
            }
        }
        metrics?.recordDeliveries(sink: pass.sink.name, delivered: latencies, retried: report.retrying, dead: report.dead, expired: expired)
        pass.tally.withLock { total in
            total.delivered += report.delivered
            total.retrying += report.retrying
            total.dead += report.dead + expired
        }
        work.outcomes = []
        return work
    }
}
