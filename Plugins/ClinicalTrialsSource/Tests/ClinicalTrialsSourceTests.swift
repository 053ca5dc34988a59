import ClinicalTrialsSource
import Foundation
import Logging
import PharosCore
import PharosHTTP
import PharosTestKit
import TestSupport
import Testing

/// The recorded ClinicalTrials.gov API v2 answers (Tests/peers/fixtures/clinicaltrials), served
/// by a fixture peer whose routes a test rewrites between polls.
final class StudiesServer: Sendable {
    let fixture: FixturePeer
    var peer: PythonPeer { fixture.peer }

    init() throws {
        fixture = try FixturePeer("ctgov")
    }

    var base: String { "\(peer.base)/api/v2" }

    /// Answers `/api/v2/studies` with the fixtures named, each for the requests whose query holds `query`.
    func answer(_ routes: [(query: [String: String?], fixture: String, status: Int, headers: [String: String])]) throws {
        let fixtures = packageRoot.appendingPathComponent("Tests/peers/fixtures/clinicaltrials")
        let list: [[String: Any]] = routes.map { route in
            ["path": "/api/v2/studies", "query": route.query.mapValues { $0 ?? NSNull() as Any }, "status": route.status,
             "headers": route.headers.merging(["Content-Type": "application/json"]) { old, _ in old },
             "file": route.fixture.hasPrefix("/") ? route.fixture : fixtures.appendingPathComponent(route.fixture).path]
        }
        try fixture.serve(list)
    }

    func answer(_ fixture: String, status: Int = 200, headers: [String: String] = [:]) throws {
        try answer([(query: [:], fixture: fixture, status: status, headers: headers)])
    }

    struct Logged: Decodable {
        var path: String
        var query: [String: String]
        var headers: [String: String]
    }

    func requests(_ http: any HTTPTransport) async throws -> [Logged] {
        let response = try await http.send(HTTPRequest(url: "\(peer.base)/_log"))
        return try JSONDecoder().decode([Logged].self, from: Data(response.body)).filter { $0.path != "/_log" }
    }
}

func trialsSource(_ base: String, _ extra: [(String, OptionValue)] = []) throws -> ClinicalTrialsSource {
    try ClinicalTrialsSource(configuration: PluginConfiguration(
        name: "trials",
        options: pluginOptions([("sponsor", "Iovance Biotherapeutics"), ("base_url", .text(base)), ("host_spacing", "0s")] + extra,
                               what: "clinicaltrials source 'trials'")))
}

/// 2026-12-06, the day the tests' polls happen.
let pollDay = Date(timeIntervalSince1970: 1_796_515_200)

