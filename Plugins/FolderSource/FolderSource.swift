import Foundation
import Logging
import PharosCore
import PharosText

/// Watches a directory tree for press releases saved as `.txt`, `.md`, `.html` or `.json`.
///
/// An item's id is its path relative to the folder; its version is the file's size,
/// modification time and content hash, so an unchanged file is never read twice and an
/// edited one is matched again.
public struct FolderSource: Source {
    public static let typeName = "folder"
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
        let extensionList = options.stringList("extensions") ?? Array(Document.defaultExtensions).sorted()
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

    func read(_ file: Candidate) -> Result<Item, Document.SkipReason> {
        if file.size > maxFileSize { return .failure(.tooLarge(file.size)) }
        let data: Data
        do {
            data = try Data(contentsOf: file.url)
        } catch {
            return .failure(.unreadable((error as NSError).localizedFailureReason ?? "\(error.localizedDescription)"))
        }
        if data.count > maxFileSize { return .failure(.tooLarge(Int64(data.count))) }
        return Document.item(
            data, format: file.url.pathExtension, id: file.id, fallbackTitle: file.url.deletingPathExtension().lastPathComponent,
            versionPrefix: file.statPrefix, modified: file.modified, path: file.url.path)
    }

    private func warnOnce(_ reason: Document.SkipReason, file: Candidate, logger context: PluginContext) {
        let key = file.statPrefix + file.id
        let isNew = warned.withLock { $0.insert(key).inserted }
        guard isNew else { return }
        context.logger.warning("skipping file: \(file.id) \(reason.description)", metadata: ["file": "\(file.url.path)"])
    }
}
