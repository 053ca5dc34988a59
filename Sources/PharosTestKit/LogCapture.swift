import Foundation
import Logging
import PharosCore

/// Records what is logged through its ``logger``, so a test can read a plugin's warnings.
public final class LogCapture: Sendable {
    /// One logged message.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// `level: message key=value ...`, metadata sorted by key.
        public var line: String {
            let extra = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return (["\(level): \(message)"] + extra).joined(separator: " ")
        }
    }

    private let recorded = Shared<[Entry]>([])

    public init() {}

    /// A logger at `.trace` that records into this capture.
    public var logger: Logger { Logger(label: "test") { _ in CapturingLogHandler(capture: self) } }
    /// Every entry so far, in order.
    public var entries: [Entry] { recorded.value }
    /// Every entry so far as its ``Entry/line``.
    public var lines: [String] { entries.map(\.line) }
    /// The lines that contain `text`.
    public func matching(_ text: String) -> [String] { lines.filter { $0.contains(text) } }

    /// A plugin context logging into this capture, with the rest of the outside world given.
    public func context(now: @escaping @Sendable () -> Date = { Date() }, http: any HTTPTransport = NoHTTPTransport(),
                        mail: any MailTransport = NoMailTransport()) -> PluginContext {
        PluginContext(logger: logger, now: now, http: http, mail: mail)
    }

    fileprivate func append(_ entry: Entry) { recorded.withLock { $0.append(entry) } }
}

/// A swift-log handler that hands every message, with its metadata, to a ``LogCapture``.
public struct CapturingLogHandler: LogHandler {
    public let capture: LogCapture
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    public init(capture: LogCapture) { self.capture = capture }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        capture.append(LogCapture.Entry(level: event.level, message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
    }
}
