import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import Testing

@Suite struct BuiltinVocabularies {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/PharosMatching/Vocabulary")

    @Test func parseCleanlyWithoutConflicts() {
        #expect(ConfigLoader.builtinVocabulary.diagnostics.isEmpty, "\(ConfigLoader.builtinVocabulary.diagnostics)")
        let vocabulary = ConfigLoader.builtinOnly()
        #expect(vocabulary.conflicts().isEmpty, "\(vocabulary.conflicts())")
        // 101 rows in the facts, 99 HGNC symbols: HER2/HER2-neu and TROP2/TROP-2 are one gene each.
        #expect(vocabulary.entries(of: .target).count == 99)
        // 36 designations, and the regulatory actions (approvals, holds, ...) listed beside them as `kind: action`.
        #expect(vocabulary.entries(of: .designation).filter { !$0.isAction }.count == 36)
        #expect(vocabulary.entries(of: .designation).filter(\.isAction).count >= 10)
        #expect(vocabulary.entries(of: .company).count >= 40)
        for slug in ["fda-rmat", "fda-breakthrough-therapy", "fda-fast-track", "fda-orphan-drug", "fda-priority-review",
                     "fda-accelerated-approval", "expanded-access", "ema-prime"] {
            #expect(vocabulary.resolve(slug, kind: .designation)?.id == slug)
        }
    }

    @Test func everyVocabularyFileIsCompiledInAsWritten() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(BuiltinVocabulary.files.map(\.name).sorted() == names)
        for file in BuiltinVocabulary.files {
            let onDisk = try String(contentsOf: folder.appendingPathComponent(file.name), encoding: .utf8)
            #expect(file.yaml.description == onDisk, "\(file.name)")
        }
    }

    @Test(arguments: [
        ("CD269", EntityKind.target, "TNFRSF17"), ("TNFRSF17", .target, "TNFRSF17"), ("B7-H1", .target, "CD274"),
        ("PD-L1", .target, "CD274"), ("PD-1", .target, "PDCD1"), ("HER2/neu", .target, "ERBB2"), ("Claudin 18.2", .target, "CLDN18"),
        ("RMAT", .designation, "fda-rmat"), ("Regenerative Medicine Advanced Therapy", .designation, "fda-rmat"),
        ("Orphan Drug Designation", .designation, "fda-orphan-drug"), ("PRIME", .designation, "ema-prime"),
        ("NASDAQ: IBRX", .company, "ImmunityBio"),
    ])
    func termsResolve(term: String, kind: EntityKind, id: String) {
        #expect(ConfigLoader.builtinOnly().resolve(term, kind: kind)?.id == id)
    }

    @Test func riskyAliasesAreLeftOutWithAReason() {
        let vocabulary = ConfigLoader.builtinOnly()
        for alias in ["B1", "S7", "CD", "NEU", "p67", "mENA"] {
            #expect(vocabulary.resolve(alias, kind: .target) == nil, "\(alias) must not name a target")
            #expect(!vocabulary.exclusions(of: alias).isEmpty, "\(alias) is listed as excluded with a reason")
        }
    }
}

