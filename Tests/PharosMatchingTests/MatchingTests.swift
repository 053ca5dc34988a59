import Foundation
import PharosCore
import PharosMatching
import Testing

/// Builds rules the way config does, from YAML-like nodes, without YAML.
func rule(_ name: String, _ configure: (inout Clause) -> Void) -> Rule {
    var clause = Clause()
    configure(&clause)
    if clause.within == nil { clause.within = .document }
    return Rule(name: name, clause: clause, location: SourceLocation(file: "t", line: 1, column: 1))
}

/// A small vocabulary standing in for the built-in one, so these tests do not depend on it.
let testVocabulary: Vocabulary = {
    let here = SourceLocation(file: "test", line: 1, column: 1)
    var vocabulary = Vocabulary()
    vocabulary.add([
        VocabularyEntry(kind: .target, id: "TNFRSF17", label: "BCMA", phrases: ["BCMA", "CD269", "TNFRSF17", "B-cell maturation antigen"], location: here),
        VocabularyEntry(kind: .target, id: "CD274", label: "PD-L1", phrases: ["PD-L1", "PDL1", "B7-H1", "CD274"], location: here),
        VocabularyEntry(kind: .target, id: "PDCD1", label: "PD-1", phrases: ["PD-1", "PD1", "CD279", "PDCD1"], location: here),
        VocabularyEntry(kind: .target, id: "GPRC5D", label: "GPRC5D", phrases: ["GPRC5D"], location: here),
        VocabularyEntry(kind: .designation, id: "fda-rmat", label: "RMAT", phrases: ["RMAT", "Regenerative Medicine Advanced Therapy"], location: here),
        VocabularyEntry(kind: .designation, id: "fda-orphan-drug", label: "Orphan Drug", phrases: ["Orphan Drug Designation", "Orphan Drug", "ODD"], location: here),
        VocabularyEntry(kind: .designation, id: "fda-breakthrough-therapy", label: "Breakthrough Therapy", phrases: ["Breakthrough Therapy"], location: here),
        VocabularyEntry(kind: .company, id: "Iovance Biotherapeutics", label: "Iovance Biotherapeutics",
                        phrases: ["Iovance Biotherapeutics", "Iovance", "NASDAQ: IOVA", "NASDAQ:IOVA"], location: here),
    ])
    return vocabulary
}()

func matchedRules(_ rules: [Rule], _ text: String, title: String = "") -> [String] {
    evaluator(rules).evaluate(MatchDocument(fields: [("title", title), ("content", text)])).map(\.rule)
}

func evaluator(_ rules: [Rule]) -> CompiledRules {
    do {
        return try CompiledRules(rules: rules, vocabulary: testVocabulary)
    } catch {
        fatalError("test rules do not compile: \(error)")
    }
}

@Suite struct Matching {
    let rmat = rule("rmat") { $0.designations = ["RMAT"]; $0.status = .any }
    let pdl1 = rule("pd-l1") { $0.targets = ["PD-L1"] }
    let til = rule("til") { $0.keywords = ["TIL"] }
    let bcma = rule("bcma") { $0.targets = ["BCMA"] }
    let company = rule("company") { $0.companies = ["ImmunityBio"] }

    @Test func wholeWordsOnly() {
        #expect(matchedRules([rmat], "Our information platform and its formation.").isEmpty)
        #expect(matchedRules([rmat], "granted RMAT designation") == ["rmat"])
        #expect(matchedRules([rmat], "(RMAT)") == ["rmat"])
    }

    @Test func capitalisedTermsMatchOnlyInCapitals() {
        #expect(matchedRules([til], "enrolment continues until March; Until then.").isEmpty)
        #expect(matchedRules([til], "a TIL therapy") == ["til"])
        #expect(matchedRules([rmat], "rmat designation").isEmpty)
    }

    @Test func otherTermsIgnoreCase() {
        #expect(matchedRules([company], "IMMUNITYBIO and immunitybio") == ["company"])
    }

    @Test func pd1IsNotPdl1() {
        #expect(matchedRules([pdl1], "an anti-PD-1 antibody; PD-L2 binding; PDL2").isEmpty)
    }

