import Foundation
import PharosCore
import PharosSupport

extension EventExtractor {
    func extract(_ document: MatchDocument, texts: [UnsafeBufferPointer<UInt8>], wanted: [Bool]?) -> [RegulatoryEvent] {
        guard let reader = reader(document, texts: texts, wanted: wanted) else { return [] }
        return reader.events()
    }

    /// A reader of the events of `document`, nil when it names no wanted designation or action.
    /// `texts` must outlive it.
    func reader(_ document: MatchDocument, texts: [UnsafeBufferPointer<UInt8>], wanted: [Bool]?) -> DocumentReader? {
        // First the phrases alone: an item that names no wanted designation or action is done.
        var named = false
        var raw: [Automaton.Hit] = []
        func names(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            raw.removeAll(keepingCapacity: true)
            _ = triggers.scan(text, into: &raw)
            return raw.contains { hit in triggerDesignations[Int(hit.pattern)].contains { wanted?[Int($0)] ?? true } }
        }
        for (field, text) in texts.enumerated() where !named && document.fields[field].name != "categories" {
            // News names its event early: the opening paragraphs first, cut at a blank line (no
            // phrase spans one, and white space ends a phrase as the end of the text does), and
            // the whole text only when they name none.
            if let opening = Self.openingCut(text) { named = names(UnsafeBufferPointer(rebasing: text[..<opening])) }
            if !named { named = names(text) }
        }
        guard named else { return nil }
        var fieldHits: [[Hit]] = []
        var fieldMarks: [ScalarMarks] = []
        for (field, text) in texts.enumerated() {
            var marks = ScalarMarks()
            guard document.fields[field].name != "categories" else {
                fieldHits.append([])
                fieldMarks.append(marks)
                continue
            }
            fieldHits.append(scan(text, marks: &marks))
            fieldMarks.append(marks)
        }
        return DocumentReader(extractor: self, document: document, texts: texts, hits: fieldHits, marks: fieldMarks, wanted: wanted)
    }
}

