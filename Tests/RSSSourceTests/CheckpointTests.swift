import Foundation
@testable import RSSSource
import Testing

/// The validators a poll keeps are JSON read and written by hand: what earlier versions
/// stored with Foundation's coders must still read the same, and both ways must agree.
@Suite struct CheckpointText {
    let awkward = [
        RSSSource.Validators(etag: "W/\"5f3c-19a\"", lastModified: "Mon, 23 Nov 2026 18:00:00 GMT"),
        RSSSource.Validators(etag: "\"a\\b/c\"\t\u{1}", lastModified: nil),
        RSSSource.Validators(etag: nil, lastModified: "ünïcode ✓"),
    ]

    @Test func checkpointsWrittenByJSONEncoderReadTheSame() throws {
        for validators in awkward {
            let stored = String(decoding: try JSONEncoder().encode(validators), as: UTF8.self)
            #expect(RSSSource.Validators(checkpoint: stored) == validators, "\(stored)")
            #expect(FlatJSON.stringFields(stored) != nil || stored.contains("\\u"), "the small reader handles \(stored)")
        }
    }

    @Test func writtenCheckpointsAreJSONThatReadsBack() throws {
        for validators in awkward {
            let text = try #require(validators.checkpoint)
            #expect(try JSONDecoder().decode(RSSSource.Validators.self, from: Data(text.utf8)) == validators)
            #expect(RSSSource.Validators(checkpoint: text) == validators)
        }
        #expect(RSSSource.Validators(etag: nil, lastModified: nil).checkpoint == nil)
    }

    @Test func otherTextIsNoCheckpoint() {
        #expect(RSSSource.Validators(checkpoint: "") == nil)
        #expect(RSSSource.Validators(checkpoint: "{\"etag\": 5}") == nil)
        #expect(FlatJSON.stringFields("{\"etag\":\"x\"} trailing") == nil)
        #expect(FlatJSON.stringFields(" { \"etag\" : \"x\" , \"lastModified\" : null } ") == ["etag": "x"])
    }
}
