import Foundation
import PharosCore
import Testing

/// A source's checkpoint is a Codable value stored as one flat JSON object, written and read
/// without Foundation's coders: what earlier versions stored must read the same.
@Suite struct CheckpointValues {
    /// The RSS source's validators, as it declares them.
    struct Validators: Codable, Equatable {
        var etag: String?
        var lastModified: String?
    }

    struct Cursor: Codable, Equatable {
        var generation: String
        var sequence: Int
        var complete: Bool
    }

    let awkward = [
        Validators(etag: "W/\"5f3c-19a\"", lastModified: "Mon, 23 Nov 2026 18:00:00 GMT"),
        Validators(etag: "\"a\\b/c\"\t\u{1}", lastModified: nil),
        Validators(etag: nil, lastModified: "ünïcode ✓ \u{2028}"),
    ]

    @Test func valuesRoundTrip() throws {
        for validators in awkward {
            #expect(try Checkpoint(validators).decode(Validators.self) == validators)
        }
        let cursor = Cursor(generation: "ab12cd34", sequence: -17, complete: true)
        #expect(try Checkpoint(cursor).text == #"{"generation":"ab12cd34","sequence":-17,"complete":true}"#)
        #expect(try Checkpoint(cursor).decode(Cursor.self) == cursor)
    }

    @Test func theStoredTextIsWhatEarlierVersionsWrote() throws {
        // The RSS source wrote its validators by hand, fields in this order, absent ones left out.
        let text = #"{"etag":"W/\"5f3c-19a\"","lastModified":"Mon, 23 Nov 2026 18:00:00 GMT"}"#
        #expect(try Checkpoint(awkward[0]).text == text)
        #expect(try Checkpoint(Validators(etag: "x", lastModified: nil)).text == #"{"etag":"x"}"#)
        #expect(Checkpoint(text: text).decode(Validators.self) == awkward[0])
    }

    @Test func checkpointsWrittenByJSONEncoderReadTheSame() throws {
        for validators in awkward {
            let stored = String(decoding: try JSONEncoder().encode(validators), as: UTF8.self)
            #expect(Checkpoint(text: stored).decode(Validators.self) == validators, "\(stored)")
        }
        // Escapes of any character, a surrogate pair for one outside the BMP.
        #expect(Checkpoint(text: #"{"etag":"\u00fc\ud83d\ude00\u2028","lastModified":null}"#).decode(Validators.self) == Validators(etag: "ü😀\u{2028}"))
        #expect(Checkpoint(text: #"{"etag":"\ud83d"}"#).decode(Validators.self) == nil, "half a surrogate pair")
        #expect(Checkpoint(text: #" { "etag" : "x" , "lastModified" : null } "#).decode(Validators.self) == Validators(etag: "x"))
    }

    @Test func otherTextIsNoCheckpoint() {
        #expect(Checkpoint(text: "").decode(Validators.self) == nil)
        #expect(Checkpoint(text: "stream:ab12cd34:5").decode(Cursor.self) == nil, "an exec stream checkpoint of an earlier version")
        #expect(Checkpoint(text: #"{"etag":"x"} trailing"#).decode(Validators.self) == nil)
        #expect(Checkpoint(text: #"{"generation":"g","sequence":"many","complete":true}"#).decode(Cursor.self) == nil)
        #expect(Checkpoint(text: #"{"generation":"g","complete":true}"#).decode(Cursor.self) == nil, "a required field is missing")
        #expect(Checkpoint(text: #"{"etag":{"nested":"x"}}"#).decode(Validators.self) == nil)
    }

    @Test func onlyStringsIntegersAndBooleansAreFields() {
        struct Dated: Codable { var when: Date }
        struct Fraction: Codable { var share: Double }
        #expect(throws: EncodingError.self) { try Checkpoint(Dated(when: Date())) }
        #expect(throws: EncodingError.self) { try Checkpoint(Fraction(share: 0.5)) }
    }
}
