import Foundation
import Logging
import PharosCore
import PharosText

/// Watches one company's filings on SEC EDGAR (8-K by default) through EDGAR's JSON
/// submissions API (`data.sec.gov/submissions/CIK##########.json`), and fetches each new
/// filing's primary document so rules match on its text; an 8-K's item numbers and their
/// titles are in the item. EDGAR requires a User-Agent naming the requester with a contact
/// e-mail address (`user_agent`, required), and at most 10 requests a second.
public struct EdgarSource: Source {
    public static let typeName = "edgar"

    public let cik: String?
    public let ticker: String?
    public let forms: [String]
    public let includeAmendments: Bool
    public let userAgent: String
    public let fetchDocuments: Bool
    public let maxFilings: Int
    public let initialLookback: Duration
    public let maxDocumentBytes: Int
    public let timeout: Duration
    public let hostSpacing: Duration
    /// Where the submissions API, the archives and company_tickers.json are; nil: SEC's hosts.
    public let baseURL: String?

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        let cikText = options.string("cik")
        ticker = options.string("ticker").map { $0.uppercased() }
        if let cikText, !(1...10).contains(cikText.count) || !cikText.allSatisfy({ $0.isASCII && $0.isNumber }) {
            options.problem("must be the company's Central Index Key, up to 10 digits (0001425205 or 1425205), found '\(cikText)'", key: "cik")
        }
        cik = cikText.map(Self.padded)
        if cikText == nil && (ticker?.isEmpty ?? true) {
            options.problem("says no company: give 'cik' (the Central Index Key) or 'ticker' (looked up in SEC's company_tickers.json)")
        }
        if cikText != nil && ticker != nil { options.problem("give 'cik' or 'ticker', not both", key: "ticker") }
        forms = (options.stringList("forms") ?? ["8-K"]).map { $0.uppercased() }
        if forms.isEmpty { options.problem("must name at least one form, such as 8-K, 10-K, 10-Q, S-1 or 6-K", key: "forms") }
        includeAmendments = options.bool("include_amendments", default: true)
        let agent = options.string("user_agent")
        userAgent = agent ?? ""
        if agent == nil {
            options.problem("needs 'user_agent': SEC EDGAR refuses requests without a User-Agent that names you and a contact e-mail address, such as user_agent: \"Acme Research admin@acme.example\"")
        } else if !Self.hasContactAddress(userAgent) {
            options.problem("must name you and a contact e-mail address, as SEC EDGAR requires (such as \"Acme Research admin@acme.example\"), found '\(userAgent)'", key: "user_agent")
        }
        fetchDocuments = options.bool("fetch_documents", default: true)
        maxFilings = options.int("max_filings", default: 10, in: 1...1000)
        initialLookback = options.duration("initial_lookback", default: .seconds(30 * 86_400), minimum: .seconds(86_400))
        maxDocumentBytes = Int(options.byteSize("max_document_bytes", default: 10_000_000))
        timeout = options.duration("timeout", default: .seconds(30), minimum: .seconds(1))
        hostSpacing = options.duration("host_spacing", default: .milliseconds(250))
        let base = options.string("base_url").map { text in text.hasSuffix("/") ? String(text.dropLast()) : text }
        if let base, !(URL(string: base)?.scheme.map { ["http", "https"].contains($0.lowercased()) } ?? false) || URL(string: base)?.host == nil {
            options.problem("must be an http:// or https:// URL, found '\(Redaction.url(base))'", key: "base_url")
        }
        baseURL = base
        try options.validate()
    }

    static func padded(_ cik: String) -> String { String(repeating: "0", count: max(0, 10 - cik.count)) + cik }

    /// Whether `text` holds something shaped like an e-mail address (`name@host.tld`).
    static func hasContactAddress(_ text: String) -> Bool {
        text.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "<" || $0 == ">" || $0 == "+" || $0 == ";" }).contains { word in
            let parts = word.replacingOccurrences(of: "mailto:", with: "").split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
        }
    }

    var submissionsBase: String { baseURL ?? "https://data.sec.gov" }
    var archivesBase: String { baseURL ?? "https://www.sec.gov" }

    /// What the engine keeps between polls: the CIK a ticker resolved to, with the ticker (so
    /// company_tickers.json is read once, and again when the configured ticker changes).
    /// Filings are told apart by their accession numbers, which the engine remembers as item ids.
    struct Company: Codable, Equatable {
        var cik: String
        var ticker: String?
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        try await ItemChunks.collect { output in try await poll(context: context, state: state, into: &output) }
    }

    public func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        let company = try await resolveCIK(context: context, state: state)
        let url = "\(submissionsBase)/submissions/CIK\(company).json"
        let body = try await fetch(url, context: context, limit: 50_000_000)
        let submissions: Submissions
        do {
            submissions = try JSONDecoder().decode(Submissions.self, from: Data(body))
        } catch {
            throw PollError.permanent("\(Redaction.url(url)) did not answer EDGAR submissions JSON: \(DecodingProblem.explain(error))")
        }
        let filings: [Filing]
        do {
            filings = try submissions.recentFilings()
        } catch {
            throw PollError.permanent("\(Redaction.url(url)) answered inconsistent EDGAR submissions JSON: \(error)")
        }
        // A first poll (nothing stored yet) leaves out filings older than initial_lookback, so
        // a new source does not alert on last year's 8-Ks.
        let oldest = state.checkpoint == nil
            ? String(ISO8601.string(from: context.now().addingTimeInterval(-initialLookback.seconds)).prefix(10)) : ""
        let wanted = Array(filings.filter { isWanted($0) && $0.filingDate >= oldest }.prefix(maxFilings))
        let known = try await state.versions(of: wanted.map(\.accessionNumber))
        // Oldest first, so a poll cut short has handed over everything before the failure.
        for filing in wanted.reversed() where known[filing.accessionNumber] == nil {
            var text: String?
            if fetchDocuments, !filing.primaryDocument.isEmpty {
                text = try await documentText(of: filing, cik: company, context: context)
            }
            try await output.add(filing.item(company: submissions, cik: company, documentText: text, archives: archivesBase))
            try await output.flush()
        }
        return try Checkpoint(Company(cik: company, ticker: cik == nil ? ticker : nil))
    }

    func isWanted(_ filing: Filing) -> Bool {
        let form = filing.form.uppercased()
        if forms.contains(form) { return true }
        return includeAmendments && form.hasSuffix("/A") && forms.contains(String(form.dropLast(2)))
    }

    /// The CIK, padded to 10 digits: the configured one, the one a ticker resolved to before,
    /// or the ticker looked up in company_tickers.json.
    func resolveCIK(context: PluginContext, state: any SourceState) async throws -> String {
        if let cik { return cik }
        if let stored = state.checkpoint?.decode(Company.self), !stored.cik.isEmpty, stored.ticker == ticker { return stored.cik }
        let ticker = ticker ?? ""
        let url = "\(archivesBase)/files/company_tickers.json"
        let body = try await fetch(url, context: context, limit: 50_000_000)
        let table: [String: TickerEntry]
        do {
            table = try JSONDecoder().decode([String: TickerEntry].self, from: Data(body))
        } catch {
            throw PollError.permanent("\(Redaction.url(url)) did not answer EDGAR's ticker table: \(DecodingProblem.explain(error))")
        }
        guard let entry = table.values.first(where: { $0.ticker.uppercased() == ticker }) else {
            throw PollError.permanent("ticker \(ticker) is not in SEC's company_tickers.json; give 'cik' instead")
        }
        return Self.padded(String(entry.cik_str))
    }

    private func fetch(_ url: String, context: PluginContext, limit: Int) async throws -> [UInt8] {
        let response = try await context.http.send(HTTPRequest(
            url: url, headers: [("Accept-Encoding", "gzip, deflate")], timeout: timeout, maxResponseBytes: limit,
            userAgent: userAgent, hostSpacing: hostSpacing))
        if response.status == 403 {
            throw PollError.retryable("\(Redaction.url(url)) answered HTTP 403: EDGAR refuses undeclared tools and clients over 10 requests a second; check user_agent")
        }
        if let failure: PollError = response.failure(from: Redaction.url(url), now: context.now()) { throw failure }
        return response.body
    }

    /// The primary document as plain text; nil (logged) when it is gone, so the filing is still
    /// an item. Failures that may pass (429, 5xx, network) fail the poll: the filing is tried
    /// again with its document on the next one.
    private func documentText(of filing: Filing, cik: String, context: PluginContext) async throws -> String? {
        let url = filing.documentURL(cik: cik, archives: archivesBase)
        do {
            let body = try await fetch(url, context: context, limit: maxDocumentBytes)
            let text = String(decoding: body, as: UTF8.self)
            let lower = filing.primaryDocument.lowercased()
            return lower.hasSuffix(".htm") || lower.hasSuffix(".html") || lower.hasSuffix(".xml") ? HTMLText.plainText(from: text) : text
        } catch let error as PollError where !error.isRetryable {
            context.logger.warning("filing document not available; the item has the filing's index data only",
                                   metadata: ["accession": "\(filing.accessionNumber)", "error": "\(error)"])
            return nil
        }
    }
}
