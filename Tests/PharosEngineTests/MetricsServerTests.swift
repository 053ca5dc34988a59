import Foundation
import Logging
import PharosCore
@testable import PharosEngine
import ServiceLifecycle
import TestSupport
import Testing

/// Runs a Python client against the server and returns what it prints.
private func client(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Opens `idle` connections that never send a byte, then GETs `path`: prints the status, the
/// seconds it took and the body.
private let getWhileOthersIdle = """
    import socket, sys, time
    host, port, path, idle = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sleepers = [socket.create_connection((host, port)) for _ in range(idle)]
    time.sleep(0.2)
    start = time.monotonic()
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(f"GET {path} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    head, _, body = data.partition(b"\\r\\n\\r\\n")
    print(head.split(b" ")[1].decode(), round(time.monotonic() - start, 3))
    print(body.decode(), end="")
    """

/// Runs `servers` while `body` runs, then cancels them and waits until they have stopped.
/// `body` blocks its thread (on a client process), so it starts once the servers serve.
private func serving(_ servers: MetricsServer..., body: () throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for server in servers { group.addTask { try await server.run() } }
        defer { group.cancelAll() }
        try await eventually { servers.allSatisfy(\.isServing) }
        try body()
    }
}

@Suite struct MetricsEndpoint {
    @Test func anIdleClientDelaysNobodyAndHealthSaysWhatFails() async throws {
        let failing = Shared<String?>(nil)
        let server = try MetricsServer(host: "127.0.0.1", port: 0, metrics: Metrics(), live: { true }) { failing.value }
        try await serving(server) {
            let healthy = try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/healthz", "3"]).split(separator: "\n")
            #expect(healthy.first?.hasPrefix("200 ") == true)
            #expect(Double(healthy.first?.split(separator: " ").last ?? "") ?? 9 < 0.5, "\(healthy)")
            failing.withLock { $0 = "failing:\nsink team: 3 consecutive failures since 2026-12-06T10:00:00Z" }
            let unhealthy = try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/healthz", "0"])
            #expect(unhealthy.hasPrefix("503 "))
            #expect(unhealthy.contains("sink team: 3 consecutive failures since 2026-12-06T10:00:00Z"))
            #expect(try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/livez", "0"]).hasPrefix("200 "))
            let metrics = try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/metrics", "0"])
            for name in ["process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ", "process_start_time_seconds "] {
                #expect(metrics.contains("\n" + name), "\(name) is served")
            }
            let start = metrics.split(separator: "\n").first { $0.hasPrefix("process_start_time_seconds ") }
            let started = Double(start?.split(separator: " ").last ?? "") ?? 0
            #expect(abs(started - Date().timeIntervalSince1970) < 3600, "the start time is the process's: \(started)")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/net/if_inet6"), "needs IPv6"))
    func localhostIsServedOnBothLoopbackAddresses() async throws {
        let server = try MetricsServer(host: "localhost", port: 0, metrics: Metrics(), live: { true }) { nil }
        let v6only = try MetricsServer(host: "::1", port: 0, metrics: Metrics(), live: { true }) { nil }
        try await serving(server, v6only) { () throws in
            #expect(try client(getWhileOthersIdle, ["::1", "\(server.port)", "/healthz", "1"]).hasPrefix("200 "))
            #expect(try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/healthz", "1"]).hasPrefix("200 "))
            #expect(try client(getWhileOthersIdle, ["::1", "\(v6only.port)", "/metrics", "0"]).hasPrefix("200 "))
        }
    }

    @Test(.timeLimit(.minutes(1))) func theServiceStopsOnGracefulShutdownAndFreesItsPort() async throws {
        let server = try MetricsServer(host: "127.0.0.1", port: 0, metrics: Metrics(), live: { true }) { nil }
        let port = server.port
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually { server.isServing }
            #expect(try client(getWhileOthersIdle, ["127.0.0.1", "\(port)", "/livez", "0"]).hasPrefix("200 "))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        // The group returned once the serving thread had ended and closed its socket.
        #expect(throws: Never.self) { try MetricsServer(host: "127.0.0.1", port: port, metrics: Metrics(), live: { true }) { nil } }
    }
}

@Suite struct MetricsExposition {
    @Test func seriesKeepTheirNamesAndLabelsAndGoneSinksLeave() {
        let metrics = Metrics()
        metrics.recordPoll(source: "inbox", succeeded: true, newOrChanged: 9)
        metrics.recordAlerts(["bcma-rmat", "bcma-rmat"])
        metrics.recordDeliveries(sink: "log", delivered: [0.2, 2], retried: 1, dead: 0)
        metrics.setOutbox(["log": OutboxCounts(pending: 3, dead: 1), "team": OutboxCounts(pending: 2)])
        let first = metrics.render().split(separator: "\n").map(String.init)
        for line in ["pharos_polls_total{source=\"inbox\",outcome=\"ok\"} 1", "pharos_polls_total{source=\"inbox\",outcome=\"failed\"} 0",
                     "pharos_items_new_or_changed_total{source=\"inbox\"} 9", "pharos_alerts_total{rule=\"bcma-rmat\"} 2",
                     "pharos_deliveries_total{sink=\"log\",outcome=\"delivered\"} 2", "pharos_deliveries_total{sink=\"log\",outcome=\"retry\"} 1",
                     "pharos_deliveries_expired_total{sink=\"log\"} 0", "pharos_delivery_latency_seconds_bucket{sink=\"log\",le=\"0.25\"} 1",
                     "pharos_delivery_latency_seconds_bucket{sink=\"log\",le=\"+Inf\"} 2", "pharos_delivery_latency_seconds_count{sink=\"log\"} 2",
                     "pharos_outbox_alerts{sink=\"team\",state=\"pending\"} 2.0", "# TYPE pharos_polls_total counter",
                     "# TYPE pharos_delivery_latency_seconds histogram", "# HELP pharos_alerts_total New alerts per rule."] {
            #expect(first.contains(line), "\(line) in \(first)")
        }
        metrics.setOutbox(["log": OutboxCounts(pending: 0, dead: 1)])
        let second = metrics.render()
        #expect(!second.contains("sink=\"team\""), "a sink no longer configured has no series")
        #expect(second.contains("pharos_outbox_alerts{sink=\"log\",state=\"pending\"} 0.0"))
    }
}

/// A page that answers only once the test opens its gate.
private struct HeldPage: WebHandler {
    let gate: Gate

    func answer(_ request: WebRequest) async -> WebResponse? {
        guard request.path == "/held" else { return nil }
        await gate.wait()
        return WebResponse(contentType: "text/plain", text: "held page")
    }
}

/// A one-time gate: ``wait()`` returns once ``open()`` was called.
private final class Gate: Sendable {
    private let state = Shared<(waiting: Bool, opened: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, false, nil))
    var waiting: Bool { state.value.waiting }

    func wait() async {
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state -> Bool in
                if state.opened { return true }
                state.waiting = true
                state.continuation = continuation
                return false
            }
            if openAlready { continuation.resume() }
        }
    }

    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.opened = true
            defer { state.continuation = nil }
            return state.continuation
        }
        waiter?.resume()
    }
}

