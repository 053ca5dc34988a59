import Foundation
import PharosCore

/// What the daemon counts, rendered in the Prometheus text format by ``MetricsServer``.
public final class Metrics: Sendable {
    /// Upper bounds (seconds) of the match-to-delivery latency histogram's buckets.
    static let latencyBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    private struct Histogram {
        var counts = Array(repeating: 0, count: Metrics.latencyBuckets.count)
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var polls: [String: (ok: Int, failed: Int)] = [:]
        var items: [String: Int] = [:]
        var alerts: [String: Int] = [:]
        var deliveries: [String: (delivered: Int, retried: Int, dead: Int)] = [:]
        var latency: [String: Histogram] = [:]
        var outbox: [String: OutboxCounts] = [:]
    }

    private let state = Shared(State())

    public init() {}

    func recordPoll(source: String, succeeded: Bool, newOrChanged: Int = 0) {
        state.withLock { state in
            var polls = state.polls[source] ?? (0, 0)
            if succeeded { polls.ok += 1 } else { polls.failed += 1 }
            state.polls[source] = polls
            state.items[source, default: 0] += newOrChanged
        }
    }

    func recordAlerts(_ rules: [String]) {
        state.withLock { state in
            for rule in rules { state.alerts[rule, default: 0] += 1 }
        }
    }

    func recordDeliveries(sink: String, delivered latencies: [Double], retried: Int, dead: Int) {
        state.withLock { state in
            var totals = state.deliveries[sink] ?? (0, 0, 0)
            totals.delivered += latencies.count
            totals.retried += retried
            totals.dead += dead
            state.deliveries[sink] = totals
            var histogram = state.latency[sink] ?? Histogram()
            for latency in latencies {
                for (index, bound) in Self.latencyBuckets.enumerated() where latency <= bound { histogram.counts[index] += 1 }
                histogram.sum += latency
                histogram.count += 1
            }
            state.latency[sink] = histogram
        }
    }

    /// Replaces the outbox depth gauges (read from the state database now and then).
    func setOutbox(_ counts: [String: OutboxCounts]) {
        state.withLock { $0.outbox = counts }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        let state = state.value
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func label(_ pairs: (String, String)...) -> String {
            "{" + pairs.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",") + "}"
        }
        family("pharos_build_info", "gauge", "Version of the running Pharos.", [(label(("version", PharosVersion.string)), "1")])
        family("pharos_polls_total", "counter", "Polls of each source by outcome.", state.polls.sorted { $0.key < $1.key }.flatMap { source, polls in
            [(label(("source", source), ("outcome", "ok")), "\(polls.ok)"), (label(("source", source), ("outcome", "failed")), "\(polls.failed)")]
        })
        family("pharos_items_total", "counter", "New or changed items per source.",
               state.items.sorted { $0.key < $1.key }.map { (label(("source", $0.key)), "\($0.value)") })
        family("pharos_alerts_total", "counter", "New alerts per rule.",
               state.alerts.sorted { $0.key < $1.key }.map { (label(("rule", $0.key)), "\($0.value)") })
        family("pharos_deliveries_total", "counter", "Delivery attempts per sink by outcome.", state.deliveries.sorted { $0.key < $1.key }.flatMap { sink, totals in
            [(label(("sink", sink), ("outcome", "delivered")), "\(totals.delivered)"),
             (label(("sink", sink), ("outcome", "retry")), "\(totals.retried)"),
             (label(("sink", sink), ("outcome", "dead")), "\(totals.dead)")]
        })
        // Series of a histogram family: NAME_bucket{le=...}, NAME_sum and NAME_count.
        family("pharos_delivery_latency_seconds", "histogram", "Time from an alert being raised to its delivery.",
               state.latency.sorted { $0.key < $1.key }.flatMap { sink, histogram -> [(labels: String, value: String)] in
            Self.latencyBuckets.enumerated().map { index, bound in
                ("_bucket" + label(("sink", sink), ("le", Self.number(bound))), "\(histogram.counts[index])")
            } + [("_bucket" + label(("sink", sink), ("le", "+Inf")), "\(histogram.count)"),
                 ("_sum" + label(("sink", sink)), Self.number(histogram.sum)),
                 ("_count" + label(("sink", sink)), "\(histogram.count)")]
        })
        family("pharos_outbox", "gauge", "Alerts in the outbox per sink and state.", state.outbox.sorted { $0.key < $1.key }.flatMap { sink, counts in
            [(label(("sink", sink), ("state", "pending")), "\(counts.pending)"), (label(("sink", sink), ("state", "dead")), "\(counts.dead)")]
        })
        return out
    }

    private static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
