import Foundation
import PharosCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
        var expired: [String: Int] = [:]
        var latency: [String: Histogram] = [:]
        var outbox: [String: OutboxCounts] = [:]
        var sources: [SourceHealth] = []
        var sinks: [SinkHealth] = []
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

    func recordDeliveries(sink: String, delivered latencies: [Double], retried: Int, dead: Int, expired: Int = 0) {
        state.withLock { state in
            state.expired[sink, default: 0] += expired
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

    /// Replaces the health gauges with what the state database says (as `pharos status` reads it).
    func setHealth(sources: [SourceHealth], sinks: [SinkHealth]) {
        state.withLock { state in
            state.sources = sources
            state.sinks = sinks
        }
    }

    /// What is failing, by the same rule as `pharos status`; empty when all is well.
    public var failing: [String] { let state = state.value; return Health.failing(sources: state.sources, sinks: state.sinks) }

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
        family("pharos_items_new_or_changed_total", "counter", "Items seen for the first time or changed, per source (matched against the rules).",
               state.items.sorted { $0.key < $1.key }.map { (label(("source", $0.key)), "\($0.value)") })
        family("pharos_alerts_total", "counter", "New alerts per rule.",
               state.alerts.sorted { $0.key < $1.key }.map { (label(("rule", $0.key)), "\($0.value)") })
        family("pharos_deliveries_total", "counter", "Delivery attempts per sink by outcome (dead: failed permanently).", state.deliveries.sorted { $0.key < $1.key }.flatMap { sink, totals in
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
        family("pharos_deliveries_expired_total", "counter", "Alerts given up undelivered after max_age, without an attempt, per sink.",
               state.expired.sorted { $0.key < $1.key }.map { (label(("sink", $0.key)), "\($0.value)") })
        family("pharos_outbox_alerts", "gauge", "Alerts in the outbox per sink and state (pending: waiting or retrying; dead: given up).", state.outbox.sorted { $0.key < $1.key }.flatMap { sink, counts in
            [(label(("sink", sink), ("state", "pending")), "\(counts.pending)"), (label(("sink", sink), ("state", "dead")), "\(counts.dead)")]
        })
        family("pharos_source_consecutive_failures", "gauge", "Failed polls of each source since its last success.",
               state.sources.map { (label(("source", $0.source)), "\($0.consecutiveFailures)") })
        family("pharos_source_last_success_timestamp_seconds", "gauge", "When each source was last polled successfully (Unix time).",
               state.sources.compactMap { source in source.lastSuccess.map { (label(("source", source.source)), Self.number($0.timeIntervalSince1970)) } })
        family("pharos_sink_consecutive_failures", "gauge", "Failed delivery attempts of each sink since its last success.",
               state.sinks.map { (label(("sink", $0.sink)), "\($0.consecutiveFailures)") })
        let process = ProcessFigures.current()
        family("process_cpu_seconds_total", "counter", "User and system CPU time spent.", [("", Self.number(process.cpuSeconds))])
        family("process_resident_memory_bytes", "gauge", "Resident memory size.", [("", "\(process.residentBytes)")])
        family("process_open_fds", "gauge", "Open file descriptors.", [("", "\(process.openFileDescriptors)")])
        family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.", [("", Self.number(process.startTime))])
        return out
    }

    private static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// The standard `process_*` figures, read from the kernel when metrics are scraped.
struct ProcessFigures {
    var cpuSeconds = 0.0
    var residentBytes = 0
    var openFileDescriptors = 0
    var startTime = 0.0

    static func current() -> ProcessFigures {
        var figures = ProcessFigures()
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            figures.cpuSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        if let statm = FileIO.readAll("/proc/self/statm").map({ String(decoding: $0, as: UTF8.self) }) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { figures.residentBytes = pages * pageSize }
        }
        if let descriptors = opendir("/proc/self/fd") {
            while let entry = readdir(descriptors) {
                if entry.pointee.d_name.0 != 46 { figures.openFileDescriptors += 1 }  // not "." or ".."
            }
            closedir(descriptors)
            figures.openFileDescriptors -= 1  // the directory being listed
        }
        // Field 22 of /proc/self/stat is the start time in clock ticks after boot (the process
        // name, field 2, may hold spaces: count from the closing parenthesis).
        if let stat = FileIO.readAll("/proc/self/stat").map({ String(decoding: $0, as: UTF8.self) }),
           let close = stat.lastIndex(of: ")"),
           let ticks = Double(stat[stat.index(after: close)...].split(separator: " ").dropFirst(19).first ?? ""),
           let procStat = FileIO.readAll("/proc/stat").map({ String(decoding: $0, as: UTF8.self) }),
           let bootLine = procStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
           let boot = Double(bootLine.dropFirst(6)) {
            figures.startTime = boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        return figures
    }
}
