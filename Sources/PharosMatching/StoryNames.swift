/// The names an item's headline gives and the names its whole text gives: the companies,
/// targets and products of the vocabulary (README, Stories).
///
/// A copy or a rewrite of a story keeps its names; the next release of one template swaps
/// them ("Denali presents EGFR data at ASCO", "Denali presents KLRC1 data at ASCO"), and on
/// a feed's short items such texts are as similar as a copy is. So two items are only the same
/// story when every name one headline gives is named somewhere in the other item.
public struct StoryNames: Sendable, Hashable {
    /// The headline's names, as hashes, sorted, each once.
    public var title: [UInt32]
    /// The names of the whole item (headline included), as hashes, sorted, each once.
    public var text: [UInt32]

    public init(title: [UInt32], text: [UInt32]) {
        self.title = Array(Set(title)).sorted()
        self.text = Array(Set(text).union(title)).sorted()
    }

    /// Whether each headline's names are all named in the other item.
    public func agree(with other: StoryNames) -> Bool {
        Self.isSubset(title, of: other.text) && Self.isSubset(other.title, of: text)
    }

    private static func isSubset(_ small: [UInt32], of large: [UInt32]) -> Bool {
        var position = 0
        for value in small {
            while position < large.count, large[position] < value { position += 1 }
            guard position < large.count, large[position] == value else { return false }
        }
        return true
    }

    /// As the state stores them: the headline's count, then the headline's and the text's
    /// hashes, little-endian.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        StoredValues.append([UInt32(title.count)] + title + text, to: &bytes)
        return bytes
    }

    /// Names stored as ``bytes``; nil when they are damaged.
    public init?(littleEndian raw: UnsafeRawBufferPointer) {
        guard raw.count >= 4, raw.count % 4 == 0 else { return nil }
        let values = StoredValues.read(raw, from: 0, count: raw.count / 4)
        let titleCount = Int(values[0])
        guard titleCount <= values.count - 1 else { return nil }
        // Stored sorted and each once (``bytes``): read as they are, every candidate of a lookup is.
        title = Array(values[1..<(1 + titleCount)])
        text = Array(values[(1 + titleCount)...])
    }

    /// A name's hash: its kind and vocabulary id (FNV-1a), so that a company and a product
    /// spelled alike stay apart.
    static func hash(kind: UInt8, id: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in [kind] + Array(id.utf8) { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }
}

extension EventExtractor {
    /// The companies, targets and products `document` names, its title field's apart.
    public func names(in document: MatchDocument) -> StoryNames {
        var title: [UInt32] = []
        var text: [UInt32] = []
        var raw: [Automaton.Hit] = []
        for (name, field) in document.fields {
            let bytes = Array(field.utf8)
            raw.removeAll(keepingCapacity: true)
            bytes.withUnsafeBufferPointer { buffer in
                Compounds.withSplitCompounds(buffer) { _ = automaton.scan($0, into: &raw) }
            }
            for hit in raw {
                let pattern = Int(hit.pattern)
                for position in Int(patternTermStart[pattern])..<Int(patternTermStart[pattern + 1]) {
                    let hash: UInt32
                    switch patternTermList[position] {
                    case .company(let index): hash = StoryNames.hash(kind: 1, id: companies[Int(index)].id)
                    case .target(let index): hash = StoryNames.hash(kind: 2, id: targets[Int(index)].id)
                    case .product(let index): hash = StoryNames.hash(kind: 3, id: products[Int(index)].id)
                    default: continue
                    }
                    if name == "title" { title.append(hash) } else { text.append(hash) }
                }
            }
        }
        return StoryNames(title: title, text: text)
    }
}
