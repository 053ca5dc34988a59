import Foundation
import Logging
import PharosCore
import ServiceLifecycle

/// The delivery side of the engine: each sink's passes through the delivery stages
/// (`DeliveryStages.swift`), and the loop that runs them as alerts fall due.
///
/// A plain sink's pass reads a page of due deliveries and expires the old ones
/// (`ReadDue` → `Expire` → `RecordOutcomes`), then hands the rest over, up to the sink's
/// `concurrency` units at once (`Deliver` → `Classify` → `RecordOutcomes` per unit). A
/// digest sink's pass is one pipeline: `DigestGate` → `ReadDue` → `Expire` →
/// `RecordOutcomes` → `Deliver` → `Classify` → `RecordOutcomes` → `DigestHold`.
public struct Dispatcher: Sendable {
    let store: any OutboxStore
    let contexts: PluginContexts
    private let lanes: [String: Lane]
    /// The most alerts one digest carries; more wait for the next period.
    static let digestBatch = 500

    private struct Lane: Sendable {
        /// Reads and expires a page (a plain sink), or the whole pass (a digest).
        var prepare: DeliveryPipeline
        /// Delivers one unit and records its outcomes (a plain sink).
        var send: DeliveryPipeline?
    }

    init(config: PharosConfig, store: any OutboxStore, contexts: PluginContexts, random: RandomSource, metrics: Metrics?) {
        self.store = store
        self.contexts = contexts
        var lanes: [String: Lane] = [:]
        for sink in config.sinks {
            let expire: [any DeliveryStage] = [Expire(maxAge: config.maxAge(of: sink)), RecordOutcomes(metrics: metrics)]
            let send: [any DeliveryStage] = [Deliver(), Classify(backoff: config.deliveryBackoff, random: random), RecordOutcomes(metrics: metrics)]
            if let period = sink.sink.digestPeriod {
                let stages = [DigestGate(period: period), ReadDue(limit: Self.digestBatch)] + expire + send + [DigestHold(period: period)]
                lanes[sink.name] = Lane(prepare: DeliveryPipeline(stages: stages))
            } else {
                // A page holds several rounds of deliveries in flight; everything in it is
                // recorded before the next page is read, so no alert is read again while in flight.
                let page = ReadDue(limit: max(4 * sink.concurrency, 32))
                lanes[sink.name] = Lane(prepare: DeliveryPipeline(stages: [page] + expire), send: DeliveryPipeline(stages: send))
            }
        }
        self.lanes = lanes
    }

    /// Delivers everything due for `sink` now. Each alert keeps its own due time: one that
    /// fails retryably backs off alone while the others go out when they fall due. Up to the
    /// sink's `concurrency` deliveries run at once, and each is recorded as soon as the sink
    /// returns, so a kill -9 repeats at most the deliveries in flight. Alerts queued longer
    /// than the sink's `max_age` go to dead letters without an attempt; a digest sink gets
    /// everything due in one batch, at most once per period.
    @discardableResult
    public func deliverDue(_ sink: ConfiguredSink) async throws -> DeliveryReport {
        guard let lane = lanes[sink.name] else { return DeliveryReport() }
        let pass = DeliveryPass(sink: sink, context: contexts.context(for: sink.name, kind: "sink"), store: store)
        guard let send = lane.send else {
            _ = try await lane.prepare.run(DeliveryWork(), in: pass)
            return pass.tally.value
        }
        while true {
            let page = try await lane.prepare.run(DeliveryWork(), in: pass)
            if page.read == 0 { break }
            let units = sink.sink.groupsByItem ? Self.groupedByItem(page.pending) : page.pending.map { [$0] }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, unit) in units.enumerated() {
                    if index >= sink.concurrency { try await group.next() }
                    group.addTask { _ = try await send.run(DeliveryWork(pending: unit), in: pass) }
                }
                try await group.waitForAll()
            }
        }
        return pass.tally.value
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
}

/// One sink delivering continuously until graceful shutdown: a pass, then a wait until the
/// earliest next due time (between 50 ms and 60 s), a new alert's signal, or the digest's
/// next period.
struct DeliveryLoop: Service {
    let sink: ConfiguredSink
    let dispatcher: Dispatcher
    let wakeup: Wakeup
    let time: Timeline
    let backoff: Backoff
    let random: RandomSource

    func run() async {
        let logger = dispatcher.contexts.context(for: sink.name, kind: "sink").logger
        let now = dispatcher.contexts.now
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait: Duration = .seconds(60)
            var held = false
            do {
                let report = try await dispatcher.deliverDue(sink)
                failures = 0
                if report.delivered > 0 {
                    logger.info("delivered", metadata: ["alerts": "\(report.delivered)", "to": "\(sink.sink.destination)"])
                }
                if let until = report.heldUntil {
                    held = true
                    wait = .milliseconds(Int64(max(0, until.timeIntervalSince(now())) * 1000))
                } else if let next = try await dispatcher.store.nextDue(sink: sink.name) {
                    // The earliest due time of any alert: one backing off never delays the others.
                    wait = .milliseconds(Int64(min(60, max(0.05, next.timeIntervalSince(now()))) * 1000))
                }
            } catch {
                failures += 1
                held = true
                wait = backoff.delay(attempt: failures, random: random)
                logger.error("delivery pass failed", metadata: ["error": "\(error)"])
            }
            // New alerts wake the sink at once, unless a digest waits for its next period (they
            // would wait for it anyway) or the state database just failed.
            let keepGoing = await (held ? Wakeup() : wakeup).waitUnlessShuttingDown(timeout: wait, on: time)
            if !keepGoing { break }
        }
    }
}
