import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import PharosText
import TestSupport
import Testing

/// The hand-labelled documents of Tests/PharosMatchingTests/Labelled: every expected
/// (document, rule) pair must match and nothing else may.
struct LabelledSet {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PharosMatchingTests/Labelled")

    let rules: CompiledRules
    let documents: [(name: String, text: String)]
    let expected: Set<String>

    init() throws {
        let node = try ConfigLoader.readYAML(Self.folder.appendingPathComponent("rules.yaml"))
        let (parsed, problems) = RuleParser.parse(node, baseDirectory: Self.folder)
        #expect(problems.isEmpty, "\(problems)")
        rules = try CompiledRules(rules: parsed, vocabulary: ConfigLoader.builtinOnly())
        let docs = Self.folder.appendingPathComponent("docs")
        documents = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".txt") }.sorted().map {
            ($0, try String(contentsOf: docs.appendingPathComponent($0), encoding: .utf8))
        }
        expected = Set(try String(contentsOf: Self.folder.appendingPathComponent("expected.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("\t") }
            .map { $0.replacingOccurrences(of: "\t", with: " ") })
    }

    func evaluate(_ name: String, _ text: String) -> [RuleMatch] {
        guard case .success(let item) = Document.item(Data(text.utf8), format: "txt", id: name, fallbackTitle: name) else {
            return []
        }
        return rules.evaluate(MatchDocument(item: item))
    }

    func pairs(transform: (String) -> String = { $0 }) -> Set<String> {
        Set(documents.flatMap { document in evaluate(document.name, transform(document.text)).map { "\(document.name) \($0.rule)" } })
    }
}

@Suite struct LabelledQuality {
    @Test func precisionAndRecallAreFull() throws {
        let set = try LabelledSet()
        #expect(set.documents.count >= 40)
        let found = set.pairs()
        let truePositives = found.intersection(set.expected).count
        let precision = found.isEmpty ? 1 : Double(truePositives) / Double(found.count)
        let recall = set.expected.isEmpty ? 1 : Double(truePositives) / Double(set.expected.count)
        print(String(format: "labelled set: %d documents, %d rules, %d expected pairs; precision %.3f, recall %.3f",
                     set.documents.count, set.rules.rules.count, set.expected.count, precision, recall))
        for extra in found.subtracting(set.expected).sorted() { Issue.record("unexpected match: \(extra)") }
        for missing in set.expected.subtracting(found).sorted() { Issue.record("missed: \(missing)") }
        #expect(precision == 1 && recall == 1)
    }

    /// Every dash a random dash variant, some spaces doubled or non-breaking, ® or ™ after some words.
    static func perturb(_ text: String, _ random: inout SeededGenerator) -> String {
        let dashes: [Character] = ["\u{2010}", "\u{2011}", "\u{2013}", "\u{2014}", "\u{2212}", "-"]
        let marks = ["\u{00AE}", "\u{2122}"]
        var result = ""
        var previous: Character = " "
        for character in text {
            if character == " ", previous.isLetter || previous.isNumber, Int.random(in: 0..<10, using: &random) == 0 {
                result += marks.randomElement(using: &random)!  // at word ends, where real releases put them
            }
            switch character {
            case "-": result.append(dashes.randomElement(using: &random)!)
            case " " where Bool.random(using: &random): result += ["  ", " \u{00A0}", "\t "].randomElement(using: &random)!
            default: result.append(character)
            }
            previous = character
        }
        return result
    }

    @Test func invariantUnderDashVariantsWhitespaceAndMarks() throws {
        let set = try LabelledSet()
        var random = SeededGenerator(state: 20_261_123)
        for round in 0..<3 {
            for document in set.documents {
                let variant = Self.perturb(document.text, &random)
                let before = set.evaluate(document.name, document.text).map(\.rule)
                let after = set.evaluate(document.name, variant).map(\.rule)
                #expect(after == before, "round \(round), \(document.name) changed: \(variant.debugDescription)")
            }
        }
    }

    @Test func invariantUnderCaseOfNonAcronymTerms() throws {
        let set = try LabelledSet()
        var changed = 0
        for document in set.documents {
            let before = set.evaluate(document.name, document.text)
            var spellings: Set<String> = []
            for match in before {
                let entities: [EntityMatch] = match.matches.targets + match.matches.designations + match.matches.companies
                for entity in entities + match.matches.keywords where !Spelling.isCaseSensitive(entity.text) {
                    spellings.insert(entity.text)
                }
            }
            guard !spellings.isEmpty else { continue }
            let transforms: [(String) -> String] = [{ $0.uppercased() }, { $0.lowercased() }]
            for transform in transforms {
                var text = document.text
                for spelling in spellings { text = text.replacingOccurrences(of: spelling, with: transform(spelling)) }
                changed += 1
                #expect(set.evaluate(document.name, text).map(\.rule) == before.map(\.rule), "\(document.name) with \(spellings) recased")
            }
        }
        #expect(changed > 10)
    }
}
