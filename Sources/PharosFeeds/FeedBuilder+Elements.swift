import PharosCore

/// What each element means in RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and the modules feeds use (Dublin
/// Core, content, iTunes, Media RSS, XHTML): the role it takes under its parent and the field it fills.
extension FeedBuilder {
    struct Element {
        var name: String
        var prefix: String?
        var namespace: FeedNamespace
        var attributes: [XMLAttribute]
        var base: String?

        func attribute(_ name: String) -> String? {
            attributes.first(where: { $0.name == name && $0.namespace == nil && $0.prefix == nil })?.value
        }

        func rdfAttribute(_ name: String) -> String? {
            attributes.first(where: { $0.name == name && FeedNamespace(uri: $0.namespace, prefix: $0.prefix) == .rdf })?.value
        }

        var fieldKey: String {
            if let fieldPrefix = namespace.fieldPrefix { return "\(fieldPrefix):\(name)" }
            if namespace == .other, let prefix { return "\(prefix):\(name)" }
            return name
        }
    }

    private func isRSS(_ element: Element) -> Bool {
        element.namespace == .rss || (element.namespace == .none && !atomWithoutNamespace)
    }

    private func isAtom(_ element: Element) -> Bool {
        element.namespace == .atom10 || element.namespace == .atom03 || (element.namespace == .none && atomWithoutNamespace)
    }

    private func isAtom03(_ element: Element) -> Bool {
        element.namespace == .atom03 || (element.namespace == .none && format == .atom03)
    }

    var isAtomDocument: Bool { format == .atom10 || format == .atom03 }

    mutating func startRoot(_ element: Element) -> Role {
        rootName = element.prefix.map { "\($0):\(element.name)" } ?? element.name
        switch (element.namespace, element.name) {
        case (_, "rss"):
            format = .rss
            return .root
        case (_, "RDF"):
            format = .rdf
            return .root
        case (.atom10, "feed"), (.atom03, "feed"), (.none, "feed"):
            atomWithoutNamespace = element.namespace == .none
            format = element.namespace == .atom03 || element.attribute("version") == "0.3" ? .atom03 : .atom10
            return .channel
        case (.atom10, "entry"), (.atom03, "entry"):
            format = element.namespace == .atom03 ? .atom03 : .atom10
            return startItem(element)
        case (.none, "channel"):
            format = .rss
            return .channel
        default:
            return .other
        }
    }

    mutating func startUnderRoot(_ element: Element) -> Role {
        guard isRSS(element) else { return .other }
        switch element.name {
        case "channel": return .channel
        case "item": return startItem(element)
        default: return .other
        }
    }

    mutating func startUnderChannel(_ element: Element) -> Role {
        if isRSS(element) {
            switch element.name {
            case "item": return startItem(element)
            case "title": return startCapture(.feedTitle(rank: 0), mode: .html, element)
            case "link":
                let href = element.attribute("href").map { resolveLink($0, base: element.base) }
                return startCapture(.feedLink(rank: 0, href: href), mode: .text, element)
            default: return .other
            }
        }
        if isAtom(element) {
            switch element.name {
            case "entry": return startItem(element)
            case "title": return startCapture(.feedTitle(rank: isAtomDocument ? 0 : 1), mode: atomMode(element), element)
            case "link":
                if let (href, rank) = alternateLink(element) {
                    let offeredRank = isAtomDocument ? rank : rank + 2
                    feedLink.offer(href, rank: offeredRank)
                }
                return .other
            case "author":
                person = PersonDraft(isAuthor: true, forFeed: true)
                return .person
            default: return .other
            }
        }
        if element.namespace == .dc, element.name == "title" {
            return startCapture(.feedTitle(rank: 3), mode: .html, element)
        }
        return .other
    }

    private mutating func startItem(_ element: Element) -> Role {
        var raw = RawItem()
        raw.events.reserveCapacity(16)
        raw.text.reserveCapacity(textCapacity)
        if let about = element.rdfAttribute("about") { raw.events.append(.id(TextTools.trimmed(about), rank: 1)) }
        item = raw
        return .item
    }

