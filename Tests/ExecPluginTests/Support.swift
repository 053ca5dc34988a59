import Foundation
import Logging
import ExecSource
import PharosCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// An option value as YAML would give it.
enum Option {
    case text(String)
    case list([String])
    case map([(String, String)])
}

/// Plugin options as if read from a config mapping, relative paths against `base`.
func reader(_ entries: [(String, Option)], base: URL, what: String = "exec plugin 'test'") -> OptionReader {
    let location = SourceLocation(file: "test.yaml", line: 1, column: 1)
    func scalar(_ text: String) -> ConfigNode { ConfigNode(.scalar(text, quoted: true), location: location, path: text) }
    let mapping = entries.map { key, value -> (key: ConfigNode, value: ConfigNode) in
        let node: ConfigNode
        switch value {
        case .text(let text): node = scalar(text)
        case .list(let items): node = ConfigNode(.sequence(items.map(scalar)), location: location, path: key)
        case .map(let pairs): node = ConfigNode(.mapping(pairs.map { (key: scalar($0.0), value: scalar($0.1)) }), location: location, path: key)
        }
        return (key: ConfigNode(.scalar(key, quoted: false), location: location, path: key), value: node)
    }
    return OptionReader(node: ConfigNode(.mapping(mapping), location: location, path: ""), baseDirectory: base, what: what)
}

/// What the engine would remember: the checkpoint of the last successful poll.
final class TestState: SourceState, Sendable {
    let stored = Shared<Checkpoint?>(nil)
    var checkpoint: Checkpoint? { stored.value }
    func versions(of ids: [String]) async throws -> [String: String] { [:] }
    func acknowledge(_ result: PollResult) {
        if let checkpoint = result.checkpoint { stored.withLock { $0 = checkpoint } }
    }
}

/// Captures log lines so tests can read warnings.
final class CapturedLogs: Sendable {
    let lines = Shared<[String]>([])

    var logger: Logger { Logger(label: "test") { _ in Handler(sink: self) } }
    var context: PluginContext { PluginContext(logger: logger) }
    func matching(_ text: String) -> [String] { lines.value.filter { $0.contains(text) } }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.lines.withLock { $0.append("\(event.level): \(event.message) \(extra)") }
        }
    }
}

/// Runs `source`'s `run(context:)` while `body` runs, as the engine does for as long as the
/// source is in use, then cancels it and waits for it to end.
func whileRunning<T>(_ source: ExecSource, context: PluginContext, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await source.run(context: context) }
        defer { group.cancelAll() }
        return try await body()
    }
}
