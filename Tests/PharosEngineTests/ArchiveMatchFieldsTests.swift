import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import Testing

/// A backtest matches an archived item's fields in place (`ArchiveText.withMatchFields`): it
/// must see what matching the decoded item sees.
@Suite struct ArchiveMatchFields {
    private let evaluator: CompiledRules = {
        var clause = Clause()
        clause.keywords = ["BCMA", "Fast Track", "Müller"]
        return try! CompiledRules(rules: [Rule(name: "r", clause: clause, location: SourceLocation(file: "t", line: 1, column: 1))],
                                  vocabulary: Vocabulary())
    }()

    /// The fields `withMatchFields` lends, and the alerts they raise, against the decoded item's.
    private func expectSameAsDecoded(_ plain: [UInt8], _ comment: Comment) throws {
        let decoded = try ArchiveText.decode(plain, id: "x")
        let document = MatchDocument(item: decoded)
        let (fields, item, matches) = try ArchiveText.withMatchFields(from: ArchiveText.compress(plain), id: "x") { fields, texts in
            (zip(fields.names, texts.map(Array.init)).map { "\($0)=\(String(decoding: $1, as: UTF8.self)) \($1.count)" }, fields.item,
             evaluator.evaluate(utf8: Array(zip(fields.names, texts)), published: fields.item.published))
        }
        #expect(fields == document.fields.map { "\($0.name)=\($0.text) \($0.text.utf8.count)" }, comment)
        var summaryItem = decoded
        summaryItem.content = nil
        summaryItem.authors = []
        summaryItem.categories = []
        summaryItem.fields = [:]
        #expect(item == summaryItem, comment)
        let expected = evaluator.evaluate(document)
        let lines = { (matches: [RuleMatch]) in
            matches.map { Alert(match: $0, item: decoded, source: "s", detectedAt: Date(timeIntervalSince1970: 0), ruleDescription: nil).jsonLine() }
        }
        #expect(!expected.isEmpty, comment)
        #expect(lines(matches) == lines(expected), comment)
    }

    @Test func everyFieldReadsAsTheDecodedItemsDoes() throws {
        let items = [
            Item(id: "1", title: "BCMA"),
            Item(id: "2", version: "v", title: "Acme — Fast Track for ACM-1 ✓", link: "https://example.org/2", published: Date(timeIntervalSince1970: 1e9),
                 updated: Date(timeIntervalSince1970: 2e9), summary: "Dr. Müller said “BCMA”.", content: "Zürich, é. Fast Track granted.\n\nBCMA again.",
                 authors: ["Jo"], categories: ["oncology", "BCMA", "é"], fields: ["ticker": "ACME"]),
            Item(id: "3", title: "", summary: "", content: "Fast Track", categories: []),
            Item(id: "4", title: "t", summary: "BCMA", content: ""),
        ]
        for item in items { try expectSameAsDecoded(ArchiveText.encode(item), "item \(item.id)") }
    }

    @Test func textThatIsNotUTF8IsRepairedAsDecodingRepairsIt() throws {
        let plain = ArchiveText.encode(Item(id: "x", title: "Müller gets Fast Track", summary: "Dr. Müller: BCMA",
                                            content: "BCMA in Zürich. Fast Track ✓.", categories: ["Zürich", "BCMA"]))
        // Each "ü" (C3 BC) and the check mark (E2 9C 93) broken in a different way.
        let umlaut: [UInt8] = [0xC3, 0xBC]
        let breaks: [[UInt8]] = [[0xFF, 0xBC], [0xC3, 0x41], [0xBC, 0xC3], [0xF1, 0x80]]
        var index = 0
        var broken = plain
        var position = 0
        while position + 1 < broken.count {
            if Array(broken[position...position + 1]) == umlaut {
                broken.replaceSubrange(position...position + 1, with: breaks[index % breaks.count])
                index += 1
            }
            position += 1
        }
        #expect(index == 4)
        if let check = broken.firstRange(of: [0xE2, 0x9C, 0x93]) { broken.replaceSubrange(check, with: [0xF1, 0x80, 0x80]) }
        try expectSameAsDecoded(broken, "broken UTF-8")
    }

    /// A replay reads each version's rule names by the newline's byte: the lines must be those a
    /// split by `Character` gives, whatever the names hold.
    @Test(arguments: ["", "a", "terms-0", "a\nb", "a\n\nb\n", "\na\n", "a\r\nb", "a\rb\nc", "Müller\nb", "a\n\u{301}b", "\n"])
    func ruleNamesSplitAsCharactersSplitThem(text: String) {
        #expect(SQLiteStateStore.lines(text) == text.split(separator: "\n").map(String.init))
    }

    @Test func theUTF8CheckAgreesWithTheStandardLibrary() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            UTF8Check.isValid(bytes[...]) == (Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes)
        }
        // Every one- and two-byte sequence, and three- and four-byte ones around the edges of the ranges.
        for first in 0...255 {
            #expect(agrees([UInt8(first)]))
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                Issue.record("disagrees on \(first) \(second)")
            }
        }
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                              0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        for a in edges {
            for b in edges {
                for c in edges {
                    if !agrees([a, b, c]) { Issue.record("disagrees on \([a, b, c])") }
                    for d in edges where a >= 0xF0 && !agrees([a, b, c, d]) { Issue.record("disagrees on \([a, b, c, d])") }
                }
            }
        }
        // Longer texts, where eight ASCII bytes are checked at once, with a bad byte at every place.
        let text = Array("Acme's BCMA therapy, “Fast Track” — Zürich ✓ 𝄞 done.".utf8)
        #expect(UTF8Check.isValid(text[...]))
        for place in text.indices {
            var bad = text
            bad[place] = 0xFF
            #expect(!UTF8Check.isValid(bad[...]))
            #expect(agrees(Array(text[place...])) && agrees(Array(text[..<place])))
        }
    }
}
