import PharosCore

/// An event as the reading decides it: indices and offsets into the document, no strings.
/// Deciding an event's status needs none of its strings (evidence, cues, names, targets); most
/// events are never shown (a rule keeps the few it names), so they are built only for the
/// events a caller keeps (`DocumentReader.event(_:)`).
struct EventDraft {
    /// The designation or action, an index into the extractor's designations.
    var designation: Int32
    /// The designation its phrase spells, before another agency's or a lifted hold replaced it.
    var spelled: Int32
    var status: RegulatoryEvent.Status
    var field: Int
    var trigger: Range<Int>
    var sentence: Range<Int>
    var subject: ProductMention?
    /// Where the indication is looked for, in bytes after the sentence's start; -1 for none
    /// (only announced events name one: headlines are made of them).
    var indicationAfter: Int
    var lifted: Bool
    var agencyCue: AgencyCue
    var subjectCue: SubjectCue
    var statusCue: StatusCue
    /// The designation this one is implied by, or -1.
    var impliedBy: Int32 = -1

    /// How the agency was found.
    enum AgencyCue {
        /// The designation's own agency, none named.
        case own
        /// Its own agency, named.
        case named
        /// Another agency named, in the sentence or else in the title or lead.
        case other(String, inSentence: Bool)
    }

    /// How the subject was found.
    enum SubjectCue {
        case after, before, none
        case earlier(plural: Bool)
        /// The products a list after the sentence's colon names, one per item.
        case listed
    }

    /// What set the status; hits are byte ranges of cues in the event's field.
    enum StatusCue {
        case definition(Range<Int>, hasProduct: Bool)
        case prospective(Range<Int>)
        case section(String)
        case background(Range<Int>)
        case dated(String)
        case alsoBackground(Range<Int>)
        /// "also" beside an act of the kind and agency the item announces: one more of its news.
        case alsoNews(Range<Int>)
        case title, lead
        /// A headline that only names the designation: a page about it.
        case heading
        /// A question asks about the act rather than telling it.
        case question
        /// The hold a lifted hold was: placed before the lift.
        case liftedLater
        case announcement(Range<Int>)
        case sameAsNews(family: String)
        case agencyActs
        case bodyOnly
        /// Acts in the plural with nothing named to have them.
        case plural
    }
}

extension DocumentReader {
    /// The event `draft` tells, with its strings.
    func event(_ draft: EventDraft) -> RegulatoryEvent {
        let field = draft.field
        let index = Int(draft.designation)
        let entry = extractor.designations[index]
        let subject = draft.subject
        let (targets, targetVia, modality, companies) = describe(
            subject, field: field, range: draft.sentence, sentenceHits: hits(field: field, in: draft.sentence))
        let indication = draft.indicationAfter >= 0
            ? Indication.find(in: texts[field], sentence: draft.sentence, after: draft.indicationAfter) : nil
        var event = RegulatoryEvent(
            agency: extractor.agencyOf[index], action: entry.id, label: entry.label, text: text(field: field, draft.trigger),
            product: subject.map { text(field: $0.field, $0.start..<$0.end) },
            productID: subject.flatMap { $0.product >= 0 ? extractor.products[Int($0.product)].id : nil },
            companies: companies, targets: targets, modality: modality, indication: indication,
            status: draft.status, cues: cues(of: draft), evidence: evidence(field: field, range: draft.sentence))
        event.targetVia = targetVia
        return event
    }

