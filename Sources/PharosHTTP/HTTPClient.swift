import CCurl
import Foundation
import PharosCore

/// The real transport: libcurl, one shared multi handle, connections reused.
public struct CurlHTTPTransport: HTTPTransport {
    public let engine: CurlEngine
    public let defaultUserAgent: String
    /// When each host may next be contacted by a request asking for spacing.
    private let nextSlot = Shared<[String: ContinuousClock.Instant]>([:])

    /// The User-Agent Pharos sends unless configured otherwise.
    public static let standardUserAgent = "Pharos/\(PharosVersion.string) (news watcher; libcurl)"

    public init(engine: CurlEngine, defaultUserAgent: String = CurlHTTPTransport.standardUserAgent) {
        self.engine = engine
        self.defaultUserAgent = defaultUserAgent
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let spacing = request.hostSpacing, spacing > .zero, let host = URL(string: request.url)?.host?.lowercased() {
            let now = ContinuousClock.now
            let slot = nextSlot.withLock { slots -> ContinuousClock.Instant in
                let slot = max(now, slots[host] ?? now)
                slots[host] = slot + spacing
                return slot
            }
            if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
        }
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
