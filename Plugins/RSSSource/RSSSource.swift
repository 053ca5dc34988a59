import Foundation
import Logging
import PharosCore
import PharosFeeds
import PharosText

/// Polls an RSS, Atom or JSON Feed over HTTP, politely: conditional GET (ETag and
/// Last-Modified kept in the engine's state), gzip, timeouts, a size limit, spacing between
/// requests to one host, and Retry-After honoured.
public struct RSSSource: Source {
    public static let typeName = "rss"

    public let url: String
    public let headers: [(name: String, value: String)]
    public let userAgent: String?
    public let timeout: Duration
    public let maxBytes: Int
    public let fetchFullText: Bool
    public let hostSpacing: Duration
    public let caFile: String?

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        url = options.requiredString("url")
        if !url.isEmpty {
            let scheme = URL(string: url)?.scheme?.lowercased()
            if scheme != "http" && scheme != "https" || URL(string: url)?.host == nil {
                options.problem("must be an http:// or https:// URL, found '\(Redaction.url(url))'", key: "url")
            }
        }
        headers = (options.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        userAgent = options.string("user_agent")
        timeout = options.duration("timeout", default: .seconds(30), minimum: .seconds(1))
        maxBytes = Int(options.byteSize("max_bytes", default: 20_000_000))
        fetchFullText = options.bool("fetch_full_text", default: false)
        hostSpacing = options.duration("host_spacing", default: .seconds(2))
        caFile = options.path("ca_file")?.path
        try options.validate()
    }

    /// What the engine keeps between polls: the validators of the last full response, stored
    /// as `{"etag":…,"lastModified":…}` (``Checkpoint``).
    struct Validators: Codable, Equatable {
        var etag: String?
        var lastModified: String?
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        let previous = state.checkpoint?.decode(Validators.self)
        var requestHeaders = headers
        if let etag = previous?.etag { requestHeaders.append(("If-None-Match", etag)) }
        if let lastModified = previous?.lastModified { requestHeaders.append(("If-Modified-Since", lastModified)) }
        let response = try await context.http.send(request(url, headers: requestHeaders))
        if response.status == 304 { return PollResult(items: []) }
        if let failure: PollError = response.failure(from: Redaction.url(url), now: context.now()) { throw failure }
        let feed = FeedParser.parse(Data(response.body), url: URL(string: response.url.isEmpty ? url : response.url))
        if !feed.wellFormed {
            guard feed.isReadable() else {
                throw PollError.permanent("\(Redaction.url(url)) did not return a readable feed: \(feed.warnings.first ?? "no items")")
            }
            context.logger.warning("feed is not well-formed; using what could be recovered",
                                   metadata: ["url": "\(Redaction.url(url))", "problem": "\(feed.warnings.first ?? "")", "items": "\(feed.items.count)"])
        }
        var items = feed.items.map { item -> Item in
            var item = item
            // The version follows what the feed says, so fetched article text never makes a seen item look new.
            item.version = item.effectiveVersion
            return item
        }
        if fetchFullText { items = await withFullText(items, context: context, state: state) }
        let validators = Validators(etag: response.header("ETag"), lastModified: response.header("Last-Modified"))
        // Without validators the previous ones are kept.
        return PollResult(items: items, checkpoint: validators == Validators() ? nil : try Checkpoint(validators))
    }

    private func request(_ target: String, headers: [(name: String, value: String)]) -> HTTPRequest {
        HTTPRequest(url: target, headers: headers, timeout: timeout, maxResponseBytes: maxBytes, userAgent: userAgent,
                    caFile: caFile, hostSpacing: hostSpacing)
    }

    /// Follows the link of each item not seen before, once, and matches on the article text.
    private func withFullText(_ items: [Item], context: PluginContext, state: any SourceState) async -> [Item] {
        let known = (try? await state.versions(of: items.map(\.id))) ?? [:]
        var result: [Item] = []
        for var item in items {
            if known[item.id] == nil, let link = item.link, link.hasPrefix("http") {
                do {
                    let page = try await context.http.send(request(link, headers: headers))
                    if (200..<300).contains(page.status) {
                        item.content = HTMLText.plainText(from: String(decoding: page.body, as: UTF8.self))
                    } else {
                        context.logger.warning("article fetch failed; matching on the feed text", metadata: ["link": "\(link)", "status": "\(page.status)"])
                    }
                } catch {
                    context.logger.warning("article fetch failed; matching on the feed text", metadata: ["link": "\(link)", "error": "\(error)"])
                }
            }
            result.append(item)
        }
        return result
    }
}
