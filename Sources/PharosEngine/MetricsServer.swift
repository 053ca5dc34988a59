import Foundation
import PharosCore
import PharosSupport
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A minimal HTTP/1.1 endpoint for scrapers on its own thread (so no request ever blocks the
/// cooperative pool): `GET /metrics` (Prometheus text), `GET /healthz` (200 while the
/// scheduler's heartbeat is fresh and nothing is failing, else 503 saying what) and
/// `GET /livez` (the heartbeat alone), and with `pages` every other path (the web page, the
/// alerts feed and their JSON API: ``WebPages``). Connections are served together by one
/// `poll(2)` loop, each closed after its answer or when it has not sent its request within
/// 2 s, so a client that connects and says nothing delays nobody else. A page is answered on
/// the cooperative pool (it reads the state), in a task of its own, and handed back to the loop.
///
/// A service: the initialiser binds (so a taken port fails at start-up), ``run()`` serves on
/// a thread that lives exactly as long as it, until graceful shutdown or cancellation.
public final class MetricsServer: Service, Sendable {
    /// The port actually bound (useful when 0 was asked for).
    public let port: Int
    private let listeners: [Int32]
    private let stopping = Shared(false)
    private let closed = Shared(false)
    private let started = Shared(false)
    /// Whether the serving thread has started (and not yet stopped).
    var isServing: Bool { started.value && !stopping.value }
    private let metrics: Metrics
    private let live: @Sendable () -> Bool
    private let health: HealthCheck
    private let pages: (any WebHandler)?
    /// Requests for `pages`, from the serving thread to ``answerPages(_:)``, by connection number.
    private let pageRequests: AsyncStream<(Int, WebRequest)>
    private let pageRequestsIn: AsyncStream<(Int, WebRequest)>.Continuation
    /// Pages answered, by connection number, for the serving thread to send.
    private let pageAnswers = Shared<[Int: WebResponse]>([:])
    /// A pipe whose write end wakes the serving thread when a page is answered.
    private let wake: (read: Int32, write: Int32)
    /// Connections served at once; more wait in the listen queue.
    static let maxConnections = 64
    /// How long a connection may take to send its request and read the answer.
    static let connectionTimeout: Duration = .seconds(2)
    /// How long a page may take to be answered and sent.
    static let pageTimeout: Duration = .seconds(30)

    /// What `/healthz` answers: nil when healthy, else why not.
    public typealias HealthCheck = @Sendable () -> String?

    /// Binds `host:port`; ``run()`` serves. `host` is an IPv4 or IPv6 address, or
    /// `localhost` for both loopback addresses (127.0.0.1 and, where the system has IPv6, ::1).
    public init(host: String, port: Int, metrics: Metrics, live: @escaping @Sendable () -> Bool, health: @escaping HealthCheck,
                pages: (any WebHandler)? = nil) throws {
        var bound: [Int32] = []
        var actualPort = port
        do {
            if host == "localhost" {
                let first = try Self.bindListener(on: "127.0.0.1", port: port)
                bound.append(first.fd)
                actualPort = first.port
                // A system without IPv6 still serves on 127.0.0.1.
                if let second = try? Self.bindListener(on: "::1", port: actualPort) { bound.append(second.fd) }
            } else {
                let only = try Self.bindListener(on: host, port: port)
                bound.append(only.fd)
                actualPort = only.port
            }
        } catch {
            bound.forEach { _ = close($0) }
            throw error
        }
        self.port = actualPort
        listeners = bound
        self.metrics = metrics
        self.live = live
        self.health = health
        self.pages = pages
        (pageRequests, pageRequestsIn) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) != 0 {
            bound.forEach { _ = close($0) }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE)
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        wake = (ends[0], ends[1])
    }

    deinit {
        closeListeners()
        close(wake.read)
        close(wake.write)
    }

    private func closeListeners() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        if first { listeners.forEach { _ = close($0) } }
    }

    /// Serves until graceful shutdown or cancellation; returns once the serving thread has
    /// ended (within its 200 ms poll) and the port is closed. A server runs once.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let pages = self.pages { group.addTask { await self.answerPages(pages) } }
                await runOnDedicatedThread(named: "pharos-metrics", {
                    self.serve()
                    self.closeListeners()
                }, stop: { self.stopping.withLock { $0 = true } })
                self.pageRequestsIn.finish()
            }
        }
    }

    /// Answers the page requests the serving thread hands over, each in a child task (at most
    /// one per connection, so at most ``maxConnections`` at once), until the thread ends.
    private func answerPages(_ pages: any WebHandler) async {
        await withDiscardingTaskGroup { group in
            for await (connection, request) in pageRequests {
                group.addTask {
                    let response = await pages.answer(request)
                        ?? WebResponse(status: "404 Not Found", contentType: "text/plain; charset=utf-8", text: "no such page: try /\n")
                    self.pageAnswers.withLock { $0[connection] = response }
                    var byte: UInt8 = 1
                    _ = write(self.wake.write, &byte, 1)
                }
            }
        }
    }

    /// A listening, non-blocking socket on one address.
    private static func bindListener(on host: String, port: Int) throws -> (fd: Int32, port: Int) {
        let isIPv6 = host.contains(":")
        var storage = sockaddr_storage()
        func store<Address>(_ address: Address) -> Int {
            withUnsafeBytes(of: address) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            return MemoryLayout<Address>.size
        }
        let length: Int
        if isIPv6 {
            var address = sockaddr_in6(sin6_family: sa_family_t(AF_INET6), sin6_port: in_port_t(UInt16(port).bigEndian),
                                       sin6_flowinfo: 0, sin6_addr: in6_addr(), sin6_scope_id: 0)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw POSIXError(.EINVAL) }
            length = store(address)
        } else {
            var address = sockaddr_in()
            (address.sin_family, address.sin_port) = (sa_family_t(AF_INET), in_port_t(UInt16(port).bigEndian))
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw POSIXError(.EINVAL) }
            length = store(address)
        }
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        // ::1 alone, not every IPv4 address mapped into IPv6 as well.
        if isIPv6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size)) }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard result == 0, listen(fd, 64) == 0 else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EIO
            close(fd)
            throw POSIXError(code)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) } }
        let boundPort = withUnsafeBytes(of: actual) { bytes in
            // sin_port and sin6_port sit at the same offset, in network order.
            UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        }
        return (fd, Int(boundPort))
    }

    /// One client: what it sent so far, what is left to send back, and its deadline.
    private struct Connection {
        var fd: Int32
        /// Numbers a page request handed to ``answerPages(_:)``.
        var number: Int
        /// Whether its request went to the pages (its answer comes back in `pageAnswers`).
        var waitingForPage = false
        var isHead = false
        var request: [UInt8] = []
        var response: [UInt8]?
        var sent = 0
        var deadline: ContinuousClock.Instant
    }

    private func serve() {
        started.withLock { $0 = true }
        var connections: [Connection] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let clock = ContinuousClock()
        var numbered = 0
        while !stopping.value {
            var fds = listeners.map { pollfd(fd: $0, events: connections.count < Self.maxConnections ? Int16(POLLIN) : 0, revents: 0) }
            fds += connections.map { pollfd(fd: $0.fd, events: $0.waitingForPage ? 0 : Int16($0.response == nil ? POLLIN : POLLOUT), revents: 0) }
            fds.append(pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0))
            guard poll(&fds, nfds_t(fds.count), 200) >= 0 else { continue }
            if fds[fds.count - 1].revents != 0 { while read(wake.read, &buffer, buffer.count) > 0 {} }
            let answered = pageAnswers.withLock { answers in
                defer { answers = [:] }
                return answers
            }
            let now = clock.now
            var open: [Connection] = []
            for (offset, var connection) in connections.enumerated() {
                var events = fds[listeners.count + offset].revents
                var done = false
                if connection.waitingForPage, let page = answered[connection.number] {
                    connection.waitingForPage = false
                    connection.response = Self.response(page, head: connection.isHead)
                    events = Int16(POLLOUT)
                }
                if connection.response == nil, !connection.waitingForPage, events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    let count = recv(connection.fd, &buffer, buffer.count, 0)
                    if count > 0 {
                        connection.request += buffer[0..<count]
                        if connection.request.count >= 16_384 || connection.request.ends(with: [13, 10, 13, 10]) {
                            if pages != nil, let request = WebRequest(head: connection.request), !Self.ownPaths.contains(request.path) {
                                connection.waitingForPage = true
                                connection.isHead = connection.request.starts(with: Array("HEAD ".utf8))
                                connection.deadline = now + Self.pageTimeout
                                pageRequestsIn.yield((connection.number, request))
                            } else {
                                connection.response = Self.answer(connection.request, metrics: metrics, live: live, health: health)
                            }
                        }
                    } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                        done = true
                    }
                }
                if let response = connection.response, !done {
                    let count = response[connection.sent...].withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if count > 0 { connection.sent += count } else if errno != EAGAIN && errno != EWOULDBLOCK { done = true }
                    if connection.sent >= response.count { done = true }
                }
                if done || now > connection.deadline {
                    close(connection.fd)
                } else {
                    open.append(connection)
                }
            }
            connections = open
            for (index, listener) in listeners.enumerated() where fds[index].revents & Int16(POLLIN) != 0 {
                while connections.count < Self.maxConnections {
                    let fd = accept(listener, nil, nil)
                    guard fd >= 0 else { break }
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                    numbered += 1
                    connections.append(Connection(fd: fd, number: numbered, deadline: now + Self.connectionTimeout))
                }
            }
        }
        connections.forEach { _ = close($0.fd) }
    }

    /// The paths answered on the serving thread itself.
    private static let ownPaths: Set<String> = ["/metrics", "/healthz", "/livez"]

    /// A page's answer as sent: the security headers keep a browser from running or fetching
    /// anything the page did not mean (no scripts at all, styles only inline).
    private static func response(_ page: WebResponse, head: Bool) -> [UInt8] {
        var response = Array("""
            HTTP/1.1 \(page.status)\r\nContent-Type: \(page.contentType)\r\nContent-Length: \(page.body.count)\r\n\
            Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'\r\n\
            X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n
            """.utf8)
        if !head { response += page.body }
        return response
    }

    private static func answer(_ request: [UInt8], metrics: Metrics, live: @Sendable () -> Bool, health: HealthCheck) -> [UInt8] {
        let requestLine = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let (status, type, body): (String, String, String)
        if requestLine.count < 2 || (requestLine[0] != "GET" && requestLine[0] != "HEAD") {
            (status, type, body) = ("405 Method Not Allowed", "text/plain", "only GET\n")
        } else {
            switch requestLine[1].split(separator: "?").first ?? "" {
            case "/metrics": (status, type, body) = ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.render())
            case "/healthz":
                if let problem = health() {
                    (status, type, body) = ("503 Service Unavailable", "text/plain", problem + "\n")
                } else {
                    (status, type, body) = ("200 OK", "text/plain", "ok\n")
                }
            case "/livez": (status, type, body) = live() ? ("200 OK", "text/plain", "ok\n") : ("503 Service Unavailable", "text/plain", "scheduler stalled\n")
            default: (status, type, body) = ("404 Not Found", "text/plain", "try /metrics, /healthz or /livez\n")
            }
        }
        let payload = Array(body.utf8)
        var response = Array("HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n".utf8)
        if requestLine.first != "HEAD" { response += payload }
        return response
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
