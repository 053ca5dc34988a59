import Foundation
import PharosCore
import PharosSupport
import Prometheus

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the daemon counts, kept in a swift-prometheus registry (docs/ARCHITECTURE.md,
/// Dependencies and their cost) and rendered in the Prometheus text format for
/// ``MetricsServer``. The registry is this object's own, never a process-wide one.
public final class Metrics: Sendable {
    /// Upper bounds (seconds) of the match-to-delivery latency histogram's buckets.
    static let latencyBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]

    /// Where the series live; `render()` is its exposition.
    public let registry: PrometheusCollectorRegistry
    private let outbox: ReplacedGauges
    private let sourceFailures: ReplacedGauges
    private let sourceLastSuccess: ReplacedGauges
    private let sinkFailures: ReplacedGauges
    private let health = Shared<(sources: [SourceHealth], sinks: [SinkHealth])>(([], []))
    private let process: (cpu: Counter, resident: Gauge, descriptors: Gauge, start: Gauge)
    private let processLock = Shared(())
    /// Whether the series are kept: a daemon without a `metrics:` listener keeps none, since
    /// nothing reads them (at 500 sources and 1,000 rules they hold about 1 MB of the idle heap:
    /// bench/soak/README.md).
    public let recording: Bool

    /// - Parameter recording: false counts nothing (``render()`` shows the build and process
    ///   figures only); health is still kept for ``failing``.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), recording: Bool = true) {
        self.registry = registry
        self.recording = recording
        registry.makeGauge(descriptor: family("pharos_build_info", "Version of the running Pharos."), labels: [("version", PharosVersion.string)]).set(to: 1)
        outbox = ReplacedGauges(registry, "pharos_outbox_alerts", labels: ["sink", "state"],
                                help: "Alerts in the outbox per sink and state (pending: waiting or retrying; dead: given up).")
        sourceFailures = ReplacedGauges(registry, "pharos_source_consecutive_failures", labels: ["source"],
                                        help: "Failed polls of each source since its last success.")
        sourceLastSuccess = ReplacedGauges(registry, "pharos_source_last_success_timestamp_seconds", labels: ["source"],
                                           help: "When each source was last polled successfully (Unix time).")
        sinkFailures = ReplacedGauges(registry, "pharos_sink_consecutive_failures", labels: ["sink"],
                                      help: "Failed delivery attempts of each sink since its last success.")
        process = (registry.makeCounter(descriptor: family("process_cpu_seconds_total", "User and system CPU time spent.")),
                   registry.makeGauge(descriptor: family("process_resident_memory_bytes", "Resident memory size.")),
                   registry.makeGauge(descriptor: family("process_open_fds", "Open file descriptors.")),
                   registry.makeGauge(descriptor: family("process_start_time_seconds", "Start time of the process since the Unix epoch.")))
    }

    func recordPoll(source: String, succeeded: Bool, newOrChanged: Int = 0) {
        guard recording else { return }
        // Both outcomes are shown from a source's first poll on, the one that did not happen at 0.
        for outcome in ["ok", "failed"] {
            let polls = registry.makeCounter(descriptor: family("pharos_polls_total", "Polls of each source by outcome."),
                                             labels: [("source", source), ("outcome", outcome)])
            if (outcome == "ok") == succeeded { polls.increment() }
        }
        registry.makeCounter(descriptor: family("pharos_items_new_or_changed_total",
                                                "Items seen for the first time or changed, per source (matched against the rules)."),
                             labels: [("source", source)]).increment(by: Int64(newOrChanged))
    }

    func recordAlerts(_ rules: [String]) {
        guard recording else { return }
        for rule in rules {
            registry.makeCounter(descriptor: family("pharos_alerts_total", "New alerts per rule."), labels: [("rule", rule)]).increment()
        }
    }

    func recordDeliveries(sink: String, delivered latencies: [Double], retried: Int, dead: Int, expired: Int = 0) {
        guard recording else { return }
        for (outcome, count) in [("delivered", latencies.count), ("retry", retried), ("dead", dead)] {
            registry.makeCounter(descriptor: family("pharos_deliveries_total", "Delivery attempts per sink by outcome (dead: failed permanently)."),
                                 labels: [("sink", sink), ("outcome", outcome)]).increment(by: Int64(count))
        }
        registry.makeCounter(descriptor: family("pharos_deliveries_expired_total", "Alerts given up undelivered after max_age, without an attempt, per sink."),
                             labels: [("sink", sink)]).increment(by: Int64(expired))
        let histogram = registry.makeValueHistogram(descriptor: family("pharos_delivery_latency_seconds", "Time from an alert being raised to its delivery."),
                                                    labels: [("sink", sink)], buckets: Self.latencyBuckets)
        for latency in latencies { histogram.record(latency) }
    }

    /// Replaces the outbox depth gauges (read from the state database now and then).
    func setOutbox(_ counts: [String: OutboxCounts]) {
        guard recording else { return }
        outbox.replace(with: counts.flatMap { sink, counts in
            [([sink, "pending"], Double(counts.pending)), ([sink, "dead"], Double(counts.dead))]
        })
    }

    /// Replaces the health gauges with what the state database says (as `pharos status` reads it).
    func setHealth(sources: [SourceHealth], sinks: [SinkHealth]) {
        health.withLock { $0 = (sources, sinks) }
        guard recording else { return }
        sourceFailures.replace(with: sources.map { ([$0.source], Double($0.consecutiveFailures)) })
        sourceLastSuccess.replace(with: sources.compactMap { source in source.lastSuccess.map { ([source.source], $0.timeIntervalSince1970) } })
        sinkFailures.replace(with: sinks.map { ([$0.sink], Double($0.consecutiveFailures)) })
    }

    /// What is failing, by the same rule as `pharos status`; empty when all is well.
    public var failing: [String] { let health = health.value; return Health.failing(sources: health.sources, sinks: health.sinks) }

    /// The Prometheus text exposition (format 0.0.4), the `process_*` figures read now.
    public func render() -> String {
        processLock.withLock { _ in
            let figures = ProcessFigures.current()
            // The registry's counters only grow: the kernel's total replaces the last one read.
            process.cpu.reset()
            process.cpu.increment(by: figures.cpuSeconds)
            process.resident.set(to: Double(figures.residentBytes))
            process.descriptors.set(to: Double(figures.openFileDescriptors))
            process.start.set(to: figures.startTime)
            return registry.emitToString()
        }
    }
}

/// A metric family's full name (the registry's descriptors split it into parts; Pharos keeps
/// the names the README documents whole) and its help text.
private func family(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}

/// A gauge family whose series are replaced together by what the state database says now, so
/// a sink or source gone from the configuration leaves the exposition.
private final class ReplacedGauges: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let labels: [String]
    private let help: String
    private let series = Shared<[[String]: Gauge]>([:])

    init(_ registry: PrometheusCollectorRegistry, _ name: String, labels: [String], help: String) {
        (self.registry, self.name, self.labels, self.help) = (registry, name, labels, help)
    }

    /// Sets each series (its label values, in the order of `labels`) and drops the others.
    func replace(with values: [([String], Double)]) {
        series.withLock { series in
            var kept: [[String]: Gauge] = [:]
            for (labelValues, value) in values {
                let gauge = series[labelValues]
                    ?? registry.makeGauge(descriptor: family(name, help), labels: Array(zip(labels, labelValues)))
                gauge.set(to: value)
                kept[labelValues] = gauge
            }
            for (labelValues, gauge) in series where kept[labelValues] == nil { registry.unregisterGauge(gauge) }
            series = kept
        }
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
