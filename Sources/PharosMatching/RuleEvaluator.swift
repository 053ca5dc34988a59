import Foundation
import PharosCore

/// The text of an item as the matcher sees it: named fields, matched in order.
public struct MatchDocument: Sendable {
    public var fields: [(name: String, text: String)]
    /// When the item was published: events dated well before it are background.
    public var published: Date?

    public init(fields: [(name: String, text: String)], published: Date? = nil) {
        self.fields = fields
        self.published = published
    }

    /// Title, summary, content and categories of an item.
    public init(item: Item) {
        var fields: [(String, String)] = [("title", item.title)]
        if let summary = item.summary, !summary.isEmpty { fields.append(("summary", summary)) }
        if let content = item.content, !content.isEmpty { fields.append(("content", content)) }
        if !item.categories.isEmpty { fields.append(("categories", item.categories.joined(separator: "\n\n"))) }
        self.fields = fields
        published = item.published
    }
}

/// One rule that matched one document.
public struct RuleMatch: Sendable {
    public var rule: String
    public var matches: Matches
    public var evidence: [Evidence]
    /// The regulatory events that made the rule fire.
    public var events: [RegulatoryEvent] = []
}

/// Evaluates every rule over a document. The engine depends only on this.
public protocol RuleEvaluator: Sendable {
    /// The rules, in config order.
    var rules: [Rule] { get }
    /// The rules that match `document`, in config order.
    func evaluate(_ document: MatchDocument) -> [RuleMatch]
    /// The rules that match the document of these fields, given as their UTF-8 (valid
    /// UTF-8, as a `String`'s is), in config order: for a caller that holds the bytes already
    /// (a backtest reads them from the archive) and would otherwise make a `String` of each.
    func evaluate(utf8 fields: [(name: String, text: UnsafeBufferPointer<UInt8>)], published: Date?) -> [RuleMatch]
}

extension RuleEvaluator {
    public func evaluate(utf8 fields: [(name: String, text: UnsafeBufferPointer<UInt8>)], published: Date?) -> [RuleMatch] {
        evaluate(MatchDocument(fields: fields.map { ($0.name, String(decoding: $0.text, as: UTF8.self)) }, published: published))
    }
}

