import Foundation
import Logging
import PharosCore
import PharosSupport
import PharosText

/// One event per line on standard error, in a form journald and `grep` both read well:
/// `2026-11-23T09:00:00Z warning source=inbox: skipping file ... file=/x`. Under systemd
/// (`JOURNAL_STREAM` set) the timestamp gives way to a `<N>` syslog priority prefix.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let underJournal: Bool
    private let write: @Sendable (String) -> Void

    public init(level: Logger.Level, underJournal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
                write: @escaping @Sendable (String) -> Void = LineLogHandler.writeToStandardError) {
        logLevel = level
        self.underJournal = underJournal
        self.write = write
    }

    /// Writes `line` to standard error with `write(2)`: one call per line where the pipe takes
    /// it, so lines from several threads never interleave, and none of Foundation's file
    /// handle code in a daemon that logs a line now and then.
    @Sendable public static func writeToStandardError(_ line: String) {
        var line = line
        _ = line.withUTF8 { FileIO.writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
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
        line += ": " + Self.oneLine("\(event.message)")
        if !details.isEmpty { line += " " + details.joined(separator: " ") }
        write(line + "\n")
    }

    private static func quoted(_ value: String) -> String {
        let flat = oneLine(value)
        guard flat.utf8.contains(UInt8(ascii: " ")) || flat.isEmpty else { return flat }
        var result = String.UnicodeScalarView()
        for scalar in flat.unicodeScalars {
            if scalar == "\"" { result.append("\\") }
            result.append(scalar)
        }
        return "\"" + String(result) + "\""
    }

    /// `text` on one line: line feeds as spaces, other control characters escaped (a file
    /// name or feed field must not rewrite the terminal or forge a line).
    private static func oneLine(_ text: String) -> String {
        Printable.escaped(text, lineFeed: " ")
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
