import Foundation
import Logging
import PharosCore
import PharosHTTP
import PharosTestKit
import RSSSource
import TestSupport
import Testing

func rssOptions(_ pairs: [(String, String)]) -> OptionReader {
    optionReader(pairs, what: "rss source 'feed'")
}

func rssFeed(_ items: [(id: String, title: String)], articleBase: String = "") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Test wire</title><link>https://example.org/</link>
    \(items.map { item in
        "<item><guid>\(item.id)</guid><title>\(item.title)</title><link>\(articleBase)/article/\(item.id)</link>"
            + "<description>Short text about \(item.title).</description><pubDate>Mon, 10 Feb 2025 17:35:00 EST</pubDate>"
            + "<category domain=\"https://www.globenewswire.com/rss/stock\">Nasdaq:IBRX</category></item>"
    }.joined())
    </channel></rss>
    """
}

/// The engine `.runningCurl` runs for the suite.
var engine: CurlEngine { RunningCurl.engine }

@Suite struct RSSOverAScriptedTransport {
    @Test func theStoredValidatorsAreSentAndA304KeepsThem() async throws {
        let http = ScriptedHTTPTransport()
        http.enqueue(headers: [("ETag", "\"e1\""), ("Last-Modified", "Mon, 23 Nov 2026 18:00:00 GMT")], body: rssFeed([("s1", "One")]))
        http.enqueue(status: 304)
        let source = try RSSSource(configuration: PluginConfiguration(name: "feed", options: rssOptions([("url", "https://feeds.example/wire.xml")])))
        let harness = try PluginHarness(source: source, http: http)
        #expect(try await harness.poll().items.map(\.id) == ["s1"])
        let stored = try await harness.checkpoint()
        let second = try await harness.poll()
        #expect(second.returned == 0)
        #expect(second.checkpoint?.text == stored?.text, "a 304 keeps the validators")
        #expect(http.requests.map(\.url) == ["https://feeds.example/wire.xml", "https://feeds.example/wire.xml"])
        #expect(http.requests[0].headers.first { $0.name == "If-None-Match" } == nil)
        #expect(http.requests[1].headers.first { $0.name == "If-None-Match" }?.value == "\"e1\"")
    }
}

@Suite(.serialized, .runningCurl(maxConcurrent: 8)) struct RSSPolling {
    let folder: URL
    let peer: PythonPeer
    let context: PluginContext

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-feeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        peer = try PythonPeer("feed_peer.py", arguments: [folder.path])
        context = PluginContext(logger: Logger(label: "test"), http: CurlHTTPTransport(engine: engine))
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    func source(_ path: String, _ extra: [(String, String)] = []) throws -> RSSSource {
        try RSSSource(configuration: PluginConfiguration(name: "feed", options: rssOptions([("url", "\(peer.base)\(path)")] + extra)))
    }

    /// `source` run as the engine runs it, over the real HTTP transport.
    func harness(_ source: RSSSource) throws -> PluginHarness {
        try PluginHarness(source: source, http: context.http)
    }

    struct Logged: Decodable {
        var path: String
        var time: Double
        var headers: [String: String]
    }

    func requests() async throws -> [Logged] {
        let response = try await context.http.send(HTTPRequest(url: "\(peer.base)/_log"))
        return try JSONDecoder().decode([Logged].self, from: Data(response.body))
    }

    @Test func conditionalGetAnswers304WithoutItems() async throws {
        try write("wire.xml", rssFeed([("a1", "FDA grants RMAT to BCMA CAR-T"), ("a2", "Quarterly results")]))
        let harness = try harness(source("/wire.xml"))
        let first = try await harness.poll()
        #expect(first.items.map(\.id) == ["a1", "a2"])
        #expect(first.items.first?.categories.contains("Nasdaq:IBRX") == true)
        #expect(first.checkpoint != nil)
        let second = try await harness.poll()
        #expect(second.returned == 0, "304 Not Modified")
        let logged = try await requests()
        #expect(logged.count == 2)
        #expect(logged[0].headers["If-None-Match"] == nil)
        #expect(logged[1].headers["If-None-Match"] != nil)
        #expect(logged[1].headers["If-Modified-Since"] != nil)

        try write("wire.xml", rssFeed([("a1", "FDA grants RMAT to BCMA CAR-T"), ("a2", "Quarterly results"), ("a3", "New one")]))
        let third = try await harness.poll()
        #expect(third.returned == 3)
        #expect(third.items.map(\.id) == ["a3"])
    }

    @Test func validatorsAnEarlierVersionStoredAreSent() async throws {
        try write("old.xml", rssFeed([("v1", "One")]))
        let harness = try harness(source("/old.xml"))
        try await harness.storeCheckpoint(Checkpoint(text: #"{"etag":"\"v1-etag\"","lastModified":"Mon, 23 Nov 2026 18:00:00 GMT"}"#))
        try await harness.poll()
        let sent = try #require(try await requests().last { $0.path == "/old.xml" })
        #expect(sent.headers["If-None-Match"] == "\"v1-etag\"")
        #expect(sent.headers["If-Modified-Since"] == "Mon, 23 Nov 2026 18:00:00 GMT")
    }

    @Test func retryAfterIsHonoured() async throws {
        let error = await #expect(throws: PollError.self) { try await source("/busy").poll(context: context, state: NothingSeen()) }
        #expect(error?.retryAfter == .seconds(120))
        #expect(error?.description.hasSuffix("answered HTTP 429") == true || error?.description.hasSuffix("answered HTTP 503") == true)
    }

    @Test func serverErrorsFailThePoll() async throws {
        let error = await #expect(throws: PollError.self) { try await source("/broken").poll(context: context, state: NothingSeen()) }
        #expect(error?.description.hasSuffix("answered HTTP 500") == true)
        #expect(error?.isRetryable == true)
    }

    @Test func gzipAndRedirectsAreFollowed() async throws {
        try write("wire.xml", rssFeed([("b1", "One")]))
        #expect(try await source("/gz/wire.xml").poll(context: context, state: NothingSeen()).items.map(\.id) == ["b1"])
        #expect(try await source("/redirect/wire.xml").poll(context: context, state: NothingSeen()).items.map(\.id) == ["b1"])
    }

    @Test func aTruncatedBodyFailsWithoutLosingAnything() async throws {
        try write("wire.xml", rssFeed((0..<50).map { ("t\($0)", "Item \($0)") }))
        await #expect(throws: TransferError.self) { try await source("/truncated/wire.xml").poll(context: context, state: NothingSeen()) }
    }

    @Test func a50MegabyteBodyStopsAtTheLimit() async throws {
        let error = await #expect(throws: TransferError.self) {
            try await source("/huge", [("max_bytes", "5MB")]).poll(context: context, state: NothingSeen())
        }
        #expect(error?.kind == .tooLarge)
    }

    @Test func notAFeedIsAClearError() async throws {
        try write("page.xml", "this is not a feed at all")
        let error = await #expect(throws: PollError.self) { try await source("/page.xml").poll(context: context, state: NothingSeen()) }
        #expect(error?.description.contains("did not return a readable feed") == true)
        #expect(error?.isRetryable == false)
    }

    @Test func fullTextIsFetchedOncePerNewItem() async throws {
        try write("wire.xml", rssFeed([("c1", "Company update")], articleBase: peer.base))
        let source = try source("/wire.xml", [("fetch_full_text", "true"), ("host_spacing", "0s")])
        let harness = try harness(source)
        let first = try await harness.poll()
        #expect(first.items.first?.content?.contains("FDA granted RMAT designation to a BCMA-directed therapy (c1).") == true)
        #expect(first.items.first?.content?.contains("var x") == false)
        try write("wire.xml", rssFeed([("c1", "Company update")], articleBase: peer.base) + "\n")
        let second = try await harness.poll()
        #expect(second.returned == 1)
        #expect(second.items.isEmpty, "a seen item keeps its version")
        let articles = try await requests().filter { $0.path.hasPrefix("/article/") }
        #expect(articles.count == 1)
    }

    @Test func feedsOnOneHostAreSpacedApart() async throws {
        try write("one.xml", rssFeed([("d1", "One")]))
        try write("two.xml", rssFeed([("d2", "Two")]))
        let one = try source("/one.xml", [("host_spacing", "500ms")])
        let two = try source("/two.xml", [("host_spacing", "500ms")])
        async let first = one.poll(context: context, state: NothingSeen())
        async let second = two.poll(context: context, state: NothingSeen())
        _ = try await (first, second)
        let times = try await requests().filter { $0.path.hasSuffix(".xml") }.map(\.time).sorted()
        #expect(times.count == 2)
        #expect(times[1] - times[0] >= 0.45, "the second request waited for its slot")
    }

    @Test func badOptionsAreReported() {
        let error = #expect(throws: ConfigErrors.self) {
            try RSSSource(configuration: PluginConfiguration(name: "feed", options: rssOptions([("url", "ftp://x/feed"), ("timout", "5s")])))
        }
        #expect(error?.diagnostics.map(\.message).sorted() == [
            "'url': must be an http:// or https:// URL, found 'ftp://x/…(redacted)'",
            "unknown key 'timout' in rss source 'feed'; did you mean 'timeout'?",
        ])
    }
}
