import Foundation
import Logging
import PharosCore

/// One event per line on standard error, in a form journald and `grep` both read well:
/// `2026-11-23T09:00:00Z warning source=inbox: skipping file ... file=/x`. Under systemd
/// (`JOURNAL_STREAM` set) the timestamp gives way to a `<N>` syslog priority prefix.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let underJournal: Bool
    private let write: @Sendable (String) -> Void

    public init(level: Logger.Level, underJournal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
                write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data(line.utf8)) }) {
        logLevel = level
        self.underJournal = underJournal
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let context = ["source", "sink"].compactMap { key in merged[key].map { "\(key)=\($0)" } }
        let details = merged.filter { $0.key != "source" && $0.key != "sink" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        var line = underJournal ? "<\(Self.priority(event.level))>" : "\(ISO8601.string(from: Date())) "
        line += "\(event.level)"
        if !context.isEmpty { line += " " + context.joined(separator: " ") }
        line += ": " + "\(event.message)".replacingOccurrences(of: "\n", with: " ")
        if !details.isEmpty { line += " " + details.joined(separator: " ") }
        write(line + "\n")
    }

    private static func quoted(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\n", with: " ")
        return flat.contains(" ") || flat.isEmpty ? "\"\(flat.replacingOccurrences(of: "\"", with: "\\\""))\"" : flat
    }

    private static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
