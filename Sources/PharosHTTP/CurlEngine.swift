import CCurl
import Foundation
import PharosCore
import PharosSupport
import ServiceLifecycle
import Synchronization

/// One transfer's state, shared with libcurl's callbacks through an unmanaged pointer.
final class Transfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var statusLine = ""
    let limit: Int
    var exceededLimit = false
    var upload: [UInt8] = []
    var uploadOffset = 0
    var lists: [UnsafeMutablePointer<curl_slist>] = []
    var strings: [UnsafeMutablePointer<CChar>] = []
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var continuation: CheckedContinuation<Transfer, any Error>?
    var result: CURLcode = CURLE_OK
    var cancelled = false
    /// A failed transfer still resumes with its outcome (SMTP wants the reply that failed it).
    var reportsFailures = false
    /// Record the lines the header callback sees: for SMTP, the server's replies.
    var recordsReplies = false
    var replies: [String] = []

    init(handle: UnsafeMutableRawPointer, limit: Int) {
        self.handle = handle
        self.limit = limit
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        for list in lists { curl_slist_free_all(list) }
        for string in strings { free(string) }
        errorBuffer.deallocate()
    }

    /// Keeps a C string alive as long as the transfer (libcurl copies most, not all, strings).
    func keep(_ text: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(text)!
        strings.append(copy)
        return copy
    }

    func setLong(_ option: CURLoption, _ value: Int) { pharos_setopt_long(handle, option, value) }
    func setString(_ option: CURLoption, _ value: String) { pharos_setopt_string(handle, option, keep(value)) }

    func setList(_ option: CURLoption, _ values: [String]) {
        guard !values.isEmpty else { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values { list = curl_slist_append(list, value) }
        if let list {
            lists.append(list)
            pharos_setopt_slist(handle, option, list)
        }
    }

    var errorMessage: String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
    }

    func error() -> TransferError {
        if cancelled { return TransferError(kind: .cancelled, message: "cancelled", code: Int(result.rawValue)) }
        if exceededLimit {
            return TransferError(kind: .tooLarge, message: "response larger than the limit of \(limit) bytes", code: Int(result.rawValue))
        }
        let kind: TransferError.Kind = switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .couldNotResolve
        case CURLE_COULDNT_CONNECT: .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE: .tls
        case CURLE_FILESIZE_EXCEEDED: .tooLarge
        case CURLE_TOO_MANY_REDIRECTS: .tooManyRedirects
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
             CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING, CURLE_UPLOAD_FAILED: .interrupted
        default: .other
        }
        return TransferError(kind: kind, message: errorMessage, code: Int(result.rawValue))
    }
}

/// A libcurl handle passed between threads: the multi handle is used only by the engine's
/// thread, except for `curl_multi_wakeup`, which libcurl documents as thread-safe.
struct CurlPointer: @unchecked Sendable, Hashable {
    let raw: UnsafeMutableRawPointer
}

/// Runs libcurl transfers with the multi interface on one dedicated thread, so waiting on
/// the network never blocks Swift's cooperative thread pool; callers simply `await`.
///
/// A service: the thread lives exactly as long as ``run()``, which the executable's service
/// group runs (commands and tests without a group use ``whileRunning(_:)``). Transfers asked
/// for before it starts wait for it; graceful shutdown (or cancellation) stops taking new ones,
/// and `run` returns once those in flight have finished and the thread has ended.
public final class CurlEngine: Service, Sendable {
    private struct State {
        var waiting: [Transfer] = []
        var active = 0
        var running = false
        var stopping = false
        var cancelRequests: [CurlPointer] = []
    }

