import Foundation
import PharosEngine
import Testing

@Suite struct MemoryTuningTests {
    @Test func readOnlyFilePagesAreFoundAndAdvised() throws {
        #if os(Linux)
        // The test binary's code and its libraries are mapped from files, so something must be
        // advised (0 means /proc/self/maps was misread), and never more than is mapped at all.
        let advised = MemoryTuning.releaseStartupPages()
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let sizeLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmSize:") })
        let mappedKiB = try #require(Int(sizeLine.split(separator: " ", omittingEmptySubsequences: true)[1]))
        #expect(advised > 0)
        #expect(advised < mappedKiB * 1024)
        // Code that was handed back still runs: it comes back from its file.
        let text = String(decoding: Array("pharos".utf8), as: UTF8.self).uppercased()
        #expect(text == "PHAROS")
        #endif
    }

    @Test func everyMappedFileIsSeenNotOnlyTheFirstPageOfSmaps() {
        #if os(Linux)
        // The C library is mapped far after the executable; reading /proc/self/smaps only
        // up to its first page once hid every shared library from the hand-back.
        let files = MemoryTuning.mappedFiles()
        #expect(files.contains { $0.contains("/libc.so") }, "mapped files seen: \(files.sorted())")
        #expect(files.contains { $0.contains("/libswiftCore.so") || $0.contains("/libstdc++.so") })
        #endif
    }

    @Test func allocatorCallsAreHarmless() {
        MemoryTuning.releaseFreeHeap()
        let buffer = [UInt8](repeating: 7, count: 1 << 20)
        MemoryTuning.releaseFreeHeap()
        #expect(buffer.allSatisfy { $0 == 7 })
    }
}

@Suite struct StartupPagesTests {
    @Test func relocatedDataAndCodeStillWorkAfterTheirPagesAreHandedBack() throws {
        #if os(Linux)
        // Read-only mappings holding pages written at start-up (relocated pointers: type
        // metadata, witness tables, vtables) must be left alone: dropping them would bring
        // back the file's unrelocated bytes, and the calls below would crash.
        MemoryTuning.releaseStartupPages()
        MemoryTuning.releaseStartupPages()
        let values: [any CustomStringConvertible] = [42, "forty-two", 4.2, [1, 2], Date(timeIntervalSince1970: 0)]
        #expect(values.map(\.description).joined(separator: "|").hasPrefix("42|forty-two|4.2|[1, 2]|1970-01-01"))
        let decoded = try JSONDecoder().decode([String: Int].self, from: Data(#"{"a": 1}"#.utf8))
        #expect(decoded == ["a": 1])
        #endif
    }
}
