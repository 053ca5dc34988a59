import Foundation
import PharosCore
@testable import PharosEngine
import TestSupport
import Testing

/// The web page, its JSON API and the alerts feed, read from a state holding hostile items.
@Suite struct WebPagesTests {
    static let start = Date(timeIntervalSince1970: 1_795_424_400)  // 2026-11-23T09:00:00Z

    static func alert(_ id: String, rule: String, title: String, link: String?, target: EntityMatch? = nil,
                      company: EntityMatch? = nil) -> Alert {
        Alert(id: id, rule: rule, source: "inbox",
              item: .init(id: "item-\(id)", title: title, link: link, published: start, summary: "Summary of \(title)"),
              matches: Matches(targets: target.map { [$0] } ?? [], designations: [], companies: company.map { [$0] } ?? []),
              evidence: [Evidence(field: "title", text: title, start: 0, end: title.count)], detectedAt: start)
    }

    static let bcma = EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")
    static let hostileTitle = "BCMA <script>alert(1)</script> & \"quotes\" \u{1B}[2J"
    static let ids = (hostile: String(repeating: "a", count: 32), plain: String(repeating: "b", count: 32), old: String(repeating: "c", count: 32))

    /// Three alerts: a hostile one (delivered to `log`), a plain one (pending), an old one (dead on `team`).
    static func pages(_ backend: Backend) async throws -> (WebPages, any StateStore) {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        try folder.write("rules.d/a.yaml", validRules)
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        let store = try backend.make()
        let hostile = alert(ids.hostile, rule: "bcma-rmat", title: hostileTitle, link: "javascript:alert(document.cookie)", target: bcma)
        let plain = alert(ids.plain, rule: "bcma-rmat", title: "BCMA CAR-T gets RMAT", link: "https://news.example/rmat?a=1&b=2", target: bcma,
                          company: EntityMatch(id: "Arcturus Cell Sciences", label: "Arcturus Cell Sciences", text: "Arcturus"))
        let old = alert(ids.old, rule: "other", title: "Old news", link: "https://news.example/old")
        func queued(_ alert: Alert, _ sinks: [String]) -> NewAlert {
            NewAlert(id: alert.id, rule: alert.rule, itemID: alert.item.id, json: alert.jsonLine(), sinks: sinks)
        }
        try await store.record([PollRecord(source: "inbox", alerts: [queued(old, ["team"])])], now: start.addingTimeInterval(-86_400 * 3))
        try await store.record([PollRecord(source: "inbox", alerts: [queued(hostile, ["log"]), queued(plain, ["log"])])], now: start)
        let event = RegulatoryEvent(agency: "FDA", action: "fda-rmat", label: "RMAT", text: "RMAT", product: "ARC-217", productID: nil,
                                    companies: ["Arcturus Cell Sciences"], targets: [bcma], modality: nil, indication: nil, status: .announced,
                                    cues: ["in the title"], evidence: Evidence(field: "title", text: "BCMA CAR-T gets RMAT", start: 0, end: 20))
        let read = [Item(id: plain.item.id, title: plain.item.title, link: plain.item.link, content: "Arcturus said BCMA <b>and</b> RMAT."),
                    Item(id: hostile.item.id, title: hostileTitle, link: hostile.item.link, content: "<script>alert(2)</script>")]
        try await store.record([PollRecord(source: "inbox", items: read, archive: [
            ArchiveEntry(item: read[0], events: [event], rules: ["bcma-rmat"]), ArchiveEntry(item: read[1], events: [], rules: ["bcma-rmat"]),
        ])], now: start)
        try await store.recordDeliveries(sink: "log", [(ids.hostile, .delivered)], now: start)
        try await store.recordDeliveries(sink: "team", [(ids.old, .dead(error: "HTTP 410"))], now: start)
        return (WebPages(store: store, config: { config }, now: { start }), store)
    }

