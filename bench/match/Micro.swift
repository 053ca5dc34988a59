// In-process measurements of the matcher (target `pharos-bench-match`).
//
//     swift build -c release --product pharos-bench-match
//     .build/release/pharos-bench-match [WORKDIR]      (default /tmp/pharos-bench)
//
// WORKDIR is what bench/match/generate.py wrote (corpus/ and terms-*.txt). Prints:
//   - automaton build time and size for 10 / 1,000 / 10,000 terms
//   - time to evaluate one 20 KB ASCII item against 10,000 terms (median, p10, p90 of 1,000 runs,
//     and CPU time per run)
//   - MB/s at 10,000 terms on ASCII-only documents and on the same documents with ~2% of
//     their characters made non-ASCII (é, –, ®), and the ratio of the two times.
// Figures only: nothing here passes or fails.
//
//     pharos-bench-match --profile WORKDIR [TERMS]    CPU seconds over ~20 MB of the corpus
//     pharos-bench-match --loop PART [WORKDIR]        one part over and over, for `perf record`:
//         item, ascii, unicode (the decorated documents), or ratio (ASCII and decorated passes
//         in turn, CPU time, the median of the pairs' ratios); PROFILE_SECONDS (default 10)

import Foundation
import PharosCore
import PharosMatching

@main
struct MatchMicro {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let flag = arguments.firstIndex(of: "--loop") {
            // `--loop PART WORKDIR`: runs one part of the figures over and over (PROFILE_SECONDS,
            // default 10), for `perf record`: item, ascii or unicode.
            arguments.remove(at: flag)
            let part = arguments.isEmpty ? "item" : arguments.removeFirst()
            try loop(part: part, workdir: arguments.first ?? "/tmp/pharos-bench")
            return
        }
        if let flag = arguments.firstIndex(of: "--profile") {
            arguments.remove(at: flag)
            try profile(workdir: arguments.first ?? "/tmp/pharos-bench", terms: arguments.dropFirst().first.flatMap { Int($0) } ?? 10000)
            return
        }
        let workdir = arguments.first ?? "/tmp/pharos-bench"
        let termSets = try [10, 1000, 10000].map { count in
            (count, try readTerms("\(workdir)/terms-\(count).txt"))
        }

        // 1. Automaton build.
        print("Automaton build (CompiledRules.init, one rule per 1,000 terms; median of 5, first build in brackets)")
        var largest: CompiledRules?
        var largestBuild = 0.0
        for (count, terms) in termSets {
            var times: [Double] = []
            var compiled: CompiledRules?
            for _ in 0..<5 {
                let started = ContinuousClock.now
                compiled = try makeRules(terms)
                times.append(seconds(since: started))
            }
            let statistics = compiled!.statistics
            print("  \(pad(count, 6)) terms: \(format(median(times) * 1000, 8, 2)) ms (first \(format(times[0] * 1000, 0, 2)) ms)"
                + "  patterns \(statistics.patterns), states \(statistics.states), \(format(Double(statistics.bytes) / 1_000_000, 0, 2)) MB")
            if count == 10000 {
                largest = compiled
                largestBuild = median(times)
            }
        }
        guard let rules = largest, let terms = termSets.last?.1 else { return }

        // Documents written in plain ASCII by the generator, in a stable order.
        let documents = try asciiDocuments(in: "\(workdir)/corpus", upTo: 10_000_000)
        guard !documents.isEmpty else {
            print("no ASCII-only documents under \(workdir)/corpus")
            return
        }

        // 2. One 20 KB item.
        let item = twentyKilobyteItem(documents)
        let itemBytes = item.fields.reduce(0) { $0 + $1.text.utf8.count }
        var itemMatches = 0
        for _ in 0..<50 { itemMatches = rules.evaluate(item).count }
        // Many short runs: a median that one descheduled run cannot move, the spread around it,
        // and the CPU time per run (less disturbed by other processes than wall-clock time).
        var itemTimes: [Double] = []
        let itemRuns = 1000
        itemTimes.reserveCapacity(itemRuns)
        let itemCPUStart = cpuSeconds()
        for _ in 0..<itemRuns {
            let started = ContinuousClock.now
            itemMatches = rules.evaluate(item).count
            itemTimes.append(seconds(since: started))
        }
        let itemCPU = (cpuSeconds() - itemCPUStart) / Double(itemRuns)
        itemTimes.sort()
        print("")
        print("One \(itemBytes)-byte ASCII item against 10,000 terms (\(itemRuns) runs; goal < 150 µs)")
        print("  median \(format(median(itemTimes) * 1e6, 0, 1)) µs, p10 \(format(itemTimes[itemRuns / 10] * 1e6, 0, 1)) µs, p90 \(format(itemTimes[itemRuns * 9 / 10] * 1e6, 0, 1)) µs;"
            + " CPU \(format(itemCPU * 1e6, 0, 1)) µs per run; \(itemMatches) of 10 rules match")

