import CZstd
import Foundation

/// The archive's codec for new rows: a Zstandard frame (it records the plain size and ends
/// with a checksum) compressed with ``ArchiveDictionary/v2``, the preset dictionary with zstd's
/// entropy tables. Rows written before it are frames made with ``ArchiveDictionary/v1`` as a
/// raw-content dictionary; they still read, told apart by the dictionary id the frame names
/// (none for v1). zstd decompresses press releases about 1.5 to 2.7 times as fast as zlib with
/// the same dictionary, for about the same size, and a backtest spends a quarter of its time there.
///
/// New frames are made for the reader's sake (bench/backtest/README.md): a frame may use the
/// dictionary's tables instead of describing (and its reader building) its own, and matches of
/// at least six bytes make fewer, longer sequences. Over the bench's texts, 18% fewer
/// instructions to decompress than v1 frames at level 6 (the dictionary 9%, the matches the
/// rest), for 0.289 of the text against 0.281.
///
/// The digested dictionaries are made once, on first use (an idle daemon never builds them),
/// and shared by every thread; the contexts, whose tables are the costly part to allocate,
/// are kept in a small pool and reused.
enum ArchiveZstd {
    /// Level 6's parameters for inputs of up to 16 KB, with a 64 KB window (every archived
    /// text, with the dictionary before it) and matches of six bytes or more: zstd's level 6
    /// takes five, which made frames 2.5% smaller and 2.5% slower to decompress.
    static let parameters: [(ZSTD_cParameter, Int32)] = [
        (ZSTD_c_compressionLevel, 6), (ZSTD_c_windowLog, 16), (ZSTD_c_hashLog, 16), (ZSTD_c_chainLog, 16),
        (ZSTD_c_searchLog, 4), (ZSTD_c_minMatch, 6), (ZSTD_c_targetLength, 8), (ZSTD_c_strategy, Int32(ZSTD_lazy2.rawValue)),
        // A checksum of the content (4 bytes) ends each frame, checked on reading: a damaged
        // row is an error, never another text.
        (ZSTD_c_checksumFlag, 1),
    ]

    /// Whether `stored` begins with a zstd frame's magic number (0xFD2FB528, little-endian).
    /// A zlib row cannot: it begins with a varint size, and a one-byte varint (0x28) is followed
    /// by zlib's 0x78 header.
    static func isFrame(_ stored: [UInt8]) -> Bool {
        stored.count >= 4 && stored[0] == 0x28 && stored[1] == 0xB5 && stored[2] == 0x2F && stored[3] == 0xFD
    }

