import ArgumentParser
import Foundation
import PharosCore
import PharosEngine
import PharosMatching

struct Vocab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
            describe(entry)
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

    private func describe(_ entry: VocabularyEntry) {
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
        if !entry.excluded.isEmpty {
            print("  never matches: " + entry.excluded.map { "\($0.term) (\($0.reason))" }.joined(separator: "; "))
        }
        if let notes = entry.notes { print("  notes: \(notes)") }
        print("  defined at: \(entry.location)")
    }
}