    mutating func startUnderItem(_ element: Element) -> Role {
        // Items never nest: one opening inside another means the first was not closed (libxml2
        // recovers a mismatched end tag by closing the innermost element instead).
        if (isRSS(element) && element.name == "item") || (isAtom(element) && element.name == "entry") {
            finishItem()
            return startItem(element)
        }
        if isRSS(element) {
            switch element.name {
            case "title": return startField(.title(rank: 0), mode: .html, element)
            case "link": return startField(.link(rank: 0, href: element.attribute("href")), mode: .text, element)
            case "description": return startField(.summary(rank: 0), mode: .html, element)
            case "guid":
                let permalink = element.attribute("isPermaLink").map { TextTools.trimmed($0).lowercased() != "false" } ?? true
                return startField(.guid(permalink: permalink), mode: .text, element)
            case "pubDate": return startField(.published(rank: 0), mode: .text, element)
            case "author": return startField(.rssAuthor, mode: .html, element)
            case "category": return startField(.category(domain: element.attribute("domain")), mode: .html, element)
            case "enclosure":
                if let url = element.attribute("url") { item?.events.append(.fieldReference("enclosure", url, base: element.base)) }
                return .other
            default: break
            }
        } else if isAtom(element) {
            switch element.name {
            case "title": return startField(.title(rank: isAtomDocument ? 0 : 1), mode: atomMode(element), element)
            case "link":
                if let (href, rank) = alternateLink(element) {
                    let offeredRank = isAtomDocument ? rank : rank + 2
                    item?.events.append(.link(href, rank: offeredRank))
                } else if element.attribute("rel").map(TextTools.trimmed)?.lowercased() == "enclosure", let href = element.attribute("href") {
                    item?.events.append(.fieldReference("enclosure", href, base: element.base))
                }
                return .other
            case "id": return startField(.id(rank: 0), mode: .text, element)
            case "published": return startField(.published(rank: 1), mode: .text, element)
            case "issued": return startField(.published(rank: 1), mode: .text, element)
            case "created": return startField(.published(rank: 4), mode: .text, element)
            case "updated", "modified": return startField(.updated(rank: 0), mode: .text, element)
            case "summary": return startField(.summary(rank: 0), mode: atomMode(element), element)
            case "content":
                // Out-of-line content: its address is the best link an entry without one has.
                if let source = element.attribute("src") { item?.events.append(.linkReference(source, base: element.base, rank: 8)) }
                return startField(.content(rank: 0), mode: atomMode(element), element)
            case "author", "contributor":
                person = PersonDraft(isAuthor: element.name == "author", forFeed: false)
                return .person
            case "category":
                if let term = element.attribute("term") ?? element.attribute("label") { item?.events.append(.category(term, domain: nil)) }
                return .other
            case "source":
                // The feed an entry was copied from: its title, id and dates are not the entry's.
                return .other
            default: break
            }
        } else {
            switch (element.namespace, element.name) {
            case (.content, "encoded"): return startField(.content(rank: 0), mode: .html, element)
            case (.dc, "title"): return startField(.title(rank: 2), mode: .html, element)
            case (.dc, "creator"): return startField(.creator, mode: .html, element)
            case (.dc, "author"): return startField(.rssAuthor, mode: .html, element)
            case (.dc, "date"): return startField(.published(rank: 2), mode: .text, element)
            case (.dc, "subject"): return startField(.category(domain: nil), mode: .html, element)
            case (.dc, "description"): return startField(.summary(rank: 1), mode: .html, element)
            case (.dcterms, "modified"): return startField(.updated(rank: 1), mode: .text, element)
            case (.dcterms, "issued"), (.dcterms, "created"), (.dcterms, "available"):
                return startField(.published(rank: 3), mode: .text, element)
            case (.itunes, "author"): return startField(.itunesAuthor, mode: .html, element)
            case (.itunes, "summary"): return startField(.summary(rank: 2), mode: .html, element)
            case (.media, "title"): return startField(.title(rank: 3), mode: .html, element)
            case (.media, "description"): return startField(.summary(rank: 3), mode: .html, element)
            // XHTML's body in an RSS item: the item's full text, after content:encoded.
            case (.xhtml, "body"): return startField(.content(rank: 1), mode: .xhtml, element)
            case (.xhtml, _), (.rdf, _): return .other
            default: break
            }
        }
        let fallback = element.attribute("url") ?? element.attribute("href")
        return startField(.field(element.fieldKey, fallback: fallback), mode: .text, element)
    }

    mutating func startUnderPerson(_ element: Element) -> Role {
        guard isAtom(element) else { return .other }
        switch element.name {
        case "name": return startCapture(.personName, mode: .text, element)
        case "email": return startCapture(.personEmail, mode: .text, element)
        default: return .other
        }
    }

    /// An Atom `link` that points at the entry's (or feed's) page, with a rank: an alternate
    /// (no `rel` is one) first, HTML before other types; without one, a `related` page, then
    /// the `via` source. `self`, `edit`, `enclosure` and the like are never the page.
    private func alternateLink(_ element: Element) -> (String, Int)? {
        let rel = TextTools.trimmed(element.attribute("rel") ?? "alternate").lowercased()
        let iana = "http://www.iana.org/assignments/relation/"
        let relation = rel.hasPrefix(iana) ? String(rel.dropFirst(iana.count)) : rel
        guard let href = element.attribute("href"), !TextTools.trimmed(href).isEmpty else { return nil }
        let rank: Int
        switch relation {
        case "alternate":
            let type = element.attribute("type")?.lowercased()
            rank = type == nil || type!.utf8.contains("html".utf8) ? 0 : 1
        case "related": rank = 4
        case "via": rank = 5
        default: return nil
        }
        return (resolveLink(href, base: element.base), rank)
    }

    /// Atom text constructs: `type` is text, html, xhtml or a media type; Atom 0.3 adds `mode`.
    private func atomMode(_ element: Element) -> TextMode {
        let type = element.attribute("type").map { TextTools.trimmed($0).lowercased() }
        if isAtom03(element) {
            switch element.attribute("mode").map({ TextTools.trimmed($0).lowercased() }) ?? "xml" {
            case "base64": return type?.utf8.contains("html".utf8) == true ? .base64HTML : .base64
            case "escaped": return type?.utf8.contains("html".utf8) == true ? .html : .text
            default:
                if type == "application/xhtml+xml" || type == "xhtml" { return .xhtml }
                return type?.utf8.contains("html".utf8) == true ? .html : .text
            }
        }
        guard let type, !type.isEmpty else { return .text }
        switch type {
        case "text", "text/plain": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default:
            // Other XML types carry XML, not HTML: its text is read as text.
            if type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .text }
            return .base64
        }
    }
}