extension EventExtractor {
    /// Where a long text's opening ends: the first blank line after its first 2 KB (nil for a
    /// text under 4 KB, or with no blank line after that).
    static func openingCut(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard text.count >= 4096 else { return nil }
        var index = 2048
        while index + 1 < text.count {
            if text[index] == 0x0A, text[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }
}

/// A product named in a text: a known one, or a development code recognised by its shape.
struct ProductMention {
    /// The field the product is named in: an event's subject can be named in another (the title).
    var field: Int
    var start: Int
    var end: Int
    /// The product vocabulary index, or -1 for a code.
    var product: Int32
    /// The same for every mention of one product: its id, or the code in capitals.
    var key: String
}

/// Where a phrase stands: it decides what an event without other cues is.
enum Position: String {
    case title, lead, body
}

/// One document being read for events: its sentences, sections, products and the events
/// of its title and lead, which decide what the rest of it reports as news.
///
/// A reader is used by one caller at a time and never shared: its stored properties skip the
/// run-time exclusivity checks (`@exclusivity(unchecked)`), a few percent of the reading of
/// dense news (bench/events/README.md, "Cost of extraction, seventh round").
final class DocumentReader {
    let extractor: EventExtractor
    let document: MatchDocument
    let texts: [UnsafeBufferPointer<UInt8>]
    /// Per field: whether it is the title (asked at every sentence: no string comparison each time).
    let titleFields: [Bool]
    let hits: [[EventExtractor.Hit]]
    /// Per field: where its non-ASCII characters are, for offsets in characters.
    let marks: [ScalarMarks]
    /// Per field: where its background sections (About ..., Forward-Looking Statements) start.
    @exclusivity(unchecked) var sections: [(start: Int, heading: String)?] = []
    /// Per field: the byte ranges of the lead's sentences.
    @exclusivity(unchecked) var lead: [[Range<Int>]] = []
    /// Per field: where the opening paragraphs (the first two of prose) end.
    @exclusivity(unchecked) var openingEnd: [Int] = []
    /// Per field: products named, in text order.
    @exclusivity(unchecked) var mentions: [[ProductMention]] = []
    let reference: (year: Int, dayOfYear: Int?)?
    /// The latest year the document mentions: without a date of its own, years before it are
    /// past (nil when the document has a date). Read the first time a sentence that may hold a
    /// date needs it.
    lazy var latestYear: Int? = reference == nil ? texts.compactMap(Temporal.latestYear).max() : nil
    /// Per designation: whether to read its phrases (nil: all).
    let wanted: [Bool]?
    /// Per field: its paragraphs (none for a title, which is one sentence), and the sentences of
    /// each, split the first time they are asked for: most paragraphs of a long item name no
    /// designation or action, and nothing asks for their sentences.
    @exclusivity(unchecked) var paragraphs: [[Range<Int>]] = []
    @exclusivity(unchecked) private var paragraphSentences: [[[Range<Int>]?]] = []
    /// Agencies named in the title and lead.
    @exclusivity(unchecked) var leadAgencies: [String] = []
    /// The companies named in the title, else the lead: who issued the news.
    @exclusivity(unchecked) var issuers: [String] = []
    /// The events announced so far: they decide what later phrases report.
    @exclusivity(unchecked) var newsEvents: [(family: String, agency: String, product: String?)] = []
    /// Whether any field names an agency, product (a development code included), company,
    /// target or modality.
    lazy var namesRegulatoryContext: Bool = mentions.contains { !$0.isEmpty } || hits.contains { fieldHits in
        fieldHits.contains { hit in
            switch hit.term {
            case .agency, .product, .company, .target, .modality: return true
            default: return false
            }
        }
    }
    typealias Profile = (targets: [(index: Int32, text: String)], modality: Int32?)
    /// The profiles read so far, by product key: a product is the subject of several events,
    /// and its profile reads every sentence that names it.
    /// A few per item: a list finds them faster than a dictionary hashes their keys.
    @exclusivity(unchecked) private var profiles: [(key: String, profile: Profile)] = []
    /// `earlierDate` of the sentences read so far, by field, sentence and `monthsOnly`.
    @exclusivity(unchecked) var datedSentences: [Int: String] = [:]
    /// The sentence of a paragraph `sentence(field:at:)` found last.
    @exclusivity(unchecked) private var lastSentence: (field: Int, range: Range<Int>)?
    /// The hits of the range `hits(field:in:)` was asked for last.
    @exclusivity(unchecked) private var lastHits: (field: Int, range: Range<Int>, hits: ArraySlice<EventExtractor.Hit>)?
    /// The evidence made last, for the next event of its sentence.
    @exclusivity(unchecked) var lastEvidence: (field: Int, range: Range<Int>, evidence: Evidence)?

    init(
        extractor: EventExtractor, document: MatchDocument, texts: [UnsafeBufferPointer<UInt8>], hits: [[EventExtractor.Hit]],
        marks: [ScalarMarks], wanted: [Bool]? = nil
    ) {
        self.extractor = extractor
        self.wanted = wanted
        self.marks = marks
        self.document = document
        // A "title" of several sentences is a first paragraph taken for one (a file without a
        // headline): it is read as the lead, with its cues, not as the headline that announces.
        titleFields = document.fields.indices.map { document.fields[$0].name == "title" && Self.isHeadline(texts[$0]) }
        self.texts = texts
        self.hits = hits
        var reference: (year: Int, dayOfYear: Int?)?
        if let published = document.published {
            let days = Int((published.timeIntervalSince1970 / 86_400).rounded(.down))
            let (year, month, day) = CivilCalendar.civilFromDays(days)
            reference = (year, Temporal.dayOfYear(month: month, day: day))
        } else if let content = document.fields.firstIndex(where: { $0.name == "content" || $0.name == "summary" }) {
            reference = Temporal.dateline(texts[content])
        }
        self.reference = reference
        // A page without a headline, or headed by a word or two ("Approvals"), may be a list of
        // teasers: a tag page or a roundup whose every item is news of its own.
        let headed = titleFields.indices.contains { titleFields[$0] && Self.holdsWords(texts[$0], atLeast: 3) }
        for (field, text) in texts.enumerated() {
            let name = document.fields[field].name
            let isTitle = titleFields[field]
            sections.append(isTitle ? nil : Sections.firstBackground(text))
            // Paragraphs found once: the lead, the opening and the sentences all start from them.
            let paragraphs = isTitle ? [] : TextSegments.paragraphs(text)
            let isSummary = name == "summary"
            let teasers = isTitle || headed || isSummary ? nil : Self.teaserLeads(text, paragraphs: paragraphs, hits: hits[field])
            lead.append(isTitle ? [] : teasers ?? Self.leadSentences(text, paragraphs: paragraphs, isSummary: isSummary))
            openingEnd.append(isTitle ? 0 : Self.openingEnd(text, paragraphs: paragraphs))
            self.paragraphs.append(paragraphs)
            paragraphSentences.append([[Range<Int>]?](repeating: nil, count: paragraphs.count))
            mentions.append(Self.mentions(
                in: text, field: field, hits: hits[field], extractor: extractor,
                codesIn: isTitle ? [0..<text.count] : subjectSentences(field: field)))
        }
        var titleIssuer: String?
        var leadIssuer: String?
        for field in texts.indices {
            let title = titleFields[field]
            for range in title ? [0..<texts[field].count] : lead[field] {
                for hit in self.hits(field: field, in: range) {
                    switch hit.term {
                    case .agency(let index):
                        let agency = EventCues.agencies[Int(index)].agency
                        if !leadAgencies.contains(agency) { leadAgencies.append(agency) }
                    case .company(let index):
                        if title { titleIssuer = titleIssuer ?? extractor.companies[Int(index)].id }
                        else { leadIssuer = leadIssuer ?? extractor.companies[Int(index)].id }
                    default: continue
                    }
                }
            }
        }
        issuers = (titleIssuer ?? leadIssuer).map { [$0] } ?? []
    }

    /// The first sentence of the text's first paragraph that is prose: not a dateline, a heading
    /// or a repeated headline (no sentence end). The sentences after it tell the news again (the
    /// same kind of event), or something else: "Fucaso has received orphan drug designation"
    /// after "today announced it has acquired the rights to Fucaso" is the product's history.
    /// A digest ("→ Promentis closes its round ... → PellePharma gets breakthrough status") has
    /// a lead per item: the first sentence of each paragraph an arrow opens.
    static func leadSentences(_ text: UnsafeBufferPointer<UInt8>, paragraphs: [Range<Int>], isSummary: Bool) -> [Range<Int>] {
        for paragraph in paragraphs {
            if !isSummary, !isProse(text, paragraph) { continue }
            let first = Array(TextSegments.sentences(text, in: paragraph).prefix(1))
            var items = paragraphs.filter { isDigestItem(text, $0) }
            // A dated list ("December 23, 2022" above each item's headline): each item opens the
            // paragraph after its date.
            if items.count < 2 {
                let dateLines = Set(paragraphs.indices.filter { Temporal.isDateLine(text, paragraphs[$0]) })
                let dated = dateLines.filter { $0 + 1 < paragraphs.count }.sorted()
                if dated.count >= 2 { items = dated.filter { !dateLines.contains($0 + 1) }.map { paragraphs[$0 + 1] } }
            }
            guard items.count >= 2 else { return first }
            var leads = first
            for item in items where item.lowerBound > paragraph.lowerBound {
                leads += TextSegments.sentences(text, in: item).prefix(1)
            }
            return leads
        }
        // A short text ("GPRC5D program gets RMAT") is all lead.
        return paragraphs.first.map { Array(TextSegments.sentences(text, in: $0).prefix(1)) } ?? []
    }

    /// Whether `text` holds at least `count` words (letters and digits), counted without a list.
    static func holdsWords(_ text: UnsafeBufferPointer<UInt8>, atLeast count: Int) -> Bool {
        var words = 0
        var inWord = false
        for byte in text {
            let isWord = Temporal.isLetter(byte) || Temporal.isDigit(byte)
            if isWord, !inWord {
                words += 1
                if words >= count { return true }
            }
            inWord = isWord
        }
        return false
    }

    /// The longest paragraph a list of teasers holds, in bytes: a sentence or two.
    static let teaserLength = 500

    /// The leads of a page without a headline that lists teasers (a tag page, a roundup): the
    /// first sentence of each paragraph, when most paragraphs are short and their first
    /// sentences name different companies or products. A report on one company ("Legend
    /// Biotech reported ...", "Carvykti was granted ...") names the same one again and again.
    static func teaserLeads(_ text: UnsafeBufferPointer<UInt8>, paragraphs: [Range<Int>], hits: [EventExtractor.Hit]) -> [Range<Int>]? {
        var prose = paragraphs.filter { isProse(text, $0) }
        // Teasers one per line, with no blank line between them.
        if prose.count < 4 {
            var lines: [Range<Int>] = []
            var start = 0
            while start < text.count {
                let end = ByteSearch.next(0x0A, in: text, from: start) ?? text.count
                if end > start { lines.append(start..<end) }
                start = end + 1
            }
            prose = lines.filter { isProse(text, $0) }
        }
        guard prose.count >= 4, prose.filter({ $0.count <= teaserLength }).count * 4 >= prose.count * 3 else { return nil }
        let leads = prose.compactMap { TextSegments.sentences(text, in: $0).first }
        var named: [EventExtractor.Term] = []
        for lead in leads {
            if let first = hits.first(where: { hit in
                guard lead.contains(hit.start) else { return false }
                switch hit.term {
                case .company, .product: return true
                default: return false
                }
            }) { named.append(first.term) }
        }
        guard named.count >= 2, let most = named.map({ term in named.filter { $0 == term }.count }).max(),
              most * 4 <= max(named.count, 8) else { return nil }
        return leads
    }

    /// Whether a paragraph opens with an arrow (→, ►, ▶), as a digest's items do.
    static func isDigestItem(_ text: UnsafeBufferPointer<UInt8>, _ paragraph: Range<Int>) -> Bool {
        var start = paragraph.lowerBound
        while start < paragraph.upperBound, text[start] == 0x20 { start += 1 }
        guard start + 3 <= paragraph.upperBound, text[start] == 0xE2 else { return false }
        let (second, third) = (text[start + 1], text[start + 2])
        return (second == 0x86 && third == 0x92) || (second == 0x96 && (third == 0xBA || third == 0xB6))
    }

    /// The end of the second paragraph of prose.
    static func openingEnd(_ text: UnsafeBufferPointer<UInt8>, paragraphs: [Range<Int>]) -> Int {
        var seen = 0
        for paragraph in paragraphs where isProse(text, paragraph) {
            seen += 1
            if seen == 2 { return paragraph.upperBound }
        }
        return text.count
    }

    /// A paragraph of 60 bytes or more that ends a sentence.
    static func isProse(_ text: UnsafeBufferPointer<UInt8>, _ paragraph: Range<Int>) -> Bool {
        guard paragraph.count >= 60 else { return false }
        var end = paragraph.upperBound
        while end > paragraph.lowerBound, [0x20, 0x0A, 0x0D, 0x22, 0x29].contains(text[end - 1]) { end -= 1 }
        return end > paragraph.lowerBound && [0x2E, 0x21, 0x3F, 0x3A].contains(text[end - 1])
            || paragraph.count >= 200
    }

    /// The sentences of paragraph `index` of `field`.
    func sentences(field: Int, paragraph index: Int) -> [Range<Int>] {
        if let known = paragraphSentences[field][index] { return known }
        let split = TextSegments.sentences(texts[field], in: paragraphs[field][index])
        paragraphSentences[field][index] = split
        return split
    }

    /// The items of a list a sentence introduces with a colon: the sentences after it, each
    /// on a line of its own, twelve at most; none when the sentence does not end in a colon.
    func listedSentences(field: Int, after range: Range<Int>) -> [Range<Int>] {
        guard Self.endsWithColon(texts[field], range) else { return [] }
        return listItems(field: field, from: range.upperBound)
    }

    /// Whether the text of `range` ends with a colon, white space aside.
    static func endsWithColon(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var end = range.upperBound
        while end > range.lowerBound, [0x20, 0x0A, 0x0D].contains(text[end - 1]) { end -= 1 }
        return end > range.lowerBound && text[end - 1] == 0x3A
    }

    /// The field a headline's list continues in: the first that is not a headline, when some
    /// headline ends with a colon ("The FDA has designated the following as Orphan Drugs:").
    /// Found once per item.
    lazy var listAfterHeadline: Int? = {
        guard texts.indices.contains(where: { isTitle($0) && Self.endsWithColon(texts[$0], 0..<texts[$0].count) }) else { return nil }
        return texts.indices.first { !isTitle($0) && document.fields[$0].name != "categories" }
    }()

    /// Sentences that each start a line, from `start` on, twelve at most.
    func listItems(field: Int, from start: Int) -> [Range<Int>] {
        let text = texts[field]
        var items: [Range<Int>] = []
        for index in paragraphs[field].indices where paragraphs[field][index].upperBound > start {
            for sentence in sentences(field: field, paragraph: index) where sentence.lowerBound >= start {
                // A list item starts a line.
                guard sentence.lowerBound == 0 || [0x0A, 0x0D].contains(text[sentence.lowerBound - 1])
                    || Self.startsLine(text, sentence.lowerBound) else { return items }
                items.append(sentence)
                if items.count == 12 { return items }
            }
        }
        return items
    }

    /// Whether only white space lies between the last line break and `offset`.
    static func startsLine(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Bool {
        var index = offset
        while index > 0, text[index - 1] == 0x20 || text[index - 1] == 0x09 { index -= 1 }
        return index == 0 || text[index - 1] == 0x0A || text[index - 1] == 0x0D
    }

    /// The sentences where an event's subject can be named, in text order: the lead, the first
    /// sentence that ends after each designation or action phrase starts (the one that holds
    /// it), and the sentence before that one ("these two treatments").
    func subjectSentences(field: Int) -> [Range<Int>] {
        let all = paragraphs[field]
        var wanted: [Range<Int>] = lead[field]
        if listAfterHeadline == field { wanted += listItems(field: field, from: 0) }
        // Phrases come in text order: one cursor walks the paragraphs and their sentences.
        var paragraph = 0
        var current: [Range<Int>] = []
        var loaded = -1
        var cursor = 0
        var lastStart = -1
        for hit in hits[field] {
            guard case .trigger = hit.term, hit.start != lastStart else { continue }
            lastStart = hit.start
            // The first sentence, in text order, that ends after the phrase starts.
            var found = false
            while paragraph < all.count {
                if all[paragraph].upperBound > hit.start {
                    if loaded != paragraph {
                        current = sentences(field: field, paragraph: paragraph)
                        loaded = paragraph
                        cursor = 0
                    }
                    while cursor < current.count, current[cursor].upperBound <= hit.start { cursor += 1 }
                    if cursor < current.count {
                        found = true
                        break
                    }
                }
                paragraph += 1
            }
            guard found else { break }
            wanted.append(current[cursor])
            wanted += listedSentences(field: field, after: current[cursor])
            if cursor > 0 {
                wanted.append(current[cursor - 1])
            } else {
                var before = paragraph - 1
                while before >= 0 {
                    if let last = sentences(field: field, paragraph: before).last {
                        wanted.append(last)
                        break
                    }
                    before -= 1
                }
            }
        }
        // Sentences do not overlap: in the order of their starts, each once.
        wanted.sort { $0.lowerBound < $1.lowerBound }
        var unique: [Range<Int>] = []
        unique.reserveCapacity(wanted.count)
        for range in wanted where unique.last != range { unique.append(range) }
        return unique
    }

    /// Products named in `text`: known ones wherever they are, development codes (recognised by
    /// their shape, a pass over the bytes) and nonproprietary names (by their stems) only in `codesIn`.
    static func mentions(
        in text: UnsafeBufferPointer<UInt8>, field: Int, hits: [EventExtractor.Hit], extractor: EventExtractor, codesIn: [Range<Int>]
    ) -> [ProductMention] {
        var found: [ProductMention] = []
        var covered: [Range<Int>] = []
        for hit in hits {
            switch hit.term {
            case .product(let index):
                if let last = found.last, last.start == hit.start { continue }
                found.append(ProductMention(field: field, start: hit.start, end: hit.end, product: index, key: extractor.products[Int(index)].id))
                covered.append(hit.start..<hit.end)
            case .target, .company, .agency, .trigger, .modality:
                covered.append(hit.start..<hit.end)
            default: break
            }
        }
        // `covered` starts in text order (hits do): a binary search finds the ranges that start
        // up to 200 bytes before a code (no spelling is longer), the only ones that can overlap it.
        func isCovered(_ code: Range<Int>) -> Bool {
            var low = 0
            var high = covered.count
            while low < high {
                let middle = (low + high) / 2
                if covered[middle].lowerBound < code.lowerBound - 200 { low = middle + 1 } else { high = middle }
            }
            var index = low
            while index < covered.count, covered[index].lowerBound < code.upperBound {
                if covered[index].overlaps(code) { return true }
                index += 1
            }
            return false
        }
        for range in codesIn {
            for relative in Codes.find(in: UnsafeBufferPointer(rebasing: text[range])) {
                let code = (relative.lowerBound + range.lowerBound)..<(relative.upperBound + range.lowerBound)
                guard !isCovered(code) else { continue }
                found.append(ProductMention(field: field, start: code.lowerBound, end: code.upperBound, product: -1, key: Self.codeKey(text, code)))
            }
            for relative in NonproprietaryNames.find(in: UnsafeBufferPointer(rebasing: text[range])) {
                let name = (relative.lowerBound + range.lowerBound)..<(relative.upperBound + range.lowerBound)
                guard !isCovered(name) else { continue }
                found.append(ProductMention(field: field, start: name.lowerBound, end: name.upperBound, product: -1, key: Self.codeKey(text, name)))
            }
        }
        found.sort { $0.start < $1.start }
        return found
    }

    /// The key of a code or a name: its bytes in capitals, made at once (codes and names are
    /// ASCII by their shape, so this is `uppercased()` of their string).
    static func codeKey(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, index) in range.enumerated() {
                let byte = text[index]
                buffer[offset] = byte >= 0x61 && byte <= 0x7A ? byte &- 0x20 : byte
            }
            return range.count
        }
    }

    /// Whether the sentence of a phrase holds a word that vetoes its designation (an "unless" word).
    func isVetoed(field: Int, _ trigger: EventExtractor.Hit, _ designation: Int32) -> Bool {
        Self.vetoes(hits(field: field, in: sentence(field: field, at: trigger.start)), designation)
    }

    /// Whether a sentence's hits hold a word that vetoes `designation`.
    static func vetoes(_ sentenceHits: ArraySlice<EventExtractor.Hit>, _ designation: Int32) -> Bool {
        sentenceHits.contains { hit in
            if case .veto(let index) = hit.term { index == designation } else { false }
        }
    }

    /// Whether an agency is named with "by" or "from" right after a phrase.
    func namesAgencyAfter(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        let range = sentence(field: field, at: trigger.start)
        return agencyNamedAfter(field: field, trigger: trigger, sentenceHits: hits(field: field, in: range)) != nil
    }

    /// Every event of the document, with its strings.
    func events() -> [RegulatoryEvent] { read().map(event) }

    /// The events of the document as drafts, in text order: their strings are made only for
    /// those a caller keeps (`event(_:)`).
    func read() -> [EventDraft] {
        var events: [EventDraft] = []
        // The title and lead first: what they announce decides the rest.
        var order: [(field: Int, hit: Int)] = []
        var later: [(field: Int, hit: Int)] = []
        for field in texts.indices {
            var furthest = -1
            for (index, hit) in hits[field].enumerated() {
                guard case .trigger(let designation) = hit.term, wanted?[Int(designation)] ?? true else { continue }
                // Of overlapping phrases ("Priority Review" in "Priority Review Voucher"), the longest,
                // unless its own sentence vetoes it: "An FDA advisory committee recommended approval"
                // is no CHMP opinion, and its "approval" is read on its own.
                if hit.start < furthest { continue }
                if index + 1 == hits[field].count || hits[field][index + 1].start >= hit.end || !isVetoed(field: field, hit, designation) {
                    furthest = hit.end
                }
                if isTitle(field) || lead[field].contains(where: { $0.contains(hit.start) }) {
                    order.append((field, index))
                } else {
                    later.append((field, index))
                }
            }
        }
        // One reading per designation and sentence: "RMAT" and "Regenerative Medicine Advanced
        // Therapy" in one sentence tell one event.
        var read: [Int] = []
        for (field, index) in order + later {
            if case .trigger(let designation) = hits[field][index].term {
                let key = (field << 48) | (sentence(field: field, at: hits[field][index].start).lowerBound << 12) | Int(designation)
                // A second spelling in the sentence is read again only when an agency named by
                // "by" or "from" after it may make it another agency's act ("orphan drug designations by the EMA ... and
                // orphan drug status by the U.S. FDA"); `keep` drops what repeats.
                if read.contains(key), !namesAgencyAfter(field: field, hits[field][index]) { continue }
                read.append(key)
            }
            // One phrase of several entries ("cleared": an approval, or an IND cleared beside "IND"):
            // the first whose conditions hold, those with a companion word first.
            var candidates = [index]
            var next = index + 1
            while next < hits[field].count, hits[field][next].start == hits[field][index].start, hits[field][next].end == hits[field][index].end {
                if case .trigger = hits[field][next].term { candidates.append(next) }
                next += 1
            }
            candidates.sort { first, second in
                func needs(_ index: Int) -> Bool {
                    if case .trigger(let designation) = hits[field][index].term { return extractor.needsCompanion[Int(designation)] }
                    return false
                }
                return needs(first) && !needs(second)
            }
            var found: [EventDraft] = []
            for candidate in candidates where found.isEmpty { found = readEvents(field: field, hitIndex: candidate) }
            var implied: [EventDraft] = []
            for draft in found {
                for id in extractor.designations[Int(draft.designation)].implies {
                    guard let otherIndex = extractor.designationIndex[id] else { continue }
                    var copy = draft
                    copy.designation = Int32(otherIndex)
                    copy.impliedBy = draft.designation
                    implied.append(copy)
                }
                // A hold lifted was placed before: that hold is the product's history.
                if draft.lifted, let placed = extractor.placedHold[Int(draft.designation)] {
                    var copy = draft
                    copy.designation = placed
                    copy.impliedBy = draft.designation
                    copy.lifted = false
                    copy.status = .background
                    copy.statusCue = .liftedLater
                    implied.append(copy)
                }
            }
            func keep(_ draft: EventDraft) {
                if draft.status == .announced {
                    let index = Int(draft.designation)
                    newsEvents.append((family(of: extractor.designations[index].id), extractor.agencyOf[index], productKey(draft)))
                }
                // One event per action and product in one sentence ("RMAT ... Regenerative Medicine Advanced Therapy").
                let action = extractor.designations[Int(draft.designation)].id
                if events.contains(where: {
                    $0.field == draft.field && $0.sentence == draft.sentence
                        && ($0.designation == draft.designation || extractor.designations[Int($0.designation)].id == action)
                        && sameProduct($0, draft)
                }) { return }
                events.append(draft)
            }
            for draft in found { keep(draft) }
            for draft in implied { keep(draft) }
        }
        // Fields in the order of their names' first use, as evidence names them.
        let place = document.fields.indices.map { field in document.fields.firstIndex { $0.name == document.fields[field].name } ?? 0 }
        events.sort { first, second in
            if first.field == second.field { return first.sentence.lowerBound < second.sentence.lowerBound }
            if place[first.field] != place[second.field] { return place[first.field] < place[second.field] }
            return marks[first.field].scalarOffset(first.sentence.lowerBound) < marks[second.field].scalarOffset(second.sentence.lowerBound)
        }
        return events
    }

    func isTitle(_ field: Int) -> Bool { titleFields[field] }

    /// Whether a title field reads as a headline: one sentence of at most 300 bytes.
    static func isHeadline(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count <= 120 || (text.count <= 300 && TextSegments.sentences(text).count <= 1)
    }

    func family(of action: String) -> String {
        extractor.designationIndex[action].flatMap { extractor.designations[$0].family } ?? action
    }

    /// The sentence around `offset`: the whole title, else the sentence of its paragraph.
    func sentence(field: Int, at offset: Int) -> Range<Int> {
        if isTitle(field) { return 0..<texts[field].count }
        // A paragraph's sentences do not overlap: the one found last, when it holds `offset`,
        // is the one a search would find (the reading asks about one sentence many times).
        if let last = lastSentence, last.field == field, last.range.contains(offset) { return last.range }
        // Sentences lie inside paragraphs: only the paragraph that holds `offset` can hold its sentence.
        let all = paragraphs[field]
        var low = 0
        var high = all.count
        while low < high {
            let middle = (low + high) / 2
            if all[middle].upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        if low < all.count, all[low].contains(offset) {
            let ranges = sentences(field: field, paragraph: low)
            var first = 0
            var last = ranges.count
            while first < last {
                let middle = (first + last) / 2
                if ranges[middle].upperBound <= offset { first = middle + 1 } else { last = middle }
            }
            if first < ranges.count, ranges[first].contains(offset) {
                lastSentence = (field, ranges[first])
                return ranges[first]
            }
        }
        return TextSegments.sentence(around: offset, in: texts[field])
    }

    func hits(field: Int, in range: Range<Int>) -> ArraySlice<EventExtractor.Hit> {
        // The reading asks for one sentence's hits several times in a row (the phrase, then its event).
        if let last = lastHits, last.field == field, last.range == range { return last.hits }
        let found = Self.slice(hits[field], startingIn: range) { $0.start }
        lastHits = (field, range, found)
        return found
    }

    /// The elements of `sorted` (in the order of their starts) that start in `range`, found by
    /// binary search.
    @inline(__always)
    static func slice<Element>(_ sorted: [Element], startingIn range: Range<Int>, start: (Element) -> Int) -> ArraySlice<Element> {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if start(sorted[middle]) < range.lowerBound { low = middle + 1 } else { high = middle }
        }
        // The end by binary search too: a sentence of dense news holds dozens of hits.
        var end = low
        high = sorted.count
        while end < high {
            let middle = (end + high) / 2
            if start(sorted[middle]) < range.upperBound { end = middle + 1 } else { high = middle }
        }
        return sorted[low..<end]
    }

    func text(field: Int, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: texts[field][range]), as: UTF8.self)
    }

    /// Whether the target hit is the patients' history or a descriptor ("prior anti-BCMA therapy",
    /// "HER2-negative"), not what a product is aimed at.
    func isPatientDescriptor(_ target: EventExtractor.Hit, among sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        for hit in sentenceHits {
            guard case .cue = hit.term else { continue }
            switch hit.cueClass {
            case .priorTherapy where hit.end <= target.start && target.start - hit.end <= 40: return true
            case .descriptor where hit.start >= target.end && hit.start - target.end <= 3: return true
            default: continue
            }
        }
        return false
    }

    /// What the document says of the product `key`: the targets and the modality of the
    /// sentences that name it, where it is the product named nearest to them. Read only for a
    /// subject the product vocabulary cannot describe.
    func profile(of key: String) -> Profile {
        if let known = profiles.first(where: { $0.key == key }) { return known.profile }
        var profile: Profile = ([], nil)
        defer { profiles.append((key, profile)) }
        let spelling = codeSpelling(of: key)
        // The modality's words end where the noun's head does: "monoclonal antibody-drug
        // conjugate" is an ADC, not the monoclonal antibody its first words name.
        var modalityEnd = -1
        for field in texts.indices where !mentions[field].isEmpty || spelling != nil {
            // At most six sentences: a list finds the repeated ones faster than a set. The
            // mentions are found one at a time, up to the sixth sentence, not all first.
            var done: [Int] = []
            var nextCode = 0
            var nextMention = 0
            while done.count < 6 {
                let mention: ProductMention
                if let spelling {
                    guard let found = nextOccurrence(of: spelling, key: key, field: field, from: &nextCode) else { break }
                    mention = found
                } else {
                    let all = mentions[field]
                    while nextMention < all.count, all[nextMention].key != key { nextMention += 1 }
                    guard nextMention < all.count else { break }
                    mention = all[nextMention]
                    nextMention += 1
                }
                let range = sentence(field: field, at: mention.start)
                guard !done.contains(range.lowerBound) else { continue }
                done.append(range.lowerBound)
                let others = mentions(field: field, in: range)
                /// Whether `mention` is nearer to `hit` than every other product of the sentence
                /// (on a tie, another product is nearest).
                func isNearest(_ hit: Range<Int>) -> Bool {
                    let own = Self.distance(mention, hit)
                    for other in others where other.key != key && Self.distance(other, hit) <= own { return false }
                    return true
                }
                let sentenceHits = hits(field: field, in: range)
                for hit in sentenceHits {
                    switch hit.term {
                    case .target(let index):
                        guard !isPatientDescriptor(hit, among: sentenceHits), isNearest(hit.start..<hit.end) else { continue }
                        if !profile.targets.contains(where: { $0.index == index }) {
                            profile.targets.append((index, text(field: field, hit.start..<hit.end)))
                        }
                    case .modality(let index):
                        let extendsLast = hit.start < modalityEnd && hit.end > modalityEnd
                        guard profile.modality == nil || extendsLast, isNearest(hit.start..<hit.end) else { continue }
                        profile.modality = index
                        modalityEnd = hit.end
                    default: continue
                    }
                }
            }
        }
        return profile
    }

    /// The bytes of code `key` as the text writes it, or nil for a product of the vocabulary
    /// (whose mentions are found everywhere).
    func codeSpelling(of key: String) -> [UInt8]? {
        for field in texts.indices {
            if let code = mentions[field].first(where: { $0.key == key }) {
                return code.product < 0 ? Array(texts[field][code.start..<code.end]) : nil
            }
        }
        return nil
    }

    /// The next whole-word `spelling` of code `key` in `field` at `from` or after (moved past it).
    /// Codes are read only in the sentences that can name a subject; the sentence that tells
    /// what it is ("TST001 (Transcenta) is an anti-Claudin18.2 monoclonal antibody") is found
    /// here, when a profile needs it.
    func nextOccurrence(of spelling: [UInt8], key: String, field: Int, from: inout Int) -> ProductMention? {
        let text = texts[field]
        while let start = ByteSearch.firstLedByRarest(spelling, in: text, from: from) {
            from = start + 1
            let end = start + spelling.count
            func joins(_ byte: UInt8) -> Bool { (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D }
            guard start == 0 || !joins(text[start - 1]), end == text.count || !joins(text[end]) else { continue }
            return ProductMention(field: field, start: start, end: end, product: -1, key: key)
        }
        return nil
    }

    /// The products named in `range` of `field`: a slice of its mentions, which are in text order.
    func mentions(field: Int, in range: Range<Int>) -> ArraySlice<ProductMention> {
        Self.slice(mentions[field], startingIn: range) { $0.start }
    }

    static func nearest(_ mentions: ArraySlice<ProductMention>, to range: Range<Int>) -> ProductMention? {
        mentions.min { distance($0, range) < distance($1, range) }
    }

    static func distance(_ mention: ProductMention, _ range: Range<Int>) -> Int {
        if mention.end <= range.lowerBound { return range.lowerBound - mention.end }
        if mention.start >= range.upperBound { return mention.start - range.upperBound }
        return 0
    }
}
