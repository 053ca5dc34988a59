import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import Testing

/// The fast reader must give exactly what Yams gives, or nothing.
@Suite struct SimpleYAMLReader {
    /// One line per node: location, path, kind and value, in document order.
    func lines(_ node: ConfigNode) -> [String] {
        let head = "\(node.location) \(node.path)"
        switch node.value {
        case .null: return ["\(head) null"]
        case .scalar(let text, let quoted): return ["\(head) \(quoted ? "quoted" : "plain") \(text.debugDescription)"]
        case .sequence(let elements): return ["\(head) [\(elements.count)]"] + elements.flatMap(lines)
        case .mapping(let entries):
            return ["\(head) {\(entries.count)}"] + entries.flatMap { ["key"] + lines($0.key) + ["value"] + lines($0.value) }
        }
    }

    /// Every field of an entry; phrases sorted, as the ticker forms come out of a `Set`.
    func described(_ entry: VocabularyEntry) -> String {
        var entry = entry
        entry.phrases.sort()
        return String(reflecting: entry)
    }

    func simple(_ text: String, file: String = "t.yaml") -> ConfigNode? {
        var text = text
        return text.withUTF8 { SimpleYAML.parse($0, file: file) }
    }

    /// The first line where the two trees differ, or nil.
    func firstDifference(_ text: String, file: String = "t.yaml") throws -> String? {
        let fast = try #require(simple(text, file: file), "the reader gave up on \(file)")
        let (mine, yams) = (lines(fast), lines(try YAMLNodes.parse(text, file: file)))
        for (index, (a, b)) in zip(mine, yams).enumerated() where a != b { return "node \(index): \(a) instead of \(b)" }
        return mine.count == yams.count ? nil : "\(mine.count) nodes instead of \(yams.count)"
    }

    @Test func everyBuiltinFileReadsAsYamsReadsIt() throws {
        #expect(BuiltinVocabulary.files.count == EntityKind.allCases.count)
        for file in BuiltinVocabulary.files {
            let text = file.yaml.description
            #expect(try firstDifference(text, file: file.name) == nil, "\(file.name)")
            let fast = VocabularyParser.parse(try #require(simple(text, file: file.name)), kind: file.kind)
            let yams = VocabularyParser.parse(try YAMLNodes.parse(text, file: file.name), kind: file.kind)
            #expect(fast.entries.count >= 15)
            #expect(fast.entries.map(described) == yams.entries.map(described), "\(file.name)")
            #expect(fast.diagnostics == yams.diagnostics)
        }
    }

    @Test func everyFormOfTheSubset() throws {
        let text = """
            # a comment, then a blank line

            - id: a-1   # after a value
              label: 'it''s' 
              name: "B7-H1 (added)"
              aliases: [PD-L1, "CD274", 'B7 H1', IL-15Rα, IL-15Ra, p-1 x ,  z]
              empty: []
              nothing:
              tilde: ~
              nulls: [null, Null, x]
              url: https://example.org/a?b=c:%22d%22#frag
              brackets: see [this] {or} that, too
              excluded: {}
              after_alpha: SIRPα then: no
            - id: b
              # a comment inside an entry
              excluded:
                  BCM: "it is 3 letters"
                  "B7-H": plain reason, with a comma
                  chimeric antigen receptor: 'quoted'
              notes: last
            -   id: c
                label: indented further
            """
        let withoutColon = text.replacingOccurrences(of: " then: no", with: " then no")
        #expect(simple(text) == nil, "a ': ' inside a plain value is Yams's to report")
        #expect(try firstDifference(withoutColon) == nil)
    }

    @Test(arguments: [
        "- a: &anchor x\n  b: *anchor\n",
        "- a: !tag x\n",
        "- a: |\n    block\n",
        "- a: >\n    folded\n",
        "- a: one\n    two\n",
        "- a: x\n  a: y\n",
        "- a: \"esc\\n\"\n",
        "- a: \"open\n    close\"\n",
        "- a: [x,\n    y]\n",
        "- a: [x, y,]\n",
        "- a: [x: y]\n",
        "- a: {b: c}\n",
        "- a:\tx\n",
        "- a: x\r\n",
        "- a: x\u{2028}\n- b: y\n",
        "- a: x\u{85}\n",
        "\u{FEFF}- a: x\n",
        "a: x\n",
        "---\n- a: x\n",
        "- x\n",
        "- a:\n  - x\n",
        "",
    ])
    func leavesEverythingElseToYams(text: String) {
        #expect(simple(text) == nil)
    }

    @Test func invalidUTF8IsLeftToYams() {
        var bytes = Array("- a: x\n".utf8)
        bytes.insert(0xFF, at: 5)
        #expect(bytes.withUnsafeBufferPointer { SimpleYAML.parse($0, file: "t.yaml") } == nil)
    }
}