    static func compress(_ plain: [UInt8]) -> [UInt8] {
        let bound = ZSTD_compressBound(plain.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = Contexts.shared.withCompressor { context in
                plain.withUnsafeBytes { source in ZSTD_compress2(context, buffer.baseAddress, bound, source.baseAddress, source.count) }
            }
            // With a destination of compressBound, zstd fails only without memory.
            precondition(ZSTD_isError(written) == 0, "zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
            count = written
        }
    }

    static func decompress(_ stored: [UInt8]) throws(ArchiveTextError) -> [UInt8] {
        let size = stored.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // Also rejects zstd's "unknown" and "error" values, the two largest of the type.
        guard size <= 1 << 31 else {
            throw ArchiveTextError(description: "archived text is a zstd frame without a readable size")
        }
        let dictionary = try Contexts.shared.dictionary(for: stored)
        var result = 0
        let plain = [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            result = Contexts.shared.withDecompressor { context in
                stored.withUnsafeBytes { source in
                    ZSTD_decompress_usingDDict(context, buffer.baseAddress, Int(size), source.baseAddress, source.count, dictionary)
                }
            }
            count = ZSTD_isError(result) == 0 && result == Int(size) ? result : 0
        }
        guard ZSTD_isError(result) == 0, result == Int(size) else {
            let reason = ZSTD_isError(result) != 0 ? String(cString: ZSTD_getErrorName(result)) : "\(result) of \(size) bytes"
            throw ArchiveTextError(description: "archived text does not decompress (zstd: \(reason))")
        }
        return plain
    }

    /// ``decompress(_:)`` into `plain`, which keeps its capacity from one call to the next: a
    /// replay decompresses every item into the same buffer instead of allocating one each.
    static func decompress(_ stored: [UInt8], into plain: inout [UInt8]) throws(ArchiveTextError) {
        let size = stored.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard size <= 1 << 31 else {
            throw ArchiveTextError(description: "archived text is a zstd frame without a readable size")
        }
        let dictionary = try Contexts.shared.dictionary(for: stored)
        // Only bytes never written before are set to zero; the rest are overwritten by zstd.
        if plain.count < Int(size) {
            plain.append(contentsOf: repeatElement(0, count: Int(size) - plain.count))
        } else {
            plain.removeLast(plain.count - Int(size))
        }
        let result = Contexts.shared.withDecompressor { context in
            stored.withUnsafeBytes { source in
                plain.withUnsafeMutableBytes { buffer in
                    ZSTD_decompress_usingDDict(context, buffer.baseAddress, buffer.count, source.baseAddress, source.count, dictionary)
                }
            }
        }
        guard ZSTD_isError(result) == 0, result == Int(size) else {
            plain.removeAll(keepingCapacity: true)
            let reason = ZSTD_isError(result) != 0 ? String(cString: ZSTD_getErrorName(result)) : "\(result) of \(size) bytes"
            throw ArchiveTextError(description: "archived text does not decompress (zstd: \(reason))")
        }
    }

    /// The digested dictionaries and the pool of contexts.
    final class Contexts: @unchecked Sendable {
        static let shared = Contexts()

        /// The digested dictionaries frames are read with: ``ArchiveDictionary/v2``'s, and
        /// ``ArchiveDictionary/v1``'s for the rows written before it.
        let v2: OpaquePointer
        let v1: OpaquePointer
        // Guards the two free lists; a context is used by one thread at a time.
        private let lock = NSLock()
        private var compressors: [OpaquePointer] = []
        private var decompressors: [OpaquePointer] = []
        /// Contexts kept for reuse of each kind: one per core is enough.
        private let kept = max(ProcessInfo.processInfo.activeProcessorCount, 2)

        private init() {
            // zstd fails these only without memory (v2 is a well-formed dictionary, a test reads it).
            v2 = ArchiveDictionary.v2.withUnsafeBytes { ZSTD_createDDict($0.baseAddress, $0.count)! }
            v1 = ArchiveDictionary.v1.withUnsafeBytes { ZSTD_createDDict($0.baseAddress, $0.count)! }
        }

        /// The dictionary the frame `stored` names.
        func dictionary(for stored: [UInt8]) throws(ArchiveTextError) -> OpaquePointer {
            switch stored.withUnsafeBytes({ ZSTD_getDictID_fromFrame($0.baseAddress, $0.count) }) {
            case ArchiveDictionary.v2ID: return v2
            case 0: return v1
            case let id: throw ArchiveTextError(description: "archived text is a zstd frame made with an unknown dictionary (id \(id))")
            }
        }

        func withCompressor<Result>(_ body: (OpaquePointer) -> Result) -> Result {
            let context = lock.withLock { compressors.popLast() } ?? newCompressor()
            defer { give(context, to: \.compressors) { ZSTD_freeCCtx($0) } }
            return body(context)
        }

        /// A context that compresses with ``ArchiveDictionary/v2`` and ``ArchiveZstd/parameters``.
        /// zstd digests the dictionary for these parameters on its first frame and keeps it with
        /// the context.
        private func newCompressor() -> OpaquePointer {
            let context = ZSTD_createCCtx()!
            for (parameter, value) in ArchiveZstd.parameters {
                // Each value is within the range zstd documents for it.
                precondition(ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) == 0, "zstd parameter \(parameter) refused")
            }
            let loaded = ArchiveDictionary.v2.withUnsafeBytes { ZSTD_CCtx_loadDictionary(context, $0.baseAddress, $0.count) }
            precondition(ZSTD_isError(loaded) == 0, "zstd cannot load the archive's dictionary")
            return context
        }

        func withDecompressor<Result>(_ body: (OpaquePointer) -> Result) -> Result {
            let context = lock.withLock { decompressors.popLast() } ?? ZSTD_createDCtx()!
            defer { give(context, to: \.decompressors) { ZSTD_freeDCtx($0) } }
            return body(context)
        }

        private func give(_ context: OpaquePointer, to list: ReferenceWritableKeyPath<Contexts, [OpaquePointer]>,
                          free: (OpaquePointer) -> Int) {
            let keep = lock.withLock {
                guard self[keyPath: list].count < kept else { return false }
                self[keyPath: list].append(context)
                return true
            }
            if !keep { _ = free(context) }
        }
    }
}
