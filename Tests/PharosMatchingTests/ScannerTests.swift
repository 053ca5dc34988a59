import Foundation
import PharosCore
@testable import PharosMatching
import Testing

/// The automaton against a plain reference: fold the whole text character by character,
/// remember where every folded byte came from, and try every pattern at every position.
/// Slow and obviously right; the automaton must find exactly the same hits.
struct ReferenceMatcher {
    let patterns: [Automaton.Pattern]

    init(terms: [String]) {
        patterns = terms.map { term in
            let (folded, exact, caseSensitive) = Folding.pattern(term)
            let first = String(decoding: folded.prefix(4), as: UTF8.self).unicodeScalars.first
            let last = String(decoding: folded.suffix(4), as: UTF8.self).unicodeScalars.last
            return Automaton.Pattern(
                folded: folded, exact: exact, caseSensitive: caseSensitive,
                boundaryBefore: first.map(Folding.isWordCharacter) ?? false, boundaryAfter: last.map(Folding.isWordCharacter) ?? false)
        }
    }

    struct Hit: Hashable, CustomStringConvertible {
        var pattern: Int
        var start: Int
        var end: Int
        var description: String { "\(pattern)@\(start)..<\(end)" }
    }

    /// A capital, one to four digits, at most one more capital, then no ASCII letter or digit.
    static func mutationCode(at index: Int, in bytes: [UInt8]) -> Bool {
        func isCapital(_ i: Int) -> Bool { i < bytes.count && (0x41...0x5A).contains(bytes[i]) }
        func isDigit(_ i: Int) -> Bool { i < bytes.count && (0x30...0x39).contains(bytes[i]) }
        guard isCapital(index) else { return false }
        var cursor = index + 1
        while isDigit(cursor) { cursor += 1 }
        let digits = cursor - index - 1
        guard (1...4).contains(digits) else { return false }
        if isCapital(cursor) { cursor += 1 }
        return cursor >= bytes.count || !(isCapital(cursor) || isDigit(cursor) || (0x61...0x7A).contains(bytes[cursor]))
    }

    func hits(in text: String) -> Set<Hit> {
        let bytes = Array(text.utf8)
        // The folded stream, and for each of its bytes the character it came from.
        var folded: [UInt8] = []
        var origin: [(start: Int, end: Int)] = []
        var lastWasSeparator = true
        var offset = 0
        for scalar in text.unicodeScalars {
            let start = offset
            offset += UTF8.width(scalar)
            let output: Folding.Output
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if byte == 0x20 || byte == 0x2D || (0x09...0x0D).contains(byte) {
                    output = .separator
                } else {
                    output = .bytes([(0x41...0x5A).contains(byte) ? byte + 32 : byte], exact: [byte])
                }
            } else {
                output = Folding.fold(scalar)
            }
            switch output {
            case .dropped:
                continue
            case .separator:
                if lastWasSeparator { continue }
                lastWasSeparator = true
                folded.append(Folding.separator)
                origin.append((start, offset))
            case .identity:
                lastWasSeparator = false
                for byte in String(scalar).utf8 {
                    folded.append(byte)
                    origin.append((start, offset))
                }
            case .bytes(let replacement, _):
                lastWasSeparator = false
                for byte in replacement {
                    folded.append(byte)
                    origin.append((start, offset))
                }
            }
        }
        var found: Set<Hit> = []
        bytes.withUnsafeBufferPointer { text in
            for (index, pattern) in patterns.enumerated() where !pattern.folded.isEmpty && pattern.folded.count <= folded.count {
                for position in 0...(folded.count - pattern.folded.count) where folded[position..<(position + pattern.folded.count)].elementsEqual(pattern.folded) {
                    let start = origin[position].start
                    let end = origin[position + pattern.folded.count - 1].end
                    if pattern.boundaryBefore, Automaton.wordCharacterBefore(start, in: text) { continue }
                    // A name in capitals may run into a mutation code ("KRASG12C", "BRAFV600E").
                    if pattern.boundaryAfter, Automaton.wordCharacterAfter(end, in: text),
                       !(pattern.caseSensitive && Self.mutationCode(at: end, in: bytes)) { continue }
                    if pattern.caseSensitive {
                        let letters = pattern.exact.indices.filter { (0x41...0x5A).contains(pattern.exact[$0]) || (0x61...0x7A).contains(pattern.exact[$0]) }
                        if letters.contains(where: { text[origin[position + $0].start] != pattern.exact[$0] }) { continue }
                    }
                    found.insert(Hit(pattern: index, start: start, end: end))
                }
            }
        }
        return found
    }
}

