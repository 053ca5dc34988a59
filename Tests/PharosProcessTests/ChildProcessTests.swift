import Foundation
import PharosCore
import PharosProcess
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessRuns {
    @Test func largeInputAndOutputFlowWithoutDeadlock() async throws {
        let input = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let result = try await ChildProcess(command: ["/bin/cat"], input: input).run()
        #expect(result.succeeded)
        #expect(result.stdout == input)
        #expect(wasReaped(result.processID), "the child was reaped")
    }

    @Test func cancellationKillsTheProcessGroup() async throws {
        let scratch = try Scratch()
        let script = try scratch.script("wait.sh", #"""
            #!/bin/sh
            sleep 300 &
            echo "$$ $!" > "$1.tmp" && mv "$1.tmp" "$1"
            wait
            """#)
        let process = ChildProcess(command: [script, scratch.path("pids")])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await process.run() }
            try await eventually { scratch.exists("pids") }
            group.cancelAll()
            await #expect(throws: CancellationError.self) { try await group.next() }
        }
        let pids = (scratch.read("pids") ?? "").split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(pids.count == 2)
        #expect(wasReaped(pids[0]), "the program was reaped")
        try await eventually { pids.allSatisfy(processIsGone) }
        for pid in pids { #expect(processIsGone(pid)) }
    }

    @Test func backgroundProcessesDoNotOutliveTheProgram() async throws {
        let scratch = try Scratch()
        let script = try scratch.script("leaves.sh", #"""
            #!/bin/sh
            sleep 300 > /dev/null 2>&1 &
            echo $! > "$1.tmp" && mv "$1.tmp" "$1"
            echo done
            """#)
        let result = try await ChildProcess(command: [script, scratch.path("pid")]).run()
        #expect(result.succeeded && String(decoding: result.stdout, as: UTF8.self) == "done\n")
        let pid = try #require(Int32(scratch.read("pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        try await eventually { processIsGone(pid) }
        #expect(processIsGone(pid))
    }

    @Test func concurrentRunsLeaveNoZombies() async throws {
        let pids = Shared<[Int32]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let result = try await ChildProcess(command: ["/bin/sh", "-c", "exit $0", "\(index % 3)"]).run()
                    #expect(result.termination == .exited(Int32(index % 3)))
                    pids.withLock { $0.append(result.processID) }
                }
            }
            try await group.waitForAll()
        }
        #expect(pids.value.count == 24)
        #expect(pids.value.allSatisfy(wasReaped))
    }

    @Test func theChildStartsWithDefaultSignalsAndNoInheritedDescriptors() async throws {
        // The daemon ignores SIGPIPE and the I/O thread blocks it; neither may reach the child.
        signal(SIGPIPE, SIG_IGN)
        let status = try await ChildProcess(command: ["/bin/cat", "/proc/self/status"]).run()
        let lines = String(decoding: status.stdout, as: UTF8.self).split(separator: "\n")
        func mask(_ name: String) -> UInt64? {
            lines.first { $0.hasPrefix(name + ":") }.flatMap { UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        // Signals 32 and 33 are glibc's own (thread cancellation, setxid): not ours to set.
        let glibcInternal: UInt64 = 0x1_8000_0000
        #expect(mask("SigIgn").map { $0 & ~glibcInternal } == 0, "\(lines)")
        #expect(mask("SigBlk").map { $0 & ~glibcInternal } == 0, "\(lines)")

        // A descriptor the daemon opened without close-on-exec stays in the daemon.
        let descriptor = open("/dev/null", O_RDONLY)
        defer { close(descriptor) }
        #expect(descriptor > 2)
        let check = try await ChildProcess(command: ["/bin/sh", "-c", "if [ -e /proc/$$/fd/$0 ]; then echo leaked; else echo closed; fi", "\(descriptor)"]).run()
        #expect(String(decoding: check.stdout, as: UTF8.self) == "closed\n")
    }

    @Test func aMissingProgramIsAnErrorThatIsNotTransient() async throws {
        let error = await #expect(throws: ChildProcessError.self) { _ = try await ChildProcess(command: ["/nonexistent/program"]).run() }
        #expect(error?.isTransient == false)
        #expect(error?.description == "cannot start /nonexistent/program: No such file or directory")
        #expect(ChildProcessError(program: "p", operation: "start", code: EAGAIN).isTransient)
    }

    @Test func streamingDeliversLinesAsTheyArrive() async throws {
        let lines = Shared<[String]>([])
        let result = try await ChildProcess(command: ["/bin/sh", "-c", "printf 'one\\r\\ntwo\\n\\nthree'; echo oops >&2; exit 4"])
            .run(stdoutLine: { line in lines.withLock { $0.append("\(line.number):\(line.text)") } })
        #expect(lines.value == ["1:one", "2:two", "3:", "4:three"])
        #expect(result.termination == .exited(4) && result.lastErrorLines() == ["oops"])
    }
}
