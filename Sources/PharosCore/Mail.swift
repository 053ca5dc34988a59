import Foundation

/// How the connection to a mail server is protected.
public enum MailSecurity: String, Sendable, Equatable, CaseIterable {
    /// A plain connection upgraded with STARTTLS before anything else is said; a server
    /// that does not offer STARTTLS is refused, so nothing goes out in clear text.
    case startTLS = "starttls"
    /// TLS from the first byte (`smtps://`, usually port 465).
    case implicitTLS = "implicit"
    /// No TLS at all: only for a relay on a trusted network, and only when asked for.
    case none
}

/// A user name and password for SMTP AUTH. The password is kept out of every description,
/// debug description and mirror, so printing or dumping the value cannot leak it.
public struct MailCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The login name.
    public var username: String
    /// The password; read it only to hand it to the transport.
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username) (password hidden)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "(hidden)"]) }
}

/// A mail server to submit messages to, and how to reach it.
public struct MailServer: Sendable, Equatable {
    /// `smtp://host[:port]` or `smtps://host[:port]`; an optional path is the EHLO name.
    public var url: String
    /// How the connection is protected; must agree with the scheme (`smtps` is implicit TLS).
    public var security: MailSecurity
    /// Login for SMTP AUTH, if the server wants one.
    public var credentials: MailCredentials?
    /// A CA bundle for a private certificate authority; certificates are always verified.
    public var caFile: String?
    /// The whole submission, from connecting to the server's last reply.
    public var timeout: Duration
    /// Connecting (and the TLS handshake) alone.
    public var connectTimeout: Duration

    public init(
        url: String, security: MailSecurity, credentials: MailCredentials? = nil, caFile: String? = nil,
        timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(15)
    ) {
        self.url = url
        self.security = security
        self.credentials = credentials
        self.caFile = caFile
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// `host:port` with the scheme's default port filled in (25 for smtp, 465 for smtps);
    /// what logs and summaries name, never a secret.
    public var hostAndPort: String {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return url }
        let port = components.port ?? (components.scheme?.lowercased() == "smtps" ? 465 : 25)
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// One message to submit: the SMTP envelope and the message itself.
public struct MailMessage: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`), a bare address such as `pharos@example.org`.
    public var sender: String
    /// The envelope recipients (`RCPT TO`), bare addresses; `Bcc` goes only here.
    public var recipients: [String]
    /// The complete RFC 5322 message, headers and body, lines ending in CRLF.
    public var data: [UInt8]

    public init(sender: String, recipients: [String], data: [UInt8]) {
        self.sender = sender
        self.recipients = recipients
        self.data = data
    }
}

/// Why a submission failed: the server's reply code where there was one, and whether trying
/// again later can help. Its text never contains a password.
public struct MailFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in the categories that decide what to do next.
    public enum Kind: Sendable, Equatable {
        /// Resolving, connecting, or the connection broke off.
        case connection
        /// The server did not answer in time.
        case timeout
        /// The TLS handshake failed or the certificate did not verify.
        case tls
        /// STARTTLS was required and the server does not offer it: nothing was sent.
        case startTLSUnavailable
        /// The server refused the login.
        case authentication
        /// The server answered a command with an error reply (see ``MailFailure/replyCode``).
        case rejected
        /// The submission was cancelled (the daemon is stopping).
        case cancelled
        /// The request itself cannot work: a malformed URL, an unsupported scheme, no transport.
        case invalid
        /// Anything else.
        case other
    }

    /// The category of the failure.
    public var kind: Kind
    /// The SMTP reply code that ended the submission (451, 550, 535 ...), if the server sent one.
    public var replyCode: Int?
    /// What happened, for logs: the server's reply text or the transport's explanation.
    public var message: String

    public init(kind: Kind, replyCode: Int? = nil, message: String) {
        self.kind = kind
        self.replyCode = replyCode
        self.message = message
    }

    /// Whether trying again later can help: SMTP 4xx replies, connection trouble, timeouts,
    /// TLS trouble and cancellation are retryable; SMTP 5xx replies, a server without the
    /// required STARTTLS and invalid requests are permanent.
    public var isRetryable: Bool {
        if let replyCode, (400..<600).contains(replyCode) { return replyCode < 500 }
        switch kind {
        case .connection, .timeout, .tls, .cancelled, .other: return true
        case .startTLSUnavailable, .authentication, .rejected, .invalid: return false
        }
    }

    public var description: String { message }
}

/// Submits mail; plugins get one through their context so tests can substitute it.
public protocol MailTransport: Sendable {
    /// Submits `message` to `server`; returns once the server accepted it for delivery.
    func send(_ message: MailMessage, via server: MailServer) async throws(MailFailure)
}

/// A transport for contexts that have none: every submission fails, saying why.
public struct NoMailTransport: MailTransport {
    public init() {}

    public func send(_ message: MailMessage, via server: MailServer) async throws(MailFailure) {
        throw MailFailure(kind: .invalid, message: "no mail transport is configured")
    }
}
