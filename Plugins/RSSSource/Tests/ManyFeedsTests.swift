import Foundation
import Logging
import PharosCore
import PharosTestKit
import PharosHTTP
import RSSSource
import TestSupport
import Testing

@Suite(.runningCurl(maxConcurrent: 8)) struct ManyFeeds {
    @Test func aHundredFeedsPolledAtOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-many-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for n in 0..<100 {
            try Data(rssFeed((0..<20).map { ("f\(n)-\($0)", "Company \(n) update \($0)") }).utf8)
                .write(to: folder.appendingPathComponent("feed\(n).xml"))
        }
        let peer = try PythonPeer("feed_peer.py", arguments: [folder.path])
        let context = PluginContext(logger: Logger(label: "test"), http: CurlHTTPTransport(engine: engine))
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<100 {
                let source = try RSSSource(configuration: PluginConfiguration(name: "feed\(n)", options: rssOptions(
                    [("url", "\(peer.base)/feed\(n).xml"), ("host_spacing", "0s")])))
                group.addTask { try await source.poll(context: context, state: NothingSeen()).items.count }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts.count == 100 && counts.allSatisfy { $0 == 20 })
    }
}
