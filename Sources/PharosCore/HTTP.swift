import Foundation
import PharosSupport

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
    /// At least this long between the starts of two requests to the same host that ask
    /// for spacing (feed polls), so feeds sharing a host are not hit at the same instant.
    public var hostSpacing: Duration?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10), maxResponseBytes: Int = 20_000_000,
        maxRedirects: Int = 5, userAgent: String? = nil, caFile: String? = nil, hostSpacing: Duration? = nil
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
        self.hostSpacing = hostSpacing
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
    ///
    /// Header names are ASCII tokens: the standard library's lower-casing does, where
    /// Foundation's `caseInsensitiveCompare` kept CoreFoundation and ICU code resident in an
    /// idle daemon (every RSS poll looks up its validators).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }

    /// `Retry-After` as a delay: seconds, or an HTTP date relative to `now`.
    public func retryAfter(now: Date = Date()) -> Duration? {
        guard let value = header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        guard let date = HTTPDate.parse(value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}

extension HTTPResponse {
    /// What the status says about the request, the same for every source and sink:
    /// 2xx succeeded; 408, 429 and 5xx may succeed later (after `Retry-After` when the peer
    /// sent one); anything else will not, until something changes. A source that sent a
    /// conditional request reads 304 before asking.
    public enum Outcome: Sendable, Equatable {
        case success
        case retryable(retryAfter: Duration?)
        case permanent
    }

    /// The ``Outcome`` of this response; `now` dates a `Retry-After` given as an HTTP date.
    public func outcome(now: Date = Date()) -> Outcome {
        switch status {
        case 200..<300: .success
        case 408, 429, 500..<600: .retryable(retryAfter: retryAfter(now: now))
        default: .permanent
        }
    }

    /// nil when the request succeeded; otherwise the failure, as
    /// "`peer` answered HTTP `status`" (`peer` is what logs may show: a redacted URL).
    public func failure<Failure: PluginFailure>(from peer: String, now: Date = Date()) -> Failure? {
        let reason = "\(peer) answered HTTP \(status)"
        switch outcome(now: now) {
        case .success: return nil
        case .retryable(let retryAfter): return .retryable(reason, retryAfter: retryAfter)
        case .permanent: return .permanent(reason)
        }
    }
}

/// Sends HTTP requests; plugins get one through their context so tests can substitute it.
public protocol HTTPTransport: Sendable {
    /// Sends `request`; any HTTP status is a response, only transport failures throw
    /// (``TransferError``).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A transfer failed before a response was complete (network, TLS, limits, cancellation).
public struct TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in categories callers decide on.
    public enum Kind: Sendable, Equatable {
        case couldNotResolve, couldNotConnect, timedOut, tls, tooLarge, tooManyRedirects, cancelled
        case interrupted, smtpRejected, other
    }

    public var kind: Kind
    public var message: String
    /// The transport's own error code, for logs.
    public var code: Int

    public init(kind: Kind, message: String, code: Int) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }

    /// Whether trying again later can help (network trouble, or a transfer cut short by
    /// shutdown), as opposed to a request that will always fail the same way.
    public var isRetryable: Bool {
        switch kind {
        case .couldNotResolve, .couldNotConnect, .timedOut, .interrupted, .tls, .cancelled, .other: true
        case .tooLarge, .tooManyRedirects, .smtpRejected: false
        }
    }
}


/// A transport for contexts that have none: every request fails, saying why.
public struct NoHTTPTransport: HTTPTransport {
    public init() {}

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw TransferError(kind: .other, message: "no HTTP transport is configured", code: -1)
    }
}
