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

    @Test func allocatorCallsAreHarmless() {
        MemoryTuning.releaseFreeHeap()
        let buffer = [UInt8](repeating: 7, count: 1 << 20)
        MemoryTuning.releaseFreeHeap()
        #expect(buffer.allSatisfy { $0 == 7 })
    }
}