@Suite struct UserVocabularies {
    @Test func overridesAndConflictsFromConfig() throws {
        let folder = try ConfigFolder()
        try FileManager.default.createDirectory(at: folder.url.appendingPathComponent("vocab"), withIntermediateDirectories: true)
        try folder.write("pharos.yaml", validMain + "\nvocabularies: ./vocab\n")
        try folder.write("rules.d/a.yaml", """
            - name: mine
              targets: [ZZTOP1]
              companies: [Acme Oncology]
            """)
        try folder.write("vocab/targets.yaml", """
            - id: ZZTOP1
              label: ZZTOP1
              aliases: [ZZ-TOP-1]
            """)
        try folder.write("vocab/companies.yaml", """
            - name: Acme Oncology
              aliases: [Acme Oncology, ACMO]
              tickers: ["NASDAQ: ACMO"]
            """)
        let config = try ConfigLoader(registry: registry).load(folder.url.appendingPathComponent("pharos.yaml"))
        let matches = config.evaluator.evaluate(MatchDocument(fields: [("content", "ACMO (NASDAQ: ACMO) doses ZZ-TOP-1 patients")]))
        #expect(matches.map(\.rule) == ["mine"])

        try folder.write("vocab/targets.yaml", """
            - id: ZZTOP1
              label: ZZTOP1
              aliases: [CD269]
            """)
        #expect(folder.problems() == [
            "vocab/targets.yaml:1:3: 'CD269' names target ZZTOP1 and also TNFRSF17 ((built-in) targets.yaml:45:3); keep it in one entry",
        ])
        try folder.write("vocab/genes.yaml", "[]")
        #expect(folder.problems().contains(
            "vocab/genes.yaml:1:1: cannot tell what genes.yaml lists: name vocabulary files targets*.yaml, designations*.yaml, companies*.yaml, products*.yaml or modalities*.yaml"))
    }

    @Test func unknownTargetsInRulesAreReported() throws {
        let folder = try ConfigFolder()
        try folder.write("pharos.yaml", validMain)
        try folder.write("rules.d/a.yaml", """
            - name: typo
              targets: [BMCA]
            - name: excluded
              targets: [NEU]
            """)
        let problems = folder.problems()
        #expect(problems.count == 2)
        #expect(problems.first?.hasPrefix("rules.d/a.yaml:2:13: unknown target 'BMCA'; did you mean") == true)
        #expect(problems.last?.hasPrefix("rules.d/a.yaml:4:13: unknown target 'NEU': it is left out of ERBB2 because") == true)
    }
}

@Suite struct BuiltinProducts {
    let vocabulary = ConfigLoader.builtinOnly()

    /// Every product names targets of the targets vocabulary, companies of the companies
    /// vocabulary and a modality of the modalities vocabulary (and every company's parent exists).
    @Test func productsReferToEntriesThatExist() {
        let products = vocabulary.entries(of: .product)
        #expect(!products.isEmpty)
        let problems = vocabulary.referenceProblems()
        #expect(problems.isEmpty, "\(problems)")
        // The same, checked here without referenceProblems(), so a bug in it cannot hide one.
        let targets = Set(vocabulary.entries(of: .target).map { $0.id.lowercased() })
        let companies = Set(vocabulary.entries(of: .company).map { $0.id.lowercased() })
        let modalities = Set(vocabulary.entries(of: .modality).map { $0.id.lowercased() })
        for product in products {
            for target in product.targets { #expect(targets.contains(target.lowercased()), "\(product.id): target \(target)") }
            #expect(!product.companies.isEmpty, "\(product.id) names no company")
            for company in product.companies { #expect(companies.contains(company.lowercased()), "\(product.id): company \(company)") }
            let modality = product.modality ?? ""
            #expect(modalities.contains(modality.lowercased()), "\(product.id): modality '\(modality)'")
        }
    }

    /// No spelling (INN, brand or code, compared as the matcher compares, ignoring case) names two products.
    @Test func noSpellingNamesTwoProducts() {
        var owner: [String: String] = [:]
        var clashes: [String] = []
        for product in vocabulary.entries(of: .product) {
            for phrase in Set(product.phrases.map { Spelling.key($0.lowercased()) }) {
                if let other = owner[phrase], other != product.id {
                    clashes.append("'\(phrase)' names \(other) and \(product.id)")
                } else {
                    owner[phrase] = product.id
                }
            }
        }
        #expect(clashes.isEmpty, "\(clashes.joined(separator: "\n"))")
        let ids = vocabulary.entries(of: .product).map(\.id)
        #expect(Set(ids).count == ids.count, "product ids are unique")
    }

    /// At least 400 products, each saying where its facts come from.
    @Test func atLeast400ProductsEachWithASource() {
        let products = vocabulary.entries(of: .product)
        #expect(products.count >= 400)
        let unsourced = products.filter { ($0.source ?? "").trimmingCharacters(in: .whitespaces).isEmpty }.map(\.id)
        #expect(unsourced.isEmpty, "no source: \(unsourced)")
        for product in products {
            #expect(!product.phrases.isEmpty, "\(product.id) has no spelling")
        }
    }
}
