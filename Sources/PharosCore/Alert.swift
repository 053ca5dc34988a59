import Foundation
import PharosSupport

/// One entity or phrase a rule matched: `{"id": "TNFRSF17", "label": "BCMA", "text": "BCMA"}`.
public struct EntityMatch: Sendable, Codable, Hashable {
    /// Canonical id: HGNC symbol, designation slug, company name, or the keyword itself.
    public var id: String
    /// Human label of the entity.
    public var label: String
    /// The text as it was written in the item.
    public var text: String

    @inlinable
    public init(id: String, label: String, text: String) {
        self.id = id
        self.label = label
        self.text = text
    }

    /// `{"id", "label", "text"}`, and `"via"` when the entity was found through a product.
    public func jsonValue(via: String? = nil) -> JSONWriter.Value {
        var members: [(String, JSONWriter.Value)] = [("id", .string(id)), ("label", .string(label)), ("text", .string(text))]
        if let via { members.append(("via", .string(via))) }
        return .object(members)
    }

    /// The JSON form, which may carry `via`.
    struct Written: Decodable {
        var id: String
        var label: String
        var text: String
        var via: String?
    }
}

/// What a rule matched, grouped by kind.
public struct Matches: Sendable, Codable, Hashable {
    public var targets: [EntityMatch]
    public var designations: [EntityMatch]
    public var companies: [EntityMatch]
    public var keywords: [EntityMatch]
    public var products: [EntityMatch]
    public var modalities: [EntityMatch]
    /// Entities found through a product the item named rather than the entity itself, keyed
    /// `kind:id` (`target:CD19` → `axicabtagene-ciloleucel`). Kept apart from the entities: most
    /// matches have none, and the matcher builds thousands of entities.
    public var via: [String: String] = [:]

    public init(
        targets: [EntityMatch] = [], designations: [EntityMatch] = [],
        companies: [EntityMatch] = [], keywords: [EntityMatch] = [],
        products: [EntityMatch] = [], modalities: [EntityMatch] = []
    ) {
        self.targets = targets
        self.designations = designations
        self.companies = companies
        self.keywords = keywords
        self.products = products
        self.modalities = modalities
    }

    /// The entities matched of `kind`.
    public subscript(kind: EntityKind) -> [EntityMatch] {
        // A switch, not the key path: each alert's document reads every list.
        get {
            switch kind {
            case .target: targets
            case .designation: designations
            case .company: companies
            case .product: products
            case .modality: modalities
            }
        }
        set { self[keyPath: Self.list(kind)] = newValue }
        // In place and without a key path (its projection costs more than the append): the
        // matcher appends thousands of entities one by one.
        _modify {
            switch kind {
            case .target: yield &targets
            case .designation: yield &designations
            case .company: yield &companies
            case .product: yield &products
            case .modality: yield &modalities
            }
        }
    }

    private static func list(_ kind: EntityKind) -> WritableKeyPath<Matches, [EntityMatch]> {
        kind.pick(\.targets, \.designations, \.companies, \.products, \.modalities)
    }

    /// `body` for each list the document shows, in its order, with the singular that keys
    /// `via`: targets, designations, companies, keywords, then the kinds listed only when not empty.
    func forEachList(_ body: (_ key: String, _ singular: String, _ entities: [EntityMatch]) throws -> Void) rethrows {
        for kind in EntityKind.allCases where kind.isAlwaysListed { try body(kind.plural, kind.rawValue, self[kind]) }
        try body("keywords", "keyword", keywords)
        for kind in EntityKind.allCases where !kind.isAlwaysListed && !self[kind].isEmpty { try body(kind.plural, kind.rawValue, self[kind]) }
    }

