// In-process cost of reading events (target `pharos-bench-events`).
//
//     swift build -c release --product pharos-bench-events
//     .build/release/pharos-bench-events EVENTS-CONFIG MENTIONS-CONFIG CORPUS [GENERATED]
//
// GENERATED (optional) is a folder of bench/match/generate.py's press-release-like documents
// (WORKDIR/corpus): the first 300 of them are measured too, per item.
// EVENTS-CONFIG holds rules decided by events; MENTIONS-CONFIG the same rules with
// `status: any` (the plain matcher); `bench/events/run --speed` writes both. Prints, per
// document and per 10 KB of text (median of 21 passes over the corpus): the plain matcher,
// the matcher with events, event extraction alone (every event built, then only the
// announced ones) and with one designation wanted. Figures only: nothing passes or fails.

import Foundation
import PharosBuiltins
import PharosCore
import PharosEngine
import PharosMatching

@main
struct EventsSpeed {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count == 3 || arguments.count == 4 else {
            FileHandle.standardError.write(Data("usage: pharos-bench-events EVENTS-CONFIG MENTIONS-CONFIG CORPUS [GENERATED]\n".utf8))
            exit(2)
        }
        let loader = ConfigLoader(registry: builtinPlugins)
        let events = try loader.load(URL(fileURLWithPath: arguments[0]))
        let mentions = try loader.load(URL(fileURLWithPath: arguments[1]))
        let documents = try readCorpus(arguments[2])
        let bytes = documents.reduce(0) { $0 + $1.fields.reduce(0) { $0 + $1.text.utf8.count } }
        let extractor = EventExtractor(vocabulary: events.vocabulary)
        print("\(documents.count) documents, \(String(format: "%.1f", Double(bytes) / 1000)) KB (mean \(bytes / max(1, documents.count)) bytes)")
        /// The median of `passes` runs over `set`, per document.
        func median(_ set: [MatchDocument], passes: Int, _ body: (MatchDocument) -> Int) -> Double {
            var times: [Double] = []
            var sink = 0
            for _ in 0..<passes {
                let started = ContinuousClock.now
                for document in set { sink &+= body(document) }
                times.append((ContinuousClock.now - started).seconds)
            }
            if sink == Int.min { print(sink) }  // keeps the work from being optimised away
            return times.sorted()[times.count / 2] / Double(set.count) * 1e6
        }
        let measures: [(String, (MatchDocument) -> Int)] = [
            ("plain matcher (status: any)", { mentions.evaluator.evaluate($0).count }),
            ("matcher with events", { events.evaluator.evaluate($0).count }),
            ("event extraction alone", { extractor.extract($0).count }),
            ("extraction, announced events built", { extractor.extract($0, statuses: [.announced]).count }),
            ("extraction, one designation wanted", { extractor.extract($0, wanted: ["fda-rmat"]).count }),
        ]
        let profiling = ProcessInfo.processInfo.environment["PHAROS_BENCH_PROFILE"] != nil
        if let dump = ProcessInfo.processInfo.environment["PHAROS_BENCH_DUMP"] {
            // Every event of every text, as JSON lines: a change meant to be faster only must leave this unchanged.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var lines = ""
            let generated = arguments.count == 4 ? try readGenerated(arguments[3], count: 300) : []
            for document in documents + generated {
                for event in extractor.extract(document) { lines += String(decoding: try encoder.encode(event), as: UTF8.self) + "\n" }
                lines += "--\n"
            }
            try lines.write(toFile: dump, atomically: true, encoding: .utf8)
            return
        }
        if !profiling {
            for (name, body) in measures {
                let perDocument = median(documents, passes: 21, body)
                let perTenKB = perDocument * Double(documents.count) / Double(bytes) * 10_000
                print("  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%7.1f", perDocument)) µs/document"
                    + "  \(String(format: "%7.1f", perTenKB)) µs per 10 KB of text")
            }
        }

        // The same texts as 10 KB items (consecutive documents joined, the first one's title):
        // a dense worst case, every part of each item regulatory news.
        var items: [MatchDocument] = []
        var body = ""
        var title = ""
        for document in documents {
            if body.isEmpty { title = document.fields[0].text }
            body += (body.isEmpty ? "" : "\n\n") + document.fields[1].text
            if body.utf8.count >= 10_000 {
                items.append(MatchDocument(fields: [("title", title), ("content", body)]))
                body = ""
            }
        }
        let itemBytes = items.reduce(0) { $0 + $1.fields.reduce(0) { $0 + $1.text.utf8.count } }
        print("\(items.count) items of 10 KB or more (mean \(itemBytes / max(1, items.count)) bytes), made of the same texts:")
        if profiling {
            // For a profiler: extraction over the generated items (else the joined ones), many times.
            let set = arguments.count == 4 ? try readGenerated(arguments[3], count: 300) : items
            let passes = Int(ProcessInfo.processInfo.environment["PHAROS_BENCH_PROFILE"] ?? "") ?? 40
            // PHAROS_BENCH_PROFILE_MATCHER=1: the matcher with events instead.
            if ProcessInfo.processInfo.environment["PHAROS_BENCH_PROFILE_MATCHER"] != nil {
                print(median(set, passes: passes) { events.evaluator.evaluate($0).count })
            } else if ProcessInfo.processInfo.environment["PHAROS_BENCH_PROFILE_ANNOUNCED"] != nil {
                // PHAROS_BENCH_PROFILE_ANNOUNCED=1: extraction building the announced events only.
                print(median(set, passes: passes) { extractor.extract($0, statuses: [.announced]).count })
            } else {
                print(median(set, passes: passes) { extractor.extract($0).count })
            }
            return
        }
        for (name, body) in measures {
            print("  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%7.1f", median(items, passes: 51, body))) µs/item")
        }
        guard arguments.count == 4 else { return }
        let generated = try readGenerated(arguments[3], count: 300)
        let generatedBytes = generated.reduce(0) { $0 + $1.fields.reduce(0) { $0 + $1.text.utf8.count } }
        print("\(generated.count) generated press-release-like items (mean \(generatedBytes / max(1, generated.count)) bytes):")
        for (name, body) in measures {
            print("  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%7.1f", median(generated, passes: 11, body))) µs/item")
        }
    }

    /// bench/match's generated documents: the first line is the headline.
    static func readGenerated(_ folder: String, count: Int) throws -> [MatchDocument] {
        var found: [MatchDocument] = []
        for sub in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where found.count < count {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(sub)").sorted() where found.count < count {
                let text = try String(contentsOfFile: "\(folder)/\(sub)/\(name)", encoding: .utf8)
                let headline = text.prefix { $0 != "\n" }
                found.append(MatchDocument(fields: [("title", String(headline)), ("content", String(text.dropFirst(headline.count)))]))
            }
        }
        return found
    }

    /// The corpus's documents: front matter title and date, the body as content.
    static func readCorpus(_ folder: String) throws -> [MatchDocument] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".md") }.sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
            var title = ""
            var body = text
            if text.hasPrefix("---\n"), let end = text.range(of: "\n---\n", range: text.index(text.startIndex, offsetBy: 4)..<text.endIndex) {
                for line in text[text.index(text.startIndex, offsetBy: 4)..<end.lowerBound].split(separator: "\n") where line.hasPrefix("title:") {
                    title = line.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: " \""))
                }
                body = String(text[end.upperBound...])
            }
            return MatchDocument(fields: [("title", title), ("content", body)])
        }
    }
}
