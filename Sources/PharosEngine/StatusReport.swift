import Foundation
import PharosCore

/// Source and sink health as `pharos status` and the web page show it: the configured sources
/// and sinks first, in config order (one never polled still shows), then those the state
/// remembers that are no longer configured.
public struct StatusReport: Sendable {
    public var sources: [SourceHealth]
    public var sinks: [SinkHealth]
    public var configuredSources: Set<String>
    public var configuredSinks: Set<String>
    /// The alerts whose story arrived again from other sources, the latest copy first
    /// (README, Stories): alert id, rule, and the copies (`also_seen`).
    public var stories: [(alertID: String, rule: String, copies: [AlsoSeen])] = []

    /// The report of `health` for a configuration naming `sources` and `sinks`.
    public init(health: (sources: [SourceHealth], sinks: [SinkHealth]), sources sourceNames: [String], sinks sinkNames: [String]) {
        sources = sourceNames.map { name in
            health.sources.first { $0.source == name } ?? SourceHealth(source: name, consecutiveFailures: 0, itemsSeen: 0)
        } + health.sources.filter { !sourceNames.contains($0.source) }
        sinks = sinkNames.map { name in
            health.sinks.first { $0.sink == name } ?? SinkHealth(sink: name, counts: OutboxCounts())
        } + health.sinks.filter { !sinkNames.contains($0.sink) }
        configuredSources = Set(sourceNames)
        configuredSinks = Set(sinkNames)
    }

    /// Reads the health `store` holds, for `config`.
    public static func read(_ store: any HealthStore & StoryStore, config: PharosConfig) async throws -> StatusReport {
        var report = StatusReport(health: try await store.health(), sources: config.sources.map(\.name), sinks: config.sinks.map(\.name))
        report.stories = try await store.storiesWithCopies(limit: 20)
        return report
    }

    /// One line per failing source or sink (``Health/failing(sources:sinks:)``); empty when all is well.
    public var failing: [String] { Health.failing(sources: sources, sinks: sinks) }

    /// `FAILING`, `dead letters` or `ok`.
    public static func state(of sink: SinkHealth) -> String {
        sink.consecutiveFailures > 0 ? "FAILING" : sink.counts.dead > 0 ? "dead letters" : "ok"
    }

    /// `FAILING`, `never polled` or `ok`.
    public static func state(of source: SourceHealth) -> String {
        if source.consecutiveFailures > 0 { return "FAILING" }
        return source.lastPoll == nil ? "never polled" : "ok"
    }

    /// The object `pharos status --json` prints and `/api/status` serves.
    public var jsonValue: JSONWriter.Value {
        .object([
            ("sources", .array(sources.map { source -> JSONWriter.Value in
                .object([
                    ("name", .string(source.source)), ("configured", .bool(configuredSources.contains(source.source))),
                    ("state", .string(Self.state(of: source))),
                    ("last_poll", .optional(source.lastPoll.map(ISO8601.string))),
                    ("last_success", .optional(source.lastSuccess.map(ISO8601.string))),
                    ("consecutive_failures", .int(source.consecutiveFailures)),
                    ("failing_since", .optional(source.failingSince.map(ISO8601.string))),
                    ("next_poll", .optional(source.nextPoll.map(ISO8601.string))),
                    ("items_seen", .int(source.itemsSeen)), ("last_error", .optional(source.lastError)),
                ])
            })),
            ("sinks", .array(sinks.map { sink -> JSONWriter.Value in
                .object([
                    ("name", .string(sink.sink)), ("configured", .bool(configuredSinks.contains(sink.sink))),
                    ("state", .string(Self.state(of: sink))),
                    ("consecutive_failures", .int(sink.consecutiveFailures)),
                    ("failing_since", .optional(sink.failingSince.map(ISO8601.string))),
                    ("pending", .int(sink.counts.pending)), ("delivered", .int(sink.counts.delivered)), ("dead", .int(sink.counts.dead)),
                    ("oldest_pending", .optional(sink.oldestPending.map(ISO8601.string))),
                    ("last_delivery", .optional(sink.lastDelivery.map(ISO8601.string))),
                    ("last_error", .optional(sink.lastError)),
                ])
            })),
            ("stories", .array(stories.map { story -> JSONWriter.Value in
                .object([
                    ("alert", .string(story.alertID)), ("rule", .string(story.rule)),
                    ("also_seen", .array(story.copies.map(\.jsonValue))),
                ])
            })),
        ])
    }
}
