import Foundation
import Logging
import PharosCore
import PharosSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends one alert document per line to a file (JSON Lines).
///
/// Each batch is written with as few `write` calls as the kernel allows and then
/// fsynced; delivery is reported only after the fsync. A line torn by a crash or power
/// loss is cut off before the next append, so the file always parses line by line.
public struct FileSink: Sink {
    public static let typeName = "file"

    /// The file alerts are appended to.
    public let path: URL
    /// Permission bits the file is created with.
    public let mode: mode_t
    /// Whether each batch is fsynced before it counts as delivered.
    public let fsyncEachBatch: Bool

    public var destination: String { path.path }
    /// One append at a time: with `concurrency:` above 1, a torn-tail repair must never cut
    /// into a line another delivery is writing.
    private let appending = Shared(())

    public init(configuration: PluginConfiguration) throws {
        let options = configuration.options
        path = options.requiredPath("path")
        let modeText = options.string("mode") ?? "0640"
        if let parsed = mode_t(modeText, radix: 8), parsed <= 0o777 {
            mode = parsed
        } else {
            options.problem("must be octal permission bits such as 0640, found \(modeText)", key: "mode")
            mode = 0o640
        }
        fsyncEachBatch = options.bool("fsync", default: true)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
            options.problem("\(path.path) is a directory; name a file", key: "path")
        }
        try options.validate()
    }

    public func deliver(_ delivery: Delivery, context: PluginContext) async throws(DeliveryError) {
        if case .failure(let error) = await deliver(batch: [delivery], context: context).first { throw error }
    }

    public func deliver(batch: [Delivery], context: PluginContext) async -> [Result<Void, DeliveryError>] {
        guard !batch.isEmpty else { return [] }
        var bytes: [UInt8] = []
        for delivery in batch {
            bytes.append(contentsOf: delivery.json.utf8)
            bytes.append(0x0A)
        }
        let failure = appending.withLock { _ -> DeliveryError? in
            do throws(DeliveryError) {
                try append(bytes, logger: context.logger)
                return nil
            } catch {
                return error
            }
        }
        return Array(repeating: failure.map { .failure($0) } ?? .success(()), count: batch.count)
    }

    private func append(_ bytes: [UInt8], logger: Logger) throws(DeliveryError) {
        let filePath = path.path
        try? FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        var descriptor = open(filePath, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if descriptor >= 0 {
            fchmod(descriptor, mode)  // the umask must not narrow what the user asked for
        } else if errno == EEXIST {
            descriptor = open(filePath, O_RDWR | O_APPEND | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw failure("cannot open \(filePath)") }
        defer { close(descriptor) }
        try repairTornTail(descriptor, logger: logger)
        let written = bytes.withUnsafeBytes { FileIO.writeAll($0, to: descriptor) }
        if written < bytes.count {
            let error = failure("cannot write to \(filePath)")
            // Leave no partial line behind: the retry will write the whole batch again.
            try? truncateTo(descriptor, size: lseek(descriptor, 0, SEEK_END) - off_t(written))
            throw error
        }
        if fsyncEachBatch, fsync(descriptor) != 0 { throw failure("cannot fsync \(filePath)") }
    }

    /// Cuts a final line that has no newline (left by a crash mid-write), so appends start clean.
    private func repairTornTail(_ descriptor: Int32, logger: Logger) throws(DeliveryError) {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(descriptor, &last, 1, size - 1) == 1 else { throw failure("cannot read \(path.path)") }
        guard last != 0x0A else { return }
        var end = size
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var keep: off_t = 0
        search: while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let count = Int(end - start)
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, start) }
            guard read == count else { throw failure("cannot read \(path.path)") }
            for index in stride(from: count - 1, through: 0, by: -1) where chunk[index] == 0x0A {
                keep = start + off_t(index) + 1
                break search
            }
            end = start
        }
        logger.warning("removing a partial last line of \(size - keep) bytes left by an interrupted write", metadata: ["file": "\(path.path)"])
        try truncateTo(descriptor, size: keep)
    }

    private func truncateTo(_ descriptor: Int32, size: off_t) throws(DeliveryError) {
        guard ftruncate(descriptor, size) == 0 else { throw failure("cannot truncate \(path.path)") }
    }

    private func failure(_ what: String) -> DeliveryError {
        // Every file error can heal (space freed, permissions fixed), so none is permanent.
        .retryable("\(what): \(String(cString: strerror(errno)))")
    }
}
