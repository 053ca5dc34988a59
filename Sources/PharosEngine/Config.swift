import Foundation
import PharosCore
import PharosMatching
import PharosSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A source from config, built and validated.
public struct ConfiguredSource: Sendable {
    public var name: String
    public var type: String
    /// How often it is polled.
    public var every: Duration
    public var source: any Source

    public init(name: String, type: String, every: Duration, source: any Source) {
        self.name = name
        self.type = type
        self.every = every
        self.source = source
    }
}

/// A sink from config, built and validated.
public struct ConfiguredSink: Sendable {
    public var name: String
    public var type: String
    public var sink: any Sink
    /// `rules:` — only alerts of these rules are accepted; nil accepts every rule's alerts.
    public var rules: [String]?
    /// `max_age:` — an alert not delivered this long after it was queued goes to dead letters;
    /// nil takes `delivery: {max_age}`.
    public var maxAge: Duration?
    /// `concurrency:` — deliveries handed to the sink at once (1 by default). Each is recorded
    /// as soon as it returns, so this also bounds what a crash can deliver twice.
    public var concurrency: Int
    /// Where each name in `rules:` was written, for messages about unknown rules.
    var ruleLocations: [String: SourceLocation] = [:]
    /// `per_story:` — false delivers an alert for every copy of a story to this sink; true (the
    /// default) one per story and rule, later copies recorded as `also_seen`.
    public var perStory = true

    public init(name: String, type: String, sink: any Sink, rules: [String]? = nil, maxAge: Duration? = nil, concurrency: Int = 1) {
        self.name = name
        self.concurrency = concurrency
        self.type = type
        self.sink = sink
        self.rules = rules
        self.maxAge = maxAge
    }

    /// Whether alerts of `rule` may go to this sink.
    public func accepts(rule: String) -> Bool { rules?.contains(rule) ?? true }
}

/// A whole, valid configuration: what `pharos run` runs.
public struct PharosConfig: Sendable {
    /// The main config file.
    public var file: URL
    /// Where the state database lives.
    public var stateDirectory: URL
    public var sources: [ConfiguredSource]
    public var sinks: [ConfiguredSink]
    public var rules: [Rule]
    /// Files rules were read from, for the summary line.
    public var ruleFiles: [URL]
    public var evaluator: any RuleEvaluator
    /// Built-in entries plus those of `vocabularies:`.
    public var vocabulary: Vocabulary
    /// How failed deliveries back off (`delivery: {retry_base, retry_cap}`).
    public var deliveryBackoff = Backoff(base: .seconds(30), cap: .seconds(3600))
    /// How long an undelivered alert keeps being retried before it goes to dead letters
    /// (`delivery: {max_age}`; a sink's own `max_age:` wins).
    public var deliveryMaxAge: Duration = .seconds(7 * 86_400)
    /// `history: 180d` — how long the archive keeps what was read (`0`: nothing is archived).
    public var history: Duration = .seconds(180 * 86_400)
    /// `metrics: 127.0.0.1:9464` — where to serve Prometheus metrics, `/healthz` and the web page with the alerts feed, if anywhere.
    public var metricsAddress: (host: String, port: Int)?
    /// `stories: {window}` — how long an item stays in the story index: a copy arriving later
    /// than this after the first raises alerts of its own (README, Stories).
    public var storyWindow: Duration = Self.defaultStoryWindow
    /// Dated copies of one story in bench/stories arrive up to 16 days apart (median 1 day).
    public static let defaultStoryWindow: Duration = .seconds(21 * 86_400)

    public init(
        file: URL, stateDirectory: URL, sources: [ConfiguredSource], sinks: [ConfiguredSink], rules: [Rule],
        ruleFiles: [URL] = [], evaluator: any RuleEvaluator, vocabulary: Vocabulary = Vocabulary()
    ) {
        self.file = file
        self.stateDirectory = stateDirectory
        self.sources = sources
        self.sinks = sinks
        self.rules = rules
        self.ruleFiles = ruleFiles
        self.evaluator = evaluator
        self.vocabulary = vocabulary
    }

    /// Names of the sinks that alerts of `rule` go to: those the rule names (every sink when it
    /// names none) that accept the rule.
    public func sinkNames(for rule: String) -> [String] {
        let wanted = rules.first(where: { $0.name == rule })?.sinks
        return sinks.filter { sink in (wanted?.contains(sink.name) ?? true) && sink.accepts(rule: rule) }.map(\.name)
    }