    /// The cues of `draft` as `--explain` prints them: the clinical hold lifted, the agency, the
    /// subject, the status, and the designation that implies it.
    func cues(of draft: EventDraft) -> [String] {
        let field = draft.field
        // The designation read in the text: an implied one's cues are those of the one implying it.
        let read = Int(draft.impliedBy >= 0 ? draft.impliedBy : draft.designation)
        var cues: [String] = []
        cues.reserveCapacity(5)
        if draft.lifted { cues.append("cue \"lift\"") }
        switch draft.agencyCue {
        case .own: cues.append(extractor.cueTexts[Int(draft.spelled)].agency)
        case .named: cues.append(extractor.cueTexts[Int(draft.spelled)].agencyNamed)
        case .other(let agency, let inSentence): cues.append(Self.joined("agency ", agency, inSentence ? " named in the sentence" : " named in the title or lead"))
        }
        switch draft.subjectCue {
        case .after: cues.append(extractor.cueTexts[read].subjectAfter)
        case .before: cues.append(extractor.cueTexts[read].subjectBefore)
        case .earlier(let plural):
            cues.append(plural ? "subject: the products of an earlier sentence" : "subject: the product of an earlier sentence")
        case .none: cues.append("subject: no product named")
        case .listed: cues.append("subject: the products listed after the colon")
        }
        // A cue that quotes the text is made in one string of its final size: an interpolation
        // grows its string piece by piece.
        func quoting(_ before: StaticString, _ range: Range<Int>, _ after: StaticString = "") -> String {
            Self.joined(before, UnsafeBufferPointer(rebasing: texts[field][range]), after)
        }
        switch draft.statusCue {
        case .definition(let cue, let hasProduct):
            cues.append(quoting("definition cue \"", cue, hasProduct ? "\" right after the designation" : "\" in a sentence that names no product"))
        case .prospective(let cue): cues.append(quoting("prospective cue \"", cue, "\""))
        case .section(let heading): cues.append(Self.joined("section \"", heading, "\""))
        case .background(let cue): cues.append(quoting("background cue \"", cue, "\""))
        case .dated(let past): cues.append(Self.joined("dated ", past, ", before the item"))
        case .alsoBackground(let cue): cues.append(quoting("background cue \"", cue, "\" outside the title and lead"))
        case .alsoNews(let cue): cues.append(quoting("cue \"", cue, "\" joins the act of the same kind the item announces"))
        case .title: cues.append("in the title")
        case .heading: cues.append("a headline that names only the designation (a page about it)")
        case .question: cues.append("asked in a question, not told")
        case .liftedLater: cues.append("placed before the hold was lifted")
        case .lead: cues.append("in the lead")
        case .announcement(let cue): cues.append(quoting("announcement cue \"", cue, "\""))
        case .sameAsNews(let family): cues.append(Self.joined("the same ", family, " as the title or lead announces"))
        case .agencyActs: cues.append("the agency acts in the opening paragraphs")
        case .bodyOnly: cues.append("told in the body only, not the item's news")
        case .plural: cues.append("in the plural, with no product named: acts in general")
        }
        if draft.impliedBy >= 0 { cues.append(Self.joined("implied by ", extractor.designations[Int(draft.impliedBy)].id, "")) }
        return cues
    }

    /// `before`, the bytes of `text` and `after` in one string, allocated once at its size
    /// (ill-formed UTF-8 repaired, as `String(decoding:as:)` does).
    static func joined(_ before: StaticString, _ text: UnsafeBufferPointer<UInt8>, _ after: StaticString) -> String {
        let (first, last) = (before.utf8Start, after.utf8Start)
        let (firstCount, lastCount) = (before.utf8CodeUnitCount, after.utf8CodeUnitCount)
        return String(unsafeUninitializedCapacity: firstCount + text.count + lastCount) { buffer in
            let base = buffer.baseAddress!
            base.update(from: first, count: firstCount)
            if let start = text.baseAddress { (base + firstCount).update(from: start, count: text.count) }
            (base + firstCount + text.count).update(from: last, count: lastCount)
            return firstCount + text.count + lastCount
        }
    }

    /// `joined` with a string in the middle.
    static func joined(_ before: StaticString, _ middle: String, _ after: StaticString) -> String {
        var middle = middle
        return middle.withUTF8 { joined(before, $0, after) }
    }

    /// The evidence of a sentence, made once: the events of one sentence follow each other.
    func evidence(field: Int, range: Range<Int>) -> Evidence {
        if let last = lastEvidence, last.field == field, last.range == range { return last.evidence }
        let made = makeEvidence(field: field, range: range)
        lastEvidence = (field, range, made)
        return made
    }

    /// The product as events key it (`productID`, else the product as written in capitals).
    func productKey(_ draft: EventDraft) -> String? {
        guard let subject = draft.subject else { return nil }
        if subject.product >= 0 { return extractor.products[Int(subject.product)].id }
        return Self.codeKey(texts[subject.field], subject.start..<subject.end)
    }

    /// Whether two drafts of one sentence name the same product as written.
    func sameProduct(_ first: EventDraft, _ second: EventDraft) -> Bool {
        switch (first.subject, second.subject) {
        case (nil, nil): return true
        case (let one?, let other?):
            if one.start == other.start && one.end == other.end && one.field == other.field { return true }
            return UnsafeBufferPointer(rebasing: texts[one.field][one.start..<one.end])
                .elementsEqual(UnsafeBufferPointer(rebasing: texts[other.field][other.start..<other.end]))
        default: return false
        }
    }
}
