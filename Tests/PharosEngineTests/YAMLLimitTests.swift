import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import Testing

/// Nine nested anchors, each a list of ten aliases of the previous: 10^9 nodes expanded, 390 bytes written.
func aliasBomb(levels: Int = 9) -> String {
    let names = (0...levels).map { "a\(String(UnicodeScalar(UInt8(97 + $0))))" }
    var text = "- name: bomb\n  keywords: [x]\n  b0: &\(names[0]) [\"lol\"]\n"
    for level in 1...levels {
        let list = Array(repeating: "*\(names[level - 1])", count: 10).joined(separator: ", ")
        text += "  b\(level): &\(names[level]) [\(list)]\n"
    }
    return text
}

@Suite struct YAMLLimits {
    @Test func anAliasBombIsRejectedAtItsAlias() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        // A valid load first (the built-in vocabularies, parsed at every load, take some tens of ms in a debug build).
        try folder.write("rules.d/r.yaml", validRules)
        #expect(folder.problems().isEmpty)
        try folder.write("rules.d/r.yaml", aliasBomb())
        let problems = folder.problems()
        #expect(problems.count == 1)
        // 250,000 nodes are passed at the first alias of the sixth level (211,111 nodes each).
        #expect(problems == ["rules.d/r.yaml:9:12: aliases expand this file to more than 250000 YAML nodes (here *af); write the values out or use fewer aliases"])
    }

    /// Yams hashes every mapping key to find duplicates: an alias of a bomb as a key would have
    /// it hash what the alias expands to before any limit is checked. Aliases are counted first.
    @Test func aliasesAsKeysAreMeasuredBeforeYamsHashesThem() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        // Five levels define about 234,000 nodes; the key adds 211,111 more.
        try folder.write("rules.d/r.yaml", aliasBomb(levels: 5) + "  key: {? *af : 1}\n")
        try folder.write("rules.d/s.yaml", "- x: &a [lol, lol]\n  y: {? *a : 1, ? *a : 2}\n")
        let problems = folder.problems()
        #expect(problems == [
            "rules.d/r.yaml:9:11: aliases expand this file to more than 250000 YAML nodes (here *af); write the values out or use fewer aliases",
            "rules.d/s.yaml:2:19: duplicate key '*a' (first at 2:9)",
        ])
    }

    @Test func tooManyAliasesAreRejected() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        let aliases = Array(repeating: "*k", count: 1_001).joined(separator: ", ")
        try folder.write("rules.d/r.yaml", "- name: a\n  keywords: &k [x]\n  description: [\(aliases)]\n")
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("rules.d/r.yaml:3:\(17 + 1_000 * 4):") == true, "\(problems)")
        #expect(problems.first?.contains("more than 1000 YAML aliases in one file (here *k)") == true)
    }

    @Test func aFewAliasesStillWork() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        try folder.write("rules.d/r.yaml", """
            - name: a # a comment with *stars and 'quotes
              keywords: &words ["a *b", 'it''s']
            - name: b
              keywords: *words
            """)
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        #expect(config.rules.map(\.name) == ["a", "b"])
    }

    @Test func aDuplicateKeyIsReportedWhereItIsRepeated() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain + "\nstate: ./other\n")
        try folder.write("rules.d/r.yaml", "- {name: a, keywords: [x], name: b}\n- name: c\n  keywords: [y]\n  # note\n  keywords: [z]\n")
        #expect(folder.problems() == ["pharos.yaml:12:1: duplicate key 'state' (first at 1:1)"])
        try folder.write("pharos.yaml", validMain)
        #expect(folder.problems() == ["rules.d/r.yaml:1:28: duplicate key 'name' (first at 1:4)"])
        try folder.write("rules.d/r.yaml", "- name: c\n  keywords: [y]\n  # note\n  keywords: [z]\n- name: d\n")
        let problems = folder.problems()
        #expect(problems == ["rules.d/r.yaml:4:3: duplicate key 'keywords' (first at 2:3)"])
        #expect(!problems.joined().contains("name: d"), "the file is not dumped")
    }
}
