import Foundation
import PharosCore
import PharosSupport

/// Turns one document, a press release saved as text, Markdown, HTML or JSON, into an
/// ``Item``: what the folder source does for each file and `pharos match` for each path.
public enum Document {
    /// The file types read as documents when a folder source lists no `extensions`, and the
    /// ones `pharos match` picks inside folders.
    public static let defaultExtensions: Set<String> = ["txt", "md", "markdown", "html", "htm", "json"]

    /// Why a file was not turned into an item.
    public enum SkipReason: Error, Equatable, CustomStringConvertible {
        case unreadable(String), binary, empty, tooLarge(Int64), malformedJSON(String)

        public var description: String {
            switch self {
            case .unreadable(let reason): "cannot be read (\(reason))"
            case .binary: "is not text (binary content)"
            case .empty: "is empty"
            case .tooLarge(let size): "is \(size) bytes, over the max_file_size limit"
            case .malformedJSON(let reason): "is not a valid JSON document (\(reason))"
            }
        }
    }

    /// Turns the bytes of one document into an item, as the folder source does for a file:
    /// `format` is a file extension (`md`, `txt`, `html`, `json`); anything else is read as text.
    /// `versionPrefix` nil leaves the version to the engine (and skips hashing the text).
    public static func item(
        _ data: Data, format: String, id: String, fallbackTitle: String, versionPrefix: String? = nil,
        modified: Date? = nil, path: String? = nil
    ) -> Result<Item, SkipReason> {
        guard let text = DocumentText.decode(data) else { return .failure(.binary) }
        if text.allSatisfy(\.isWhitespace) { return .failure(.empty) }
        let version = versionPrefix.map { $0 + SHA256.hex(text).prefix(24) }
        let parsed: ParsedDocument
        switch format.lowercased() {
        case "html", "htm": parsed = ParsedDocument(html: text)
        case "json":
            do { parsed = try ParsedDocument(json: data) } catch { return .failure(.malformedJSON(error.description)) }
        case "md", "markdown": parsed = ParsedDocument(markdown: text)
        default: parsed = ParsedDocument(text: text)
        }
        return .success(Item(
            id: id, version: version, title: parsed.title ?? fallbackTitle,
            link: parsed.link, published: parsed.published ?? modified, updated: parsed.updated,
            summary: parsed.summary, content: parsed.content, authors: parsed.authors,
            categories: parsed.categories, fields: parsed.fields.merging(path.map { ["path": $0] } ?? [:]) { first, _ in first }))
    }

    /// ``item(_:format:id:fallbackTitle:versionPrefix:modified:path:)`` for bytes in a
    /// buffer the caller reuses: a plain text file, the usual case, becomes an item without
    /// first becoming one string; any other goes the general way.
    public static func item(bytes: UnsafeRawBufferPointer, format: String, id: String, fallbackTitle: String) -> Result<Item, SkipReason> {
        switch format.lowercased() {
        case "html", "htm", "json", "md", "markdown": break
        default:
            if let (title, content) = DocumentText.plainText(bytes.assumingMemoryBound(to: UInt8.self)) {
                return .success(Item(
                    id: id, version: nil, title: title, link: nil, published: nil, updated: nil, summary: nil,
                    content: content, authors: [], categories: [], fields: [:]))
            }
        }
        return item(Data(bytes), format: format, id: id, fallbackTitle: fallbackTitle)
    }
}