    @Test(arguments: ["PD-L1", "PD L1", "PD\u{2011}L1", "PD\u{2013}L1", "PD  -  L1", "PD-L1\u{00AE}", "anti-PD-L1", "PD-L1-positive"])
    func dashSpaceAndMarkVariants(text: String) {
        #expect(matchedRules([pdl1], "A \(text) antibody.") == ["pd-l1"])
    }

    @Test func excludeVetoesTheWholeItem() {
        let r = rule("bt") { $0.designations = ["Breakthrough Therapy"]; $0.status = .any; $0.exclude = ["webinar"] }
        #expect(matchedRules([r], "Breakthrough Therapy designation granted.") == ["bt"])
        #expect(matchedRules([r], "Breakthrough Therapy designation.\n\nJoin our Webinar.").isEmpty)
    }

    @Test func fieldsAreAndedValuesOred() {
        let r = rule("r") { $0.targets = ["BCMA", "GPRC5D"]; $0.designations = ["RMAT"]; $0.status = .any }
        #expect(matchedRules([r], "GPRC5D program gets RMAT") == ["r"])
        #expect(matchedRules([r], "BCMA program").isEmpty)
    }

    @Test func nestedAnyAllNot() {
        var inner = Clause()
        inner.targets = ["BCMA"]
        inner.designations = ["RMAT"]
        inner.status = .any
        var other = Clause()
        other.companies = ["Iovance Biotherapeutics"]
        var negated = Clause()
        negated.targets = ["PD-L1"]
        let r = rule("r") { $0.any = [inner, other] }
        let s = rule("s") { $0.designations = ["RMAT"]; $0.status = .any; $0.not = [negated] }
        #expect(matchedRules([r], "Iovance Biotherapeutics news") == ["r"])
        #expect(matchedRules([r], "BCMA and RMAT") == ["r"])
        #expect(matchedRules([r], "BCMA only").isEmpty)
        #expect(matchedRules([s], "RMAT for a PD-L1 drug").isEmpty)
        #expect(matchedRules([s], "RMAT for a BCMA drug") == ["s"])
    }

    @Test func withinSentence() {
        let r = rule("r") { $0.targets = ["BCMA"]; $0.designations = ["RMAT"]; $0.status = .any; $0.within = .sentence }
        #expect(matchedRules([r], "The U.S. FDA granted RMAT to a BCMA CAR-T. Dr. Lee spoke.") == ["r"])
        #expect(matchedRules([r], "The FDA granted RMAT. Separately, a BCMA trial started.").isEmpty)
        #expect(matchedRules([r], "RMAT for some targets,\u{00A0}e.g. BCMA, and others.") == ["r"], "no split after e.g. behind a no-break space")
        #expect(matchedRules([r], "RMAT was granted on 4.5 grounds. \"BCMA\" is the target.").isEmpty)
        #expect(matchedRules([r], "The Co. got RMAT (Inc. filings) for BCMA!") == ["r"])
    }

    @Test func withinParagraph() {
        let r = rule("r") { $0.targets = ["BCMA"]; $0.designations = ["RMAT"]; $0.status = .any; $0.within = .paragraph }
        #expect(matchedRules([r], "RMAT granted. It targets BCMA.\n\nOther news.") == ["r"])
        #expect(matchedRules([r], "RMAT granted.\n\nA BCMA trial.").isEmpty)
    }

    @Test func matchesAndEvidenceCarryTheTextAsWritten() throws {
        let r = rule("r") { $0.targets = ["PD-L1"]; $0.designations = ["Orphan Drug"] }
        let text = "Acme Inc. said on Feb. 3 that the U.S. FDA granted Orphan Drug designation to its PD\u{2011}L1 antibody. Shares rose 4.5%."
        let match = try #require(evaluator([r]).evaluate(MatchDocument(fields: [("content", text)])).first)
        #expect(match.matches.targets == [EntityMatch(id: "CD274", label: "PD-L1", text: "PD\u{2011}L1")])
        #expect(match.matches.designations == [EntityMatch(id: "fda-orphan-drug", label: "Orphan Drug", text: "Orphan Drug designation")])
        #expect(match.evidence.count == 1)
        let evidence = try #require(match.evidence.first)
        #expect(evidence.text == "Acme Inc. said on Feb. 3 that the U.S. FDA granted Orphan Drug designation to its PD\u{2011}L1 antibody.")
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[evidence.start..<evidence.end])) == evidence.text)
    }
}

