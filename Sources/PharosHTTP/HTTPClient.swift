import CCurl
import Foundation
import PharosCore

/// One HTTP request.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Whole transfer, redirects included.
    public var timeout: Duration
    public var connectTimeout: Duration
    /// A larger response fails with ``TransferError/Kind/tooLarge``.
    public var maxResponseBytes: Int
    public var maxRedirects: Int
    /// Replaces the transport's default User-Agent.
    public var userAgent: String?
    /// A CA bundle for private certificate authorities; TLS verification is always on.
    public var caFile: String?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10), maxResponseBytes: Int = 20_000_000,
        maxRedirects: Int = 5, userAgent: String? = nil, caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
        self.userAgent = userAgent
        self.caFile = caFile
    }
}

/// The final response of a request (after redirects).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The decoded body (gzip, deflate and br are undone).
    public var body: [UInt8]
    /// Where the response came from after redirects.
    public var url: String

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The last value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `Retry-After` as a delay: seconds, or an HTTP date relative to `now`.
    public func retryAfter(now: Date = Date()) -> Duration? {
        guard let value = header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        guard let date = DateParsing.parse(value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

/// Sends HTTP requests; plugins get one through their context so tests can substitute it.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; any HTTP status is a response, only transport failures throw
    /// (``TransferError``).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// The real transport: libcurl, one shared multi handle, connections reused.
public struct CurlHTTPTransport: HTTPTransport {
    public let engine: CurlEngine
    public let defaultUserAgent: String

    /// The User-Agent Pharos sends unless configured otherwise.
    public static let standardUserAgent = "Pharos/\(PharosVersion.string) (news watcher; libcurl)"

    public init(engine: CurlEngine, defaultUserAgent: String = CurlHTTPTransport.standardUserAgent) {
        self.engine = engine
        self.defaultUserAgent = defaultUserAgent
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let outcome = try await engine.perform(limit: request.maxResponseBytes) { transfer in
            transfer.setString(CURLOPT_URL, request.url)
            transfer.setString(CURLOPT_PROTOCOLS_STR, "http,https")
            transfer.setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            transfer.setLong(CURLOPT_FOLLOWLOCATION, request.maxRedirects > 0 ? 1 : 0)
            transfer.setLong(CURLOPT_MAXREDIRS, request.maxRedirects)
            transfer.setLong(CURLOPT_TIMEOUT_MS, Int(request.timeout.seconds * 1000))
            transfer.setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.seconds * 1000))
            transfer.setString(CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode
            transfer.setString(CURLOPT_USERAGENT, request.userAgent ?? defaultUserAgent)
            transfer.setLong(CURLOPT_SSL_VERIFYPEER, 1)
            transfer.setLong(CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile = request.caFile { transfer.setString(CURLOPT_CAINFO, caFile) }
            pharos_setopt_off(transfer.handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes))
            transfer.setList(CURLOPT_HTTPHEADER, request.headers.map { "\($0.name): \($0.value)" })
            if let body = request.body {
                pharos_setopt_off(transfer.handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = body.withUnsafeBufferPointer { bytes in
                    // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                    pharos_setopt_pointer(transfer.handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!))
                }
            }
            if request.method != "GET" && !(request.method == "POST" && request.body != nil) {
                transfer.setString(CURLOPT_CUSTOMREQUEST, request.method)
            }
        }
        return HTTPResponse(status: outcome.responseCode, headers: outcome.headers, body: outcome.body, url: outcome.effectiveURL)
    }
}
