import Foundation
import Logging
import PharosCore
import PharosFeeds

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

    /// What the engine keeps between polls: the validators of the last full response, as a
    /// JSON object (`{"etag":…,"lastModified":…}`).
    ///
    /// Read and written by hand: this runs on every poll, and Foundation's JSON coders kept
    /// about a megabyte of their code resident in an otherwise idle daemon. Anything the
    /// small reader does not understand goes to `JSONDecoder`.
    struct Validators: Codable, Equatable {
        var etag: String?
        var lastModified: String?

        init(etag: String?, lastModified: String?) {
            self.etag = etag
            self.lastModified = lastModified
        }

        /// The validators in `checkpoint`; nil when it holds none or is not such an object.
        init?(checkpoint: String) {
            if let fields = FlatJSON.stringFields(checkpoint) {
                etag = fields["etag"]
                lastModified = fields["lastModified"]
            } else if let decoded = try? JSONDecoder().decode(Validators.self, from: Data(checkpoint.utf8)) {
                self = decoded
            } else {
                return nil
            }
        }

        /// The checkpoint text; nil when there is nothing to keep.
        var checkpoint: String? {
            var fields: [(String, JSONWriter.Value)] = []
            if let etag { fields.append(("etag", .string(etag))) }
            if let lastModified { fields.append(("lastModified", .string(lastModified))) }
            return fields.isEmpty ? nil : JSONWriter.encode(.object(fields))
        }
    }

    public func poll(context: PluginContext, state: any SourceState) async throws -> PollResult {
        let previous = state.checkpoint.flatMap(Validators.init(checkpoint:))
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
        return PollResult(items: items, checkpoint: validators.checkpoint)
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

/// Reads the one JSON shape a checkpoint has: an object whose values are strings.
enum FlatJSON {
    /// The fields of a JSON object whose values are all strings (or null); nil for anything
    /// else, and for escapes this reader leaves to a full JSON parser (\u outside ASCII).
    static func stringFields(_ text: String) -> [String: String]? {
        var bytes = Array(text.utf8)[...]
        func skipSpace() { while let byte = bytes.first, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { bytes.removeFirst() } }
        func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard bytes.first == byte else { return false }
            bytes.removeFirst()
            return true
        }
        func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var value: [UInt8] = []
            while let byte = bytes.popFirst() {
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = bytes.popFirst() else { return nil }
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): value.append(escaped)
                    case UInt8(ascii: "n"): value.append(0x0A)
                    case UInt8(ascii: "r"): value.append(0x0D)
                    case UInt8(ascii: "t"): value.append(0x09)
                    case UInt8(ascii: "b"): value.append(0x08)
                    case UInt8(ascii: "f"): value.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard bytes.count >= 4, let code = UInt8(String(decoding: bytes.prefix(4), as: UTF8.self), radix: 16),
                              code < 0x80 else { return nil }
                        bytes.removeFirst(4)
                        value.append(code)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: value.append(byte)
                }
            }
            return nil
        }
        guard take(UInt8(ascii: "{")) else { return nil }
        var fields: [String: String] = [:]
        if take(UInt8(ascii: "}")) { skipSpace(); return bytes.isEmpty ? fields : nil }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            if bytes.starts(with: "null".utf8) {
                bytes.removeFirst(4)
            } else {
                guard let value = string() else { return nil }
                fields[key] = value
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipSpace()
        return bytes.isEmpty ? fields : nil
    }
}
