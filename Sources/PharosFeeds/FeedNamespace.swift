/// One attribute of an element, its value already decoded.
struct XMLAttribute {
    var name: String
    var prefix: String?
    var namespace: String?
    var value: String
}

/// The namespaces whose elements mean something to a feed reader.
enum FeedNamespace: Equatable {
    case none, atom10, atom03, rss, rdf, content, dc, dcterms, itunes, media, xhtml, xml, other

    private static let byURI: [String: FeedNamespace] = [
        "http://www.w3.org/2005/atom": .atom10,
        "http://purl.org/atom/ns#": .atom03,
        "http://purl.org/rss/1.0/": .rss,
        "http://my.netscape.com/rdf/simple/0.9/": .rss,
        "http://backend.userland.com/rss2": .rss,
        "http://blogs.law.harvard.edu/tech/rss": .rss,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#": .rdf,
        "http://purl.org/rss/1.0/modules/content/": .content,
        "http://purl.org/dc/elements/1.1/": .dc,
        "http://purl.org/dc/terms/": .dcterms,
        "http://www.itunes.com/dtds/podcast-1.0.dtd": .itunes,
        "http://search.yahoo.com/mrss/": .media,
        "http://search.yahoo.com/mrss": .media,
        "http://www.w3.org/1999/xhtml": .xhtml,
        "http://www.w3.org/xml/1998/namespace": .xml,
    ]

    /// A namespace as feeds declare it: also with a trailing `/` or `#` added or missing
    /// (`http://www.w3.org/2005/Atom/`), and the Atom 1.0 drafts
    /// (`http://purl.org/atom/ns#draft-ietf-atompub-format-08`), which are Atom 1.0.
    private static func lookUp(_ uri: String) -> FeedNamespace? {
        if let known = byURI[uri] { return known }
        if uri.hasPrefix("http://purl.org/atom/ns#draft-") { return .atom10 }
        if let last = uri.last, last == "/" || last == "#" { return byURI[String(uri.dropLast())] }
        return byURI[uri + "/"] ?? byURI[uri + "#"]
    }

    /// Prefixes feeds use without declaring them (libxml2 then reports no namespace URI).
    private static let byPrefix: [String: FeedNamespace] = [
        "atom": .atom10, "content": .content, "dc": .dc, "dcterms": .dcterms, "itunes": .itunes,
        "media": .media, "rdf": .rdf, "xhtml": .xhtml, "xml": .xml,
    ]

    init(uri: String?, prefix: String?) {
        if let uri {
            self = Self.lookUp(uri.lowercased()) ?? .other
        } else if let prefix {
            self = Self.byPrefix[prefix.lowercased()] ?? .other
        } else {
            self = .none
        }
    }

    /// The prefix used in ``Item/fields`` keys.
    var fieldPrefix: String? {
        switch self {
        case .dc: "dc"
        case .dcterms: "dcterms"
        case .content: "content"
        case .itunes: "itunes"
        case .media: "media"
        case .atom10, .atom03: "atom"
        case .rdf: "rdf"
        case .xhtml: "xhtml"
        case .none, .rss, .xml, .other: nil
        }
    }
}
