import PharosCore

extension CompiledRules {
    /// Drops hits of contextual company names ("Kite", "Janssen", "Legend") that the text does
    /// not make the company: kept when written with a capital and followed by a company word
    /// ("Kite Pharma", "Janssen announced", "Kite's", "Kite, a Gilead Company"), preceded by
    /// "subsidiary" or "company", or when the item names the company another way (its full
    /// name or one of its products).
    func dropOutOfContext(_ hits: inout [Hit], texts: [UnsafeBufferPointer<UInt8>]) {
        guard hits.contains(where: { isContextual[Int($0.atom)] }) else { return }
        var namedOtherwise: Set<String> = []
        for hit in hits where !isContextual[Int(hit.atom)] && atoms[Int(hit.atom)].kind == .entity(.company) {
            namedOtherwise.insert(atoms[Int(hit.atom)].id)
        }
        hits.removeAll { hit in
            guard isContextual[Int(hit.atom)] else { return false }
            let text = texts[Int(hit.field)]
            guard (0x41...0x5A).contains(text[Int(hit.start)]) else { return true }
            if namedOtherwise.contains(atoms[Int(hit.atom)].id) { return false }
            return !Self.contextMakesCompany(text, start: Int(hit.start), end: Int(hit.end))
        }
    }

    /// Drops the hits of a product's name written inside another product's longer name:
    /// "Trastuzumab Deruxtecan for Injection" names Enhertu, not Herceptin (nor Roche).
    func dropInsideLongerNames(_ hits: inout [Hit], texts: [UnsafeBufferPointer<UInt8>]) {
        hits.removeAll { hit in
            guard let names = longerNames[hit.atom] else { return false }
            let text = texts[Int(hit.field)]
            let (start, end) = (Int(hit.start), Int(hit.end))
            // `matches` keeps every offset inside the text, so the bytes around are there to read.
            return names.contains { name in
                LongerName.matches(text, from: start - name.before.count, name.before)
                    && LongerName.matches(text, from: start, name.word) && LongerName.matches(text, from: end, name.after)
                    && (end + name.after.count == text.count || !LongerName.isNameByte(text[end + name.after.count]))
                    && (start - name.before.count == 0 || !LongerName.isNameByte(text[start - name.before.count - 1]))
            }
        }
    }

    /// Drops the company hits spelled by a product named as another drug's partner or as the
    /// patients' earlier treatment: "Sarclisa in combination with carfilzomib and dexamethasone"
    /// is no news of Amgen's, "refractory to lenalidomide" none of Bristol Myers Squibb's.
    func dropCombinationPartners(_ hits: inout [Hit], texts: [UnsafeBufferPointer<UInt8>]) {
        guard hits.contains(where: { atomVia[Int($0.atom)] != nil && atomKinds[Int($0.atom)] == .entity(.company) }) else { return }
        hits.removeAll { hit in
            guard atomVia[Int(hit.atom)] != nil, atomKinds[Int(hit.atom)] == .entity(.company) else { return false }
            return Self.isPartner(texts[Int(hit.field)], start: Int(hit.start))
        }
    }

    static let partnerWords: Set<String> = [
        "with", "plus", "including", "includes", "included", "after", "following", "prior", "previous", "+", "and/or",
    ]
    static let listWords: Set<String> = ["and", "or", ","]

    /// Whether the words before `start` make the product there a partner or an earlier therapy: a
    /// partner word just before it, or before the one or two names of a list it ends.
    static func isPartner(_ text: UnsafeBufferPointer<UInt8>, start: Int) -> Bool {
        var words: [String] = []
        var end = start
        while words.count < 5, end > 0 {
            while end > 0, text[end - 1] == 0x20 { end -= 1 }
            guard end > 0 else { break }
            let last = text[end - 1]
            // A sentence or clause ends the reading back.
            if last == 0x2E || last == 0x3B || last == 0x3A || last == 0x0A || last == 0x28 || last == 0x29 { break }
            if last == 0x2C || last == 0x2B {
                words.append(last == 0x2C ? "," : "+")
                end -= 1
                continue
            }
            var begin = end
            while begin > 0, text[begin - 1] != 0x20, text[begin - 1] != 0x2C, text[begin - 1] != 0x28, text[begin - 1] != 0x0A { begin -= 1 }
            words.append(String(decoding: UnsafeBufferPointer(rebasing: text[begin..<end]), as: UTF8.self).lowercased())
            end = begin
        }
        guard let first = words.first else { return false }
        if partnerWords.contains(first) { return true }
        guard listWords.contains(first) else { return false }
        // "with carfilzomib and dexamethasone", "lenalidomide, pomalidomide and bortezomib".
        return words.dropFirst().prefix(4).contains { partnerWords.contains($0) }
    }

