/// Feed bytes made ready for libxml2: always UTF-8 (the parser is told to ignore the declared
/// encoding), and with the small lexical faults of real feeds repaired (``feed(chunkSize:_:)``)
/// so that one stray `&` does not cost the rest of the document.
struct XMLInput {
    /// The document as given, borrowed: read in place when it is UTF-8 already.
    private let source: UnsafeBufferPointer<UInt8>
    /// The UTF-8 bytes of the document when they differ from ``source`` (converted or repaired);
    /// empty and unused otherwise.
    var bytes: [UInt8] = []
    private var converted = false
    /// Bytes skipped at the start of the UTF-8 text (a byte-order mark, junk before the prolog).
    private var start = 0
    /// What was converted or repaired, one line each.
    var warnings: [String] = []
    /// True when the document as given was not well-formed: bytes not in its encoding, text
    /// before the XML declaration, bare `&` or `<`, forbidden control characters.
    var repaired = false

    /// Reads `raw` as UTF-8, converting it when it is not (the lexical repairs are made as it is
    /// fed to the parser). `raw` must stay valid as long as this input is used.
    ///
    /// - Parameter checked: whether `raw` is valid UTF-8 when ``isUTF8Text(_:)`` says it is meant
    ///   to be, if the caller checks that itself (nil: checked here).
    init(borrowing raw: UnsafeBufferPointer<UInt8>, checked: Bool? = nil) {
        source = raw
        if Self.isUTF8Text(raw) {
            if !(checked ?? Self.isValidUTF8(raw)) { convert { $0.repairUTF8(assumed: "UTF-8") } }
        } else {
            convert { $0.decode() }
        }
        trimProlog()
    }

    /// Runs the conversions that work on a copy of the document.
    private mutating func convert(_ conversion: (inout XMLInput) -> Void) {
        bytes = Array(source)
        converted = true
        conversion(&self)
    }

    /// The UTF-8 text, from ``start`` on.
    private func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if converted {
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[min(start, $0.count)...])) }
        }
        return body(UnsafeBufferPointer(rebasing: source[min(start, source.count)...]))
    }

    // MARK: - Prolog

    /// White space (or other junk) before the XML declaration makes libxml2 ignore the
    /// declaration; it is dropped. Anything before the first tag is dropped likewise.
    private mutating func trimProlog() {
        let (skip, warning) = withText { bytes -> (Int, String?) in
            var index = 0
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "<") {
                if index > 0, hasPrefix(bytes, at: index, "<?xml") { return (index, "line 1: white space before the XML declaration ignored") }
                return (0, nil)
            }
            let limit = min(bytes.count, 4096)
            for marker in ["<?xml", "<rss", "<feed", "<rdf:RDF", "<RDF", "<!DOCTYPE", "<channel"] {
                if let start = find(bytes, marker, from: 0, limit: limit) {
                    return (start, "line 1: \(start) bytes of text before the document ignored")
                }
            }
            return (0, nil)
        }
        if let warning {
            start += skip
            warnings.append(warning)
            repaired = true
        }
    }

    // MARK: - Lexical repairs

    /// Hands the document to `body` in pieces of at least `chunkSize` bytes (a piece ends where
    /// the repair scan stopped, after the construct it was in), each piece repaired: `&` that
    /// starts no reference and `<` that starts no markup escaped, the control characters XML
    /// forbids dropped, outside CDATA sections, comments, processing instructions and the
    /// DOCTYPE. libxml2 would drop them anyway, and after a fatal error it also stops
    /// delivering entity references, turning escaped HTML into garbage. The repair runs piece
    /// by piece, just ahead of the parser, so that the parser starts at once; pieces that need
    /// no repair are handed over where they are. `body` returns false to stop.
    ///
    /// - Parameter consumed: told, when the document was read in place, how many bytes of it
    ///   (from its start) are behind the parser and will not be read again.
    mutating func feed(chunkSize: Int, consumed: (Int) -> Void = { _ in }, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        let inPlace = !converted
        let offset = start
        let counts = withText { input -> LexicalRepairer in
            var repairer = LexicalRepairer(input: input)
            var start = 0
            var piece: [UInt8] = []
            while start < input.count {
                let end = repairer.scan(upTo: min(start + chunkSize, input.count), into: &piece)
                let keepGoing: Bool
                if piece.isEmpty {
                    keepGoing = body(UnsafeBufferPointer(rebasing: input[start..<end]))
                } else {
                    keepGoing = piece.withUnsafeBufferPointer(body)
                    piece.removeLast(piece.count)
                }
                start = end
                if inPlace { consumed(offset + end) }
                if !keepGoing { break }
            }
            return repairer
        }
        if counts.ampersands + counts.lessThans + counts.controls > 0 { repaired = true }
        if counts.ampersands > 0 { warnings.append("\(counts.ampersands) bare '&' escaped (not well-formed XML)") }
        if counts.lessThans > 0 { warnings.append("\(counts.lessThans) bare '<' escaped (not well-formed XML)") }
        if counts.controls > 0 {
            warnings.append("\(counts.controls) control character\(counts.controls == 1 ? "" : "s") removed (not allowed in XML)")
        }
    }
}
