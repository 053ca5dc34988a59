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
            alert is new (it did not alert), unchanged (it did, with the same id) or no longer (it alerted and would not \
            now). Nothing is delivered unless --deliver SINK: the new alerts are then queued for that sink with their \
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
        let store = try openState(config)
        let window = Duration(configText: since)!
        let started = ContinuousClock.now
        let backtest = Backtest(store: store, evaluator: evaluator, since: Date().addingTimeInterval(-window.seconds), source: source)
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        let report: Backtest.Report
        do {
            report = try await backtest.run { bar.show($0) }
        } catch {
            bar.finish()
            printError("pharos: cannot read the archive in \(config.stateDirectory.path): \(store.explain(error))")
            throw ExitWith(code: .failure)
        }
        bar.finish()
        let seconds = max((ContinuousClock.now - started).seconds, 1e-9)
        let rules = evaluator.rules.map(\.name)
        if json {
            print(JSONWriter.encode(jsonReport(report, rules: rules, seconds: seconds)))
        } else {
            printText(report, rules: rules, seconds: seconds)
        }
        if let sink { try await queue(report, for: sink, config: config, store: store) }
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

    private func printText(_ report: Backtest.Report, rules: [String], seconds: Double) {
        for found in report.alerts {
            let alert = found.alert
            let label = found.status == .new ? "NEW" : "UNCHANGED"
            print("\(label) \(alert.rule) \(Printable.escaped(alert.source)) \(ISO8601.string(from: found.version.firstSeen)): \(Printable.escaped(alert.item.title))")
            if alert.headline != alert.item.title { print("    \(Printable.escaped(alert.headline))") }
            print("    \(Printable.escaped(alert.item.link ?? alert.item.id))")
            let matches = alert.matches
            let written = Set(EntityKind.allCases.flatMap { matches[$0] }.map(\.text) + matches.keywords.map(\.text))
            for evidence in alert.evidence {
                print("    \(evidence.field) \(evidence.start)-\(evidence.end): \(Match.highlight(Printable.escaped(evidence.text), written))")
            }
        }
        for alert in report.noLonger {
            print("NO LONGER \(alert.rule) \(Printable.escaped(alert.source)) \(ISO8601.string(from: alert.createdAt)): item \(Printable.escaped(alert.itemID)) (alert \(alert.id))")
        }
        let megabytes = Double(report.textBytes) / 1e6
        print("""
            backtest: \(rules.count) rule\(rules.count == 1 ? "" : "s") over \(report.versions) archived version\(report.versions == 1 ? "" : "s") \
            (\(String(format: "%.1f", megabytes)) MB of text) since \(since)\(source.map { " from \($0)" } ?? ""): \
            \(report.newCount) new, \(report.unchangedCount) unchanged, \(report.noLonger.count) no longer \
            (\(String(format: "%.1f", seconds)) s, \(String(format: "%.1f", megabytes / seconds)) MB/s)
            """)
    }

    private func jsonReport(_ report: Backtest.Report, rules: [String], seconds: Double) -> JSONWriter.Value {
        .object([
            ("rules", .array(rules.map { .string($0) })), ("since", .string(since)), ("source", .optional(source)),
            ("versions", .int(report.versions)), ("text_bytes", .int(Int(report.textBytes))),
            ("new", .int(report.newCount)), ("unchanged", .int(report.unchangedCount)), ("no_longer", .int(report.noLonger.count)),
            ("alerts", .array(report.alerts.map { found in
                .object([("status", .string(found.status.rawValue)), ("version", .string(found.version.version)), ("alert", found.alert.jsonValue)])
            })),
            ("no_longer_alerts", .array(report.noLonger.map { alert in
                .object([("id", .string(alert.id)), ("rule", .string(alert.rule)), ("source", .string(alert.source)),
                         ("item_id", .string(alert.itemID)), ("raised_at", .string(ISO8601.string(from: alert.createdAt)))])
            })),
        ])
    }

    /// Queues the new alerts for `sink` as the intake queues alerts (an id already recorded
    /// is ignored, with its deliveries), then delivers them unless the daemon holds the state.
    private func queue(_ report: Backtest.Report, for sink: ConfiguredSink, config: PharosConfig, store: SQLiteStateStore) async throws {
        let alerts = report.alerts.filter { $0.status == .new }.map(\.alert)
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
        }
    }
}
