import Foundation
import Logging
import PharosCore
import PharosHTTP
import ServiceLifecycle
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized, .runningCurl(maxConcurrent: 16)) struct CurlTransport {
    let peer: PythonPeer
    let transport = CurlHTTPTransport(engine: RunningCurl.engine)

    init() throws {
        peer = try PythonPeer("http_peer.py")
    }

    @Test func getsABody() async throws {
        let response = try await transport.send(HTTPRequest(url: "\(peer.base)/hello"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello from the peer")
        #expect(response.header("etag") == "\"v1\"")
    }

    @Test func sendsUserAgentAndHeaders() async throws {
        let response = try await transport.send(HTTPRequest(url: "\(peer.base)/headers", headers: [("If-None-Match", "\"v1\"")]))
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(seen["User-Agent"]?.hasPrefix("Pharos/") == true)
        #expect(seen["If-None-Match"] == "\"v1\"")
        #expect(seen["Accept-Encoding"]?.contains("gzip") == true)
    }

    @Test func decodesGzip() async throws {
        let response = try await transport.send(HTTPRequest(url: "\(peer.base)/gzip"))
        #expect(response.body.count == 9000)
    }

    @Test func followsRedirectsButNotForever() async throws {
        let response = try await transport.send(HTTPRequest(url: "\(peer.base)/redirect"))
        #expect(response.status == 200)
        #expect(response.url.hasSuffix("/hello"))
        let error = await #expect(throws: TransferError.self) { try await transport.send(HTTPRequest(url: "\(peer.base)/loop")) }
        #expect(error?.kind == .tooManyRedirects)
    }

    @Test func neverFollowsRedirectsToOtherSchemes() async throws {
        let error = await #expect(throws: TransferError.self) { try await transport.send(HTTPRequest(url: "\(peer.base)/file-redirect")) }
        #expect(error != nil)
    }

    @Test func limitsResponseSize() async throws {
        let error = await #expect(throws: TransferError.self) {
            try await transport.send(HTTPRequest(url: "\(peer.base)/big", maxResponseBytes: 1_000_000))
        }
        #expect(error?.kind == .tooLarge)
    }

    @Test func timesOut() async throws {
        let error = await #expect(throws: TransferError.self) {
            try await transport.send(HTTPRequest(url: "\(peer.base)/slow", timeout: .milliseconds(300)))
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.isRetryable == true)
    }

    @Test func statusCodesAreResponsesWithRetryAfter() async throws {
        let response = try await transport.send(HTTPRequest(url: "\(peer.base)/status/429"))
        #expect(response.status == 429)
        #expect(response.retryAfter() == .seconds(7))
    }

    @Test func postsABody() async throws {
        let response = try await transport.send(HTTPRequest(
            method: "POST", url: "\(peer.base)/echo", headers: [("Content-Type", "application/json")], body: Array(#"{"a":1}"#.utf8)))
        let echoed = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(echoed["body"] as? String == #"{"a":1}"#)
    }

    @Test func refusedConnectionsAreRetryable() async throws {
        let error = await #expect(throws: TransferError.self) { try await transport.send(HTTPRequest(url: "http://127.0.0.1:9/")) }
        #expect(error?.kind == .couldNotConnect)
        #expect(error?.isRetryable == true)
    }

    @Test func manyConcurrentRequests() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await transport.send(HTTPRequest(url: "\(peer.base)/hello")).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == 50 && statuses.allSatisfy { $0 == 200 })
    }

    @Test func cancellationStopsATransfer() async throws {
        let task = Task { try await transport.send(HTTPRequest(url: "\(peer.base)/slow")) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.result
        guard case .failure(let error as TransferError) = result else {
            Issue.record("expected a cancelled transfer, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
    }
}

@Suite struct CurlEngineService {
    @Test func transfersRunWhileTheServiceRunsAndNoneAfterShutdown() async throws {
        let engine = CurlEngine(maxConcurrent: 2)
        let transport = CurlHTTPTransport(engine: engine)
        // Port 9 (discard) refuses: a transport answer proves the engine's loop ran it.
        let request = HTTPRequest(url: "http://127.0.0.1:9/", timeout: .seconds(5))
        let group = ServiceGroup(configuration: .init(services: [.init(service: engine)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let refused = await #expect(throws: TransferError.self) { try await transport.send(request) }
            #expect(refused?.kind == .couldNotConnect)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let after = await #expect(throws: TransferError.self) { try await transport.send(request) }
        #expect(after?.kind == .cancelled && after?.message == "the HTTP engine is shutting down")
    }
}