    static func get(_ pages: WebPages, _ path: String, _ query: [String: String] = [:]) async throws -> (status: String, text: String) {
        let response = try #require(await pages.answer(WebRequest(path: path, query: query, host: "127.0.0.1:9464")))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    static func ids(in json: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (object["alerts"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test(arguments: Backend.allCases) func hostileTitlesAndLinksStayText(_ backend: Backend) async throws {
        let (pages, _) = try await Self.pages(backend)
        for path in ["/", "/alerts/" + Self.ids.hostile, "/events"] {
            let page = try await Self.get(pages, path)
            #expect(page.status == "200 OK", "\(path)")
            #expect(!page.text.contains("<script"), "\(path): \(page.text)")
            #expect(!page.text.lowercased().contains("href=\"javascript:"), "\(path)")
            #expect(!page.text.contains("\u{1B}"), "\(path)")
        }
        let index = try await Self.get(pages, "/").text
        #expect(index.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(index.contains("<mark>BCMA</mark> &lt;script&gt;"), "evidence highlighted")
        #expect(index.contains("href=\"https://news.example/rmat?a=1&amp;b=2\""), "the safe link is a link")
        #expect(index.contains("log: delivered") && index.contains("log: pending"), "which sinks delivered each")
        let alertPage = try await Self.get(pages, "/alerts/" + Self.ids.hostile).text
        #expect(alertPage.contains("(link not shown as a link: javascript:alert(document.cookie))"))
    }

    @Test(arguments: Backend.allCases) func filtersNarrowThePageAndItsAPI(_ backend: Backend) async throws {
        let (pages, _) = try await Self.pages(backend)
        let all = try Self.ids(in: try await Self.get(pages, "/api/alerts").text)
        #expect(all == [Self.ids.plain, Self.ids.hostile, Self.ids.old] || all == [Self.ids.hostile, Self.ids.plain, Self.ids.old], "newest first")
        let cases: [([String: String], Set<String>)] = [
            (["rule": "other"], [Self.ids.old]),
            (["status": "delivered"], [Self.ids.hostile]),
            (["status": "dead", "sink": "team"], [Self.ids.old]),
            (["sink": "log"], [Self.ids.hostile, Self.ids.plain]),
            (["target": "bcma"], [Self.ids.hostile, Self.ids.plain]),
            (["target": "TNFRSF17", "company": "Arcturus Cell Sciences"], [Self.ids.plain]),
            (["designation": "fda-rmat"], []),
            (["source": "inbox", "since": "2026-11-23"], [Self.ids.hostile, Self.ids.plain]),
            (["until": "2026-11-22"], [Self.ids.old]),
            (["since": "2026-11-23T09:00:01Z"], []),
            (["limit": "1", "rule": "other"], [Self.ids.old]),
        ]
        for (query, expected) in cases {
            let found = try Self.ids(in: try await Self.get(pages, "/api/alerts", query).text)
            #expect(Set(found) == expected, "\(query)")
            let page = try await Self.get(pages, "/", query).text
            #expect(expected.allSatisfy { page.contains("/alerts/\($0)") } && page.components(separatedBy: "<article").count - 1 == expected.count, "\(query)")
        }
        for (query, message) in [(["status": "sent"], "status must be one of pending, delivered, dead, not 'sent'"),
                                 (["since": "yesterday"], "since must be a day (2026-12-01) or a UTC time (2026-12-01T09:00:00Z), not 'yesterday'"),
                                 (["limit": "0"], "limit must be a number from 1 to 1000, not '0'")] {
            let api = try await Self.get(pages, "/api/alerts", query)
            #expect(api.status == "400 Bad Request" && api.text.contains(message), "\(api)")
            let page = try await Self.get(pages, "/", query)
            #expect(page.status == "400 Bad Request" && page.text.contains(WebHTML.escape(message)), "\(page)")
        }
    }

