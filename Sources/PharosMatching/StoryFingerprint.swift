import PharosCore

/// What decides whether two items tell the same story (README, Stories): the signature of
/// their text, the signature of their vocabulary, and the regulatory event they lead with.
/// The thresholds were chosen on bench/stories' labelled set.
public struct StoryFingerprint: Sendable {
    /// Texts at least this similar (estimated Jaccard similarity of their 3-word shingles)
    /// are copies of one release: a wire's text reprinted on a company or trade site.
    public static let copyThreshold = 0.5
    /// Texts shorter than this many shingles (about as many words) are never called copies
    /// by their text alone: a headline and a line of template differ by a number or two,
    /// which moves their estimate by more than a threshold can absorb.
    public static let minimumShingles = 20
    /// Two items leading with the same agency and action, one of them naming no product the
    /// event reader knows, are the same story when their words (of at least
    /// ``topicLetters`` letters) are at least this similar: a rewrite keeps the names.
    public static let topicThreshold = 0.2
    public static let topicLetters = 5
    /// Topics of fewer such words (with repeats) are too short to tell a rewrite from the
    /// next release of one template ("Acme 1 receives RMAT designation", "Acme 2 …").
    public static let minimumTopicWords = 20
    /// Two items leading with the same agency and action, a product missing on either side,
    /// are also the same story when they share at least ``namedEventNames`` names
    /// (``StoryMarks``) and their topics are at least this similar: a rewrite keeps the
    /// company's and the product's names when it changes the rest of the words.
    public static let namedEventTopicThreshold = 0.1
    public static let namedEventNames = 2

    /// MinHash of the text's 3-word shingles.
    public var signature: StorySignature
    /// MinHash of the text's words of at least ``topicLetters`` letters.
    public var topic: StorySignature
    /// The first event the item announces, with its product when the reader found one for
    /// that agency and action.
    public var lead: StoryEvent?
    /// The names, figures and results period of the text.
    public var marks: StoryMarks
    /// The vocabulary names of its headline and of its text; nil when not known (an index
    /// entry written before they were kept).
    public var names: StoryNames?

    public init(signature: StorySignature, topic: StorySignature, lead: StoryEvent?, marks: StoryMarks = .none, names: StoryNames? = nil) {
        self.signature = signature
        self.topic = topic
        self.lead = lead
        self.marks = marks
        self.names = names
    }

    /// The fingerprint of `document`: its fields' text signed together, the lead event
    /// `extractor` reads in it, and its marks (words in `ordinary` are no names:
    /// ``StoryMarks/ordinaryWords(in:)``).
    public init(document: MatchDocument, extractor: EventExtractor?, ordinary: Set<String> = []) {
        let text = document.fields.map(\.text).joined(separator: "\n")
        signature = StorySignature(text: text)
        topic = StorySignature(text: text, shingleWords: 1, minimumLetters: Self.topicLetters)
        lead = extractor.flatMap { StoryEvent.lead(of: $0.extract(document, statuses: [.announced])) }
        let named = document.fields.filter { $0.name != "categories" }
        marks = StoryMarks(
            title: named.first { $0.name == "title" }?.text ?? "",
            body: named.filter { $0.name != "title" }.map(\.text).joined(separator: "\n"), ordinary: ordinary)
        names = extractor?.names(in: document)
    }

    /// Whether the text is long enough to be called a copy by its text.
    public var textIsUsable: Bool { signature.shingles >= Self.minimumShingles }

    /// Whether the topic is long enough to decide a lead event without a product.
    public var topicIsUsable: Bool { topic.shingles >= Self.minimumTopicWords }

