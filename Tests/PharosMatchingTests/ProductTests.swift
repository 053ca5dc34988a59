import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import Testing

// Rules on targets, companies and modalities that find news naming only a product, and the
// company names that are ordinary words matched only in context (issue: products).

private let vocabulary = ConfigLoader.builtinOnly()

private func compile(_ yaml: String) throws -> CompiledRules {
    let node = try YAMLNodes.parse(yaml, file: "rules.yaml")
    let (parsed, problems) = RuleParser.parse(node, baseDirectory: URL(fileURLWithPath: "/"))
    if !problems.isEmpty { throw ConfigErrors(problems) }
    return try CompiledRules(rules: parsed, vocabulary: vocabulary)
}

private let watchlist: CompiledRules = try! compile("""
    - {name: cd19, targets: [CD19]}
    - {name: trop2, targets: [TROP2]}
    - {name: pd-1, targets: [PD-1]}
    - {name: kite, companies: [Kite]}
    - {name: gilead-family, companies: [Gilead Sciences], include_subsidiaries: true}
    - {name: jnj-family, companies: [Johnson & Johnson], include_subsidiaries: true}
    - {name: legend, companies: [Legend Biotech]}
    - {name: car-t, modalities: [CAR T]}
    """)

private func matches(_ text: String) -> [String: RuleMatch] {
    Dictionary(uniqueKeysWithValues: watchlist.evaluate(MatchDocument(fields: [("title", text)])).map { ($0.rule, $0) })
}

@Suite struct ProductRules {
    @Test func yescartaNamesCD19KiteGileadAndCART() throws {
        let found = matches("Kite's Yescarta receives RMAT designation for large B-cell lymphoma")
        #expect(Set(found.keys) == ["cd19", "kite", "gilead-family", "car-t"])
        let cd19 = try #require(found["cd19"])
        #expect(cd19.matches.targets.map(\.id) == ["CD19"])
        #expect(cd19.matches.via("target", "CD19") == "axicabtagene-ciloleucel", "the alert says why: via the product")
        #expect(found["car-t"]?.matches.via("modality", "car-t") == "axicabtagene-ciloleucel")
    }

    @Test func trodelvyNamesTROP2AndGilead() throws {
        let found = matches("Trodelvy granted accelerated approval in urothelial cancer")
        #expect(found["trop2"]?.matches.via("target", "TACSTD2") == "sacituzumab-govitecan")
        #expect(found["gilead-family"] != nil)
        #expect(found["kite"] == nil, "Trodelvy is Gilead's, not Kite's")
    }

    /// A product's name inside another product's longer name names the longer one only:
    /// "trastuzumab deruxtecan" is Enhertu (AstraZeneca, Daiichi Sankyo), not Herceptin (Roche).
    @Test func aNameInsideALongerProductNameIsThatProduct() throws {
        let rules = try compile("""
            - {name: roche, companies: [Roche], include_subsidiaries: true}
            - {name: astrazeneca, companies: [AstraZeneca]}
            """)
        func matched(_ text: String) -> Set<String> { Set(rules.evaluate(MatchDocument(fields: [("title", text)])).map(\.rule)) }
        #expect(matched("Trastuzumab Deruxtecan for Injection received approval from the China NMPA") == ["astrazeneca"])
        #expect(matched("Fam-trastuzumab deruxtecan-nxki approved in HER2-low breast cancer").contains("roche") == false)
        #expect(matched("Trastuzumab biosimilar approved in Europe").contains("roche"), "trastuzumab alone is still Herceptin's")
        #expect(matched("Ado-trastuzumab emtansine approved in early breast cancer").contains("roche"), "Kadcyla is Roche's too")
    }

    /// A drug named as another's partner, or as the patients' earlier therapy, is not its maker's news.
    @Test func combinationPartnersAreNotTheirMakersNews() {
        #expect(matches("Yescarta approved after two lines including Kymriah")["gilead-family"] != nil, "Yescarta itself names Gilead")
        #expect(matches("Zynteglo approved in combination with Yescarta and dexamethasone")["gilead-family"] == nil)
        #expect(matches("Zynteglo approved in combination with dexamethasone and Yescarta")["gilead-family"] == nil)
        #expect(matches("Zynteglo approved for patients previously treated with Yescarta")["gilead-family"] == nil)
        #expect(matches("FDA grants Breakthrough Therapy designation to Yescarta")["gilead-family"] != nil)
        #expect(matches("Yescarta and Zynteglo approved")["gilead-family"] != nil, "a list with no partner word")
    }

    @Test func jemperliNamesPD1() {
        let found = matches("GSK said Jemperli showed durable responses in endometrial cancer")
        #expect(found["pd-1"]?.matches.via("target", "PDCD1") == "dostarlimab")
    }

    @Test func janssenResearchAndDevelopmentIsJohnsonAndJohnsons() {
        #expect(matches("Janssen Research & Development, LLC today announced new data")["jnj-family"] != nil)
        #expect(matches("Janssen announced the submission of a new application")["jnj-family"] != nil, "contextual: Janssen announced")
    }

    @Test func shortNamesAreCompaniesOnlyInContext() {
        #expect(matches("the Gilead Sciences subsidiary Kite presented data")["kite"] != nil)
        #expect(matches("Kite Pharma, a Gilead Company, presented data")["kite"] != nil)
        #expect(matches("A kite flew over the lab on Tuesday")["kite"] == nil)
        #expect(matches("Kite flying is popular in spring")["kite"] == nil, "capitalised, but no company word beside it")
        #expect(matches("The team called the result legendary")["legend"] == nil)
        #expect(matches("Legend has it the lab was built in 1920")["legend"] == nil)
        #expect(matches("Legend Biotech reported quarterly results")["legend"] != nil)
    }

    @Test func productsAndModalitiesAreRuleKeys() throws {
        let rules = try compile("""
            - {name: by-brand, products: [Yescarta]}
            - {name: by-code, products: [KTE-C19]}
            - {name: adc, modalities: [antibody-drug conjugate]}
            - {name: unknown-code, products: [XYZ-123]}
            """)
        func names(_ text: String) -> Set<String> {
            Set(rules.evaluate(MatchDocument(fields: [("title", text)])).map(\.rule))
        }
        #expect(names("axi-cel data at ASH") == ["by-brand", "by-code"], "any spelling of the product")
        #expect(names("Enhertu sales rose") == ["adc"], "an ADC through its product")
        #expect(names("XYZ-123 enters phase 2") == ["unknown-code"], "a product not in the vocabulary matches as written")
    }

    @Test func anUnknownModalityIsAConfigError() {
        #expect(throws: ConfigErrors.self) { try compile("- {name: m, modalities: [CAR-Q]}") }
    }
}
