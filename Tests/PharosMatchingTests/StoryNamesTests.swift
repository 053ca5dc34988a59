import Foundation
import PharosCore
@testable import PharosEngine
import PharosMatching
import Testing

// Story identity on a feed's short items: the same template with other names is other news,
// and a copy keeps its names (real companies and targets of the built-in vocabulary).

private let extractor = EventExtractor(vocabulary: ConfigLoader.builtinOnly())

/// A feed item as many feeds carry one: the headline, and a summary that repeats it.
private func shortItem(_ title: String, number: Int) -> StoryFingerprint {
    StoryFingerprint(
        document: MatchDocument(fields: [
            ("title", title),
            ("summary", "\(title). The company said more in its release number \(number), published on its website today."),
        ]),
        extractor: extractor)
}

@Suite struct StoryNamesBehaviour {
    @Test func theSameTemplateWithAnotherTargetIsAnotherStory() {
        let egfr = shortItem("Denali Therapeutics presents EGFR data at ASCO", number: 1)
        let klrc1 = shortItem("Denali Therapeutics presents KLRC1 data at ASCO", number: 2)
        #expect(egfr.textIsUsable && klrc1.textIsUsable)
        #expect(egfr.signature.similarity(to: klrc1.signature) >= 0.4, "as similar as copies are: only the names tell them apart")
        #expect(egfr.sameStory(as: klrc1) == nil)
    }

    @Test func theSameTemplateFromAnotherCompanyIsAnotherStory() {
        let first = shortItem("Denali Therapeutics announces pricing of public offering", number: 1)
        let second = shortItem("Corcept Therapeutics announces pricing of public offering", number: 2)
        #expect(first.sameStory(as: second) == nil)
        #expect(second.sameStory(as: first) == nil)
    }

    @Test func aCopyKeepsItsNamesAndIsTheSameStory() {
        let wire = shortItem("Denali Therapeutics presents EGFR data at ASCO", number: 1)
        let reprint = shortItem("Denali Therapeutics presents EGFR data at ASCO", number: 1)
        #expect(wire.sameStory(as: reprint) != nil)
    }

    @Test func aHeadlineNameTheOtherTextGivesElsewhereStillAgrees() {
        let headline = StoryNames(title: [1, 2], text: [3])
        let body = StoryNames(title: [], text: [1, 2, 3, 4])
        #expect(headline.agree(with: body) && body.agree(with: headline))
        #expect(!headline.agree(with: StoryNames(title: [], text: [1, 3])))
    }

    @Test func namesSurviveTheirStoredForm() throws {
        let names = StoryNames(title: [7, 3], text: [9, 3, 1])
        let stored = names.bytes
        let read = try #require(stored.withUnsafeBytes(StoryNames.init(littleEndian:)))
        #expect(read == names)
        #expect([UInt8](repeating: 0, count: 3).withUnsafeBytes(StoryNames.init(littleEndian:)) == nil)
        #expect([UInt8]([9, 0, 0, 0]).withUnsafeBytes(StoryNames.init(littleEndian:)) == nil, "more headline names than stored")
    }
}