    private let multiPointer: CurlPointer
    private var multi: UnsafeMutableRawPointer { multiPointer.raw }
    private let state = Mutex(State())
    private let maxConcurrent: Int
    /// Signalled with every `curl_multi_wakeup`: with no transfer in flight the loop waits
    /// on this instead of libcurl, whose wakeup was seen lost then (a shutdown sat out the
    /// whole poll timeout, adding a second to every `run --once`).
    private let work = DispatchSemaphore(value: 0)

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    /// - Parameter maxConcurrent: transfers in flight at once; more wait their turn.
    public init(maxConcurrent: Int = 32) {
        _ = Self.globalInit
        multiPointer = CurlPointer(raw: curl_multi_init())
        self.maxConcurrent = maxConcurrent
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Runs transfers on the engine's thread until graceful shutdown or cancellation, then
    /// lets those in flight finish and returns once the thread has ended: exiting the process
    /// with it still inside libcurl races the library's own teardown. An engine runs once.
    public func run() async throws {
        let alreadyRan = state.withLock { state -> Bool in
            defer { state.running = true }
            return state.running
        }
        precondition(!alreadyRan, "a CurlEngine runs once")
        await cancelWhenGracefulShutdown {
            await runOnDedicatedThread(named: "pharos-curl", { self.loop() }, stop: { self.stop() })
        }
    }

    /// Runs the engine while `body` runs, and stops it once `body` has returned: for commands
    /// and tests that have no service group.
    public func whileRunning<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            defer { stop() }
            return try await body()
        }
    }

    /// Takes no more transfers; the loop ends once those in flight have finished.
    private func stop() {
        state.withLock { $0.stopping = true }
        wake()
    }

    /// The libcurl version string, for User-Agent and diagnostics.
    public static var curlVersion: String { String(cString: curl_version()) }

    /// What a finished transfer produced.
    struct Outcome: Sendable {
        /// The HTTP status, or the last SMTP reply code.
        var responseCode: Int
        var statusLine: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var effectiveURL: String
        /// Set only for transfers that report failures instead of throwing them.
        var failure: TransferError? = nil
        /// The last reply lines of a transfer that records replies (at most 50).
        var replies: [String] = []
    }

    /// Runs one transfer: `configure` sets its options on a fresh easy handle. With
    /// `reportFailures`, a transfer that fails once started returns its outcome with
    /// ``Outcome/failure`` set instead of throwing, so the caller can still read the reply.
    func perform(limit: Int, reportFailures: Bool = false, configure: (Transfer) -> Void) async throws -> Outcome {
        guard let handle = curl_easy_init() else {
            throw TransferError(kind: .other, message: "curl_easy_init failed", code: -1)
        }
        let transfer = Transfer(handle: handle, limit: limit)
        transfer.reportsFailures = reportFailures
        transfer.setLong(CURLOPT_NOSIGNAL, 1)
        pharos_setopt_pointer(handle, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        pharos_setopt_pointer(handle, CURLOPT_PRIVATE, Unmanaged.passUnretained(transfer).toOpaque())
        pharos_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque())
        pharos_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
        pharos_setopt_pointer(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(transfer).toOpaque())
        pharos_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
        configure(transfer)
        defer { curl_easy_cleanup(handle) }
        let done = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                let accepted = state.withLock { state -> Bool in
                    guard !state.stopping else { return false }
                    state.waiting.append(transfer)
                    return true
                }
                if accepted {
                    wake()
                } else {
                    transfer.continuation = nil
                    continuation.resume(throwing: TransferError(kind: .cancelled, message: "the HTTP engine is shutting down", code: -1))
                }
            }
        } onCancel: { [pointer = CurlPointer(raw: handle)] in
            state.withLock { $0.cancelRequests.append(pointer) }
            wake()
        }
        var code = 0
        pharos_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        var url: UnsafeMutablePointer<CChar>?
        pharos_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &url)
        let succeeded = done.result == CURLE_OK && !done.cancelled && !done.exceededLimit
        return Outcome(responseCode: code, statusLine: done.statusLine, headers: done.headers, body: done.body,
                       effectiveURL: url.map { String(cString: $0) } ?? "", failure: succeeded ? nil : done.error(),
                       replies: done.replies)
    }

    private func loop() {
        var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
        while true {
            let (starting, cancels, stop) = state.withLock { state -> ([Transfer], [CurlPointer], Bool) in
                let room = max(0, maxConcurrent - state.active)
                let starting = Array(state.waiting.prefix(room))
                state.waiting.removeFirst(starting.count)
                state.active += starting.count
                let cancels = state.cancelRequests
                state.cancelRequests.removeAll()
                return (starting, cancels, state.stopping && state.active == 0 && state.waiting.isEmpty)
            }
            if stop { break }
            for transfer in starting {
                inFlight[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
            for pointer in cancels {
                let handle = pointer.raw
                if let transfer = inFlight[handle] {
                    transfer.cancelled = true
                    complete(transfer, inFlight: &inFlight)
                } else {
                    // Not started yet: drop it from the queue.
                    let queued = state.withLock { state -> Transfer? in
                        guard let index = state.waiting.firstIndex(where: { $0.handle == handle }) else { return nil }
                        return state.waiting.remove(at: index)
                    }
                    if let queued {
                        queued.cancelled = true
                        state.withLock { $0.active += 1 }
                        queued.continuation?.resume(throwing: queued.error())
                        queued.continuation = nil
                        state.withLock { $0.active -= 1 }
                    }
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let transfer = inFlight[handle] else { continue }
                transfer.result = pharos_message_result(message)
                complete(transfer, inFlight: &inFlight)
            }
            if inFlight.isEmpty {
                work.wait()
                continue
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
    }

    private func wake() {
        work.signal()
        curl_multi_wakeup(multi)
    }

    private func complete(_ transfer: Transfer, inFlight: inout [UnsafeMutableRawPointer: Transfer]) {
        curl_multi_remove_handle(multi, transfer.handle)
        inFlight[transfer.handle] = nil
        state.withLock { $0.active -= 1 }
        guard let continuation = transfer.continuation else { return }
        transfer.continuation = nil
        if (transfer.result == CURLE_OK && !transfer.cancelled && !transfer.exceededLimit) || transfer.reportsFailures {
            continuation.resume(returning: transfer)
        } else {
            continuation.resume(throwing: transfer.error())
        }
    }
}

private let writeCallback: pharos_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if transfer.body.count + length > transfer.limit {
        transfer.exceededLimit = true
        return 0  // makes libcurl stop with a write error
    }
    buffer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

private let headerCallback: pharos_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    // Byte-level: Foundation's character-set trimming costs more than the transfer itself
    // on a 304, and pulls Unicode tables into the resident set of an idle daemon.
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: length)
    let line = trimmedASCIISpace(bytes[...])
    if transfer.recordsReplies {
        if transfer.replies.count == 50 { transfer.replies.removeFirst() }
        transfer.replies.append(String(decoding: line, as: UTF8.self))
        return length
    }
    if line.starts(with: "HTTP/".utf8) {
        // Each response of a redirect chain (and a 100 Continue) starts over.
        transfer.statusLine = String(decoding: line, as: UTF8.self)
        transfer.headers.removeAll()
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
        let name = trimmedASCIISpace(line[..<colon])
        let value = trimmedASCIISpace(line[(colon + 1)...])
        transfer.headers.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }
    return length
}

/// `bytes` without leading and trailing spaces, tabs, CRs and LFs.
func trimmedASCIISpace(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A || byte == 0x0B || byte == 0x0C }
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isSpace(bytes[start]) { start += 1 }
    while end > start, isSpace(bytes[end - 1]) { end -= 1 }
    return bytes[start..<end]
}

/// Reads the upload body of a transfer (SMTP messages), in chunks libcurl asks for.
let readCallback: pharos_data_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, transfer.upload.count - transfer.uploadOffset)
    guard length > 0 else { return 0 }
    transfer.upload.withUnsafeBufferPointer { source in
        buffer.withMemoryRebound(to: UInt8.self, capacity: length) { target in
            target.update(from: source.baseAddress! + transfer.uploadOffset, count: length)
        }
    }
    transfer.uploadOffset += length
    return length
}
