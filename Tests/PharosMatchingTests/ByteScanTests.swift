@testable import PharosMatching
import Testing

/// Runs `body` on the UTF-8 bytes of `text`.
private func onBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    Array(text.utf8).withUnsafeBufferPointer(body)
}

/// The byte scans the event reader's set-up makes (line breaks, compound joints, codes,
/// headings) jump to candidate bytes; these hold them to what reading every byte finds.
@Suite struct ByteScans {
    @Test func nextFindsTheFirstByteInItsRangeOnly() {
        onBytes("ab\ncd\n") { bytes in
            #expect(ByteSearch.next(0x0A, in: bytes, from: 0) == 2)
            #expect(ByteSearch.next(0x0A, in: bytes, from: 3) == 5)
            #expect(ByteSearch.next(0x0A, in: bytes, from: 3, to: 5) == nil)
            #expect(ByteSearch.next(0x0A, in: bytes, from: 6) == nil)
        }
        onBytes("") { bytes in #expect(ByteSearch.next(0x0A, in: bytes, from: 0) == nil) }
    }

    @Test func paragraphsSplitAtBlankLinesWithSpacesAndCarriageReturns() {
        let text = "First one.\nStill first.\n \r\n\nSecond.\n\n\n  \nThird"
        let found = onBytes(text) { bytes in
            TextSegments.paragraphs(bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
        #expect(found == ["First one.\nStill first.", "Second.", "Third"])
        #expect(onBytes("no line break at all") { TextSegments.paragraphs($0) } == [0..<20])
        #expect(onBytes("ends with one\n") { TextSegments.paragraphs($0).count } == 1)
    }

    @Test func compoundsSplitAtTheirJointOnly() {
        func split(_ text: String) -> String {
            onBytes(text) { bytes in Compounds.withSplitCompounds(bytes) { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(split("a CD20xCD3 and a BCMA×CD3 bispecific") == "a CD20 CD3 and a BCMA  CD3 bispecific")
        // Ordinary words, a joint at either end, and "×" between words stay as written.
        #expect(split("next exposure, 3 x 5, Taxol, xCD3, CD20x") == "next exposure, 3 x 5, Taxol, xCD3, CD20x")
        #expect(split("café × Café, PD-1xCD3") == "café × Café, PD-1 CD3")
        #expect(split("CD20xCD3xCD19") == "CD20 CD3 CD19")
    }

    @Test func codesAreFoundAfterCapitalisedWordsAndNotInsideThem() {
        let found = onBytes("Arvinas and McDonald-X12 filed CT053, NXC-201 and MacAB-123; JNJ-64007957 (DS-8201a).") { bytes in
            Codes.find(in: bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
        #expect(found == ["CT053", "NXC-201", "JNJ-64007957", "DS-8201a"])
    }

    @Test func headingsAreFoundInAnyCaseAndAfterOtherBytes() {
        func heading(_ text: String) -> String? { onBytes(text) { Sections.firstBackground($0)?.heading } }
        let prose = String(repeating: "The company develops medicines for rare diseases. ", count: 5)
        #expect(heading(prose + "\nMedicines and Healthcare products Regulatory Agency approved it.\n") == nil)
        #expect(heading(prose + "\n**MEDIA CONTACT**\nJane Doe\n") == "MEDIA CONTACT")
        #expect(heading(prose + "\nAbout Immix Biopharma\nImmix is ...\n") == "About Immix Biopharma")
        #expect(heading(prose + "\nAbout 40% of patients respond.\n") == nil)
        #expect(heading(prose + "\nForward-Looking Statements:\nThis release ...\n") == "Forward-Looking Statements")
        #expect(heading(prose + "\nÉtude results\n") == nil)
    }

    /// The scan's in-word skip reads eight bytes at a time: every byte value, at every place
    /// of a run of letters and digits and from every start, ends the run where testing each
    /// byte does.
    @Test func wordEndsWhereTestingEachByteEndsIt() {
        let table = (0...255).map { Automaton.isASCIIWord(UInt8($0)) ? UInt8(1) : 0 }
        func byByte(_ bytes: [UInt8], from start: Int) -> Int {
            var index = start
            while index < bytes.count, Automaton.isASCIIWord(bytes[index]) { index += 1 }
            return index
        }
        func check(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBufferPointer { buffer in
                table.withUnsafeBufferPointer { table in
                    (0...bytes.count).allSatisfy { start in
                        Automaton.wordEnd(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, from: start, count: bytes.count,
                                          isWordByte: table.baseAddress!) == byByte(bytes, from: start)
                    }
                }
            }
        }
        let run = Array("aZ09zA9mQ0bY8cX7dW6".utf8)
        var failures = 0
        for value in 0...255 {
            for place in 0..<run.count {
                var bytes = run
                bytes[place] = UInt8(value)
                if !check(bytes) { failures += 1 }
            }
        }
        #expect(failures == 0)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            // Mostly word bytes, so runs are long enough to cross eight-byte blocks.
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<8, using: &generator) == 0 ? UInt8.random(in: 0...255, using: &generator) : run.randomElement(using: &generator)!
            }
            if !check(bytes) { failures += 1 }
        }
        #expect(failures == 0)
        #expect(check([]))
    }
}
