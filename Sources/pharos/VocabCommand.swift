import ArgumentParser
import Foundation
import PharosCore
import PharosEngine
import PharosMatching

struct Vocab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Show what a term resolves to (CD269 -> target TNFRSF17 \"BCMA\") and why.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "A target, designation or company name, alias, ticker or id.")
    var term: String

    func run() async throws {
        // The config adds vocabularies; without one, the built-in vocabulary still answers.
        let vocabulary = FileManager.default.fileExists(atPath: options.configFile.path)
            ? try options.load().vocabulary : ConfigLoader.builtinOnly()
        var found = false
        for kind in EntityKind.allCases {
            guard let entry = vocabulary.resolve(term, kind: kind) else { continue }
            found = true
            describe(entry, in: vocabulary)
        }
        for (entry, reason) in vocabulary.exclusions(of: term) {
            found = true
            print("\(term) is deliberately not matched: left out of \(entry.kind.rawValue) \(entry.id) \"\(entry.label)\" because \(reason)")
        }
        guard found else {
            print("'\(term)' is not in the vocabulary. In rules, companies: [\(term)] and keywords: [\(term)] match it as written.")
            for kind in EntityKind.allCases {
                if let suggestion = vocabulary.suggestion(for: term, kind: kind) { print("  did you mean \(kind.rawValue) '\(suggestion)'?") }
            }
            throw ExitWith(code: .failure)
        }
    }

    private func describe(_ entry: VocabularyEntry, in vocabulary: Vocabulary) {
        var heading = "\(term) -> \(entry.kind.rawValue) \(entry.id) \"\(entry.label)\""
        if let name = entry.name, name != entry.label { heading += " (\(name))" }
        if let agency = entry.agency { heading += ", \(agency)" }
        print(heading)
        let key = Spelling.key(term)
        let how: String
        if entry.id.lowercased() == term.lowercased() {
            how = "it is the \(entry.kind.rawValue)'s id"
        } else if let spelling = entry.phrases.first(where: { Spelling.key($0) == key }) {
            how = "\"\(spelling)\" is one of its spellings"
        } else {
            how = "it is one of its spellings, written in other capitals"
        }
        print("  why: \(how)")
        print("  matches: " + entry.phrases.map { phrase in
            Spelling.isCaseSensitive(phrase) ? "\(phrase) (exactly)" : phrase
        }.joined(separator: ", "))
        if !entry.contextual.isEmpty {
            print("  in context only: " + entry.contextual.joined(separator: ", ")
                + " (capitalised, beside a company word such as Pharma or announced, or where the item names the company or its product)")
        }
        if !entry.excluded.isEmpty {
            print("  never matches: " + entry.excluded.map { "\($0.term) (\($0.reason))" }.joined(separator: "; "))
        }
        describeRelations(entry, in: vocabulary)
        if let notes = entry.notes { print("  notes: \(notes)") }
        print("  defined at: \(entry.location)")
    }

    /// A product's targets, companies and modality; a company's parent, subsidiaries and products;
    /// a target's or modality's products: what rules reach through products.
    private func describeRelations(_ entry: VocabularyEntry, in vocabulary: Vocabulary) {
        func label(_ kind: EntityKind, _ id: String) -> String {
            guard let found = vocabulary.entry(kind, id: id) else { return id }
            return found.label == found.id ? found.id : "\(found.label) (\(found.id))"
        }
        func productList(_ products: [VocabularyEntry]) -> String {
            let names = products.prefix(12).map { product in
                product.name.map { name in name == product.label ? name : "\(name) (\(product.label))" } ?? product.label
            }
            return names.joined(separator: ", ") + (products.count > 12 ? ", and \(products.count - 12) more" : "")
        }
        switch entry.kind {
        case .product:
            if !entry.targets.isEmpty { print("  targets: " + entry.targets.map { label(.target, $0) }.joined(separator: ", ")) }
            if let sponsor = entry.companies.first {
                var line = "  company: \(sponsor)"
                if let parent = vocabulary.entry(.company, id: sponsor)?.parent { line += " (a \(parent) company)" }
                if entry.companies.count > 1 { line += "; partners: " + entry.companies.dropFirst().joined(separator: ", ") }
                print(line)
            }
            if let modality = entry.modality { print("  modality: \(label(.modality, modality))") }
            if let status = entry.status { print("  status: \(status)") }
            if let source = entry.source { print("  source: \(source)") }
            print("  rules on its targets, companies or modality also match an item that names only this product")
        case .company:
            if let parent = entry.parent { print("  parent: \(parent)") }
            let children = vocabulary.family(ofCompany: entry.id).dropFirst()
            if !children.isEmpty { print("  subsidiaries (include_subsidiaries: true): " + children.map(\.id).joined(separator: ", ")) }
            let products = vocabulary.products(with: .company, id: entry.id)
            if !products.isEmpty { print("  products: " + productList(products)) }
        case .target, .modality:
            let products = vocabulary.products(with: entry.kind, id: entry.id)
            if !products.isEmpty { print("  products: " + productList(products)) }
        case .designation:
            if let family = entry.family { print("  kind: \(family) (agencies: any also accepts the other agencies' \(family))") }
        }
    }
}
