/// Every term of a rule set compiled into one Aho–Corasick automaton, stored as a full DFA
/// over byte classes of the folded UTF-8 stream. One pass over a text finds every
/// occurrence of every term; word boundaries and case-sensitive spellings are then checked
/// against the original characters.
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

    static let otherClass: UInt8 = 0
    static let separatorClass: UInt8 = 1

    let patterns: [Pattern]
    /// Per pattern, flat so the hot path touches no reference counts: folded length,
    /// flags (1 = case-sensitive, 2 = boundary before, 4 = boundary after), and where its
    /// exact bytes start in `exactBytes`.
    private let patternLength: [Int32]
    private let patternFlags: [UInt8]
    private let exactStart: [Int32]
    private let exactBytes: [UInt8]
    /// Class of each byte of the folded stream.
    private let classOfFolded: [UInt8]
    /// Class of each ASCII input byte, folding capitals and mapping separators; unused above 0x7F.
    private let classOfInput: [UInt8]
    private let classCount: Int
    /// `transitions[row + class]` is the next row; a row is `state * classCount`.
    private let transitions: [Int32]
    /// Rows at or above this have patterns ending in them.
    private let firstOutputRow: Int32
    /// For output state `s` (numbered from the first output state), its patterns are
    /// `outputPatterns[outputStart[s]..<outputStart[s + 1]]`.
    private let outputStart: [Int32]
    private let outputPatterns: [Int32]
    private let ringMask: Int
    /// Number of DFA states, for reports.
    let stateCount: Int

    init(patterns: [Pattern]) {
        self.patterns = patterns
        // Byte classes: 0 = a byte no pattern uses, 1 = separator, then one per byte in use.
        var classOfFolded = [UInt8](repeating: Self.otherClass, count: 256)
        classOfFolded[Int(Folding.separator)] = Self.separatorClass
        var nextClass = 2
        for pattern in patterns {
            for byte in pattern.folded where classOfFolded[Int(byte)] == Self.otherClass {
                classOfFolded[Int(byte)] = UInt8(nextClass)
                nextClass += 1
            }
        }
        let classCount = nextClass
        var classOfInput = [UInt8](repeating: Self.otherClass, count: 256)
        for byte in 0..<128 {
            let lowered = (0x41...0x5A).contains(byte) ? byte + 32 : byte
            classOfInput[byte] = classOfFolded[lowered]
        }
        for separator in [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x2D] { classOfInput[separator] = Self.separatorClass }

        // Trie.
        var children: [[UInt8: Int32]] = [[:]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.folded.isEmpty {
            var node = 0
            for byte in pattern.folded {
                let symbol = classOfFolded[Int(byte)]
                if let next = children[node][symbol] {
                    node = Int(next)
                } else {
                    children.append([:])
                    own.append([])
                    children[node][symbol] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            own[node].append(Int32(index))
        }
        let stateCount = children.count

        // Breadth-first: failure links, full transitions, outputs through suffix links.
        var table = [Int32](repeating: 0, count: stateCount * classCount)
        var failure = [Int32](repeating: 0, count: stateCount)
        var outputs = own
        var order: [Int] = [0]
        var head = 0
        while head < order.count {
            let state = order[head]
            head += 1
            if state != 0 { outputs[state] += outputs[Int(failure[state])] }
            for symbol in 0..<classCount {
                let row = state * classCount + symbol
                if let child = children[state][UInt8(symbol)] {
                    table[row] = child
                    failure[Int(child)] = state == 0 ? 0 : table[Int(failure[state]) * classCount + symbol]
                    order.append(Int(child))
                } else {
                    table[row] = state == 0 ? 0 : table[Int(failure[state]) * classCount + symbol]
                }
            }
        }

        // Renumber so that states with outputs come last (one comparison per byte tells), each
        // group in breadth-first order so the shallow states a scan visits most share cache lines.
        var newNumber = [Int32](repeating: 0, count: stateCount)
        var quiet: [Int] = []
        var loud: [Int] = []
        for state in order { if outputs[state].isEmpty { quiet.append(state) } else { loud.append(state) } }
        for (position, state) in (quiet + loud).enumerated() { newNumber[state] = Int32(position) }
        var transitions = [Int32](repeating: 0, count: stateCount * classCount)
        for state in 0..<stateCount {
            let newRow = Int(newNumber[state]) * classCount
            for symbol in 0..<classCount {
                transitions[newRow + symbol] = newNumber[Int(table[state * classCount + symbol])] * Int32(classCount)
            }
        }
        var outputStart: [Int32] = [0]
        var outputPatterns: [Int32] = []
        for state in loud {
            outputPatterns += outputs[state]
            outputStart.append(Int32(outputPatterns.count))
        }
        var lengths: [Int32] = []
        var flags: [UInt8] = []
        var starts: [Int32] = []
        var exactBytes: [UInt8] = []
        for pattern in patterns {
            lengths.append(Int32(pattern.folded.count))
            flags.append((pattern.caseSensitive ? 1 : 0) | (pattern.boundaryBefore ? 2 : 0) | (pattern.boundaryAfter ? 4 : 0))
            starts.append(Int32(exactBytes.count))
            exactBytes += pattern.exact
        }
        starts.append(Int32(exactBytes.count))
        patternLength = lengths
        patternFlags = flags
        exactStart = starts
        self.exactBytes = exactBytes
        self.classOfFolded = classOfFolded
        self.classOfInput = classOfInput
        self.classCount = classCount
        self.transitions = transitions
        self.firstOutputRow = Int32(quiet.count * classCount)
        self.outputStart = outputStart
        self.outputPatterns = outputPatterns
        self.stateCount = stateCount
        let longest = patterns.map(\.folded.count).max() ?? 1
        var ringSize = 64
        while ringSize < longest + 1 { ringSize *= 2 }
        ringMask = ringSize - 1
    }

    /// Bytes the compiled tables occupy, for reports.
    var memoryBytes: Int {
        transitions.count * 4 + outputPatterns.count * 4 + outputStart.count * 4 + 512
    }

    /// Finds every occurrence of every pattern in `text` (UTF-8), appending to `hits`.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) {
        let count = text.count
        guard count > 0, !patterns.isEmpty else { return }
        var ring = [Int32](repeating: 0, count: ringMask + 1)
        transitions.withUnsafeBufferPointer { transitions in
            classOfInput.withUnsafeBufferPointer { classOfInput in
                ring.withUnsafeMutableBufferPointer { ring in
                    var row: Int32 = 0
                    var fed = 0
                    var lastWasSeparator = true
                    var index = 0
                    while index < count {
                        let byte = text[index]
                        if byte < 0x80 {
                            let symbol = classOfInput[Int(byte)]
                            if symbol == Self.separatorClass {
                                if lastWasSeparator {
                                    index += 1
                                    continue
                                }
                                lastWasSeparator = true
                            } else {
                                lastWasSeparator = false
                            }
                            ring[fed & ringMask] = Int32(index)
                            fed += 1
                            row = transitions[Int(row) + Int(symbol)]
                            index += 1
                            if row >= firstOutputRow {
                                report(row: row, fed: fed, end: index, text: text, ring: ring, hits: &hits)
                            }
                            continue
                        }
                        // Non-ASCII: decode one scalar and feed its folding.
                        let (scalar, length) = Self.decode(text, at: index)
                        let start = index
                        index += length
                        switch Folding.fold(scalar) {
                        case .dropped:
                            continue
                        case .separator:
                            if lastWasSeparator { continue }
                            lastWasSeparator = true
                            ring[fed & ringMask] = Int32(start)
                            fed += 1
                            row = transitions[Int(row) + Int(Self.separatorClass)]
                            if row >= firstOutputRow {
                                report(row: row, fed: fed, end: index, text: text, ring: ring, hits: &hits)
                            }
                        case .bytes(let folded, _):
                            lastWasSeparator = false
                            for foldedByte in folded {
                                ring[fed & ringMask] = Int32(start)
                                fed += 1
                                row = transitions[Int(row) + Int(classOfFolded[Int(foldedByte)])]
                                if row >= firstOutputRow {
                                    report(row: row, fed: fed, end: index, text: text, ring: ring, hits: &hits)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func report(
        row: Int32, fed: Int, end: Int, text: UnsafeBufferPointer<UInt8>, ring: UnsafeMutableBufferPointer<Int32>,
        hits: inout [Hit]
    ) {
        let state = Int(row - firstOutputRow) / classCount
        for slot in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            let index = Int(outputPatterns[slot])
            let flags = patternFlags[index]
            let firstFed = fed - Int(patternLength[index])
            let start = Int(ring[firstFed & ringMask])
            if flags & 2 != 0, Self.wordCharacterBefore(start, in: text) { continue }
            if flags & 4 != 0, Self.wordCharacterAfter(end, in: text) { continue }
            if flags & 1 != 0, !spellingMatches(index, firstFed: firstFed, text: text, ring: ring) { continue }
            hits.append(Hit(pattern: Int32(index), start: start, end: end))
        }
    }

    /// For a term written in capitals: every ASCII letter must appear exactly as written.
    private func spellingMatches(_ index: Int, firstFed: Int, text: UnsafeBufferPointer<UInt8>, ring: UnsafeMutableBufferPointer<Int32>) -> Bool {
        for position in Int(exactStart[index])..<Int(exactStart[index + 1]) {
            let expected = exactBytes[position]
            let isLetter = (0x41...0x5A).contains(expected) || (0x61...0x7A).contains(expected)
            guard isLetter else { continue }
            let offset = position - Int(exactStart[index])
            if text[Int(ring[(firstFed + offset) & ringMask])] != expected { return false }
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

    /// Whether the character before `index` (ignoring ® ™ and invisible marks) is a letter or digit.
    static func wordCharacterBefore(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var cursor = index
        while cursor > 0 {
            var start = cursor - 1
            while start > 0, text[start] & 0xC0 == 0x80 { start -= 1 }
            let (scalar, _) = decode(text, at: start)
            if Folding.isDropped(scalar) {
                cursor = start
                continue
            }
            return Folding.isWordCharacter(scalar)
        }
        return false
    }

    /// Whether the character at `index` (ignoring ® ™ and invisible marks) is a letter or digit.
    static func wordCharacterAfter(_ index: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        var cursor = index
        while cursor < text.count {
            let byte = text[cursor]
            if byte < 0x80 {
                return (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            }
            let (scalar, length) = decode(text, at: cursor)
            if Folding.isDropped(scalar) {
                cursor += length
                continue
            }
            return Folding.isWordCharacter(scalar)
        }
        return false
    }
}