    struct ListKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ListKey.self)
        var via: [String: String] = [:]
        func list(_ plural: String, _ singular: String) throws -> [EntityMatch] {
            try (container.decodeIfPresent([EntityMatch.Written].self, forKey: ListKey(stringValue: plural)) ?? []).map { written in
                if let product = written.via { via["\(singular):\(written.id)"] = product }
                return EntityMatch(id: written.id, label: written.label, text: written.text)
            }
        }
        self.init(keywords: try list("keywords", "keyword"))
        for kind in EntityKind.allCases { self[kind] = try list(kind.plural, kind.rawValue) }
        self.via = via
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ListKey.self)
        try forEachList { key, _, entities in try container.encode(entities, forKey: ListKey(stringValue: key)) }
    }

    /// The product through which an entity of `kind` (`target`, `company`, `modality`) was found.
    public func via(_ kind: String, _ id: String) -> String? { via.isEmpty ? nil : via["\(kind):\(id)"] }

    /// `{"targets": [...], "designations": [...], "companies": [...], "keywords": [...]}`, then
    /// `"products"` and `"modalities"` when a rule asked for them.
    public var jsonValue: JSONWriter.Value {
        var members: [(String, JSONWriter.Value)] = []
        forEachList { key, singular, entities in
            members.append((key, .array(entities.map { $0.jsonValue(via: via(singular, $0.id)) })))
        }
        return .object(members)
    }

    /// Every matched entity id, sorted and de-duplicated, prefixed by kind.
    public var entityKeys: [String] {
        var all = keywords.map { "keyword:\($0.id.lowercased())" }
        for kind in EntityKind.allCases {
            all += self[kind].map { "\(kind.rawValue):\(kind.idIgnoresCase ? $0.id.lowercased() : $0.id)" }
        }
        // Sorted, then each run of equal keys kept once: no set to hash them into.
        all.sort()
        var unique = 0
        for index in all.indices where unique == 0 || all[unique - 1] != all[index] {
            if index != unique { all.swapAt(unique, index) }
            unique += 1
        }
        all.removeSubrange(unique...)
        return all
    }

    /// ``entityKeys``, each after a U+001F, appended to `key` as bytes when every id is ASCII
    /// (the usual case): no `String` per key, no lower-casing through Unicode tables. ASCII keys
    /// sort as `String` sorts them (byte by byte, a prefix first) and lower-case by their bytes,
    /// so the bytes are those ``entityKeys`` gives; with any other id nothing is appended and
    /// it returns false. A backtest makes an id per match (bench/backtest/README.md).
    func appendASCIIEntityKeys(to key: inout [UInt8]) -> Bool {
        // The keys one after the other in `bytes`, each `kind:id`; `ends[i]` where key i ends.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        var ends: [Int] = []
        ends.reserveCapacity(16)
        func add(_ prefix: StaticString, _ id: String, lowered: Bool) -> Bool {
            bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
            bytes.append(0x3A)
            let start = bytes.count
            bytes.append(contentsOf: id.utf8)
            let ascii = bytes.withUnsafeMutableBufferPointer { all in
                for index in start..<all.count {
                    let byte = all[index]
                    guard byte < 0x80 else { return false }
                    if lowered, byte &- 0x41 < 26 { all[index] = byte | 0x20 }
                }
                return true
            }
            ends.append(bytes.count)
            return ascii
        }
        for entity in keywords where !add("keyword", entity.id, lowered: true) { return false }
        for kind in EntityKind.allCases {
            let prefix: StaticString = switch kind {
            case .target: "target"
            case .designation: "designation"
            case .company: "company"
            case .product: "product"
            case .modality: "modality"
            }
            for entity in self[kind] where !add(prefix, entity.id, lowered: kind.idIgnoresCase) { return false }
        }
        bytes.withUnsafeBufferPointer { bytes in
            func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }
            func precedes(_ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
                let shared = min(lhs.count, rhs.count)
                let order = shared == 0 ? 0 : memcmp(bytes.baseAddress! + lhs.lowerBound, bytes.baseAddress! + rhs.lowerBound, shared)
                return order != 0 ? order < 0 : lhs.count < rhs.count
            }
            // A few keys: an insertion sort of their ranges, then each run of equal keys once.
            var order = ends.indices.map(range)
            for index in order.indices.dropFirst() {
                let moving = order[index]
                var position = index
                while position > 0, precedes(moving, order[position - 1]) {
                    order[position] = order[position - 1]
                    position -= 1
                }
                order[position] = moving
            }
            var previous: Range<Int>?
            for current in order {
                if let previous, !precedes(previous, current) { continue }
                key.append(0x1F)
                key.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[current]))
                previous = current
            }
        }
        return true
    }
}

/// A later copy of an alert's story (README, Stories): where and when it was seen.
public struct AlsoSeen: Sendable, Codable, Hashable {
    public var source: String
    public var itemID: String
    public var link: String?
    public var seenAt: Date

