import PharosCore

/// The text of an item as the matcher sees it: named fields, matched in order.
public struct MatchDocument: Sendable {
    public var fields: [(name: String, text: String)]

    public init(fields: [(name: String, text: String)]) {
        self.fields = fields
    }

    /// Title, summary, content and categories of an item.
    public init(item: Item) {
        var fields: [(String, String)] = [("title", item.title)]
        if let summary = item.summary, !summary.isEmpty { fields.append(("summary", summary)) }
        if let content = item.content, !content.isEmpty { fields.append(("content", content)) }
        if !item.categories.isEmpty { fields.append(("categories", item.categories.joined(separator: "\n\n"))) }
        self.fields = fields
    }
}

/// One rule that matched one document.
public struct RuleMatch: Sendable {
    public var rule: String
    public var matches: Matches
    public var evidence: [Evidence]
}

/// Evaluates every rule over a document. The engine depends only on this.
public protocol RuleEvaluator: Sendable {
    /// The rules, in config order.
    var rules: [Rule] { get }
    /// The rules that match `document`, in config order.
    func evaluate(_ document: MatchDocument) -> [RuleMatch]
}

/// First-cut evaluator: every term is a literal phrase, matched as whole words after
/// normalisation, case-insensitively unless written in capitals.
public struct LiteralRuleEvaluator: RuleEvaluator {
    enum Kind: Int, Sendable { case target, designation, company, keyword, exclude }

    struct Term: Sendable {
        var kind: Kind
        var written: String
        var pattern: [Unicode.Scalar]
        var caseSensitive: Bool
    }

    /// A clause with its terms replaced by indices into `terms`.
    struct CompiledClause: Sendable {
        var fields: [[Int]]
        var exclude: [Int]
        var within: Scope?
        var all: [CompiledClause]
        var any: [CompiledClause]
        var not: [CompiledClause]
    }

    /// Phrases `designations: [any]` stands for until the designation vocabulary exists.
    static let anyDesignation = [
        "Breakthrough Therapy", "Fast Track", "Orphan Drug", "RMAT", "Regenerative Medicine Advanced Therapy",
        "Priority Review", "Accelerated Approval", "PRIME", "Rare Pediatric Disease", "Expanded Access",
    ]

    public let rules: [Rule]
    let terms: [Term]
    let compiled: [CompiledClause]

    public init(rules: [Rule]) {
        self.rules = rules
        var terms: [Term] = []
        var index: [String: Int] = [:]
        func intern(_ written: String, _ kind: Kind) -> Int {
            let normalized = NormalizedText(written)
            let hasLower = normalized.exact.contains { $0.properties.isLowercase }
            let hasUpper = normalized.exact.contains { $0.properties.isUppercase }
            let caseSensitive = hasUpper && !hasLower
            let pattern = caseSensitive ? normalized.exact : normalized.folded
            let key = "\(kind.rawValue)|\(caseSensitive)|\(String(String.UnicodeScalarView(pattern)))"
            if let existing = index[key] { return existing }
            terms.append(Term(kind: kind, written: written, pattern: pattern, caseSensitive: caseSensitive))
            index[key] = terms.count - 1
            return terms.count - 1
        }
        func compile(_ clause: Clause) -> CompiledClause {
            let designations = clause.designations.flatMap { $0.lowercased() == "any" ? Self.anyDesignation : [$0] }
            return CompiledClause(
                fields: [
                    clause.targets.map { intern($0, .target) }, designations.map { intern($0, .designation) },
                    clause.companies.map { intern($0, .company) }, clause.keywords.map { intern($0, .keyword) },
                ].filter { !$0.isEmpty },
                exclude: clause.exclude.map { intern($0, .exclude) }, within: clause.within,
                all: clause.all.map(compile), any: clause.any.map(compile), not: clause.not.map(compile))
        }
        compiled = rules.map { compile($0.clause) }
        self.terms = terms
    }

    /// One occurrence of a term.
    struct Hit {
        var term: Int
        var field: Int
        /// Offsets into the original field text, in Unicode scalars.
        var start: Int
        var end: Int
        var sentence: Int
        var paragraph: Int
    }

    public func evaluate(_ document: MatchDocument) -> [RuleMatch] {
        let originals = document.fields.map { Array($0.text.unicodeScalars) }
        let sentences = originals.map(TextSegments.sentences)
        let hits = findHits(document, sentences: sentences, originals: originals)
        var results: [RuleMatch] = []
        for (rule, clause) in zip(rules, compiled) {
            guard let used = evaluate(clause, hits: hits, allHits: hits) else { continue }
            results.append(makeMatch(rule: rule.name, used: used, document: document, originals: originals, sentences: sentences))
        }
        return results
    }

