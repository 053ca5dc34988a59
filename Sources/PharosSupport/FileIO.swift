#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file reads and whole-buffer writes on file descriptors, carried on after partial
/// transfers and `EINTR`, with none of Foundation's file handles in between.
package enum FileIO {
    /// The whole file at `path`, read to its end: files under /proc report a size of 0 and
    /// give their contents in several reads. Nil when it cannot be opened or read.
    package static func readAll(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        // Read straight into the array, then whatever the file grew by meanwhile.
        let size = max(Int(status.st_size), 0)
        var failed = false
        var contents = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = read(descriptor, buffer.baseAddress! + initialized, size - initialized)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failed = true }
                if count <= 0 { return }
                initialized += count
            }
        }
        guard !failed else { return nil }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes `bytes` to `descriptor`; returns how many were written: all of them, unless
    /// `write(2)` failed (then `errno` tells why).
    @discardableResult
    package static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return offset
    }
}