@Suite struct PagesBesideMetrics {
    /// A page held up (a slow read of the state, say) is answered off the serving thread:
    /// scrapes and health checks go on meanwhile, and the page comes when it is ready.
    @Test func aPageInFlightHoldsUpNoScrape() async throws {
        let gate = Gate()
        let server = try MetricsServer(host: "127.0.0.1", port: 0, metrics: Metrics(), live: { true }, health: { nil }, pages: HeldPage(gate: gate))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            try await eventually { server.isServing }
            let held = Process()
            held.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            held.arguments = ["python3", "-c", """
                import sys, urllib.request
                response = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/held", timeout=60)
                print(response.status, response.read().decode(), response.headers["Content-Security-Policy"])
                """, "\(server.port)"]
            let output = Pipe()
            held.standardOutput = output
            try held.run()
            try await eventually { gate.waiting }
            #expect(try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/metrics", "0"]).hasPrefix("200 "))
            #expect(try client(getWhileOthersIdle, ["127.0.0.1", "\(server.port)", "/healthz", "0"]).hasPrefix("200 "))
            gate.open()
            // Waited for without blocking a thread of the pool, which the held page needs to finish.
            try await eventually { !held.isRunning }
            let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(answer.hasPrefix("200 held page default-src 'none'"), "\(answer)")
        }
    }
}
