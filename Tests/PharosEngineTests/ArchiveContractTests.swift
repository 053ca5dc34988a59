import Foundation
import PharosCore
import PharosEngine
import TestSupport
import Testing

private let start = Date(timeIntervalSince1970: 1_795_424_400)

private func entry(_ item: Item, rules: [String] = [], events: [RegulatoryEvent] = []) -> ArchiveEntry {
    ArchiveEntry(item: item, events: events, rules: rules)
}

/// What every `StateStore` must do with the archive (`ArchiveStore`).
@Suite struct ArchiveContract {
    @Test(arguments: Backend.allCases) func anArchivedItemReadsBackWithEveryField(_ backend: Backend) async throws {
        let store = try backend.make()
        let item = Item(id: "https://example.org/1", title: "Acme gets RMAT for ACM-1 (BCMA)", link: "https://example.org/1",
                        published: start.addingTimeInterval(-3600), updated: start, summary: "Summary é ✓",
                        content: String(repeating: "The FDA granted RMAT designation to ACM-1. ", count: 50),
                        authors: ["Jo"], categories: ["cell therapy", "regulatory"], fields: ["ticker": "ACME", "region": "US"])
        let event = RegulatoryEvent(agency: "FDA", action: "fda-rmat", label: "RMAT", text: "RMAT designation", product: "ACM-1",
                                    productID: nil, companies: ["Acme"], targets: [], modality: nil, indication: nil, status: .announced,
                                    cues: ["title"], evidence: Evidence(field: "title", text: "Acme gets RMAT", start: 0, end: 14))
        try await store.record([PollRecord(source: "news", items: [item], archive: [entry(item, rules: ["rmat", "bcma"], events: [event])])],
                               now: start)
        let versions = try await store.archivedVersions(source: "news", itemID: item.id)
        #expect(versions.count == 1)
        let archived = try #require(versions.first)
        #expect(archived.item == item)
        #expect(archived.summary.rules == ["rmat", "bcma"])
        #expect(archived.summary.events == [event])
        #expect(archived.summary.firstSeen == start && archived.summary.lastSeen == start)
        #expect(archived.summary.title == item.title && archived.summary.link == item.link && archived.summary.published == item.published)
        let stats = try await store.archiveStats()
        #expect(stats.versions == 1)
        #expect(stats.storedBytes < stats.textBytes / 4, "repetitive text compresses: \(stats)")
    }

    @Test(arguments: Backend.allCases) func anEditedItemKeepsItsVersions(_ backend: Backend) async throws {
        let store = try backend.make()
        let first = Item(id: "1", title: "Acme files", content: "first text")
        var edited = first
        edited.content = "edited text"
        try await store.record([PollRecord(source: "news", items: [first], archive: [entry(first)])], now: start)
        try await store.record([PollRecord(source: "news", items: [edited], archive: [entry(edited, rules: ["r"])])],
                               now: start.addingTimeInterval(60))
        // Edited back: the first version is seen again, not archived twice.
        try await store.record([PollRecord(source: "news", items: [first], archive: [entry(first)])], now: start.addingTimeInterval(120))
        let versions = try await store.archivedVersions(source: "news", itemID: "1")
        #expect(versions.map(\.item.content) == ["first text", "edited text"])
        #expect(versions.map(\.summary.firstSeen) == [start, start.addingTimeInterval(60)])
        #expect(versions.map(\.summary.lastSeen) == [start.addingTimeInterval(120), start.addingTimeInterval(60)])
        #expect(try await store.archiveStats().versions == 2)
    }

    @Test(arguments: Backend.allCases) func listingsFilterAndPage(_ backend: Backend) async throws {
        let store = try backend.make()
        for index in 0..<5 {
            let item = Item(id: "\(index)", title: "item \(index)")
            try await store.record([PollRecord(source: index % 2 == 0 ? "even" : "odd", items: [item],
                                               archive: [entry(item, rules: index == 3 ? ["x", "y"] : ["y"])])],
                                   now: start.addingTimeInterval(Double(index)))
        }
        #expect(try await store.archivedItems(ArchiveQuery()).map(\.itemID) == ["4", "3", "2", "1", "0"])
        #expect(try await store.archivedItems(ArchiveQuery(source: "odd")).map(\.itemID) == ["3", "1"])
        #expect(try await store.archivedItems(ArchiveQuery(rule: "x")).map(\.itemID) == ["3"])
        #expect(try await store.archivedItems(ArchiveQuery(since: start.addingTimeInterval(3))).map(\.itemID) == ["4", "3"])
        let page = try await store.archivedItems(ArchiveQuery(limit: 2))
        #expect(page.map(\.itemID) == ["4", "3"])
        #expect(try await store.archivedItems(ArchiveQuery(before: page.last?.position, limit: 2)).map(\.itemID) == ["2", "1"])
        // A backtest's pages: in the order written.
        let first = try await store.archivePage(since: .distantPast, source: nil, after: 0, limit: 3)
        #expect(try first.map { try $0.decoded().item.id } == ["0", "1", "2"])
        let rest = try await store.archivePage(since: .distantPast, source: nil, after: first.last!.summary.position, limit: 3)
        #expect(try rest.map { try $0.decoded().item.id } == ["3", "4"])
        #expect(try await store.archivePage(since: .distantPast, source: "even", after: 0, limit: 10).map(\.summary.itemID) == ["0", "2", "4"])
    }

