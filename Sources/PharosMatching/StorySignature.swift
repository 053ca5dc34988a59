/// A MinHash signature of an item's text: what recognises the same release arriving from
/// several sources (README, Stories).
///
/// The text is normalised to words (letters and digits, lower case; punctuation, quotes,
/// dashes and markup are separators), the words taken in overlapping runs of ``shingleWords``
/// (shingles), and each of ``permutations`` hash functions keeps its smallest value over the
/// shingles. Two signatures agree in a position with probability equal to the Jaccard
/// similarity of the two texts' shingle sets, so the share of equal positions estimates it.
public struct StorySignature: Sendable, Hashable {
    /// Hash functions, and so values kept.
    public static let permutations = 128
    /// Words per shingle.
    public static let shingleWords = 3
    /// Bands of the LSH index and values per band: two texts share a band with probability
    /// 1 − (1 − s^rows)^bands at Jaccard similarity s (0.5 at s ≈ 0.42; 0.98 at s = 0.6).
    public static let bands = 32
    public static let rowsPerBand = permutations / bands

    /// The smallest value of each hash function over the text's shingles.
    public var values: [UInt32]
    /// How many shingles the text had (with repeats): few shingles make a poor estimate.
    public var shingles: Int

    public init(values: [UInt32], shingles: Int) {
        self.values = values
        self.shingles = shingles
    }

    /// The signature of `text`, whose words are shingled `shingleWords` at a time (a text of
    /// fewer words is one shingle), words shorter than `minimumLetters` left out. An empty
    /// text has every value at its maximum.
    public init(text: String, shingleWords: Int = Self.shingleWords, minimumLetters: Int = 1) {
        var mins = [UInt32](repeating: .max, count: Self.permutations)
        var hasher = ShingleHasher(words: shingleWords)
        var count = 0
        mins.withUnsafeMutableBufferPointer { mins in
            Self.permutationTable.withUnsafeBufferPointer { table in
                Words.forEach(in: text) { word, length in
                    guard length >= minimumLetters else { return }
                    if let shingle = hasher.add(word) {
                        Self.fold(shingle, into: mins, table: table)
                        count += 1
                    }
                }
                if let last = hasher.finishShort() {
                    Self.fold(last, into: mins, table: table)
                    count += 1
                }
            }
        }
        values = mins
        shingles = count
    }

    /// The share of positions where the two signatures agree: an estimate of the Jaccard
    /// similarity of the two texts' shingles (standard error about 0.044 at 128 positions).
    public func similarity(to other: StorySignature) -> Double {
        guard values.count == other.values.count, !values.isEmpty else { return 0 }
        var equal = 0
        for index in values.indices where values[index] == other.values[index] { equal += 1 }
        return Double(equal) / Double(values.count)
    }

    /// One key per band (the band's position mixed in): texts that share a key are candidates.
    public var bandKeys: [Int64] {
        (0..<Self.bands).map { band in
            var hash = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
            for value in values[band * Self.rowsPerBand..<(band + 1) * Self.rowsPerBand] {
                hash = Self.mix(hash ^ UInt64(value))
            }
            return Int64(bitPattern: hash)
        }
    }

    /// The values as bytes (little-endian), as the state stores them.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        StoredValues.append(values, to: &bytes)
        return bytes
    }

    /// A signature stored as ``bytes``, read in place (a database row's blob); nil when the
    /// length is not whole values.
    public init?(littleEndian raw: UnsafeRawBufferPointer, shingles: Int) {
        guard !raw.isEmpty, raw.count % 4 == 0 else { return nil }
        self.shingles = shingles
        values = StoredValues.read(raw, from: 0, count: raw.count / 4)
    }

    // Multiply-shift hashing: h(x) = (a·x + b) >> 32 with odd a, one (a, b) per permutation,
    // drawn once from a fixed seed so that signatures stay comparable across runs and restarts.
    static let permutationTable: [UInt64] = {
        var state: UInt64 = 0x5048_4152_4F53_0001
        var table: [UInt64] = []
        for _ in 0..<permutations {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            let a = mix(state) | 1
            state = state &+ 0x9E37_79B9_7F4A_7C15
            table += [a, mix(state)]
        }
        return table
    }()

    @inline(__always)
    static func fold(_ shingle: UInt64, into mins: UnsafeMutableBufferPointer<UInt32>, table: UnsafeBufferPointer<UInt64>) {
        for index in 0..<mins.count {
            let value = UInt32(truncatingIfNeeded: (table[2 &* index] &* shingle &+ table[2 &* index &+ 1]) >> 32)
            if value < mins[index] { mins[index] = value }
        }
    }

    /// SplitMix64's finaliser: spreads every input bit over the output.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hashes of overlapping runs of words.
struct ShingleHasher {
    let words: Int
    private var ring: [UInt64]
    private var seen = 0

    init(words: Int) {
        self.words = words
        ring = [UInt64](repeating: 0, count: words)
    }

    /// Adds a word's hash; returns the hash of the shingle it completes, if any.
    mutating func add(_ word: UInt64) -> UInt64? {
        ring[seen % words] = word
        seen += 1
        guard seen >= words else { return nil }
        return hash(count: words)
    }

    /// The one shingle of a text shorter than a shingle, if it had any word.
    func finishShort() -> UInt64? {
        seen > 0 && seen < words ? hash(count: seen) : nil
    }

    private func hash(count: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for offset in 0..<count {
            hash = StorySignature.mix(hash &+ ring[(seen - count + offset) % words])
        }
        return hash
    }
}

/// The words of a text as the signature reads them: runs of letters and digits, lower case,
/// each hashed (FNV-1a over the lower-cased scalars).
enum Words {
    /// Calls `body` with each word's hash and length (in scalars).
    static func forEach(in text: String, _ body: (UInt64, Int) -> Void) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var length = 0
        @inline(__always) func add(_ value: UInt32) {
            hash = (hash ^ UInt64(value)) &* 0x0000_0100_0000_01B3
            length += 1
        }
        @inline(__always) func end() {
            if length > 0 { body(hash, length) }
            hash = 0xCBF2_9CE4_8422_2325
            length = 0
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                switch value {
                case 0x30...0x39, 0x61...0x7A: add(value)
                case 0x41...0x5A: add(value | 0x20)
                default: end()
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                // Marks that only decorate (®, ™) are not alphabetic and end the word, as
                // punctuation does; letters fold to lower case.
                let lower = scalar.properties.lowercaseMapping.unicodeScalars
                if lower.count == 1, let only = lower.first { add(only.value) } else { for part in lower { add(part.value) } }
            } else {
                end()
            }
        }
        end()
    }
}

/// `UInt32` values as the state stores the story index's fingerprints: four bytes each,
/// little-endian.
enum StoredValues {
    static func append(_ values: some Sequence<UInt32>, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + values.underestimatedCount * 4)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    }

    /// `count` values from byte `offset` of `raw`, which must hold them.
    static func read(_ raw: UnsafeRawBufferPointer, from offset: Int, count: Int) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: count) { values, initialized in
            for index in 0..<count {
                values[index] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + index * 4, as: UInt32.self))
            }
            initialized = count
        }
    }
}
