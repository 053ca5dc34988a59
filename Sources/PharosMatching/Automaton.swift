/// Every term of a rule set compiled into one Aho–Corasick automaton over byte classes of
/// the folded UTF-8 stream. One pass over a text finds every occurrence of every term; word
/// boundaries and case-sensitive spellings are then checked against the original characters.
///
/// Four things keep the scan fast:
/// - the shallow states, where a scan spends most of its steps, have full rows (a DFA);
///   the deep ones, visited only while the text follows a term, have 8-byte records laid
///   out depth first, so 10,000 terms take about 1.5 MB instead of 15 MB of rows;
/// - ASCII capitals and separators (space, tab, line breaks, hyphen) are folded by the
///   byte-class map, and runs of separators collapse inside the DFA (a state reached by a
///   separator stays put on the next one), so ASCII text is never rewritten;
/// - a term that starts with a letter or digit can only start after a character that is
///   not one (the word-boundary rule), so the DFA never starts a term inside a word: it has
///   two roots, "after a letter or digit" and "anywhere else", and inside a word that starts
///   no term it sits in the first root, where a tight loop skips the rest of the word;
/// - hits are rare next to bytes, so the start of a hit is found by walking back from its
///   end instead of remembering where every folded byte came from.
struct Automaton: Sendable {
    /// One spelling to find.
    struct Pattern: Sendable {
        var folded: [UInt8]
        var exact: [UInt8]
        var caseSensitive: Bool
        var boundaryBefore: Bool
        var boundaryAfter: Bool
    }

    /// An occurrence of a pattern, as UTF-8 byte offsets into the original text.
    struct Hit: Sendable {
        var pattern: Int32
        var start: Int
        var end: Int
    }

    /// A byte no pattern uses that is not an ASCII letter or digit.
    static let otherClass: UInt8 = 0
    static let separatorClass: UInt8 = 1
    /// An ASCII letter or digit no pattern uses.
    static let otherWordClass: UInt8 = 2
    private static let firstPatternClass = 3
    /// In `classOfInput`: a non-ASCII byte, decoded and folded on the slow path.
    fileprivate static let needsDecoding: UInt8 = 255
    /// In every dense row, the entry of the column after the classes' (where `columnOfInput`
    /// puts non-ASCII bytes): no state's value, above every one, so the scan's tight loop
    /// tells a byte to decode by the one comparison that tells a state to look at.
    private static let decodeMarker = UInt32.max
    /// In `foldSymbols`: a character that feeds nothing (® ™, invisible marks).
    fileprivate static let droppedSymbol: UInt8 = 254

    /// Pattern flags.
    private static let caseSensitiveFlag: UInt8 = 1
    private static let boundaryBeforeFlag: UInt8 = 2
    private static let boundaryAfterFlag: UInt8 = 4

    /// Sparse record layout: failure value in the low 32 bits, then the class of the only
    /// child (or `noChild`, `severalChildren`), flags, and the place of a branching state's
    /// first child in `children`, or in a state with one pattern ending in it and at most one child, the
    /// place of its output entry plus one (0: look in `sparseOutput`).
    private static let noChild: UInt8 = 0xFF
    private static let severalChildren: UInt8 = 0xFE
    private static let loudBit: UInt64 = 1 << 40
    private static let reachedBySeparatorBit: UInt64 = 1 << 41
    private static let multiShift: UInt64 = 42
    /// In `children`: the last child of its state.
    private static let lastChildBit: UInt64 = 1 << 40
    /// In `hops`: the byte leads from the in-word root to the root (a separator, punctuation).
    private static let hopToRoot: UInt8 = 1
    /// The byte leaves the root where it is (a run of separators and punctuation).
    private static let hopStaysAtRoot: UInt8 = 2
    /// The byte leads from the root to the in-word root: a letter or digit that starts no term.
    private static let hopStartsNoTerm: UInt8 = 4

    /// How many patterns it finds (the patterns themselves are not kept: the tables hold all a
    /// scan needs, and a daemon keeps the automaton for months).
    let patternCount: Int
    private let tables: Tables
    private let classCount: Int
    /// `2^40 / rowStride`, rounded up: `offset * rowReciprocal >> 40` is `offset / rowStride` for
    /// every row offset (offsets are multiples of `rowStride` below 2^24).
    private let rowReciprocal: UInt64
    /// A state's value: below `denseLimit`, the offset of its row in the dense table (value 0
    /// is the root after a non-word character or at the start, `inWordRow` the root inside a
    /// word, the last row without outputs); from `denseLimit` on, `denseLimit` plus its number among the sparse states.
    private let inWordRow: UInt32
    /// The scan's tight loop goes on while the state is below this: `inWordRow`, or the first
    /// row with outputs for an automaton that steps through words (`stepsThroughWords`).
    private let tightLimit: UInt32
    /// Dense rows at or above this have patterns ending in them (every sparse value is above it too).
    private let firstOutputRow: UInt32
    private let denseLimit: UInt32
    private let denseStateCount: Int
    /// Whether every ASCII byte that is no letter or digit leads both roots to the root (no
    /// term starts with punctuation): then, in ASCII text, the state between terms is told by
    /// the byte before, and the scan reads eight bytes at a time (`blockPairs`).
    private let scansInBlocks: Bool
    /// Number of DFA states, for reports.
    let stateCount: Int

    /// The compiled tables, allocated once and never changed, so the scan reads them through
    /// plain pointers: no bounds checks, no reference counting.
    private final class Tables: @unchecked Sendable {
        let dense: UnsafeMutableBufferPointer<UInt32>
        let sparse: UnsafeMutableBufferPointer<UInt64>
        /// The patterns that end in each state with outputs, as `first | count << 32` into
        /// `outputEntries`: dense states by output number, sparse ones by number (0 for the others).
        let denseOutput: UnsafeMutableBufferPointer<UInt64>
        let sparseOutput: UnsafeMutableBufferPointer<UInt64>
        /// A branching sparse state's children, one after the other: `value | class << 32`, and
        /// `lastChildBit` on the last, so a step reads one cache line, not three arrays.
        let children: UnsafeMutableBufferPointer<UInt64>
        /// Class of each input byte: ASCII capitals folded, separators mapped, `needsDecoding` above 0x7F.
        let classOfInput: UnsafeMutableBufferPointer<UInt8>
        /// Per input byte, its column in a dense row: its class, or for a non-ASCII byte the
        /// column after the classes', whose entries are all `decodeMarker`.
        let columnOfInput: UnsafeMutableBufferPointer<UInt8>
        /// Class of each byte of the folded stream.
        let classOfFolded: UnsafeMutableBufferPointer<UInt8>
        /// 1 for ASCII letters and digits: the bytes the in-word root skips.
        let isWordByte: UnsafeMutableBufferPointer<UInt8>
        /// Per input byte, what it does from the two roots (`hopToRoot`, `hopStaysAtRoot`,
        /// `hopStartsNoTerm`): how the scan hops from word to word without the dense rows.
        let hops: UnsafeMutableBufferPointer<UInt8>
        /// A bit per pair of input bytes (first byte times 256 plus the second), set when the
        /// two lead from the root to the in-word root with no output on the way: a word whose
        /// first two letters start no term (most words that start as one does go no further).
        let pairs: UnsafeMutableBufferPointer<UInt64>
        /// Like `pairs`, for the scan in blocks: a bit per pair of ASCII bytes where the first is a
        /// letter or digit, set when from the root they lead, with no output on the way, to the
        /// in-word root (the second a letter or digit) or to the root (the second not one).
        let blockPairs: UnsafeMutableBufferPointer<UInt64>
        /// One per pattern ending in a state: `pattern | folded length << 32 | flags << 56`, so
        /// a hit costs two loads before the text is read.
        let outputEntries: UnsafeMutableBufferPointer<UInt64>
        /// `ScalarFolding.shared`'s table and replacement bytes, read by the scan without going
        /// through the global.
        let foldEntries: UnsafeMutableBufferPointer<ScalarFolding.Entry>
        let foldReplacements: UnsafeMutableBufferPointer<UInt8>
        /// Per character of `foldEntries`: the one class it feeds, `droppedSymbol`, or
        /// `needsDecoding` when it takes `feedScalar`.
        let foldSymbols: UnsafeMutableBufferPointer<UInt8>

