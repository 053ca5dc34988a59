import Foundation
import PharosCore
@testable import PharosFeeds
import TestSupport
import Testing

/// `FeedParser.parse(bytes:url:threads: 2, ...)` (libxml2 on a second thread, the items
/// assembled on the caller's) must give exactly what the one-thread parse gives, item for item
/// and in the same order; and the lexical repairs, made piece by piece just ahead of the parser,
/// must not depend on where the pieces end.
@Suite struct TwoThreadFeedTests {
    private static func parse(_ bytes: [UInt8], url: URL?, threads: Int) -> ParsedFeed {
        var items: [Item] = []
        var feed = FeedParser.parse(bytes: bytes, url: url, threads: threads) { items.append($0) }
        feed.items = items
        return feed
    }

    @Test func everyCorpusFileGivesTheSameFeedOnTwoThreads() throws {
        guard let root = Corpus.root else { return }
        var files: [URL] = []
        for folder in ["gofeed/files", "rss_parser/input", "realworld"] {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = enumerator?.nextObject() as? URL {
                if !file.hasDirectoryPath { files.append(file) }
            }
        }
        #expect(files.count > 500)
        var withItems = 0
        for file in files {
            guard let data = try? Data(contentsOf: file) else { continue }
            let url = URL(string: "https://feeds.example.org/" + file.lastPathComponent)
            let one = Self.parse([UInt8](data), url: url, threads: 1)
            let two = Self.parse([UInt8](data), url: url, threads: 2)
            #expect(one == two, "\(file.path)")
            if !one.items.isEmpty { withItems += 1 }
        }
        #expect(withItems > 300)
    }

    @Test func atomEntriesInheritTheFeedsAuthorsOnTwoThreads() {
        var entries = ""
        for index in 0..<300 {
            let author = index % 3 == 0 ? "<author><name>Own \(index)</name></author>" : ""
            entries += "<entry><id>urn:e:\(index)</id><title>Entry \(index)</title>\(author)<updated>2026-11-23T10:00:00Z</updated></entry>\n"
        }
        // The feed's author comes after the entries: those without one wait for it.
        let document = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\(entries)<author><name>Feed Author</name></author></feed>"
        let one = Self.parse(Array(document.utf8), url: nil, threads: 1)
        let two = Self.parse(Array(document.utf8), url: nil, threads: 2)
        #expect(one == two)
        #expect(two.items.count == 300)
        #expect(two.items.map(\.id) == (0..<300).map { "urn:e:\($0)" })
        #expect(two.items[0].authors == ["Own 0"])
        #expect(two.items[1].authors == ["Feed Author"])
    }

