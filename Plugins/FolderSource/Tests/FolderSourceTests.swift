import Foundation
import FolderSource
import Logging
import PharosCore
import PharosEngine
import PharosTestKit
import TestSupport
import Testing

struct Folder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    func source(_ extra: String = "") throws -> FolderSource {
        try FolderSource(configuration: PluginConfiguration(name: "inbox", options: options("path: \(url.path)\n\(extra)")))
    }
}

/// Options from a `key: value` block, one per line.
func options(_ text: String) -> OptionReader {
    let pairs = text.split(separator: "\n").compactMap { line -> (String, String)? in
        let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
    return optionReader(pairs, what: "folder source 'inbox'")
}

@Suite struct FolderSourceReading {
    let logs = LogCapture()
    var context: PluginContext { logs.context() }

    @Test func frontMatterIsHonoured() async throws {
        let folder = try Folder()
        try folder.write("a.md", """
            ---
            title: "FDA grants RMAT designation"
            date: 2025-02-10T13:30:00Z
            link: https://example.com/a
            summary: 'It''s big'
            categories: [regulatory, cell-therapy]
            authors:
              - Jane Doe
              - John Roe
            ---
            # Heading that is not the title

            Body text.
            """)
        let items = try await folder.source().poll(context: context, state: NothingSeen()).items
        let item = try #require(items.first)
        #expect(item.title == "FDA grants RMAT designation")
        #expect(item.link == "https://example.com/a")
        #expect(item.published == ISO8601.date(from: "2025-02-10T13:30:00Z"))
        #expect(item.summary == "It's big")
        #expect(item.categories == ["regulatory", "cell-therapy"])
        #expect(item.authors == ["Jane Doe", "John Roe"])
        #expect(item.content == "Heading that is not the title\n\nBody text.")
    }

    @Test func titleFallsBackToFirstHeadingOrLine() async throws {
        let folder = try Folder()
        try folder.write("a.md", "\n\n## Acme receives Fast Track\n\nText.")
        try folder.write("b.txt", "\r\nHalcyon announces results\r\nMore text.\r\n")
        let items = try await folder.source().poll(context: context, state: NothingSeen()).items
        #expect(items.map(\.title) == ["Acme receives Fast Track", "Halcyon announces results"])
        #expect(items[0].content == "Text.", "the headline is not repeated in the content")
        #expect(items[1].content == "More text.")
    }

    @Test func htmlIsReducedToText() async throws {
        let folder = try Folder()
        try folder.write("p.html", """
            <html><head><title>Site | News</title><link rel="canonical" href="https://example.com/p">
            <meta name="description" content="FDA &amp; EMA"><meta property="article:published_time" content="2025-02-11T09:00:00Z">
            <script>var x = "BCMA";</script></head>
            <body><h1>Acme &amp; Co. gets RMAT</h1><p>First.</p><p>Second &#8212; more.</p></body></html>
            """)
        let item = try #require(try await folder.source().poll(context: context, state: NothingSeen()).items.first)
        #expect(item.title == "Acme & Co. gets RMAT")
        #expect(item.link == "https://example.com/p")
        #expect(item.summary == "FDA & EMA")
        #expect(item.published == ISO8601.date(from: "2025-02-11T09:00:00Z"))
        #expect(item.content == "Acme & Co. gets RMAT\n\nFirst.\n\nSecond — more.")
    }

    @Test func jsonDocuments() async throws {
        let folder = try Folder()
        try folder.write("j.json", #"{"title": "T", "url": "https://x/j", "date_published": "2025-02-17T12:00:00Z", "content_html": "<p>A</p><p>B</p>", "tags": ["x"]}"#)
        let item = try #require(try await folder.source().poll(context: context, state: NothingSeen()).items.first)
        #expect(item.title == "T")
        #expect(item.link == "https://x/j")
        #expect(item.content == "A\n\nB")
        #expect(item.categories == ["x"])
    }

    @Test func idIsStableAndVersionFollowsContent() async throws {
        let folder = try Folder()
        try folder.write("sub/a.txt", "Headline\nBody one.")
        let source = try folder.source()
        let first = try #require(try await source.poll(context: context, state: NothingSeen()).items.first)
        let again = try #require(try await source.poll(context: context, state: NothingSeen()).items.first)
        #expect(first.id == "sub/a.txt")
        #expect(first == again)
        try await Task.sleep(for: .milliseconds(20))
        try folder.write("sub/a.txt", "Headline\nBody two.")
        let edited = try #require(try await source.poll(context: context, state: NothingSeen()).items.first)
        #expect(edited.id == first.id)
        #expect(edited.version != first.version)
    }

    @Test func seenFilesAreNotReadAgain() async throws {
        let folder = try Folder()
        try folder.write("a.txt", "One")
        try folder.write("b.txt", "Two")
        let harness = try PluginHarness(source: try folder.source())
        #expect(try await harness.poll().items.map(\.id) == ["a.txt", "b.txt"])
        #expect(try await harness.poll().returned == 0)
        try folder.write("c.txt", "Three")
        let third = try await harness.poll()
        #expect(third.returned == 1)
        #expect(third.items.map(\.id) == ["c.txt"])
    }

    /// Issue 16, finding 6: a poll held every file it read until it returned. Each chunk is
    /// now committed before the next file is read.
    @Test func chunksAreCommittedBeforeLaterFilesAreRead() async throws {
        let folder = try Folder()
        for index in 1...6 { try folder.write("\(index).txt", "Release \(index)\nAs written first.") }
        let source = try folder.source()
        let committed = Shared<[[Item]]>([])
        var output = ItemChunks(maxItems: 2, maxBytes: .max) { chunk in
            committed.withLock { $0.append(chunk) }
            // Files read after this commit show the edit; files read before it cannot.
            if committed.value.count == 1 {
                for index in 1...6 { try folder.write("\(index).txt", "Release \(index)\nEdited after chunk one.") }
            }
        }
        _ = try await source.poll(context: context, state: NothingSeen(), into: &output)
        let last = output.takeRemaining()
        #expect(committed.value.map { $0.map(\.id) } == [["1.txt", "2.txt"], ["3.txt", "4.txt"], ["5.txt", "6.txt"]])
        #expect(last.isEmpty)
        let contents = committed.value.flatMap { $0 }.map { $0.content ?? "" }
        #expect(contents == ["As written first.", "As written first."] + Array(repeating: "Edited after chunk one.", count: 4))
    }

    @Test func chunksAreBoundedByBytesAndAPollCutShortResumesAfterTheCommittedOnes() async throws {
        let folder = try Folder()
        for index in 1...9 { try folder.write("\(index).txt", "Release \(index)\n" + String(repeating: "x", count: 1000)) }
        let source = try folder.source()
        let harness = try PluginHarness(source: source, commitBytes: 2500)
        var sizes: [Int] = []
        var output = ItemChunks(maxItems: 100, maxBytes: 2500) { chunk in
            // The third chunk fails to commit, as a crash would stop it.
            if sizes.count == 2 { throw CancellationError() }
            sizes.append(chunk.count)
            try await harness.store.record([PollRecord(source: "test", items: chunk)], now: Date())
        }
        await #expect(throws: CancellationError.self) { try await source.poll(context: context, state: try await harness.state(), into: &output) }
        #expect(sizes == [3, 3])
        let resumed = try await harness.poll()
        #expect(resumed.items.map(\.id) == ["7.txt", "8.txt", "9.txt"], "the committed chunks are not read again")
        #expect(resumed.chunks.map(\.count) == [3], "a chunk is committed when it reaches commitBytes")
    }

    @Test func badFilesAreSkippedWithOneWarningEach() async throws {
        let folder = try Folder()
        try folder.write("good.txt", "Fine")
        try folder.write("empty.md", "  \n ")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]).write(to: folder.url.appendingPathComponent("binary.txt"))
        try folder.write("big.txt", String(repeating: "x", count: 2000))
        try folder.write("broken.json", "{not json")
        try folder.write("ignored.pdf", "not a listed extension")
        try folder.write(".hidden.txt", "hidden")
        try folder.write("locked.txt", "secret")
        chmod(folder.url.appendingPathComponent("locked.txt").path, 0)
        let source = try folder.source("max_file_size: 1KB")
        let canReadLocked = FileManager.default.isReadableFile(atPath: folder.url.appendingPathComponent("locked.txt").path)
        let items = try await source.poll(context: context, state: NothingSeen()).items
        #expect(items.map(\.id) == (canReadLocked ? ["good.txt", "locked.txt"] : ["good.txt"]))
        _ = try await source.poll(context: context, state: NothingSeen()).items
        let warnings = logs.lines.filter { $0.hasPrefix("warning") }
        #expect(warnings.contains { $0.contains("empty.md is empty") })
        #expect(warnings.contains { $0.contains("binary.txt is not text") })
        #expect(warnings.contains { $0.contains("big.txt is 2000 bytes, over the max_file_size limit") })
        #expect(warnings.contains { $0.contains("broken.json is not a valid JSON document") })
        if !canReadLocked { #expect(warnings.contains { $0.contains("locked.txt cannot be read") }) }
        #expect(warnings.count == (canReadLocked ? 4 : 5), "each bad file is reported once, not on every poll")
    }

    @Test func missingFolderFailsThePoll() async throws {
        let source = try FolderSource(configuration: PluginConfiguration(name: "x", options: options("path: /nonexistent/pharos-inbox")))
        await #expect(throws: PollError.self) { try await source.poll(context: context, state: NothingSeen()).items }
    }

    @Test func badOptionsAreReported() {
        let error = #expect(throws: ConfigErrors.self) {
            try FolderSource(configuration: PluginConfiguration(name: "x", options: options("recursive: sometimes\nmax_file_sise: 1MB")))
        }
        #expect(error?.diagnostics.map(\.message).sorted() == [
            "'recursive' must be true or false, found 'sometimes'",
            "folder source 'inbox' is missing required key 'path'",
            "unknown key 'max_file_sise' in folder source 'inbox'; did you mean 'max_file_size'?",
        ])
    }
}
