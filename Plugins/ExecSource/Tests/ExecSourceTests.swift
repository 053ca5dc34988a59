import ExecSource
import Foundation
import PharosCore
import PharosTestKit
import PharosProcess
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

func execSource(_ entries: [(String, OptionValue)], base: URL) throws -> ExecSource {
    try ExecSource(configuration: PluginConfiguration(name: "test", options: pluginOptions(entries, base: base, what: "source 'test'", quoted: true)))
}

@Test func execSourceTypeName() { #expect(ExecSource.typeName == "exec") }

@Suite struct ExecSourcePolling {
    let logs = LogCapture()

    @Test func goodLinesBecomeItemsAndBadLinesAreSkippedWithTheirLineNumber() async throws {
        let scratch = try Scratch()
        try scratch.script("items.sh", #"""
            #!/bin/sh
            echo '{"id": "a", "title": "FDA grants RMAT to ACM-101", "link": "https://example.org/a", "published": "2025-02-10T22:35:00Z", "updated": "Mon, 10 Feb 2025 18:00:00 EST", "summary": "S", "content": "C", "authors": ["Ann", {"name": "Bo"}], "categories": "Regulatory", "ticker": "ACME", "score": 3, "ratio": 0.5, "tags": {"x": [1, true, 2.5, "q\"uote"]}}'
            echo 'this is not JSON'
            echo '{"id": "b", "summary": "no title, no content"}'
            echo '{"id": "c", "title": 5}'
            echo ''
            echo '["an", "array"]'
            echo '{"id": "d", "title": "bad date", "published": "the 45th of Smarch"}'
            printf '{"id": 7, "content": "Only content here\\nsecond line", "published": 1739226900}\r\n'
            echo '{"id": "e", "title": "last line without a line end"}' | tr -d '\n'
            """#)
        let source = try execSource([("command", .list(["./items.sh"]))], base: scratch.url)
        let result = try await source.poll(context: logs.context(), state: NothingSeen())
        #expect(result.items.map(\.id) == ["a", "7", "e"])
        let first = try #require(result.items.first)
        #expect(first.title == "FDA grants RMAT to ACM-101")
        #expect(first.link == "https://example.org/a")
        #expect(first.published == ISO8601.date(from: "2025-02-10T22:35:00Z"))
        #expect(first.updated == ISO8601.date(from: "2025-02-10T23:00:00Z"))
        #expect(first.summary == "S" && first.content == "C")
        #expect(first.authors == ["Ann", "Bo"])
        #expect(first.categories == ["Regulatory"])
        #expect(first.fields == ["ticker": "ACME", "score": "3", "ratio": "0.5", "tags": #"{"x":[1,true,2.5,"q\"uote"]}"#])
        let second = result.items[1]
        #expect(second.title == "Only content here", "the title falls back to the content's first line")
        #expect(second.published == Date(timeIntervalSince1970: 1_739_226_900))

        let warnings = logs.matching("skipping output line")
        #expect(warnings.count == 5, "\(logs.lines)")
        #expect(warnings.contains { $0.contains("line 2: not valid JSON") })
        #expect(warnings.contains { $0.contains("line 3: it has no title and no content") })
        #expect(warnings.contains { $0.contains("line 4: 'title' must be a string, found a number") })
        #expect(warnings.contains { $0.contains("line 6: not a JSON object (found a list)") })
        #expect(warnings.contains { $0.contains("line 7: 'published' is not a date") })
    }

    @Test func anItemWithoutIDGetsAStableContentHash() async throws {
        let scratch = try Scratch()
        try scratch.script("noid.sh", #"""
            #!/bin/sh
            echo '{"title": "Orphan Drug designation for ORN-7", "link": "https://example.org/o", "extra": "1"}'
            echo '{"extra": "2", "link": "https://example.org/o", "title": "Orphan Drug designation for ORN-7"}'
            echo '{"title": "Another item"}'
            """#)
        let source = try execSource([("command", .list(["./noid.sh"]))], base: scratch.url)
        let first = try await source.poll(context: logs.context(), state: NothingSeen()).items
        let second = try await source.poll(context: logs.context(), state: NothingSeen()).items
        #expect(first.count == 3)
        #expect(first.map(\.id) == second.map(\.id), "the same output gives the same ids")
        #expect(first[0].id == first[1].id, "key order and extension fields do not change the id")
        #expect(first[0].id != first[2].id)
        #expect(first[0].id.hasPrefix("sha256:"))
    }

    @Test func aFailingRunFailsThePollAndContributesNothing() async throws {
        let scratch = try Scratch()
        try scratch.script("fails.sh", #"""
            #!/bin/sh
            echo '{"id": "half", "title": "printed before the failure"}'
            echo "upstream said 503" >&2
            exit 3
            """#)
        let source = try execSource([("command", .list(["./fails.sh"]))], base: scratch.url)
        let error = await #expect(throws: PollError.self) {
            _ = try await source.poll(context: logs.context(), state: NothingSeen())
        }
        #expect(error?.description.contains("exited with status 3") == true)
        #expect(error?.isRetryable == true, "the next run may do better")
        #expect(error?.description.contains("upstream said 503") == true, "the error carries the end of stderr")
        #expect(!logs.matching("upstream said 503").isEmpty, "stderr lines go to the plugin's logger")
    }

    @Test func aProgramThatIsGoneIsAPermanentFailure() async throws {
        let scratch = try Scratch()
        let path = try scratch.script("gone.sh", "#!/bin/sh\necho '{\"id\": \"x\", \"title\": \"y\"}'\n")
        let source = try execSource([("command", .list(["./gone.sh"]))], base: scratch.url)
        try FileManager.default.removeItem(atPath: path)
        let error = await #expect(throws: PollError.self) {
            _ = try await source.poll(context: logs.context(), state: NothingSeen())
        }
        #expect(error?.isRetryable == false, "starting it again will not help until the config or the file changes")
        #expect(error?.description.hasSuffix("gone.sh: No such file or directory") == true)
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() async throws {
        let scratch = try Scratch()
        try scratch.script("hangs.sh", #"""
            #!/bin/sh
            sleep 300 &
            echo $! > "$1.tmp" && mv "$1.tmp" "$1"
            echo $$ > "$2.tmp" && mv "$2.tmp" "$2"
            echo '{"id": "x", "title": "printed before the timeout"}'
            sleep 300
            """#)
        let source = try execSource(
            [("command", .list(["./hangs.sh", scratch.path("grandchild"), scratch.path("child")])), ("timeout", .text("2s"))],
            base: scratch.url)
        let error = await #expect(throws: PollError.self) {
            _ = try await source.poll(context: logs.context(), state: NothingSeen())
        }
        #expect(error?.description.contains("did not finish within 2s") == true)
        let grandchild = try #require(Int32(scratch.read("grandchild")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        let child = try #require(Int32(scratch.read("child")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(wasReaped(child), "the program was killed and reaped")
        // It closed its end of the pipe on its way out: give the kernel a moment to finish.
        try await eventually { processIsGone(grandchild) }
        #expect(processIsGone(grandchild), "the program's background child was killed too")
    }

    @Test func theProgramSeesOnlyAMinimalEnvironmentPlusItsOwn() async throws {
        setenv("PHAROS_FAKE_SECRET", "hunter2", 1)
        let scratch = try Scratch()
        try scratch.script("env.py", #"""
            #!/usr/bin/env python3
            import json, os
            print(json.dumps({"id": "env", "title": "environment", "content": json.dumps(dict(os.environ)), "cwd": os.getcwd()}))
            """#)
        let work = scratch.url.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let source = try execSource([
            ("command", .list(["./env.py"])), ("env", .map([("FEED_TOKEN_FILE", "/run/token"), ("TZ", "UTC")])),
            ("working_directory", .text("work")),
        ], base: scratch.url)
        let item = try #require(try await source.poll(context: logs.context(), state: NothingSeen()).items.first)
        let environment = try #require(try JSONSerialization.jsonObject(with: Data((item.content ?? "").utf8)) as? [String: String])
        #expect(environment["PHAROS_FAKE_SECRET"] == nil, "the daemon's environment is not passed on")
        #expect(environment["HOME"] == nil)
        #expect(environment["PATH"] == ChildProcess.searchPath)
        #expect(environment["LANG"] == "C.UTF-8")
        #expect(environment["FEED_TOKEN_FILE"] == "/run/token" && environment["TZ"] == "UTC")
        #expect(Set(environment.keys).subtracting(["PATH", "LANG", "FEED_TOKEN_FILE", "TZ", "LC_CTYPE", "PWD"]).isEmpty, "\(environment)")
        #expect(item.fields["cwd"] == work.resolvingSymlinksInPath().path)
    }

    @Test func tooMuchOutputFailsThePoll() async throws {
        let scratch = try Scratch()
        try scratch.script("chatty.sh", #"""
            #!/bin/sh
            while :; do echo '{"id": "same", "title": "again and again and again"}'; done
            """#)
        let source = try execSource([("command", .list(["./chatty.sh"])), ("max_bytes", .text("64KiB"))], base: scratch.url)
        let error = await #expect(throws: PollError.self) {
            _ = try await source.poll(context: logs.context(), state: NothingSeen())
        }
        #expect(error?.description.contains("more than max_bytes") == true)
    }
}

@Suite struct ExecSourceStreaming {
    let logs = LogCapture()

    /// Each run prints one item, waits for the `go` file, prints a second and exits 3; the
    /// second run stays up.
    static let script = #"""
        #!/bin/sh
        dir=$(dirname "$0")
        n=$(cat "$dir/runs" 2>/dev/null || echo 0)
        n=$((n + 1))
        echo $n > "$dir/runs"
        echo "{\"id\": \"run$n-a\", \"title\": \"first of run $n\"}"
        echo "started run $n" >&2
        while [ ! -f "$dir/go" ]; do sleep 0.05; done
        if [ $n -ge 2 ]; then
            echo $$ > "$dir/pid.tmp" && mv "$dir/pid.tmp" "$dir/pid"
        fi
        echo "{\"id\": \"run$n-b\", \"title\": \"second of run $n\"}"
        if [ $n -ge 2 ]; then
            sleep 300
        fi
        exit 3
        """#

    @Test func linesArriveAcrossPollsAndTheProgramIsRestartedAfterItDies() async throws {
        let scratch = try Scratch()
        try scratch.script("stream.sh", Self.script)
        let source = try execSource(
            [("command", .list(["./stream.sh"])), ("mode", .text("stream")), ("restart_delay", .text("10ms"))], base: scratch.url)
        let harness = try PluginHarness(source: source, logs: logs)

        #expect(try await source.poll(context: logs.context(), state: NothingSeen()).items.isEmpty, "nothing runs before run(context:)")
        let pid = try await harness.whileRunning {
            // The program starts with run(context:); items come on a later poll.
            var first: PollResult = try await source.poll(context: logs.context(), state: try await harness.state())
            try await eventually {
                first = try await source.poll(context: logs.context(), state: try await harness.state())
                return !first.items.isEmpty
            }
            #expect(first.items.map(\.id) == ["run1-a"])
            // Not committed (polled outside the engine, so not stored): handed over again.
            let again = try await harness.poll()
            #expect(again.items.map(\.id) == ["run1-a"])
            #expect(try await harness.poll().returned == 0, "committed items are not returned twice")

            scratch.touch("go")
            var collected: [String] = []
            var errors: [String] = []
            try await eventually {
                do {
                    collected += try await harness.poll().items.map(\.id)
                } catch {
                    errors.append("\(error)")
                }
                return collected.contains("run2-b")
            }
            #expect(collected == ["run1-b", "run2-a", "run2-b"])
            #expect(errors.allSatisfy { $0.contains("exited with status 3") }, "\(errors)")
            #expect(scratch.read("runs")?.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
            #expect(!logs.matching("started run 1").isEmpty, "stderr lines go to the logger")
            let pid = try #require(Int32(scratch.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            #expect(!processIsGone(pid))
            return pid
        }
        // run(context:) returned on cancellation (graceful shutdown, a reload): the program
        // was stopped and reaped before it did.
        #expect(wasReaped(pid), "the program was stopped and reaped")
        #expect(scratch.read("runs")?.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "and not restarted")
    }
}

@Suite struct ExecSourceStreamLimits {
    let logs = LogCapture()

    @Test func aFullQueuePausesTheProgramInsteadOfDroppingItems() async throws {
        let scratch = try Scratch()
        try scratch.script("burst.sh", #"""
            #!/bin/sh
            i=1
            while [ $i -le 60 ]; do
                printf '{"id": "item-%02d", "title": "burst item number %02d, padded to make the line longer"}\n' $i $i
                i=$((i + 1))
            done
            printf '{"id": "huge", "title": "%04000d"}\n' 0
            echo '{"id": "after", "title": "the line after the huge one"}'
            exec sleep 300
            """#)
        let source = try execSource(
            [("command", .list(["./burst.sh"])), ("mode", .text("stream")), ("max_bytes", .text("1KB"))], base: scratch.url)
        let harness = try PluginHarness(source: source, logs: logs)
        var collected: [String] = []
        var largestPoll = 0
        try await harness.whileRunning {
            try await eventually {
                let result = try await harness.poll()
                largestPoll = max(largestPoll, result.returned)
                collected += result.items.map(\.id)
                return collected.contains("after")
            }
        }
        #expect(collected == (1...60).map { String(format: "item-%02d", $0) } + ["after"], "nothing dropped, order kept")
        #expect(largestPoll <= 1000 / 80 + 1, "at most max_bytes of output is held between polls")
        #expect(logs.matching("longer than max_bytes").count == 1)
    }
}

@Suite struct ExecSourceOptions {
    @Test func everyProblemNamesItsKey() throws {
        let scratch = try Scratch()
        try Data("not executable".utf8).write(to: scratch.url.appendingPathComponent("plain.txt"))
        func problems(_ entries: [(String, OptionValue)]) -> String {
            do {
                _ = try execSource(entries, base: scratch.url)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(problems([]).contains("'command': is required"))
        #expect(problems([("command", .list(["./missing.sh"]))]).contains("'command': program \(scratch.path("missing.sh")) does not exist"))
        #expect(problems([("command", .list(["plain.txt"]))]).contains("'command': program 'plain.txt' was not found"))
        #expect(problems([("command", .list(["./plain.txt"]))]).contains("is not an executable file"))
        #expect(problems([("command", .list(["sh"])), ("mode", .text("watch"))]).contains("'mode': must be poll or stream"))
        #expect(problems([("command", .list(["sh"])), ("mode", .text("stream")), ("timeout", .text("5s"))]).contains("'timeout': applies to mode: poll only"))
        #expect(problems([("command", .list(["sh"])), ("restart_delay", .text("5s"))]).contains("'restart_delay': applies to mode: stream only"))
        #expect(problems([("command", .list(["sh"])), ("env", .map([("BAD-NAME", "x")]))]).contains("'env': 'BAD-NAME' is not a valid environment variable name"))
        #expect(problems([("command", .list(["sh"])), ("working_directory", .text("nowhere"))]).contains("'working_directory':"))
        #expect(problems([("command", .list(["sh"])), ("max_bytes", .text("lots"))]).contains("'max_bytes' must be"))
        #expect(problems([("command", .list(["sh"])), ("comand", .text("x"))]).contains("did you mean 'command'"))
        #expect(problems([("command", .list(["sh", "-c", "true"]))]).isEmpty, "a bare name is found in the fixed PATH")
        #expect(problems([("command", .text("sh -c true"))]).contains("as a list, [sh, -c, true]"))
    }
}

@Suite struct ExecSourceExamples {
    let logs = LogCapture()
    let examples = packageRoot.appendingPathComponent("Plugins/ExecSource")

    @Test func theCSVExampleTurnsRowsIntoItems() async throws {
        let source = try execSource([("command", .list(["./examples/table_to_items.py", "examples/press-releases.csv"]))], base: examples)
        let items = try await source.poll(context: logs.context(), state: NothingSeen()).items
        #expect(items.count == 3)
        #expect(items.map(\.id).prefix(2) == ["acme-2025-03-03", "acme-2025-03-04"])
        #expect(items[2].id.hasPrefix("sha256:"), "a row without id gets a content hash")
        #expect(items[0].categories == ["Regulatory", "Cell therapy"])
        #expect(items[0].published == ISO8601.date(from: "2025-03-03T13:00:00Z"))
        #expect(items[1].published == ISO8601.date(from: "2025-03-04"))
        #expect(logs.matching("skipping").isEmpty)
        #expect(!logs.matching("printed 3 items").isEmpty)
    }

    @Test func theCSVExampleReadsJSONToo() async throws {
        let scratch = try Scratch()
        try Data(#"{"items": [{"id": 1, "title": "One", "tags": ["a"]}, {"title": "Two", "published": "2025-02-10"}, "junk"]}"#.utf8)
            .write(to: scratch.url.appendingPathComponent("list.json"))
        let source = try execSource(
            [("command", .list([examples.path + "/examples/table_to_items.py", scratch.path("list.json")]))], base: scratch.url)
        let items = try await source.poll(context: logs.context(), state: NothingSeen()).items
        #expect(items.map(\.title) == ["One", "Two"])
        #expect(items[0].id == "1" && items[0].fields["tags"] == #"["a"]"#)
        #expect(!logs.matching("not an object").isEmpty)
    }

    @Test func theCSVExampleFailsThePollWhenItsFileIsMissing() async throws {
        let source = try execSource([("command", .list(["./examples/table_to_items.py", "/nonexistent/file.csv"]))], base: examples)
        await #expect(throws: PollError.self) { _ = try await source.poll(context: logs.context(), state: NothingSeen()) }
    }

    @Test func theStreamExampleReportsNewFilesAsTheyAppear() async throws {
        let scratch = try Scratch()
        try Data("FDA grants Fast Track to LN-145\nThe TIL therapy ...".utf8).write(to: scratch.url.appendingPathComponent("one.txt"))
        let source = try execSource([
            ("command", .list(["./examples/watch_folder.py", scratch.url.path, "0.05"])), ("mode", .text("stream")),
        ], base: examples)
        let harness = try PluginHarness(source: source, logs: logs)
        var seen: [Item] = []
        try await harness.whileRunning { try await eventually {
            seen += try await harness.poll().items
            if seen.count == 1, !FileManager.default.fileExists(atPath: scratch.path("two.txt")) {
                // Written elsewhere and moved in, as the example asks: never seen half-written.
                try Data("\n\nSecond release\nbody".utf8).write(to: scratch.url.appendingPathComponent("two.part"))
                try FileManager.default.moveItem(atPath: scratch.path("two.part"), toPath: scratch.path("two.txt"))
            }
            return seen.count >= 2
        } }
        #expect(seen.map(\.id) == ["one.txt", "two.txt"])
        #expect(seen.first?.title == "FDA grants Fast Track to LN-145")
        #expect(seen.last?.title == "Second release" && seen.last?.content == "body")
    }
}
