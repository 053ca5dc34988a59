import ExecSink
import Foundation
import PharosCore
import PharosTestKit
import PharosProcess
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Test func execTypeNames() { #expect(ExecSink.typeName == "exec") }

func execSink(_ entries: [(String, OptionValue)], base: URL, name: String = "hook") throws -> ExecSink {
    try ExecSink(configuration: PluginConfiguration(name: name, options: pluginOptions(entries, base: base, what: "sink '\(name)'", quoted: true)))
}

/// A delivery as the engine makes it.
func sampleDelivery(id: String = "3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e", rule: String = "bcma-rmat") -> Delivery {
    let alert = Alert(
        id: id, rule: rule, source: "fda-press",
        item: .init(id: "item-1", title: "FDA grants RMAT designation to a BCMA CAR-T — “quoted”", link: "https://example.org/1",
                    published: ISO8601.date(from: "2025-02-10T22:35:00Z"), summary: "Line one\nline two"),
        matches: Matches(targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")]),
        evidence: [Evidence(field: "title", text: "FDA grants RMAT designation", start: 0, end: 27)],
        detectedAt: Date(timeIntervalSince1970: 1_790_000_000))
    return Delivery(alert: alert)
}

func outcome(_ sink: ExecSink, _ delivery: Delivery = sampleDelivery()) async -> Result<Void, DeliveryError> {
    do {
        try await sink.deliver(delivery, context: LogCapture().context())
        return .success(())
    } catch {
        return .failure(error)
    }
}

@Suite struct ExecSinkDelivery {
    @Test func theAlertArrivesOnStandardInputWithItsVariables() async throws {
        setenv("PHAROS_FAKE_SECRET", "hunter2", 1)
        let scratch = try Scratch()
        try scratch.script("receive.sh", #"""
            #!/bin/sh
            cat > "$1/stdin"
            env | sort > "$1/env"
            pwd > "$1/pwd"
            """#)
        let sink = try execSink([
            ("command", .list(["./receive.sh", scratch.url.path])), ("env", .map([("CHANNEL", "#bd")])),
        ], base: scratch.url, name: "chat")
        let delivery = sampleDelivery()
        let result = await outcome(sink, delivery)
        #expect((try? result.get()) != nil, "\(result)")
        #expect(scratch.read("stdin") == delivery.json + "\n", "stdin is the alert JSON, one line")
        let environment = Set((scratch.read("env") ?? "").split(separator: "\n").map(String.init))
        #expect(environment.contains("PHAROS_ALERT_ID=\(delivery.alertID)"))
        #expect(environment.contains("PHAROS_RULE=bcma-rmat"))
        #expect(environment.contains("PHAROS_SINK=chat"))
        #expect(environment.contains("CHANNEL=#bd"))
        #expect(environment.contains("PATH=\(ChildProcess.searchPath)"))
        #expect(!environment.contains { $0.hasPrefix("PHAROS_FAKE_SECRET=") || $0.hasPrefix("HOME=") }, "\(environment)")
        #expect(scratch.read("pwd")?.trimmingCharacters(in: .newlines) == scratch.url.resolvingSymlinksInPath().path,
                "the default working directory is the config folder")
    }

    @Test(arguments: [(0, "delivered"), (75, "retryable"), (1, "permanent"), (3, "permanent"), (64, "permanent")])
    func exitStatusDecidesTheOutcome(status: Int, expected: String) async throws {
        let scratch = try Scratch()
        try scratch.script("exit.sh", """
            #!/bin/sh
            cat > /dev/null
            echo "first complaint" >&2
            echo "the reason for status \(status)" >&2
            exit \(status)
            """)
        let sink = try execSink([("command", .list(["./exit.sh"]))], base: scratch.url)
        switch await outcome(sink) {
        case .success: #expect(expected == "delivered")
        case .failure(.retryable(let reason, _)):
            #expect(expected == "retryable")
            #expect(reason.contains("exited with status 75") && reason.contains("the reason for status 75"), "\(reason)")
        case .failure(.permanent(let reason)):
            #expect(expected == "permanent")
            #expect(reason.contains("exited with status \(status)"), "\(reason)")
            #expect(reason.contains("first complaint | the reason for status \(status)"), "\(reason)")
        }
    }

    @Test func aTimeoutIsRetryableAndKillsTheProgram() async throws {
        let scratch = try Scratch()
        try scratch.script("slow.sh", #"""
            #!/bin/sh
            echo $$ > "$1.tmp" && mv "$1.tmp" "$1"
            sleep 300
            """#)
        let sink = try execSink([("command", .list(["./slow.sh", scratch.path("pid")])), ("timeout", .text("1s"))], base: scratch.url)
        let result = await outcome(sink)
        guard case .failure(.retryable(let reason, _)) = result else {
            Issue.record("expected a retryable failure, got \(result)")
            return
        }
        #expect(reason.contains("did not finish within 1s"))
        let pid = try #require(Int32(scratch.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(wasReaped(pid))
    }

    @Test func deathBySignalIsRetryable() async throws {
        let scratch = try Scratch()
        try scratch.script("crash.sh", "#!/bin/sh\nkill -KILL $$\n")
        let sink = try execSink([("command", .list(["./crash.sh"]))], base: scratch.url)
        let result = await outcome(sink)
        guard case .failure(.retryable(let reason, _)) = result else {
            Issue.record("expected a retryable failure, got \(result)")
            return
        }
        #expect(reason.contains("killed by signal 9"))
    }

    @Test func aProgramThatCannotBeStartedIsAPermanentFailure() async throws {
        let scratch = try Scratch()
        let path = try scratch.script("gone.sh", "#!/bin/sh\nexit 0\n")
        let sink = try execSink([("command", .list(["./gone.sh"]))], base: scratch.url)
        try FileManager.default.removeItem(atPath: path)
        let result = await outcome(sink)
        guard case .failure(.permanent(let reason)) = result else {
            Issue.record("expected a permanent failure, got \(result)")
            return
        }
        #expect(reason.contains("cannot start \(path)"), "\(reason)")
    }

    @Test func aProgramThatIgnoresItsInputStillDelivers() async throws {
        let scratch = try Scratch()
        try scratch.script("deaf.sh", "#!/bin/sh\nexec 0<&-\necho ok\n")
        let sink = try execSink([("command", .list(["./deaf.sh"]))], base: scratch.url)
        var large = sampleDelivery()
        large.json = String(repeating: "x", count: 1_000_000)
        #expect((try? await outcome(sink, large).get()) != nil, "EPIPE on its standard input does not harm the daemon")
    }

    @Test func optionsAreValidated() throws {
        let scratch = try Scratch()
        func problems(_ entries: [(String, OptionValue)]) -> String {
            do {
                _ = try execSink(entries, base: scratch.url)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(problems([]).contains("'command': is required"))
        #expect(problems([("command", .list(["no-such-program-anywhere"]))]).contains("was not found in"))
        #expect(problems([("command", .list(["cat"])), ("env", .map([("PHAROS_RULE", "x")]))]).contains("'env': PHAROS_RULE is set by the sink"))
        #expect(problems([("command", .list(["cat"])), ("timeout", .text("soon"))]).contains("'timeout' must be a duration"))
        #expect(problems([("command", .list(["cat"])), ("working_directory", .text("missing"))]).contains("'working_directory':"))
        #expect(problems([("command", .list(["cat"])), ("retries", .text("3"))]).contains("unknown key 'retries'"))
        #expect(problems([("command", .list(["cat"])), ("timeout", .text("10s"))]).isEmpty)
    }
}

@Suite struct ExecSinkExamples {
    let examples = packageRoot.appendingPathComponent("Plugins/ExecSink")

    @Test func theAppendExampleAppendsEachAlertAndAsksForARetryWhenItCannot() async throws {
        let scratch = try Scratch()
        let file = scratch.path("alerts.jsonl")
        let sink = try execSink([("command", .list(["./examples/append_alert.sh", file]))], base: examples)
        let first = sampleDelivery(id: "a1"), second = sampleDelivery(id: "a2")
        #expect((try? await outcome(sink, first).get()) != nil)
        #expect((try? await outcome(sink, second).get()) != nil)
        #expect(scratch.read("alerts.jsonl") == first.json + "\n" + second.json + "\n")

        let nowhere = try execSink([("command", .list(["./examples/append_alert.sh", scratch.path("missing/alerts.jsonl")]))], base: examples)
        guard case .failure(.retryable(let reason, _)) = await outcome(nowhere) else {
            Issue.record("a missing folder should be retried")
            return
        }
        #expect(reason.contains("status 75") && reason.contains("will be retried"))
    }

    @Test func theForwardExampleHandsAMessageToACommand() async throws {
        let scratch = try Scratch()
        let sink = try execSink([
            ("command", .list(["./examples/forward_to_command.py", "/bin/sh", "-c", "cat > \"$0\"", scratch.path("message")])),
        ], base: examples)
        let delivery = sampleDelivery()
        #expect((try? await outcome(sink, delivery).get()) != nil)
        let message = scratch.read("message") ?? ""
        #expect(message.hasPrefix("[bcma-rmat] FDA grants RMAT designation to a BCMA CAR-T — “quoted”\nhttps://example.org/1\n"), "\(message)")
        #expect(message.contains("alert \(delivery.alertID) from source fda-press"))

        let refusing = try execSink([("command", .list(["./examples/forward_to_command.py", "/bin/false"]))], base: examples)
        guard case .failure(.permanent) = await outcome(refusing) else {
            Issue.record("a command that refuses is a permanent failure")
            return
        }
    }
}