@Suite(.serialized, .runningCurl(maxConcurrent: 4)) struct ClinicalTrialsPolling {
    let server: StudiesServer
    let http: any HTTPTransport

    init() throws {
        server = try StudiesServer()
        http = CurlHTTPTransport(engine: RunningCurl.engine)
    }

    func harness(_ extra: [(String, OptionValue)] = []) throws -> PluginHarness {
        try PluginHarness(source: trialsSource(server.base, extra), now: { pollDay }, http: http)
    }

    @Test func theFirstPollPagesThroughTheLookbackAndRemembersTheNewestUpdate() async throws {
        try server.answer([
            (query: ["pageToken": "NF0g5JGBlPMuxOMdbRKJ"], fixture: "page2.json", status: 200, headers: [:]),
            (query: ["pageToken": nil], fixture: "page1.json", status: 200, headers: [:]),
        ])
        let harness = try harness()
        let poll = try await harness.poll()
        #expect(poll.items.map(\.id) == ["NCT05727904/RECRUITING", "NCT06111111/RECRUITING", "NCT04614103/COMPLETED/results"])
        #expect(poll.chunks.count == 2, "each page is committed before the next is asked for")
        #expect(poll.checkpoint?.text == #"{"since":"2026-11-25","query":"Iovance Biotherapeutics||||"}"#)
        let new = try #require(poll.items.first { $0.id == "NCT06111111/RECRUITING" })
        #expect(new.summary == "New study registered on 2026-11-20; status recruiting.")
        #expect(new.link == "https://clinicaltrials.gov/study/NCT06111111")
        #expect(new.content?.contains("Sponsor: Iovance Biotherapeutics, Inc.") == true)
        #expect(new.content?.contains("Interventions: Lifileucel (biological)") == true)
        let requests = try await server.requests(http)
        #expect(requests.count == 2)
        #expect(requests[0].query["query.spons"] == "Iovance Biotherapeutics")
        #expect(requests[0].query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-11-06,MAX]", "30 days back from the poll")
        #expect(requests[0].query["sort"] == "LastUpdatePostDate:asc")
        #expect(requests[0].query["format"] == "json")
        #expect(requests[0].query["pageToken"] == nil)
        #expect(requests[1].query["pageToken"] == "NF0g5JGBlPMuxOMdbRKJ")
    }

    @Test func aChangedStatusIsOneItemSayingWhatChangedAndASecondPollRaisesNothing() async throws {
        try server.answer([
            (query: ["pageToken": "NF0g5JGBlPMuxOMdbRKJ"], fixture: "page2.json", status: 200, headers: [:]),
            (query: ["pageToken": nil], fixture: "page1.json", status: 200, headers: [:]),
        ])
        let harness = try harness()
        try await harness.poll()
        try server.answer([(query: ["filter.advanced": "RANGE[2026-11-25,MAX]"], fixture: "changed.json", status: 200, headers: [:])])
        let changed = try await harness.poll()
        #expect(changed.returned == 2)
        #expect(changed.items.map(\.id) == ["NCT05727904/TERMINATED"], "the completed study is unchanged")
        let item = try #require(changed.items.first)
        #expect(item.summary == "Status changed from recruiting to terminated (RECRUITING to TERMINATED) on 2026-12-02.")
        #expect(item.content?.contains("Why stopped: Sponsor decision to prioritise other indications.") == true)
        #expect(item.fields["previous_status"] == "RECRUITING")
        #expect(changed.checkpoint?.text == #"{"since":"2026-12-02","query":"Iovance Biotherapeutics||||"}"#)

        try server.answer([(query: ["filter.advanced": "RANGE[2026-12-02,MAX]"], fixture: "unchanged.json", status: 200, headers: [:])])
        let again = try await harness.poll()
        #expect(again.returned == 1)
        #expect(again.items.isEmpty, "nothing changed since")
        let last = try #require(try await server.requests(http).last)
        #expect(last.query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-12-02,MAX]")
        #expect(try await server.requests(http).count == 4, "one request per page, no more")
    }

    @Test func postedResultsAreAChange() async throws {
        try server.answer("completed.json")
        let harness = try harness()
        #expect(try await harness.poll().items.map(\.id) == ["NCT04614103/COMPLETED"])
        try server.answer("page2.json")
        let poll = try await harness.poll()
        #expect(poll.items.map(\.id) == ["NCT04614103/COMPLETED/results"])
        #expect(poll.items.first?.summary == "Results posted on 2026-11-25.")
    }

    @Test func anEmptyAnswerKeepsTheCursor() async throws {
        try server.answer("empty.json")
        let harness = try harness()
        try await harness.storeCheckpoint(Checkpoint(text: #"{"since":"2026-12-01","query":"Iovance Biotherapeutics||||"}"#))
        let poll = try await harness.poll()
        #expect(poll.returned == 0)
        #expect(try await harness.checkpoint()?.text == #"{"since":"2026-12-01","query":"Iovance Biotherapeutics||||"}"#)
        #expect(try await server.requests(http).last?.query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-12-01,MAX]")
    }

    @Test func aChangedQueryStartsFromTheLookbackAgain() async throws {
        try server.answer("empty.json")
        let harness = try harness([("condition", "melanoma")])
        try await harness.storeCheckpoint(Checkpoint(text: #"{"since":"2026-12-01","query":"Iovance Biotherapeutics||||"}"#))
        try await harness.poll()
        #expect(try await server.requests(http).last?.query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-11-06,MAX]")
        #expect(try await harness.checkpoint()?.text == #"{"since":"2026-11-06","query":"Iovance Biotherapeutics|melanoma|||"}"#)
    }

    @Test func rateLimitingWaitsAsTheServerAsks() async throws {
        try server.answer("empty.json", status: 429, headers: ["Retry-After": "90"])
        let error = await #expect(throws: PollError.self) { try await trialsSource(server.base).poll(context: LogCapture().context(http: http), state: NothingSeen()) }
        #expect(error?.retryAfter == .seconds(90))
        #expect(error?.description.hasSuffix("answered HTTP 429") == true)
    }

    @Test func errorsAndMalformedAnswersFailThePollClearly() async throws {
        let context = LogCapture().context(http: http)
        try server.answer("empty.json", status: 500)
        let serverError = await #expect(throws: PollError.self) { try await trialsSource(server.base).poll(context: context, state: NothingSeen()) }
        #expect(serverError?.isRetryable == true)
        try server.answer("empty.json", status: 400)
        let badRequest = await #expect(throws: PollError.self) { try await trialsSource(server.base).poll(context: context, state: NothingSeen()) }
        #expect(badRequest?.isRetryable == false)
        try server.answer("malformed.json")
        let malformed = await #expect(throws: PollError.self) { try await trialsSource(server.base).poll(context: context, state: NothingSeen()) }
        #expect(malformed?.description.contains("did not answer ClinicalTrials.gov API v2 JSON: not JSON") == true)
        try server.answer("wrong-shape.json")
        let shape = await #expect(throws: PollError.self) { try await trialsSource(server.base).poll(context: context, state: NothingSeen()) }
        #expect(shape?.description.contains("'studies' has the wrong type") == true, "\(String(describing: shape))")
    }

    @Test func aFailureOnALaterPageKeepsTheEarlierPagesAndTheCursor() async throws {
        try server.answer([
            (query: ["pageToken": "NF0g5JGBlPMuxOMdbRKJ"], fixture: "malformed.json", status: 200, headers: [:]),
            (query: ["pageToken": nil], fixture: "page1.json", status: 200, headers: [:]),
        ])
        let harness = try harness()
        await #expect(throws: PollError.self) { try await harness.poll() }
        #expect(try await harness.checkpoint() == nil, "the cursor moves only when the poll succeeds")
        let seen = try await harness.state().versions(of: ["NCT05727904/RECRUITING", "NCT06111111/RECRUITING"])
        #expect(seen.count == 2, "the first page was committed")
    }
}

@Suite struct ClinicalTrialsOptions {
    @Test func nothingToWatchAndBadValuesAreReported() {
        let error = #expect(throws: ConfigErrors.self) {
            try ClinicalTrialsSource(configuration: PluginConfiguration(name: "t", options: pluginOptions(
                [("nct_ids", ["NCT123", "NCT01234567"]), ("page_size", "5000"), ("base_url", "ftp://x/"), ("sponser", "X")],
                what: "clinicaltrials source 't'")))
        }
        #expect(error?.diagnostics.map(\.message) == [
            "'nct_ids': 'NCT123' is not an NCT number such as NCT01234567",
            "'page_size': must be between 1 and 1000, found 5000",
            "'base_url': must be an http:// or https:// URL, found 'ftp://x'",
            "unknown key 'sponser' in clinicaltrials source 't'; did you mean 'sponsor'?",
        ])
        let empty = #expect(throws: ConfigErrors.self) {
            try ClinicalTrialsSource(configuration: PluginConfiguration(name: "t", options: pluginOptions([], what: "clinicaltrials source 't'")))
        }
        #expect(empty?.diagnostics.map(\.message) == [
            "says nothing to watch: give at least one of sponsor, condition, intervention, terms or nct_ids",
        ])
    }

    @Test func theQueryAsksForWhatTheOptionsSay() throws {
        let source = try ClinicalTrialsSource(configuration: PluginConfiguration(name: "t", options: pluginOptions(
            [("condition", "multiple myeloma"), ("intervention", "CAR-T"), ("terms", "BCMA"), ("nct_ids", ["NCT01234567", "NCT07654321"]),
             ("page_size", "50")], what: "clinicaltrials source 't'")))
        let url = source.requestURL(since: "2026-12-01", pageToken: nil)
        #expect(url.hasPrefix("https://clinicaltrials.gov/api/v2/studies?format=json&query.cond=multiple%20myeloma&query.intr=CAR-T&query.term=BCMA"))
        #expect(url.contains("&filter.ids=NCT01234567%2CNCT07654321&filter.advanced=AREA%5BLastUpdatePostDate%5DRANGE%5B2026-12-01%2CMAX%5D"))
        #expect(url.contains("&pageSize=50&fields=NCTId%2CBriefTitle"))
    }
}
