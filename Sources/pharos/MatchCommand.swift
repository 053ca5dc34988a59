import ArgumentParser
import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import PharosSupport
import PharosText

struct Match: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Run the rules over files, folders or feeds (- for standard input): no state, no delivery.",
        discussion: """
            Like grep, exits 0 when something matched, 1 when nothing did (or a file could not be read), 2 on a usage \
            error, 78 on an invalid config. Inside folders, symbolic links are skipped (and counted) as the daemon's \
            folder source skips them, unless --follow-symlinks; a path named on the command line is always read. A feed \
            (RSS, RDF, Atom or JSON Feed: a file named on the command line, an http(s) URL or standard input, told by its \
            content) is matched item by item, as the daemon's rss source reads it, and each match names its item.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .long, help: "Only this rule (repeat for several).")
    var rule: [String] = []

    @Flag(help: "One JSON object per (document or feed item, rule) match.")
    var json = false

    @Flag(help: "Print only the number of (document or feed item, rule) matches.")
    var count = false

    @Flag(help: "Show each regulatory event behind a match: its status, subject and the cues that decided them.")
    var explain = false

    @Flag(help: "Read files and folders that symbolic links inside the folders point to (skipped by default, as the daemon does).")
    var followSymlinks = false

    @Option(help: "Documents matched in parallel (default: one per core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Argument(help: "Files, folders (read recursively) or feed URLs; - reads standard input.")
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder, or - for standard input") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let config = try options.load()
        let evaluator = try selectRules(config)
        let documents = try listDocuments()
        var fetched: [String: (bytes: [UInt8], url: URL?)] = [:]
        for document in documents where Feed.isURL(document) { fetched[document] = try await Feed.fetch(document) }
        let started = ContinuousClock.now
        var totals = (documents: 0, feedItems: 0, bytes: 0, matches: 0, failures: 0)
        let batchSize = max(16, jobs * 16)
        let buffer = FileBuffer()
        for batchStart in stride(from: 0, to: documents.count, by: batchSize) {
            let batch = Array(documents[batchStart..<min(batchStart + batchSize, documents.count)])
            // One job needs no task per document: matching in place saves a hop to another thread each time.
            let results = jobs == 1 ? batch.map { Self.match($0, fetched: fetched[$0], with: evaluator, buffer: buffer) } : await withTaskGroup(of: (Int, DocumentResult).self) { group in
                var next = 0
                var results: [(Int, DocumentResult)] = []
                func add(_ index: Int) {
                    let path = batch[index]
                    let body = fetched[path]
                    group.addTask { (index, Self.match(path, fetched: body, with: evaluator, buffer: FileBuffer())) }
                }
                while next < min(jobs, batch.count) {
                    add(next)
                    next += 1
                }
                for await result in group {
                    results.append(result)
                    if next < batch.count {
                        add(next)
                        next += 1
                    }
                }
                return results.sorted { $0.0 < $1.0 }.map(\.1)
            }
            for result in results {
                switch result.outcome {
                case .failure(let problem):
                    totals.failures += 1
                    printError("pharos: \(Printable.escaped(result.path)): \(problem)")
                case .success(let read):
                    totals.documents += 1
                    totals.bytes += result.bytes
                    for item in read {
                        if item.item != nil { totals.feedItems += 1 }
                        totals.matches += item.matches.count
                        if !count { report(result.path, item, vocabulary: config.vocabulary) }
                    }
                }
            }
        }
        if count { print(totals.matches) }
        let seconds = (ContinuousClock.now - started).seconds
        let megabytes = Double(totals.bytes) / 1_000_000
        let items = totals.feedItems > 0 ? " (\(totals.feedItems) feed items)" : ""
        printError(String(format: "pharos match: %d documents%@, %.1f MB, %d matches in %.2f s (%.1f MB/s)",
                          totals.documents, items, megabytes, totals.matches, seconds, seconds > 0 ? megabytes / seconds : 0))
        if totals.failures > 0 || totals.matches == 0 { throw ExitWith(code: .failure) }
    }

    /// "axicabtagene ciloleucel (Yescarta)" for a product id.
    private func productName(_ id: String, _ vocabulary: Vocabulary) -> String {
        guard let product = vocabulary.entry(.product, id: id) else { return id }
        return product.name.map { $0 == product.label ? $0 : "\($0) (\(product.label))" } ?? product.label
    }

    private func selectRules(_ config: PharosConfig) throws -> any RuleEvaluator {
        try Self.selectRules(rule, from: config)
    }

    /// The config's rules named in `rule` (all of them when it is empty), compiled; an
    /// unknown name is a usage error, with a suggestion.
    static func selectRules(_ rule: [String], from config: PharosConfig) throws -> any RuleEvaluator {
        guard !rule.isEmpty else { return config.evaluator }
        let known = config.rules.map(\.name)
        for name in rule where !known.contains(name) {
            var message = "pharos: no rule named '\(name)'"
            if let suggestion = closestMatch(to: name, among: known) { message += "; did you mean '\(suggestion)'?" }
            printError(message)
            throw ExitWith(code: .usage)
        }
        return try CompiledRules(rules: config.rules.filter { rule.contains($0.name) }, vocabulary: config.vocabulary)
    }

    /// Files named, and the documents inside folders named, in a stable order.
    private func listDocuments() throws -> [String] {
        var documents: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if path == "-" || Feed.isURL(path) {
                documents.append(path)
            } else if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    documents.append(path)
                    continue
                }
                var found = FoundDocuments()
                collectDocuments(in: path, into: &found)
                documents += found.paths.sorted()
                if !found.skippedLinks.isEmpty {
                    let count = found.skippedLinks.count
                    let first = found.skippedLinks.sorted().prefix(3).map { Printable.escaped($0) }.joined(separator: ", ")
                    printError("pharos match: skipped \(count) symbolic link\(count == 1 ? "" : "s") in \(Printable.escaped(path)) "
                        + "(\(first)\(count > 3 ? ", …" : "")), as the daemon does; --follow-symlinks reads them")
                }
            } else {
                printError("pharos: \(Printable.escaped(path)) does not exist")
                throw ExitWith(code: .failure)
            }
        }
        return documents
    }

    /// What a walk of folders found: documents, and the symbolic links it did not follow.
    struct FoundDocuments {
        var paths: [String] = []
        var skippedLinks: [String] = []
        /// Folders entered, by device and inode, so links in a loop are followed once.
        var visited: Set<[UInt64]> = []
    }

    /// Every document under `folder`, recursively: names with a document extension that do not
    /// start with a dot. Symbolic links are skipped (and noted) unless `--follow-symlinks`. Reads
    /// directories with `readdir`, which tells folders from files without a `stat` per entry;
    /// Foundation's enumerator costs more than matching a small corpus.
    private func collectDocuments(in folder: String, into found: inout FoundDocuments) {
        var folderStatus = stat()
        guard stat(folder, &folderStatus) == 0, found.visited.insert([UInt64(folderStatus.st_dev), UInt64(folderStatus.st_ino)]).inserted,
              let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            let path = prefix + name
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            var isLink = entry.pointee.d_type == UInt8(DT_LNK)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var status = stat()
                isFolder = lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
                isLink = status.st_mode & S_IFMT == S_IFLNK
            }
            if isLink {
                guard followSymlinks else {
                    found.skippedLinks.append(path)
                    continue
                }
                var target = stat()
                isFolder = stat(path, &target) == 0 && target.st_mode & S_IFMT == S_IFDIR
            }
            if isFolder {
                collectDocuments(in: path, into: &found)
            } else if !name.hasPrefix("."), let dot = name.lastIndex(of: "."),
                      Document.defaultExtensions.contains(name[name.index(after: dot)...].lowercased()) {
                found.paths.append(path)
            }
        }
    }

    struct DocumentResult: Sendable {
        var path: String
        var bytes: Int
        /// One entry for a document, one per item for a feed.
        var outcome: Result<[MatchedItem], Document.SkipReason>
    }

    /// A document's matches: `fetched` is the body of a URL, else `path` is read (`-`: standard input).
    private static func match(_ path: String, fetched: (bytes: [UInt8], url: URL?)?, with evaluator: any RuleEvaluator, buffer: FileBuffer) -> DocumentResult {
        func whole(_ parsed: Result<Item, Document.SkipReason>) -> Result<[MatchedItem], Document.SkipReason> {
            parsed.map { [MatchedItem(item: nil, matches: evaluator.evaluate(MatchDocument(item: $0)))] }
        }
        if let fetched {
            return fetched.bytes.withUnsafeBytes { bytes in
                if let items = matchFeed(bytes, url: fetched.url, with: evaluator) {
                    return DocumentResult(path: path, bytes: bytes.count, outcome: .success(items))
                }
                let format = bytes.first == UInt8(ascii: "<") ? "html" : "txt"
                return DocumentResult(path: path, bytes: bytes.count, outcome: whole(Document.item(bytes: bytes, format: format, id: path, fallbackTitle: path)))
            }
        }
        if path != "-", let bytes = buffer.read(path) {
            let (name, pathExtension) = Self.nameAndExtension(path)
            if !documentOnlyExtensions.contains(pathExtension.lowercased()),
               let items = matchFeed(bytes, url: URL(fileURLWithPath: path), with: evaluator) {
                return DocumentResult(path: path, bytes: bytes.count, outcome: .success(items))
            }
            let parsed = Document.item(bytes: bytes, format: pathExtension, id: path, fallbackTitle: name)
            return DocumentResult(path: path, bytes: bytes.count, outcome: whole(parsed))
        }
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                return DocumentResult(path: path, bytes: 0, outcome: .failure(.unreadable((error as NSError).localizedDescription)))
            }
        }
        let (name, pathExtension) = Self.nameAndExtension(path)
        if path == "-" || !documentOnlyExtensions.contains(pathExtension.lowercased()),
           let items = data.withUnsafeBytes({ matchFeed($0, url: path == "-" ? nil : URL(fileURLWithPath: path), with: evaluator) }) {
            return DocumentResult(path: path, bytes: data.count, outcome: .success(items))
        }
        let format = path == "-" ? (data.first == UInt8(ascii: "<") ? "html" : "txt") : pathExtension
        return DocumentResult(path: path, bytes: data.count, outcome: whole(Document.item(data, format: format, id: path, fallbackTitle: name)))
    }

    /// The last component of `path` and its extension, as `NSString` tells them, read on the
    /// bytes for the usual `folder/name.ext` (bridging to `NSString` costs more per document).
    static func nameAndExtension(_ path: String) -> (name: String, extension: String) {
        var path = path
        let found = path.withUTF8 { bytes -> (name: Range<Int>, extension: Range<Int>)? in
            guard let last = bytes.last, last != UInt8(ascii: "/") else { return nil }
            var nameStart = 0
            var dot = -1
            for index in 0..<bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "/"):
                    if index > 0, bytes[index - 1] == UInt8(ascii: "/") { return nil }
                    nameStart = index + 1
                    dot = -1
                case UInt8(ascii: "."): dot = index
                default: break
                }
            }
            guard dot > nameStart, dot + 1 < bytes.count else { return nil }
            return (nameStart..<bytes.count, (dot + 1)..<bytes.count)
        }
        guard let found else { return ((path as NSString).lastPathComponent, (path as NSString).pathExtension) }
        let utf8 = path.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        return (String(path[index(found.name.lowerBound)...]), String(path[index(found.extension.lowerBound)...]))
    }

    private func report(_ path: String, _ read: MatchedItem, vocabulary: Vocabulary) {
        for match in read.matches {
            if json {
                var members: [(String, JSONWriter.Value)] = [("document", .string(path))]
                if let item = read.item { members.append(("item", item.jsonValue)) }
                members += [
                    ("rule", .string(match.rule)),
                    ("matches", match.matches.jsonValue), ("evidence", .array(match.evidence.map(\.jsonValue))),
                ]
                if !match.events.isEmpty { members.append(("events", .array(match.events.map(\.jsonValue)))) }
                print(JSONWriter.encode(.object(members)))
                continue
            }
            print("\(Printable.escaped(path))\(read.item.map { " " + $0.shown } ?? ""): \(match.rule)")
            let groups = EntityKind.allCases.map { ($0.plural, $0.rawValue, match.matches[$0]) } + [("keywords", "keyword", match.matches.keywords)]
            for (kind, singular, entities) in groups where !entities.isEmpty {
                let described = entities.map { entity in
                    // "CD19 via product axicabtagene ciloleucel (Yescarta)": the entity, and the product the item named.
                    if let via = match.matches.via(singular, entity.id) {
                        let name = entity.id == entity.label ? entity.label : "\(entity.label) (\(entity.id))"
                        return "\(name) via product \(productName(via, vocabulary))"
                    }
                    return entity.id == entity.label ? "\"\(entity.text)\"" : "\"\(entity.text)\" = \(entity.label) (\(entity.id))"
                }
                print("    \(kind): \(described.joined(separator: ", "))")
            }
            if explain {
                for event in match.events {
                    print("    event: \(event.headline) [\(event.status.rawValue)]")
                    print("        why: \(event.cues.joined(separator: "; "))")
                    print("        \(event.evidence.field) \(event.evidence.start)-\(event.evidence.end): \(event.evidence.text)")
                }
            }
            let written = Set(groups.flatMap(\.2).map(\.text))
            for evidence in match.evidence {
                print("    \(evidence.field) \(evidence.start)-\(evidence.end): \(Self.highlight(evidence.text, written))")
            }
        }
    }

    /// The text with every matched spelling marked: bold on a terminal, «…» otherwise.
    static func highlight(_ text: String, _ spellings: Set<String>) -> String {
        Highlight.pieces(text, spellings: spellings).map { piece in
            guard piece.marked else { return piece.text }
            return colourOutput ? "\u{1B}[1;33m\(piece.text)\u{1B}[0m" : "«\(piece.text)»"
        }.joined()
    }
}

/// One buffer that every file is read into in turn, grown when a file needs more: reading a
/// corpus of small files costs no allocation per file.
final class FileBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int

    init() {
        capacity = 1 << 16
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The bytes of the regular file at `path`, valid until the next read, with one `open`,
    /// `fstat` and `read`s; nil when anything is unusual (the caller then reads the usual way
    /// and reports the problem).
    func read(_ path: String) -> UnsafeRawBufferPointer? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(status.st_size)
        if size > capacity {
            storage.deallocate()
            capacity = max(size, capacity * 2)
            storage = .allocate(byteCount: capacity, alignment: 16)
        }
        var filled = 0
        while filled < size {
            let count = Foundation.read(descriptor, storage + filled, size - filled)
            if count <= 0 { return nil }
            filled += count
        }
        return UnsafeRawBufferPointer(start: storage, count: size)
    }
}
