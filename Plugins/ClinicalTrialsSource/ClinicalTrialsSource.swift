import Foundation
import Logging
import PharosCore
import PharosText

/// Watches ClinicalTrials.gov (its public API v2, JSON) for new and changed studies of a
/// sponsor, condition, intervention, search terms or NCT ids. Each poll asks only for studies
/// whose record was posted as updated since the last one (`filter.advanced` on
/// `LastUpdatePostDate`), page by page, and turns a change that matters (a new study, a new
/// overall status, results posted) into a new item whose text says what changed.
public struct ClinicalTrialsSource: Source {
    public static let typeName = "clinicaltrials"

    public let sponsor: String?
    public let condition: String?
    public let intervention: String?
    public let terms: String?
    public let nctIDs: [String]
    public let initialLookback: Duration
    public let pageSize: Int
    public let maxPages: Int
    public let baseURL: String
    public let userAgent: String?
    public let timeout: Duration
    public let hostSpacing: Duration

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        sponsor = options.string("sponsor")
        condition = options.string("condition")
        intervention = options.string("intervention")
        terms = options.string("terms")
        nctIDs = options.stringList("nct_ids") ?? []
        for id in nctIDs where !Self.isNCTID(id) {
            options.problem("'\(id)' is not an NCT number such as NCT01234567", key: "nct_ids")
        }
        if [sponsor, condition, intervention, terms].allSatisfy({ $0?.isEmpty ?? true }) && nctIDs.isEmpty {
            options.problem("says nothing to watch: give at least one of sponsor, condition, intervention, terms or nct_ids")
        }
        initialLookback = options.duration("initial_lookback", default: .seconds(30 * 86_400), minimum: .seconds(86_400))
        pageSize = options.int("page_size", default: 100, in: 1...1000)
        maxPages = options.int("max_pages", default: 20, in: 1...1000)
        baseURL = Self.trimmedBase(options.string("base_url") ?? "https://clinicaltrials.gov/api/v2")
        if let scheme = URL(string: baseURL)?.scheme?.lowercased(), scheme == "http" || scheme == "https", URL(string: baseURL)?.host != nil {
        } else {
            options.problem("must be an http:// or https:// URL, found '\(Redaction.url(baseURL))'", key: "base_url")
        }
        userAgent = options.string("user_agent")
        timeout = options.duration("timeout", default: .seconds(30), minimum: .seconds(1))
        hostSpacing = options.duration("host_spacing", default: .seconds(2))
        try options.validate()
    }

    static func isNCTID(_ text: String) -> Bool {
        text.count == 11 && text.hasPrefix("NCT") && text.dropFirst(3).allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func trimmedBase(_ text: String) -> String {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// What the engine keeps between polls: the newest `LastUpdatePostDate` (a day, `2026-12-01`)
    /// of the studies handed over, and the query it was for; the next poll asks for studies
    /// updated on or after it, or from `initial_lookback` ago when the query has changed.
    struct Cursor: Codable, Equatable {
        var since: String
        var query: String?
    }

    /// What the options ask for, to tell a stored cursor of another query.
    var query: String {
        [sponsor ?? "", condition ?? "", intervention ?? "", terms ?? "", nctIDs.joined(separator: ",")].joined(separator: "|")
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        try await ItemChunks.collect { output in try await poll(context: context, state: state, into: &output) }
    }

    public func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        let stored = state.checkpoint?.decode(Cursor.self)
        let start = (stored?.query == query ? stored?.since : nil)
            ?? String(ISO8601.string(from: context.now().addingTimeInterval(-initialLookback.seconds)).prefix(10))
        var newest = start
        var token: String?
        var pages = 0
        repeat {
            let url = requestURL(since: start, pageToken: token)
            let response = try await context.http.send(HTTPRequest(
                url: url, headers: [("Accept", "application/json")], timeout: timeout, maxResponseBytes: 50_000_000,
                userAgent: userAgent, hostSpacing: hostSpacing))
            if let failure: PollError = response.failure(from: Redaction.url(url), now: context.now()) { throw failure }
            let page: StudiesPage
            do {
                page = try JSONDecoder().decode(StudiesPage.self, from: Data(response.body))
            } catch {
                throw PollError.permanent("\(Redaction.url(url)) did not answer ClinicalTrials.gov API v2 JSON: \(DecodingProblem.explain(error))")
            }
            let studies = page.studies.compactMap(StudyRecord.init)
            let known = try await state.versions(of: studies.flatMap(\.candidateIDs))
            for study in studies {
                try await output.add(study.item(known: known))
                if study.lastUpdate > newest { newest = study.lastUpdate }
            }
            // Each page is committed before the next is asked for: a failure later in the poll
            // keeps what was read, and the next poll finds those studies seen.
            try await output.flush()
            token = page.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
        } while token != nil && pages < maxPages
        if token != nil {
            context.logger.notice("more pages than max_pages; the next poll goes on from the newest update read",
                                  metadata: ["pages": "\(pages)", "since": "\(newest)"])
        }
        return try Checkpoint(Cursor(since: newest, query: query))
    }

    /// `studies?…` for the studies updated on or after `since`, oldest update first.
    public func requestURL(since: String, pageToken: String?) -> String {
        var query: [(String, String)] = [("format", "json")]
        if let sponsor, !sponsor.isEmpty { query.append(("query.spons", sponsor)) }
        if let condition, !condition.isEmpty { query.append(("query.cond", condition)) }
        if let intervention, !intervention.isEmpty { query.append(("query.intr", intervention)) }
        if let terms, !terms.isEmpty { query.append(("query.term", terms)) }
        if !nctIDs.isEmpty { query.append(("filter.ids", nctIDs.joined(separator: ","))) }
        query.append(("filter.advanced", "AREA[LastUpdatePostDate]RANGE[\(since),MAX]"))
        query.append(("sort", "LastUpdatePostDate:asc"))
        query.append(("pageSize", String(pageSize)))
        query.append(("fields", StudyRecord.fields.joined(separator: ",")))
        if let pageToken { query.append(("pageToken", pageToken)) }
        return baseURL + "/studies?" + query.map { "\($0.0)=\(Self.encoded($0.1))" }.joined(separator: "&")
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
