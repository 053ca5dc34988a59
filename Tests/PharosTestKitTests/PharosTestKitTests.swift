import Foundation
import Logging
import PharosCore
import PharosTestKit
import Testing

/// Hands over `items` in chunks, then either returns `checkpoint` or fails.
private struct ScriptedSource: Source {
    static let typeName = "scripted"
    let items: [Item]
    let checkpoint: Checkpoint
    let fails: Bool

    init(items: [Item], checkpoint: String, fails: Bool = false) {
        self.items = items
        self.checkpoint = Checkpoint(text: checkpoint)
        self.fails = fails
    }

    init(configuration: PluginConfiguration) throws { self.init(items: [], checkpoint: "{}") }

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult { PollResult(items: items) }

    func poll(context: PluginContext, state: any SourceState, into output: inout ItemChunks) async throws -> Checkpoint? {
        context.logger.info("polling", metadata: ["after": "\(state.checkpoint?.text ?? "-")"])
        for item in items { try await output.add(item) }
        if fails { throw PollError.retryable("failed after handing over \(items.count)") }
        return checkpoint
    }
}

private func item(_ id: String, _ text: String = "text") -> Item {
    Item(id: id, title: id, content: text)
}

@Suite struct PluginHarnessPolls {
    @Test func theCheckpointIsStoredWithTheLastChunkAndOnlyWhenThePollSucceeds() async throws {
        let failing = try PluginHarness(source: ScriptedSource(items: [item("a", String(repeating: "x", count: 100)), item("b")],
                                                               checkpoint: #"{"n":1}"#, fails: true), commitBytes: 50)
        await #expect(throws: PollError.self) { try await failing.poll() }
        #expect(try await failing.checkpoint() == nil, "a failed poll stores no checkpoint")
        #expect(try await failing.state().versions(of: ["a", "b"]).keys.sorted() == ["a"], "the chunk committed before it stays")

        let harness = try PluginHarness(source: ScriptedSource(items: [item("a"), item("b"), item("a", "edited")], checkpoint: #"{"n":2}"#))
        let poll = try await harness.poll()
        #expect(poll.returned == 3)
        #expect(poll.items.map(\.content) == ["text", "edited"], "one version per id, the last handed over")
        #expect(poll.checkpoint?.text == #"{"n":2}"#)
        let again = try await harness.poll()
        #expect(again.items.isEmpty && again.returned == 3)
        #expect(harness.logs.matching("after={\"n\":2}").count == 1, "the next poll is handed the stored checkpoint")
        #expect(harness.logs.matching("source=test").count == 2, "the logger names the source")
    }
}

@Suite struct ScriptedTransports {
    @Test func httpAnswersInTurnAndFailsPastTheScript() async throws {
        let http = ScriptedHTTPTransport([.failure(TransferError(kind: .timedOut, message: "slow", code: 28))])
        http.enqueue(status: 503, headers: [("Retry-After", "60")])
        await #expect(throws: TransferError.self) { try await http.send(HTTPRequest(url: "https://a.example/1")) }
        let response = try await http.send(HTTPRequest(method: "POST", url: "https://a.example/2"))
        #expect(response.status == 503 && response.header("retry-after") == "60" && response.url == "https://a.example/2")
        let past = await #expect(throws: TransferError.self) { try await http.send(HTTPRequest(url: "https://a.example/3")) }
        #expect(past?.message == "no scripted answer left for https://a.example/3")
        #expect(http.requests.map(\.method) == ["GET", "POST", "GET"])
    }

    @Test func mailFailsAsScriptedThenAccepts() async throws {
        let mail = ScriptedMailTransport(failures: [MailFailure(kind: .rejected, replyCode: 451, message: "later")])
        let server = MailServer(url: "smtp://mail.example:587", security: .startTLS)
        let message = MailMessage(sender: "a@example.org", recipients: ["b@example.org"], data: Array("hi".utf8))
        await #expect(throws: MailFailure.self) { try await mail.send(message, via: server) }
        try await mail.send(message, via: server)
        #expect(mail.messages == [message, message])
        #expect(mail.servers == [server, server])
    }
}

@Suite struct CapturedLogging {
    @Test func entriesKeepLevelMessageAndMetadata() {
        let logs = LogCapture()
        var logger = logs.logger
        logger[metadataKey: "sink"] = "ops"
        logger.warning("slow reply", metadata: ["ms": "900"])
        logger.debug("detail")
        #expect(logs.lines == ["warning: slow reply ms=900 sink=ops", "debug: detail sink=ops"])
        #expect(logs.entries.first?.metadata == ["ms": "900", "sink": "ops"])
        #expect(logs.matching("slow").count == 1)
    }
}

/// Says when its `run(context:)` starts and ends.
private struct LongRunning: Source {
    static let typeName = "running"
    let events: AsyncStream<String>.Continuation?

    init(events: AsyncStream<String>.Continuation) { self.events = events }
    init(configuration: PluginConfiguration) throws { events = nil }

    func poll(context: PluginContext, state: any SourceState) async throws -> PollResult { PollResult(items: []) }

    func run(context: PluginContext) async throws {
        events?.yield("started")
        try? await Task.sleep(for: .seconds(3600))
        events?.yield("ended")
    }
}

@Suite struct PluginHarnessRuns {
    @Test func aPluginRunsWhileTheBodyRunsAndHasEndedWhenItReturns() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        let harness = try PluginHarness(source: LongRunning(events: continuation))
        var received = events.makeAsyncIterator()
        try await harness.whileRunning {
            #expect(await received.next() == "started")
            try await harness.poll()
        }
        #expect(await received.next() == "ended", "run(context:) was cancelled and had returned")
    }
}
