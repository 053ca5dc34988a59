import CLibXML2
import PharosText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one libxml2 parse, reached from the C callbacks through the parser context's
/// `_private` pointer.
final class SAXSession {
    static let warningLimit = 50
    /// Most text all entity references of one document may expand to.
    static let entityBudget = 1 << 20
    /// Most text one entity may expand to.
    static let entityLimit = 256 * 1024

    /// Behind a pointer: as a stored property of a class, each access per SAX event would be
    /// checked for exclusivity at run time.
    private let builderStorage: UnsafeMutablePointer<FeedBuilder>
    var builder: FeedBuilder {
        get { builderStorage.pointee }
        _modify { yield &builderStorage.pointee }
    }
    private(set) var wellFormed = true
    /// Namespace URIs met, with what they mean: a feed uses a handful, and an element's is
    /// found here without making a `String` of it.
    private var namespaces: [(bytes: [UInt8], namespace: FeedNamespace)] = []
    private var warnings: [String] = []
    private var suppressedWarnings = 0

    private enum Declared {
        case `internal`(String)
        case external
    }

    private var declared: [String: Declared] = [:]
    private var expansions: [String: String] = [:]
    private var contentEntities: [String: UnsafeMutablePointer<xmlEntity>] = [:]
    private var attributeEntities: [String: UnsafeMutablePointer<xmlEntity>] = [:]
    private var exhaustedEntity: UnsafeMutablePointer<xmlEntity>?
    private var expandedBytes = 0
    private var budgetExceeded = false
    private var undeclared: [(name: String, line: Int, count: Int, html: Bool)] = []
    private var externalReferences: Set<String> = []

    init(builder: FeedBuilder) {
        builderStorage = .allocate(capacity: 1)
        builderStorage.initialize(to: builder)
    }

    deinit {
        builderStorage.deinitialize(count: 1)
        builderStorage.deallocate()
        for entity in contentEntities.values { Self.release(entity) }
        for entity in attributeEntities.values { Self.release(entity) }
        if let exhaustedEntity { Self.release(exhaustedEntity) }
    }

    // MARK: - Running

    func run(_ input: inout XMLInput, consumed: (Int) -> Void, stop: () -> Bool) {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localName, prefix, uri, _, _, attributeCount, _, attributes in
            guard let context, let localName else { return }
            SAXSession.with(context) { session in
                var decoded: [XMLAttribute] = []
                if let attributes, attributeCount > 0 {
                    decoded.reserveCapacity(Int(attributeCount))
                    for index in 0..<Int(attributeCount) {
                        let base = index * 5
                        guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
                        let raw = UnsafeBufferPointer(start: start, count: end - start)
                        let value = String(decoding: raw, as: UTF8.self)
                        decoded.append(XMLAttribute(
                            name: session.name(name), prefix: attributes[base + 1].map { session.name($0) },
                            namespace: attributes[base + 2].map { session.name($0) },
                            value: raw.contains(UInt8(ascii: "&")) ? session.decodeAttribute(value) : value
                        ))
                    }
                }
                let prefixName = prefix.map { session.name($0) }
                session.builder.startElement(
                    session.name(localName), prefix: prefixName,
                    namespace: session.namespace(uri, prefix: prefixName), attributes: decoded
                )
            }
            SAXSession.keepRecovering(context)
        }
        handler.endElementNs = { context, localName, prefix, _ in
            guard let context, let localName else { return }
            SAXSession.with(context) { session in
                session.builder.endElement { (session.name(localName), prefix.map { session.name($0) }) }
            }
            SAXSession.keepRecovering(context)
        }
        let characters: charactersSAXFunc = { context, text, length in
            guard let context, let text, length > 0 else { return }
            SAXSession.with(context) { $0.builder.characters(UnsafeBufferPointer(start: text, count: Int(length))) }
            SAXSession.keepRecovering(context)
        }
        handler.characters = characters
        handler.cdataBlock = characters
        handler.ignorableWhitespace = characters
        handler.getEntity = { context, name in
            guard let context, let name else { return nil }
            SAXSession.keepRecovering(context)
            return SAXSession.from(context).entity(String(cString: name), context: context)
        }
        handler.entityDecl = { context, name, type, _, _, content in
            guard let context, let name else { return }
            SAXSession.from(context).declare(String(cString: name), type: type, content: content.map { String(cString: $0) })
        }
        handler.serror = { context, error in
            guard let context, let error else { return }
            SAXSession.from(context).record(error.pointee)
        }