    @Test(arguments: Backend.allCases) func expiryRemovesOnlyWhatIsOlderAndLeavesSeenItems(_ backend: Backend) async throws {
        let store = try backend.make()
        for index in 0..<5 {
            let item = Item(id: "\(index)", title: "item \(index)")
            try await store.record([PollRecord(source: "news", items: [item], archive: [entry(item)])], now: start.addingTimeInterval(Double(index)))
        }
        #expect(try await store.expireArchive(before: start.addingTimeInterval(3), limit: 2) == 2)
        #expect(try await store.expireArchive(before: start.addingTimeInterval(3), limit: 2) == 1)
        #expect(try await store.expireArchive(before: start.addingTimeInterval(3), limit: 2) == 0)
        #expect(try await store.archivedItems(ArchiveQuery()).map(\.itemID) == ["4", "3"])
        // Expiry is of the archive only: the items stay seen.
        #expect(try await store.versions(source: "news", ids: ["0"]).count == 1)
    }

    @Test(arguments: Backend.allCases) func recordedAlertsAreWhatDidAlert(_ backend: Backend) async throws {
        let store = try backend.make()
        try await store.record([PollRecord(source: "news", alerts: [
            NewAlert(id: "a", rule: "x", itemID: "1", json: "{}", sinks: ["out"]),
            NewAlert(id: "b", rule: "y", itemID: "1", json: "{}", sinks: ["out"]),
        ])], now: start)
        try await store.record([PollRecord(source: "other", alerts: [NewAlert(id: "c", rule: "x", itemID: "2", json: "{}", sinks: ["out"])])],
                               now: start.addingTimeInterval(10))
        #expect(try await store.recordedAlerts(rules: ["x"], since: .distantPast, source: nil).map(\.id) == ["a", "c"])
        #expect(try await store.recordedAlerts(rules: [], since: .distantPast, source: "news").map(\.id) == ["a", "b"])
        #expect(try await store.recordedAlerts(rules: [], since: start.addingTimeInterval(5), source: nil).map(\.id) == ["c"])
    }
}

@Suite struct ArchivePages {
    /// The page size in a SQLite file's header (bytes 16-17, big-endian; 1 means 65536).
    private func pageSize(_ file: URL) throws -> Int {
        let header = try [UInt8](Data(contentsOf: file).prefix(18))
        let size = Int(header[16]) << 8 | Int(header[17])
        return size == 1 ? 65536 : size
    }

    @Test func aNewStateIsCreatedWithPagesThatHoldSeveralArchivedVersions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-pages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let item = Item(id: "1", title: "Acme", content: String(repeating: "The FDA granted RMAT designation. ", count: 100))
        do {
            let store = try SQLiteStateStore(directory: directory)
            try await store.record([PollRecord(source: "news", items: [item], archive: [entry(item, rules: [], events: [])])], now: start)
        }
        let file = directory.appendingPathComponent("pharos.sqlite")
        #expect(try pageSize(file) == 16384)
        let reopened = try SQLiteStateStore(directory: directory)
        #expect(try await reopened.archivedVersions(source: "news", itemID: "1").map(\.item) == [item])
        #expect(try pageSize(file) == 16384)
    }
}

/// The state's file system running out of space, and the space coming back.
@Suite(.serialized) struct StateDiskFull {
    private func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    private func poll(_ number: Int) -> PollRecord {
        // Text that deflate cannot shrink much, so each poll adds pages.
        let text = (0..<400).map { "\($0 * 7919 &+ number * 104_729)-\(UUID().uuidString)" }.joined(separator: " ")
        let item = Item(id: "\(number)", title: "Item \(number)", content: text)
        return PollRecord(source: "news", items: [item], archive: [entry(item)])
    }

    @Test(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
    func aWALThatFilledTheDiskIsMovedIntoTheDatabaseOnceSpaceReturns() async throws {
        let small = try #require(SmallFileSystem(kilobytes: 2048))
        let store = try SQLiteStateStore(directory: small.mountPoint.appendingPathComponent("state"))
        let wal = store.path.path + "-wal"
        // Below SQLite's automatic checkpoint, the whole state stays in the WAL.
        var number = 0
        while fileSize(wal) < 900 << 10, number < 200 {
            try await store.record([poll(number)], now: start)
            number += 1
        }
        let filler = try small.fill()
        await #expect(throws: (any Error).self) { try await store.record([poll(number)], now: start) }
        try FileManager.default.removeItem(at: filler)
        let walBefore = fileSize(wal)
        try await store.record([poll(number + 1)], now: start)
        #expect(fileSize(wal) < walBefore / 4, "the WAL was checkpointed and truncated: \(walBefore) -> \(fileSize(wal)) bytes")
        #expect(try await store.archiveStats().versions == number + 1, "every version recorded before and after, none of the failed one")
        #expect(try await store.integrityCheck() == "ok")
    }
}

@Suite struct ArchiveTextTests {
    @Test func aTextCompressedWithoutTheDictionaryStillReads() throws {
        // zlib.compress of the encoded Item(id: "1", title: "t"), as the first archives stored it.
        let stored: [UInt8] = [12, 120, 156, 99, 100, 44, 97, 128, 1, 0, 4, 171, 0, 119]
        #expect(try ArchiveText.item(from: stored, id: "1") == Item(id: "1", title: "t"))
        let item = Item(id: "2", title: "Acme announces", content: "This press release contains forward-looking statements.")
        #expect(try ArchiveText.item(from: ArchiveText.compress(ArchiveText.encode(item)), id: "2") == item)
    }

