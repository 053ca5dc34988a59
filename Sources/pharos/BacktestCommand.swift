import ArgumentParser
import Foundation
import PharosBuiltins
import PharosCore
import PharosEngine
import PharosHTTP
import PharosMatching
import PharosSupport
import PharosText

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay rules over the archive: what they would have alerted, and how that differs from what did.",
        discussion: """
            Reads the archive of items read (history:, README.md, Configuration) and matches them with the config's rules, \
            one or several of them (--rule), or the rules of a file written as the config's rule files are (--rules). Each \
            alert is new (it did not alert), unchanged (it did, with the same id), also seen (the item was a later copy \
            of a story the rule had alerted on, recorded on that alert: README.md, Stories) or no longer (it alerted and \
            would not now). Nothing is delivered unless --deliver SINK: the new alerts are then queued for that sink with their \
            usual ids, so an alert that was already raised is never sent again.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Only this rule of the config (repeat for several).")
    var rule: [String] = []

    @Option(name: .customLong("rules"), help: "Replay the rules of this file instead (the config's rule syntax; they need not be in the config).")
    var rulesFile: String?

    @Option(help: "How far back: items last seen within this duration (30d, 12h; default 90d).")
    var since = "90d"

    @Option(help: "Only the items of this source.")
    var source: String?

    @Flag(help: "One JSON document with every alert and the difference from what did alert.")
    var json = false

    @Option(help: "Queue the new alerts for this sink (and deliver them now unless the daemon runs and does).")
    var deliver: String?

    func validate() throws {
        if !rule.isEmpty, rulesFile != nil { throw ValidationError("give --rule or --rules, not both") }
        guard let duration = Duration(configText: since), duration > .zero else {
            throw ValidationError("--since takes a duration like 90d, 12h or 30m, found '\(since)'")
        }
    }

    func run() async throws {
        let config = try options.load()
        let evaluator = try selectRules(config)
        let sink = try deliverySink(config)
        // Two readers: the archive's pages are read beside the recorded alerts (`Backtest.run`).
        let store = try openState(config, readers: 2)
        let window = Duration(configText: since)!
        let started = ContinuousClock.now
        let backtest = Backtest(store: store, evaluator: evaluator, since: Date().addingTimeInterval(-window.seconds), source: source, stories: store)
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let rules = evaluator.rules.map(\.name)
        let output = StandardOutput()
        let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        // Each alert is written as it is found (on a terminal, below the bar), so a replay of any
        // length holds no more than the pages in flight; only --deliver keeps the new ones.
        var newAlerts: [Alert] = []
        var count = 0
        let summary: Backtest.Summary
        do {
            if json { output.append(jsonHead(rules: rules)) }
            let json = json
            summary = try await backtest.run(render: { found in json ? Self.jsonAlert(found) : Array(Self.textAlert(found).utf8) }, found: { found, rendered in
                if json, count > 0 { output.append(",") }
                output.append(rendered)
                count += 1
                if sink != nil, found.status == .new { newAlerts.append(found.alert) }
            }, progress: { progress in
                // Written in blocks of at least 64 KB (on a terminal, at once); a bar drawn on the same
                // terminal is cleared first.
                if stdoutIsTerminal {
                    if output.pending > 0 { bar.finish() }
                    output.flush()
                } else if output.pending >= 1 << 16 {
                    output.flush()
                }
                bar.show(progress)
            })
        } catch {
            output.flush()
            bar.finish()
            let printed = count > 0 ? " (the \(count) alert\(count == 1 ? "" : "s") above came before it)" : ""
            printError("pharos: cannot read the archive in \(config.stateDirectory.path): \(store.explain(error))\(printed)")
            throw ExitWith(code: .failure)
        }
        bar.finish()
        let seconds = max((ContinuousClock.now - started).seconds, 1e-9)
        output.append(json ? jsonTail(summary) : textTail(summary, rules: rules, seconds: seconds))
        output.flush()
        if let sink { return try await queue(newAlerts, for: sink, config: config, store: store) }
        // Everything is written and nothing was changed: the process ends here instead of first
        // freeing the compiled rules, the vocabulary and the replay's sets one by one and closing
        // the connections, which took 15-50 ms after the last byte of output.
        Foundation.exit(0)
    }

    private func selectRules(_ config: PharosConfig) throws -> any RuleEvaluator {
        guard let rulesFile else { return try Match.selectRules(rule, from: config) }
        do {
            return try ConfigLoader(registry: builtinPlugins)
                .loadRules(file: URL(fileURLWithPath: rulesFile).standardizedFileURL, vocabulary: config.vocabulary).evaluator
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            let count = error.diagnostics.count
            printError("pharos: \(count) problem\(count == 1 ? "" : "s") in \(rulesFile)")
            throw ExitWith(code: .config)
        }
    }

    private func deliverySink(_ config: PharosConfig) throws -> ConfiguredSink? {
        guard let deliver else { return nil }
        if let sink = config.sinks.first(where: { $0.name == deliver }) { return sink }
        var message = "pharos: no sink named '\(deliver)'"
        if let suggestion = closestMatch(to: deliver, among: config.sinks.map(\.name)) { message += "; did you mean '\(suggestion)'?" }
        printError(message)
        throw ExitWith(code: .usage)
    }

    /// One alert as the text output shows it: a line, then its headline, link and evidence indented.
    private static func textAlert(_ found: Backtest.Found) -> String {
        let alert = found.alert
        let label = switch found.status {
        case .new: "NEW"
        case .unchanged: "UNCHANGED"
        case .alsoSeen: "ALSO SEEN"
        }
        var text = "\(label) \(alert.rule) \(Printable.escaped(alert.source)) \(ISO8601.string(from: found.version.firstSeen)): \(Printable.escaped(alert.item.title))\n"
        if alert.headline != alert.item.title { text += "    \(Printable.escaped(alert.headline))\n" }
        if let copyOf = found.copyOf { text += "    a later copy of its story, recorded on alert \(copyOf)\n" }
        text += "    \(Printable.escaped(alert.item.link ?? alert.item.id))\n"
        let matches = alert.matches
        let written = Set(EntityKind.allCases.flatMap { matches[$0] }.map(\.text) + matches.keywords.map(\.text))
        for evidence in alert.evidence {
            text += "    \(evidence.field) \(evidence.start)-\(evidence.end): \(Match.highlight(Printable.escaped(evidence.text), written))\n"
        }
        return text
    }

    /// The alerts that no longer alert, and the counts.
    private func textTail(_ summary: Backtest.Summary, rules: [String], seconds: Double) -> String {
        var text = ""
        for alert in summary.noLonger {
            text += "NO LONGER \(alert.rule) \(Printable.escaped(alert.source)) \(ISO8601.string(from: alert.createdAt)): item \(Printable.escaped(alert.itemID)) (alert \(alert.id))\n"
        }
        let megabytes = Double(summary.textBytes) / 1e6
        text += """
            backtest: \(rules.count) rule\(rules.count == 1 ? "" : "s") over \(summary.versions) archived version\(summary.versions == 1 ? "" : "s") \
            (\(String(format: "%.1f", megabytes)) MB of text) since \(since)\(source.map { " from \($0)" } ?? ""): \
            \(summary.newCount) new, \(summary.unchangedCount) unchanged, \(summary.alsoSeenCount) also seen, \(summary.noLonger.count) no longer \
            (\(String(format: "%.1f", seconds)) s, \(String(format: "%.1f", megabytes / seconds)) MB/s)

            """
        return text
    }

    /// The JSON document is written as the replay goes: what was replayed and the alerts
    /// first, the counts (known at the end) last.
    private func jsonHead(rules: [String]) -> String {
        "{\"rules\":\(JSONWriter.encode(.array(rules.map { .string($0) }))),\"since\":\(JSONWriter.encode(.string(since))),"
            + "\"source\":\(JSONWriter.encode(.optional(source))),\"alerts\":["
    }

    private static func jsonAlert(_ found: Backtest.Found) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        // The members before the alert, then the alert, written straight in.
        JSONWriter.append(to: &bytes) { writer in
            writer.raw("{\"status\":")
            writer.writeString(found.status.rawValue)
            writer.raw(",\"version\":")
            writer.writeString(found.version.version)
            if let copyOf = found.copyOf {
                writer.raw(",\"also_seen_on\":")
                writer.writeString(copyOf)
            }
            writer.raw(",\"alert\":")
        }
        found.alert.appendJSON(to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private func jsonTail(_ summary: Backtest.Summary) -> String {
        let noLonger = JSONWriter.Value.array(summary.noLonger.map { alert in
            .object([("id", .string(alert.id)), ("rule", .string(alert.rule)), ("source", .string(alert.source)),
                     ("item_id", .string(alert.itemID)), ("raised_at", .string(ISO8601.string(from: alert.createdAt)))])
        })
        return "],\"no_longer_alerts\":\(JSONWriter.encode(noLonger)),\"versions\":\(summary.versions),\"text_bytes\":\(summary.textBytes),"
            + "\"new\":\(summary.newCount),\"unchanged\":\(summary.unchangedCount),\"also_seen\":\(summary.alsoSeenCount),\"no_longer\":\(summary.noLonger.count)}\n"
    }

    /// Queues the new alerts for `sink` as the intake queues alerts (an id already recorded
    /// is ignored, with its deliveries), then delivers them unless the daemon holds the state.
    private func queue(_ alerts: [Alert], for sink: ConfiguredSink, config: PharosConfig, store: SQLiteStateStore) async throws {
        var queued = 0
        for (source, group) in Dictionary(grouping: alerts, by: \.source).sorted(by: { $0.key < $1.key }) {
            for start in stride(from: 0, to: group.count, by: 200) {
                let chunk = group[start..<min(start + 200, group.count)].map { alert in
                    NewAlert(id: alert.id, rule: alert.rule, itemID: alert.item.id, json: alert.jsonLine(), sinks: [sink.name])
                }
                queued += try await store.record([PollRecord(source: source, alerts: chunk)], now: Date()).count
            }
        }
        let lock: StateLock
        do {
            lock = try StateLock(directory: config.stateDirectory)
        } catch {
            printError("pharos: queued \(queued) alert\(queued == 1 ? "" : "s") for \(sink.name); the running daemon delivers them")
            return
        }
        let curl = CurlEngine()
        let engine = Engine(config: config, store: store, logger: options.makeLogger(), http: CurlHTTPTransport(engine: curl),
                            mail: CurlMailTransport(engine: curl))
        let result = try await curl.whileRunning {
            try await engine.whilePluginsRun { try await engine.dispatcher.deliverDue(sink) }
        }
        withExtendedLifetime(lock) {}
        printError("pharos: queued \(queued) alert\(queued == 1 ? "" : "s") for \(sink.name): \(result.delivered) delivered now, \(result.retrying) to retry, \(result.dead) failed")
        if result.retrying > 0 || result.dead > 0 { throw ExitWith(code: .failure) }
    }
}

/// Standard output through a buffer, written out when flushed.
final class StandardOutput {
    private var buffer: [UInt8] = []

    var pending: Int { buffer.count }

    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    func flush() {
        var written = 0
        buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = write(STDOUT_FILENO, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return
                }
                written += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A progress bar on standard error, redrawn when the percentage moves.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = -1
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: Backtest.Progress) {
        guard enabled else { return }
        let percent = progress.archived == 0 ? 100 : min(100, progress.versions * 100 / progress.archived)
        lock.withLock {
            guard percent != shown else { return }
            shown = percent
            drawn = true
            let width = 30
            let filled = percent * width / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let line = "\r[\(bar)] \(percent)% \(progress.versions) versions, \(progress.textBytes / 1_000_000) MB"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
            shown = -1
        }
    }
}
