import ArgumentParser
import Foundation
import PharosCore
import PharosEngine

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per-source health (last poll, failures, next poll, items seen) and per-sink outbox.",
        discussion: "Reads the state database; works while the daemon runs. A source whose polls fail, or a sink whose deliveries fail, is FAILING until it succeeds again. Exits 0 when nothing is failing and nothing is dead, 1 otherwise (the rule /healthz follows).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "One JSON object instead of text.")
    var json = false

    func run() async throws {
        let config = try options.load()
        let store = try openState(config)
        let report = try await StatusReport.read(store, config: config)
        let now = Date()
        let (sources, sinks) = (report.sources, report.sinks)
        let (configuredSources, configuredSinks) = (report.configuredSources, report.configuredSinks)
        if json {
            print(JSONWriter.encode(report.jsonValue))
        } else {
            let sourceWidth = sources.map(\.source.count).max() ?? 0
            print("sources")
            for source in sources {
                var line = "  \(source.source.padding(toLength: sourceWidth, withPad: " ", startingAt: 0))  \(StatusReport.state(of: source))"
                if !configuredSources.contains(source.source) { line += " (no longer configured)" }
                line += "  last poll \(Self.when(source.lastPoll, now: now))"
                if source.consecutiveFailures > 0 {
                    line += "  last success \(Self.when(source.lastSuccess, now: now))  \(source.consecutiveFailures) consecutive failure\(source.consecutiveFailures == 1 ? "" : "s")"
                    if let since = source.failingSince { line += " since \(Self.when(since, now: now))" }
                }
                // `run --once` records no schedule: its next poll is whenever it runs again.
                if let next = source.nextPoll, next > (source.lastPoll ?? .distantPast), configuredSources.contains(source.source) {
                    line += "  next poll \(Self.when(next, now: now))"
                }
                line += "  items seen \(source.itemsSeen)"
                if let error = source.lastError, source.consecutiveFailures > 0 { line += "\n    last error: \(error)" }
                print(line)
            }
            let sinkWidth = sinks.map(\.sink.count).max() ?? 0
            print("sinks")
            for sink in sinks {
                var line = "  \(sink.sink.padding(toLength: sinkWidth, withPad: " ", startingAt: 0))  \(StatusReport.state(of: sink))  pending \(sink.counts.pending)  dead \(sink.counts.dead)  delivered \(sink.counts.delivered)"
                if !configuredSinks.contains(sink.sink) { line += " (no longer configured)" }
                if let oldest = sink.oldestPending { line += "  oldest pending queued \(Self.when(oldest, now: now))" }
                if let last = sink.lastDelivery { line += "  last delivery \(Self.when(last, now: now))" }
                if sink.consecutiveFailures > 0 {
                    line += "  \(sink.consecutiveFailures) consecutive failure\(sink.consecutiveFailures == 1 ? "" : "s")"
                    if let since = sink.failingSince { line += " since \(Self.when(since, now: now))" }
                }
                if let error = sink.lastError, sink.counts.pending + sink.counts.dead > 0 { line += "\n    last error: \(error)" }
                print(line)
            }
            if !report.stories.isEmpty {
                // Alerts whose story arrived again from other sources (README, Stories).
                print("stories seen again (latest first)")
                for story in report.stories {
                    print("  \(story.rule)  alert \(story.alertID)  also seen \(story.copies.count)x")
                    for copy in story.copies {
                        print("    \(copy.source)  \(copy.link ?? copy.itemID)  \(Self.when(copy.seenAt, now: now))")
                    }
                }
            }
        }
        if !report.failing.isEmpty { throw ExitWith(code: .failure) }
    }

    /// `2026-11-23T09:00:00Z (3m ago)`, `(in 25s)`, or `never`.
    static func when(_ date: Date?, now: Date) -> String {
        guard let date else { return "never" }
        let seconds = Int(date.timeIntervalSince(now).rounded())
        let magnitude = abs(seconds)
        let span = magnitude < 120 ? "\(magnitude)s" : magnitude < 7200 ? "\(magnitude / 60)m" : magnitude < 172_800 ? "\(magnitude / 3600)h" : "\(magnitude / 86_400)d"
        return "\(ISO8601.string(from: date)) (\(seconds > 0 ? "in \(span)" : "\(span) ago"))"
    }
}
