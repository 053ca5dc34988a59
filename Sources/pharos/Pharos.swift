import ArgumentParser
import Foundation
import Logging
import PharosBuiltins
import PharosCore
import PharosEngine
import PharosHTTP
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exit codes (README.md, Commands): 0 ok, 1 runtime failure, 2 usage, 78 invalid config.
enum ExitCode32: Int32 {
    case ok = 0, failure = 1, usage = 2, config = 78
}

struct ExitWith: Error {
    var code: ExitCode32
}

/// Options every command that reads the config shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $PHAROS_CONFIG, ./config/pharos.yaml, /etc/pharos/pharos.yaml).")
    var config: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    /// The config file to use: `--config`, else `$PHAROS_CONFIG`, else `./config/pharos.yaml`, else
    /// `/etc/pharos/pharos.yaml` (README.md, Commands).
    var configFile: URL {
        if let config { return URL(fileURLWithPath: config).standardizedFileURL }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PHAROS_CONFIG"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment).standardizedFileURL
        }
        let local = URL(fileURLWithPath: "config/pharos.yaml").standardizedFileURL
        if FileManager.default.fileExists(atPath: local.path) { return local }
        return URL(fileURLWithPath: "/etc/pharos/pharos.yaml")
    }

    func makeLogger() -> Logger {
        let text = logLevel ?? ProcessInfo.processInfo.environment["PHAROS_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: text.lowercased()) ?? .info
        return Logger(label: "pharos") { _ in LineLogHandler(level: level) }
    }

    /// Loads the config again for a reload: problems are thrown, not printed.
    func reload() throws(ConfigErrors) -> PharosConfig {
        try ConfigLoader(registry: builtinPlugins).load(configFile)
    }

    /// Loads the config, printing every problem and exiting 78 when it is invalid.
    func load() throws -> PharosConfig {
        do {
            return try ConfigLoader(registry: builtinPlugins).load(configFile)
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            let count = error.diagnostics.count
            printError("pharos: \(count) problem\(count == 1 ? "" : "s") in the configuration")
            throw ExitWith(code: .config)
        }
    }
}

/// The state database of `config`, or a clear error (with a note when the disk is full) and exit 1.
func openState(_ config: PharosConfig, readers: Int = SQLiteStateStore.readers) throws -> SQLiteStateStore {
    do {
        return try SQLiteStateStore(directory: config.stateDirectory, readers: readers)
    } catch {
        printError("pharos: cannot open state in \(config.stateDirectory.path): \(SQLiteStateStore.explain(error, directory: config.stateDirectory))")
        throw ExitWith(code: .failure)
    }
}

