import EdgarSource
import Foundation
import Logging
import PharosCore
import PharosHTTP
import PharosTestKit
import TestSupport
import Testing

/// The recorded EDGAR answers (Tests/peers/fixtures/edgar) behind a fixture peer that, as
/// EDGAR does, answers 403 to a request whose User-Agent has no contact address.
final class EdgarServer: Sendable {
    let fixture: FixturePeer
    var peer: PythonPeer { fixture.peer }
    static let fixtures = packageRoot.appendingPathComponent("Tests/peers/fixtures/edgar")

    init() throws {
        fixture = try FixturePeer("edgar")
        try answer()
    }

    /// Routes: the ticker table, the submissions document `submissions`, both primary documents;
    /// `override` answers a path with a status (and fixture) instead.
    func answer(submissions: String = "CIK0001425205.json", override: [String: (status: Int, file: String, headers: [String: String])] = [:]) throws {
        let files = [
            "/files/company_tickers.json": "company_tickers.json",
            "/submissions/CIK0001425205.json": submissions,
            "/Archives/edgar/data/1425205/000142520526000131/iova-20261201.htm": "iova-20261201.htm",
            "/Archives/edgar/data/1425205/000142520526000118/iova-20261106.htm": "iova-20261106.htm",
        ]
        let routes: [[String: Any]] = files.map { path, file in
            let special = override[path]
            return ["path": path, "status": special?.status ?? 200, "headers": special?.headers ?? [:],
                    "file": Self.fixtures.appendingPathComponent(special?.file ?? file).path, "require": ["User-Agent": "@"]]
        }
        try fixture.serve(routes)
    }

    struct Logged: Decodable {
        var path: String
        var headers: [String: String]
    }

    func requests(_ http: any HTTPTransport) async throws -> [Logged] {
        let response = try await http.send(HTTPRequest(url: "\(peer.base)/_log"))
        return try JSONDecoder().decode([Logged].self, from: Data(response.body)).filter { $0.path != "/_log" }
    }
}

func edgarSource(_ base: String, _ pairs: [(String, OptionValue)]) throws -> EdgarSource {
    try EdgarSource(configuration: PluginConfiguration(
        name: "iova", options: pluginOptions(pairs + [("base_url", .text(base)), ("host_spacing", "0s")], what: "edgar source 'iova'")))
}

let contact: (String, OptionValue) = ("user_agent", "Pharos tests ops@example.org")

/// 2026-12-06, the day the tests' polls happen: the recorded filings are from the 30 days before.
let filingDay = Date(timeIntervalSince1970: 1_796_515_200)