        init(
            dense: [UInt32], sparse: [UInt64], denseOutput: [UInt64], sparseOutput: [UInt64], children: [UInt64],
            classOfInput: [UInt8], columnOfInput: [UInt8], classOfFolded: [UInt8], isWordByte: [UInt8], hops: [UInt8], pairs: [UInt64], blockPairs: [UInt64],
            outputEntries: [UInt64]
        ) {
            func copy<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
                let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(array.count, 1))
                _ = buffer.initialize(from: array)
                return buffer
            }
            self.dense = copy(dense)
            self.sparse = copy(sparse)
            self.denseOutput = copy(denseOutput)
            self.sparseOutput = copy(sparseOutput)
            self.children = copy(children)
            self.classOfInput = copy(classOfInput)
            self.columnOfInput = copy(columnOfInput)
            self.classOfFolded = copy(classOfFolded)
            self.isWordByte = copy(isWordByte)
            self.hops = copy(hops)
            self.pairs = copy(pairs)
            self.blockPairs = copy(blockPairs)
            self.outputEntries = copy(outputEntries)
            foldEntries = copy(ScalarFolding.shared.entries)
            foldReplacements = copy(ScalarFolding.shared.replacements)
            foldSymbols = copy(ScalarFolding.shared.entries.indices.map { position in
                let entry = ScalarFolding.shared.entries[position]
                switch entry.kind {
                case .dropped: return Automaton.droppedSymbol
                case .separator: return Automaton.separatorClass
                case .replaced: return Automaton.needsDecoding
                case .identity:
                    // Its own bytes: one symbol when no pattern uses its lead byte (as `feed` does).
                    let value = position < ScalarFolding.lowCount ? UInt32(position + 0x80) : UInt32(position - ScalarFolding.lowCount + 0x2000)
                    guard let scalar = Unicode.Scalar(value), let lead = String(scalar).utf8.first,
                          classOfFolded[Int(lead)] <= Automaton.otherWordClass else { return Automaton.needsDecoding }
                    return entry.isWord ? Automaton.otherWordClass : Automaton.otherClass
                }
            })
        }

        deinit {
            dense.deallocate()
            sparse.deallocate()
            denseOutput.deallocate()
            sparseOutput.deallocate()
            children.deallocate()
            classOfInput.deallocate()
            columnOfInput.deallocate()
            classOfFolded.deallocate()
            isWordByte.deallocate()
            hops.deallocate()
            pairs.deallocate()
            blockPairs.deallocate()
            outputEntries.deallocate()
            foldEntries.deallocate()
            foldReplacements.deallocate()
            foldSymbols.deallocate()
        }

        /// Bytes of all tables.
        var byteCount: Int {
            dense.count * 4 + sparse.count * 8 + (denseOutput.count + sparseOutput.count) * 8 + children.count * 8
                + 5 * 256 + (pairs.count + blockPairs.count) * 8 + outputEntries.count * 8
        }
    }

    /// - Parameter denseTableBytes: the bytes of full rows the shallow states may take
    ///   (`Automaton.denseTableBytes` unless a caller's text keeps more states busy).
    /// - Parameter stepsThroughWords: whether the scan's tight loop goes on through the rest of a
    ///   word that starts no term, a row read per byte, instead of stopping to skip it (and the
    ///   words after it that start none) by the bytes alone. The skip pays when most words start
    ///   no term; when the terms' first letters cover most words, the words skipped are few and
    ///   the stop costs more than the bytes it saves.
    init(patterns: [Pattern], denseTableBytes: Int = Automaton.denseTableBytes, stepsThroughWords: Bool = false) {
        patternCount = patterns.count
        // Byte classes: other, separator, other letter or digit, then one per byte the patterns use.
        var classOfFolded = [UInt8](repeating: Self.otherClass, count: 256)
        for byte in 0..<128 where Self.isASCIIWord(UInt8(byte)) { classOfFolded[byte] = Self.otherWordClass }
        classOfFolded[Int(Folding.separator)] = Self.separatorClass
        var nextClass = Self.firstPatternClass
        for pattern in patterns {
            for byte in pattern.folded where classOfFolded[Int(byte)] <= Self.otherWordClass && byte != Folding.separator {
                classOfFolded[Int(byte)] = UInt8(nextClass)
                nextClass += 1
            }
        }
        precondition(nextClass < Int(Self.severalChildren), "more byte classes than the tables can tell apart")
        let classCount = nextClass
        // A dense row: a column per class, then the column non-ASCII bytes take in the scan.
        let rowStride = classCount + 1
        var classOfInput = [UInt8](repeating: Self.needsDecoding, count: 256)
        var isWordByte = [UInt8](repeating: 0, count: 256)
        for byte in 0..<128 {
            let lowered = (0x41...0x5A).contains(byte) ? byte + 32 : byte
            classOfInput[byte] = classOfFolded[lowered]
            if Self.isASCIIWord(UInt8(byte)) { isWordByte[byte] = 1 }
        }
        for separator in [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x2D] { classOfInput[separator] = Self.separatorClass }
        // Word classes restart nothing: a term can only start after a class that is not one.
        // Classes of non-ASCII bytes count as non-word, which only lets the scan try starts that
        // the boundary check then refuses.
        var isWordClass = [Bool](repeating: false, count: classCount)
        isWordClass[Int(Self.otherWordClass)] = true
        for byte in 0..<128 where Self.isASCIIWord(UInt8(byte)) { isWordClass[Int(classOfFolded[byte])] = true }

        // Trie: node 0 is the root; children as first-child / next-sibling lists.
        var firstChild: [Int32] = [-1]
        var nextSibling: [Int32] = [-1]
        var symbolOf: [UInt8] = [0]
        // Per state, the patterns ending there: arrays by state number, not dictionaries, as
        // hashing tens of thousands of states was a fifth of building the automaton.
        var own: [[Int32]] = [[]]
        func child(_ node: Int32, _ symbol: UInt8) -> Int32 {
            var candidate = firstChild[Int(node)]
            while candidate >= 0 {
                if symbolOf[Int(candidate)] == symbol { return candidate }
                candidate = nextSibling[Int(candidate)]
            }
            return -1
        }
        for (index, pattern) in patterns.enumerated() where !pattern.folded.isEmpty {
            var node: Int32 = 0
            for byte in pattern.folded {
                let symbol = classOfFolded[Int(byte)]
                var next = child(node, symbol)
                if next < 0 {
                    next = Int32(firstChild.count)
                    firstChild.append(-1)
                    nextSibling.append(firstChild[Int(node)])
                    symbolOf.append(symbol)
                    own.append([])
                    firstChild[Int(node)] = next
                }
                node = next
            }
            own[Int(node)].append(Int32(index))
        }
        // The in-word root is one more node with no children.
        let inWord = Int32(firstChild.count)
        firstChild.append(-1)
        nextSibling.append(-1)
        symbolOf.append(0)
        own.append([])
        let stateCount = firstChild.count

        // Breadth-first: failure links and outputs. From the roots, a term that starts with a
        // letter or digit may only start after a non-word class.
        func rootStep(_ root: Int32, _ symbol: UInt8) -> Int32 {
            if root == inWord, isWordClass[Int(symbol)] { return inWord }
            let next = child(0, symbol)
            if next >= 0 { return next }
            return isWordClass[Int(symbol)] ? inWord : 0
        }
        var failure = [Int32](repeating: 0, count: stateCount)
        var outputs = [[Int32]](repeating: [], count: stateCount)
        var order: [Int32] = [0, inWord]
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            let inherited = outputs[Int(failure[Int(state)])]
            outputs[Int(state)] = state != 0 && state != inWord && !inherited.isEmpty ? own[Int(state)] + inherited : own[Int(state)]
            var next = firstChild[Int(state)]
            while next >= 0 {
                let symbol = symbolOf[Int(next)]
                if state == 0 {
                    failure[Int(next)] = isWordClass[Int(symbol)] ? inWord : 0
                } else {
                    var fallback = failure[Int(state)]
                    while fallback != 0, fallback != inWord, child(fallback, symbol) < 0 { fallback = failure[Int(fallback)] }
                    failure[Int(next)] = fallback == 0 || fallback == inWord ? rootStep(fallback, symbol) : child(fallback, symbol)
                }
                order.append(next)
                next = nextSibling[Int(next)]
            }
        }

        // Dense states: the shallow ones (a prefix of the breadth-first order, so every failure
        // target of a dense state is dense too), with a full row each; the scan spends most of
        // its steps there. Sparse states: the deep ones, one 8-byte record each, numbered in
        // depth-first order so that following a term walks through consecutive records.
        let rowBudget = max(2 + Self.childCount(of: 0, firstChild, nextSibling), denseTableBytes / (rowStride * 4))
        let denseCount = min(stateCount, rowBudget)
        var isDense = [Bool](repeating: false, count: stateCount)
        for state in order.prefix(denseCount) { isDense[Int(state)] = true }
        // Dense numbering: those with outputs last, right after the in-word root, the last of the
        // others (so one comparison per byte tells whether anything is to be done), each group
        // in breadth-first order; a dense state's value is its row offset.
        var value = [UInt32](repeating: 0, count: stateCount)
        let denseQuiet = order.prefix(denseCount).filter { outputs[Int($0)].isEmpty && $0 != inWord } + [inWord]
        let denseLoud = order.prefix(denseCount).filter { !outputs[Int($0)].isEmpty }
        for (position, state) in (denseQuiet + denseLoud).enumerated() { value[Int(state)] = UInt32(position * rowStride) }
        let denseLimit = UInt32(denseCount * rowStride)
        var sparseOrder: [Int32] = []
        var stack: [Int32] = []
        for state in order.prefix(denseCount) {
            var next = firstChild[Int(state)]
            while next >= 0 {
                if !isDense[Int(next)] { stack.append(next) }
                next = nextSibling[Int(next)]
            }
            while let node = stack.popLast() {
                value[Int(node)] = denseLimit + UInt32(sparseOrder.count)
                sparseOrder.append(node)
                // Pushed in reverse, so the first child listed is numbered right after its parent.
                let mark = stack.count
                var child = firstChild[Int(node)]
                while child >= 0 {
                    stack.append(child)
                    child = nextSibling[Int(child)]
                }
                stack[mark...].reverse()
            }
        }
        precondition(UInt64(denseLimit) + UInt64(sparseOrder.count) < UInt64(UInt32.max), "automaton too large")

        // Every entry is written below but the decode column's, which stays `decodeMarker`.
        var dense = [UInt32](repeating: Self.decodeMarker, count: denseCount * rowStride)
        for symbol in 0..<classCount {
            dense[Int(value[0]) + symbol] = value[Int(rootStep(0, UInt8(symbol)))]
            dense[Int(value[Int(inWord)]) + symbol] = value[Int(rootStep(inWord, UInt8(symbol)))]
        }
        // A dense state's row is its failure state's row with its own children written over it.
        for state in order.prefix(denseCount) where state != 0 && state != inWord {
            let base = Int(value[Int(state)])
            let inherited = Int(value[Int(failure[Int(state)])])
            for symbol in 0..<classCount { dense[base + symbol] = dense[inherited + symbol] }
            var next = firstChild[Int(state)]
            while next >= 0 {
                dense[base + Int(symbolOf[Int(next)])] = value[Int(next)]
                next = nextSibling[Int(next)]
            }
            // Separator runs fold to one separator: a state reached by one stays put on the next.
            if symbolOf[Int(state)] == Self.separatorClass { dense[base + Int(Self.separatorClass)] = UInt32(base) }
        }

        // Outputs: dense states first (by row), then sparse ones (by number).
        var outputEntries: [UInt64] = []
        func entries(_ ending: [Int32]) -> UInt64 {
            let first = UInt64(outputEntries.count)
            for index in ending {
                let pattern = patterns[Int(index)]
                precondition(pattern.folded.count < 1 << 24, "term too long")
                let flags = (pattern.caseSensitive ? Self.caseSensitiveFlag : 0) | (pattern.boundaryBefore ? Self.boundaryBeforeFlag : 0)
                    | (pattern.boundaryAfter ? Self.boundaryAfterFlag : 0)
                outputEntries.append(UInt64(UInt32(index)) | UInt64(pattern.folded.count) << 32 | UInt64(flags) << 56)
            }
            return first | UInt64(ending.count) << 32
        }
        let denseOutput = denseLoud.map { entries(outputs[Int($0)]) }
        var sparse: [UInt64] = []
        var sparseOutput: [UInt64] = []
        var children: [UInt64] = []
        sparse.reserveCapacity(sparseOrder.count)
        sparseOutput.reserveCapacity(sparseOrder.count)
        for node in sparseOrder {
            var record = UInt64(value[Int(failure[Int(node)])])
            let first = firstChild[Int(node)]
            if first < 0 {
                record |= UInt64(Self.noChild) << 32
            } else if nextSibling[Int(first)] < 0 {
                record |= UInt64(symbolOf[Int(first)]) << 32
            } else {
                record |= UInt64(Self.severalChildren) << 32 | UInt64(children.count) << Self.multiShift
                var child = first
                while child >= 0 {
                    let next = nextSibling[Int(child)]
                    children.append(UInt64(value[Int(child)]) | UInt64(symbolOf[Int(child)]) << 32 | (next < 0 ? Self.lastChildBit : 0))
                    child = next
                }
            }
            if symbolOf[Int(node)] == Self.separatorClass { record |= Self.reachedBySeparatorBit }
            let patterns = outputs[Int(node)]
            if !patterns.isEmpty {
                record |= Self.loudBit
                let range = entries(patterns)
                sparseOutput.append(range)
                // One pattern, and the child-list field free: the entry's place goes in the
                // record, which the scan has just read, so a hit needs no look-up in `sparseOutput`.
                let place = (range & 0xFFFF_FFFF) + 1
                if patterns.count == 1, first < 0 || nextSibling[Int(first)] < 0, place < 1 << (64 - Self.multiShift) {
                    record |= place << Self.multiShift
                }
            } else {
                sparseOutput.append(0)
            }
            sparse.append(record)
        }
        precondition(children.count < 1 << (64 - Self.multiShift), "too many children of branching states")

        // What each byte does from the roots, read off their rows (a non-ASCII byte: nothing, it
        // takes the slow path).
        var hops = [UInt8](repeating: 0, count: 256)
        for byte in 0..<128 {
            let symbol = Int(classOfInput[byte])
            if dense[Int(value[Int(inWord)]) + symbol] == value[0] { hops[byte] |= Self.hopToRoot }
            if dense[Int(value[0]) + symbol] == value[0] { hops[byte] |= Self.hopStaysAtRoot }
            if dense[Int(value[0]) + symbol] == value[Int(inWord)] { hops[byte] |= Self.hopStartsNoTerm }
        }
        var pairs = [UInt64](repeating: 0, count: 256 * 256 / 64)
        for first in 0..<128 {
            // After the first byte: a dense state without outputs (the in-word root is the last of those).
            let middle = dense[Int(value[0]) + Int(classOfInput[first])]
            guard middle <= value[Int(inWord)] else { continue }
            for second in 0..<128 where dense[Int(middle) + Int(classOfInput[second])] == value[Int(inWord)] {
                let pair = first << 8 | second
                pairs[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }
        let blocks = (0..<128).allSatisfy { byte in
            Self.isASCIIWord(UInt8(byte)) || hops[byte] & (Self.hopToRoot | Self.hopStaysAtRoot) == Self.hopToRoot | Self.hopStaysAtRoot
        }
        var blockPairs = [UInt64](repeating: 0, count: 256 * 256 / 64)
        for first in 0..<128 where Self.isASCIIWord(UInt8(first)) {
            let middle = dense[Int(value[0]) + Int(classOfInput[first])]
            guard middle <= value[Int(inWord)] else { continue }
            for second in 0..<128 {
                let after = dense[Int(middle) + Int(classOfInput[second])]
                guard after == (Self.isASCIIWord(UInt8(second)) ? value[Int(inWord)] : value[0]) else { continue }
                let pair = first << 8 | second
                blockPairs[pair >> 6] |= 1 << UInt64(pair & 63)
            }
        }

        let columnOfInput = classOfInput.map { $0 == Self.needsDecoding ? UInt8(classCount) : $0 }
        tables = Tables(
            dense: dense, sparse: sparse, denseOutput: denseOutput, sparseOutput: sparseOutput, children: children,
            classOfInput: classOfInput, columnOfInput: columnOfInput, classOfFolded: classOfFolded,
            isWordByte: isWordByte, hops: hops, pairs: pairs, blockPairs: blockPairs, outputEntries: outputEntries)
        scansInBlocks = blocks
        self.classCount = classCount
        rowReciprocal = (UInt64(1) << 40) / UInt64(rowStride) + 1
        precondition(denseLimit < 1 << 24, "dense table too large for the row reciprocal")
        self.inWordRow = value[Int(inWord)]
        tightLimit = stepsThroughWords ? UInt32(denseQuiet.count * rowStride) : value[Int(inWord)]
        self.firstOutputRow = UInt32(denseQuiet.count * rowStride)
        self.denseLimit = denseLimit
        self.denseStateCount = denseCount
        self.stateCount = stateCount
    }

    /// Bytes of dense rows the automaton may use: about what a core's L2 cache holds next to
    /// the text and the sparse records.
    static let denseTableBytes = 256 * 1024

    private static func childCount(of node: Int32, _ firstChild: [Int32], _ nextSibling: [Int32]) -> Int {
        var count = 0
        var child = firstChild[Int(node)]
        while child >= 0 {
            count += 1
            child = nextSibling[Int(child)]
        }
        return count
    }

    /// Bytes the compiled tables occupy, for reports.
    var memoryBytes: Int { tables.byteCount }

    /// Number of states with a full row, for reports.
    var denseStates: Int { denseStateCount }

    @inline(__always)
    static func isASCIIWord(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// Where the run of ASCII letters and digits (the bytes `isWordByte` marks) that starts at
    /// `index` ends: eight bytes at a time, each tested as a digit or, with its case bit set, a
    /// lower-case letter, and the first other byte found by its position in the mask; the last
    /// few bytes one by one. A byte above 0x7F is no word byte, as in the table. One exit per
    /// word instead of a test per byte: the skip was a third of the scan (bench/backtest/README.md).
    @inline(__always)
    static func wordEnd(_ base: UnsafePointer<UInt8>, from index: Int, count: Int, isWordByte: UnsafePointer<UInt8>) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        var index = index
        while index &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // Each byte below 0x80 plus a constant below 0x80 sets its own top bit and carries
            // into no other byte: x + (0x80 - low) has it when x >= low, x + (0x7F - high) when x > high.
            let ascii = word & ~high
            let digit = (ascii &+ ones &* (0x80 - 0x30)) & ~(ascii &+ ones &* (0x7F - 0x39))
            let folded = ascii | ones &* 0x20
            let letter = (folded &+ ones &* (0x80 - 0x61)) & ~(folded &+ ones &* (0x7F - 0x7A))
            let other = ~((digit | letter) & ~word) & high
            if other != 0 { return index &+ other.trailingZeroBitCount &>> 3 }
            index &+= 8
        }
        while index < count, isWordByte[Int(base[index])] != 0 { index &+= 1 }
        return index
    }

    /// Finds every occurrence of every pattern in `text` (valid UTF-8), appending to `hits`.
    /// Returns whether the text holds any non-ASCII byte.
    @discardableResult
    func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) -> Bool {
        var marks = ScalarMarks()
        return scan(text, into: &hits, marks: &marks)
    }

    /// `scan`, also noting where each non-ASCII character is in `marks`, for offsets in scalars.
    @discardableResult
    func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [Hit], marks: inout ScalarMarks) -> Bool {
        guard !text.isEmpty, patternCount > 0 else {
            var sawNonASCII = false
            var index = 0
            while index < text.count {
                guard text[index] >= 0x80 else {
                    index += 1
                    continue
                }
                let length = Self.decode(text, at: index).1
                marks.note(start: index, length: length)
                sawNonASCII = true
                index += length
            }
            return sawNonASCII
        }
        let tables = tables
        let dense = tables.dense.baseAddress!
        let classOfInput = tables.classOfInput.baseAddress!
        let columnOfInput = tables.columnOfInput.baseAddress!
        let isWordByte = tables.isWordByte.baseAddress!
        let hops = tables.hops.baseAddress!
        let pairs = tables.pairs.baseAddress!
        let blockPairs = tables.blockPairs.baseAddress!
        let scansInBlocks = scansInBlocks
        let sparse = tables.sparse.baseAddress!
        let children = tables.children.baseAddress!
        let denseLimit = denseLimit
        let inWordRow = inWordRow
        let tightLimit = tightLimit
        // A pointer walks the text (one register, not a base, an index and a count), and the
        // sparse step reads the tables' pointers held here: fewer values for the loop to reload.
        let base = text.baseAddress!
        let end = base + text.count
        var cursor = base
        var value: UInt32 = 0
        // Every non-ASCII character is noted in `marks`: whether it grew tells whether the text
        // holds one, without a flag kept in the loop.
        let marksBefore = marks.marks.count
        scan: while cursor < end {
            var symbol: UInt8
            if value < tightLimit {
                // The tight loop: from a dense state with nothing to do, a row read per byte
                // and one comparison, until a state to look at, a byte to decode or the end;
                // four bytes a round while four are left, with one test of the end for them.
                var previous: UInt32
                tight: while true {
                    if end - cursor >= 4 {
                        let first = dense[Int(value) &+ Int(columnOfInput[Int(cursor[0])])]
                        if first >= tightLimit {
                            (previous, value) = (value, first)
                            cursor += 1
                            break tight
                        }
                        let second = dense[Int(first) &+ Int(columnOfInput[Int(cursor[1])])]
                        if second >= tightLimit {
                            (previous, value) = (first, second)
                            cursor += 2
                            break tight
                        }
                        let third = dense[Int(second) &+ Int(columnOfInput[Int(cursor[2])])]
                        if third >= tightLimit {
                            (previous, value) = (second, third)
                            cursor += 3
                            break tight
                        }
                        let fourth = dense[Int(third) &+ Int(columnOfInput[Int(cursor[3])])]
                        cursor += 4
                        if fourth >= tightLimit {
                            (previous, value) = (third, fourth)
                            break tight
                        }
                        value = fourth
                        if cursor == end { break scan }
                    } else {
                        previous = value
                        value = dense[Int(value) &+ Int(columnOfInput[Int(cursor.pointee)])]
                        cursor += 1
                        if value >= tightLimit { break tight }
                        if cursor == end { break scan }
                    }
                }
                symbol = 0
                if value == Self.decodeMarker {
                    cursor -= 1
                    value = previous
                    symbol = Self.needsDecoding
                }
            } else {
                symbol = classOfInput[Int(cursor.pointee)]
                if symbol != Self.needsDecoding {
                    cursor += 1
                    value = value < denseLimit
                        ? dense[Int(value) &+ Int(symbol)]
                        : Self.step(value, symbol, sparse: sparse, children: children, dense: dense, denseLimit: denseLimit)
                }
            }
            if symbol != Self.needsDecoding {
                if value >= inWordRow {
                    if value == inWordRow, scansInBlocks {
                        // Inside a word that starts no term, in a text whose punctuation starts
                        // none: eight bytes at a time, the words that start in them found at
                        // once and each one's first two bytes tested, with no row read and no
                        // step waiting on the one before. It stops at a word that may start a
                        // term, at a non-ASCII byte and near the end, where the rows go on,
                        // from the root or the in-word root as the byte before says.
                        let high: UInt64 = 0x8080_8080_8080_8080
                        let ones: UInt64 = 0x0101_0101_0101_0101
                        var block = cursor
                        var previousWord: UInt64 = 0x80
                        var candidate: UnsafePointer<UInt8>?
                        blocks: while end - block >= 8 {
                            let word = UInt64(littleEndian: UnsafeRawPointer(block).loadUnaligned(as: UInt64.self))
                            if word & high != 0 { break }
                            let digit = (word &+ ones &* (0x80 - 0x30)) & ~(word &+ ones &* (0x7F - 0x39))
                            let folded = word | ones &* 0x20
                            let letter = (folded &+ ones &* (0x80 - 0x61)) & ~(folded &+ ones &* (0x7F - 0x7A))
                            let isWord = (digit | letter) & high
                            var starts = isWord & ~(isWord << 8 | previousWord)
                            while starts != 0 {
                                let start = block + starts.trailingZeroBitCount &>> 3
                                let pair = end - start >= 2 ? Int(start.pointee) << 8 | Int(start[1]) : 0
                                if pair == 0 || blockPairs[pair >> 6] & (1 << UInt64(pair & 63)) == 0 {
                                    candidate = start
                                    break blocks
                                }
                                starts &= starts &- 1
                            }
                            previousWord = isWord >> 56
                            block += 8
                        }
                        if let candidate {
                            cursor = candidate
                            value = 0
                        } else if block == cursor {
                            // A non-ASCII byte or the end within eight: the rest of this word as before.
                            cursor = base + Self.wordEnd(base, from: cursor - base, count: text.count, isWordByte: isWordByte)
                        } else {
                            cursor = block
                            value = isWordByte[Int(block[-1])] != 0 ? inWordRow : 0
                        }
                    } else if value == inWordRow {
                        // Inside a word that starts no term: nothing can start before its end.
                        cursor = base + Self.wordEnd(base, from: cursor - base, count: text.count, isWordByte: isWordByte)
                        // Then from word to word while the state is one of the two roots, which
                        // the bytes alone tell: the punctuation and separators after the word
                        // back to the root, and a next word whose first two bytes (or first,
                        // for a word of one) start no term skipped at once, with no row read.
                        // Most words of a text start no term.
                        while cursor < end, hops[Int(cursor.pointee)] & Self.hopToRoot != 0 {
                            var next = cursor + 1
                            while next < end, hops[Int(next.pointee)] & Self.hopStaysAtRoot != 0 { next += 1 }
                            if next + 1 < end {
                                let pair = Int(next.pointee) << 8 | Int(next[1])
                                if pairs[pair >> 6] & (1 << UInt64(pair & 63)) != 0 {
                                    cursor = base + Self.wordEnd(base, from: next + 2 - base, count: text.count, isWordByte: isWordByte)
                                    continue
                                }
                            }
                            guard next < end, hops[Int(next.pointee)] & Self.hopStartsNoTerm != 0 else {
                                cursor = next
                                value = 0
                                break
                            }
                            cursor = base + Self.wordEnd(base, from: next + 1 - base, count: text.count, isWordByte: isWordByte)
                        }
                    } else if value < denseLimit || sparse[Int(value &- denseLimit)] & Self.loudBit != 0 {
                        report(value, end: cursor - base, text: text, hits: &hits)
                    }
                }
                continue
            }
            let next: Int
            (value, next) = feedScalar(at: cursor - base, value: value, text: text, hits: &hits, marks: &marks)
            cursor = base + next
        }
        return marks.marks.count > marksBefore
    }

    /// Decodes, folds and feeds the non-ASCII character at `start`; returns the state after it
    /// and where the next character starts. Kept out of `scan` so that the ASCII loop keeps
    /// its pointers in registers.
    @inline(never)
    private func feedScalar(
        at start: Int, value: UInt32, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit], marks: inout ScalarMarks
    ) -> (UInt32, Int) {
        // The characters of the table (two-byte ones, and U+2000–U+21FF) decoded here; the usual
        // ones (Latin, Greek, dashes, quotes, spaces, ®) stand for one class or none.
        let lead = text[start]
        var position = -1
        var width = 1
        if lead >= 0xC2, lead < 0xE0, start &+ 1 < text.count {
            position = (Int(lead & 0x1F) << 6 | Int(text[start &+ 1] & 0x3F)) &- 0x80
            width = 2
        } else if lead == 0xE2, start &+ 2 < text.count, text[start &+ 1] < 0x88 {
            // U+2000–U+21FF: the second byte is 0x80–0x87.
            position = ScalarFolding.lowCount &+ (Int(text[start &+ 1] & 0x3F) << 6 | Int(text[start &+ 2] & 0x3F))
            width = 3
        }
        guard position >= 0 else {
            let (value, end) = feedOtherScalar(at: start, value: value, text: text, hits: &hits)
            marks.note(start: start, length: end &- start)
            return (value, end)
        }
        marks.note(start: start, length: width)
        let end = start &+ width
        let symbol = tables.foldSymbols[position]
        if symbol == Self.droppedSymbol { return (value, end) }
        if symbol != Self.needsDecoding { return (next(value, symbol), end) }
        return (feed(tableEntry: position, start: start, end: end, value: value, text: text, hits: &hits), end)
    }

    /// Feeds the character at `start` whose folding is `tables.foldEntries[position]`.
    @inline(__always)
    private func feed(tableEntry position: Int, start: Int, end: Int, value: UInt32, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit]) -> UInt32 {
        let tables = tables
        let entry = tables.foldEntries[position]
        guard entry.kind == .replaced else {
            return feed(entry, scalarStart: start, end: end, value: value, text: text, hits: &hits)
        }
        var value = value
        for offset in Int(entry.offset)..<Int(entry.offset) &+ Int(entry.length) {
            value = feed(tables.foldReplacements[offset], value: value, end: end, text: text, hits: &hits)
        }
        return afterWord(value, entry)
    }

    /// The state after a character whose bytes went through the automaton one by one: the root
    /// becomes the in-word root after a letter or digit. The bytes of non-ASCII characters have
    /// non-word classes, so they lead back to the root, where a term could start inside the
    /// word; every such start fails the boundary check anyway, and from the in-word root the
    /// scan skips the rest of the word as it does after an ASCII letter.
    @inline(__always)
    private func afterWord(_ value: UInt32, _ entry: ScalarFolding.Entry) -> UInt32 {
        value == 0 && entry.isWord ? inWordRow : value
    }

    /// `feedScalar` for the characters outside the fast cases.
    private func feedOtherScalar(at start: Int, value: UInt32, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit]) -> (UInt32, Int) {
        var value = value
        let folding = ScalarFolding.shared
        let (scalar, length) = Self.decode(text, at: start)
        let index = start &+ length
        guard let entry = folding.entry(scalar.value) else {
            // Outside the table (CJK, fullwidth forms, ligatures): fold on the spot.
            let (entry, bytes) = ScalarFolding.compute(scalar)
            if entry.kind == .replaced {
                for byte in bytes { value = feed(byte, value: value, end: index, text: text, hits: &hits) }
                value = afterWord(value, entry)
            } else {
                value = feed(entry, scalarStart: start, end: index, value: value, text: text, hits: &hits)
            }
            return (value, index)
        }
        if entry.kind == .replaced {
            folding.replacements.withUnsafeBufferPointer { replacements in
                for offset in Int(entry.offset)..<Int(entry.offset) + Int(entry.length) {
                    value = feed(replacements[offset], value: value, end: index, text: text, hits: &hits)
                }
            }
            value = afterWord(value, entry)
        } else {
            value = feed(entry, scalarStart: start, end: index, value: value, text: text, hits: &hits)
        }
        return (value, index)
    }

    /// The state after `symbol` from sparse state `value`: its child, else its failure state's
    /// step (failure states are shallower, so this ends in a dense row at the latest).
    @inline(__always)
    private func step(_ value: UInt32, _ symbol: UInt8) -> UInt32 {
        let tables = tables
        return Self.step(
            value, symbol, sparse: tables.sparse.baseAddress!, children: tables.children.baseAddress!, dense: tables.dense.baseAddress!,
            denseLimit: denseLimit)
    }

    /// `step` on the tables' pointers, which the scan loop holds in registers.
    @inline(__always)
    private static func step(
        _ value: UInt32, _ symbol: UInt8, sparse: UnsafeMutablePointer<UInt64>, children: UnsafeMutablePointer<UInt64>,
        dense: UnsafeMutablePointer<UInt32>, denseLimit: UInt32
    ) -> UInt32 {
        var value = value
        while value >= denseLimit {
            let record = sparse[Int(value &- denseLimit)]
            let only = UInt8(truncatingIfNeeded: record >> 32)
            if only == symbol { return value &+ 1 }
            if only == severalChildren {
                var position = Int(record >> multiShift)
                while true {
                    let child = children[position]
                    if UInt8(truncatingIfNeeded: child >> 32) == symbol { return UInt32(truncatingIfNeeded: child) }
                    if child & lastChildBit != 0 { break }
                    position &+= 1
                }
            }
            if symbol == separatorClass, record & reachedBySeparatorBit != 0 { return value }
            value = UInt32(truncatingIfNeeded: record)
        }
        return dense[Int(value) &+ Int(symbol)]
    }

    /// The state after `symbol` from any state.
    @inline(__always)
    private func next(_ value: UInt32, _ symbol: UInt8) -> UInt32 {
        value < denseLimit ? tables.dense[Int(value) &+ Int(symbol)] : step(value, symbol)
    }

    /// Feeds a non-ASCII scalar that is a separator, dropped, or folds to its own bytes.
    @inline(__always)
    private func feed(
        _ entry: ScalarFolding.Entry, scalarStart: Int, end: Int, value: UInt32, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit]
    ) -> UInt32 {
        switch entry.kind {
        case .dropped, .replaced:
            return value
        case .separator:
            return next(value, Self.separatorClass)
        case .identity:
            // A character whose lead byte no pattern uses cannot be inside a match: one symbol says
            // whether it continues a word.
            if tables.classOfFolded[Int(text[scalarStart])] <= Self.otherWordClass {
                return next(value, entry.isWord ? Self.otherWordClass : Self.otherClass)
            }
            var value = value
            for offset in scalarStart..<end { value = feed(text[offset], value: value, end: end, text: text, hits: &hits) }
            return afterWord(value, entry)
        }
    }

    /// Feeds one folded byte of a non-ASCII scalar that ends at `end`.
    @inline(__always)
    private func feed(_ byte: UInt8, value: UInt32, end: Int, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit]) -> UInt32 {
        let value = next(value, tables.classOfFolded[Int(byte)])
        if value >= firstOutputRow, value < denseLimit || tables.sparse[Int(value &- denseLimit)] & Self.loudBit != 0 {
            report(value, end: end, text: text, hits: &hits)
        }
        return value
    }

    /// Checks the patterns that end in state `value` at byte `end` against the original text.
    @inline(never)
    private func report(_ value: UInt32, end: Int, text: UnsafeBufferPointer<UInt8>, hits: inout [Hit]) {
        let tables = tables
        let range: UInt64
        if value < denseLimit {
            // A dense row's number among the rows with outputs: a multiplication, not a division.
            range = tables.denseOutput[Int(truncatingIfNeeded: (UInt64(value &- firstOutputRow) &* rowReciprocal) >> 40)]
        } else {
            let record = tables.sparse[Int(value &- denseLimit)]
            let place = record >> Self.multiShift
            if UInt8(truncatingIfNeeded: record >> 32) != Self.severalChildren, place != 0 {
                range = (place &- 1) | 1 << 32
            } else {
                range = tables.sparseOutput[Int(value &- denseLimit)]
            }
        }
        let first = Int(truncatingIfNeeded: range & 0xFFFF_FFFF)
        let folding = FoldTable(entries: tables.foldEntries)
        for slot in first..<(first + Int(range >> 32)) {
            let entry = tables.outputEntries[slot]
            let index = Int(UInt32(truncatingIfNeeded: entry))
            let flags = UInt8(truncatingIfNeeded: entry >> 56)
            // An ASCII neighbour (the usual one) is told here, without a call.
            if flags & Self.boundaryAfterFlag != 0, end < text.count,
               text[end] < 0x80 ? Self.isASCIIWord(text[end]) : Self.wordCharacterAfter(end, in: text, folding: folding),
               flags & Self.caseSensitiveFlag == 0 || !Self.isMutation(at: end, in: text) { continue }
            let start = Self.start(ofMatchEndingAt: end, foldedLength: Int(entry >> 32 & 0xFF_FFFF), in: text, folding: folding)
            if flags & Self.boundaryBeforeFlag != 0, start > 0,
               text[start - 1] < 0x80 ? Self.isASCIIWord(text[start - 1]) : Self.wordCharacterBefore(start, in: text, folding: folding) { continue }
            if flags & Self.caseSensitiveFlag != 0, !Self.isWrittenInCapitals(text, start..<end, folding: folding) { continue }
            hits.append(Hit(pattern: Int32(index), start: start, end: end))
        }
    }

    /// Where a match of `foldedLength` folded bytes that ends at byte `end` starts: walks back
    /// over the original characters, counting what each contributed to the folded stream (a
    /// separator run one byte, ® and invisible marks nothing).
    static func start(ofMatchEndingAt end: Int, foldedLength: Int, in text: UnsafeBufferPointer<UInt8>, folding: FoldTable = .shared) -> Int {
        // The usual match: ASCII, no run of two separators, one byte per folded byte.
        let candidate = end - foldedLength
        if candidate >= 0, foldedLength > 0, !isASCIISeparator(text[candidate]) {
            var index = candidate
            var previousWasSeparator = false
            // Eight bytes at a time: all ASCII, and no separator right after another.
            let ones: UInt64 = 0x0101_0101_0101_0101
            let high = ones &* 0x80
            let raw = UnsafeRawPointer(text.baseAddress!)
            while index &+ 8 <= end {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & high != 0 { break }
                // Bytes are below 0x80, so adding to each cannot carry into the next.
                @inline(__always) func zeroBytes(_ value: UInt64) -> UInt64 { ~((value &+ ones &* 0x7F) | value) & high }
                let range = (word &+ ones &* 0x77) & ~(word &+ ones &* 0x72) & high  // 0x09...0x0D
                let separators = zeroBytes(word ^ (ones &* 0x20)) | zeroBytes(word ^ (ones &* 0x2D)) | range
                if separators & (separators << 8) != 0 || (previousWasSeparator && separators & 0x80 != 0) { break }
                previousWasSeparator = separators >> 63 != 0
                index &+= 8
            }
            while index < end {
                let byte = text[index]
                if byte >= 0x80 { break }
                let isSeparator = isASCIISeparator(byte)
                if isSeparator && previousWasSeparator { break }
                previousWasSeparator = isSeparator
                index += 1
            }
            if index == end { return candidate }
        }
        var cursor = end
        var remaining = foldedLength
        while remaining > 0, cursor > 0 {
            let byte = text[cursor - 1]
            if byte < 0x80 {
                cursor -= 1
                remaining -= 1
                if isASCIISeparator(byte) { cursor = startOfSeparatorRun(endingAt: cursor, in: text, folding: folding) }
                continue
            }
            var scalarStart = cursor - 1
            while scalarStart > 0, text[scalarStart] & 0xC0 == 0x80 { scalarStart -= 1 }
            let entry = folding.summary(decode(text, at: scalarStart).0)
            cursor = scalarStart
            switch entry.kind {
            case .dropped:
                continue
            case .separator:
                remaining -= 1
                cursor = startOfSeparatorRun(endingAt: cursor, in: text, folding: folding)
            case .identity, .replaced:
                remaining -= Int(entry.length)
            }
        }
        return cursor
    }

    /// The start of the separators and ignored marks that end at `end`: they folded into the
    /// separator that follows them.
    private static func startOfSeparatorRun(endingAt end: Int, in text: UnsafeBufferPointer<UInt8>, folding: FoldTable) -> Int {
        var cursor = end
        while cursor > 0 {
            let byte = text[cursor - 1]
            if byte < 0x80 {
                guard isASCIISeparator(byte) else { return cursor }
                cursor -= 1
                continue
            }
            var scalarStart = cursor - 1
            while scalarStart > 0, text[scalarStart] & 0xC0 == 0x80 { scalarStart -= 1 }
            let kind = folding.summary(decode(text, at: scalarStart).0).kind
            guard kind == .separator || kind == .dropped else { return cursor }
            cursor = scalarStart
        }
        return cursor
    }

    @inline(__always)
    private static func isASCIISeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x2D || (0x09...0x0D).contains(byte)
    }

    /// For a term written in capitals: every letter of the match must be an ASCII capital as
    /// written (the automaton saw the folded letters already).
    static func isWrittenInCapitals(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, folding: FoldTable = .shared) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = text[index]
            if byte < 0x80 {
                if (0x61...0x7A).contains(byte) { return false }
                index += 1
                continue
            }
            let (scalar, length) = decode(text, at: index)
            if folding.summary(scalar).foldsToASCIILetter { return false }
            index += length
        }
        return true
    }

    static func decode(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = text[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= text.count else { return ("\u{FFFD}", 1) }  // a stray continuation byte
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length { value = value << 6 | (UInt32(text[index + offset]) & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// Whether a mutation code stands at `index` ("G12C" in "KRASG12C", "V600E"): a capital, one to
    /// four digits, at most one capital, then no letter or digit. A name in capitals may run
    /// into one, so the name still matches; ordinary words never hold such a run.
    /// (Offsets inside the text cannot overflow: wrapping arithmetic, so that a caller's
    /// loop does not prepare overflow checks for a test it rarely reaches.)
    static func isMutation(at index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index &+ 1 < text.count, (0x41...0x5A).contains(text[index]) else { return false }
        var cursor = index &+ 1
        while cursor < text.count, cursor &- index <= 4, (0x30...0x39).contains(text[cursor]) { cursor &+= 1 }
        guard cursor > index &+ 1, cursor &- index <= 5 else { return false }
        if cursor < text.count, (0x41...0x5A).contains(text[cursor]) { cursor &+= 1 }
        return cursor >= text.count || !isASCIIWord(text[cursor])
    }

    /// Whether the character before `index` (ignoring ® ™ and invisible marks) is a letter or digit.
    static func wordCharacterBefore(_ index: Int, in text: UnsafeBufferPointer<UInt8>, folding: FoldTable = .shared) -> Bool {
        var cursor = index
        while cursor > 0 {
            let byte = text[cursor - 1]
            if byte < 0x80 { return isASCIIWord(byte) }
            var start = cursor - 1
            while start > 0, text[start] & 0xC0 == 0x80 { start -= 1 }
            let entry = folding.summary(decode(text, at: start).0)
            if entry.kind == .dropped {
                cursor = start
                continue
            }
            return entry.isWord
        }
        return false
    }

    /// Whether the character at `index` (ignoring ® ™ and invisible marks) is a letter or digit.
    static func wordCharacterAfter(_ index: Int, in text: UnsafeBufferPointer<UInt8>, folding: FoldTable = .shared) -> Bool {
        var cursor = index
        while cursor < text.count {
            let byte = text[cursor]
            if byte < 0x80 { return isASCIIWord(byte) }
            let (scalar, length) = decode(text, at: cursor)
            let entry = folding.summary(scalar)
            if entry.kind == .dropped {
                cursor += length
                continue
            }
            return entry.isWord
        }
        return false
    }
}

/// Where the non-ASCII characters of one text are, so that a byte offset becomes an offset in
/// Unicode scalars without counting the text again: per character, its first byte and the number
/// of UTF-8 continuation bytes up to its end (`start << 32 | continuations`), in text order.
struct ScalarMarks {
    private(set) var marks: [UInt64] = []
    private var continuations: UInt32 = 0

    /// Notes the character of `length` bytes at byte `start` (after every character before it).
    @inline(__always)
    mutating func note(start: Int, length: Int) {
        continuations &+= UInt32(truncatingIfNeeded: length &- 1)
        marks.append(UInt64(UInt32(truncatingIfNeeded: start)) << 32 | UInt64(continuations))
    }

    mutating func removeAll() {
        marks.removeAll(keepingCapacity: true)
        continuations = 0
    }

    /// The number of Unicode scalars before byte `offset`: the bytes, less the continuation
    /// bytes before `offset`.
    func scalarOffset(_ offset: Int) -> Int {
        // The characters that start before `offset`: binary search for the first that does not.
        var low = 0
        var high = marks.count
        while low < high {
            let middle = (low &+ high) >> 1
            if Int(marks[middle] >> 32) < offset { low = middle &+ 1 } else { high = middle }
        }
        guard low > 0 else { return offset }
        let last = marks[low &- 1]
        let before = low >= 2 ? Int(marks[low &- 2] & 0xFFFF_FFFF) : 0
        // An offset inside the last character counts only its continuation bytes before it.
        let inside = min(Int(last & 0xFFFF_FFFF) - before, offset - Int(last >> 32) - 1)
        return offset - before - inside
    }
}

/// The precomputed foldings of `ScalarFolding` through a plain pointer: the checks around a hit
/// read it without going through the global (and without retaining its arrays) per character.
struct FoldTable: @unchecked Sendable {
    /// Written once when made, then only read.
    let entries: UnsafeMutableBufferPointer<ScalarFolding.Entry>

    /// One copy for the whole process, for callers without an automaton at hand.
    static let shared: FoldTable = {
        let entries = UnsafeMutableBufferPointer<ScalarFolding.Entry>.allocate(capacity: ScalarFolding.shared.entries.count)
        _ = entries.initialize(from: ScalarFolding.shared.entries)
        return FoldTable(entries: entries)
    }()

    /// The entry for any non-ASCII scalar (computed on the spot outside the table), as
    /// `ScalarFolding.summary`.
    @inline(__always)
    func summary(_ scalar: Unicode.Scalar) -> ScalarFolding.Entry {
        let value = scalar.value
        if value < 0x800 { return entries[Int(value) &- 0x80] }
        let offset = value &- 0x2000
        if offset < 0x200 { return entries[ScalarFolding.lowCount &+ Int(offset)] }
        return ScalarFolding.compute(scalar).0
    }
}

/// Spellings gathered into distinct patterns (one per folded form and case rule), each with
/// the values it spells: what every automaton of Pharos is built from.
struct PatternSet<Value: Equatable> {
    private(set) var patterns: [Automaton.Pattern] = []
    /// Per pattern, the values that spell it.
    private(set) var values: [[Value]] = []
    private var index: [String: Int] = [:]

    /// Adds `value` to the pattern of a spelling folded as `folding` (a value once per pattern);
    /// a spelling that folds to nothing adds nothing.
    mutating func add(_ folding: (folded: [UInt8], exact: [UInt8], caseSensitive: Bool), _ value: Value) {
        let (folded, exact, caseSensitive) = folding
        guard !folded.isEmpty else { return }
        let key = String(decoding: caseSensitive ? exact : folded, as: UTF8.self) + (caseSensitive ? "|cs" : "|ci")
        if let existing = index[key] {
            if !values[existing].contains(value) { values[existing].append(value) }
            return
        }
        let first = String(decoding: folded.prefix(4), as: UTF8.self).unicodeScalars.first
        let last = String(decoding: folded.suffix(4), as: UTF8.self).unicodeScalars.last
        patterns.append(Automaton.Pattern(
            folded: folded, exact: exact, caseSensitive: caseSensitive,
            boundaryBefore: first.map(Folding.isWordCharacter) ?? false,
            boundaryAfter: last.map(Folding.isWordCharacter) ?? false))
        index[key] = patterns.count - 1
        values.append([value])
    }
}