/// Whether stdout is a terminal that wants colour.
let colourOutput = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Every command names itself in its configuration: without a name ArgumentParser makes one from
/// the type's name (`String(describing:)`, a search of the runtime's conformance records) for
/// each command on every start, about 16 M instructions before anything else ran
/// (bench/backtest/README.md).
@main
struct Pharos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pharos",
        abstract: "Watches biotech and pharma news and alerts on what your watch rules ask for.",
        version: PharosVersion.string,
        subcommands: [Run.self, Check.self, Match.self, BacktestCommand.self, Feed.self, Vocab.self, Outbox.self, Status.self, Plugins.self,
                      Presets.self, Sources.self]
    )

    static func main() async {
        MemoryTuning.configureAllocator()
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitWith {
            Foundation.exit(exit.code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code.rawValue == 0 {
                Self.exit(withError: error)
            }
            printError(fullMessage(for: error))
            // Anything ArgumentParser rejects is a usage error: exit 2 (README.md, Commands).
            Foundation.exit(error is CleanExit ? 0 : ExitCode32.usage.rawValue)
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the daemon (or one poll of every source with --once).")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Poll every source once, deliver what is due, and exit.")
    var once = false

    func run() async throws {
        let config = try options.load()
        let logger = options.makeLogger()
        let lock: StateLock
        do {
            lock = try StateLock(directory: config.stateDirectory)
        } catch {
            printError("pharos: cannot open state in \(config.stateDirectory.path): \(error)")
            throw ExitWith(code: .failure)
        }
        let store = try openState(config)
        let curl = CurlEngine()
        if once {
            let engine = Engine(
                config: config, store: store, logger: logger, http: CurlHTTPTransport(engine: curl), mail: CurlMailTransport(engine: curl))
            let report = try await curl.whileRunning { await engine.runOnce() }
            withExtendedLifetime(lock) {}
            try printOnceReport(report)
            return
        }
        // SIGHUP is trapped before anything can send it: its default action ends the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let (reloadRequests, requestReload) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let configOptions = options
        let daemon = Daemon(
            config: config, load: { () throws(ConfigErrors) -> PharosConfig in try configOptions.reload() },
            reloadRequests: reloadRequests, store: store, logger: logger,
            http: CurlHTTPTransport(engine: curl), mail: CurlMailTransport(engine: curl))
        let metricsServer: MetricsServer?
        do {
            metricsServer = try daemon.metricsServer()
        } catch {
            throw ExitWith(code: .failure)  // logged by metricsServer()
        }
        // Graceful shutdown goes through the services last to first, each finished before the
        // next is told: the daemon delivers what is in flight while HTTP and metrics still run.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: curl)] + (metricsServer.map { [.init(service: $0)] } ?? []) + [
                .init(service: daemon),
                .init(service: SignalForwarder(signals: hangups, requests: requestReload), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("stopped on an error", metadata: ["error": "\(error)"])
            throw ExitWith(code: .failure)
        }
        withExtendedLifetime(lock) {}
    }

    private func printOnceReport(_ report: Engine.OnceReport) throws {
        for (source, result) in report.polls {
            switch result {
            case .success(let poll):
                print("\(source): \(poll.returned) items, \(poll.changed) new or changed, \(poll.alerts) new alerts")
            case .failure(let error):
                printError("pharos: source \(source) failed: \(error)")
            }
        }
        for (sink, destination, result) in report.deliveries {
            switch result {
            case .success(let delivery):
                var line = "\(sink): delivered \(delivery.delivered) alert\(delivery.delivered == 1 ? "" : "s") to \(destination)"
                if delivery.retrying > 0 { line += "; \(delivery.retrying) failed and will be retried" }
                if delivery.dead > 0 { line += "; \(delivery.dead) failed permanently" }
                print(line)
            case .failure(let error):
                printError("pharos: sink \(sink) failed: \(error)")
            }
        }
        if !report.succeeded { throw ExitWith(code: .failure) }
    }
}

/// Turns each SIGHUP into a reload request until graceful shutdown.
struct SignalForwarder: Service {
    let signals: UnixSignalsSequence
    let requests: AsyncStream<Void>.Continuation

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals { requests.yield() }
        }
        requests.finish()
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the config, its rules and vocabularies.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        print("\(config.file.path): OK: \(config.summary)")
    }
}

struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the source and sink types this binary knows, with their options.",
        discussion: """
            Each plugin's README.md explains its options and its sample.yaml shows them all; they are installed, with \
            the examples (the Slack and Teams webhook templates among them), in PREFIX/share/doc/pharos/plugins/<Name>/ \
            (/usr/local/share/doc/pharos/plugins by default), and are in Plugins/<Name>/ of the source tree.
            """)

    func run() async throws {
        print("sources (every source also takes name, type and every):")
        for type in builtinPlugins.sources.keys.sorted() {
            let keys = Self.optionKeys { _ = try builtinPlugins.sources[type]!.init(configuration: $0) }
            print("  \(type): \(keys.joined(separator: ", "))")
        }
        print("sinks (every sink also takes name, type, rules, max_age and concurrency):")
        for type in builtinPlugins.sinks.keys.sorted() {
            let keys = Self.optionKeys { _ = try builtinPlugins.sinks[type]!.init(configuration: $0) }
            print("  \(type): \(keys.joined(separator: ", "))")
        }
        print("presets (`preset: NAME` in a source entry): \(builtinPlugins.presets.keys.sorted().joined(separator: ", ")); `pharos presets` describes them")
    }

    /// The keys a plugin reads, learnt by building it from an empty entry: initialisers read
    /// every option before reporting what is missing.
    private static func optionKeys(_ build: (PluginConfiguration) throws -> Void) -> [String] {
        let location = SourceLocation(file: "plugins", line: 1, column: 1)
        let reader = OptionReader(node: ConfigNode(.mapping([]), location: location, path: ""),
                                  baseDirectory: FileManager.default.temporaryDirectory, what: "plugin")
        _ = try? build(PluginConfiguration(name: "example", options: reader))
        // `secret` and `password` are only read to be refused (after their *_file form); `url`
        // is read before `url_file`, as it may be given either way.
        return reader.knownKeys.filter { key in
            guard let file = reader.knownKeys.firstIndex(of: key + "_file"), let plain = reader.knownKeys.firstIndex(of: key) else { return true }
            return plain < file
        }
    }
}
