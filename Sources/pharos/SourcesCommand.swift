import ArgumentParser
import Foundation
import PharosBuiltins
import PharosCore
import PharosFeeds
import PharosText

struct Presets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the well-known sources (`preset: NAME` in a source entry), what each watches and where its address comes from.")

    func run() async throws {
        print(Self.listing(builtinPresets))
    }

    static func listing(_ presets: [SourcePreset]) -> String {
        var lines = ["presets (write `preset: NAME` in a source entry; any option may still be given to override the preset's):"]
        for preset in presets.sorted(by: { $0.name < $1.name }) {
            lines.append("  \(preset.name) (\(preset.type), every \(preset.every)): \(preset.watches)")
            for parameter in preset.parameters { lines.append("      needs \(parameter.name): \(parameter.help)") }
            for option in preset.options { lines.append("      \(option.key): \(option.value)") }
            lines.append("      address: \(preset.confirmed ? "confirmed" : "NOT confirmed") — \(preset.origin)")
        }
        return lines.joined(separator: "\n")
    }
}

struct Sources: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Manage source lists.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write the feeds of an OPML subscription list as a YAML list of rss sources that the config includes.",
            discussion: """
                Names come from the outline titles (letters, digits, '.', '_' and '-'), made unique with -2, -3, ...; \
                a feed listed twice is written once. Include the file from pharos.yaml with an entry \
                `- include: FILE` in `sources:`.
                """)

        @Argument(help: "The OPML file (a feed reader's export).")
        var file: String

        @Option(name: .shortAndLong, help: "Where to write the YAML (default: the OPML file's name with .yaml, in the current folder).")
        var output: String?

        @Option(help: "The poll interval written for every source.")
        var every = "15m"

        @Flag(help: "Replace the output file if it exists.")
        var force = false

        func run() async throws {
            let input = URL(fileURLWithPath: file)
            guard let data = FileManager.default.contents(atPath: input.path) else {
                printError("pharos: \(file): \(FileManager.default.fileExists(atPath: input.path) ? "cannot be read" : "does not exist")")
                throw ExitWith(code: .failure)
            }
            guard Duration(configText: every) != nil else {
                printError("pharos: --every must be a duration like 30s, 10m or 1h, found '\(every)'")
                throw ExitWith(code: .usage)
            }
            let feeds: [OPML.Feed]
            do {
                feeds = try OPML.feeds(in: data)
            } catch {
                printError("pharos: \(Printable.escaped(file)): \(Printable.escaped(error.description))")
                throw ExitWith(code: .failure)
            }
            let target = URL(fileURLWithPath: output ?? input.deletingPathExtension().lastPathComponent + ".yaml")
            if FileManager.default.fileExists(atPath: target.path), !force {
                printError("pharos: \(target.path) exists; pass --force to replace it")
                throw ExitWith(code: .failure)
            }
            let imported = SourceImport(feeds: feeds)
            for note in imported.notes { printError("pharos: \(Printable.escaped(file)): \(note)") }
            let text = imported.yaml(from: input.lastPathComponent, every: every)
            do {
                try Data(text.utf8).write(to: target, options: .atomic)
            } catch {
                printError("pharos: cannot write \(target.path): \(error.localizedDescription)")
                throw ExitWith(code: .failure)
            }
            print("\(target.path): \(imported.sources.count) source\(imported.sources.count == 1 ? "" : "s"); add `- include: \(target.lastPathComponent)` to sources: in pharos.yaml (a path relative to it)")
        }
    }
}

/// Feeds of an OPML list made into rss source entries: unique names, one entry per address.
struct SourceImport {
    struct Entry {
        var name: String
        var url: String
        var title: String
        var folders: [String]
    }

    private(set) var sources: [Entry] = []
    /// Feeds left out, and why.
    private(set) var notes: [String] = []

    init(feeds: [OPML.Feed]) {
        var names: Set<String> = []
        var urls: [String: String] = [:]
        for feed in feeds {
            let scheme = URL(string: feed.url)?.scheme?.lowercased()
            guard scheme == "http" || scheme == "https", URL(string: feed.url)?.host != nil else {
                notes.append("line \(feed.line): skipped '\(Printable.escaped(feed.title))': \(Printable.escaped(feed.url)) is not an http:// or https:// address")
                continue
            }
            if let earlier = urls[feed.url] {
                notes.append("line \(feed.line): skipped '\(Printable.escaped(feed.title))': the same feed as '\(earlier)'")
                continue
            }
            let base = Self.slug(feed.title).nonEmpty ?? Self.slug(URL(string: feed.url)?.host ?? "").nonEmpty ?? "feed"
            var name = base
            var number = 2
            while names.contains(name) {
                name = "\(base)-\(number)"
                number += 1
            }
            names.insert(name)
            urls[feed.url] = name
            sources.append(Entry(name: name, url: feed.url, title: feed.title, folders: feed.folders))
        }
    }

    /// A name the config accepts: ASCII letters and digits, other runs become one '-'.
    static func slug(_ title: String) -> String {
        var out = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(60)).trimmingTrailingDashes
    }

    func yaml(from file: String, every: String) -> String {
        var lines = [
            "# Sources imported from \(Self.comment(file)) by `pharos sources import` (\(sources.count) feed\(sources.count == 1 ? "" : "s")).",
            "# Include them from pharos.yaml with an entry `- include: <this file>` under sources:.",
        ]
        for source in sources {
            if !source.title.isEmpty || !source.folders.isEmpty {
                lines.append("# " + Self.comment((source.folders + [source.title]).filter { !$0.isEmpty }.joined(separator: " / ")))
            }
            lines.append("- name: \(source.name)")
            lines.append("  type: rss")
            lines.append("  url: \(Self.quoted(source.url))")
            lines.append("  every: \(every)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Text safe on one comment line.
    static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
    fileprivate var trimmingTrailingDashes: String {
        var text = self
        while text.hasSuffix("-") { text.removeLast() }
        return text
    }
}
