import PharosCore

extension DocumentReader {
    /// The events told by the designation or action phrase `hitIndex` of `field` (one per
    /// product it names), none when the phrase tells none (negated, missing its companion word,
    /// an approval with no agency).
    func readEvents(field: Int, hitIndex: Int) -> [EventDraft] {
        let trigger = hits[field][hitIndex]
        guard case .trigger(let designationIndex) = trigger.term else { return [] }
        // "PRV-031" is a development code, not a Priority Review Voucher.
        if trigger.end + 1 < texts[field].count, texts[field][trigger.end] == 0x2D, (0x30...0x39).contains(texts[field][trigger.end + 1]) { return [] }
        // The common words of approvals first: most are not told as approvals, and this costs little
        // (the agency is counted as before the word here; below, where it really is).
        if extractor.isApproval[Int(designationIndex)], !isVerbalApproval(field: field, trigger, agencyBefore: true) {
            return []
        }
        // "The FDA approved its request for Fast Track designation": the designation's grant, read there.
        if extractor.isApproval[Int(designationIndex)], approvesDesignation(field: field, hitIndex: hitIndex) { return [] }
        // "approved Agilent's PD-L1 IHC 22C3 pharmDx assay", "approved as a companion diagnostic": a device.
        if extractor.isApproval[Int(designationIndex)], approvesDevice(field: field, trigger) { return [] }

        let range = sentence(field: field, at: trigger.start)
        let sentenceHits = hits(field: field, in: range)
        let decidesLater = extractor.isApproval[Int(designationIndex)] && isDecisionAhead(field: field, trigger)
        // "approved ahead of its PDUFA date", "If approved ... PDUFA date": the approval word tells it.
        if decidesLater, sentenceHits.contains(where: { hit in
            guard case .trigger(let index) = hit.term, extractor.isApproval[Int(index)], hit.start != trigger.start else { return false }
            return !isDecisionAhead(field: field, hit) && isVerbalApproval(field: field, hit, agencyBefore: true)
        }) { return [] }
        let position: Position = isTitle(field) ? .title : lead[field].contains(where: { $0.contains(trigger.start) }) ? .lead : .body
        var liftedHold = false
        var liftAhead: Range<Int>?
        var entryIndex = Int(designationIndex)
        var entry = extractor.designations[entryIndex]

        if Self.vetoes(sentenceHits, designationIndex) { return [] }
        if extractor.needsCompanion[Int(designationIndex)] {
            let hasCompanion = sentenceHits.contains { if case .companion(let index) = $0.term { index == designationIndex } else { false } }
            guard hasCompanion else { return [] }
        }

        var agencyCue = EventDraft.AgencyCue.own
        var bodyWithoutNames = false
        var coordinated: [Int32] = []
        // "granted the RMAT designation by the US FDA and the PRIME designation by EMA": an
        // agency named with "by" or "from" right after the phrase is its own, nearer or not.
        let boundAgency = agencyNamedAfter(field: field, trigger: trigger, sentenceHits: sentenceHits)
        if let family = entry.family, let owners = extractor.siblings[family] {
            // The agency: the one named nearest in the sentence (the first of those as near), else
            // in the title or lead. Read in one pass: no list of them is made.
            let own = extractor.agencyOf[entryIndex]
            var nearest: (agency: String, distance: Int)?
            var namesOwn = false
            for hit in sentenceHits {
                guard case .agency(let index) = hit.term, !isOutside(field: field, hit) else { continue }
                let agency = EventCues.agencies[Int(index)].agency
                let distance = hit.end <= trigger.start ? trigger.start - hit.end : max(0, hit.start - trigger.end)
                if nearest.map({ distance < $0.distance }) ?? true { nearest = (agency, distance) }
                if agency == own { namesOwn = true }
            }
            if let bound = boundAgency {
                nearest = (bound.agency, 0)
                namesOwn = bound.agency == own
                // "orphan drug designation from the EMA and FDA": the same act by each.
                coordinated = bound.also.compactMap { owners[$0] }
            }
            let inSentence = nearest != nil
            let first = nearest?.agency ?? leadAgencies.first
            if !inSentence { namesOwn = leadAgencies.contains(own) }
            if !own.isEmpty, let other = first, !namesOwn {
                // Another agency's: its own entry of the family, or none when Pharos knows no such
                // programme of that agency (Korea's MFDS, Australia's TGA).
                guard let sibling = owners[other] else { return [] }
                entryIndex = Int(sibling)
                entry = extractor.designations[entryIndex]
                agencyCue = .other(other, inSentence: inSentence)
            } else if !own.isEmpty, namesOwn {
                agencyCue = .named
            }
            if extractor.needsAgency[entryIndex] {
                // Approvals are told by common words: outside the title, an agency must be named in
                // the sentence, the title or the lead.
                if position != .title, first == nil { return [] }
                bodyWithoutNames = position == .body && !inSentence
                if extractor.isApproval[entryIndex], !isVerbalApproval(field: field, trigger, agencyBefore: sentenceHits.contains { hit in
                    if case .agency = hit.term { return hit.end <= trigger.start && trigger.start - hit.end <= 40 }
                    return false
                }) { return [] }
            }
        }
        // A programme only one agency runs, beside another agency's own name: "IND Clearance from the NMPA".
        if entry.family == nil, isOtherAgencysAct(entryIndex: entryIndex, trigger: trigger, sentenceHits: sentenceHits) { return [] }
        if extractor.isClinicalHold[entryIndex], sentenceHits.contains(where: { cueClass($0) == .lift }),
           let lifted = extractor.designationIndex[entry.id + "-lifted"] {
            entryIndex = lifted
            entry = extractor.designations[lifted]
            liftedHold = true
            liftAhead = sentenceHits.first { cueClass($0) == .lift }.flatMap { lift in
                // "the hold would not be removed until ...", "Additional Info Requested Before Removed"
                ["be", "before", "until"].contains(word(field: field, endingBefore: lift.start)) ? lift.start..<lift.end : nil
            }
        }

        // Negation reaches a little way forward: "has not been approved", "no approved therapy".
        for hit in sentenceHits where cueClass(hit) == .negation
            && reaches(hit, trigger, window: hit.window, in: sentenceHits, field: field) {
            return []
        }

        // The subject.
        let sentenceMentions = mentions(field: field, in: range)
        var subjects: [ProductMention] = []
        let subjectCue: EventDraft.SubjectCue
        if let after = sentenceMentions.first(where: { $0.start >= trigger.end && isActedOn(from: trigger.end, $0, sentenceHits: sentenceHits) }) {
            subjects = [after]
            subjectCue = .after
            // "to NXC-201 and NXC-301": products joined by "and" or a comma share the event.
            var last = after
            // "The first four PRIME candidates are: Biogen's aducanumab, a ...; Kite Pharma's
            // KTE-C19, a ...; and Novimmune's NI-0501": a list after a colon, one product per item.
            if texts[field][trigger.end..<after.start].contains(0x3A) {
                var from = after.end
                while let separator = ByteSearch.next(0x3B, in: texts[field], from: from, to: range.upperBound),
                      let next = sentenceMentions.first(where: { $0.start > separator }) {
                    subjects.append(next)
                    last = next
                    from = next.end
                }
            }
            for next in sentenceMentions where next.start > last.end {
                let between = ByteSearch.trimmed(text(field: field, last.end..<next.start))
                guard between == "and" || between == "," || between == ", and" || between == "&" else { break }
                if next.key != last.key { subjects.append(next) }
                last = next
            }
        } else if let before = sentenceMentions.last(where: { $0.end <= trigger.start }),
                  // In a headline a semicolon joins two headlines: "... to AnHeart's Taletrectinib; Two Others Earn
                  // Breakthrough Therapy Designation". In prose the next clause goes on about it ("; a decision is expected").
                  !(isTitle(field) && texts[field][before.end..<trigger.start].contains(0x3B)) {
            subjects = [before]
            subjectCue = .before
        } else if case let listed = listedProducts(field: field, after: range), !listed.isEmpty {
            subjects = listed
            subjectCue = .listed
        } else if let earlier = productsOfEarlierSentence(field: field, before: range.lowerBound, orStoredLead: decidesLater) {
            subjects = earlier
            subjectCue = .earlier(plural: earlier.count > 1)
        } else {
            subjectCue = .none
        }
        // Few subjects: a list finds the repeated ones faster than a set.
        var seen: [String] = []
        subjects = subjects.filter { subject in
            if seen.contains(subject.key) { return false }
            seen.append(subject.key)
            return true
        }

        var (status, statusCue) = decideStatus(
            field: field, trigger: trigger, range: range, sentenceHits: sentenceHits, position: position,
            hasProduct: !sentenceMentions.isEmpty, family: entry.family ?? entry.id, agency: extractor.agencyOf[entryIndex],
            subjects: subjects)
        // "The CHMP recommended granting a marketing authorisation": the opinion is the news, the
        // Commission's authorisation still ahead.
        // A date makes the opinion history, not the authorisation it recommends.
        var datedOpinion = false
        if case .dated = statusCue { datedOpinion = true }
        // Recommended in words the opinion's phrases do not hold ("The agency recommended
        // conditional marketing authorization for Elrexfio"): the CHMP's opinion is told all the same.
        var opinionTold: (designation: Int32, status: RegulatoryEvent.Status, cue: EventDraft.StatusCue)?
        if status == .announced || datedOpinion, extractor.isApproval[entryIndex] || entry.implies.contains("ec-approval") {
            if let opinion = recommendationBefore(field: field, trigger: trigger, sentenceHits: sentenceHits) {
                status = .prospective
                statusCue = .prospective(opinion.start..<opinion.end)
            } else if let recommended = recommendedJustBefore(field: field, trigger) {
                if extractor.agencyOf[entryIndex] == "EMA", Self.continues(texts[field], at: recommended.lowerBound, end: recommended.upperBound, with: "recommend"),
                   let opinion = extractor.designationIndex["ema-chmp-positive-opinion"] {
                    opinionTold = (Int32(opinion), status, statusCue)
                }
                status = .prospective
                statusCue = .prospective(recommended)
            }
        }
        if status == .announced, let liftAhead {
            status = .prospective
            statusCue = .prospective(liftAhead)
        }
        // Told of nothing and by no act (no verb, no "by the FDA"), the phrase names the programme: "Health Canada's NOC/c
        // policy has proven effective", "China sees rise in innovative drug approvals", "What's on
        // offer in the ILAP". News of an unnamed product still says what it is ("a gene therapy").
        // A letter or a hold is an act whatever the words around it; a phrase that joins the news
        // ("the Orphan Drug Designation is an important achievement") is that news.
        if status == .announced, !decidesLater, subjects.isEmpty, Self.programmeTalk(statusCue), !Self.isActByItself(entry.family ?? entry.id),
           !namesSubject(sentenceHits), !tellsAct(field: field, range),
           boundAgency == nil {
            return []
        }
        // A page that names no agency, product, company, target or modality announces no
        // regulatory act, whatever its words: "Government's new FastTrack Cayman gets the thumbs up".
        if status == .announced, !namesRegulatoryContext { return [] }
        // Deep in the body, an approval told as done needs its own agency or product: "tumor cell
        // clearance activity", "the nation also approved 55 rare disease medicines".
        if bodyWithoutNames, sentenceMentions.isEmpty, status != .prospective { return [] }
        // "The regulatory green light, announced Monday, ..." below a title that tells an IND
        // cleared or a hold lifted: the word refers back to that news, no approval of its own.
        if status == .announced, extractor.isApproval[entryIndex], subjects.isEmpty, position != .title, !newsEvents.isEmpty,
           !newsEvents.contains(where: { Self.isAuthorisation(family: $0.family) }) {
            return []
        }
        // A decision date is ahead by what it is; the date it names is the decision's, not a past one.
        if decidesLater {
            switch statusCue {
            case .definition, .section, .heading, .prospective, .background, .alsoBackground: break
            default:
                status = .prospective
                statusCue = .prospective(trigger.start..<trigger.end)
            }
        }

        // The indication goes into headlines, which only announced events make.
        let indicationStart = max(trigger.end, subjects.first.map { $0.field == field ? $0.end : 0 } ?? 0) - range.lowerBound
        let indicationAfter = status == .announced ? indicationStart : -1
        let draft = EventDraft(
            designation: Int32(entryIndex), spelled: designationIndex, status: status, field: field, trigger: trigger.start..<trigger.end,
            sentence: range, subject: nil, indicationAfter: indicationAfter, lifted: liftedHold, agencyCue: agencyCue,
            subjectCue: subjectCue, statusCue: statusCue)
        var drafts = [draft]
        for sibling in coordinated where sibling != draft.designation {
            var other = draft
            other.designation = sibling
            other.agencyCue = .other(extractor.agencyOf[Int(sibling)], inSentence: true)
            drafts.append(other)
        }
        if let opinionTold {
            var opinion = draft
            opinion.designation = opinionTold.designation
            opinion.status = opinionTold.status
            opinion.statusCue = opinionTold.cue
            opinion.indicationAfter = opinionTold.status == .announced ? indicationStart : -1
            drafts.append(opinion)
        }
        if subjects.isEmpty { return drafts }
        var named: [EventDraft] = []
        named.reserveCapacity(drafts.count * subjects.count)
        for one in drafts {
            for subject in subjects {
                var copy = one
                copy.subject = subject
                named.append(copy)
            }
        }
        return named
    }