    /// The `max_age` that applies to `sink`.
    public func maxAge(of sink: ConfiguredSink) -> Duration { sink.maxAge ?? deliveryMaxAge }

    /// `3 sources, 2 sinks, 5 rules`.
    public var summary: String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(count(sources.count, "source")), \(count(sinks.count, "sink")), \(count(rules.count, "rule"))"
    }
}

/// Reads `pharos.yaml` and the rule files it names, reporting every problem at once.
public struct ConfigLoader: Sendable {
    public var registry: PluginRegistry

    public init(registry: PluginRegistry) {
        self.registry = registry
    }

    /// Loads and validates everything; throws ``ConfigErrors`` listing every problem found.
    public func load(_ file: URL) throws(ConfigErrors) -> PharosConfig {
        let root = try Self.readYAML(file)
        let base = file.deletingLastPathComponent()
        let top = OptionReader(node: root, baseDirectory: base, what: "the configuration")
        var diagnostics: [ConfigDiagnostic] = []

        let stateDirectory = top.path("state") ?? base.appendingPathComponent("state")
        var stateIsDirectory: ObjCBool = true
        if FileManager.default.fileExists(atPath: stateDirectory.path, isDirectory: &stateIsDirectory), !stateIsDirectory.boolValue {
            let message = StateDirectoryError.notADirectory(stateDirectory.path).description
            if top.raw("state") != nil { top.problem(message, key: "state") } else { top.problem(message) }
        }
        let vocabulary = loadVocabulary(top, diagnostics: &diagnostics)
        var backoff = Backoff(base: .seconds(30), cap: .seconds(3600))
        var maxAge: Duration = .seconds(7 * 86_400)
        if let delivery = top.raw("delivery") {
            let options = OptionReader(node: delivery, baseDirectory: base, what: "delivery")
            backoff.base = options.duration("retry_base", default: backoff.base, minimum: .milliseconds(100))
            backoff.cap = options.duration("retry_cap", default: backoff.cap, minimum: .milliseconds(100))
            if backoff.cap < backoff.base { options.problem("must not be shorter than retry_base", key: "retry_cap") }
            maxAge = options.duration("max_age", default: maxAge, minimum: .seconds(1))
            options.reportUnknownKeys()
            diagnostics += options.diagnostics
        }
        let metricsAddress = Self.metricsAddress(top, diagnostics: &diagnostics)
        let history = Self.history(top)
        var storyWindow = PharosConfig.defaultStoryWindow
        if let stories = top.raw("stories") {
            let options = OptionReader(node: stories, baseDirectory: base, what: "stories")
            storyWindow = options.duration("window", default: storyWindow, minimum: .seconds(60))
            options.reportUnknownKeys()
            diagnostics += options.diagnostics
        }
        let sources = buildSources(top.raw("sources"), top: top, diagnostics: &diagnostics)
        let sinks = buildSinks(top.raw("sinks"), top: top, diagnostics: &diagnostics)
        // Names as declared, so a sink with a bad option does not make every rule using it dangle too.
        let declaredSinks = (top.raw("sinks")?.sequence ?? []).compactMap { $0["name"]?.scalar }
        var (rules, ruleFiles) = loadRules(top, base: base, diagnostics: &diagnostics)
        if top.raw("rules") == nil { top.problem("the configuration has no 'rules' (a folder, a file or a list)") }

        checkUnique(rules.map { ($0.name, $0.location) }, what: "rule", diagnostics: &diagnostics)
        let sinkNames = Set(declaredSinks)
        for index in rules.indices {
            guard let wanted = rules[index].sinks else { continue }
            for name in wanted where !sinkNames.contains(name) {
                let location = rules[index].sinkLocations[name] ?? rules[index].location
                var message = "rule '\(rules[index].name)' sends to sink '\(name)', which is not defined"
                if let suggestion = closestMatch(to: name, among: Array(sinkNames)) { message += "; did you mean '\(suggestion)'?" }
                diagnostics.append(ConfigDiagnostic(message, at: location))
            }
            rules[index].sinks = wanted.filter(sinkNames.contains)
        }
        let ruleNames = rules.map(\.name)
        for rule in rules {
            guard let wanted = rule.sinks, !wanted.isEmpty else { continue }
            let refusing = sinks.filter { wanted.contains($0.name) && !$0.accepts(rule: rule.name) }
            if !refusing.isEmpty, refusing.count == wanted.count {
                let names = refusing.map { "'\($0.name)'" }.joined(separator: ", ")
                diagnostics.append(ConfigDiagnostic(
                    "rule '\(rule.name)' reaches no sink: \(names) accept\(refusing.count == 1 ? "s" : "") only the rules in \(refusing.count == 1 ? "its" : "their") 'rules:'",
                    at: rule.sinkLocations[wanted[0]] ?? rule.location))
            }
        }
        for sink in sinks {
            for name in sink.rules ?? [] where !ruleNames.contains(name) {
                var message = "sink '\(sink.name)' accepts rule '\(name)', which is not defined"
                if let suggestion = closestMatch(to: name, among: ruleNames) { message += "; did you mean '\(suggestion)'?" }
                diagnostics.append(ConfigDiagnostic(message, at: sink.ruleLocations[name] ?? SourceLocation(file: file.path, line: 1, column: 1)))
            }
        }
        var evaluator: CompiledRules?
        do {
            evaluator = try CompiledRules(rules: rules, vocabulary: vocabulary)
        } catch {
            diagnostics += error.diagnostics
        }
        top.reportUnknownKeys()
        diagnostics = top.diagnostics + diagnostics
        guard diagnostics.isEmpty, let evaluator else { throw ConfigErrors(Self.ordered(diagnostics)) }
        var config = PharosConfig(
            file: file, stateDirectory: stateDirectory, sources: sources, sinks: sinks, rules: rules, ruleFiles: ruleFiles,
            evaluator: evaluator, vocabulary: vocabulary)
        config.deliveryBackoff = backoff
        config.deliveryMaxAge = maxAge
        config.metricsAddress = metricsAddress
        config.history = history
        config.storyWindow = storyWindow
        return config
    }

