@testable import PharosMatching
import Testing

/// The sentences of `text` as strings, as the matcher and the event reader split them.
private func sentences(_ text: String) -> [String] {
    Array(text.utf8).withUnsafeBufferPointer { bytes in
        TextSegments.sentences(bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
    }
}

/// Reading around each offset agrees with splitting the whole paragraph (or declines).
private func nearAgreesWithAround(_ text: String) -> Bool {
    Array(text.utf8).withUnsafeBufferPointer { bytes in
        for offset in 0..<bytes.count {
            guard let near = TextSegments.sentence(near: offset, in: bytes) else { continue }
            if near != TextSegments.sentence(around: offset, in: bytes) { return false }
        }
        return true
    }
}

@Suite struct SentenceSplitting {
    @Test func footnoteMarkersEndTheSentenceTheyFollow() {
        #expect(sentences("Patients had a complete response.1 Continued approval may depend on results.")
            == ["Patients had a complete response.1", "Continued approval may depend on results."])
        #expect(sentences("It treats multiple myeloma.1 The FDA granted RMAT designation.")
            == ["It treats multiple myeloma.1", "The FDA granted RMAT designation."])
        #expect(sentences("This remains a challenge.2,3 The company plans a trial.")
            == ["This remains a challenge.2,3", "The company plans a trial."])
        #expect(sentences("Outcomes are poor.1-3 New options are needed.") == ["Outcomes are poor.1-3", "New options are needed."])
        #expect(sentences("Outcomes are poor.\u{00B9} New options are needed.") == ["Outcomes are poor.\u{00B9}", "New options are needed."])
    }

    /// Held-out set: a sentence glued to the product code that opens the next one ends at its dot.
    @Test func aSentenceGluedToAProductCodeEndsAtItsDot() {
        #expect(sentences("It treats cataplexy in narcolepsy.AXS-12 is a highly selective inhibitor.")
            == ["It treats cataplexy in narcolepsy.", "AXS-12 is a highly selective inhibitor."])
        #expect(sentences("Read the report.PDF files are attached.") == ["Read the report.PDF files are attached."])
    }

    @Test func bracketedReferencesEndTheSentenceTheyFollow() {
        #expect(sentences("Median survival is 14 months.[1] The FDA granted Fast Track designation.")
            == ["Median survival is 14 months.[1]", "The FDA granted Fast Track designation."])
        #expect(sentences("As reported.[2, 3][4] BCMA is the target.") == ["As reported.[2, 3][4]", "BCMA is the target."])
        #expect(sentences("As reported [1]. BCMA is the target.") == ["As reported [1].", "BCMA is the target."])
    }

    /// Summaries run their bullets inline: a reference after a word, then a dash or a capital, ends a sentence.
    @Test func inlineBulletsAfterReferencesEndTheirSentences() {
        #expect(sentences("Aimed at treating ACM (ACM) [1][7] - The RMAT designation allows it [2] Company Developments - Shares rose [3] \u{2013} Then more.")
            == ["Aimed at treating ACM (ACM) [1][7]", "The RMAT designation allows it [2]", "Company Developments - Shares rose [3]", "Then more."])
        #expect(sentences("as shown in study [4] and in others [5], the drug works.") == ["as shown in study [4] and in others [5], the drug works."])
        #expect(sentences("See [a] The end.") == ["See [a] The end."])
    }

    @Test func decimalsAndNumbersAreNoFootnotes() {
        #expect(sentences("The response rate was 4.5 times higher in the arm.") == ["The response rate was 4.5 times higher in the arm."])
        #expect(sentences("Revenue was $1.2 Billion in the year.") == ["Revenue was $1.2 Billion in the year."])
        #expect(sentences("It was ranked No.1 Worldwide by sales.") == ["It was ranked No.1 Worldwide by sales."])
        #expect(sentences("The trial enrolled 2024.1 The end.").count == 1, "a year before the dot is a number, not a word")
    }

    @Test func statesAndMonthsAreAbbreviations() {
        #expect(sentences("PHILADELPHIA, Pa., Aug. 5, 2025 /PRNewswire/ -- Acme today announced that the FDA granted RMAT designation.").count == 1)
        #expect(sentences("SOUTH SAN FRANCISCO, Calif. Acme Bio today announced Fast Track designation.").count == 1)
        #expect(sentences("CAMBRIDGE, Mass. Acme Bio today announced results. A webcast follows.")
            == ["CAMBRIDGE, Mass. Acme Bio today announced results.", "A webcast follows."])
        #expect(sentences("PRINCETON, N.J. Acme today announced an approval. Shares rose.").count == 2)
        #expect(sentences("The designation was granted in Sept. The company said so.").count == 1, "a month abbreviation does not end a sentence")
        #expect(sentences("Treated at Mass. General Hospital. Then discharged.") == ["Treated at Mass. General Hospital.", "Then discharged."])
        // Written in lower case these are words that end sentences.
        #expect(sentences("Patients lost body mass. The drug was well tolerated.") == ["Patients lost body mass.", "The drug was well tolerated."])
        #expect(sentences("Some patients were ill. Others were not.") == ["Some patients were ill.", "Others were not."])
    }

    @Test func aLetterThatLabelsAWordIsNoInitial() {
        #expect(sentences("ARC-217 is a BCMA-directed CAR T. The FDA granted RMAT.") == ["ARC-217 is a BCMA-directed CAR T.", "The FDA granted RMAT."])
        #expect(sentences("It entered Phase I. Results follow.") == ["It entered Phase I.", "Results follow."])
        #expect(sentences("Patients in Cohort B. Some responded.") == ["Patients in Cohort B.", "Some responded."])
        #expect(sentences("The talk by John F. Kennedy and Dr. J. Smith was short.").count == 1, "initials stay")
    }

    @Test func missingSpaceAfterAPeriod() {
        #expect(sentences("The FDA granted approval.The company will launch it.") == ["The FDA granted approval.", "The company will launch it."])
        #expect(sentences("Visit www.ImmunityBio.com for more. It is online.") == ["Visit www.ImmunityBio.com for more.", "It is online."])
        #expect(sentences("Read the file README.Md today.") == ["Read the file README.Md today."])
        #expect(sentences("Examples, e.g.The list, follow.") == ["Examples, e.g.The list, follow."])
        #expect(sentences("Acme Inc.The news.") == ["Acme Inc.The news."], "an abbreviation glued to a word stays")
        #expect(sentences("A value of 4.5Mb was read.") == ["A value of 4.5Mb was read."])
    }

    @Test func listBulletsStartSentences() {
        #expect(sentences("The FDA granted:\n• RMAT designation for ARC-217\n• Fast Track designation for ARC-301")
            == ["The FDA granted:", "• RMAT designation for ARC-217", "• Fast Track designation for ARC-301"])
        #expect(sentences("Highlights\n- Orphan Drug designation\n* Priority Review granted")
            == ["Highlights", "- Orphan Drug designation", "* Priority Review granted"])
        #expect(sentences("Milestones:\n1. RMAT designation granted.\n2. BLA submitted in March.\n10) First patient dosed")
            == ["Milestones:", "1. RMAT designation granted.", "2. BLA submitted in March.", "10) First patient dosed"])
        #expect(sentences("Done.\n1. First item") == ["Done.", "1. First item"])
        // A hyphen inside a line, or a number that is no list mark, starts nothing.
        #expect(sentences("A first-in-class\ntherapy - for some\n2025 data") == ["A first-in-class\ntherapy - for some\n2025 data"])
    }

    @Test func theEarlierSentenceTestsStillHold() {
        #expect(sentences("The U.S. FDA granted RMAT to a BCMA CAR-T. Dr. Lee spoke.")
            == ["The U.S. FDA granted RMAT to a BCMA CAR-T.", "Dr. Lee spoke."])
        #expect(sentences("RMAT was granted on 4.5 grounds. \"BCMA\" is the target.")
            == ["RMAT was granted on 4.5 grounds.", "\"BCMA\" is the target."])
        #expect(sentences("RMAT for some targets,\u{00A0}e.g. BCMA, and others.").count == 1)
    }

    /// `within: sentence` sees the sentences: a footnote marker or a glued period no longer
    /// makes two sentences one.
    @Test func withinSentenceSeesTheSplit() {
        let r = rule("r") { $0.targets = ["BCMA"]; $0.designations = ["RMAT"]; $0.status = .any; $0.within = .sentence }
        #expect(matchedRules([r], "ARC-217 is a BCMA-directed CAR T with a durable response.1 Continued approval may depend on RMAT data.").isEmpty)
        #expect(matchedRules([r], "ARC-217 is a BCMA-directed CAR T.[2] The FDA granted RMAT designation today.").isEmpty)
        #expect(matchedRules([r], "ARC-217 is a BCMA-directed therapy.The FDA granted RMAT designation today.").isEmpty)
        #expect(matchedRules([r], "Highlights:\n• ARC-217 targets BCMA\n• RMAT granted in May").isEmpty)
        #expect(matchedRules([r], "PHILADELPHIA, Pa., Aug. 5, 2025 -- The FDA granted RMAT designation to a BCMA CAR T.") == ["r"])
    }

    /// Every case above, and random mixes of their pieces, read the same around any offset.
    @Test func readingNearAnOffsetAgreesWithSplittingTheParagraph() {
        let cases = [
            "Patients had a complete response.1 Continued approval may depend on results.",
            "This remains a challenge.2,3 The company plans a trial.\n\nNext.1\n\nAnd more.[4] Yes.",
            "Median survival is 14 months.[1] The FDA granted it.[2, 3][4] BCMA is the target.\u{00B9} Done.\u{2074}",
            "PHILADELPHIA, Pa., Aug. 5, 2025 /PRNewswire/ -- Acme Bio. CAMBRIDGE, Mass. Acme. Lost mass. Ill. N.J. Sept. Then.",
            "The FDA granted approval.The company will launch it. www.ImmunityBio.com. e.g.The Inc.The end.",
            "The FDA granted:\n• RMAT for ARC-217\n  - Fast Track\n* BTD.\n1. One.\n12) Two\n3.Three\n\n- Para bullet.",
            "Done.\n1. First item\n\n  1. Indented para.",
            "A.\n\n  Indented. Yes.",
            "A CAR T. The CAR-T. Phase I. Cohort B. John F. Kennedy. CAR T.[1] Next. CAR  T. Then.",
            "Aimed at ACM (ACM) [1][7] - The RMAT [2] Company - Shares [3] \u{2013} Then [4]. Also [5] and [6], x.[7] Y [8]  Z.",
        ]
        for text in cases { #expect(nearAgreesWithAround(text), "\(text.debugDescription)") }
        var random = SeededGenerator(state: 4_242)
        let pieces = ["response", ".", ".1", ".2,3", ".[1]", "[2]", " ", "  ", "\n", "\n\n", "• ", "- ", "* ", "1. ", "12) ",
                      "The", "the", "Mass.", "mass.", "N.J.", "Aug.", "approval.The", "www.A.com", "4.5", "\u{00B9}", "\u{201D}", ")",
                      "e.g.", "Inc.", "!", "?", "J.", "x", "CAR T.", "CAR", "T.", "Phase", " [1]", "[2]", "] ", " - ", "\u{2013} ", "[", "]"]
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...30, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let agrees = nearAgreesWithAround(text)
            #expect(agrees, "\(text.debugDescription)")
            if !agrees { return }
        }
    }
}