    @Test func aZlibTextWithTheDictionaryStillReads() throws {
        // Python's zlib (level 6, zdict = ArchiveDictionary.v1) over the encoded item below,
        // its size first: the rows archives held before zstd.
        let stored: [UInt8] = [
            81, 120, 187, 158, 15, 207, 203, 99, 228, 115, 76, 206, 77, 133, 215, 240, 197, 12, 12, 12, 140, 230, 228, 117, 228, 245, 24,
            64, 0, 0, 76, 123, 26, 216,
        ]
        let item = Item(id: "2", title: "Acme announces", content: "This press release contains forward-looking statements.")
        #expect(try ArchiveText.item(from: stored, id: "2") == item)
    }

    @Test func newTextsAreZstdFramesWithTheDictionary() throws {
        let item = Item(id: "3", title: "Acme announces Breakthrough Therapy Designation", content: String(repeating: "Forward-Looking Statements. ", count: 200))
        let plain = ArchiveText.encode(item)
        let stored = ArchiveText.compress(plain)
        #expect(Array(stored.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(stored.count < plain.count / 10)
        #expect(try ArchiveText.item(from: stored, id: "3") == item)
        #expect(try ArchiveText.item(from: ArchiveText.compress(ArchiveText.encode(Item(id: "4", title: ""))), id: "4") == Item(id: "4", title: ""))
    }

    @Test func newFramesNameTheSecondDictionaryAndFramesOfTheFirstStillRead() throws {
        let item = Item(id: "2", title: "Acme announces", content: "This press release contains forward-looking statements.")
        let stored = ArchiveText.compress(ArchiveText.encode(item))
        #expect(Self.dictionaryID(stored) == 0x5048_0002)
        #expect(try ArchiveText.item(from: stored, id: "2") == item)
        // zstd 1.5.4's command line (`zstd -6 --check -D`, the first dictionary's bytes as a raw
        // dictionary) over the encoded item: the frames archives held before the second one.
        let v1: [UInt8] = [
            40, 181, 47, 253, 36, 81, 237, 0, 0, 144, 1, 14, 65, 99, 109, 101, 115, 0, 0, 0, 1, 55, 46, 0, 0, 0, 0, 0, 2, 0, 99, 62, 60, 165,
            124, 45, 23, 1, 74, 187, 1, 245,
        ]
        #expect(Self.dictionaryID(v1) == 0)
        #expect(try ArchiveText.item(from: v1, id: "2") == item)
        // A frame naming a dictionary this Pharos does not know.
        var unknown = stored
        let at = Self.dictionaryIDOffset(stored)!
        unknown[at] ^= 0x01
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: unknown, id: "2") }
    }

    /// Where a zstd frame's dictionary id begins, when it has a 4-byte one (RFC 8878, 3.1.1.1).
    private static func dictionaryIDOffset(_ frame: [UInt8]) -> Int? {
        let descriptor = frame[4]
        guard descriptor & 3 == 3 else { return nil }
        return descriptor & 0x20 != 0 ? 5 : 6
    }

    private static func dictionaryID(_ frame: [UInt8]) -> UInt32 {
        let descriptor = frame[4]
        let start = descriptor & 0x20 != 0 ? 5 : 6
        let size = [0, 1, 2, 4][Int(descriptor & 3)]
        return frame[start..<start + size].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test func aDamagedTextIsAnErrorNotACrash() throws {
        let stored = ArchiveText.compress(ArchiveText.encode(Item(id: "1", title: "t", content: "c")))
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: Array(stored.dropLast(3)), id: "1") }
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: [], id: "1") }
        // A zstd frame cut short, with its size field gone, with a bit flipped, or claiming more than it holds.
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: Array(stored.prefix(5)), id: "1") }
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: [0x28, 0xB5, 0x2F, 0xFD], id: "1") }
        var flipped = stored
        flipped[flipped.count - 6] ^= 0x40
        #expect(throws: ArchiveTextError.self) { try ArchiveText.item(from: flipped, id: "1") }
        #expect(throws: ArchiveTextError.self) { try ArchiveText.decode([1, 200], id: "1") }
        #expect(throws: ArchiveTextError.self) { try ArchiveText.decode([9], id: "1") }
    }
}