    /// Why `self` and `other` are the same story, or nil when they are not.
    ///
    /// Items that both lead with an event are the same story when it is the same agency's
    /// same action on the same product (or, a product missing on either side, when their
    /// topics are similar and they share names). Otherwise they are when their texts are
    /// copies, when they quote the same figure and their leads (title and opening) share a
    /// name, or when they report the results of one period and their leads share a name.
    /// Texts are never copies when a vocabulary name one headline gives is missing from the
    /// other item (``StoryNames``): a rewrite may add names, a copy does not.
    public func sameStory(as other: StoryFingerprint) -> StoryReason? {
        if let lead, let otherLead = other.lead {
            guard lead.agency == otherLead.agency, lead.action == otherLead.action else { return nil }
            if let product = lead.product, let otherProduct = otherLead.product {
                return product == otherProduct ? .event(lead.key) : nil
            }
            guard topicIsUsable, other.topicIsUsable else { return nil }
            let similarity = topic.similarity(to: other.topic)
            let names = marks.sharedNames(with: other.marks)
            if similarity >= Self.topicThreshold, names >= 1 { return .event(lead.key) }
            return similarity >= Self.namedEventTopicThreshold && names >= Self.namedEventNames ? .event(lead.key) : nil
        }
        if textIsUsable, other.textIsUsable {
            let similarity = signature.similarity(to: other.signature)
            if similarity >= Self.copyThreshold, namesAgree(with: other) { return .copy(similarity: similarity) }
        }
        if marks.sharedFigures(with: other.marks) >= 1, marks.sharedLeadNames(with: other.marks) >= 1 { return .figures }
        if let period = marks.period, period == other.marks.period, marks.sharedLeadNames(with: other.marks) >= 1 {
            return .results(period)
        }
        return nil
    }

    /// Whether the headlines' vocabulary names agree (true when either side's are not known).
    private func namesAgree(with other: StoryFingerprint) -> Bool {
        guard let names, let otherNames = other.names else { return true }
        return names.agree(with: otherNames)
    }
}

/// The event an item leads with, as story identity reads it.
public struct StoryEvent: Sendable, Hashable {
    /// Lower case: `fda`.
    public var agency: String
    /// `fda-fast-track`.
    public var action: String
    /// The product's vocabulary id, else as written, folded to lower-case letters and digits.
    public var product: String?

    public init(agency: String, action: String, product: String?) {
        self.agency = agency
        self.action = action
        self.product = product
    }

    /// `fda|fda-fast-track|hlx208` (`fda|fda-fast-track|` without a product).
    public var key: String { "\(agency)|\(action)|\(product ?? "")" }

    /// The agency and action alone: what the index finds an item's event by.
    public var actionKey: String { "\(agency)|\(action)" }

    /// Parses ``key``.
    public init?(key: String) {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(agency: String(parts[0]), action: String(parts[1]), product: parts[2].isEmpty ? nil : String(parts[2]))
    }

    /// The first announced event of `events` (in text order), with the first product any
    /// announced event of the same agency and action names. Later announced events are often
    /// earlier news retold ("In June, the FDA granted Fast Track ...").
    public static func lead(of events: [RegulatoryEvent]) -> StoryEvent? {
        let announced = events.filter { $0.status == .announced }
        guard let first = announced.first else { return nil }
        let product = announced.lazy.filter { $0.agency == first.agency && $0.action == first.action }
            .compactMap { $0.productID ?? $0.product }.map(fold).first { !$0.isEmpty }
        return StoryEvent(agency: first.agency.lowercased(), action: first.action, product: product)
    }

    static func fold(_ product: String) -> String {
        String(String.UnicodeScalarView(product.lowercased().unicodeScalars.filter {
            $0.properties.isAlphabetic || $0.properties.numericType != nil
        }))
    }
}

/// Why an item joined a story.
public enum StoryReason: Sendable, Equatable, CustomStringConvertible {
    /// Its text is a copy of the story's (estimated Jaccard similarity of their shingles).
    case copy(similarity: Double)
    /// It leads with the same event (`agency|action|product`).
    case event(String)
    /// It quotes a figure the story's item quotes, and their leads share a name.
    case figures
    /// It reports the same period's results (`2023q3`) of the company its lead names.
    case results(String)

    public var description: String {
        switch self {
        case .copy(let similarity): "copy (similarity \(Int((similarity * 100).rounded()))%)"
        case .event(let key): "same event \(key)"
        case .figures: "same figures"
        case .results(let period): "same results \(period)"
        }
    }
}