@Suite(.serialized, .runningCurl(maxConcurrent: 4)) struct EdgarPolling {
    let server: EdgarServer
    let http: any HTTPTransport

    init() throws {
        server = try EdgarServer()
        http = CurlHTTPTransport(engine: RunningCurl.engine)
    }

    @Test func anEightKForAWatchedTickerIsAnItemWithItsItemsAndDocument() async throws {
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("ticker", "iova"), contact]), now: { filingDay }, http: http)
        let first = try await harness.poll()
        #expect(first.items.map(\.id) == ["0001425205-26-000118", "0001425205-26-000131"], "8-Ks only, oldest first")
        let filing = try #require(first.items.last)
        #expect(filing.title == "Iovance Biotherapeutics, Inc. 8-K: Item 1.01 Entry into a Material Definitive Agreement; Item 8.01 Other Events; Item 9.01 Financial Statements and Exhibits")
        #expect(filing.summary == "Form 8-K filed 2026-12-02 by Iovance Biotherapeutics, Inc. (CIK 1425205, Nasdaq: IOVA). Items 1.01, 8.01, 9.01.")
        #expect(filing.content?.contains("exclusive license agreement with Arcturus Cell Sciences for a BCMA-directed CAR-T program") == true)
        #expect(filing.content?.contains("<p>") == false)
        #expect(filing.link == "\(server.peer.base)/Archives/edgar/data/1425205/000142520526000131/iova-20261201.htm")
        #expect(filing.categories == ["8-K", "Item 1.01", "Item 8.01", "Item 9.01"])
        #expect(filing.fields["items"] == "1.01,8.01,9.01")
        #expect(filing.published == ISO8601.date(from: "2026-12-02T16:05:12Z"))
        #expect(first.checkpoint?.text == #"{"cik":"0001425205","ticker":"IOVA"}"#)

        let second = try await harness.poll()
        #expect(second.items.isEmpty)
        let paths = try await server.requests(http).map(\.path)
        #expect(paths == [
            "/files/company_tickers.json", "/submissions/CIK0001425205.json",
            "/Archives/edgar/data/1425205/000142520526000118/iova-20261106.htm",
            "/Archives/edgar/data/1425205/000142520526000131/iova-20261201.htm",
            "/submissions/CIK0001425205.json",
        ], "the ticker is looked up once, and a seen filing's document is not fetched again")
        #expect(try await server.requests(http).allSatisfy { $0.headers["User-Agent"] == "Pharos tests ops@example.org" })
    }

    @Test func aNewFilingAloneIsFetchedOnTheNextPoll() async throws {
        try server.answer(submissions: "CIK0001425205-before.json")
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("cik", "1425205"), contact, ("forms", ["8-K", "10-Q"])]),
                                        now: { filingDay }, http: http)
        #expect(try await harness.poll().items.map(\.id) == ["0001425205-26-000118", "0001425205-26-000120"])
        try server.answer()
        #expect(try await harness.poll().items.map(\.id) == ["0001425205-26-000131"])
    }

    @Test func aFirstPollTakesTheNewestMaxFilings() async throws {
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("cik", "0001425205"), contact, ("max_filings", "1"),
                                                                         ("fetch_documents", "false")]), now: { filingDay }, http: http)
        let poll = try await harness.poll()
        #expect(poll.items.map(\.id) == ["0001425205-26-000131"])
        #expect(try await server.requests(http).map(\.path) == ["/submissions/CIK0001425205.json"])
    }

    @Test func rateLimitingAndRefusalsAreRetriedAndSaySo() async throws {
        let context = LogCapture().context(http: http)
        try server.answer(override: ["/submissions/CIK0001425205.json": (429, "CIK0001425205.json", ["Retry-After": "600"])])
        let limited = await #expect(throws: PollError.self) { try await edgarSource(server.peer.base, [("cik", "1425205"), contact]).poll(context: context, state: NothingSeen()) }
        #expect(limited?.retryAfter == .seconds(600))

        // What EDGAR does to a client without a contact address (the option refuses that, so the peer is told to refuse all).
        try server.answer(override: ["/submissions/CIK0001425205.json": (403, "CIK0001425205.json", [:])])
        let refused = await #expect(throws: PollError.self) { try await edgarSource(server.peer.base, [("cik", "1425205"), contact]).poll(context: context, state: NothingSeen()) }
        #expect(refused?.description.contains("EDGAR refuses undeclared tools") == true)
    }

    @Test func malformedAndUnknownAnswersAreClearErrors() async throws {
        let context = LogCapture().context(http: http)
        try server.answer(submissions: "malformed.json")
        let malformed = await #expect(throws: PollError.self) { try await edgarSource(server.peer.base, [("cik", "1425205"), contact]).poll(context: context, state: NothingSeen()) }
        #expect(malformed?.description.contains("did not answer EDGAR submissions JSON: not JSON") == true)
        try server.answer(submissions: "ragged.json")
        let ragged = await #expect(throws: PollError.self) { try await edgarSource(server.peer.base, [("cik", "1425205"), contact]).poll(context: context, state: NothingSeen()) }
        #expect(ragged?.description.hasSuffix("filings.recent has 2 accession numbers but 0 filingDate values") == true, "\(String(describing: ragged))")
        try server.answer()
        let unknown = await #expect(throws: PollError.self) { try await edgarSource(server.peer.base, [("ticker", "ZZZZ"), contact]).poll(context: context, state: NothingSeen()) }
        #expect(unknown?.description == "ticker ZZZZ is not in SEC's company_tickers.json; give 'cik' instead")
        #expect(unknown?.isRetryable == false)
    }

    @Test func aChangedTickerIsLookedUpAgain() async throws {
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("ticker", "MRNA"), contact]), now: { filingDay }, http: http)
        try await harness.storeCheckpoint(Checkpoint(text: #"{"cik":"0001425205","ticker":"IOVA"}"#))
        await #expect(throws: PollError.self) { try await harness.poll() }
        #expect(try await server.requests(http).map(\.path) == ["/files/company_tickers.json", "/submissions/CIK0001682852.json"],
                "the stored CIK was IOVA's")
    }

    @Test func aFirstPollLeavesOutFilingsOlderThanTheLookback() async throws {
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("cik", "1425205"), contact, ("initial_lookback", "10d")]),
                                        now: { filingDay }, http: http)
        #expect(try await harness.poll().items.map(\.id) == ["0001425205-26-000131"], "the 8-K of 2026-11-06 is a month old")
    }

    @Test func aMissingDocumentLeavesTheFilingAnItem() async throws {
        try server.answer(override: ["/Archives/edgar/data/1425205/000142520526000131/iova-20261201.htm": (404, "iova-20261201.htm", [:])])
        let logs = LogCapture()
        let harness = try PluginHarness(source: edgarSource(server.peer.base, [("cik", "1425205"), contact]), now: { filingDay }, http: http, logs: logs)
        let poll = try await harness.poll()
        #expect(poll.items.count == 2)
        #expect(poll.items.last?.content?.contains("Item 1.01 Entry into a Material Definitive Agreement.") == true)
        #expect(logs.entries.contains { $0.message.contains("filing document not available") })
    }
}

@Suite struct EdgarOptions {
    func problems(_ pairs: [(String, OptionValue)]) -> [String] {
        do {
            _ = try EdgarSource(configuration: PluginConfiguration(name: "e", options: pluginOptions(pairs, what: "edgar source 'e'")))
            return []
        } catch {
            return (error as? ConfigErrors)?.diagnostics.map(\.message) ?? ["\(error)"]
        }
    }

    @Test func theContactUserAgentIsRequired() {
        #expect(problems([("ticker", "IOVA")]) == [
            "needs 'user_agent': SEC EDGAR refuses requests without a User-Agent that names you and a contact e-mail address, such as user_agent: \"Acme Research admin@acme.example\"",
        ])
        #expect(problems([("ticker", "IOVA"), ("user_agent", "Pharos/0.1")]) == [
            "'user_agent': must name you and a contact e-mail address, as SEC EDGAR requires (such as \"Acme Research admin@acme.example\"), found 'Pharos/0.1'",
        ])
        #expect(problems([("ticker", "IOVA"), ("user_agent", "Pharos/0.1 (+mailto:ops@example.org)")]) == [])
    }

    @Test func theCompanyMustBeSaidOnce() {
        #expect(problems([contact]) == ["says no company: give 'cik' (the Central Index Key) or 'ticker' (looked up in SEC's company_tickers.json)"])
        #expect(problems([contact, ("cik", "12a"), ("ticker", "IOVA")]) == [
            "'cik': must be the company's Central Index Key, up to 10 digits (0001425205 or 1425205), found '12a'",
            "'ticker': give 'cik' or 'ticker', not both",
        ])
    }
}
