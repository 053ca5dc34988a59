import PharosCore
import PharosMatching
import Testing

// Story identity of rewrites (issue 19): what a retelling keeps when its words change, and the
// same company's other news that must stay apart. Fictional companies, real wording.

private func fingerprint(title: String, _ content: String) -> StoryFingerprint {
    StoryFingerprint(document: MatchDocument(fields: [("title", title), ("content", content)]), extractor: nil)
}

@Suite struct StoryIdentity {
    private let report = fingerprint(
        title: "Vantrel Bio Reports Third Quarter 2025 Financial Results and Provides Corporate Update",
        "SAN DIEGO, Nov. 6, 2025 /PRNewswire/ -- Vantrel Bio, Inc. (Nasdaq: VTRL) today reported financial results for the third quarter ended September 30, 2025. Cash was sufficient to fund operations into 2027.")

    @Test func aResultsReportRetoldIsTheSameStory() throws {
        let retold = fingerprint(
            title: "Vantrel Q3 2025 Earnings Report",
            "Vantrel's third quarter was marked by progress in its clinical programs. Key takeaways from the quarter follow.")
        #expect(report.sameStory(as: retold) == .results("2025q3"))
    }

    @Test func theNextQuarterAndAnotherCompanysQuarterAreOtherNews() {
        let next = fingerprint(
            title: "Vantrel Bio Reports Fourth Quarter and Full Year 2025 Financial Results",
            "SAN DIEGO, Feb. 26, 2026 /PRNewswire/ -- Vantrel Bio, Inc. (Nasdaq: VTRL) today reported financial results for the fourth quarter and full year ended December 31, 2025.")
        let other = fingerprint(
            title: "Heliant Therapeutics Reports Third Quarter 2025 Financial Results and Provides Corporate Update",
            "BOSTON, Nov. 6, 2025 /PRNewswire/ -- Heliant Therapeutics, Inc. (Nasdaq: HLNT) today reported financial results for the third quarter ended September 30, 2025.")
        #expect(next.marks.period == "2025q4")
        #expect(report.sameStory(as: next) == nil)
        #expect(report.sameStory(as: other) == nil)
    }

    @Test func theSameFiguresOfTheSameCompanyAreTheSameStory() {
        let release = fingerprint(
            title: "Vantrel Bio Presents VT-501 Data at ASH",
            "Vantrel Bio presented data showing that VT-501 reduced the risk of progression, with a median follow-up of 28.3 months and a response rate of 87.5%.")
        let rewrite = fingerprint(
            title: "",
            "Vantrel presented results from the interim analysis of VT-501: at a median follow-up of 28.3 months, patients on VT-501 did significantly better.")
        let stranger = fingerprint(
            title: "Heliant Presents HX-7 Data",
            "Heliant Therapeutics said HX-7 had a response rate of 87.5% in its phase 2 study.")
        #expect(release.sameStory(as: rewrite) == .figures)
        #expect(release.sameStory(as: stranger) == nil, "one figure in common, no name")
    }

    @Test func namesTellARewriteOfAnEventWithoutAProduct() {
        let wire = fingerprint(title: "", "")
        var zydus = wire
        zydus.lead = StoryEvent(agency: "fda", action: "fda-orphan-drug", product: nil)
        var rewrite = zydus
        var template = zydus
        zydus.marks = StoryMarks(title: "Vantrel's sickle cell drug gets USFDA's orphan designation", body: "Vantrel just scored Orphan Drug Designation for Desiravan, its tablet for Sickle Cell Disease.")
        rewrite.marks = StoryMarks(title: "Vantrel's Desiravan Gets Orphan Designation", body: "The U.S. health regulator granted Orphan Drug Designation to Desiravan, a tablet for Sickle Cell Disease.")
        template.marks = StoryMarks(title: "Heliant's anaemia drug gets USFDA's orphan designation", body: "Heliant just scored Orphan Drug Designation for its tablet.")
        #expect(zydus.marks.sharedNames(with: rewrite.marks) >= 2)
        #expect(zydus.marks.sharedNames(with: template.marks) == 0, "designation, agency and generic words are no names")
    }

    @Test func marksSurviveStorage() throws {
        let stored = try #require(StoryMarks(bytes: report.marks.bytes))
        #expect(stored == report.marks)
        #expect(!report.marks.names.isEmpty && !report.marks.leadNames.isEmpty)
        #expect(StoryMarks(bytes: []) == nil)
        #expect(StoryMarks(bytes: StoryMarks.none.bytes) == StoryMarks.none)
    }
}