    public init(source: String, itemID: String, link: String?, seenAt: Date) {
        self.source = source
        self.itemID = itemID
        self.link = link
        self.seenAt = seenAt
    }

    enum CodingKeys: String, CodingKey {
        case source, link
        case itemID = "item_id"
        case seenAt = "seen_at"
    }

    /// `{"source", "item_id", "link", "seen_at"}`.
    public var jsonValue: JSONWriter.Value {
        .object([
            ("source", .string(source)), ("item_id", .string(itemID)), ("link", .optional(link)),
            ("seen_at", .string(ISO8601.string(from: seenAt))),
        ])
    }
}

/// The passage around a match, with offsets (in Unicode scalars) into the named field.
public struct Evidence: Sendable, Codable, Hashable {
    /// `{"field", "text", "start", "end"}`.
    public var jsonValue: JSONWriter.Value {
        .object([("field", .string(field)), ("text", .string(text)), ("start", .int(start)), ("end", .int(end))])
    }

    public var field: String
    public var text: String
    public var start: Int
    public var end: Int

    public init(field: String, text: String, start: Int, end: Int) {
        self.field = field
        self.text = text
        self.start = start
        self.end = end
    }
}

/// The alert document (README.md, Alerts): what every sink delivers.
public struct Alert: Sendable, Codable, Hashable {
    /// The item fields an alert carries.
    public struct ItemSummary: Sendable, Codable, Hashable {
        public var id: String
        public var title: String
        public var link: String?
        public var published: Date?
        public var summary: String?

        public init(id: String, title: String, link: String?, published: Date?, summary: String?) {
            self.id = id
            self.title = title
            self.link = link
            self.published = published
            self.summary = summary
        }
    }

    public var id: String
    public var rule: String
    /// The rule's `description:`, for the people reading the alert (nil when it has none).
    public var ruleDescription: String?
    public var source: String
    public var item: ItemSummary
    public var matches: Matches
    public var evidence: [Evidence]
    /// The regulatory events that made the rule fire (empty for rules that name no designation).
    public var events: [RegulatoryEvent]
    public var detectedAt: Date
    /// The story the item belongs to: every copy of one news item, from any source, shares it
    /// (README, Stories). Nil in documents written before stories existed.
    public var story: String?
    /// Later copies of the story, which raised no alert of their own for this rule.
    public var alsoSeen: [AlsoSeen] = []

    enum CodingKeys: String, CodingKey {
        case id, rule, source, item, matches, evidence, events, story
        case ruleDescription = "rule_description"
        case detectedAt = "detected_at"
        case alsoSeen = "also_seen"
    }

    public init(
        id: String, rule: String, source: String, item: ItemSummary,
        matches: Matches, evidence: [Evidence], events: [RegulatoryEvent] = [], detectedAt: Date, ruleDescription: String? = nil
    ) {
        self.id = id
        self.rule = rule
        self.ruleDescription = ruleDescription
        self.source = source
        self.item = item
        self.matches = matches
        self.evidence = evidence
        self.events = events
        self.detectedAt = detectedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        rule = try container.decode(String.self, forKey: .rule)
        ruleDescription = try container.decodeIfPresent(String.self, forKey: .ruleDescription)
        source = try container.decode(String.self, forKey: .source)
        item = try container.decode(ItemSummary.self, forKey: .item)
        matches = try container.decode(Matches.self, forKey: .matches)
        evidence = try container.decode([Evidence].self, forKey: .evidence)
        events = try container.decodeIfPresent([RegulatoryEvent].self, forKey: .events) ?? []
        detectedAt = try container.decode(Date.self, forKey: .detectedAt)
        story = try container.decodeIfPresent(String.self, forKey: .story)
        alsoSeen = try container.decodeIfPresent([AlsoSeen].self, forKey: .alsoSeen) ?? []
    }

    /// What happened, as a headline: the first event's (`FDA RMAT designation: NXC-201 (Immix
    /// Biopharma), relapsed/refractory AL amyloidosis`), else the item's title.
    public var headline: String { events.first?.headline ?? item.title }

