import Foundation
import PharosCore
import PharosEngine
import PharosMatching
import Testing

/// Products and modalities in the user's `vocabularies:` folder, as for the other kinds.
@Suite struct UserProducts {
    private func folder(products: String) throws -> ConfigFolder {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain + "\nvocabularies: ./vocab\n")
        try folder.write("rules.d/r.yaml", "- {name: zx-news, products: [ZX-101]}\n- {name: cd19, targets: [CD19]}\n")
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("vocab"), withIntermediateDirectories: true)
        try folder.write("vocab/products-mine.yaml", products)
        return folder
    }

    @Test func aUserProductAddsToTheBuiltInOnes() throws {
        let folder = try folder(products: """
            - id: zx-101
              label: Zenixa
              inn: [zenicabtagene autoleucel]
              brands: [Zenixa]
              codes: [ZX-101]
              company: Kite Pharma
              targets: [CD19]
              modality: car-t
              status: phase-2
              source: https://example.org/pipeline
            """)
        #expect(folder.problems().isEmpty, "\(folder.problems())")
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        let found = Set(config.evaluator.evaluate(MatchDocument(fields: [("title", "Zenixa shows responses")])).map(\.rule))
        #expect(found == ["zx-news", "cd19"], "the product by its brand, and CD19 through it")
    }

    @Test func conflictsAndMissingReferencesAreReported() throws {
        let folder = try folder(products: """
            - id: zx-101
              label: Zenixa
              brands: [Yescarta]
              company: No Such Company
              targets: [NOT-A-TARGET]
              modality: car-q
              source: https://example.org/pipeline
            - id: zx-102
              label: Other
              codes: [ZX-102]
            """)
        let problems = folder.problems().joined(separator: "\n")
        #expect(problems.contains("'yescarta' names product zx-101 and also axicabtagene-ciloleucel"), "\(problems)")
        #expect(problems.contains("names target 'NOT-A-TARGET'"), "\(problems)")
        #expect(problems.contains("names company 'No Such Company'"), "\(problems)")
        #expect(problems.contains("names modality 'car-q'"), "\(problems)")
        #expect(problems.contains("vocab/products-mine.yaml:8:3: product 'zx-102' has no source"), "\(problems)")
    }
}