    static let approvalAuxiliaries: Set<String> = [
        "has", "have", "had", "was", "were", "been", "is", "are", "be", "being", "fda", "commission", "agency", "nmpa", "mhra",
        "pmda", "mhlw", "canada", "ema", "also", "formally", "conditionally", "fully", "officially", "recently", "today", "now",
        "first", "finally", "just", "cder", "cber", "administration",
    ]
    static let approvalNounBefore: Set<String> = [
        "granted", "grants", "grant", "receives", "received", "receive", "receiving", "won", "wins", "win", "secured", "secures",
        "earned", "earns", "gained", "gains", "obtained", "obtains", "full", "conditional", "marketing", "regulatory", "fda",
        "fda's", "eu", "european", "commission", "accelerated", "traditional", "standard", "gets", "get", "got", "nabs", "landed",
        "lands", "the", "first", "us", "u.s", "china", "japan", "nmpa", "mhra", "uk", "ec", "an", "market", "u.s.",
        "chinese", "japanese", "european", "expanded", "label", "another", "second", "third", "new",
    ]
    static let approvalNounAfter: Set<String> = ["of", "for", "to", "in", "from", "by", "was", "has", "is", "comes", "follows", "marks"]

    /// Whether an approval word tells an approval: "FDA approved X", "X was approved", "approval
    /// of X", "received approval"; not "FDA-approved test", "approved therapies", "shareholders approved".
    func isVerbalApproval(field: Int, _ trigger: EventExtractor.Hit, agencyBefore: Bool) -> Bool {
        let text = texts[field]
        // "FDA-approved test", "approved-drug": any dash joins it to a word, as an adjective.
        if trigger.start > 0, text[trigger.start - 1] == 0x2D { return false }
        if trigger.start >= 3, text[trigger.start - 3] == 0xE2, text[trigger.start - 2] == 0x80, (0x90...0x95).contains(text[trigger.start - 1]) {
            return false
        }
        if trigger.end < text.count, text[trigger.end] == 0x2D { return false }
        // The phrase compared on its bytes, and the words around it made only where they decide.
        func written(_ word: StaticString) -> Bool {
            trigger.end - trigger.start == word.utf8CodeUnitCount && Self.continues(text, at: trigger.start, end: trigger.end, with: word)
        }
        if written("approves") || written("approve") || written("approving") {
            let before = word(field: field, endingBefore: trigger.start)
            return before != "shareholders" && before != "stockholders"
        }
        if written("approved") {
            // "The FDA on Friday approved", "Commission has approved": the agency just before makes it a verb.
            if agencyBefore { return true }
            let before = word(field: field, endingBefore: trigger.start)
            // "If approved, zolbetuximab would be": an approval still ahead, which the cue then says.
            if Self.approvalAuxiliaries.contains(before) || ["if", "once", "upon"].contains(before) { return true }
            return ["for", "in", "as", "by", "on", "under", "with", "today"].contains(word(field: field, startingAfter: trigger.end))
        }
        if written("approval") {
            // "submitted for approval", "recommended for approval": sought, not granted.
            let before = word(field: field, endingBefore: trigger.start)
            if before == "for" { return false }
            return Self.approvalNounBefore.contains(before) || Self.approvalNounAfter.contains(word(field: field, startingAfter: trigger.end))
        }
        return true
    }