@Suite struct EntityMatching {
    let bcma = rule("bcma") { $0.targets = ["BCMA"] }

    @Test(arguments: ["BCMA", "TNFRSF17", "CD269", "BCMA-targeted", "B-cell maturation antigen", "anti-CD269", "BCMA\u{00AE}", "B cell maturation antigen"])
    func synonymsResolve(text: String) throws {
        let match = try #require(evaluator([bcma]).evaluate(MatchDocument(fields: [("content", "A \(text) therapy.")])).first)
        #expect(match.matches.targets.map(\.id) == ["TNFRSF17"])
        #expect(match.matches.targets.map(\.label) == ["BCMA"])
    }

    @Test(arguments: ["bcma", "CD2690", "xBCMA", "BCMAs", "cd269"])
    func nearMissesDoNotMatch(text: String) {
        #expect(matchedRules([bcma], "A \(text) therapy.").isEmpty)
    }

    @Test func pdl1AndPd1StayApart() {
        let pd1 = rule("pd1") { $0.targets = ["PD-1"] }
        let pdl1 = rule("pdl1") { $0.targets = ["PD-L1"] }
        #expect(matchedRules([pd1, pdl1], "an anti-PD-L1 antibody") == ["pdl1"])
        #expect(matchedRules([pd1, pdl1], "an anti-PD-1 antibody") == ["pd1"])
        #expect(matchedRules([pd1, pdl1], "PD-L2 and PD-2").isEmpty)
    }

    @Test func companiesMatchAliasesAndTickers() {
        let iovance = rule("iovance") { $0.companies = ["Iovance Biotherapeutics"] }
        #expect(matchedRules([iovance], "Iovance (NASDAQ: IOVA) today announced") == ["iovance"])
        #expect(matchedRules([iovance], "shares of NASDAQ:IOVA rose") == ["iovance"])
        let unknown = rule("acme") { $0.companies = ["Acme Oncology"] }
        #expect(matchedRules([unknown], "ACME ONCOLOGY, Inc. announced") == ["acme"], "a company not in the vocabulary matches literally")
    }

    @Test func anyDesignation() {
        let any = rule("any") { $0.designations = ["any"]; $0.status = .any }
        #expect(matchedRules([any], "received Breakthrough Therapy designation") == ["any"])
        #expect(matchedRules([any], "a breakthrough in therapy").isEmpty)
    }

    @Test func unknownTargetsAreConfigErrors() {
        var clause = Clause()
        clause.targets = ["BMCA"]
        clause.locations["targets:BMCA"] = SourceLocation(file: "r.yaml", line: 3, column: 13)
        let bad = Rule(name: "bad", clause: clause, location: SourceLocation(file: "r.yaml", line: 1, column: 3))
        let error = #expect(throws: ConfigErrors.self) { try CompiledRules(rules: [bad], vocabulary: testVocabulary) }
        #expect(error?.description == "r.yaml:3:13: unknown target 'BMCA'; did you mean 'BCMA'? (add it to a targets vocabulary, or match the phrase with keywords:)")
    }

    @Test func oneSpellingNamingTwoEntitiesIsAConflict() {
        var vocabulary = testVocabulary
        vocabulary.add([VocabularyEntry(kind: .target, id: "XYZ1", label: "XYZ1", phrases: ["XYZ1", "CD269"], location: SourceLocation(file: "mine.yaml", line: 4, column: 3))])
        #expect(vocabulary.conflicts().map(\.description) == ["mine.yaml:4:3: 'CD269' names target XYZ1 and also TNFRSF17 (test:1:1); keep it in one entry"])
    }

    @Test func userEntriesReplaceBuiltInOnesWithTheSameID() {
        var vocabulary = testVocabulary
        vocabulary.add([VocabularyEntry(kind: .target, id: "TNFRSF17", label: "BCMA", phrases: ["BCMA", "BCMA-X"], location: SourceLocation(file: "mine.yaml", line: 1, column: 3))])
        #expect(vocabulary.resolve("BCMA-X", kind: .target)?.id == "TNFRSF17")
        #expect(vocabulary.resolve("CD269", kind: .target) == nil)
        #expect(vocabulary.conflicts().isEmpty)
    }
}