    /// `history:` — `0`, or a duration of at least an hour (an archive expired by the minute
    /// would be gone before anyone could backtest over it).
    private static func history(_ top: OptionReader) -> Duration {
        let fallback: Duration = .seconds(180 * 86_400)
        let history = top.duration("history", default: fallback)
        if history != .zero, history < .seconds(3600), let text = top.raw("history")?.scalar {
            top.problem("must be 0 (keep nothing) or at least 1h, found \(text)", key: "history")
            return fallback
        }
        return history
    }

    /// `metrics:` as host and port: `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464` (both
    /// loopback addresses), or a mapping `{listen: ADDRESS, allow_unauthenticated_remote: true}`.
    /// The endpoints have no authentication, so an address other than loopback is refused
    /// unless `allow_unauthenticated_remote` says that is meant.
    private static func metricsAddress(_ top: OptionReader, diagnostics: inout [ConfigDiagnostic]) -> (host: String, port: Int)? {
        guard let node = top.raw("metrics") else { return nil }
        let options = node.mapping == nil ? nil : OptionReader(node: node, baseDirectory: top.baseDirectory, what: "metrics")
        defer {
            options?.reportUnknownKeys()
            diagnostics += options?.diagnostics ?? []
        }
        let problem: (String) -> Void = { message in
            if let options { options.problem(message, key: "listen") } else { top.problem(message, key: "metrics") }
        }
        let allowRemote = options?.bool("allow_unauthenticated_remote", default: false) ?? false
        guard let text = options.map({ $0.requiredString("listen") }) ?? top.string("metrics"), !text.isEmpty else { return nil }
        let usage = "must be an address and a port such as 127.0.0.1:9464, [::1]:9464 or localhost:9464, found '\(text)'"
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            problem(usage)
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr(), v6 = in6_addr()
        let loopback: Bool
        if host == "localhost" {
            loopback = true
        } else if inet_pton(AF_INET, host, &v4) == 1 {
            loopback = UInt32(bigEndian: v4.s_addr) >> 24 == 127
        } else if host.contains(":"), inet_pton(AF_INET6, host, &v6) == 1 {
            loopback = host == "::1" || withUnsafeBytes(of: v6) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 }
        } else {
            problem(usage)
            return nil
        }
        if !loopback, !allowRemote {
            problem("serves /metrics, /healthz and the alerts page and feed without authentication to anyone who can reach \(text); "
                + "listen on loopback (127.0.0.1, [::1] or localhost) behind a proxy, or write "
                + "metrics: {listen: \(text), allow_unauthenticated_remote: true}")
            return nil
        }
        return (host, port)
    }

    /// Whether a plugin produces items or delivers alerts.
    public enum PluginKind: Sendable {
        case source, sink
    }

    /// Builds the plugin described by one mapping file (a plugin's `sample.yaml`) exactly as a
    /// config entry would be built; throws every problem found. Returns the plugin's `type`.
    public func buildPlugin(from file: URL, kind: PluginKind) throws(ConfigErrors) -> String {
        let node = try Self.readYAML(file)
        let holder = OptionReader(node: ConfigNode(.mapping([]), location: node.location, path: ""),
                                  baseDirectory: file.deletingLastPathComponent(), what: file.lastPathComponent)
        let list = ConfigNode(.sequence([node]), location: node.location, path: "")
        var diagnostics: [ConfigDiagnostic] = []
        let built = switch kind {
        case .source: buildSources(list, top: holder, diagnostics: &diagnostics).map(\.type)
        case .sink: buildSinks(list, top: holder, diagnostics: &diagnostics).map(\.type)
        }
        diagnostics += holder.diagnostics
        guard diagnostics.isEmpty, let type = built.first else { throw ConfigErrors(diagnostics) }
        return type
    }

    /// "targets*.yaml, designations*.yaml, ... or modalities*.yaml".
    static var vocabularyFileNames: String {
        let names = EntityKind.allCases.map { "\($0.plural)*.yaml" }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }

    /// Reads and parses one YAML file; a missing or unreadable file is a diagnostic.
    static func readYAML(_ file: URL) throws(ConfigErrors) -> ConfigNode {
        let start = SourceLocation(file: file.path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            let reason = FileManager.default.fileExists(atPath: file.path) ? "cannot be read" : "does not exist"
            throw ConfigErrors([ConfigDiagnostic("\(file.path) \(reason)", at: start)])
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors([ConfigDiagnostic("\(file.path) is not UTF-8 text", at: start)])
        }
        return try text.withUTF8 { bytes in Result { () throws(ConfigErrors) in try YAMLNodes.parse(utf8: bytes, file: file.path) } }.get()
    }

    private func entries(_ node: ConfigNode?, key: String, top: OptionReader) -> [ConfigNode] {
        guard let node else {
            top.problem("the configuration has no '\(key)'; add at least one")
            return []
        }
        guard let list = node.sequence else {
            top.problem("must be a list, found \(node.kindName)", key: key)
            return []
        }
        if list.isEmpty { top.problem("must list at least one entry", key: key) }
        return list
    }

    private func buildSources(_ node: ConfigNode?, top: OptionReader, diagnostics: inout [ConfigDiagnostic]) -> [ConfiguredSource] {
        let list = sourceEntries(entries(node, key: "sources", top: top), base: top.baseDirectory, diagnostics: &diagnostics)
        return buildPlugins(list, kind: "source", known: registry.sources, diagnostics: &diagnostics) { options in
            options.duration("every", default: .seconds(300), minimum: .seconds(1))
        } build: { pluginType, type, name, every, configuration in
            ConfiguredSource(name: name, type: type, every: every, source: try pluginType.init(configuration: configuration))
        }
    }

    private func buildSinks(_ node: ConfigNode?, top: OptionReader, diagnostics: inout [ConfigDiagnostic]) -> [ConfiguredSink] {
        let list = entries(node, key: "sinks", top: top).map { PluginEntry(node: $0, base: top.baseDirectory) }
        return buildPlugins(list, kind: "sink", known: registry.sinks, diagnostics: &diagnostics) { options in
            let rules = options.stringList("rules")
            if rules?.isEmpty == true { options.problem("must name at least one rule (leave it out to accept every rule)", key: "rules") }
            let maxAge = options.raw("max_age") == nil ? nil : options.duration("max_age", default: .seconds(86_400), minimum: .seconds(1))
            let concurrency = options.int("concurrency", default: 1, in: 1...64)
            let perStory = options.bool("per_story", default: true)
            let locations = (options.raw("rules")?.sequence ?? []).compactMap { node in node.scalar.map { ($0, node.location) } }
            return (rules, maxAge, concurrency, Dictionary(locations, uniquingKeysWith: { first, _ in first }), perStory)
        } build: { pluginType, type, name, engineOptions, configuration in
            var sink = ConfiguredSink(
                name: name, type: type, sink: try pluginType.init(configuration: configuration),
                rules: engineOptions.0, maxAge: engineOptions.1, concurrency: engineOptions.2)
            sink.ruleLocations = engineOptions.3
            sink.perStory = engineOptions.4
            return sink
        }
    }

    /// Builds the `sources` or `sinks` list: `name` and `type` (and what `engineOptions` reads)
    /// belong to the engine, everything else to the plugin, which validates it.
    private func buildPlugins<PluginType, EngineOptions, Configured>(
        _ list: [PluginEntry], kind: String, known: [String: PluginType],
        diagnostics: inout [ConfigDiagnostic], engineOptions: (OptionReader) -> EngineOptions,
        build: (PluginType, String, String, EngineOptions, PluginConfiguration) throws -> Configured
    ) -> [Configured] {
        var built: [Configured] = []
        var names: [(String, SourceLocation)] = []
        for (entry, base) in list.map({ ($0.node, $0.base) }) {
            let options = OptionReader(node: entry, baseDirectory: base, what: kind)
            let name = checkedName(options)
            let extra = engineOptions(options)
            let type = options.requiredString("type")
            names.append((name, entry["name"]?.location ?? entry.location))
            guard let pluginType = knownType(type, in: known, kind: kind, options: options) else {
                diagnostics += options.diagnostics
                continue
            }
            // The plugin's reader knows the engine's keys already, so it reports only its own unknown ones.
            let described = OptionReader(node: entry, baseDirectory: base, what: "\(type) \(kind) '\(name)'")
            options.knownKeys.forEach { _ = described.raw($0) }
            diagnostics += options.diagnostics
            do {
                let plugin = try build(pluginType, type, name, extra, PluginConfiguration(name: name, options: described))
                if options.diagnostics.isEmpty { built.append(plugin) }
            } catch let errors as ConfigErrors {
                diagnostics += errors.diagnostics
            } catch {
                diagnostics.append(ConfigDiagnostic("\(type) \(kind) '\(name)': \(error)", at: entry.location))
            }
        }
        checkUnique(names, what: kind, diagnostics: &diagnostics)
        return built
    }

    private func checkedName(_ options: OptionReader) -> String {
        let name = options.requiredString("name")
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        if !name.isEmpty, !allowed || name.hasPrefix(".") || name.hasPrefix("-") {
            options.problem("'\(name)' may use only letters, digits, '.', '_' and '-'", key: "name")
        }
        return name
    }

    private func knownType<T>(_ type: String, in known: [String: T], kind: String, options: OptionReader) -> T? {
        guard !type.isEmpty else { return nil }
        if let found = known[type] { return found }
        var message = "unknown \(kind) type '\(type)'"
        if let suggestion = closestMatch(to: type, among: Array(known.keys)) { message += "; did you mean '\(suggestion)'?" }
        message += " (known: \(known.keys.sorted().joined(separator: ", ")))"
        options.problem(message, key: "type")
        return nil
    }

    /// The rules of one rule file, written as the config's rule files are, compiled against
    /// `vocabulary`: for `pharos backtest --rules FILE`. Every problem is thrown, each with
    /// its file, line and column.
    public func loadRules(file: URL, vocabulary: Vocabulary) throws(ConfigErrors) -> (rules: [Rule], evaluator: CompiledRules) {
        let (rules, problems) = RuleParser.parse(try Self.readYAML(file), baseDirectory: file.deletingLastPathComponent())
        var diagnostics = problems
        if rules.isEmpty, problems.isEmpty {
            diagnostics.append(ConfigDiagnostic("\(file.path) holds no rules", at: SourceLocation(file: file.path, line: 1, column: 1)))
        }
        checkUnique(rules.map { ($0.name, $0.location) }, what: "rule", diagnostics: &diagnostics)
        var evaluator: CompiledRules?
        do {
            evaluator = try CompiledRules(rules: rules, vocabulary: vocabulary)
        } catch {
            diagnostics += error.diagnostics
        }
        guard diagnostics.isEmpty, let evaluator else { throw ConfigErrors(Self.ordered(diagnostics)) }
        return (rules, evaluator)
    }

    private func loadRules(_ top: OptionReader, base: URL, diagnostics: inout [ConfigDiagnostic]) -> ([Rule], [URL]) {
        guard let node = top.raw("rules") else { return ([], []) }
        if node.sequence != nil {
            let (rules, problems) = RuleParser.parse(node, baseDirectory: base)
            diagnostics += problems
            return (rules, [])
        }
        guard let text = node.scalar else {
            top.problem("must be a folder, a file or a list of rules", key: "rules")
            return ([], [])
        }
        let location = resolvePath(text, against: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory) else {
            top.problem("\(location.path) does not exist", key: "rules")
            return ([], [])
        }
        var files = [location]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: location.path)) ?? []
            files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
                .map { location.appendingPathComponent($0) }
            if files.isEmpty { top.problem("\(location.path) holds no .yaml rule files", key: "rules") }
        }
        var rules: [Rule] = []
        for file in files {
            do {
                let (parsed, problems) = RuleParser.parse(try Self.readYAML(file), baseDirectory: file.deletingLastPathComponent())
                rules += parsed
                diagnostics += problems
            } catch {
                diagnostics += error.diagnostics
            }
        }
        return (rules, files)
    }

    /// The built-in vocabularies alone, for commands that need no config.
    public static func builtinOnly() -> Vocabulary {
        var vocabulary = Vocabulary()
        vocabulary.add(builtinVocabulary.entries)
        return vocabulary
    }

    /// The built-in vocabularies, parsed straight from the bytes compiled into the binary, at
    /// every load (about 10 ms): a cache would keep a second copy of every entry in the daemon
    /// for its whole life. The files are parsed at once on the cores there are, largest first
    /// (products.yaml is most of the text), and their entries kept in the files' order: every
    /// command waits for them before it starts.
    static var builtinVocabulary: (entries: [VocabularyEntry], diagnostics: [ConfigDiagnostic]) {
        let files = BuiltinVocabulary.files
        let largestFirst = files.indices.sorted { files[$0].yaml.utf8CodeUnitCount > files[$1].yaml.utf8CodeUnitCount }
        let parsed = Shared([(entries: [VocabularyEntry], diagnostics: [ConfigDiagnostic])?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { turn in
            let index = largestFirst[turn]
            let file = files[index]
            let result: (entries: [VocabularyEntry], diagnostics: [ConfigDiagnostic])
            do throws(ConfigErrors) {
                let node = try file.yaml.withUTF8Buffer { bytes in
                    Result { () throws(ConfigErrors) in try YAMLNodes.parse(utf8: bytes, file: "(built-in) \(file.name)") }
                }.get()
                let vocabulary = VocabularyParser.parse(node, kind: file.kind)
                result = (vocabulary.entries, vocabulary.diagnostics)
            } catch {
                result = ([], error.diagnostics)
            }
            parsed.withLock { $0[index] = result }
        }
        var entries: [VocabularyEntry] = []
        var diagnostics: [ConfigDiagnostic] = []
        for result in parsed.value {
            entries += result?.entries ?? []
            diagnostics += result?.diagnostics ?? []
        }
        return (entries, diagnostics)
    }

    /// Built-in entries, then every file of `vocabularies:` (a folder or one file), whose
    /// entries add to or replace built-in ones with the same id; conflicts are problems.
    func loadVocabulary(_ top: OptionReader, diagnostics: inout [ConfigDiagnostic]) -> Vocabulary {
        var vocabulary = Vocabulary()
        let builtin = Self.builtinVocabulary
        vocabulary.add(builtin.entries)
        diagnostics += builtin.diagnostics
        guard let location = top.path("vocabularies") else { return vocabulary }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory) else {
            top.problem("\(location.path) does not exist", key: "vocabularies")
            return vocabulary
        }
        var files = [location]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: location.path)) ?? []
            files = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
                .map { location.appendingPathComponent($0) }
        }
        for file in files {
            guard let kind = VocabularyParser.kind(ofFile: file.lastPathComponent) else {
                diagnostics.append(ConfigDiagnostic(
                    "cannot tell what \(file.lastPathComponent) lists: name vocabulary files \(Self.vocabularyFileNames)",
                    at: SourceLocation(file: file.path, line: 1, column: 1)))
                continue
            }
            do {
                let parsed = VocabularyParser.parse(try Self.readYAML(file), kind: kind)
                vocabulary.add(parsed.entries)
                diagnostics += parsed.diagnostics
            } catch {
                diagnostics += error.diagnostics
            }
        }
        diagnostics += vocabulary.conflicts()
        diagnostics += vocabulary.referenceProblems()
        return vocabulary
    }

    private func checkUnique(_ names: [(String, SourceLocation)], what: String, diagnostics: inout [ConfigDiagnostic]) {
        var first: [String: SourceLocation] = [:]
        for (name, location) in names where !name.isEmpty {
            if let earlier = first[name] {
                diagnostics.append(ConfigDiagnostic("duplicate \(what) name '\(name)' (first defined at \(earlier))", at: location))
            } else {
                first[name] = location
            }
        }
    }

    private static func ordered(_ diagnostics: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        var seen: Set<ConfigDiagnostic> = []
        return diagnostics.filter { seen.insert($0).inserted }.sorted {
            ($0.location.file, $0.location.line, $0.location.column) < ($1.location.file, $1.location.line, $1.location.column)
        }
    }
}
