import Foundation
import PharosCore

/// One rule for "failing", shared by `pharos status`, `/healthz`, the metrics and systemd's
/// status line, so they never disagree.
public enum Health {
    /// A line per source or sink that is failing (consecutive failures, or dead letters),
    /// saying since when; empty when all is well.
    public static func failing(sources: [SourceHealth], sinks: [SinkHealth]) -> [String] {
        func streak(_ count: Int, since: Date?) -> String {
            "\(count) consecutive failure\(count == 1 ? "" : "s")" + (since.map { " since \(ISO8601.string(from: $0))" } ?? "")
        }
        var lines: [String] = []
        for source in sources where source.consecutiveFailures > 0 {
            lines.append("source \(source.source): \(streak(source.consecutiveFailures, since: source.failingSince))")
        }
        for sink in sinks where sink.consecutiveFailures > 0 || sink.counts.dead > 0 {
            var parts: [String] = []
            if sink.consecutiveFailures > 0 { parts.append(streak(sink.consecutiveFailures, since: sink.failingSince)) }
            if sink.counts.dead > 0 { parts.append("\(sink.counts.dead) dead") }
            lines.append("sink \(sink.sink): " + parts.joined(separator: ", "))
        }
        return lines
    }
}
