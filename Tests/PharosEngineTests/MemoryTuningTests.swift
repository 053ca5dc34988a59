import Foundation
import PharosEngine
import Testing

@Suite struct MemoryTuningTests {
    @Test func startupPagesOfTheExecutableAreFoundAndAdvised() throws {
        #if os(Linux)
        // The test binary's own code is mapped from its file, so something must be advised;
        // 0 means /proc/self/maps was misread.
        let advised = MemoryTuning.releaseStartupPages()
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: executable)[.size] as? Int)
        #expect(advised > 0)
        #expect(advised <= size + 16 << 20)
        #endif
    }

    @Test func allocatorCallsAreHarmless() {
        MemoryTuning.releaseFreeHeap()
        let buffer = [UInt8](repeating: 7, count: 1 << 20)
        MemoryTuning.releaseFreeHeap()
        #expect(buffer.allSatisfy { $0 == 7 })
    }
}
