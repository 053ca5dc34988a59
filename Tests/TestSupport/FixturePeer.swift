import Foundation

/// Tests/peers/fixture_peer.py over a folder of its own: it answers with recorded provider
/// responses, by the routes last given to ``serve(_:)`` (none at first).
public final class FixturePeer: Sendable {
    public let folder: URL
    public let peer: PythonPeer

    /// - Parameter name: a word for the folder's name (the provider).
    public init(_ name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("[]".utf8).write(to: folder.appendingPathComponent("routes.json"))
        peer = try PythonPeer("fixture_peer.py", arguments: [folder.path])
    }

    /// Replaces the routes (as fixture_peer.py reads them: path, query, status, headers, file, require).
    public func serve(_ routes: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: routes).write(to: folder.appendingPathComponent("routes.json"))
    }
}