        guard let context = xmlCreatePushParserCtxt(&handler, nil, nil, 0, nil) else {
            wellFormed = false
            warnings.append("libxml2 could not create a parser")
            return
        }
        context.pointee._private = Unmanaged.passUnretained(self).toOpaque()
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOCDATA.rawValue
            | XML_PARSE_IGNORE_ENC.rawValue
        xmlCtxtUseOptions(context, Int32(options))
        input.feed(chunkSize: XMLFeedReader.chunkSize, consumed: consumed) { piece in
            guard let base = piece.baseAddress, context.pointee.instate != XML_PARSER_EOF, !stop(), builder.exhausted == nil else { return false }
            let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            // A piece can be longer than a chunk (it ends after the construct the repair scan was in):
            // a long one is fed a chunk at a time, but a short remainder goes with the chunk before it.
            var offset = 0
            while offset < piece.count, context.pointee.instate != XML_PARSER_EOF {
                let rest = piece.count - offset
                let size = rest < 2 * XMLFeedReader.chunkSize ? rest : XMLFeedReader.chunkSize
                xmlParseChunk(context, chars + offset, Int32(size), 0)
                offset += size
            }
            return context.pointee.instate != XML_PARSER_EOF
        }
        // A document left unread on purpose (a limit reached) is not ended: that would only add
        // libxml2's complaint that it ended early.
        if builder.exhausted == nil { xmlParseChunk(context, nil, 0, 1) }
        if let document = context.pointee.myDoc {
            xmlFreeDoc(document)
            context.pointee.myDoc = nil
        }
        context.pointee._private = nil
        xmlFreeParserCtxt(context)
    }

    /// Element and attribute names, prefixes and namespaces met, by where libxml2 keeps them (one place per name, in its
    /// dictionary), with their bytes and a NUL to check that the place still holds that name.
    private var names = [(pointer: UnsafePointer<xmlChar>?, bytes: [UInt8], name: String)](repeating: (nil, [], ""), count: 64)

    /// The name at `pointer` as a `String`, made once per name rather than once per element.
    private func name(_ pointer: UnsafePointer<xmlChar>) -> String {
        let slot = Int(truncatingIfNeeded: UInt(bitPattern: pointer) >> 3) & (names.count - 1)
        if names[slot].pointer == pointer, names[slot].bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, pointer, $0.count) == 0 }) {
            return names[slot].name
        }
        let name = String(cString: pointer)
        names[slot] = (pointer, Array(name.utf8) + [0], name)
        return name
    }

    /// What the namespace URI `uri` (nil: none) means.
    private func namespace(_ uri: UnsafePointer<xmlChar>?, prefix: String?) -> FeedNamespace {
        guard let uri else { return FeedNamespace(uri: nil, prefix: prefix) }
        let length = strlen(UnsafeRawPointer(uri).assumingMemoryBound(to: CChar.self))
        for entry in namespaces where entry.bytes.count == length
            && entry.bytes.withUnsafeBufferPointer({ length == 0 || memcmp($0.baseAddress!, uri, length) == 0 }) {
            return entry.namespace
        }
        let bytes = Array(UnsafeBufferPointer(start: uri, count: length))
        let namespace = FeedNamespace(uri: String(decoding: bytes, as: UTF8.self), prefix: prefix)
        if namespaces.count < 16 { namespaces.append((bytes, namespace)) }
        return namespace
    }

    /// Runs `body` with the session of `context`, without retaining and releasing it (which, per
    /// SAX event, cost more than most events' own work): the session outlives the parse.
    @inline(__always)
    private static func with<Result>(_ context: UnsafeMutableRawPointer, _ body: (SAXSession) -> Result) -> Result {
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        return Unmanaged<SAXSession>.fromOpaque(parser.pointee._private)._withUnsafeGuaranteedRef(body)
    }

    private static func from(_ context: UnsafeMutableRawPointer) -> SAXSession {
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        return Unmanaged<SAXSession>.fromOpaque(parser.pointee._private).takeUnretainedValue()
    }

    /// In recovery mode libxml2 keeps parsing after a fatal error but, with `wellFormed` cleared,
    /// silently drops every later entity reference, `&amp;` and `&lt;` included, which turns
    /// escaped HTML into garbage. The flag is ours to keep (``wellFormed``), so it is set back.
    private static func keepRecovering(_ context: UnsafeMutableRawPointer) {
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        if parser.pointee.wellFormed == 0 { parser.pointee.wellFormed = 1 }
    }

    private static func line(_ context: UnsafeMutableRawPointer) -> Int {
        Int(xmlSAX2GetLineNumber(context))
    }

    // MARK: - Errors

    fileprivate func record(_ error: xmlError) {
        if error.level == XML_ERR_FATAL { wellFormed = false }
        guard let message = error.message else { return }
        let text = Self.trimmed(String(cString: message))
        let line = error.line > 0 ? "line \(error.line): " : ""
        warn(line + text)
    }

    /// `text` without what Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` took
    /// away (Unicode White_Space and U+200B, by Unicode scalar), the same text as before but on
    /// the standard library (the memory rules of docs/ARCHITECTURE.md); ``TextTools/trimmed(_:)``
    /// would keep U+200B.
    static func trimmed(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar == "\u{200B}" }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }

    private func warn(_ text: String) {
        guard warnings.last != text else { return }
        if warnings.count >= Self.warningLimit {
            suppressedWarnings += 1
        } else {
            warnings.append(text)
        }
    }

    func finalWarnings() -> [String] {
        var result = warnings
        for entry in undeclared.prefix(20) {
            let meaning = entry.html ? "read as the HTML entity" : "kept as text"
            result.append("line \(entry.line): undeclared entity &\(entry.name); \(meaning)\(entry.count > 1 ? " (\(entry.count) times)" : "")")
        }
        if undeclared.count > 20 { result.append("… and \(undeclared.count - 20) more undeclared entities") }
        for name in externalReferences.sorted() { result.append("external entity &\(name); not loaded") }
        if budgetExceeded { result.append("entity expansion stopped at \(Self.entityBudget) bytes") }
        if suppressedWarnings > 0 { result.append("… and \(suppressedWarnings) more") }
        return result
    }

    // MARK: - Entities

    fileprivate func declare(_ name: String, type: Int32, content: String?) {
        guard declared[name] == nil else { return }
        switch xmlEntityType(UInt32(type)) {
        case XML_INTERNAL_GENERAL_ENTITY: declared[name] = .internal(content ?? "")
        case XML_EXTERNAL_GENERAL_PARSED_ENTITY, XML_EXTERNAL_GENERAL_UNPARSED_ENTITY: declared[name] = .external
        default: break
        }
    }

    /// The entity libxml2 asked for. In content it is handed out as "predefined", which makes
    /// libxml2 pass its text straight to `characters`; in attribute values it is an empty
    /// internal entity, so libxml2 leaves `&name;` in the value and ``decodeAttribute(_:)``
    /// replaces it.
    fileprivate func entity(_ name: String, context: UnsafeMutableRawPointer) -> UnsafeMutablePointer<xmlEntity>? {
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        if parser.pointee.instate != XML_PARSER_CONTENT {
            if declared[name] == nil && HTMLEntities.scalars[name] == nil {
                noteUndeclared(name, html: false, context: context)
            }
            return attributeEntity(name)
        }
        if let cached = contentEntities[name] {
            return charge(cached)
        }
        let text: String
        switch declared[name] {
        case .internal?:
            text = expansion(of: name, chain: [name])
        case .external?:
            externalReferences.insert(name)
            text = ""
        case nil:
            if let character = HTMLEntities.character(name) {
                if parser.pointee.hasExternalSubset == 0 { noteUndeclared(name, html: true, context: context) }
                text = character
            } else {
                noteUndeclared(name, html: false, context: context)
                text = "&\(name);"
            }
        }
        let entity = Self.makeEntity(name, content: text, type: XML_INTERNAL_PREDEFINED_ENTITY)
        contentEntities[name] = entity
        return charge(entity)
    }

    /// Counts an expansion against the budget; past it, references expand to nothing.
    private func charge(_ entity: UnsafeMutablePointer<xmlEntity>) -> UnsafeMutablePointer<xmlEntity> {
        let length = Int(entity.pointee.length)
        guard expandedBytes + length <= Self.entityBudget else {
            budgetExceeded = true
            if exhaustedEntity == nil { exhaustedEntity = Self.makeEntity("", content: "", type: XML_INTERNAL_PREDEFINED_ENTITY) }
            return exhaustedEntity!
        }
        expandedBytes += length
        return entity
    }

    private func attributeEntity(_ name: String) -> UnsafeMutablePointer<xmlEntity> {
        if let cached = attributeEntities[name] { return cached }
        let entity = Self.makeEntity(name, content: "", type: XML_INTERNAL_GENERAL_ENTITY)
        attributeEntities[name] = entity
        return entity
    }

    private func noteUndeclared(_ name: String, html: Bool, context: UnsafeMutableRawPointer) {
        if let index = undeclared.firstIndex(where: { $0.name == name }) {
            undeclared[index].count += 1
            return
        }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        // With an external DTD that was not read, an unknown entity is not an error (XML 1.0 4.1).
        if parser.pointee.hasExternalSubset == 0 && parser.pointee.hasPErefs == 0 { wellFormed = false }
        undeclared.append((name, Self.line(context), 1, html))
    }

    /// The replacement text of a declared internal entity, references inside it expanded,
    /// markup kept as text; loops and depth are cut, and the result is bounded.
    private func expansion(of name: String, chain: [String]) -> String {
        if let cached = expansions[name] { return cached }
        guard case .internal(let raw)? = declared[name] else { return "" }
        var output = ""
        var rest = Substring(raw)
        while let ampersand = rest.firstIndex(of: "&") {
            output += rest[..<ampersand]
            let afterAmpersand = rest.index(after: ampersand)
            guard let semicolon = rest[afterAmpersand...].prefix(64).firstIndex(of: ";") else {
                output += "&"
                rest = rest[afterAmpersand...]
                continue
            }
            let reference = String(rest[afterAmpersand..<semicolon])
            rest = rest[rest.index(after: semicolon)...]
            if let predefined = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"][reference] {
                output += predefined
            } else if case .internal? = declared[reference], !chain.contains(reference), chain.count < 16 {
                output += expansion(of: reference, chain: chain + [reference])
            } else if let character = HTMLEntities.character(reference) {
                output += character
            } else if case .external? = declared[reference] {
                externalReferences.insert(reference)
            } else {
                output += "&\(reference);"
            }
            if output.utf8.count > Self.entityLimit {
                budgetExceeded = true
                break
            }
        }
        if output.utf8.count <= Self.entityLimit { output += rest }
        if output.utf8.count > Self.entityLimit {
            budgetExceeded = true
            output = String(decoding: output.utf8.prefix(Self.entityLimit), as: UTF8.self)
        }
        expansions[name] = output
        return output
    }

    /// Attribute values as libxml2 hands them over without entity substitution: `&amp;` comes
    /// as `&#38;`, other references as written.
    fileprivate func decodeAttribute(_ value: String) -> String {
        guard value.utf8.contains(UInt8(ascii: "&")) else { return value }
        return HTMLEntities.decode(value) { [self] name in
            guard case .internal? = declared[name] else { return nil }
            return expansion(of: name, chain: [name])
        }
    }

    private static func makeEntity(_ name: String, content: String, type: xmlEntityType) -> UnsafeMutablePointer<xmlEntity> {
        let entity = UnsafeMutablePointer<xmlEntity>.allocate(capacity: 1)
        entity.initialize(to: xmlEntity())
        entity.pointee.type = XML_ENTITY_DECL
        entity.pointee.name = UnsafePointer(strdup(name).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: xmlChar.self) })
        entity.pointee.content = strdup(content).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: xmlChar.self) }
        entity.pointee.length = Int32(content.utf8.count)
        entity.pointee.etype = type
        return entity
    }

    private static func release(_ entity: UnsafeMutablePointer<xmlEntity>) {
        if let name = entity.pointee.name { free(UnsafeMutableRawPointer(mutating: name)) }
        if let content = entity.pointee.content { free(content) }
        // After a declaration libxml2 looks the entity up and hands it the raw value (`orig`),
        // allocated with its own allocator, to keep.
        if let orig = entity.pointee.orig { pharos_xml_free(orig) }
        entity.deinitialize(count: 1)
        entity.deallocate()
    }
}
