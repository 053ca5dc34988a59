// Story signatures on the labelled set, their speed, and the story index's lookup cost
// (target `pharos-bench-stories`; `bench/stories/run` drives it and prints the tables).
//
//     pharos-bench-stories pairs ITEMS.jsonl PAIRS.jsonl      one JSON line per pair
//     pharos-bench-stories speed TEXTS.jsonl                  signatures per second (MinHash, SimHash)
//     pharos-bench-stories lookup STATE-DIR N...              median lookup with N stories in the window
//
// Figures only: nothing passes or fails.

import Foundation
import PharosCore
import PharosEngine
import PharosMatching

@main
struct StoriesBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "pairs" where arguments.count == 3: try pairs(items: arguments[1], pairs: arguments[2])
        case "speed" where arguments.count == 2: try speed(texts: arguments[1])
        case "lookup" where arguments.count >= 3: try await lookup(directory: arguments[1], sizes: arguments.dropFirst(2).compactMap { Int($0) })
        default:
            FileHandle.standardError.write(Data("usage: pharos-bench-stories pairs ITEMS PAIRS | speed TEXTS | lookup DIR N...\n".utf8))
            exit(2)
        }
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Per labelled pair: MinHash similarity, SimHash distance, shared events, the decision.
    static func pairs(items itemsPath: String, pairs pairsPath: String) throws {
        let vocabulary = ConfigLoader.builtinOnly()
        let extractor = EventExtractor(vocabulary: vocabulary)
        let ordinary = StoryMarks.ordinaryWords(in: vocabulary)
        var fingerprints: [String: StoryFingerprint] = [:]
        var simhashes: [String: UInt64] = [:]
        for item in try lines(itemsPath) {
            let id = item["id"] as! String
            let document = MatchDocument(fields: [("title", item["title"] as! String), ("content", item["text"] as! String)])
            fingerprints[id] = StoryFingerprint(document: document, extractor: extractor, ordinary: ordinary)
            simhashes[id] = SimHash.of(document.fields.map(\.text).joined(separator: "\n"))
            let read = extractor.extract(document).map { "\($0.status.rawValue) \($0.agency) \($0.action) product=\($0.product ?? "-")" }
            print(json(["item": id, "lead": fingerprints[id]!.lead?.key ?? "", "read": read, "shingles": fingerprints[id]!.signature.shingles]))
        }
        for pair in try lines(pairsPath) {
            let (a, b) = (pair["a"] as! String, pair["b"] as! String)
            let (x, y) = (fingerprints[a]!, fingerprints[b]!)
            print(json([
                "a": a, "b": b, "same": pair["same"]!, "kind": pair["kind"]!,
                "minhash": x.signature.similarity(to: y.signature),
                "simhash": (simhashes[a]! ^ simhashes[b]!).nonzeroBitCount,
                "topic": x.topic.similarity(to: y.topic),
                "leads": [x.lead?.key ?? "", y.lead?.key ?? ""],
                "pharos": x.sameStory(as: y).map(\.description) ?? "",
            ]))
        }
    }

    /// Signatures per second over the texts, best of several passes.
    static func speed(texts path: String) throws {
        let texts = try lines(path).map { $0["text"] as! String }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        func rate(_ body: (String) -> Int) -> Double {
            var best = Double.infinity
            var sink = 0
            for _ in 0..<7 {
                let started = ContinuousClock.now
                for text in texts { sink &+= body(text) }
                let elapsed = ContinuousClock.now - started
                best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            if sink == 42 { print("") }
            return Double(texts.count) / best
        }
        let minhash = rate { Int(StorySignature(text: $0).values[0]) }
        let simhash = rate { Int(truncatingIfNeeded: SimHash.of($0)) }
        print(json(["texts": texts.count, "mean_bytes": bytes / max(1, texts.count), "minhash_per_s": minhash, "simhash_per_s": simhash]))
    }

    /// The story index in a fresh SQLite state: N stories recorded, then the median time of
    /// one candidate lookup (bands and events of a text not in the window).
    static func lookup(directory: String, sizes: [Int]) async throws {
        for size in sizes {
            let folder = URL(fileURLWithPath: directory).appendingPathComponent("n\(size)")
            try? FileManager.default.removeItem(at: folder)
            let store = try SQLiteStateStore(directory: folder)
            let now = Date()
            var generator = SystemRandomNumberGenerator()
            var batch: [StoryEntry] = []
            for index in 0..<size {
                batch.append(StoryEntry(
                    story: "story-\(index)", source: "bench", itemID: "item-\(index)", link: nil, seenAt: now,
                    fingerprint: randomFingerprint(&generator, lead: "fda|fda-action-\(index % 1000)|product\(index)")))
                if batch.count == 1000 || index == size - 1 {
                    try await store.record([PollRecord(source: "bench", stories: StoryWrites(entries: batch))], now: now)
                    batch.removeAll()
                }
            }
            var times: [Double] = []
            for probe in 0..<201 {
                let keys = StoryEntry.keys(of: randomFingerprint(&generator, lead: "fda|fda-probe-\(probe)|probe"))
                let started = ContinuousClock.now
                _ = try await store.storyCandidates(keys: keys, since: now.addingTimeInterval(-86_400))
                let elapsed = ContinuousClock.now - started
                times.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
            }
            times.sort()
            print(json(["stories": size, "lookup_median_us": times[times.count / 2]]))
            try? FileManager.default.removeItem(at: folder)
        }
    }
}

/// A fingerprint of random values (no two share a band), leading with `lead`.
func randomFingerprint(_ generator: inout SystemRandomNumberGenerator, lead: String) -> StoryFingerprint {
    func signature() -> StorySignature {
        StorySignature(values: (0..<StorySignature.permutations).map { _ in UInt32.random(in: .min ... .max, using: &generator) }, shingles: 100)
    }
    return StoryFingerprint(signature: signature(), topic: signature(), lead: StoryEvent(key: lead))
}

/// Charikar's SimHash over the same word shingles, for comparison only.
enum SimHash {
    static func of(_ text: String) -> UInt64 {
        var counts = [Int](repeating: 0, count: 64)
        var shingles = [UInt64]()
        var ring = [UInt64]()
        var seen = 0
        forEachWord(text) { word in
            if ring.count < StorySignature.shingleWords { ring.append(word) } else { ring[seen % StorySignature.shingleWords] = word }
            seen += 1
            if seen >= StorySignature.shingleWords {
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                for offset in 0..<StorySignature.shingleWords {
                    hash = mix(hash &+ ring[(seen - StorySignature.shingleWords + offset) % StorySignature.shingleWords])
                }
                shingles.append(hash)
            }
        }
        for shingle in shingles {
            for bit in 0..<64 { counts[bit] += (shingle >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
        }
        var result: UInt64 = 0
        for bit in 0..<64 where counts[bit] > 0 { result |= 1 << UInt64(bit) }
        return result
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func forEachWord(_ text: String, _ body: (UInt64) -> Void) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var length = 0
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                hash = (hash ^ UInt64(scalar.value)) &* 0x0000_0100_0000_01B3
                length += 1
            } else if length > 0 {
                body(hash)
                hash = 0xCBF2_9CE4_8422_2325
                length = 0
            }
        }
        if length > 0 { body(hash) }
    }
}