    /// Whether a background cue is the start of a longer prior-therapy cue: "Previously Treated"
    /// tells the patients' history, not the event's.
    func beginsPriorTherapy(_ cue: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        sentenceHits.contains { $0.start == cue.start && $0.end > cue.end && cueClass($0) == .priorTherapy }
    }

    static let countryWords: Set<String> = ["China", "Chinese", "Japanese", "European Union", "EU", "Europe"]

    /// Whether the sentence names, close by, an agency other than the entry's by its own name
    /// ("NMPA", "Health Canada", "NICE"), and not the entry's agency.
    func isOtherAgencysAct(entryIndex: Int, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        let own = extractor.agencyOf[entryIndex]
        guard !own.isEmpty else { return false }
        var other = false
        for hit in sentenceHits {
            guard case .agency(let index) = hit.term else { continue }
            let agency = EventCues.agencies[Int(index)]
            if agency.agency == own { return false }
            let distance = hit.end <= trigger.start ? trigger.start - hit.end : hit.start - trigger.end
            // Country words ("Chinese", "in Japan") describe too much to overrule the entry's agency.
            if distance <= 60, !agency.phrase.hasPrefix("in "), !Self.countryWords.contains(agency.phrase) { other = true }
        }
        return other
    }

    /// A CHMP recommendation ("recommended granting", "recommends approval") shortly before `trigger`.
    func recommendationBefore(field: Int, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> EventExtractor.Hit? {
        guard let opinion = extractor.designationIndex["ema-chmp-positive-opinion"] else { return nil }
        return sentenceHits.last { hit in
            guard case .trigger(let index) = hit.term, Int(index) == opinion, hit.end <= trigger.start, trigger.start - hit.end <= 80 else {
                return false
            }
            return Self.continues(texts[field], at: hit.start, end: hit.end, with: "recommend")
                || Self.continues(texts[field], at: hit.start, end: hit.end, with: "chmp recommend")
        }
    }

    /// "recommended" (or "recommends", "recommending") right before the phrase, a word or two
    /// apart: "The CHMP has recommended conditional marketing authorisation for Talvey".
    func recommendedJustBefore(field: Int, _ trigger: EventExtractor.Hit) -> Range<Int>? {
        var (word, start) = wordBefore(field: field, trigger.start)
        for _ in 0..<2 where Self.recommendedObjectWords.contains(word) || word.utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true {
            (word, start) = wordBefore(field: field, start)
        }
        // An advisory committee's vote: "voted in favor of approval", "a recommendation in favour of".
        if word == "of" {
            let end = start + 2
            let favour = wordBefore(field: field, start)
            let joining = wordBefore(field: field, favour.start)
            if favour.word == "favor" || favour.word == "favour", joining.word == "in" { return joining.start..<end }
        }
        guard Self.recommendingWords.contains(word) else { return nil }
        return start..<(start + word.utf8.count)
    }

    /// Words between a recommendation and what it recommends: "backs three conditional approvals".
    static let recommendedObjectWords: Set<String> = [
        "a", "the", "granting", "full", "standard", "conditional", "expanded", "extended", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve",
    ]
    /// Words that recommend an approval rather than give it; a panel's approval ("MHLW Panel OKs")
    /// is its advice to the agency.
    static let recommendingWords: Set<String> = [
        "recommended", "recommends", "recommending", "recommend", "backs", "backed", "backing", "endorses", "endorsed",
        "endorsing", "panel", "panels",
    ]

    /// Whether an approval phrase names the decision still ahead ("PDUFA date", "target action
    /// date", "a decision is expected", "FDA decision"), not an approval given.
    func isDecisionAhead(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        // Every approval word is read here: bytes, not a string ("approved", "nod" end at their "d").
        let text = texts[field]
        var offset = trigger.start
        while offset < trigger.end {
            if text[offset] | 0x20 == 0x64, Self.continues(text, at: offset + 1, end: trigger.end, with: "ate")
                || Self.continues(text, at: offset + 1, end: trigger.end, with: "ecision")
                || Self.continues(text, at: offset + 1, end: trigger.end, with: "ufa") {
                return true
            }
            offset += 1
        }
        return false
    }

    /// Whether a place is named as where the act is not: "the first NDA approval ... outside
    /// Mainland China".
    func isOutside(field: Int, _ agency: EventExtractor.Hit) -> Bool {
        var (word, start) = wordBefore(field: field, agency.start)
        for _ in 0..<2 where word == "mainland" || word == "the" || word == "of" {
            (word, start) = wordBefore(field: field, start)
        }
        return word == "outside" || word == "beyond"
    }

    /// The word "request" (or "requests") right after a designation's phrase, or after its
    /// "designation" or "status": "Breakthrough Therapy Designation Requests".
    func requestAfter(field: Int, _ trigger: EventExtractor.Hit) -> Range<Int>? {
        let text = texts[field]
        var start = trigger.end + 1
        for noun: StaticString in ["designation ", "designations ", "status "] where start <= text.count && text[start - 1] == 0x20
            && Self.continues(text, at: start, end: text.count, with: noun) {
            start += noun.utf8CodeUnitCount
            break
        }
        guard start + 7 <= text.count, text[start - 1] == 0x20, Self.continues(text, at: start, end: text.count, with: "request") else {
            return nil
        }
        var end = start + 7
        if end < text.count, text[end] | 0x20 == 0x73 { end += 1 }
        return end == text.count || !Self.isWordByte(text[end]) ? start..<end : nil
    }

    /// Whether `text` continues at `offset`, before `end`, with the lower-case letters `word` in any case.
    static func continues(_ text: UnsafeBufferPointer<UInt8>, at offset: Int, end: Int, with word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard offset + count <= end else { return false }
        let letters = word.utf8Start
        for index in 0..<count where text[offset + index] | 0x20 != letters[index] { return false }
        return true
    }

    /// The word before `offset`, lower-cased (letters, digits, apostrophes and dots).
    func word(field: Int, endingBefore offset: Int) -> String { wordBefore(field: field, offset).word }

    /// The word before `offset`, lower-cased, and where it starts.
    func wordBefore(field: Int, _ offset: Int) -> (word: String, start: Int) {
        let text = texts[field]
        var end = offset
        while end > 0, text[end - 1] == 0x20 || text[end - 1] == 0x0A || text[end - 1] == 0x22 { end -= 1 }
        var start = end
        while start > 0, Self.isWordByte(text[start - 1]) { start -= 1 }
        return (self.text(field: field, start..<end).lowercased(), start)
    }

    /// Words between an approval word and a designation that make it the designation's grant.
    static let requestWords: Set<String> = [
        "its", "the", "a", "an", "their", "our", "his", "her", "request", "requests", "of", "for", "u", "s", "us", "fda", "usfda",
        // "received approval from the U.S. Food and Drug Administration (FDA) for Fast Track Designation"
        "from", "by", "food", "and", "drug", "administration", "agency",
    ]

    /// Whether the approval word `hitIndex` approves a designation, not a product: "approved its
    /// request for Fast Track designation", "FDA approval of Orphan Drug designation".
    func approvesDesignation(field: Int, hitIndex: Int) -> Bool {
        let trigger = hits[field][hitIndex]
        for next in hits[field][(hitIndex + 1)...] where next.start >= trigger.end {
            guard next.start - trigger.end <= 60 else { return false }
            guard case .trigger(let index) = next.term, !extractor.isApproval[Int(index)] else { continue }
            return Temporal.wordRanges(texts[field], trigger.end..<next.start).allSatisfy {
                Self.requestWords.contains(text(field: field, $0).lowercased())
            }
        }
        return false
    }

    static let grantingVerbs: Set<String> = ["approved", "approves", "granted", "grants", "accepted", "accepts", "honored", "honoured"]
    static let determiners: Set<String> = ["its", "the", "a", "an", "their", "our", "his", "her", "company's", "sponsor's"]

    static let deviceWords: [StaticString] = [
        "assay", "companion diagnostic", "diagnostic test", "pharmdx", "pharmadx", "kit", "device", "devices", "implant",
        "catheter", "stent", "scanner", "monitor",
    ]
    /// Per byte: the device words that start with it.
    static let deviceWordsByStart: [[StaticString]] = (0...255).map { byte in deviceWords.filter { $0.utf8Start[0] == UInt8(byte) } }

    /// Whether the approval's object is a device: a device word comes after the approval word
    /// before any product is named, within a few words ("has approved Agilent Technologies'
    /// PD-L1 IHC 22C3 pharmDx assay", "is now approved as a companion diagnostic").
    func approvesDevice(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        let text = texts[field]
        var end = min(text.count, trigger.end + 70)
        // The first product named after the phrase: mentions are in text order, so a binary search.
        let named = mentions[field]
        var low = 0
        var high = named.count
        while low < high {
            let middle = (low + high) / 2
            if named[middle].start < trigger.end { low = middle + 1 } else { high = middle }
        }
        if low < named.count, named[low].start < end { end = named[low].start }
        var offset = trigger.end
        // The global table read once, not at every byte.
        let wordsByStart = Self.deviceWordsByStart
        while offset < end {
            // Only where a word starts with a device word's first letter (in either case) are
            // the words of that letter compared.
            let words = wordsByStart[Int(text[offset] | 0x20)]
            guard !words.isEmpty, offset == 0 || !Self.isWordByte(text[offset - 1]) else {
                offset += 1
                continue
            }
            for word in words where Self.continues(text, at: offset, end: end, with: word) {
                let after = offset + word.utf8CodeUnitCount
                if after >= text.count || !Self.isWordByte(text[after]) { return true }
            }
            offset += 1
        }
        return false
    }

    /// Whether a request cue tells a request the agency granted: "the FDA has approved its request for".
    func isGrantedRequest(field: Int, _ cue: EventExtractor.Hit) -> Bool {
        guard text(field: field, cue.start..<cue.end).lowercased().hasPrefix("request") else { return false }
        var offset = cue.start
        for _ in 0..<3 {
            let (word, start) = wordBefore(field: field, offset)
            if Self.grantingVerbs.contains(word) { return true }
            // "approved the firm's request for a 'rare pediatric disease' designation"
            guard Self.determiners.contains(word) || word.hasSuffix("'s") || word.hasSuffix("’s") else { return false }
            offset = start
        }
        return false
    }

    static let reportingVerbs: Set<String> = ["said", "says", "announced", "reported", "stated", "disclosed", "noted"]

    /// Whether a "last week" cue is part of a period: "in the last week of September" dates the
    /// news, it does not set it a week back.
    func isPartOfPeriod(field: Int, _ cue: EventExtractor.Hit) -> Bool {
        Self.continues(texts[field], at: cue.start, end: cue.end, with: "last ")
            && Self.continues(texts[field], at: cue.end, end: min(texts[field].count, cue.end + 4), with: " of ")
    }

    /// Whether a past perfect cue ("had granted") is reported speech: "AstraZeneca said the FDA
    /// had granted ...": the tense follows the reporting verb; the event is the news told.
    func isReportedPastPerfect(field: Int, _ cue: EventExtractor.Hit, sentence: Range<Int>) -> Bool {
        let written = text(field: field, cue.start..<cue.end).lowercased()
        guard ["had granted", "had received", "had been granted"].contains(written) else { return false }
        let before = Temporal.wordRanges(texts[field], max(sentence.lowerBound, cue.start - 120)..<cue.start)
        return before.suffix(12).contains { Self.reportingVerbs.contains(text(field: field, $0).lowercased()) }
    }

    static let acquiringVerbs: Set<String> = [
        "got", "gets", "get", "received", "receives", "receive", "granted", "grants", "earned", "earns", "won", "wins", "secured",
        "secures", "obtained", "obtains", "awarded", "scored", "scores", "nabbed", "nabs", "landed", "lands", "gained", "gains",
    ]
    static let agencyFillers: Set<String> = [
        "the", "a", "an", "u.s.", "u.s", "us", "fda", "fda's", "fda’s", "usfda", "usfda's", "usfda’s", "agency's", "regulator's",
        "its", "their",
    ]
    static let quotes: Set<Character> = ["“", "”", "‘", "’", "\"", "'"]

    /// Whether the product was just given the designation at `trigger` ("GLSI-100 got U.S. FDA's
    /// fast track designation"): what a definition after it says is of the designation granted.
    func isAcquired(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        var offset = trigger.start
        for _ in 0..<4 {
            let (written, start) = wordBefore(field: field, offset)
            var word = Substring(written)
            while let first = word.first, Self.quotes.contains(first) { word.removeFirst() }
            while let last = word.last, Self.quotes.contains(last) { word.removeLast() }
            if Self.acquiringVerbs.contains(String(word)) { return true }
            guard Self.agencyFillers.contains(String(word)), start < offset else { return false }
            offset = start
        }
        return false
    }

    /// The word after `offset`, lower-cased.
    func word(field: Int, startingAfter offset: Int) -> String {
        let text = texts[field]
        var start = offset
        while start < text.count, text[start] == 0x20 || text[start] == 0x0A { start += 1 }
        var end = start
        while end < text.count, Self.isWordByte(text[end]) { end += 1 }
        return self.text(field: field, start..<end).lowercased()
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x27 || byte == 0x2E || byte >= 0x80
    }

    static let actingVerbs: Set<String> = [
        "granted", "grants", "grant", "has", "have", "accepted", "accepts", "issued", "issues", "recommended", "recommends",
        "placed", "places", "put", "puts", "approved", "approves", "provided", "provides", "cleared", "clears", "lifted", "lifts",
        "awarded", "awards", "adopted", "adopts", "gave", "gives", "designated", "designates", "assigned", "assigns",
    ]

    /// The products a sentence ending in a colon lists, the first one named in each sentence
    /// after it, up to the first that names none: "The FDA has designated the following as
    /// Orphan Drugs:" then one line per product.
    func listedProducts(field: Int, after range: Range<Int>) -> [ProductMention] {
        var listed: [ProductMention] = []
        var (listField, items) = (field, listedSentences(field: field, after: range))
        if isTitle(field), let next = listAfterHeadline, Self.endsWithColon(texts[field], range) { (listField, items) = (next, listItems(field: next, from: 0)) }
        for item in items {
            guard let first = mentions(field: listField, in: item).first else { break }
            listed.append(first)
        }
        return listed
    }

    /// Whether a definition cue only describes the programme in a relative clause after it,
    /// while the sentence tells an agency acting: "the MHRA had placed the drug under its
    /// Innovative Licensing and Access Pathway (ILAP), which is intended to speed up ...".
    /// An apposition after a comma does the same when the agency's act is told done: "the FDA has
    /// designated MultiStem a Regenerative Medicine Advanced Therapy (RMAT), a status for eligible
    /// cell ... treatments that provides for more intensive development guidance".
    func definesInRelativeClause(field: Int, _ cue: EventExtractor.Hit, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        guard cue.start >= trigger.end else { return false }
        let relative = sentenceHits.contains { hit in
            hit.start >= trigger.end && hit.end <= cue.start && cueClass(hit) == .terminator
        }
        guard relative || texts[field][trigger.end..<cue.start].contains(0x2C) else { return false }
        return sentenceHits.contains { hit in
            guard case .agency = hit.term, hit.end <= trigger.start else { return false }
            return actsBetween(field: field, hit.end, trigger.start, verbs: relative ? Self.actingVerbs : Self.doneActingVerbs)
        }
    }

    /// Whether a sentence's hits name a product, company, target or modality.
    func namesSubject(_ sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        sentenceHits.contains { hit in
            switch hit.term {
            case .product, .company, .target, .modality: return true
            default: return false
            }
        }
    }

    /// Whether the phrase ends in the plural of an act's noun: "approvals", "designations",
    /// "letters", "holds" ("approves" and "grants" are verbs).
    func isPlural(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        let text = texts[field]
        guard trigger.end - trigger.start >= 5, text[trigger.end - 1] | 0x20 == 0x73 else { return false }
        return Self.pluralActNouns.contains(word(field: field, endingBefore: trigger.end))
    }

    static let pluralActNouns: Set<String> = [
        "approvals", "designations", "letters", "holds", "reviews", "opinions", "clearances", "authorisations",
        "authorizations", "vouchers",
    ]

    /// Whether a sentence holds a verb of an agency's act or of its receiving.
    /// A verb joined to a word before it is an adjective: "no longer FDA-approved".
    func tellsAct(field: Int, _ range: Range<Int>) -> Bool {
        let text = texts[field]
        return Temporal.wordRanges(text, range).contains { word in
            (word.lowerBound == 0 || text[word.lowerBound - 1] != 0x2D) && Self.actVerbs.contains(self.text(field: field, word).lowercased())
        }
    }

    /// Whether a word of `range`, lower-cased, is one of `words`.
    func holdsWord(of words: Set<String>, field: Int, _ range: Range<Int>) -> Bool {
        Temporal.wordRanges(texts[field], range).contains { words.contains(text(field: field, $0).lowercased()) }
    }

    /// The status cues a talk of the programme can wear: where it stands, not what it says.
    static func programmeTalk(_ cue: EventDraft.StatusCue) -> Bool {
        switch cue {
        case .title, .lead, .announcement: return true
        default: return false
        }
    }

    static func isActByItself(_ family: String) -> Bool {
        family.hasSuffix("complete-response-letter") || family.hasSuffix("clinical-hold")
    }

    static let doneActingVerbs: Set<String> = actingVerbs.filter { $0.hasSuffix("ed") }.union(["gave", "put"])

    static let actVerbs: Set<String> = actingVerbs.subtracting(["has", "have", "provided", "provides"]).union([
        "receives", "received", "receive", "wins", "won", "secures", "secured", "earns", "earned", "gets", "got", "obtains",
        "obtained", "nabs", "nabbed", "lands", "landed", "grant", "approve", "authorised", "authorized", "authorises", "authorizes",
        "backs", "backed", "announces", "announced", "award", "designate", "place", "issue", "accept", "lift", "recommend",
        "adopt", "give", "given", "assign", "receiving", "granting", "awarding", "designating", "approving", "endorses", "endorsed", "greenlights", "greenlit", "okays", "oks", "clear",
    ])

    /// Whether the words between an agency and a phrase hold a verb of its acting: "the FDA
    /// granted Priority Review", not "submitted for FDA approval under the RMAT designation".
    /// `doneActingVerbs` asks for the act told done: "the FDA has designated", not "the FDA
    /// grants ... to drugs that".
    func actsBetween(field: Int, _ start: Int, _ end: Int, verbs: Set<String> = actingVerbs) -> Bool {
        end - start <= 80 && holdsWord(of: verbs, field: field, start..<end)
    }

    @inline(__always)
    func cueClass(_ hit: EventExtractor.Hit) -> EventCues.Class? { hit.cueClass }

    /// Whether `cue` reaches `trigger`: forward cues the phrases after them, backward cues the
    /// phrases before them, within `window` bytes and with no terminator between.
    func reaches(
        _ cue: EventExtractor.Hit, _ trigger: EventExtractor.Hit, window: Int, in sentenceHits: ArraySlice<EventExtractor.Hit>, field: Int
    ) -> Bool {
        guard case .cue = cue.term else { return false }
        // A cue that holds the phrase ("if approved") reaches it; one that is a part of the
        // phrase's own words ("recommended for" in "recommended for use") does not.
        if cue.start < trigger.end, trigger.start < cue.end {
            return !(trigger.start <= cue.start && cue.end <= trigger.end && trigger.end - trigger.start > cue.end - cue.start)
        }
        let direction = cue.direction
        let between: Range<Int>
        switch direction {
        case .sentence: return true
        case .forward:
            guard cue.end <= trigger.start, trigger.start - cue.end <= window else { return false }
            between = cue.end..<trigger.start
            // A relative clause's cue ends at its closing comma: "ARC-217, which the company plans
            // to take into a pivotal trial, received Fast Track designation".
            if between.contains(where: { texts[field][$0] == 0x2C }), sentenceHits.contains(where: { hit in
                hit.end <= cue.start && cue.start - hit.end <= 60 && cueClass(hit) == .terminator
            }) { return false }
        case .backward:
            guard cue.start >= trigger.end, cue.start - trigger.end <= window else { return false }
            between = trigger.end..<cue.start
            // A comma ends what a cue after the phrase says of it: "priority review to the BLA, a decision is expected".
            if between.contains(where: { texts[field][$0] == 0x2C }) { return false }
        }
        let ownClass = cue.cueClass
        // Hits are in text order: only those between the two are read.
        for hit in sentenceHits {
            if hit.start >= between.upperBound { break }
            guard hit.start >= between.lowerBound, let other = cueClass(hit) else { continue }
            if other == .terminator || (other == .announce && ownClass != .announce) { return false }
        }
        return true
    }

    func decideStatus(
        field: Int, trigger: EventExtractor.Hit, range: Range<Int>, sentenceHits: ArraySlice<EventExtractor.Hit>, position: Position,
        hasProduct: Bool, family: String, agency: String, subjects: [ProductMention]
    ) -> (RegulatoryEvent.Status, EventDraft.StatusCue) {
        // Every test below asks for a cue class, so other hits never pass them: no filtered copy.
        let cueHits = sentenceHits
        if position == .title, subjects.isEmpty, isBareHeading(field: field, trigger: trigger, sentenceHits: sentenceHits)
            || isSchemeHeading(field: field, sentenceHits: sentenceHits) || isTopicLabel(field: field, trigger) {
            return (.definition, .heading)
        }
        if let asked = question(field: field, range, trigger: trigger) {
            return (asked, .question)
        }
        // "sakigake, the Japan equivalent of the US FDA's Breakthrough Therapy status": another
        // programme named to explain one, not an act.
        if let comparison = cueHits.first(where: { hit in
            cueClass(hit) == .comparison && hit.end <= trigger.start && trigger.start - hit.end <= hit.window
        }) {
            return (.definition, .definition(comparison.start..<comparison.end, hasProduct: hasProduct))
        }
        if position != .title || !hasProduct, let definition = cueHits.first(where: { hit in
            cueClass(hit) == .definition && (!hasProduct || (hit.start >= trigger.end && hit.start - trigger.end < 40))
                && !definesInRelativeClause(field: field, hit, trigger: trigger, sentenceHits: sentenceHits)
        }), !hasProduct || !isAcquired(field: field, trigger) {
            return (.definition, .definition(definition.start..<definition.end, hasProduct: hasProduct))
        }
        if let prospective = cueHits.first(where: { hit in
            // Modal words reach only the words right after them: "will soon become available ... following an FDA approval".
            cueClass(hit) == .prospective
                && reaches(hit, trigger, window: hit.window, in: sentenceHits, field: field) && !isGrantedRequest(field: field, hit)
                && !isFirstToBe(field: field, hit, sentence: range) && !isGladTo(field: field, hit)
                && !namesRefuseToFile(field: field, hit)
        }) {
            return (.prospective, .prospective(prospective.start..<prospective.end))
        }
        // "Breakthrough Therapy Designation Requests Received", "an orphan drug designation request":
        // the designation asked for, not granted.
        if let request = requestAfter(field: field, trigger) {
            return (.prospective, .prospective(request))
        }
        if let section = sections[field], trigger.start >= section.start {
            return (.background, .section(section.heading))
        }
        // "China NMPA approves 40 innovative new drugs in 2023": a count of products, no act on one.
        if subjects.isEmpty, let count = countedObject(field: field, after: trigger.end, in: range) {
            return (.background, .background(count))
        }
        // Acts in the plural, with no product, company, target or modality to have them and no
        // verb of an act, below the title (a roundup is headed so): acts in general ("This listing
        // includes accelerated approvals (AAs) for ... indications", "the number of complete
        // response letters issued"), not one act told as news.
        if position != .title, subjects.isEmpty, isPlural(field: field, trigger), !namesSubject(sentenceHits), !tellsAct(field: field, range) {
            return (.background, .plural)
        }
        // A past time that opens the sentence dates all of it, reported speech included:
        // "Earlier this month, AstraZeneca announced that its combination had been recommended".
        if let opening = cueHits.first, opening.start <= range.lowerBound + 1, opening.end <= trigger.start,
           case .cue(let index) = opening.term, EventCues.sentenceTimes[Int(index)] {
            return (.background, .background(opening.start..<opening.end))
        }
        if let background = cueHits.first(where: { hit in
            cueClass(hit) == .background && reaches(hit, trigger, window: hit.window, in: sentenceHits, field: field)
                && !beginsPriorTherapy(hit, sentenceHits: sentenceHits)
                && !isReportedPastPerfect(field: field, hit, sentence: range) && !isPartOfPeriod(field: field, hit)
        }) {
            return (.background, .background(background.start..<background.end))
        }
        // Dates before the item's: in the body, or in the lead past its dateline when the item's date is known.
        // A lead without the item's date: only "In September, the FDA granted ..." tells a past event.
        if position != .title, let past = earlierDate(field: field, range, monthsOnly: position == .lead && (self.reference == nil || range.lowerBound < 200)) {
            return (.background, .dated(past))
        }
        // An item without a date of its own: a body sentence that opens with a date tells an
        // event of that date ("In May 2018, the FDA announced the approval of CTL019").
        if position == .body, reference == nil, let opening = openingDate(field: field, range) {
            return (.background, .dated(opening))
        }
        // "also" joins the news when the news is an act of the same kind by the same agency:
        // "Japan also approved Lynparza" below Imfinzi's Japanese approval.
        if position == .body, let also = cueHits.first(where: { cueClass($0) == .alsoBackground && reaches($0, trigger, window: $0.window, in: sentenceHits, field: field) }) {
            if newsEvents.contains(where: { $0.family == family && $0.agency == agency }) {
                return (.announced, .alsoNews(also.start..<also.end))
            }
            return (.background, .alsoBackground(also.start..<also.end))
        }
        if position == .lead, let dated = datedOtherAct(field: field, range: range, sentenceHits: sentenceHits, family: family, agency: agency) {
            return (.background, .dated(dated))
        }
        if position != .body {
            return (.announced, position == .title ? .title : .lead)
        }
        // "In May 2018, the FDA announced the approval of CTL019", below a lead that tells
        // another act: the announcement is history.
        if let dated = datedOtherAct(field: field, range: range, sentenceHits: sentenceHits, family: family, agency: agency) {
            return (.background, .dated(dated))
        }
        if let announce = cueHits.first(where: { cueClass($0) == .announce }) {
            return (.announced, .announcement(announce.start..<announce.end))
        }
        let keys = subjects.map { $0.product >= 0 ? extractor.products[Int($0.product)].id : $0.key }
        if newsEvents.contains(where: { news in
            news.family == family && news.agency == agency && (keys.isEmpty || news.product == nil || keys.contains(news.product!))
        }) {
            return (.announced, .sameAsNews(family: family))
        }

        // The opening paragraphs tell the news on: "The FDA granted Priority Review for this
        // application." An agency acting before the phrase makes it the news; a product that
        // "has received" designations is telling its history.
        if trigger.start < openingEnd[field], sentenceHits.contains(where: { hit in
            guard case .agency(let index) = hit.term, hit.end <= trigger.start, !EventCues.agencies[Int(index)].phrase.hasPrefix("in ") else {
                return false
            }
            return actsBetween(field: field, hit.end, trigger.start)
        }) || trigger.start < openingEnd[field] && newsEvents.isEmpty && !Temporal.mayHoldDate(texts[field], range)
            && receivedFromAgency(field: field, trigger: trigger, sentenceHits: sentenceHits) {
            if let dated = datedOtherAct(field: field, range: range, sentenceHits: sentenceHits, family: family, agency: agency) {
                return (.background, .dated(dated))
            }
            return (.announced, .agencyActs)
        }
        return (.background, .bodyOnly)
    }

    /// A count of products right after a phrase, as its object ("approves 40 innovative new drugs",
    /// "authorized 20 new drugs and medical devices"): a statistic, whose range this is.
    func countedObject(field: Int, after offset: Int, in range: Range<Int>) -> Range<Int>? {
        let text = texts[field]
        let words = Temporal.wordRanges(text, offset..<min(range.upperBound, offset + 60))
        guard let count = words.prefix(3).firstIndex(where: { word in
            Temporal.number(text, word).map { $0 > 1 } ?? Self.countWords.contains(self.text(field: field, word).lowercased())
        }) else { return nil }
        // Only "more than", "nearly", "a record" and the like before the number.
        for word in words[..<count] where !Self.countOpenings.contains(self.text(field: field, word).lowercased()) { return nil }
        guard let noun = words[(count + 1)...].prefix(4).first(where: { Self.productNouns.contains(self.text(field: field, $0).lowercased()) }) else {
            return nil
        }
        // Over a period ("in 2023", "so far this year"): a meeting's or a digest's count ("the CHMP
        // recommended eight medicines for approval at its June 2021 meeting") is its news.
        let rest = Temporal.wordRanges(text, noun.upperBound..<range.upperBound)
        for (index, word) in rest.enumerated() {
            let lowered = self.text(field: field, word).lowercased()
            if Self.periodWords.contains(lowered) { return words[count].lowerBound..<noun.upperBound }
            if index + 1 < rest.count, ["in", "since", "during", "through", "throughout"].contains(lowered),
               let year = Temporal.number(text, rest[index + 1]), (1990...2099).contains(year) {
                return words[count].lowerBound..<noun.upperBound
            }
        }
        return nil
    }

    static let periodWords: Set<String> = ["annually", "yearly", "between", "year", "years", "quarter", "half"]

    static let countWords: Set<String> = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "dozen", "dozens", "several",
        "many", "multiple", "numerous",
    ]
    static let countOpenings: Set<String> = ["more", "than", "nearly", "almost", "over", "about", "around", "some", "a", "record", "total", "of"]
    static let productNouns: Set<String> = [
        "drugs", "medicines", "therapies", "products", "treatments", "devices", "molecules", "entities", "biologics",
        "vaccines", "candidates", "indications", "applications", "agents", "compounds", "nmes",
    ]