    @Test func repairsAcrossManyPiecesOnBothPaths() {
        // Bare `&` and `<` in text and attributes all through a document of many 16 KB pieces,
        // next to CDATA sections and comments that hold them legitimately.
        var items = ""
        for index in 0..<2_000 {
            items += """
                <item><title>R&D <3 number \(index)</title><link>https://x.example/a?b=1&c=\(index)</link>\
                <guid isPermaLink="false">g-\(index)</guid><category domain="a&b">c&d</category>\
                <description><![CDATA[<p>AT&T & more</p>]]><!-- & < --></description></item>

                """
        }
        let document = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\(items)</channel></rss>"
        for threads in [1, 2] {
            let feed = Self.parse(Array(document.utf8), url: nil, threads: threads)
            #expect(feed.items.count == 2_000)
            #expect(!feed.wellFormed)
            #expect(feed.warnings.contains("8000 bare '&' escaped (not well-formed XML)"), "\(feed.warnings)")
            #expect(feed.warnings.contains("2000 bare '<' escaped (not well-formed XML)"), "\(feed.warnings)")
            #expect(feed.items.enumerated().allSatisfy { index, item in
                item.title == "R&D <3 number \(index)" && item.link == "https://x.example/a?b=1&c=\(index)"
                    && item.id == "g-\(index)" && item.summary == "AT&T & more" && item.categories == ["c&d", "a&b:c&d"]
            })
        }
    }

    @Test func aFileReadInPlaceGivesWhatItsBytesGive() throws {
        var items = ""
        for index in 0..<3_000 {
            items += "<item><title>T\(index) &amp; more</title><guid>g\(index)</guid><description>&lt;p&gt;caf\u{E9} \(index)&lt;/p&gt;</description></item>\n"
        }
        let rss = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>T</title>\(items)</channel></rss>"
        let documents: [(String, [UInt8])] = [
            ("large.xml", Array(rss.utf8)),
            // Converted (not read in place): a byte-order mark, Latin-1, bytes that are not UTF-8.
            ("bom.xml", [0xEF, 0xBB, 0xBF] + Array(rss.utf8)),
            ("latin1.xml", Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item><title>caf".utf8) + [0xE9]
                + Array("</title></item></channel></rss>".utf8)),
            ("broken.xml", Array("  <rss><channel><item><title>a\u{1}b & c</title></item>".utf8) + [0xFF]),
            ("feed.json", Array(#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","content_text":"x"}]}"#.utf8)),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-feedfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, bytes) in documents {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try #require(FeedFile(path: path))
            #expect(file.count == bytes.count)
            for threads in [1, 2] {
                var items: [Item] = []
                var feed = FeedParser.parse(file: file, url: nil, threads: threads) { items.append($0) }
                feed.items = items
                #expect(feed == Self.parse(bytes, url: nil, threads: 1), "\(name), \(threads) threads")
                #expect(!feed.items.isEmpty, "\(name)")
            }
        }
        #expect(FeedFile(path: folder.path) == nil)
        #expect(FeedFile(path: folder.appendingPathComponent("absent").path) == nil)
    }

    @Test func aLargeDocumentThatIsNotUTF8AfterAllIsReadAgainRepaired() {
        // Two threads begin parsing a document meant to be UTF-8 before it is checked; a
        // Windows-1252 apostrophe near its end must undo that parse and none of its items.
        var bytes = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>T</title>".utf8)
        for index in 0..<5_000 { bytes += Array("<item><guid>g\(index)</guid><title>Item \(index) caf\u{E9}</title></item>".utf8) }
        bytes += Array("<item><guid>last</guid><title>It".utf8) + [0x92] + Array("s over</title></item></channel></rss>".utf8)
        let one = Self.parse(bytes, url: nil, threads: 1)
        let two = Self.parse(bytes, url: nil, threads: 2)
        #expect(one == two)
        #expect(two.items.count == 5_001)
        #expect(two.items.last?.title == "It\u{2019}s over")
        #expect(two.items.first?.title == "Item 0 caf\u{E9}")
        #expect(!two.wellFormed)
        #expect(two.warnings.contains("1 byte was not valid UTF-8: read as Windows-1252"), "\(two.warnings)")
    }

    @Test func theHandOffQueueKeepsNothingItHandedOver() {
        final class Token: Sendable {}
        let queue = Handoff<Token>(capacity: 4)
        weak var first: Token?
        do {
            let token = Token()
            first = token
            queue.put(token)
        }
        queue.put(Token())
        #expect(first != nil)
        _ = queue.take()
        // The second token is still queued: the first, handed over and dropped, must be gone.
        #expect(first == nil)
        queue.close()
        #expect(queue.take() != nil)
        #expect(queue.take() == nil)
    }

    @Test func truncatedAndDamagedDocumentsOnTwoThreads() {
        var document = "<rss><channel><title>T</title>"
        for index in 0..<500 { document += "<item><title>Item \(index) \u{1}</title><description>&lt;b&gt;x&lt;/b&gt; &bogus;</description></item>" }
        let bytes = Array(document.utf8)
        for cut in [bytes.count, bytes.count - 7, bytes.count / 2, 100, 1] {
            let prefix = Array(bytes[..<cut])
            let one = Self.parse(prefix, url: nil, threads: 1)
            let two = Self.parse(prefix, url: nil, threads: 2)
            #expect(one == two, "cut at \(cut)")
            #expect(!two.wellFormed)
        }
    }
}
