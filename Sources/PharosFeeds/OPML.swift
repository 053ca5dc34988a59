import CLibXML2
import Foundation

/// The feeds an OPML subscription list names (what feed readers export): each outline with an
/// `xmlUrl`, in document order, with its title and the titles of the folders it sits in.
public enum OPML {
    /// One subscription.
    public struct Feed: Sendable, Equatable {
        /// The outline's `title`, else its `text`, trimmed; may be empty.
        public var title: String
        /// The feed address (`xmlUrl`), trimmed.
        public var url: String
        /// The titles of the outlines it is nested in, outermost first.
        public var folders: [String]
        /// The line of the outline in the file.
        public var line: Int

        public init(title: String, url: String, folders: [String] = [], line: Int = 0) {
            self.title = title
            self.url = url
            self.folders = folders
            self.line = line
        }
    }

    /// Why a document is no subscription list, with the line where that was found when known.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var line: Int?
        public var description: String { line.map { "line \($0): \(message)" } ?? message }
    }

    /// The feeds `data` names. Throws ``ReadError`` for a document that is not well-formed XML,
    /// whose root is not `<opml>`, or that names no feed. No network access and no external
    /// entities: the file is read as it is.
    public static func feeds(in data: Data) throws(ReadError) -> [Feed] {
        guard !data.isEmpty else { throw ReadError(message: "the file is empty") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed: xmlDocPtr? = data.withUnsafeBytes { bytes in
            xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), "subscriptions.opml", nil, options)
        }
        guard let document = parsed else {
            let error = xmlGetLastError()
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } }
            throw ReadError(message: "not well-formed XML: \(message ?? "unreadable")", line: error.map { Int($0.pointee.line) })
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document), name(of: root) == "opml" else {
            let found = xmlDocGetRootElement(document).map { "<\(name(of: $0))>" } ?? "nothing"
            throw ReadError(message: "not an OPML document: the root element is \(found), not <opml>")
        }
        guard let body = children(of: root).first(where: { name(of: $0) == "body" }) else {
            throw ReadError(message: "the OPML document has no <body>", line: Int(xmlGetLineNo(root)))
        }
        var feeds: [Feed] = []
        collect(children(of: body), folders: [], into: &feeds)
        if feeds.isEmpty { throw ReadError(message: "the OPML document names no feed (no <outline> with an xmlUrl)") }
        return feeds
    }

    private static func collect(_ nodes: [xmlNodePtr], folders: [String], into feeds: inout [Feed]) {
        for node in nodes where name(of: node) == "outline" {
            let title = (attribute("title", of: node) ?? attribute("text", of: node) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if let url = attribute("xmlUrl", of: node)?.trimmingCharacters(in: .whitespacesAndNewlines), !url.isEmpty {
                feeds.append(Feed(title: title, url: url, folders: folders, line: Int(xmlGetLineNo(node))))
            }
            collect(children(of: node), folders: title.isEmpty ? folders : folders + [title], into: &feeds)
        }
    }

    private static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    private static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func attribute(_ name: String, of node: xmlNodePtr) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { pharos_xml_free(value) }
        return String(cString: value)
    }
}
