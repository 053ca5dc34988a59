import FileSink
import Foundation
import Logging
import PharosCore
import PharosTestKit
import TestSupport
import Testing

func sinkOptions(_ pairs: [(String, String)]) -> OptionReader {
    optionReader(pairs, what: "file sink 'log'")
}

func delivery(_ id: String) -> Delivery {
    let alert = Alert(id: id, rule: "r", source: "s", item: .init(id: "i", title: "T", link: nil, published: nil, summary: nil),
                      matches: Matches(), evidence: [], detectedAt: Date(timeIntervalSince1970: 0))
    return Delivery(alert: alert)
}

@Suite struct FileSinkWriting {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-filesink-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    let context = PluginContext(logger: Logger(label: "test"))

    func lines(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func appendsOneDocumentPerLineWithMode0640() async throws {
        let file = directory.appendingPathComponent("nested/alerts.jsonl")
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", file.path)])))
        let previous = umask(0o077)
        defer { umask(previous) }
        let results = await sink.deliver(batch: [delivery("a"), delivery("b")], context: context)
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        try await sink.deliver(delivery("c"), context: context)
        let written = try lines(file)
        #expect(written.count == 4 && written.last == "")
        #expect(try written.dropLast().map { try Alert.decode($0).id } == ["a", "b", "c"])
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
    }

    @Test func theStoredDocumentIsWrittenAsItIsWithoutDecoding() async throws {
        let file = directory.appendingPathComponent("alerts.jsonl")
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", file.path)])))
        // A document from another Pharos version, with a field this one does not know and
        // without one it requires: the file gets it byte for byte.
        let foreign = #"{"id":"f1","rule":"r","source":"s","added_later":[1,2.50,"\u00e9"]}"#
        try await sink.deliver(Delivery(alertID: "f1", rule: "r", json: foreign), context: context)
        #expect(try lines(file) == [foreign, ""])
    }

    @Test func aTornLastLineIsCutBeforeTheNextAppend() async throws {
        let file = directory.appendingPathComponent("alerts.jsonl")
        try Data((delivery("a").json + "\n" + #"{"id":"b","rule":"#).utf8).write(to: file)
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", file.path)])))
        try await sink.deliver(delivery("b"), context: context)
        let written = try lines(file).dropLast()
        #expect(try written.map { try Alert.decode($0).id } == ["a", "b"])
    }

    @Test func aFileWithOnlyAPartialLineIsEmptiedFirst() async throws {
        let file = directory.appendingPathComponent("alerts.jsonl")
        try Data(#"{"id":"#.utf8).write(to: file)
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", file.path)])))
        try await sink.deliver(delivery("x"), context: context)
        #expect(try lines(file).dropLast().map { try Alert.decode($0).id } == ["x"])
    }

    @Test func unwritablePlacesFailRetryably() async throws {
        let blocker = directory.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: blocker)
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", blocker.path + "/alerts.jsonl")])))
        let error = await #expect(throws: DeliveryError.self) { try await sink.deliver(delivery("a"), context: context) }
        guard case .retryable(let reason, _) = error else {
            Issue.record("expected a retryable error, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("cannot open"))
    }

    @Test func badOptionsAreReportedByKey() {
        let error = #expect(throws: ConfigErrors.self) {
            try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([
                ("path", directory.path), ("mode", "rw-r"), ("fsynk", "true"),
            ])))
        }
        #expect(error?.diagnostics.map(\.message).sorted() == [
            "'mode': must be octal permission bits such as 0640, found rw-r",
            "'path': \(directory.path) is a directory; name a file",
            "unknown key 'fsynk' in file sink 'log'; did you mean 'fsync'?",
        ])
    }
}

@Suite struct FileSinkInTheEngine {
    @Test func queuedAlertsAreWrittenAndRecordedAsDelivered() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pharos-filesink-\(UUID().uuidString)/alerts.jsonl")
        let sink = try FileSink(configuration: PluginConfiguration(name: "log", options: sinkOptions([("path", file.path)])))
        let harness = try PluginHarness(sink: sink, name: "log")
        let alerts = ["a", "b", "c"].map { try! delivery($0).alert }
        try await harness.queue(alerts)
        let report = try await harness.deliverDue()
        #expect(report.delivered == 3 && report.retrying == 0 && report.dead == 0)
        let written = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(written == alerts.map { $0.jsonLine() }, "each queued document, as queued, in order")
        #expect(try await harness.deliverDue().delivered == 0, "nothing is delivered twice")
    }
}
