import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    struct Spawned {
        var pid: pid_t
        var stdin: Int32?
        var stdout: Int32
        var stderr: Int32
    }

    func spawn(program: String) throws(ChildProcessError) -> Spawned {
        let output = try makePipe(program: program)
        let errors: (read: Int32, write: Int32)
        do {
            errors = try makePipe(program: program)
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        var inputPipe: (read: Int32, write: Int32)?
        if !input.isEmpty {
            do {
                inputPipe = try makePipe(program: program)
            } catch {
                for fd in [output.read, output.write, errors.read, errors.write] { close(fd) }
                throw error
            }
        }
        func closeAll() {
            for fd in [output.read, output.write, errors.read, errors.write, inputPipe?.read, inputPipe?.write].compactMap({ $0 }) {
                close(fd)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        if let closeFrom = SpawnExtensions.addCloseFrom {
            _ = closeFrom(&actions, 3)
        }
        if let workingDirectory {
            guard let addChdir = SpawnExtensions.addChdir else {
                closeAll()
                throw ChildProcessError(program: program, operation: "set a working directory for", code: ENOSYS)
            }
            let status = workingDirectory.withCString { addChdir(&actions, $0) }
            if status != 0 {
                closeAll()
                throw ChildProcessError(program: program, operation: "set a working directory for", code: status)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (so the whole tree can be signalled), no blocked signals, and every
        // signal at its default action: the daemon ignores SIGPIPE, which exec would pass on.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // 1...64 covers the real-time signals; glibc leaves its two internal ones (32, 33) alone.
        for signal in 1...64 where signal != SIGKILL && signal != SIGSTOP {
            sigaddset(&defaults, Int32(signal))
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = command.map { strdup($0) }
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var status: Int32 = 0
        // ETXTBSY is transient when the program file was just written: a child another thread
        // spawned in that moment holds a copy of the writing descriptor until its own exec.
        for attempt in 1...5 {
            status = (argv + [nil]).withUnsafeBufferPointer { argvBuffer in
                (envp + [nil]).withUnsafeBufferPointer { envpBuffer in
                    posix_spawn(&pid, program, &actions, &attributes, argvBuffer.baseAddress!, envpBuffer.baseAddress!)
                }
            }
            guard status == ETXTBSY, attempt < 5 else { break }
            usleep(UInt32(10_000 * attempt))
        }
        close(output.write)
        close(errors.write)
        if let inputPipe { close(inputPipe.read) }
        guard status == 0 else {
            close(output.read)
            close(errors.read)
            if let inputPipe { close(inputPipe.write) }
            throw ChildProcessError(program: program, operation: "start", code: status)
        }
        for fd in [output.read, errors.read, inputPipe?.write].compactMap({ $0 }) {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        LiveGroups.add(pid)
        return Spawned(pid: pid, stdin: inputPipe?.write, stdout: output.read, stderr: errors.read)
    }
}

/// The process groups of children still running, so that the daemon's own exit takes them
/// along (SIGTERM) instead of leaving a stream program behind; a SIGKILL of the daemon cannot.
enum LiveGroups {
    static let groups = Mutex<Set<pid_t>>([])
    static let exitHook: Void = {
        atexit {
            let running = LiveGroups.groups.withLockIfAvailable { $0 } ?? []
            for group in running {
                kill(-group, SIGTERM)
                kill(-group, SIGCONT)
            }
        }
    }()

    static func add(_ group: pid_t) {
        _ = exitHook
        groups.withLock { _ = $0.insert(group) }
    }

    static func remove(_ group: pid_t) {
        groups.withLock { _ = $0.remove(group) }
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `..._addclosefrom_np` (2.34),
/// which Swift's Glibc module does not show; looked up at run time.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        return dlsym(handle, name)
    }
}

/// A pipe whose ends are close-on-exec and numbered 3 or more (so they never collide with the
/// 0/1/2 they are duplicated onto, even in a daemon started with those closed).
func makePipe(program: String) throws(ChildProcessError) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw ChildProcessError(program: program, operation: "create a pipe for", code: errno) }
    var moved: [Int32] = []
    for fd in ends {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        let code = errno
        close(fd)
        if copy < 0 {
            for fd in moved { close(fd) }
            throw ChildProcessError(program: program, operation: "create a pipe for", code: code)
        }
        moved.append(copy)
    }
    return (moved[0], moved[1])
}