    /// The stable alert id: the same source, item, rule and matched entities give the same id,
    /// across restarts and retries; an edit that changes what matched gives a new one.
    public static func makeID(source: String, itemID: String, rule: String, matches: Matches) -> String {
        // The parts joined by U+001F, written straight into one buffer (a backtest makes an id per match).
        var key: [UInt8] = []
        key.reserveCapacity(source.utf8.count + itemID.utf8.count + rule.utf8.count + 128)
        key.append(contentsOf: source.utf8)
        for part in [itemID, rule] {
            key.append(0x1F)
            key.append(contentsOf: part.utf8)
        }
        if !matches.appendASCIIEntityKeys(to: &key) {
            for part in matches.entityKeys {
                key.append(0x1F)
                key.append(contentsOf: part.utf8)
            }
        }
        return SHA256.hex(bytes: key, digits: 32)
    }

    /// The JSON document, one line, fields in the order of ``jsonValue`` (README.md, Alerts), dates
    /// as ISO-8601 UTC.
    public func jsonLine() -> String {
        JSONWriter.encode(jsonValue)
    }

    /// Appends ``jsonLine()``'s bytes to `output`, written field by field rather than through
    /// ``jsonValue`` (a backtest writes one per match, and the tree cost more than the
    /// matching around it). A test holds the two to the same bytes.
    public func appendJSON(to output: inout [UInt8]) {
        JSONWriter.append(to: &output) { writer in
            writer.raw("{\"id\":")
            writer.writeString(id)
            writer.raw(",\"rule\":")
            writer.writeString(rule)
            if let ruleDescription {
                writer.raw(",\"rule_description\":")
                writer.writeString(ruleDescription)
            }
            writer.raw(",\"source\":")
            writer.writeString(source)
            writer.raw(",\"item\":{\"id\":")
            writer.writeString(item.id)
            writer.raw(",\"title\":")
            writer.writeString(item.title)
            writer.raw(",\"link\":")
            if let link = item.link { writer.writeString(link) } else { writer.raw("null") }
            writer.raw(",\"published\":")
            if let published = item.published { writer.writeDate(published) } else { writer.raw("null") }
            writer.raw(",\"summary\":")
            if let summary = item.summary { writer.writeString(summary) } else { writer.raw("null") }
            writer.raw("}")
            writer.raw(",\"matches\":{")
            var first = true
            matches.forEachList { key, singular, entities in
                if !first { writer.raw(",") }
                first = false
                writer.writeString(key)
                writer.raw(":[")
                for (index, entity) in entities.enumerated() {
                    writer.raw(index == 0 ? "{\"id\":" : ",{\"id\":")
                    writer.writeString(entity.id)
                    writer.raw(",\"label\":")
                    writer.writeString(entity.label)
                    writer.raw(",\"text\":")
                    writer.writeString(entity.text)
                    if let via = matches.via(singular, entity.id) {
                        writer.raw(",\"via\":")
                        writer.writeString(via)
                    }
                    writer.raw("}")
                }
                writer.raw("]")
            }
            writer.raw("},\"evidence\":[")
            for (index, passage) in evidence.enumerated() {
                writer.raw(index == 0 ? "{\"field\":" : ",{\"field\":")
                writer.writeString(passage.field)
                writer.raw(",\"text\":")
                writer.writeString(passage.text)
                writer.raw(",\"start\":")
                writer.writeInt(passage.start)
                writer.raw(",\"end\":")
                writer.writeInt(passage.end)
                writer.raw("}")
            }
            writer.raw("]")
            if !events.isEmpty {
                writer.raw(",\"events\":")
                writer.write(.array(events.map(\.jsonValue)))
                writer.raw(",\"headline\":")
                writer.writeString(headline)
            }
            writer.raw(",\"detected_at\":")
            writer.writeDate(detectedAt)
            if let story {
                writer.raw(",\"story\":")
                writer.writeString(story)
            }
            if !alsoSeen.isEmpty {
                writer.raw(",\"also_seen\":")
                writer.write(.array(alsoSeen.map(\.jsonValue)))
            }
            writer.raw("}")
        }
    }