    private func findHits(_ document: MatchDocument, sentences: [[Range<Int>]], originals: [[Unicode.Scalar]]) -> [Hit] {
        var hits: [Hit] = []
        for (fieldIndex, field) in document.fields.enumerated() {
            let text = NormalizedText(field.text)
            let paragraphs = TextSegments.paragraphs(originals[fieldIndex])
            for (termIndex, term) in terms.enumerated() {
                let haystack = term.caseSensitive ? text.exact : text.folded
                let pattern = term.pattern
                guard !pattern.isEmpty, pattern.count <= haystack.count else { continue }
                var position = 0
                while position + pattern.count <= haystack.count {
                    if haystack[position] == pattern[0], haystack[position..<(position + pattern.count)].elementsEqual(pattern) {
                        let end = position + pattern.count
                        let boundaryBefore = position == 0 || !NormalizedText.isWordCharacter(text.exact[position - 1])
                            || !NormalizedText.isWordCharacter(pattern[0])
                        let boundaryAfter = end == haystack.count || !NormalizedText.isWordCharacter(text.exact[end])
                            || !NormalizedText.isWordCharacter(pattern[pattern.count - 1])
                        if boundaryBefore && boundaryAfter {
                            let start = text.origin[position]
                            let originalEnd = text.origin[end - 1] + 1
                            hits.append(Hit(
                                term: termIndex, field: fieldIndex, start: start, end: originalEnd,
                                sentence: sentences[fieldIndex].firstIndex { $0.contains(start) } ?? -1,
                                paragraph: paragraphs.firstIndex { $0.contains(start) } ?? -1))
                        }
                    }
                    position += 1
                }
            }
        }
        return hits
    }

    /// The hits that satisfy `clause`, or nil when it does not hold.
    private func evaluate(_ clause: CompiledClause, hits: [Hit], allHits: [Hit]) -> [Hit]? {
        guard let scope = clause.within, scope != .document else {
            return evaluateFlat(clause, hits: hits, allHits: allHits)
        }
        let groups = Dictionary(grouping: hits) { hit in
            scope == .sentence ? "\(hit.field):\(hit.sentence)" : "\(hit.field):\(hit.paragraph)"
        }
        var used: [Hit] = []
        var satisfied = false
        for key in groups.keys.sorted() {
            if let result = evaluateFlat(clause, hits: groups[key]!, allHits: allHits) {
                satisfied = true
                used += result
            }
        }
        return satisfied ? used : nil
    }

    private func evaluateFlat(_ clause: CompiledClause, hits: [Hit], allHits: [Hit]) -> [Hit]? {
        if !clause.exclude.isEmpty, allHits.contains(where: { clause.exclude.contains($0.term) }) { return nil }
        var used: [Hit] = []
        for field in clause.fields {
            let found = hits.filter { field.contains($0.term) }
            if found.isEmpty { return nil }
            used += found
        }
        for sub in clause.all {
            guard let result = evaluate(sub, hits: hits, allHits: allHits) else { return nil }
            used += result
        }
        if !clause.any.isEmpty {
            var satisfied = false
            for sub in clause.any {
                if let result = evaluate(sub, hits: hits, allHits: allHits) {
                    satisfied = true
                    used += result
                }
            }
            if !satisfied { return nil }
        }
        for negated in clause.not where evaluate(negated, hits: hits, allHits: allHits) != nil { return nil }
        return used
    }

    private func makeMatch(
        rule: String, used: [Hit], document: MatchDocument, originals: [[Unicode.Scalar]], sentences: [[Range<Int>]]
    ) -> RuleMatch {
        var matches = Matches()
        var seen: Set<String> = []
        var evidence: [Evidence] = []
        var seenSentences: Set<String> = []
        for hit in used.sorted(by: { ($0.field, $0.start) < ($1.field, $1.start) }) {
            let term = terms[hit.term]
            let written = String(String.UnicodeScalarView(originals[hit.field][hit.start..<hit.end]))
            let entity = EntityMatch(id: term.written, label: term.written, text: written)
            if seen.insert("\(term.kind.rawValue)|\(entity.id)|\(written)").inserted {
                switch term.kind {
                case .target: matches.targets.append(entity)
                case .designation: matches.designations.append(entity)
                case .company: matches.companies.append(entity)
                case .keyword, .exclude: matches.keywords.append(entity)
                }
            }
            let sentenceKey = "\(hit.field):\(hit.sentence)"
            if hit.sentence >= 0, evidence.count < 5, seenSentences.insert(sentenceKey).inserted {
                let range = sentences[hit.field][hit.sentence]
                let text = String(String.UnicodeScalarView(originals[hit.field][range]))
                    .split(whereSeparator: \.isNewline).joined(separator: " ")
                evidence.append(Evidence(field: document.fields[hit.field].name, text: text, start: range.lowerBound, end: range.upperBound))
            }
        }
        return RuleMatch(rule: rule, matches: matches, evidence: evidence)
    }
}
