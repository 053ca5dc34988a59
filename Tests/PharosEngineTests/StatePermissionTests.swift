import Foundation
import PharosCore
import PharosEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

private func mode(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1) & 0o777
}

@Suite struct StatePermissions {
    @Test func theStateIsPrivateWhateverTheUmask() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-perm-\(UUID().uuidString)/state")
        let previous = umask(0o022)
        defer { umask(previous) }
        let lock = try StateLock(directory: directory)
        let store = try SQLiteStateStore(directory: directory)
        try await store.record([PollRecord(status: PollStatus(source: "s", error: nil, polled: Date(), nextPoll: Date()))], now: Date())
        #expect(mode(directory.path) == 0o700)
        for file in ["pharos.sqlite", "pharos.sqlite-wal", "pharos.sqlite-shm", "pharos.lock"] {
            #expect(mode(directory.appendingPathComponent(file).path) == 0o600, "\(file)")
        }
        withExtendedLifetime(lock) {}
    }

    @Test func databaseFilesLeftOpenBeforeAreTightened() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try SQLiteStateStore(directory: directory)
        let database = directory.appendingPathComponent("pharos.sqlite").path
        chmod(database, 0o644)
        _ = try SQLiteStateStore(directory: directory)
        #expect(mode(database) == 0o600)
    }

    @Test func aStateThatIsAFileIsAConfigError() throws {
        let folder = try ConfigFolder()
        try folder.write("rules.d/r.yaml", validRules)
        try folder.write("state", "not a folder")
        try folder.write("pharos.yaml", validMain)
        #expect(folder.problems() == [
            "pharos.yaml:1:8: 'state': state is a file, not a folder ('state:' names the folder that holds the database)",
        ])
    }
}
