import Foundation

/// The feed corpora kept outside the repository (`../shared/corpora`, beside it), if present;
/// the suites that need them are skipped without them.
public enum Corpus {
    /// `…/shared/corpora`, found from this file's location (symbolic links resolved).
    public static let root: URL? = {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let repository = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let corpora = repository.deletingLastPathComponent().appendingPathComponent("shared/corpora")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: corpora.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            print("\(corpora.path) is absent; corpus tests skipped")
            return nil
        }
        return corpora
    }()

    public static var available: Bool { root != nil }

    public static func url(_ path: String) -> URL? { root?.appendingPathComponent(path) }

    public static func data(_ path: String) -> Data? { url(path).flatMap { try? Data(contentsOf: $0) } }

    /// The JSON objects of a `.jsonl` file.
    public static func lines(_ path: String) -> [[String: Any]] {
        guard let data = data(path), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