    /// The document as an ordered JSON value; `rule_description` only when the rule has one.
    public var jsonValue: JSONWriter.Value {
        .object([("id", .string(id)), ("rule", .string(rule))] + (ruleDescription.map { [("rule_description", .string($0))] } ?? []) + [
            ("source", .string(source)),
            ("item", itemValue),
            ("matches", matches.jsonValue),
            ("evidence", .array(evidence.map(\.jsonValue))),
        ] + (events.isEmpty ? [] : [
            ("events", .array(events.map(\.jsonValue))), ("headline", .string(headline)),
        ]) + [
            ("detected_at", .string(ISO8601.string(from: detectedAt))),
        ] + (story.map { [("story", .string($0))] } ?? [])
            + (alsoSeen.isEmpty ? [] : [("also_seen", .array(alsoSeen.map(\.jsonValue)))]))
    }

    /// The `item` member of the document.
    var itemValue: JSONWriter.Value {
        .object([
            ("id", .string(item.id)), ("title", .string(item.title)), ("link", .optional(item.link)),
            ("published", .optional(item.published.map(ISO8601.string))), ("summary", .optional(item.summary)),
        ])
    }

    /// The id of a group of alerts (an item's, sent as one message): the same alerts in any
    /// order give the same id, so a retried group is recognisably the same.
    public static func groupID(_ alerts: [Alert]) -> String {
        String(SHA256.hex(alerts.map(\.id).sorted().joined(separator: "\n")).prefix(32))
    }

    /// The document of the alerts of one item sent together: `id` (``groupID(_:)``), `source`,
    /// `item` and `headline` as in the first alert, `rules` (their names, in order), `count`,
    /// and `alerts`, the alert documents.
    public static func groupDocument(_ alerts: [Alert]) -> JSONWriter.Value {
        let first = alerts.first ?? sample
        return .object([
            ("id", .string(groupID(alerts))), ("source", .string(first.source)), ("item", first.itemValue),
            ("headline", .string(first.headline)), ("rules", .array(alerts.map { .string($0.rule) })),
            ("count", .int(alerts.count)), ("alerts", .array(alerts.map(\.jsonValue))),
        ])
    }

    /// A made-up alert with every field filled in, for checking templates at config load and
    /// for `pharos plugins` examples.
    public static let sample = Alert(
        id: "3f1c2a9d8e7b6a5f4e3d2c1b0a998877", rule: "bcma-rmat", source: "fda-press",
        item: ItemSummary(
            id: "https://example.org/news/1", title: "Example Bio receives RMAT designation for \"BCMA\" CAR-T <cel-01>",
            link: "https://example.org/news/1", published: Date(timeIntervalSince1970: 1_739_226_900),
            summary: "The FDA granted Regenerative Medicine Advanced Therapy designation & more."),
        matches: Matches(
            targets: [EntityMatch(id: "TNFRSF17", label: "BCMA", text: "BCMA")],
            designations: [EntityMatch(id: "fda-rmat", label: "RMAT", text: "RMAT designation")],
            companies: [EntityMatch(id: "Example Bio", label: "Example Bio", text: "Example Bio")]),
        evidence: [Evidence(field: "title", text: "Example Bio receives RMAT designation for \"BCMA\" CAR-T <cel-01>", start: 0, end: 61)],
        detectedAt: Date(timeIntervalSince1970: 1_739_227_000), ruleDescription: "RMAT designation for a BCMA-directed therapy")

    /// Decodes a document written by ``jsonLine()``.
    public static func decode(_ json: String) throws -> Alert {
        try decoder.decode(Alert.self, from: Data(json.utf8))
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date: \(text)")
            }
            return date
        }
        return decoder
    }
}

/// ISO-8601 UTC formatting shared by every document Pharos writes.
///
/// The exact form Pharos writes, `2026-11-23T09:00:00Z` from 1583 on, is formatted and read
/// by hand (PharosSupport's `UTCTimestamp`): every alert and log line went through
/// Foundation's format styles, whose calendar, time zone and locale code then stayed resident
/// in the daemon. Anything else goes to them.
public enum ISO8601 {
    /// `2026-11-23T09:00:00Z` (seconds truncated).
    public static func string(from date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `string(from: date)`'s UTF-8 to `output` (feeds write thousands of dates).
    public static func append(_ date: Date, to output: inout [UInt8]) {
        if !UTCTimestamp.append(date, to: &output) {
            output.append(contentsOf: date.formatted(.iso8601).utf8)
        }
    }

    /// Parses `2026-11-23T09:00:00Z`, with or without fractional seconds, or a plain date.
    public static func date(from text: String) -> Date? {
        if let date = UTCTimestamp.date(text) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()) { return date }
        return nil
    }
}