    @Test(arguments: Backend.allCases) func oneAlertItsJSONAndStatus(_ backend: Backend) async throws {
        let (pages, _) = try await Self.pages(backend)
        let api = try await Self.get(pages, "/api/alerts/" + Self.ids.old)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(api.text.utf8)) as? [String: Any])
        let deliveries = object["deliveries"] as? [[String: Any]]
        #expect(deliveries?.first?["sink"] as? String == "team" && deliveries?.first?["state"] as? String == "dead")
        #expect(deliveries?.first?["last_error"] as? String == "HTTP 410")
        #expect((object["alert"] as? [String: Any])?["id"] as? String == Self.ids.old)
        let missing = try await Self.get(pages, "/api/alerts/nothing")
        #expect(missing.status == "404 Not Found")
        #expect(try await Self.get(pages, "/alerts/nothing").status == "404 Not Found")
        #expect(await pages.answer(WebRequest(path: "/nowhere")) == nil)
        let status = try await Self.get(pages, "/api/status").text
        #expect(status.contains(#""name":"inbox","configured":true,"state":"never polled""#), "\(status)")
        #expect(status.contains(#""name":"team","configured":false,"state":"FAILING""#), "\(status)")
        let index = try await Self.get(pages, "/").text
        #expect(index.contains("team (no longer configured)") && index.contains(">FAILING<") && index.contains("HTTP 410"))
    }

    /// Issue 19: the copies of an alert's story are on its page, each linked to its item (and
    /// its original when the link is safe), and counted on the item's page.
    @Test(arguments: Backend.allCases) func theAlertPageListsTheStorysLaterCopies(_ backend: Backend) async throws {
        let (pages, store) = try await Self.pages(backend)
        let copies = [
            AlsoSeen(source: "trade", itemID: "t-9", link: "https://trade.example/rmat", seenAt: Self.start.addingTimeInterval(3600)),
            AlsoSeen(source: "<b>ir</b>", itemID: "x\"y", link: "javascript:alert(3)", seenAt: Self.start.addingTimeInterval(7200)),
        ]
        try await store.record([PollRecord(source: "trade", stories: StoryWrites(sightings: copies.map { (Self.ids.plain, $0) }))],
                               now: Self.start.addingTimeInterval(7200))
        let page = try await Self.get(pages, "/alerts/" + Self.ids.plain).text
        #expect(page.contains("<h3>Also seen</h3>"), "\(page)")
        #expect(page.contains("2026-11-23T10:00:00Z</td><td>trade</td><td><a href=\"/item?id=t-9&amp;source=trade\">t-9</a> · "
            + "<a rel=\"noopener noreferrer\" href=\"https://trade.example/rmat\">original</a>"), "\(page)")
        #expect(page.contains("&lt;b&gt;ir&lt;/b&gt;") && page.contains("x&quot;y") && !page.contains("<b>ir"), "\(page)")
        #expect(page.contains("(link not shown as a link: javascript:alert(3))") && !page.contains("href=\"javascript:"), "\(page)")
        #expect(page.firstRange(of: "t-9")!.lowerBound < page.firstRange(of: "x&quot;y")!.lowerBound, "in the order seen")
        let other = try await Self.get(pages, "/alerts/" + Self.ids.old).text
        #expect(!other.contains("Also seen"))
        let item = try await Self.get(pages, "/item", ["source": "inbox", "id": "item-" + Self.ids.plain]).text
        #expect(item.contains("story seen again 2×"), "\(item)")
        let api = try await Self.get(pages, "/api/alerts/" + Self.ids.plain).text
        #expect(api.contains(#""also_seen":[{"source":"trade","item_id":"t-9""#), "\(api)")
    }

    /// The feed checked with a RELAX NG schema of Atom 1.0 by libxml2's validator.
    @Test(arguments: Backend.allCases) func theAlertsFeedIsValidAtom(_ backend: Backend) async throws {
        let (pages, _) = try await Self.pages(backend)
        let xmllint = "/usr/bin/xmllint"
        try #require(FileManager.default.isExecutableFile(atPath: xmllint), "xmllint is missing: `make test` installs libxml2-utils")
        let schema = packageRoot.appendingPathComponent("Tests/peers/atom.rng").path
        let scratch = try Scratch()
        for query in [[:], ["rule": "bcma-rmat"], ["sink": "team"], ["rule": "nothing"]] as [[String: String]] {
            let feed = try await Self.get(pages, "/feed.atom", query)
            #expect(feed.status == "200 OK")
            let file = scratch.url.appendingPathComponent("feed.atom")
            try Data(feed.text.utf8).write(to: file)
            let check = try run(xmllint, ["--noout", "--relaxng", schema, file.path])
            #expect(check.status == 0, "\(query): \(check.output)\n\(feed.text)")
            let entries = feed.text.components(separatedBy: "<entry>").count - 1
            #expect(entries == (query.isEmpty ? 3 : query["rule"] == "nothing" ? 0 : query["sink"] != nil ? 1 : 2), "\(query)")
            // What the schema cannot say: every entry has content (or an alternate link), the feed an author.
            #expect(feed.text.components(separatedBy: "<content type=\"html\">").count - 1 == entries && feed.text.contains("<author><name>Pharos</name></author>"))
        }
        let all = try await Self.get(pages, "/feed.atom").text
        #expect(!all.contains("javascript:") || !all.contains("href=\"javascript:"), "an unsafe link is no entry link")
        #expect(!all.contains("<script"), "markup in titles and content is escaped")
        #expect(all.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"http://127.0.0.1:9464/feed.atom\"/>"))
        #expect(all.contains("<id>urn:uuid:aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa</id>"))
        let hostileHost = try #require(await pages.answer(WebRequest(path: "/feed.atom", host: "x\"><script>")))
        #expect(!String(decoding: hostileHost.body, as: UTF8.self).contains("rel=\"self\""), "a strange Host header gives no self link")
    }

    @Test(arguments: Backend.allCases) func anItemPageAndTheEventsComeFromTheArchive(_ backend: Backend) async throws {
        let (pages, _) = try await Self.pages(backend)
        let item = try await Self.get(pages, "/item", ["source": "inbox", "id": "item-" + Self.ids.plain])
        #expect(item.status == "200 OK")
        #expect(item.text.contains("FDA RMAT designation: ARC-217") && item.text.contains("rules matched: bcma-rmat"), "\(item.text)")
        #expect(item.text.contains("Arcturus said BCMA &lt;b&gt;and&lt;/b&gt; RMAT.") && item.text.contains("/alerts/\(Self.ids.plain)"))
        let hostile = try await Self.get(pages, "/item", ["source": "inbox", "id": "item-" + Self.ids.hostile]).text
        #expect(!hostile.contains("<script") && hostile.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
        let api = try await Self.get(pages, "/api/item", ["source": "inbox", "id": "item-" + Self.ids.plain]).text
        let object = try #require(try JSONSerialization.jsonObject(with: Data(api.utf8)) as? [String: Any])
        #expect((object["versions"] as? [[String: Any]])?.first?["rules"] as? [String] == ["bcma-rmat"])
        #expect((object["alerts"] as? [[String: Any]])?.first?["id"] as? String == Self.ids.plain)
        #expect(try await Self.get(pages, "/item", ["source": "inbox", "id": "nothing"]).status == "404 Not Found")
        #expect(try await Self.get(pages, "/api/item").status == "400 Bad Request")
        let index = try await Self.get(pages, "/").text
        #expect(index.contains("/item?id=item-\(Self.ids.plain)&amp;source=inbox"), "each alert links to its item")

        let events = try await Self.get(pages, "/events").text
        #expect(events.contains("FDA RMAT designation: ARC-217") && events.contains("/item?id=item-\(Self.ids.plain)&amp;source=inbox"), "\(events)")
        for (query, count) in [(["designation": "fda-rmat"], 1), (["designation": "ema-prime"], 0), (["status": "background"], 0),
                               (["company": "arcturus cell sciences", "target": "BCMA"], 1), (["rule": "other"], 0)] as [([String: String], Int)] {
            let found = try await Self.get(pages, "/api/events", query).text
            let list = (try JSONSerialization.jsonObject(with: Data(found.utf8)) as? [String: Any])?["events"] as? [Any]
            #expect(list?.count == count, "\(query): \(found)")
        }
        let bad = try await Self.get(pages, "/events", ["status": "sent"])
        #expect(bad.status == "400 Bad Request" && bad.text.contains("an event&#39;s status must be one of announced"), "\(bad.text)")
    }

    @Test func requestsAreReadAsBrowsersSendThem() {
        let request = WebRequest(head: Array("GET /alerts/a%2Fb?rule=bcma-rmat&company=Kite+Pharma&target=&rule=x HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n".utf8))
        #expect(request?.path == "/alerts/a/b" && request?.query == ["rule": "bcma-rmat", "company": "Kite Pharma"] && request?.host == "127.0.0.1:9")
        #expect(WebRequest(head: Array("POST / HTTP/1.1\r\n\r\n".utf8)) == nil)
        #expect(WebHTML.safeURL("JavaScript:alert(1)") == nil && WebHTML.safeURL("https://x.example/a b") == nil && WebHTML.safeURL("HTTPS://x.example/") != nil)
        #expect(WebHTML.safeURL("data:text/html,hi") == nil && WebHTML.safeURL("//x.example") == nil && WebHTML.safeURL("http://") == nil)
    }
}

/// Runs a program to its end; its standard output and error together.
private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
