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

func matchedRules(_ rules: [Rule], _ text: String, title: String = "") -> [String] {
    LiteralRuleEvaluator(rules: rules).evaluate(MatchDocument(fields: [("title", title), ("content", text)])).map(\.rule)
}

@Suite struct LiteralMatching {
    let rmat = rule("rmat") { $0.designations = ["RMAT"] }
    let pdl1 = rule("pd-l1") { $0.targets = ["PD-L1"] }
    let til = rule("til") { $0.keywords = ["TIL"] }
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
        #expect(matchedRules([pdl1], "an anti-PD-1 antibody; PD-L2 binding; PDL1").isEmpty)
    }

    @Test(arguments: ["PD-L1", "PD L1", "PD\u{2011}L1", "PD\u{2013}L1", "PD  -  L1", "PD-L1\u{00AE}", "anti-PD-L1", "PD-L1-positive"])
    func dashSpaceAndMarkVariants(text: String) {
        #expect(matchedRules([pdl1], "A \(text) antibody.") == ["pd-l1"])
    }

    @Test func excludeVetoesTheWholeItem() {
        let r = rule("bt") { $0.designations = ["Breakthrough Therapy"]; $0.exclude = ["webinar"] }
        #expect(matchedRules([r], "Breakthrough Therapy designation granted.") == ["bt"])
        #expect(matchedRules([r], "Breakthrough Therapy designation.\n\nJoin our Webinar.").isEmpty)
    }

    @Test func fieldsAreAndedValuesOred() {
        let r = rule("r") { $0.targets = ["BCMA", "TNFRSF17"]; $0.designations = ["RMAT"] }
        #expect(matchedRules([r], "TNFRSF17 program gets RMAT") == ["r"])
        #expect(matchedRules([r], "BCMA program").isEmpty)
    }

    @Test func nestedAnyAllNot() {
        var inner = Clause()
        inner.targets = ["BCMA"]
        inner.designations = ["RMAT"]
        var other = Clause()
        other.companies = ["Iovance Biotherapeutics"]
        var negated = Clause()
        negated.targets = ["PD-L1"]
        let r = rule("r") { $0.any = [inner, other] }
        let s = rule("s") { $0.designations = ["RMAT"]; $0.not = [negated] }
        #expect(matchedRules([r], "Iovance Biotherapeutics news") == ["r"])
        #expect(matchedRules([r], "BCMA and RMAT") == ["r"])
        #expect(matchedRules([r], "BCMA only").isEmpty)
        #expect(matchedRules([s], "RMAT for a PD-L1 drug").isEmpty)
        #expect(matchedRules([s], "RMAT for a BCMA drug") == ["s"])
    }

    @Test func withinSentence() {
        let r = rule("r") { $0.targets = ["BCMA"]; $0.designations = ["RMAT"]; $0.within = .sentence }
        #expect(matchedRules([r], "The U.S. FDA granted RMAT to a BCMA CAR-T. Dr. Lee spoke.") == ["r"])
        #expect(matchedRules([r], "The FDA granted RMAT. Separately, a BCMA trial started.").isEmpty)
    }

    @Test func withinParagraph() {
        let r = rule("r") { $0.targets = ["BCMA"]; $0.designations = ["RMAT"]; $0.within = .paragraph }
        #expect(matchedRules([r], "RMAT granted. It targets BCMA.\n\nOther news.") == ["r"])
        #expect(matchedRules([r], "RMAT granted.\n\nA BCMA trial.").isEmpty)
    }

    @Test func matchesAndEvidenceCarryTheTextAsWritten() throws {
        let r = rule("r") { $0.targets = ["PD-L1"]; $0.designations = ["Orphan Drug"] }
        let text = "Acme Inc. said on Feb. 3 that the U.S. FDA granted Orphan Drug designation to its PD\u{2011}L1 antibody. Shares rose 4.5%."
        let match = try #require(LiteralRuleEvaluator(rules: [r]).evaluate(MatchDocument(fields: [("content", text)])).first)
        #expect(match.matches.targets == [EntityMatch(id: "PD-L1", label: "PD-L1", text: "PD\u{2011}L1")])
        #expect(match.matches.designations.map(\.text) == ["Orphan Drug"])
        #expect(match.evidence.count == 1)
        let evidence = try #require(match.evidence.first)
        #expect(evidence.text == "Acme Inc. said on Feb. 3 that the U.S. FDA granted Orphan Drug designation to its PD\u{2011}L1 antibody.")
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[evidence.start..<evidence.end])) == evidence.text)
    }
}