        // 3. ASCII against ~2% non-ASCII, same words.
        let (plain, decorated, nonASCII, scalars) = decoratedDocuments(documents, terms: terms)
        // Interleaved, the order turned each round so that neither side profits from running
        // second; best of 5 each, and the median of the rounds' own ratios.
        var plainRun = (bytes: 0, seconds: Double.infinity, matches: 0)
        var decoratedRun = plainRun
        var roundRatios: [Double] = []
        for round in 0..<5 {
            let one: (bytes: Int, seconds: Double, matches: Int)
            let other: (bytes: Int, seconds: Double, matches: Int)
            if round % 2 == 0 {
                one = pass(rules, plain)
                other = pass(rules, decorated)
            } else {
                other = pass(rules, decorated)
                one = pass(rules, plain)
            }
            if one.seconds < plainRun.seconds { plainRun = one }
            if other.seconds < decoratedRun.seconds { decoratedRun = other }
            roundRatios.append(other.seconds / one.seconds)
        }
        print("")
        print("ASCII against non-ASCII text at 10,000 terms (\(plain.count) documents, best of 5; goal: time ratio ≤ 1.3)")
        print("  ASCII only:           \(format(Double(plainRun.bytes) / 1e6, 6, 1)) MB in \(format(plainRun.seconds, 6, 3)) s = \(format(Double(plainRun.bytes) / 1e6 / plainRun.seconds, 6, 1)) MB/s, \(plainRun.matches) rule matches")
        print("  \(format(100 * Double(nonASCII) / Double(scalars), 0, 2))% non-ASCII chars: \(format(Double(decoratedRun.bytes) / 1e6, 6, 1)) MB in \(format(decoratedRun.seconds, 6, 3)) s = \(format(Double(decoratedRun.bytes) / 1e6 / decoratedRun.seconds, 6, 1)) MB/s, \(decoratedRun.matches) rule matches")
        print("  time ratio non-ASCII / ASCII (same documents): \(format(decoratedRun.seconds / plainRun.seconds, 0, 2))×"
            + " (median of the rounds' ratios \(format(median(roundRatios), 0, 2))×, from \(format(roundRatios.min()!, 0, 2)) to \(format(roundRatios.max()!, 0, 2)))")
        if decoratedRun.matches != plainRun.matches {
            print("  note: the rule matches differ (\(plainRun.matches) against \(decoratedRun.matches)): the decoration changed what matches")
        }
        print("")
        print("summary: build_ms=\(format(largestBuild * 1000, 0, 1)) item_us=\(format(median(itemTimes) * 1e6, 0, 1))"
            + " unicode_ratio=\(format(decoratedRun.seconds / plainRun.seconds, 0, 2))")
    }

    /// `--profile WORKDIR [TERMS]`: evaluates the first ~20 MB of corpus documents (ASCII and
    /// not; `PROFILE_MEGABYTES`) three times (`PROFILE_ROUNDS`) against one term set and prints
    /// CPU seconds, for profilers and for comparisons on a busy machine (CPU time is less
    /// disturbed by other processes than wall-clock time).
    static func profile(workdir: String, terms count: Int) throws {
        let rules = try makeRules(readTerms("\(workdir)/terms-\(count).txt"))
        var paths: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: "\(workdir)/corpus")
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".txt") { paths.append(relative) }
        }
        var documents: [MatchDocument] = []
        var bytes = 0
        let limit = Int((ProcessInfo.processInfo.environment["PROFILE_MEGABYTES"].flatMap(Double.init) ?? 20) * 1e6)
        let rounds = ProcessInfo.processInfo.environment["PROFILE_ROUNDS"].flatMap { Int($0) } ?? 3
        for relative in paths.sorted() {
            let text = try String(contentsOfFile: "\(workdir)/corpus/\(relative)", encoding: .utf8)
            let newline = text.firstIndex(of: "\n") ?? text.endIndex
            documents.append(MatchDocument(fields: [("title", String(text[..<newline])), ("content", String(text[newline...].drop { $0 == "\n" }))]))
            bytes += text.utf8.count
            if bytes >= limit { break }
        }
        var best = Double.infinity
        var matches = 0
        for _ in 0..<rounds {
            let started = cpuSeconds()
            matches = 0
            for document in documents { matches += rules.evaluate(document).count }
            best = min(best, cpuSeconds() - started)
        }
        print("profile: \(count) terms, \(documents.count) documents, \(format(Double(bytes) / 1e6, 0, 1)) MB, \(matches) rule matches;"
            + " best of \(rounds): \(format(best, 0, 3)) CPU s = \(format(Double(bytes) / 1e6 / best, 0, 1)) MB/s")
    }

    static func loop(part: String, workdir: String) throws {
        let terms = try readTerms("\(workdir)/terms-10000.txt")
        let rules = try makeRules(terms)
        let documents = try asciiDocuments(in: "\(workdir)/corpus", upTo: 10_000_000)
        let limit = ProcessInfo.processInfo.environment["PROFILE_SECONDS"].flatMap(Double.init) ?? 10
        if part == "ratio" {
            // ASCII and decorated passes one after the other: the median of the pairs' ratios.
            let (plain, decorated, _, _) = decoratedDocuments(documents, terms: terms)
            var ratios: [Double] = []
            var best = (Double.infinity, Double.infinity)
            let started = cpuSeconds()
            func time(_ documents: [MatchDocument]) -> Double {
                let start = cpuSeconds()
                for document in documents { _ = rules.evaluate(document) }
                return cpuSeconds() - start
            }
            var firstSlower = 0
            while cpuSeconds() - started < limit {
                // Each pair in the other order than the last.
                let swap = ratios.count % 2 == 1
                let one: Double
                let other: Double
                if swap {
                    other = time(decorated)
                    one = time(plain)
                } else {
                    one = time(plain)
                    other = time(decorated)
                }
                if (swap ? other : one) > (swap ? one : other) { firstSlower += 1 }
                ratios.append(other / one)
                best = (min(best.0, one), min(best.1, other))
            }
            print("first of the pair slower in \(firstSlower) of \(ratios.count)")
            ratios.sort()
            print("loop ratio: \(ratios.count) pairs, median ratio \(format(median(ratios), 0, 3)), p10 \(format(ratios[ratios.count / 10], 0, 3)), p90 \(format(ratios[ratios.count * 9 / 10], 0, 3)); best \(format(best.0 * 1000, 0, 1)) / \(format(best.1 * 1000, 0, 1)) ms = \(format(best.1 / best.0, 0, 3))")
            return
        }
        let inputs: [MatchDocument]
        switch part {
        case "item": inputs = [twentyKilobyteItem(documents)]
        case "ascii": inputs = documents.map { MatchDocument(fields: [("title", $0.title), ("content", $0.content)]) }
        default: inputs = decoratedDocuments(documents, terms: terms).decorated
        }
        let started = cpuSeconds()
        var rounds = 0
        var matches = 0
        while cpuSeconds() - started < limit {
            for document in inputs { matches += rules.evaluate(document).count }
            rounds += 1
        }
        let spent = cpuSeconds() - started
        print("loop \(part): \(rounds) rounds of \(inputs.count) documents, \(format(spent / Double(rounds) * 1e6, 0, 1)) CPU µs per round, \(matches) matches")
    }

    static func cpuSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// An item of 20,000 bytes: the title of the first document, then documents' contents.
    static func twentyKilobyteItem(_ documents: [Document]) -> MatchDocument {
        var body = ""
        for document in documents {
            body += document.content + "\n\n"
            if body.utf8.count >= 20_000 { break }
        }
        return MatchDocument(fields: [("title", documents[0].title), ("content", cut(body, toBytes: 20_000 - documents[0].title.utf8.count - 1))])
    }

    /// The documents as they are, the same with ~2% of their characters made non-ASCII, the
    /// number of non-ASCII characters and of all characters.
    static func decoratedDocuments(_ documents: [Document], terms: [String]) -> (plain: [MatchDocument], decorated: [MatchDocument], nonASCII: Int, scalars: Int) {
        let termWords = Set(terms.flatMap { words(of: $0.lowercased()) })
        var random = SplitMix64(seed: 20_261_123)
        let totals = documents.reduce(into: (scalars: 0, hyphens: 0, capitalised: 0, eligible: 0)) { totals, document in
            let counts = Decorator.count(document.title + "\n" + document.content, termWords: termWords)
            totals.scalars += counts.scalars
            totals.hyphens += counts.hyphens
            totals.capitalised += counts.capitalised
            totals.eligible += counts.eligible
        }
        let budget = 0.02 * Double(totals.scalars)
        let decorator = Decorator(
            termWords: termWords,
            dash: min(1, 0.3 * budget / Double(max(totals.hyphens, 1))),
            mark: min(0.5, 0.2 * budget / Double(max(totals.capitalised, 1))),
            accent: 0)
        var expected = decorator.dash * Double(totals.hyphens) + decorator.mark * Double(totals.capitalised)
        let accented = Decorator(termWords: termWords, dash: decorator.dash, mark: decorator.mark,
                                 accent: min(1, max(0, budget - expected) / Double(max(totals.eligible, 1))))
        expected += accented.accent * Double(totals.eligible)
        let plain = documents.map { MatchDocument(fields: [("title", $0.title), ("content", $0.content)]) }
        let decorated = plain.map { document in
            MatchDocument(fields: document.fields.map { ($0.name, accented.apply($0.text, random: &random)) })
        }
        let nonASCII = decorated.reduce(0) { sum, document in
            sum + document.fields.reduce(0) { $0 + $1.text.unicodeScalars.count(where: { !$0.isASCII }) }
        }
        return (plain, decorated, nonASCII, totals.scalars)
    }

    // MARK: - Helpers

    static func readTerms(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One rule per 1,000 terms, as bench/match/run writes them for `pharos match`.
    static func makeRules(_ terms: [String]) throws -> CompiledRules {
        var rules: [Rule] = []
        for start in stride(from: 0, to: terms.count, by: 1000) {
            var clause = Clause()
            clause.keywords = Array(terms[start..<min(start + 1000, terms.count)])
            rules.append(Rule(name: "terms-\(start / 1000)", clause: clause,
                              location: SourceLocation(file: "bench", line: start / 1000 + 1, column: 1)))
        }
        return try CompiledRules(rules: rules, vocabulary: Vocabulary())
    }

    struct Document {
        var title: String
        var content: String
    }

    /// ASCII-only .txt documents, sorted by path, until `limit` bytes: first line the title.
    static func asciiDocuments(in folder: String, upTo limit: Int) throws -> [Document] {
        var paths: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".txt") { paths.append(relative) }
        }
        var documents: [Document] = []
        var total = 0
        for relative in paths.sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(relative)"))
            guard data.allSatisfy({ $0 < 0x80 }) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            let newline = text.firstIndex(of: "\n") ?? text.endIndex
            let content = text[newline...].drop { $0 == "\n" }
            documents.append(Document(title: String(text[..<newline]), content: String(content)))
            total += data.count
            if total >= limit { break }
        }
        return documents
    }

    /// `text` cut to at most `bytes` UTF-8 bytes, at a space.
    static func cut(_ text: String, toBytes bytes: Int) -> String {
        let utf8 = Array(text.utf8.prefix(bytes))
        let end = utf8.lastIndex(of: UInt8(ascii: " ")) ?? utf8.count
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    static func words(of text: String) -> [String] {
        text.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.map(String.init)
    }

    /// One pass of `rules` over `documents`.
    static func pass(_ rules: CompiledRules, _ documents: [MatchDocument]) -> (bytes: Int, seconds: Double, matches: Int) {
        let bytes = documents.reduce(0) { sum, document in sum + document.fields.reduce(0) { $0 + $1.text.utf8.count } }
        var matches = 0
        let started = ContinuousClock.now
        for document in documents { matches += rules.evaluate(document).count }
        return (bytes, seconds(since: started), matches)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double, _ width: Int, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = value.formatted(.number)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}

/// Makes ASCII text non-ASCII without changing what matches: a hyphen becomes an en dash
/// (both are separators), ® follows a capitalised word (® is dropped when folding), and
/// one "e" of a lower-case word that no term contains becomes "é".
struct Decorator {
    var termWords: Set<String>
    var dash: Double
    var mark: Double
    var accent: Double

    static func isWordByte(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }

    static func count(_ text: String, termWords: Set<String>) -> (scalars: Int, hyphens: Int, capitalised: Int, eligible: Int) {
        var result = (scalars: 0, hyphens: 0, capitalised: 0, eligible: 0)
        var word = String.UnicodeScalarView()
        func finish() {
            guard let first = word.first else { return }
            if ("A"..."Z").contains(first) { result.capitalised += 1 }
            if word.allSatisfy({ ("a"..."z").contains($0) }), word.contains("e"), !termWords.contains(String(word)) { result.eligible += 1 }
            word.removeAll()
        }
        for scalar in text.unicodeScalars {
            result.scalars += 1
            if isWordByte(scalar) {
                word.append(scalar)
            } else {
                finish()
                if scalar == "-" { result.hyphens += 1 }
            }
        }
        finish()
        return result
    }

    func apply(_ text: String, random: inout SplitMix64) -> String {
        var output = String.UnicodeScalarView()
        var word = String.UnicodeScalarView()
        func finish(_ random: inout SplitMix64) {
            guard let first = word.first else { return }
            if word.allSatisfy({ ("a"..."z").contains($0) }), word.contains("e"), !termWords.contains(String(word)),
               random.unit() < accent, let e = word.firstIndex(of: "e") {
                word.replaceSubrange(e...e, with: ["\u{E9}"])
            }
            output.append(contentsOf: word)
            if ("A"..."Z").contains(first), random.unit() < mark { output.append("\u{AE}") }
            word.removeAll()
        }
        for scalar in text.unicodeScalars {
            if Self.isWordByte(scalar) {
                word.append(scalar)
            } else {
                finish(&random)
                output.append(scalar == "-" && random.unit() < dash ? "\u{2013}" : scalar)
            }
        }
        finish(&random)
        return String(output)
    }
}
