import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The poll(2) loop of one child: feeds stdin, reads stdout and stderr, enforces the timeout,
/// kills the group when asked, and reaps the child.
struct IOLoop {
    let process: ChildProcess
    let pid: pid_t
    let stop: ChildStopSignal?
    let stdoutLine: (@Sendable (ChildOutputLine) -> Void)?
    let stderrLine: (@Sendable (ChildOutputLine) -> Void)?

    var stdinFD: Int32?
    var stdoutFD: Int32?
    var stderrFD: Int32?
    var inputOffset = 0

    var collected: [UInt8] = []
    var outputLimitExceeded = false
    var stdoutSplitter = LineSplitter()
    var stderrSplitter = LineSplitter()
    var stderrTail: [UInt8] = []
    var stderrTruncated = false

    var termination: ChildTermination?
    var timedOut = false
    var cancelled = false
    /// When SIGTERM went to the group, and whether SIGKILL followed.
    var terminatingSince: ContinuousClock.Instant?
    var killedAt: ContinuousClock.Instant?
    let deadline: ContinuousClock.Instant?

    init(
        process: ChildProcess, spawned: ChildProcess.Spawned, stop: ChildStopSignal?,
        stdoutLine: (@Sendable (ChildOutputLine) -> Void)?, stderrLine: (@Sendable (ChildOutputLine) -> Void)?
    ) {
        self.process = process
        pid = spawned.pid
        self.stop = stop
        self.stdoutLine = stdoutLine
        self.stderrLine = stderrLine
        stdinFD = spawned.stdin
        stdoutFD = spawned.stdout
        stderrFD = spawned.stderr
        deadline = process.timeout.map { ContinuousClock.now + $0 }
    }

    mutating func run() -> ChildProcessResult {
        var tick = Duration.milliseconds(1)
        while true {
            let now = ContinuousClock.now
            if termination == nil { reap() }
            if terminatingSince == nil {
                if stop?.isFired == true {
                    cancelled = termination == nil
                    beginTermination(now)
                } else if let deadline, now >= deadline {
                    timedOut = true
                    beginTermination(now)
                } else if termination != nil, groupAlive() {
                    // The program ended but left processes behind: they go too.
                    beginTermination(now)
                }
            }
            if let since = terminatingSince, killedAt == nil, now >= since + process.killGracePeriod {
                kill(-pid, SIGKILL)
                killedAt = now
            }
            if termination != nil {
                // Leftovers that do not hold the pipes got SIGTERM above; they are not waited for.
                if stdoutFD == nil && stderrFD == nil { break }
                // Something outside the group still holds the pipes: stop waiting for it.
                if let killedAt, now >= killedAt + .seconds(1) { break }
                if terminatingSince == nil, !groupAlive() {
                    // Only descendants that left the group hold the pipes; give them the grace period.
                    beginTermination(now)
                }
            }

            var entries: [pollfd] = []
            if let fd = stdoutFD { entries.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = stderrFD { entries.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = stdinFD { entries.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if let stop, terminatingSince == nil { entries.append(pollfd(fd: stop.descriptor, events: Int16(POLLIN), revents: 0)) }

            // Exits are noticed with waitpid: promptly once the pipes closed, at least every
            // 250 ms while they are open (a descendant may hold them after the program ended).
            var wait = entries.isEmpty || (stdoutFD == nil && stderrFD == nil) ? tick : .milliseconds(250)
            if stdoutFD == nil && stderrFD == nil { tick = min(tick * 2, .milliseconds(100)) }
            if let deadline, terminatingSince == nil { wait = min(wait, max(.zero, now.duration(to: deadline))) }
            if let since = terminatingSince, killedAt == nil { wait = min(wait, max(.zero, now.duration(to: since + process.killGracePeriod))) }
            if let killedAt { wait = min(wait, max(.zero, now.duration(to: killedAt + .seconds(1)))) }
            let ready = entries.withUnsafeMutableBufferPointer { buffer in
                poll(buffer.baseAddress, nfds_t(buffer.count), milliseconds(wait))
            }
            if ready <= 0 { continue }
            for entry in entries where entry.revents != 0 {
                if entry.fd == stdoutFD {
                    readAvailable(fromStdout: true)
                } else if entry.fd == stderrFD {
                    readAvailable(fromStdout: false)
                } else if entry.fd == stdinFD {
                    writeInput()
                }
            }
        }
        closeAll()
        if termination == nil {
            // Unreachable in practice (the loop waits for it); never leave a zombie.
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            termination = ChildTermination(waitStatus: status)
        }
        // A last line without a line end counts, unless the program was cut short.
        if !timedOut && !cancelled, let line = stdoutSplitter.finish() { deliverStdout(line) }
        if let line = stderrSplitter.finish() { stderrLine?(line) }
        LiveGroups.remove(pid)
        return ChildProcessResult(
            processID: pid, termination: termination ?? .signaled(SIGKILL), timedOut: timedOut, cancelled: cancelled,
            outputLimitExceeded: outputLimitExceeded, stdout: collected, stderrTail: stderrTail, stderrTruncated: stderrTruncated)
    }

    private func groupAlive() -> Bool { kill(-pid, 0) == 0 }

    private mutating func beginTermination(_ now: ContinuousClock.Instant) {
        terminatingSince = now
        kill(-pid, SIGTERM)
        // A stopped process acts on SIGTERM only once continued.
        kill(-pid, SIGCONT)
        if let fd = stdinFD {
            close(fd)
            stdinFD = nil
        }
    }

    private mutating func reap() {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            termination = ChildTermination(waitStatus: status)
        } else if result < 0 && errno == ECHILD {
            // Someone else reaped it (a SIGCHLD handler set to SIG_IGN); nothing is known.
            termination = .signaled(0)
        }
    }

    private mutating func readAvailable(fromStdout: Bool) {
        guard let fd = fromStdout ? stdoutFD : stderrFD else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        // A bounded number of reads per wakeup, so one chatty stream cannot starve the other.
        for _ in 0..<16 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                consume(buffer[0..<count], fromStdout: fromStdout)
                if count < buffer.count { return }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                close(fd)
                if fromStdout { stdoutFD = nil } else { stderrFD = nil }
                return
            } else {
                return
            }
        }
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>, fromStdout: Bool) {
        if fromStdout {
            if stdoutLine != nil {
                for line in stdoutSplitter.feed(bytes, limit: process.maxLineBytes) { deliverStdout(line) }
            } else {
                let room = process.maxOutputBytes - collected.count
                if bytes.count > room {
                    collected.append(contentsOf: bytes.prefix(max(room, 0)))
                    if !outputLimitExceeded {
                        outputLimitExceeded = true
                        if process.killOnOutputLimit, terminatingSince == nil { beginTermination(.now) }
                    }
                } else {
                    collected.append(contentsOf: bytes)
                }
            }
        } else {
            stderrTail.append(contentsOf: bytes)
            if stderrTail.count > process.maxErrorBytes {
                stderrTail.removeFirst(stderrTail.count - process.maxErrorBytes)
                stderrTruncated = true
            }
            if let stderrLine {
                for line in stderrSplitter.feed(bytes, limit: min(process.maxLineBytes, 4096)) { stderrLine(line) }
            }
        }
    }

