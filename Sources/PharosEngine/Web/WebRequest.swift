import Foundation

/// A GET (or HEAD) that the listener of `/metrics` hands to the web pages.
public struct WebRequest: Sendable {
    /// The path, percent-decoded, without the query.
    public var path: String
    /// The query's parameters, percent-decoded (`+` is a space); the first of a repeated name wins,
    /// and an empty value counts as absent.
    public var query: [String: String]
    /// The `Host` header, for the absolute links a feed needs.
    public var host: String?

    public init(path: String, query: [String: String] = [:], host: String? = nil) {
        self.path = path
        self.query = query
        self.host = host
    }

    /// Reads the request line and headers of `head`; nil for what is no GET or HEAD of a path.
    init?(head: [UInt8]) {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2, requestLine[0] == "GET" || requestLine[0] == "HEAD", requestLine[1].hasPrefix("/") else { return nil }
        let target = requestLine[1]
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(pathPart[0]).removingPercentEncoding ?? String(pathPart[0])
        query = [:]
        if pathPart.count > 1 {
            for pair in pathPart[1].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ text: Substring) -> String {
                    let spaced = text.replacingOccurrences(of: "+", with: " ")
                    return spaced.removingPercentEncoding ?? spaced
                }
                let name = decode(parts[0])
                let value = parts.count > 1 ? decode(parts[1]).trimmingCharacters(in: .whitespaces) : ""
                if !value.isEmpty, query[name] == nil { query[name] = value }
            }
        }
        host = lines.dropFirst().first { $0.lowercased().hasPrefix("host:") }
            .map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }
    }
}

/// What a page answers.
public struct WebResponse: Sendable {
    /// `200 OK`, `404 Not Found`, …
    public var status: String
    public var contentType: String
    public var body: [UInt8]

    public init(status: String = "200 OK", contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public init(status: String = "200 OK", contentType: String, text: String) {
        self.init(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// Pages served beside `/metrics` (``MetricsServer``): answers GETs of every path but
/// `/metrics`, `/healthz` and `/livez`, on the cooperative pool, never on the listener's thread.
public protocol WebHandler: Sendable {
    /// The answer to `request`; nil when no page has its path (the listener answers 404).
    func answer(_ request: WebRequest) async -> WebResponse?
}
