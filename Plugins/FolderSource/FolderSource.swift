import Foundation
import PharosCore
import Logging

/// Watches a directory tree for press releases saved as `.txt`, `.md`, `.html` or `.json`.
///
/// An item's id is its path relative to the folder; its version is the file's size,
/// modification time and content hash, so an unchanged file is never read twice and an
/// edited one is matched again.
public struct FolderSource: Source {
    public static let typeName = "folder"
    /// The file types read when `extensions` is not given.
    public static let defaultExtensions: Set<String> = ["txt", "md", "markdown", "html", "htm", "json"]

    /// The folder being watched.
    public let directory: URL
    /// Lower-case file extensions read, without the dot.
    public let extensions: Set<String>
    /// Files larger than this are skipped with a warning.
    public let maxFileSize: Int64
    /// Whether sub-folders are read too.
    public let recursive: Bool

    /// Problems already reported, so each file is warned about once per version.
    private let warned = Shared<Set<String>>([])
    /// Size-and-time signatures the engine's state confirmed as seen, by item id.
    private let confirmed = Shared<[String: String]>([:])

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        directory = options.requiredPath("path")
        let extensionList = options.stringList("extensions") ?? Array(Self.defaultExtensions).sorted()
        extensions = Set(extensionList.map { $0.lowercased().trimmingPrefix(".").description })
        if extensions.isEmpty { options.problem("must list at least one extension", key: "extensions") }
        maxFileSize = options.byteSize("max_file_size", default: 10_000_000)
        recursive = options.bool("recursive", default: true)
        try options.validate()
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        try await ItemChunks.collect { try await poll(context: context, state: state, into: &$0) }
    }

    /// Reads the new and changed files one by one, handing each to `output`, which commits a
    /// chunk whenever one fills: a poll holds one chunk of files, not the whole folder, and a
    /// poll cut short resumes after the files already committed.
    public func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PollError.permanent("\(directory.path) does not exist or is not a directory")
        }
        // Files the state already confirmed in this exact size and time need no look-up at
        // all: a large, quiet folder costs one stat per file per poll.
        let alreadyConfirmed = confirmed.value
        let candidates = listFiles().filter { alreadyConfirmed[$0.id] != $0.statPrefix }
        let known = try await state.versions(of: candidates.map(\.id))
        for file in candidates {
            try Task.checkCancellation()
            if let version = known[file.id], version.hasPrefix(file.statPrefix) {
                confirmed.withLock { $0[file.id] = file.statPrefix }
                continue
            }
            if warned.withLock({ $0.contains(file.statPrefix + file.id) }) { continue }
            switch read(file) {
            case .success(let item): try await output.add(item)
            case .failure(let problem): warnOnce(problem, file: file, logger: context)
            }
        }
        return nil
    }

    struct Candidate {
        var id: String
        var url: URL
        var size: Int64
        var modified: Date
        var statPrefix: String { "\(size)-\(Int64(modified.timeIntervalSince1970 * 1_000_000))-" }
    }

    /// Every eligible file, sorted by path so polls are deterministic.
    func listFiles() -> [Candidate] {
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]
        var options: FileManager.DirectoryEnumerationOptions = [.skipsHiddenFiles]
        if !recursive { options.insert(.skipsSubdirectoryDescendants) }
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: keys, options: options, errorHandler: { _, _ in true }
        ) else { return [] }
        let root = directory.standardizedFileURL.path
        var files: [Candidate] = []
        for case let url as URL in enumerator {
            guard extensions.contains(url.pathExtension.lowercased()),
                  let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
            files.append(Candidate(
                id: relative, url: url, size: Int64(values.fileSize ?? 0),
                modified: values.contentModificationDate ?? .distantPast))
        }
        return files.sorted { $0.id < $1.id }
    }

    /// Why a file was not turned into an item.
    public enum SkipReason: Error, Equatable, CustomStringConvertible {
        case unreadable(String), binary, empty, tooLarge(Int64), malformedJSON(String)

        public var description: String { message }

        var message: String {
            switch self {
            case .unreadable(let reason): "cannot be read (\(reason))"
            case .binary: "is not text (binary content)"
            case .empty: "is empty"
            case .tooLarge(let size): "is \(size) bytes, over the max_file_size limit"
            case .malformedJSON(let reason): "is not a valid JSON document (\(reason))"
            }
        }
    }

    func read(_ file: Candidate) -> Result<Item, SkipReason> {
        if file.size > maxFileSize { return .failure(.tooLarge(file.size)) }
        let data: Data
        do {
            data = try Data(contentsOf: file.url)
        } catch {
            return .failure(.unreadable((error as NSError).localizedFailureReason ?? "\(error.localizedDescription)"))
        }
        if data.count > maxFileSize { return .failure(.tooLarge(Int64(data.count))) }
        return Self.document(
            data, format: file.url.pathExtension, id: file.id, fallbackTitle: file.url.deletingPathExtension().lastPathComponent,
            versionPrefix: file.statPrefix, modified: file.modified, path: file.url.path)
    }

    /// Turns the bytes of one document into an item, as the folder source does for a file:
    /// `format` is a file extension (`md`, `txt`, `html`, `json`); anything else is read as text.
    /// `versionPrefix` nil leaves the version to the engine (and skips hashing the text).
    public static func document(
        _ data: Data, format: String, id: String, fallbackTitle: String, versionPrefix: String? = nil,
        modified: Date? = nil, path: String? = nil
    ) -> Result<Item, SkipReason> {
        guard let text = DocumentText.decode(data) else { return .failure(.binary) }
        if text.allSatisfy(\.isWhitespace) { return .failure(.empty) }
        let version = versionPrefix.map { $0 + SHA256.hex(text).prefix(24) }
        let parsed: ParsedDocument
        switch format.lowercased() {
        case "html", "htm": parsed = ParsedDocument(html: text)
        case "json":
            do { parsed = try ParsedDocument(json: data) } catch { return .failure(.malformedJSON(error.description)) }
        case "md", "markdown": parsed = ParsedDocument(markdown: text)
        default: parsed = ParsedDocument(text: text)
        }
        return .success(Item(
            id: id, version: version, title: parsed.title ?? fallbackTitle,
            link: parsed.link, published: parsed.published ?? modified, updated: parsed.updated,
            summary: parsed.summary, content: parsed.content, authors: parsed.authors,
            categories: parsed.categories, fields: parsed.fields.merging(path.map { ["path": $0] } ?? [:]) { first, _ in first }))
    }

    /// `document(_:format:id:fallbackTitle:)` for bytes in a buffer the caller reuses: a plain
    /// text file, the usual case, becomes an item without first becoming one string; any
    /// other goes the general way.
    public static func document(bytes: UnsafeRawBufferPointer, format: String, id: String, fallbackTitle: String) -> Result<Item, SkipReason> {
        switch format.lowercased() {
        case "html", "htm", "json", "md", "markdown": break
        default:
            if let (title, content) = DocumentText.plainText(bytes.assumingMemoryBound(to: UInt8.self)) {
                return .success(Item(
                    id: id, version: nil, title: title, link: nil, published: nil, updated: nil, summary: nil,
                    content: content, authors: [], categories: [], fields: [:]))
            }
        }
        return document(Data(bytes), format: format, id: id, fallbackTitle: fallbackTitle)
    }

    private func warnOnce(_ reason: SkipReason, file: Candidate, logger context: PluginContext) {
        let key = file.statPrefix + file.id
        let isNew = warned.withLock { $0.insert(key).inserted }
        guard isNew else { return }
        context.logger.warning("skipping file: \(file.id) \(reason.message)", metadata: ["file": "\(file.url.path)"])
    }
}