    /// Whether a family of actions authorises a product: approvals, accelerated and conditional ones.
    static func isAuthorisation(family: String) -> Bool {
        family.contains("approval") || family.contains("authoris") || family.contains("authoriz")
    }

    /// The date a sentence opens with ("In May 2018,", "On March 3, 2019,"), or a year it
    /// names alone ("to grant accelerated approval to sotorasib in 2021"), as written.
    func openingDate(field: Int, _ range: Range<Int>) -> String? {
        let text = texts[field]
        if range.count > 8, Self.continues(text, at: range.lowerBound, end: range.upperBound, with: "in ")
            || Self.continues(text, at: range.lowerBound, end: range.upperBound, with: "on ") {
            let opening = range.lowerBound..<min(range.upperBound, range.lowerBound + 24)
            if let date = Temporal.earlierDate(in: text, opening, than: (year: 2100, dayOfYear: nil)) { return date }
        }
        guard Temporal.mayHoldDate(text, range) else { return nil }
        let words = Temporal.wordRanges(text, range)
        for index in words.indices.dropFirst() where words[index].count == 4 && Temporal.word(text, words[index - 1], is: "in") {
            if let year = Temporal.number(text, words[index]), (1990...2099).contains(year) { return "in \(year)" }
        }
        return nil
    }