/// Deterministic pseudo-random numbers for generated cases.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct Scanner {
    func scannedHits(_ terms: [String], _ text: String) -> Set<ReferenceMatcher.Hit> {
        let automaton = Automaton(patterns: ReferenceMatcher(terms: terms).patterns)
        var hits: [Automaton.Hit] = []
        Array(text.utf8).withUnsafeBufferPointer { _ = automaton.scan($0, into: &hits) }
        return Set(hits.map { ReferenceMatcher.Hit(pattern: Int($0.pattern), start: $0.start, end: $0.end) })
    }

    @Test(arguments: [
        "A PD-L1 antibody", "anti-PD\u{2011}L1 and PD  -  L1®", "xPD-L1 PD-L1x PD-L1", "pd-l1 Pd-L1 PD-l1 PD-L1",
        "Université Paris Cité: SIRPα, sirpα and IL-13Rα2", "éBCMA BCMAé BCMA® ®BCMA x®BCMA", "ＢＣＭＡ and ＢＣＭＡ",
        "B-cell maturation\u{00A0}antigen; B cell\u{2003}\u{2014} maturation antigen", "Orphan Drug Designation",
        "until TIL, Til, TIL-based", "NASDAQ: IOVA, NASDAQ:IOVA and Nasdaq: IOVA", "",
    ])
    func agreesWithTheReference(text: String) {
        let terms = ["PD-L1", "PD-1", "BCMA", "SIRPα", "IL-13Rα2", "Université Paris Cité", "B-cell maturation antigen",
                     "Orphan Drug", "Orphan Drug Designation", "TIL", "NASDAQ: IOVA", "NASDAQ:IOVA", "L1", "cell"]
        #expect(scannedHits(terms, text) == ReferenceMatcher(terms: terms).hits(in: text))
    }

    /// Random texts from fragments that stress folding: capitals, every kind of separator,
    /// dropped marks, accented and Greek letters, punctuation next to terms.
    @Test func agreesWithTheReferenceOnGeneratedText() {
        var random = SeededGenerator(state: 20_261_123)
        let pieces = ["pd", "PD", "l1", "L1", "-", " ", "  ", "\u{2013}", "\u{2011}", "\u{00A0}", "\n", "®", "™", "\u{200B}",
                      "é", "É", "α", "Α", "x", "1", "(", ")", ".", ",", "’", "cd", "CD", "269", "bcma", "BCMA", "Bcma", "ß",
                      "ﬁ", "Ｌ", "\u{0301}", "—", "/", "©", "°", "\u{2009}", "‰", "neu", "her2", "HER2", ":", "nasdaq", "NASDAQ", "iova", "IOVA"]
        let termPool = ["PD-L1", "PD L1", "PD-1", "CD269", "BCMA", "bcma", "HER2/neu", "L1", "pd", "Α-1", "é", "x1",
                        "NASDAQ: IOVA", "cd 269", "α", "PDL1", "her2", "1-x", "CD", "ss"]
        for _ in 0..<400 {
            let terms = Array(Set((0..<Int.random(in: 1...8, using: &random)).map { _ in termPool.randomElement(using: &random)! }))
            let text = (0..<Int.random(in: 0...40, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let expected = ReferenceMatcher(terms: terms).hits(in: text)
            let found = scannedHits(terms, text)
            #expect(found == expected, "terms \(terms), text \(text.debugDescription)")
            if found != expected { return }
        }
    }

    /// Plain ASCII prose, where the scan reads eight bytes at a time between terms (words that
    /// start as a term does and go no further, words of one letter, punctuation runs, a term at
    /// either end and across eight-byte boundaries).
    @Test func agreesWithTheReferenceOnGeneratedASCIIProse() {
        var random = SeededGenerator(state: 20_261_207)
        let pieces = ["pd", "PD", "l1", "-", " ", "  ", " ", " ", "x", "1", "(", ")", ".", ",", "cd", "CD", "269", "bcma", "BCMA",
                      "her2", "HER2", ":", "nasdaq", "iova", "a", "I", "the", "of", "patients", "orphan", "Orphan", "drug", "Drug",
                      "designation", "pdx", "cdc", "bc", "\n", "2026", "company", "iovance", "breakthrough", "therapy", "/", ";"]
        let termPool = ["PD-L1", "PD L1", "CD269", "BCMA", "HER2/neu", "L1", "pd", "x1", "NASDAQ: IOVA", "cd 269", "CD",
                        "Orphan Drug", "Orphan Drug Designation", "Breakthrough Therapy", "Iovance", "her2", "a"]
        for _ in 0..<400 {
            let terms = Array(Set((0..<Int.random(in: 1...6, using: &random)).map { _ in termPool.randomElement(using: &random)! }))
            let text = (0..<Int.random(in: 0...120, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let expected = ReferenceMatcher(terms: terms).hits(in: text)
            let found = scannedHits(terms, text)
            #expect(found == expected, "terms \(terms), text \(text.debugDescription)")
            if found != expected { return }
        }
    }
}

extension Scanner {
    /// Long terms of several words, written with every kind of separator run between them:
    /// where a match starts is found eight bytes at a time when it is plain ASCII.
    @Test func longMatchesStartWhereTheReferenceSays() {
        var random = SeededGenerator(state: 42)
        let words = ["orphan", "drug", "designation", "b", "cell", "maturation", "antigen", "x1", "breakthrough", "therapy"]
        let separators = [" ", "-", "  ", "\t", "\n", " - ", "\u{2013}", "®", " ®", "\r\n", "--", "\u{00A0}", "é"]
        for _ in 0..<300 {
            let terms = (0..<3).map { _ in (0..<Int.random(in: 2...5, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: " ") }
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                let term = terms.randomElement(using: &random)!
                text += term.split(separator: " ").joined(separator: separators.randomElement(using: &random)!)
                text += [" ", ". ", "x", "\n\n", "-", ""].randomElement(using: &random)!
            }
            let expected = ReferenceMatcher(terms: terms).hits(in: text)
            let found = scannedHits(terms, text)
            #expect(found == expected, "terms \(terms), text \(text.debugDescription)")
            if found != expected { return }
        }
    }
}

@Suite struct ScalarTable {
    /// Every character the scan folds from its table, one at a time between terms and letters:
    /// the hits are those of the reference, which folds with the full NFKC and case folding.
    @Test func everyTableCharacterScansAsTheReferenceFolds() {
        let terms = ["PD-L1", "BCMA", "x", "SIRPα", "é", "Université Paris Cité", "cell", "L1"]
        let automaton = Automaton(patterns: ReferenceMatcher(terms: terms).patterns)
        let reference = ReferenceMatcher(terms: terms)
        let values = Array(UInt32(0x80)..<0x800) + Array(UInt32(0x2000)..<0x2200)
        var disagreements = 0
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { continue }
            // Symbols that NFKC spells with letters (₨ Rs, ℃ °C, № No, ℡ TEL) make the automaton
            // see letters where the reference sees a non-word character: a known difference,
            // older than the table, and not one these characters' users meet.
            let (entry, bytes) = ScalarFolding.compute(scalar)
            if entry.kind == .replaced, !entry.isWord, bytes.contains(where: { $0 < 0x80 && Automaton.isASCIIWord($0) }) { continue }
            let character = String(scalar)
            for text in ["PD\(character)L1 x\(character)BCMA\(character) cell\(character)x", "\(character)é \(character)\(character)SIRPα\(character)"] {
                var hits: [Automaton.Hit] = []
                Array(text.utf8).withUnsafeBufferPointer { _ = automaton.scan($0, into: &hits) }
                let found = Set(hits.map { ReferenceMatcher.Hit(pattern: Int($0.pattern), start: $0.start, end: $0.end) })
                if found != reference.hits(in: text) {
                    disagreements += 1
                    Issue.record("U+\(String(value, radix: 16, uppercase: true)) in \(text.debugDescription): \(found.sorted { $0.start < $1.start }) against \(reference.hits(in: text).sorted { $0.start < $1.start })")
                }
            }
            if disagreements > 5 { return }
        }
    }

    /// The table holds what folding each character on the spot gives.
    @Test func tableEntriesAreTheFoldingOfTheirCharacter() {
        let table = ScalarFolding.shared
        for value in Array(UInt32(0x80)..<0x800) + Array(UInt32(0x2000)..<0x2200) {
            guard let scalar = Unicode.Scalar(value), let entry = table.entry(value) else { continue }
            let (computed, bytes) = ScalarFolding.compute(scalar)
            #expect(entry.kind == computed.kind && entry.isWord == computed.isWord && entry.length == computed.length
                && entry.foldsToASCIILetter == computed.foldsToASCIILetter, "U+\(String(value, radix: 16))")
            if entry.kind == .replaced {
                #expect(Array(table.replacements[Int(entry.offset)..<Int(entry.offset) + Int(entry.length)]) == bytes)
            }
        }
    }

    /// Offsets in scalars from the marks the scan leaves are the scalars counted from the start.
    @Test func marksGiveScalarOffsets() {
        var random = SeededGenerator(state: 7)
        let pieces = ["a", "B", " ", "\n", "é", "®", "–", "α", "中", "😀", "\u{00A0}", "ﬁ", "PD-L1", "ＢＣＭＡ", "\u{0301}"]
        let automaton = Automaton(patterns: ReferenceMatcher(terms: ["PD-L1", "BCMA", "a"]).patterns)
        let noPatterns = Automaton(patterns: [])
        for round in 0..<200 {
            let text = (0..<Int.random(in: 0...30, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            Array(text.utf8).withUnsafeBufferPointer { bytes in
                var hits: [Automaton.Hit] = []
                var marks = ScalarMarks()
                let sawNonASCII = (round % 2 == 0 ? automaton : noPatterns).scan(bytes, into: &hits, marks: &marks)
                #expect(sawNonASCII == text.utf8.contains { $0 >= 0x80 })
                for offset in 0...bytes.count {
                    #expect(marks.scalarOffset(offset) == TextSegments.scalarCount(bytes, 0..<offset), "\(offset) in \(text.debugDescription)")
                }
            }
        }
    }
}

@Suite struct Sentences {
    /// Reading around an offset finds the sentence that splitting its whole paragraph finds.
    @Test func localSentenceAgreesWithSplittingTheParagraph() throws {
        var texts = [
            "The U.S. FDA granted RMAT to a BCMA CAR-T. Dr. Lee spoke.",
            "RMAT was granted on 4.5 grounds. \"BCMA\" is the target.\n\nA new paragraph! Is it? Yes.",
            "Acme Inc. said on Feb. 3 that J. Smith (Ph.D.) joined. \u{201C}Great news.\u{201D} Shares rose 4.5%.",
            "  Indented start.\nSecond line. third line\n \n\n\nAfter blank lines, e.g. here. Then more...\n",
            "One.  Two!  (Three.)  \u{201C}Four?\u{201D} 5 five. \u{00C9}lan vital. end",
            "No end at all",
            "\nLeading newline. Then text.\n\n",
            "Ends with space. ",
        ]
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Labelled/docs")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".txt") {
            texts.append(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
        }
        for text in texts {
            Array(text.utf8).withUnsafeBufferPointer { bytes in
                for offset in 0..<bytes.count {
                    guard let near = TextSegments.sentence(near: offset, in: bytes) else { continue }
                    let around = TextSegments.sentence(around: offset, in: bytes)
                    #expect(near == around, "offset \(offset) of \(text.prefix(60).debugDescription)")
                    if near != around { return }
                }
            }
        }
    }
}

extension Sentences {
    /// The sentence splitter skips lower-casing words that hold two ASCII letters or digits and
    /// no Kelvin sign: it relies on no other character lower-casing to ASCII only.
    @Test func onlyTheKelvinSignLowerCasesToASCII() {
        var found: [UInt32] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if String(scalar).lowercased().utf8.allSatisfy({ $0 < 0x80 }) { found.append(value) }
        }
        #expect(found == [0x212A])
    }
}

@Suite struct TermFolding {
    /// ASCII terms take a shortcut; a dropped ® sends the same term down the general path.
    @Test(arguments: ["PD-L1", "pd l1", "  BCMA ", "B-cell maturation antigen", "NASDAQ: IOVA", "CAR-T", "Her2/neu", "e.g.", "ODD", "-x-"])
    func asciiShortcutAgreesWithTheGeneralPath(term: String) {
        let shortcut = Folding.pattern(term)
        let general = Folding.pattern(term + "\u{00AE}")
        #expect(shortcut.folded == general.folded)
        #expect(shortcut.exact == general.exact)
        #expect(shortcut.caseSensitive == general.caseSensitive)
    }
}

extension Scanner {
    /// Enough terms that most states are sparse records, over an alphabet of many byte classes
    /// (ASCII punctuation, accented, Greek and Cyrillic letters), with deep states that branch
    /// into dozens of children (their child list spans several cache lines) next to chains of
    /// single children: the scan agrees with the reference on text built from the terms' pieces.
    @Test func sparseStatesWithManyChildrenAgreeWithTheReference() {
        var random = SeededGenerator(state: 7)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789./+&'()[]:;,!?#%*=<>@_~$^|éèêëàâîïôöüçñßøåæαβγδεζηθλμπσωжзиклмнпрст")
        func word(_ length: Int) -> String { String((0..<length).map { _ in alphabet.randomElement(using: &random)! }) }
        var terms = Set<String>()
        while terms.count < 1200 { terms.insert(word(Int.random(in: 3...10, using: &random))) }
        // Two deep prefixes, each followed by every letter of the alphabet, then a short tail or nothing.
        for prefix in ["zqxwvprefix", "kj-mn ob"] {
            for letter in alphabet { terms.insert(prefix + String(letter) + (letter.isASCII ? word(2) : "")) }
        }
        let list = Array(terms).sorted()
        let automaton = Automaton(patterns: ReferenceMatcher(terms: list).patterns)
        #expect(automaton.stateCount > 4 * automaton.denseStates, "most states should be sparse: \(automaton.denseStates) of \(automaton.stateCount) dense")
        let separators = [" ", "-", "  ", "\n", ". ", "x", "é", "\u{2013}", "®", ""]
        for _ in 0..<25 {
            var text = ""
            for _ in 0..<Int.random(in: 5...25, using: &random) {
                let term = list.randomElement(using: &random)!
                // Whole terms, their prefixes (a walk that fails deep in a chain), and capitals.
                let piece = Bool.random(using: &random) ? term : String(term.prefix(Int.random(in: 1...term.count, using: &random)))
                text += Int.random(in: 0..<4, using: &random) == 0 ? piece.uppercased() : piece
                text += separators.randomElement(using: &random)!
            }
            let expected = ReferenceMatcher(terms: list).hits(in: text)
            let found = scannedHits(list, text)
            #expect(found == expected, "text \(text.debugDescription)")
            if found != expected { return }
        }
    }
}
