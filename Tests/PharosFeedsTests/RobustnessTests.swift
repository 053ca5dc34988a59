import Foundation
import PharosCore
import PharosFeeds
import TestSupport
import Testing

/// Damaged copies of real feeds (cut short, bytes overwritten, bytes dropped) must parse without
/// a crash or a hang. The mutations come from a fixed seed, so a failure can be replayed.
@Suite(.enabled(if: Corpus.available, "needs ../shared/corpora"))
struct RobustnessTests {
    static let files = [
        "realworld/netnewswire/medscape.rss", "realworld/netnewswire/kc0011.rss", "realworld/netnewswire/bio.rdf",
        "realworld/netnewswire/donthitsave.xml", "realworld/netnewswire/expertopinionent.atom",
        "realworld/netnewswire/3960.json", "rss_parser/input/uolNoticias.rss", "rss_parser/input/reddit-home.rss",
    ]

    @Test func damagedFeedsNeverCrash() throws {
        var random = SeededGenerator(state: 20_261_123)
        var parsed = 0
        let interesting: [UInt8] = Array("<>&;\"'/![]-?=#x\u{0}".utf8) + [0xC3, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF]
        for path in Self.files {
            let original = try #require(Corpus.data(path))
            for round in 0..<24 {
                var bytes = [UInt8](original)
                switch round % 3 {
                case 0:
                    bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                case 1:
                    for _ in 0..<Int.random(in: 1...40, using: &random) where !bytes.isEmpty {
                        bytes[Int.random(in: 0..<bytes.count, using: &random)] = interesting.randomElement(using: &random)!
                    }
                default:
                    for _ in 0..<Int.random(in: 1...40, using: &random) where !bytes.isEmpty {
                        let start = Int.random(in: 0..<bytes.count, using: &random)
                        bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...64, using: &random)))
                    }
                }
                let feed = FeedParser.parse(Data(bytes), url: URL(string: "https://example.org/feed"))
                #expect(feed.items.allSatisfy { !$0.id.isEmpty })
                parsed += 1
            }
        }
        print("robustness: \(parsed) damaged documents parsed without a crash")
    }
}

/// libxml2 is shared process-wide: parses running at once on several threads must not disturb
/// each other (per-parse state lives in each parser context).
@Suite(.enabled(if: Corpus.available, "needs ../shared/corpora"))
struct ConcurrencyTests {
    @Test func concurrentParsesGiveTheSameResults() async throws {
        let names = ["medscape.rss", "kc0011.rss", "bio.rdf", "expertopinionent.atom", "donthitsave.xml", "3960.json"]
        let documents = try names.map { try #require(Corpus.data("realworld/netnewswire/" + $0)) }
        let expected = documents.map { FeedParser.parse($0, url: nil) }
        let results = await withTaskGroup(of: (Int, ParsedFeed).self) { group in
            for round in 0..<24 {
                let index = round % documents.count
                let document = documents[index]
                group.addTask { (index, FeedParser.parse(document, url: nil)) }
            }
            var collected: [(Int, ParsedFeed)] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 24)
        for (index, feed) in results { #expect(feed == expected[index], "\(names[index])") }
    }
}