    static let askingModals: Set<String> = [
        "will", "would", "could", "can", "should", "may", "might", "is", "are", "does", "do", "when",
    ]

    /// The status of an act a question asks about, nil for a sentence that asks nothing: "Will
    /// the FDA approve it?" is ahead (prospective), "Have you wondered how many therapies have
    /// been approved in Canada?" tells no act (definition). Other questions ("Why did the FDA
    /// reject it?") ask about an act they take as told, and are read as statements.
    func question(field: Int, _ range: Range<Int>, trigger: EventExtractor.Hit) -> RegulatoryEvent.Status? {
        // The question is the part of the sentence (or of a title of several) that holds the phrase.
        let text = texts[field]
        func endsClause(_ byte: UInt8) -> Bool { byte == 0x2E || byte == 0x3F || byte == 0x21 }
        var end = trigger.end
        // Eight bytes at a time to the first ".", "?" or "!", then straight to it.
        if let base = text.baseAddress {
            while end + 8 <= range.upperBound {
                let word = UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self)
                let marks = TextSegments.marks(word, 0x2E) | TextSegments.marks(word, 0x3F) | TextSegments.marks(word, 0x21)
                if marks != 0 {
                    end += marks.trailingZeroBitCount >> 3
                    break
                }
                end += 8
            }
        }
        while end < range.upperBound, !endsClause(text[end]) { end += 1 }
        guard end < range.upperBound, text[end] == 0x3F else { return nil }
        var start = trigger.start
        while start > range.lowerBound, !endsClause(text[start - 1]) { start -= 1 }
        let words = Temporal.wordRanges(text, start..<end).map { self.text(field: field, $0).lowercased() }
        if words.contains("you") || words.contains("your") { return .definition }
        if let first = words.first, Self.askingModals.contains(first) { return .prospective }
        return nil
    }

    static let receivingVerbs: Set<String> = ["received", "receives", "obtained", "earned", "won", "secured", "gained", "got"]
    static let grantedParticiples: Set<String> = ["granted", "awarded", "given"]
    static let historyWords: Set<String> = ["has", "have", "had", "also", "previously", "already", "earlier", "once", "having"]

    /// Whether the phrase is received from an agency named after it, in the simple past: "ARC-217,
    /// which ..., received Fast Track designation from the FDA", "was granted Orphan Drug Designation
    /// by the EMA". "has received", "also received" and "previously received" tell history; so does
    /// the same sentence in an item whose title or lead announced something else, or with a date.
    /// The agency named by "by" or "from" just after the phrase (its word "designation" or
    /// "status" between): "the PRIME designation by EMA", "Fast Track status from the FDA".
    /// With it, the agencies joined to it by "and" or a comma ("from the EMA and FDA").
    func agencyNamedAfter(field: Int, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> (agency: String, also: [String])? {
        var bound: (agency: String, also: [String])?
        var lastEnd = trigger.end
        for hit in sentenceHits where hit.start >= trigger.end {
            guard case .agency(let index) = hit.term else { continue }
            let agency = EventCues.agencies[Int(index)].agency
            if bound != nil {
                // Only agencies listed right after the first: "the EMA and the FDA", "EMA, FDA and MHRA".
                guard hit.start >= lastEnd else { continue }
                // An abbreviation in brackets repeats the name: "the Food and Drug Administration (FDA) and ...".
                let between = ByteSearch.trimmed(text(field: field, lastEnd..<hit.start).filter { $0 != "(" && $0 != ")" })
                if between.isEmpty, agency == bound!.agency || bound!.also.contains(agency) {
                    lastEnd = hit.end
                    continue
                }
                guard ["and", ",", ", and", "and the", ", the", "and by the", "and by", "and from the", "or", "and the u.s.", "and the us"].contains(between.lowercased()) else { break }
                if agency != bound!.agency, !bound!.also.contains(agency) { bound!.also.append(agency) }
                lastEnd = hit.end
                continue
            }
            // "approval in the European Union": a place named right after the phrase is its own preposition.
            let inPlace = hit.start - trigger.end <= 2 && EventCues.agencies[Int(index)].phrase.hasPrefix("in ")
            guard hit.start - trigger.end <= 32, let start = inPlace ? hit.start : byOrFromBefore(field: field, agencyAt: hit.start) else { return nil }
            let (noun, nounStart) = wordBefore(field: field, start)
            guard nounStart <= trigger.end || ["designation", "designations", "status", "tag"].contains(noun) && wordBefore(field: field, nounStart).start < trigger.end else { return nil }
            bound = (agency, [])
            lastEnd = hit.end
        }
        return bound
    }

    /// Where "by" or "from" starts before an agency's name ("by the U.S. FDA"), or nil.
    func byOrFromBefore(field: Int, agencyAt offset: Int) -> Int? {
        var (before, start) = wordBefore(field: field, offset)
        for _ in 0..<2 where ["the", "u.s.", "us", "u.s", "european"].contains(before) { (before, start) = wordBefore(field: field, start) }
        return before == "by" || before == "from" ? start : nil
    }

    /// Whether a product named after a phrase is what it acted on: not a combination partner
    /// ("a combination effort with their own PD-1 checkpoint MGA012") nor what the act spares
    /// ("the clinical hold does not affect ... BPX-603").
    func isActedOn(from start: Int, _ mention: ProductMention, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        !sentenceHits.contains { hit in cueClass(hit) == .outsideAct && hit.start >= start && hit.end <= mention.start }
    }

    /// Whether a product is named as the comparator of another: "compared to T-DM1", "versus docetaxel".
    func isComparator(_ mention: ProductMention) -> Bool {
        var (before, start) = wordBefore(field: mention.field, mention.start)
        if before == "to" || before == "with" { (before, start) = wordBefore(field: mention.field, start) }
        return ["compared", "versus", "vs", "vs.", "over", "than", "against"].contains(before)
    }

    /// Whether the agency acts on the phrase by its name after it: "received Breakthrough Therapy
    /// designation from the FDA", "was granted ... by the EMA", "This approval by the MHLW".
    func receivedFromAgency(field: Int, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        guard sentenceHits.contains(where: { hit in
            guard case .agency = hit.term, hit.start >= trigger.end, hit.start - trigger.end <= 24 else { return false }
            return byOrFromBefore(field: field, agencyAt: hit.start) != nil
        }) else { return false }
        var (verb, start) = wordBefore(field: field, trigger.start)
        // "This approval by the MHLW highlights ...": the item's own news, pointed at.
        if verb == "this" { return true }
        if ["a", "an", "the"].contains(verb) { (verb, start) = wordBefore(field: field, start) }
        let (auxiliary, _) = wordBefore(field: field, start)
        if Self.receivingVerbs.contains(verb) { return !Self.historyWords.contains(auxiliary) }
        return Self.grantedParticiples.contains(verb) && (auxiliary == "was" || auxiliary == "were")
    }

    /// The date of an opening sentence that tells, with a date of its own, an act other than every
    /// one the title and lead announced (a decision's date ahead is not the act's): "FDA grants X Priority Review" over "X received accelerated approval
    /// from the FDA in May 2024" (history). A lead that also tells the title's news is its news.
    func datedOtherAct(field: Int, range: Range<Int>, sentenceHits: ArraySlice<EventExtractor.Hit>, family: String, agency: String) -> String? {
        guard !newsEvents.isEmpty, !newsEvents.contains(where: { $0.family == family && $0.agency == agency }),
              Temporal.mayHoldDate(texts[field], range) else { return nil }
        for hit in sentenceHits {
            guard case .trigger(let index) = hit.term else { continue }
            let other = extractor.designations[Int(index)].family ?? extractor.designations[Int(index)].id
            if newsEvents.contains(where: { $0.family == other }) { return nil }
            // "assigned a PDUFA action date of 23 September 2023": the date is the decision's.
            if extractor.isApproval[Int(index)], isDecisionAhead(field: field, hit) { return nil }
        }
        return Temporal.earlierDate(in: texts[field], range, than: (year: 2100, dayOfYear: nil))
    }

    /// Whether the phrase opens a headline as its topic, a colon after it: "Accelerated
    /// Approval: US FDA Panel To Reconsider Six Indications".
    func isTopicLabel(field: Int, _ trigger: EventExtractor.Hit) -> Bool {
        let text = texts[field]
        guard isTitle(field), Temporal.wordRanges(text, 0..<trigger.start).isEmpty else { return false }
        var index = trigger.end
        while index < text.count, text[index] == 0x20 { index += 1 }
        return index < text.count && text[index] == 0x3A
    }

    static let schemeWords: Set<String> = [
        "tracker", "system", "scheme", "guide", "guidance", "explained", "overview", "database", "list", "faq", "faqs",
        "questions", "glossary", "definition", "update", "primer", "basics", "pathways",
    ]

    static let ordinals: Set<String> = ["first", "only", "second", "third", "fourth", "fifth", "latest", "last", "sole"]

    static let gladWords: Set<String> = [
        "pleased", "proud", "delighted", "happy", "honored", "honoured", "thrilled", "excited", "glad", "gratified",
    ]

    /// Whether a cue "to receive" follows a word of gladness: "We are pleased to receive from the
    /// FDA this orphan drug designation" tells a designation received, not one ahead.
    func isGladTo(field: Int, _ cue: EventExtractor.Hit) -> Bool {
        Self.continues(texts[field], at: cue.start, end: cue.end, with: "to ")
            && Self.gladWords.contains(word(field: field, endingBefore: cue.start))
    }

    /// Whether a cue "to file" is part of a refuse to file letter's name: "reversed an earlier
    /// decision to issue a refuse to file (RTF) letter" tells no filing ahead.
    func namesRefuseToFile(field: Int, _ cue: EventExtractor.Hit) -> Bool {
        Self.continues(texts[field], at: cue.start, end: cue.end, with: "to file") && word(field: field, endingBefore: cue.start) == "refuse"
    }

    /// Whether a cue "to be approved" or "to receive" follows an ordinal: "the first CAR-T to be
    /// approved in Japan", "First and only PD-1 agent to receive positive CHMP opinion" tell an
    /// act done, not one ahead.
    func isFirstToBe(field: Int, _ cue: EventExtractor.Hit, sentence: Range<Int>) -> Bool {
        guard Self.continues(texts[field], at: cue.start, end: cue.end, with: "to be ")
            || Self.continues(texts[field], at: cue.start, end: cue.end, with: "to receive") else { return false }
        let before = max(sentence.lowerBound, cue.start - 80)..<cue.start
        return Temporal.wordRanges(texts[field], before).contains { word in
            let written = text(field: field, word).lowercased()
            // "the 11th anti-PD-(L)1 drug to be approved in the EU"
            return Self.ordinals.contains(written) || (written.first?.isNumber == true && ["st", "nd", "rd", "th"].contains(String(written.suffix(2))))
        }
    }

    /// Whether a title without a product or company heads a page about a scheme: "EU Accelerated
    /// Assessment Tracker", "Update of SAKIGAKE designation system in Japan".
    func isSchemeHeading(field: Int, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        guard isTitle(field), !sentenceHits.contains(where: { hit in
            switch hit.term {
            case .company, .product: return true
            default: return false
            }
        }) else { return false }
        return holdsWord(of: Self.schemeWords, field: field, 0..<texts[field].count)
    }

    /// Whether a title names the designation and little else ("Priority review", "Orphan Drug
    /// Status", "Notice of Compliance with conditions (NOC/c)"): no agency, company or product,
    /// and at most two words besides the phrase. Reference pages are headed so; news is not.
    func isBareHeading(field: Int, trigger: EventExtractor.Hit, sentenceHits: ArraySlice<EventExtractor.Hit>) -> Bool {
        guard !sentenceHits.contains(where: { hit in
            switch hit.term {
            case .agency, .company, .product, .target: return true
            default: return false
            }
        }) else { return false }
        // Words outside every designation phrase: "Notice of Compliance with conditions (NOC/c)"
        // spells one programme twice.
        let phrases = sentenceHits.filter { if case .trigger = $0.term { true } else { false } }.map { $0.start..<$0.end }
        let outside = Temporal.wordRanges(texts[field], 0..<texts[field].count).filter { word in
            !phrases.contains { $0.lowerBound <= word.lowerBound && word.upperBound <= $0.upperBound }
        }
        return outside.count <= 2
    }

    /// A date in the sentence before the item's (`Temporal.earlierDate`), read once per sentence:
    /// a sentence often tells several events.
    func earlierDate(field: Int, _ range: Range<Int>, monthsOnly: Bool) -> String? {
        let cacheable = range.upperBound < 1 << 26 && field < 1 << 10
        let key = field << 53 | range.lowerBound << 27 | range.upperBound << 1 | (monthsOnly ? 1 : 0)
        if cacheable, let known = datedSentences[key] { return known.isEmpty ? nil : known }
        var found: String?
        if Temporal.mayHoldDate(texts[field], range), let reference = reference ?? latestYear.map({ ($0, nil) }) {
            found = Temporal.earlierDate(in: texts[field], range, than: reference, monthsOnly: monthsOnly)
        }
        // No date written is "" (a date found is never empty).
        if cacheable { datedSentences[key] = found ?? "" }
        return found
    }

    /// The products of the nearest earlier sentence of the paragraph that names any, else of the
    /// title: "the FDA granted RMAT designation for these two treatments".
    func productsOfEarlierSentence(field: Int, before offset: Int, orStoredLead: Bool = false) -> [ProductMention]? {
        // Mentions are in text order: the last one before `offset`, then back through its sentence.
        let all = mentions[field]
        if let lastIndex = all.lastIndex(where: { $0.end <= offset }) {
            let range = sentence(field: field, at: all[lastIndex].start)
            var first = lastIndex
            while first > 0, all[first - 1].start >= range.lowerBound { first -= 1 }
            let named = all[first...lastIndex].filter { range.contains($0.start) && $0.end <= offset }
            // "superiority of ENHERTU ... compared to T-DM1": a comparator is not what was acted on.
            let acted = named.filter { !isComparator($0) }
            return Array((acted.isEmpty ? named : acted).prefix(3))
        }
        if let title = texts.indices.first(where: isTitle), title != field, let first = mentions[title].first {
            return [first]
        }
        // A decision ahead ("The European Commission will give its final decision within two
        // months") is the news product's, named in a first paragraph stored as the title.
        if orStoredLead, let lead = texts.indices.first(where: { $0 != field && document.fields[$0].name == "title" && !isTitle($0) }),
           lead < field, !mentions[lead].isEmpty {
            return productsOfEarlierSentence(field: lead, before: texts[lead].count)
        }
        return nil
    }

    /// The subject's targets, modality and companies: from the product vocabulary, from what the
    /// document says of the product, and without a product from the sentence itself.
    func describe(_ subject: ProductMention?, field: Int, range: Range<Int>, sentenceHits: ArraySlice<EventExtractor.Hit>)
        -> (targets: [EntityMatch], targetVia: [String: String], modality: String?, companies: [String]) {
        var targets: [EntityMatch] = []
        var targetVia: [String: String] = [:]
        var modality: String?
        var companies: [String] = []
        func addTarget(_ index: Int32, text written: String, via: String?) {
            let entry = extractor.targets[Int(index)]
            if !targets.contains(where: { $0.id == entry.id }) {
                targets.append(EntityMatch(id: entry.id, label: entry.label, text: written))
                if let via { targetVia[entry.id] = via }
            }
        }
        if let subject {
            let written = text(field: subject.field, subject.start..<subject.end)
            if subject.product >= 0 {
                let product = extractor.products[Int(subject.product)]
                for index in extractor.productTargets[Int(subject.product)] { addTarget(index, text: written, via: product.id) }
                modality = product.modality
                companies = product.companies
            }
            // What the item says of a product adds to the vocabulary only where it knows no target.
            if targets.isEmpty || modality == nil {
                let profile = self.profile(of: subject.key)
                for target in profile.targets { addTarget(target.index, text: target.text, via: nil) }
                if modality == nil, let index = profile.modality { modality = extractor.modalities[Int(index)].id }
            }
            // A name the vocabulary lacks still tells its kind by its stem: "teplizumab" is an antibody.
            if modality == nil, subject.product < 0 { modality = NonproprietaryNames.modality(of: written) }
        } else {
            for hit in sentenceHits {
                switch hit.term {
                case .target(let index) where !isPatientDescriptor(hit, among: sentenceHits):
                    addTarget(index, text: text(field: field, hit.start..<hit.end), via: nil)
                case .modality(let index) where modality == nil:
                    modality = extractor.modalities[Int(index)].id
                default: continue
                }
            }
        }
        if companies.isEmpty {
            func named(in hits: ArraySlice<EventExtractor.Hit>) -> String? {
                for hit in hits { if case .company(let index) = hit.term { return extractor.companies[Int(index)].id } }
                return nil
            }
            // A subject named in another sentence (a list's item, an earlier sentence) has its
            // maker named there: "GlaxoSmithKline's (GSK +0.7%) GSK2696274 for ...".
            var own: String?
            if let subject, subject.field != field || !range.contains(subject.start) {
                own = named(in: hits(field: subject.field, in: sentence(field: subject.field, at: subject.start)))
            }
            companies = (own ?? named(in: sentenceHits)).map { [$0] } ?? issuers
        }
        return (targets, targetVia, modality, companies)
    }

    func makeEvidence(field: Int, range: Range<Int>) -> Evidence {
        Evidence(
            field: document.fields[field].name, text: CompiledRules.oneLine(UnsafeBufferPointer(rebasing: texts[field][range])),
            start: marks[field].scalarOffset(range.lowerBound), end: marks[field].scalarOffset(range.upperBound))
    }
}