    private func deliverStdout(_ line: ChildOutputLine) {
        stdoutLine?(line)
    }

    private mutating func writeInput() {
        guard let fd = stdinFD else { return }
        let input = process.input
        while inputOffset < input.count {
            let count = input.withUnsafeBytes { bytes in
                write(fd, bytes.baseAddress! + inputOffset, bytes.count - inputOffset)
            }
            if count > 0 {
                inputOffset += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && errno == EAGAIN {
                return
            } else {
                break  // EPIPE: the program does not want (the rest of) its input
            }
        }
        close(fd)
        stdinFD = nil
    }

    private mutating func closeAll() {
        for fd in [stdinFD, stdoutFD, stderrFD].compactMap({ $0 }) { close(fd) }
        stdinFD = nil
        stdoutFD = nil
        stderrFD = nil
    }
}

/// Splits a byte stream into lines (`\n`, with a `\r` before it dropped), cutting long ones.
struct LineSplitter {
    private var partial: [UInt8] = []
    private var partialTruncated = false
    private var count = 0

    mutating func feed(_ bytes: ArraySlice<UInt8>, limit: Int) -> [ChildOutputLine] {
        var lines: [ChildOutputLine] = []
        var rest = bytes
        while let newline = rest.firstIndex(of: 0x0A) {
            append(rest[rest.startIndex..<newline], limit: limit)
            lines.append(take())
            rest = rest[(newline + 1)...]
        }
        append(rest, limit: limit)
        return lines
    }

    /// The last line when the stream ended without a line end.
    mutating func finish() -> ChildOutputLine? {
        partial.isEmpty && !partialTruncated ? nil : take()
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, limit: Int) {
        let room = limit - partial.count
        if bytes.count > room {
            partial.append(contentsOf: bytes.prefix(max(room, 0)))
            partialTruncated = true
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func take() -> ChildOutputLine {
        count += 1
        if partial.last == 0x0D { partial.removeLast() }
        let line = ChildOutputLine(number: count, bytes: partial, truncated: partialTruncated)
        partial = []
        partialTruncated = false
        return line
    }
}

func milliseconds(_ duration: Duration) -> Int32 {
    let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    // Round up, so a wait never ends just short of its deadline and spins.
    let rounded = ms + (duration.components.attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)
    return Int32(clamping: max(0, rounded))
}