    /// Words after or before a contextual name that make it the company, lower-cased bytes.
    static let companyWordsAfter: [[UInt8]] = [
        " pharma", " pharmaceutical", " biotech", " therapeutics", " inc", " research", " biologics", " oncology", " bio", " ltd",
        " llc", " corp", " holdings", ", a ", " (a ", "'s ", "’s ", " announced", " announces", " said", " says", " today",
        " reported", " reports", " has announced", " has received", " has submitted", " plans", " expects", " received",
        " receives", " submitted", "-cilag", " global", " sciences", " scientific",
    ].map { Array($0.utf8) }
    static let companyWordsBefore: [[UInt8]] = ["subsidiary ", "company ", "unit ", "division ", "partner ", "subsidiaries "]
        .map { Array($0.utf8) }

    static func contextMakesCompany(_ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Bool {
        func lowered(_ range: Range<Int>) -> [UInt8] {
            text[range].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        }
        let after = lowered(end..<min(text.count, end + 16))
        if companyWordsAfter.contains(where: { after.starts(with: $0) }) { return true }
        let before = lowered(max(0, start - 14)..<start)
        return companyWordsBefore.contains { before.count >= $0.count && before.suffix($0.count).elementsEqual($0) }
    }

    /// Adds to `match` the events its rule's clauses accepted: their designations, targets,
    /// companies and products as matched entities, and their sentences first among the evidence.
    /// `all` holds every accepted event (the others may be nil: never made).
    func addEvents(to match: inout RuleMatch, rule: Int, slotEvents: [Int: [Int]], events all: [RegulatoryEvent?]) {
        // One event per action and product: the title, lead and body often tell the same one.
        var events: [RegulatoryEvent] = []
        var toldIndices: [Int] = []
        for (slot, accepted) in slotEvents.sorted(by: { $0.key < $1.key }) where Int(slotRule[slot]) == rule {
            for index in accepted where !toldIndices.contains(index) {
                toldIndices.append(index)
                guard let event = all[index] else { continue }
                let product = event.productID ?? event.product?.uppercased()
                if let same = events.firstIndex(where: { $0.action == event.action && ($0.productID ?? $0.product?.uppercased()) == product }) {
                    // The title rarely says the indication; the lead does.
                    if events[same].indication == nil { events[same].indication = event.indication }
                } else {
                    events.append(event)
                }
            }
        }
        guard !events.isEmpty else { return }
        match.events = events
        var evidence: [Evidence] = []
        for event in toldIndices.sorted().compactMap({ all[$0] }) {
            if !match.matches.designations.contains(where: { $0.id == event.action && $0.text == event.text }) {
                match.matches.designations.append(EntityMatch(id: event.action, label: event.label, text: event.text))
            }
            for target in event.targets where !match.matches.targets.contains(where: { $0.id == target.id }) {
                match.matches.targets.append(target)
                if let via = event.targetVia[target.id] { match.matches.via["target:\(target.id)"] = via }
            }
            for company in event.companies where !match.matches.companies.contains(where: { $0.id == company }) {
                match.matches.companies.append(EntityMatch(id: company, label: company, text: company))
            }
            if let product = event.product, !match.matches.products.contains(where: { $0.text == product }) {
                match.matches.products.append(EntityMatch(id: event.productID ?? product, label: product, text: product))
            }
            if !evidence.contains(event.evidence) { evidence.append(event.evidence) }
        }
        match.evidence = Array((evidence + match.evidence.filter { !evidence.contains($0) }).prefix(Self.evidenceLimit))
    }
}

/// Another product's longer name that holds a product's spelling, as the bytes around it.
struct LongerName: Sendable {
    let word: [UInt8]
    let before: [UInt8]
    let after: [UInt8]

    /// Lower case, with hyphens as spaces: how names are compared here.
    static func normalised(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        for byte in bytes {
            let plain = plain(byte)
            if plain == 0x20, result.last == 0x20 { continue }
            result.append(plain)
        }
        return result
    }

    @inline(__always) static func plain(_ byte: UInt8) -> UInt8 {
        byte == 0x2D ? 0x20 : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
    }

    /// Whether `text` holds `expected` (normalised) at `offset`.
    static func matches(_ text: UnsafeBufferPointer<UInt8>, from offset: Int, _ expected: [UInt8]) -> Bool {
        guard offset >= 0, offset + expected.count <= text.count else { return false }
        for (index, byte) in expected.enumerated() where plain(text[offset + index]) != byte { return false }
        return true
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }
}
