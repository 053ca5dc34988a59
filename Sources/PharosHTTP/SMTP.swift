import CCurl
import Foundation
import PharosCore

/// The real mail transport: libcurl's SMTP on the shared ``CurlEngine`` thread, so a slow
/// mail server never blocks Swift's cooperative pool.
///
/// Each submission is one connection: EHLO, STARTTLS when the server's security asks for it
/// (the transfer fails before anything else is said if the server does not offer it), AUTH
/// when credentials are given, then MAIL, RCPT for every recipient (one refused recipient
/// fails the whole submission), and DATA. Certificates are always verified.
public struct CurlMailTransport: MailTransport {
    public let engine: CurlEngine

    public init(engine: CurlEngine) {
        self.engine = engine
    }

    public func send(_ message: MailMessage, via server: MailServer) async throws(MailFailure) {
        let scheme = URLComponents(string: server.url)?.scheme?.lowercased()
        let wanted = server.security == .implicitTLS ? "smtps" : "smtp"
        guard scheme == wanted else {
            throw MailFailure(kind: .invalid, message: "\(server.hostAndPort): \(server.security.rawValue) TLS needs an \(wanted):// URL")
        }
        guard !message.recipients.isEmpty else {
            throw MailFailure(kind: .invalid, message: "\(server.hostAndPort): a message needs at least one recipient")
        }
        let addresses = [message.sender] + message.recipients
        if let bad = addresses.first(where: { address in address.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || $0 == "<" || $0 == ">" } }) {
            throw MailFailure(kind: .invalid, message: "\(server.hostAndPort): not a plain address: \(bad.debugDescription)")
        }
        let outcome: CurlEngine.Outcome
        do {
            outcome = try await engine.perform(limit: 1_000_000, reportFailures: true) { transfer in
                transfer.recordsReplies = true
                transfer.setString(CURLOPT_URL, server.url)
                transfer.setString(CURLOPT_PROTOCOLS_STR, wanted)
                transfer.setLong(CURLOPT_USE_SSL, Int(server.security == .none ? CURLUSESSL_NONE.rawValue : CURLUSESSL_ALL.rawValue))
                transfer.setLong(CURLOPT_SSL_VERIFYPEER, 1)
                transfer.setLong(CURLOPT_SSL_VERIFYHOST, 2)
                if let caFile = server.caFile { transfer.setString(CURLOPT_CAINFO, caFile) }
                transfer.setLong(CURLOPT_TIMEOUT_MS, max(1, Int(server.timeout.seconds * 1000)))
                transfer.setLong(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(server.connectTimeout, server.timeout).seconds * 1000)))
                if let credentials = server.credentials {
                    // libcurl copies both strings; no copy of the password stays with the transfer.
                    _ = credentials.username.withCString { pharos_setopt_string(transfer.handle, CURLOPT_USERNAME, $0) }
                    _ = credentials.password.withCString { pharos_setopt_string(transfer.handle, CURLOPT_PASSWORD, $0) }
                }
                transfer.setString(CURLOPT_MAIL_FROM, "<\(message.sender)>")
                transfer.setList(CURLOPT_MAIL_RCPT, message.recipients.map { "<\($0)>" })
                transfer.upload = message.data
                transfer.setLong(CURLOPT_UPLOAD, 1)
                pharos_setopt_off(transfer.handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.data.count))
                pharos_setopt_pointer(transfer.handle, CURLOPT_READDATA, Unmanaged.passUnretained(transfer).toOpaque())
                pharos_setopt_data_callback(transfer.handle, CURLOPT_READFUNCTION, readCallback)
            }
        } catch let error as TransferError {
            // Only before the transfer started: the engine is shutting down or the task was cancelled.
            throw MailFailure(kind: error.kind == .cancelled ? .cancelled : .other, message: "\(server.hostAndPort): \(error.message)")
        } catch {
            throw MailFailure(kind: .other, message: "\(server.hostAndPort): \(error)")
        }
        guard let failure = outcome.failure else { return }
        throw Self.failure(failure, replyCode: outcome.responseCode, replies: outcome.replies, server: server)
    }

    /// What a failed transfer means for mail, with every form of the password taken out of the text.
    static func failure(_ error: TransferError, replyCode: Int, replies: [String], server: MailServer) -> MailFailure {
        let code = (400..<600).contains(replyCode) ? replyCode : nil
        // The reply that carried the code (curl may have said QUIT and heard 221 since).
        let answered = code.map { code in
            replies.last { $0.hasPrefix("\(code) ") }.map { "answered \($0)" } ?? "answered \(code)"
        }
        let kind: MailFailure.Kind
        let text: String
        switch CURLcode(rawValue: UInt32(clamping: error.code)) {
        case CURLE_USE_SSL_FAILED:
            kind = .startTLSUnavailable
            text = " does not offer STARTTLS, so nothing was sent (tls: none would send in clear text)" + (answered.map { "; it \($0)" } ?? "")
        case CURLE_LOGIN_DENIED:
            kind = .authentication
            text = " refused the login" + (answered.map { ": it \($0)" } ?? "")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN:
            kind = .invalid
            text = ": " + error.message
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
            text = ": " + error.message
        case _ where error.kind == .cancelled:
            kind = .cancelled
            text = ": cancelled"
        case _ where code != nil:
            kind = .rejected
            text = answered.map { " " + $0 } ?? ": " + error.message
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
             CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_UPLOAD_FAILED, CURLE_WEIRD_SERVER_REPLY:
            kind = .connection
            text = ": " + error.message
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR:
            kind = .tls
            text = ": " + error.message
        default:
            kind = .other
            text = ": " + error.message
        }
        return MailFailure(kind: kind, replyCode: code, message: redact(server.hostAndPort + text, server.credentials))
    }

    /// `text` without the password, in clear or in the base64 forms AUTH LOGIN and AUTH PLAIN send.
    static func redact(_ text: String, _ credentials: MailCredentials?) -> String {
        guard let credentials, !credentials.password.isEmpty else { return text }
        let forms = [
            credentials.password,
            Data(credentials.password.utf8).base64EncodedString(),
            Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString(),
        ]
        return forms.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }
}
