import Foundation
import PharosSupport

/// One piece of news a source produced: a press release, a feed entry, a file.
public struct Item: Sendable, Codable, Hashable {
    /// Identity within its source: stays the same when the item is edited.
    public var id: String
    /// Changes whenever the content changes; `nil` lets the engine derive it from the fields.
    public var version: String?
    public var title: String
    public var link: String?
    public var published: Date?
    public var updated: Date?
    public var summary: String?
    public var content: String?
    public var authors: [String]
    public var categories: [String]
    /// Anything else the source knows (front matter, feed extension fields).
    public var fields: [String: String]

    public init(
        id: String, version: String? = nil, title: String, link: String? = nil,
        published: Date? = nil, updated: Date? = nil, summary: String? = nil,
        content: String? = nil, authors: [String] = [], categories: [String] = [],
        fields: [String: String] = [:]
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.summary = summary
        self.content = content
        self.authors = authors
        self.categories = categories
        self.fields = fields
    }

    /// The bytes of text the item holds (UTF-8), which bound what a chunk of items costs.
    public var textBytes: Int {
        var total = id.utf8.count + (version?.utf8.count ?? 0) + title.utf8.count + (link?.utf8.count ?? 0)
        total += (summary?.utf8.count ?? 0) + (content?.utf8.count ?? 0)
        total += authors.reduce(0) { $0 + $1.utf8.count } + categories.reduce(0) { $0 + $1.utf8.count }
        return fields.reduce(total) { $0 + $1.key.utf8.count + $1.value.utf8.count }
    }

    /// The version the engine records: the source's, or a hash of everything matched on.
    public var effectiveVersion: String {
        if let version { return version }
        let parts = [title, link ?? "", summary ?? "", content ?? "", categories.joined(separator: "\u{1F}")]
        return SHA256.hex(parts.joined(separator: "\u{1E}")).prefix(32).description
    }
}
