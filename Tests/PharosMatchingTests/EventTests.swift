import Foundation
import PharosCore
@testable import PharosEngine
@testable import PharosMatching
import Testing

// Regulatory events read from short press releases (fictional companies and products, real
// agencies and designations), with the built-in vocabularies; and rules that name
// designations, which fire on those events.

private let builtin = ConfigLoader.builtinOnly()
private let extractor = EventExtractor(vocabulary: builtin)

private func day(_ iso: String) -> Date {
    ISO8601DateFormatter().date(from: iso + "T12:00:00Z")!
}

/// The events of an item with this title and content, published on `published`.
private func events(title: String, _ content: String, published: String? = "2025-06-10") -> [RegulatoryEvent] {
    extractor.extract(MatchDocument(fields: [("title", title), ("content", content)], published: published.map(day)))
}

/// One line per event, for failure messages: action, status, product, targets, cues.
private func show(_ events: [RegulatoryEvent]) -> String {
    events.map { event in
        "\(event.action) \(event.status.rawValue) product=\(event.product ?? "-") targets=\(event.targets.map(\.id)) "
            + "modality=\(event.modality ?? "-") cues=\(event.cues) in \(event.evidence.field): \(event.evidence.text.prefix(90))"
    }.joined(separator: "\n")
}

private func rules(_ yaml: String) throws -> CompiledRules {
    let node = try YAMLNodes.parse(yaml, file: "rules.yaml")
    let (parsed, problems) = RuleParser.parse(node, baseDirectory: URL(fileURLWithPath: "/"))
    if !problems.isEmpty { throw ConfigErrors(problems) }
    return try CompiledRules(rules: parsed, vocabulary: builtin)
}

/// Every problem `pharos check` would report for these rules: parsing them, then compiling them.
private func problems(_ yaml: String) -> [String] {
    do throws(ConfigErrors) {
        let node = try YAMLNodes.parse(yaml, file: "rules.yaml")
        let (parsed, problems) = RuleParser.parse(node, baseDirectory: URL(fileURLWithPath: "/"))
        if !problems.isEmpty { return problems.map(\.description) }
        _ = try CompiledRules(rules: parsed, vocabulary: builtin)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

private func matched(_ compiled: CompiledRules, title: String, _ content: String, published: String? = "2025-06-10") -> [String] {
    compiled.evaluate(MatchDocument(fields: [("title", title), ("content", content)], published: published.map(day))).map(\.rule)
}

// MARK: - Statuses

@Suite struct EventStatus {
    @Test func announcedInTheTitle() throws {
        let found = events(
            title: "Arcturus Cell Sciences Receives FDA RMAT Designation for ARC-217, a BCMA-Directed CAR T Therapy",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported its first-quarter results and an update on its pipeline of cell therapies.")
        let event = try #require(found.first { $0.action == "fda-rmat" }, "\(show(found))")
        #expect(event.status == .announced, "\(show(found))")
        #expect(event.evidence.field == "title")
        #expect(event.agency == "FDA")
        #expect(event.product == "ARC-217", "\(show(found))")
        #expect(event.targets.map(\.id).contains("TNFRSF17"), "the apposition 'a BCMA-Directed CAR T' gives the target: \(show(found))")
        #expect(event.modality == "car-t", "\(show(found))")
        #expect(event.cues.contains("in the title"), "\(event.cues)")
    }

    @Test func announcedInTheLead() throws {
        let found = events(
            title: "Arcturus Cell Sciences Provides Business Update",
            """
            BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the U.S. Food and Drug Administration (FDA) has granted Fast Track designation to ARC-301, a GPRC5D-directed CAR T therapy, for relapsed or refractory multiple myeloma. The company also reported cash of $210 million.

            Enrolment in the Phase 1 study continues.
            """)
        let event = try #require(found.first { $0.action == "fda-fast-track" }, "\(show(found))")
        #expect(event.status == .announced, "\(show(found))")
        #expect(event.cues.contains("in the lead"), "\(event.cues)")
        #expect(event.product == "ARC-301")
        #expect(event.targets.map(\.id) == ["GPRC5D"], "\(show(found))")
        #expect(event.indication == "relapsed or refractory multiple myeloma", "\(event.indication ?? "nil")")
    }

    /// Pinned: the Orphan Drug Designation of an "About NXC-201" section is background, the RMAT of the title the news.
    @Test func orphanDrugInAnAboutSectionIsBackground() throws {
        let found = events(
            title: "Immix Biopharma Receives FDA Regenerative Medicine Advanced Therapy (RMAT) Designation for NXC-201",
            """
            LOS ANGELES, June 10, 2025 -- Immix Biopharma, Inc. today announced that the U.S. Food and Drug Administration (FDA) granted Regenerative Medicine Advanced Therapy (RMAT) designation to NXC-201 for the treatment of relapsed/refractory AL amyloidosis.

            "This designation recognizes the potential of NXC-201 for patients who have few options," said the Chief Executive Officer of Immix Biopharma.

            About NXC-201

            NXC-201 is a BCMA-targeted CAR-T cell therapy. NXC-201 has been awarded Orphan Drug Designation by the FDA and the EMA.
            """)
        let orphan = found.filter { $0.action.hasSuffix("orphan-drug") }
        #expect(!orphan.isEmpty, "\(show(found))")
        for event in orphan {
            #expect(event.status == .background, "\(show([event]))")
            #expect(event.cues.contains("section \"About NXC-201\""), "\(event.cues)")
        }
        let rmat = try #require(found.first { $0.action == "fda-rmat" && $0.evidence.field == "content" && $0.status == .announced }, "\(show(found))")
        #expect(rmat.headline == "FDA RMAT designation: NXC-201 (Immix Biopharma), relapsed/refractory AL amyloidosis", "\(rmat.headline)")
    }

    @Test func previouslyMakesBackgroundEvenInTheLead() throws {
        let found = events(
            title: "Arcturus Receives FDA Fast Track Designation for ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the FDA has granted Fast Track designation to ARC-217 for multiple myeloma. ARC-217 was previously granted Orphan Drug Designation by the FDA for multiple myeloma.")
        let orphan = try #require(found.first { $0.action == "fda-orphan-drug" }, "\(show(found))")
        #expect(orphan.status == .background, "\(show(found))")
        #expect(orphan.cues.contains { $0.contains("previously") }, "\(orphan.cues)")
        #expect(found.contains { $0.action == "fda-fast-track" && $0.status == .announced }, "\(show(found))")
    }

    /// Issue 14: an EMA PRIME release that "adds to" an FDA Breakthrough Therapy designation of August.
    @Test func addsToTheDesignationIssuedInAugustIsBackground() throws {
        let found = events(
            title: "Vantrel Bio Receives EMA PRIME Designation for VT-501 in Multiple Myeloma",
            "AMSTERDAM, June 10, 2025 -- Vantrel Bio today announced that the European Medicines Agency (EMA) has granted PRIority MEdicines (PRIME) designation to VT-501, a GPRC5D-targeted CAR T, for relapsed multiple myeloma. This adds to the similar Breakthrough Therapy designation from the FDA issued in August.")
        let breakthrough = try #require(found.first { $0.action == "fda-breakthrough-therapy" }, "\(show(found))")
        #expect(breakthrough.status == .background, "\(show(found))")
        #expect(breakthrough.cues.contains { $0.contains("adds to") || $0.contains("issued in") }, "\(breakthrough.cues)")
        #expect(found.contains { $0.action == "ema-prime" && $0.status == .announced && $0.product == "VT-501" }, "\(show(found))")
    }

    @Test func aDateWellBeforeTheItemMakesBackground() throws {
        let month = events(
            title: "Arcturus Doses First Patient in Phase 2 Trial of ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the first patient was dosed in its Phase 2 trial of ARC-217. In March, the FDA granted ARC-217 Orphan Drug Designation for multiple myeloma.")
        let orphan = try #require(month.first { $0.action == "fda-orphan-drug" }, "\(show(month))")
        #expect(orphan.status == .background, "\(show(month))")
        #expect(orphan.cues.contains { $0.hasPrefix("dated") && $0.contains("March") }, "\(orphan.cues)")

        let year = events(
            title: "Arcturus Doses First Patient in Phase 2 Trial of ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the first patient was dosed in its Phase 2 trial of ARC-217. In 2023, the FDA granted ARC-217 Orphan Drug Designation for multiple myeloma.")
        let old = try #require(year.first { $0.action == "fda-orphan-drug" }, "\(show(year))")
        #expect(old.status == .background, "\(show(year))")
        #expect(old.cues.contains { $0.contains("2023") }, "\(old.cues)")

        let body = events(
            title: "Arcturus Doses First Patient in Phase 2 Trial of ARC-217",
            """
            BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the first patient was dosed in its Phase 2 trial of ARC-217.

            The trial will enrol 120 patients. The FDA granted ARC-217 Orphan Drug Designation for multiple myeloma in 2023.
            """)
        let older = try #require(body.first { $0.action == "fda-orphan-drug" }, "\(show(body))")
        #expect(older.status == .background, "\(show(body))")

        // A few days before the item is the news itself.
        let recent = events(
            title: "Arcturus Provides Update on ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced an update on ARC-217. On June 5, the FDA granted ARC-217 Orphan Drug Designation for multiple myeloma.")
        #expect(recent.first { $0.action == "fda-orphan-drug" }?.status == .announced, "\(show(recent))")
    }

    @Test(arguments: [
        ("Arcturus plans to request Breakthrough Therapy designation for ARC-217 later this year.", "fda-breakthrough-therapy"),
        ("Arcturus believes ARC-217 may be eligible for Priority Review.", "fda-priority-review"),
        ("ARC-217 is on track to receive Fast Track designation in the third quarter.", "fda-fast-track"),
        ("Arcturus submitted a request for RMAT designation for ARC-217 in May.", "fda-rmat"),
    ])
    func prospective(sentence: String, action: String) throws {
        let found = events(
            title: "Arcturus Cell Sciences Reports First Quarter 2025 Financial Results",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported financial results for the first quarter of 2025. \(sentence)")
        let event = try #require(found.first { $0.action == action }, "\(show(found))")
        #expect(event.status == .prospective, "\(show(found))")
        #expect(event.cues.contains { $0.hasPrefix("prospective cue") }, "\(event.cues)")
    }

    /// Pinned: "poised to file an Expanded Access Policy within 15 days" has not happened.
    @Test func poisedToFileIsProspective() throws {
        let found = events(
            title: "Arcturus Reports Positive Phase 1 Data for ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported positive Phase 1 data for ARC-217. Following these data, the company is poised to file an Expanded Access Policy within 15 days.")
        let event = try #require(found.first { $0.action == "expanded-access" }, "\(show(found))")
        #expect(event.status == .prospective, "\(show(found))")
    }

    @Test func whatADesignationIsIsADefinition() throws {
        let found = events(
            title: "Arcturus Receives FDA RMAT Designation for ARC-217",
            """
            BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the FDA has granted RMAT designation to ARC-217 for multiple myeloma.

            RMAT designation is intended to expedite the development and review of regenerative medicine therapies for serious conditions.
            """)
        let rmat = found.filter { $0.action == "fda-rmat" }
        let definition = try #require(rmat.first { $0.evidence.text.hasPrefix("RMAT designation is intended") }, "\(show(found))")
        #expect(definition.status == .definition, "\(show(found))")
        #expect(rmat.contains { $0.status == .announced }, "\(show(found))")
    }

    /// Pinned: the date and "these two promising treatments" point back at both products of the sentence before.
    @Test func theseTwoTreatmentsAreTheSubjects() throws {
        let found = events(
            title: "Arcturus Cell Sciences Provides Regulatory Update",
            "NEW YORK, March 4, 2025 -- Arcturus Cell Sciences today reported progress for ARC-217 and ARC-301, its CAR T therapies for multiple myeloma. On February 27, the FDA granted RMAT designation for these two promising treatments.",
            published: "2025-03-04")
        let rmat = found.filter { $0.action == "fda-rmat" }
        #expect(Set(rmat.compactMap(\.product)) == ["ARC-217", "ARC-301"], "\(show(found))")
        for event in rmat {
            #expect(event.status == .announced, "\(show([event]))")
            #expect(event.cues.contains { $0.contains("earlier sentence") }, "\(event.cues)")
        }
    }

    /// Held-out set: a code the vocabulary does not know gets its target from the sentence that
    /// tells what it is.
    @Test func anUnknownCodeGetsItsTargetFromItsOwnSentence() throws {
        let found = events(
            title: "FDA grants orphan drug designation to ARC-900 for gastric cancer",
            """
            The FDA granted orphan drug designation to ARC-900 for treatment of gastric cancers, according to its maker.

            An estimated 120,300 people in the United States have gastric cancer.

            ARC-900 (Arcturus Cell Sciences) is an anti-Claudin18.2 monoclonal antibody.
            """)
        let orphan = try #require(found.first { $0.action == "fda-orphan-drug" && $0.status == .announced }, "\(show(found))")
        #expect(orphan.targets.map(\.id) == ["CLDN18"], "\(show([orphan]))")
    }

    /// The modality is the head of the noun its words end: "monoclonal antibody-drug conjugate"
    /// is an ADC, "bispecific antibody-drug conjugate" too.
    @Test func anUnknownCodeGetsTheModalityItsNounEndsWith() throws {
        let found = events(
            title: "FDA grants Breakthrough Therapy designation to ARC-901",
            "The FDA granted Breakthrough Therapy designation to ARC-901 for multiple myeloma, Arcturus said.\n\nARC-901 is an anti-BCMA monoclonal antibody-drug conjugate.")
        let breakthrough = try #require(found.first { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(found))")
        #expect(breakthrough.modality == "adc", "\(show([breakthrough]))")
    }

    /// A product named only in the headline is the subject of the body's events, and it is
    /// reported as the headline writes it, not as the body's bytes at the headline's offsets.
    @Test func aSubjectNamedInTheHeadlineKeepsItsName() throws {
        let found = events(
            title: "Arcturus obtains EMA Orphan Drug Designation for ARC-217",
            "This Orphan Drug Designation follows a similar decision from the Food & Drug Administration (FDA) in 2024.")
        let bodyEvents = found.filter { $0.evidence.field == "content" }
        #expect(!bodyEvents.isEmpty, "\(show(found))")
        for event in found {
            #expect(event.product == "ARC-217", "\(show([event]))")
        }
    }

    /// Pinned: a release whose news is a rights transfer; the product's designations are its history.
    @Test func designationsListedInARightsDealAreNotTheNews() {
        let found = events(
            title: "Meridian Oncology Acquires Global Rights to Fucaso",
            """
            SHANGHAI, June 10, 2025 -- Meridian Oncology today announced that it has entered into an agreement to acquire exclusive global rights to Fucaso (equecabtagene autoleucel), a BCMA-directed CAR-T cell therapy. Fucaso has received orphan drug, breakthrough therapy and fast track designations from the FDA.

            Under the agreement, Meridian Oncology will pay an upfront fee and milestones.
            """)
        let designations = found.filter { event in builtin.entry(.designation, id: event.action).map { !$0.isAction } ?? false }
        #expect(!designations.isEmpty, "the three designations are still read: \(show(found))")
        #expect(!designations.contains { $0.status == .announced }, "\(show(found))")
    }

    /// Held-out set: the CHMP's recommendation in other words than "positive opinion" is its opinion,
    /// and "recommended for" inside the phrase is no plan.
    @Test func aCHMPRecommendationInOtherWordsIsItsOpinion() {
        let found = events(
            title: "CHMP recommends two CAR-T cell medicines for EU use",
            "The Committee for Medicinal Products for Human Use (CHMP) has announced that two products have been recommended for use in Europe: Kymriah and Yescarta.")
        let opinions = found.filter { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced }
        #expect(Set(opinions.compactMap(\.product)) == ["Kymriah", "Yescarta"], "\(show(found))")
    }

    /// Held-out sets: an FDA advisory committee's vote is no CHMP opinion, and the approval it
    /// recommends or votes for is still ahead; the words vetoed for the opinion do not hide the
    /// approval word inside them.
    @Test func anFDAAdvisoryCommitteeVoteIsNoCHMPOpinionAndTheApprovalIsAhead() {
        for sentence in [
            "An FDA advisory committee recommended approval of ARC-217 for multiple myeloma.",
            "An FDA advisory committee voted in favor of approval of ARC-217 for multiple myeloma.",
        ] {
            let found = events(title: "FDA panel backs Arcturus's ARC-217", "BOSTON, June 10, 2025 -- " + sentence)
            #expect(!found.contains { $0.action == "ema-chmp-positive-opinion" }, "\(show(found))")
            let approval = found.first { $0.action == "fda-approval" && $0.product == "ARC-217" }
            #expect(approval?.status == .prospective, "\(sentence)\n\(show(found))")
        }
        let after = events(
            title: "Arcturus's ARC-217 wins FDA nod",
            "BOSTON, June 10, 2025 -- Following a positive vote by the advisory committee, the FDA approved ARC-217 for multiple myeloma.")
        #expect(after.first { $0.action == "fda-approval" }?.status == .announced, "\(show(after))")
    }

    /// Seventh held-out set: the FDA declining to approve an application is its complete response.
    @Test func declinedToApproveIsACompleteResponse() {
        let found = events(
            title: "Arcturus shares tumble",
            "BOSTON, June 10, 2025 -- Arcturus said the US Food and Drug Administration declined to approve its new-drug application for ARC-217 to treat multiple myeloma.")
        #expect(found.contains { $0.action == "fda-complete-response-letter" && $0.status == .announced && $0.product == "ARC-217" }, "\(show(found))")
        #expect(!found.contains { $0.action == "fda-approval" }, "\(show(found))")
    }

    /// Seventh held-out set: "approval from the FDA for Fast Track Designation" is the designation's
    /// grant, no approval of the product.
    @Test func anApprovalForADesignationIsItsGrant() {
        let found = events(
            title: "Arcturus's partner update",
            "BOSTON, June 10, 2025 -- Through its partner, ARC-217 received approval from the U.S. Food and Drug Administration (FDA) for Fast Track Designation.")
        #expect(!found.contains { $0.action == "fda-approval" }, "\(show(found))")
        #expect(found.contains { $0.action == "fda-fast-track" && $0.status == .announced }, "\(show(found))")
    }

    /// Seventh held-out set: an act told as the time of the news ("weeks after the FDA granted it")
    /// is history; "with the aim of achieving" and "to be designated" tell acts ahead.
    @Test func timesAfterAnActAndAimsTellHistoryAndProspects() {
        let found = events(
            title: "Arcturus receives PRIME designation from EMA for ARC-217",
            """
            BOSTON, June 10, 2025 -- "Receiving PRIME designation for ARC-217 from the EMA mere weeks after the FDA granted it Breakthrough Therapy designation strengthens our belief," said the CEO.

            The company is set to start a pivotal study of ARC-217, with the aim of achieving accelerated approval by 2027.

            We believe that ARC-318 may meet the criteria to be designated as a Fast Track product.
            """)
        #expect(found.first { $0.action == "fda-breakthrough-therapy" }?.status == .background, "\(show(found))")
        #expect(found.first { $0.action == "fda-accelerated-approval" }?.status == .prospective, "\(show(found))")
        #expect(found.first { $0.action == "fda-fast-track" }?.status == .prospective, "\(show(found))")
    }

    /// "Last year" and "last month" before an act date it before the item's news, in the lead too;
    /// "Last week" stays the news of a weekly report.
    @Test func lastYearBeforeAnActIsHistory() {
        let year = events(
            title: "New therapeutic targets: EMA's PRIME in review",
            "Last year saw the number of applications accepted onto the EMA's PRIME scheme inch up.")
        #expect(year.first { $0.action == "ema-prime" }?.status == .background, "\(show(year))")
        let week = events(
            title: "CRISPR therapy approved in the UK",
            "Last week, U.K. regulators at the MHRA approved Casgevy for sickle cell disease.")
        #expect(week.first { $0.action == "mhra-approval" }?.status == .announced, "\(show(week))")
    }

    /// Eighth and ninth held-out sets: acts still ahead in other words, and acts told of another
    /// product in a relative clause.
    @Test func expectationsRequestsAndPanelsTellActsAhead() {
        func status(_ action: String, title: String, _ text: String) -> RegulatoryEvent.Status? {
            let found = events(title: title, text)
            return found.first { $0.action == action }?.status
        }
        #expect(status("fda-complete-response-letter", title: "Perrigo Expects Complete Response Letter On Generic Version Of ProAir",
                       "Perrigo said the FDA informed the company by teleconference.") == .prospective)
        #expect(status("fda-clinical-hold-lifted", title: "Aptose Updates on APTO-253 FDA Clinical Hold; Says Additional Info Requested Before Removed",
                       "Aptose provided an update on the FDA clinical hold of APTO-253.") == .prospective)
        #expect(status("fda-orphan-drug", title: "Oncolytics Biotech reports on REOLYSIN",
                       "Oncolytics today announced that it has submitted an application for Orphan Drug Designation to the U.S. FDA for REOLYSIN.") == .prospective)
        #expect(status("fda-fast-track", title: "CytoDyn announces filing of FDA fast-track application for leronlimab",
                       "CytoDyn filed the application with the agency.") == .prospective)
        #expect(status("pmda-approval", title: "MHLW Panel OKs Takeda's ALK Drug brigatinib",
                       "A key health ministry panel on December 4 recommended approval for brigatinib.") == .prospective)
        #expect(status("ec-approval", title: "EU CHMP Backs Three Conditional Approvals, Several Treatment Firsts",
                       "The committee gave the all-clear to eight new drugs.") == .prospective)
        #expect(status("fda-approval", title: "Clovis drops on lung cancer drug",
                       "Clovis said rociletinib's review is ongoing; AstraZeneca's TAGRISSO, which the FDA approved on Friday, competes with it.") == .background)
    }

    /// Ninth held-out set: a tag page (no headline, or a word for one) lists teasers, each the
    /// news of its own item; a report on one company in short paragraphs stays one item.
    @Test func aTagPageOfTeasersHasALeadPerTeaser() {
        let tagPage = events(title: "Approvals", """
            In 1999, a GI oncologist saw an FDA recruitment advertisement in a medical journal and applied for the post.
            FDA issued a draft guidance that, when finalized, will provide recommendations for tissue biopsies in clinical trials.
            FDA approved Keytruda for adults with resectable locally advanced head and neck squamous cell carcinoma.
            FDA approved Imfinzi with chemotherapy for adults with limited-stage small cell lung cancer after chemoradiation.
            FDA approved Enhertu for adults with HER2-low or HER2-ultralow metastatic breast cancer after endocrine therapy.
            """)
        for product in ["Keytruda", "Imfinzi", "Enhertu"] {
            #expect(tagPage.contains { $0.action == "fda-approval" && $0.product == product && $0.status == .announced }, "\(show(tagPage))")
        }
        let report = events(title: "", """
            Legend Biotech, on Tuesday, while reporting second-quarter results, said it is committed to its lead drug Carvykti.

            The drug was developed in partnership with Janssen under a deal signed in 2017, with shared costs and profits.

            Legend Biotech received a payment of $15 million from Janssen after the application for expanded use was accepted.

            Legend Biotech's Carvykti holds an FDA approval for relapsed or refractory multiple myeloma, the company noted.

            For the second quarter, Legend Biotech reported a loss of $199 million, compared with $193 million a year ago.
            """)
        #expect(report.first { $0.action == "fda-approval" }?.status == .background, "\(show(report))")
    }

    /// Eighth and ninth held-out sets: British spelling, a request granted to "the firm's", a
    /// list's "Read More" links, and a partner agency acting within Project Orbis.
    @Test func spellingsLinksAndPartnerAgencies() {
        let paediatric = events(
            title: "Clarity announces the US FDA grants rare paediatric disease designation to 64Cu SARTATE",
            "Clarity is pleased to announce that the U.S. FDA has granted rare paediatric disease designation to 64Cu SARTATE.")
        #expect(paediatric.contains { $0.action == "fda-rare-pediatric-disease" && $0.status == .announced }, "\(show(paediatric))")
        let request = events(
            title: "Moleculin Biotech shares rise",
            "The U.S. Food and Drug Administration approved the firm's request for a 'rare pediatric disease' designation for WP1066.")
        #expect(request.first { $0.action == "fda-rare-pediatric-disease" }?.status == .announced, "\(show(request))")
        let links = events(title: "FDA News", """
            ViiV Submits Fostemsavir NDA to the FDA for Treatment of HIV

            ViiV Healthcare today completed submission of a New Drug Application to the FDA seeking approval of fostemsavir.

            Read More »

            FDA Grants Breakthrough Therapy Designation to Bristol-Myers Squibb's Orencia

            Bristol-Myers Squibb announced today that the FDA granted Breakthrough Therapy Designation to Orencia.

            Read More »
            """)
        #expect(links.first { $0.action == "fda-breakthrough-therapy" }?.status == .announced, "\(show(links))")
        let orbis = events(title: "Information", "Swissmedic approves first new active substance as part of Project Orbis.")
        #expect(!orbis.contains { $0.action == "fda-project-orbis" }, "\(show(orbis))")
    }

    /// Eighth held-out set: gladness "to receive" a designation is its receipt; terms defined and
    /// designations given to kinds of products are definitions; the EMA's old acronym.
    @Test func gladnessDefinedTermsAndTheOldAcronym() {
        let glad = events(
            title: "Ignyta receives orphan drug designation for entrectinib",
            """
            Ignyta announced today that the FDA has granted orphan drug designation for entrectinib in colorectal cancer.

            "We are pleased to receive from the FDA this orphan drug designation," said the CEO.
            """)
        #expect(!glad.contains { $0.status == .prospective }, "\(show(glad))")
        let defined = events(
            title: "HQP1351 granted Orphan Drug Designation by the US FDA",
            """
            Ascentage Pharma announced today that the FDA has granted Orphan Drug Designation to HQP1351.

            The term "orphan drugs" refers to products for rare diseases. The FDA's Office of Orphan Products Development grants orphan status to drugs and biologic products which treat rare diseases.
            """)
        #expect(defined.filter { $0.action == "fda-orphan-drug" && $0.status == .definition }.count >= 1, "\(show(defined))")
        let emea = events(title: "Antigenics update", "In March, the EMEA granted orphan medicinal product designation to Oncophage.")
        #expect(emea.contains { $0.action == "ema-orphan-drug" }, "\(show(emea))")
    }

    /// Ninth held-out set: an explainer's conditions and applications are no acts; a refuse to
    /// file letter's name is no filing ahead.
    @Test func conditionsApplicationsAndLetterNames() {
        let explainer = events(title: "EMA CHMP Positive Opinions", """
            The CHMP issues opinions on centralized marketing authorization applications at its monthly plenary meetings. If the CHMP issues a "Positive Opinion" and recommends the authorisation of a medicinal product, a summary of the opinion is published.
            """)
        #expect(!explainer.contains { $0.status == .announced }, "\(show(explainer))")
        let meaning = events(title: "Complete Response Letter", """
            When a pharmaceutical company receives a FDA Complete Response Letter it means that a review of the application was completed and a decision to approve was not reached.
            """)
        #expect(!meaning.contains { $0.status == .announced }, "\(show(meaning))")
        let purpose = events(title: "Perrigo update on generic ProAir", "The FDA issues a Complete Response Letter to indicate that the review cycle for an application is complete.")
        #expect(purpose.first { $0.action == "fda-complete-response-letter" }?.status == .definition, "\(show(purpose))")
        let rejected = events(title: "Orphazyme shares fall", "The U.S. Food and Drug Administration rejected Orphazyme's key drug candidate for Niemann-Pick disease type C.")
        #expect(rejected.first { $0.action == "fda-complete-response-letter" }?.status == .announced, "\(show(rejected))")
        let panel = events(title: "Vanflyta approved", "After being rejected by an FDA advisory panel four years ago, Vanflyta is now approved for acute myeloid leukemia.")
        #expect(!panel.contains { $0.action == "fda-complete-response-letter" }, "\(show(panel))")
        let rescinded = events(title: "Alkermes shares jump", """
            The FDA reversed an earlier decision to issue a refuse to file letter and accepted for review the New Drug Application for ALKS 5461.
            """)
        #expect(rescinded.contains { $0.action == "fda-application-accepted" && $0.status != .prospective }, "\(show(rescinded))")
    }

    /// A review set to come is ahead; what a designation allows is its definition.
    @Test func scheduledActsAndWhatADesignationAllows() {
        let slated = events(title: "Bring Them On: 40 Orphan, Cancer Drugs Set For Priority Review In China", "New treatments could soon be hitting the China market.")
        #expect(!slated.contains { $0.status == .announced }, "\(show(slated))")
        let allows = events(title: "Rocket gets RMAT for RP-A601", """
            Rocket Pharmaceuticals has received FDA's Regenerative Medicine Advanced Therapy (RMAT) designation for RP-A601.

            The RMAT designation allows for enhanced interactions with the FDA and early discussions on potential endpoints.
            """)
        #expect(allows.contains { $0.action == "fda-rmat" && $0.status == .definition }, "\(show(allows))")
        #expect(allows.contains { $0.action == "fda-rmat" && $0.status == .announced }, "\(show(allows))")
    }

    /// Eleventh held-out set: acts in the plural with nothing to have them are acts in general; a
    /// country that approves names its agency.
    @Test func pluralActsAndCountriesThatApprove() {
        let listing = events(title: "Withdrawn | Cancer Accelerated Approvals", """
            This listing includes accelerated approvals (AAs) for malignant hematology and oncology indications that have been subsequently withdrawn, and are therefore, no longer FDA-approved.
            """)
        #expect(!listing.contains { $0.status == .announced && $0.agency == "FDA" && $0.action != "fda-accelerated-approval" }, "\(show(listing))")
        let count = events(title: "What is a complete response letter?", """
            Merck said today its shares rose.

            In 2016 the number of complete response letters spiked to a three-year high, largely due to concerns related to manufacturing facilities.
            """)
        #expect(!count.contains { $0.status == .announced }, "\(show(count))")
        let britain = events(title: "Britain Approves World's First Oral COVID-19 Pill by Merck", "The United Kingdom has become the first country to approve the COVID-19 antiviral pill molnupiravir.")
        #expect(britain.contains { $0.action == "mhra-approval" && $0.status == .announced }, "\(show(britain))")
        #expect(!britain.contains { $0.action == "fda-approval" }, "\(show(britain))")
    }

    /// A recommendation in words the opinion's phrases do not hold is the CHMP's opinion, and the
    /// authorisation it recommends is ahead.
    @Test func recommendedAuthorisationIsAnOpinion() {
        let told = events(title: "EMA recommends multiple myeloma treatment", """
            The agency recommended conditional marketing authorization for Elrexfio (elranatamab) as a monotherapy for adult patients with relapsed and refractory multiple myeloma.
            """)
        #expect(told.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced }, "\(show(told))")
        #expect(told.contains { $0.action == "ema-conditional-marketing-authorisation" && $0.status == .prospective }, "\(show(told))")
        #expect(!told.contains { $0.action == "ema-conditional-marketing-authorisation" && $0.status == .announced }, "\(show(told))")
    }

    /// A designation's request is asked for, not granted.
    @Test func designationRequestsAreAhead() {
        let counted = events(title: "Number of Breakthrough Therapy Designation Requests Received", "Information is current as of September 30, 2021.")
        #expect(counted.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .prospective }, "\(show(counted))")
        #expect(!counted.contains { $0.status == .announced }, "\(show(counted))")
        let granted = events(title: "FDA grants Breakthrough Therapy Designation to NXC-201", "The FDA granted Breakthrough Therapy Designation to NXC-201 for AL amyloidosis.")
        #expect(granted.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(granted))")
    }

    /// Tenth held-out set: an agency Pharos has no programme of acts for itself; a place named as
    /// where the act is not names no agency.
    @Test func otherRegulatorsAndPlacesOutside() {
        let macao = events(title: "IASO Bio's FUCASO approved in Macao", """
            IASO Biotherapeutics today announced that the Pharmaceutical Administration Bureau of the Macao Special Administrative Region (ISAF) has approved the New Drug Application (NDA) for Equecabtagene Autoleucel.

            This is the first NDA approval for Equecabtagene Autoleucel outside Mainland China.
            """)
        #expect(!macao.contains { $0.status == .announced }, "\(show(macao))")
    }

    /// "Recommended expanded approval" is the CHMP's opinion; the first to receive one has it.
    @Test func expandedApprovalRecommendedAndTheFirstToReceive() {
        let expanded = events(title: "Opdivo adjuvant melanoma", """
            29 June 2018 - First and only PD-1 agent to receive positive CHMP opinion in the adjuvant setting.
            Bristol-Myers Squibb Company today announced that the CHMP of the EMA has recommended expanded approval of the current indications for Opdivo (nivolumab) to include the adjuvant treatment of adult patients with melanoma.
            """)
        #expect(expanded.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced && $0.product != nil }, "\(show(expanded))")
        #expect(!expanded.contains { $0.action == "ec-approval" && $0.status == .announced }, "\(show(expanded))")
        #expect(!expanded.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .prospective }, "\(show(expanded))")
    }

    /// Seventh held-out set: a count of products over a period is a statistic (background), a
    /// meeting's count its news; a page on programmes launched or relaunched defines them.
    @Test func countsOverAPeriodAreStatisticsAndLaunchesDefine() {
        let statistic = events(
            title: "China NMPA approves 40 innovative new drugs in 2023",
            "BEIJING, June 10, 2025 -- The NMPA cleared 40 novel innovative drugs in 2023, nearly half of them cancer therapies.")
        #expect(!statistic.isEmpty && statistic.allSatisfy { $0.status == .background }, "\(show(statistic))")
        let meeting = events(
            title: "CHMP June highlights",
            "25 June 2025 - EMA's CHMP recommended eight medicines for approval at its June 2025 meeting.")
        #expect(meeting.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced }, "\(show(meeting))")
        let launch = events(
            title: "FDA programmes for cancer drugs",
            "June 10, 2025 - The U.S. Food and Drug Administration recently announced two innovative initiatives from its Oncology Center of Excellence: Project Orbis and the Real-Time Oncology Review pilot program.")
        #expect(!launch.isEmpty && !launch.contains { $0.status == .announced }, "\(show(launch))")
    }

    /// Seventh held-out set: a dated list of approvals ("December 23, 2022" above each item) has
    /// a lead per item; a target measured in the patients ("with PD-L1 expression ≥50%", "on the
    /// PD-L1 biomarker test") is no target of the act.
    @Test func aDatedListHasALeadPerItemAndBiomarkersAreNoTargets() {
        let found = events(
            title: "Drug approvals in Japan",
            """
            December 28, 2022

            Arcturus's ARC-217 is approved for myeloma in Japan.

            Arcturus announced that ARC-217 was approved in Japan to treat multiple myeloma.

            December 22, 2022

            ARC-318 was approved in Japan for the initial treatment of relapsed or refractory large B-cell lymphoma.

            The approval was based on a Phase 3 trial.
            """)
        #expect(found.first { $0.product == "ARC-318" }?.status == .announced, "\(show(found))")
        let biomarker = events(
            title: "FDA Approves First-Line Treatment for NSCLC with PD-L1 Biomarker",
            "June 10, 2025 - The FDA approved a second option for first-line NSCLC with PD-L1 expression of 50% or more.")
        #expect(!biomarker.isEmpty && biomarker.allSatisfy { $0.targets.isEmpty }, "\(show(biomarker))")
    }

    /// Seventh held-out set: an acronym that opens a development code ("PRV-031") is the code,
    /// not the designation it also spells (a Priority Review Voucher).
    @Test func anAcronymOpeningACodeIsNoDesignation() {
        let found = events(
            title: "Arcturus's arcotuzumab, or PRV-031, was granted the priority-medicines designation by the European Medicines Agency",
            "BOSTON, June 10, 2025 -- Arcturus today announced the PRIME designation.")
        #expect(!found.contains { $0.action == "fda-priority-review-voucher" }, "\(show(found))")
        #expect(found.contains { $0.action == "ema-prime" && $0.status == .announced }, "\(show(found))")
    }

    /// Seventh held-out set: China's "breakthrough treatment category" is its Breakthrough Therapy;
    /// the relative clause "which was just approved" is history of its own words only; the
    /// patients' earlier treatment ("who have received Trastuzumab") is no subject; agencies
    /// with their abbreviations in brackets are both acting ("by the Food and Drug Administration
    /// (FDA) and National Medical Products Administration (NMPA) respectively").
    @Test func relativeClausesPriorTreatmentAndBracketedAgencies() {
        let found = events(
            title: "ARC-217 granted breakthrough designations",
            """
            On June 10, 2025 Arcturus reported that National Medical Products Administration (NMPA), ARC-217, which was just approved to market has been officially included in the breakthrough treatment category for breast cancer patients who have received Trastuzumab and taxane therapy in the past.

            In September and December 2024, ARC-217 was granted breakthrough designation by the Food and Drug Administration (FDA) and National Medical Products Administration (NMPA) respectively for the treatment of urothelial cancer.
            """)
        let news = found.filter { $0.status == .announced }
        #expect(news.contains { $0.action == "nmpa-breakthrough-therapy" && $0.product == "ARC-217" }, "\(show(found))")
        #expect(!found.contains { $0.product == "Trastuzumab" }, "\(show(found))")
        #expect(found.contains { $0.action == "nmpa-approval" && $0.status == .background }, "\(show(found))")
        let earlier = found.filter { $0.evidence.text.hasPrefix("In September") }
        #expect(Set(earlier.map(\.action)) == ["fda-breakthrough-therapy", "nmpa-breakthrough-therapy"], "\(show(found))")
    }

    /// Held-out sets: a hold's lift told as the trial resuming ("has allowed the firm to resume a
    /// Phase I clinical trial") is the lift; one being prepared is ahead.
    @Test func aTrialAllowedToResumeIsTheHoldLifted() {
        let lifted = events(
            title: "Arcturus back on track",
            "BOSTON, June 10, 2025 -- The FDA has allowed Arcturus to resume a Phase I clinical trial of ARC-217 in prostate cancer.")
        #expect(lifted.contains { $0.action == "fda-clinical-hold-lifted" && $0.status == .announced }, "\(show(lifted))")
        let ahead = events(
            title: "Arcturus craters on safety signal",
            """
            BOSTON, June 10, 2025 -- The FDA has placed the ARC-217 study under clinical hold while it investigates a patient death.

            The company is waiting for a formal response from the agency and is preparing recommendations aimed at safely resuming the trial.
            """)
        #expect(ahead.contains { $0.action == "fda-clinical-hold-lifted" && $0.status == .prospective }, "\(show(ahead))")
        #expect(ahead.contains { $0.action == "fda-clinical-hold" && $0.status == .announced }, "\(show(ahead))")
    }

    /// Seventh held-out set: a prospectus's risk factors tell no act: "Even if the FDA grants fast
    /// track designation ..." is a condition, "Fast track designation ... may not actually lead to"
    /// and "does not guarantee" say what the programme is.
    @Test func riskFactorsTellNoAct() {
        let found = events(
            title: "Risk factors",
            """
            Fast track designation by the FDA may not actually lead to a faster development or regulatory review or approval process.

            Even if the FDA grants fast track designation to ARC-217, we may not experience a faster development process.

            Fast track designation alone does not guarantee qualification for the FDA's priority review procedures.
            """)
        #expect(!found.isEmpty && !found.contains { $0.status == .announced }, "\(show(found))")
        let kinds = events(
            title: "China's programmes",
            "June 10, 2025 - In addition to Priority Review, this includes programmes such as Breakthrough Therapy and Accelerated Approval.")
        #expect(kinds.allSatisfy { $0.status == .definition }, "\(show(kinds))")
    }

    /// Fourth held-out set: a place named right after a phrase ("Approvals in China") is that
    /// phrase's agency, as "by" or "from" before an agency's name is.
    @Test func aPlaceRightAfterAPhraseIsItsAgency() {
        let found = events(
            title: "Monthly Report: New Drug Approvals in China | April 2025",
            "June 10, 2025 - In April, the NMPA approved ARC-217 for multiple myeloma and ARC-318 for lymphoma.")
        #expect(found.contains { $0.action == "nmpa-approval" && $0.evidence.field == "title" && $0.status == .announced }, "\(show(found))")
    }

    /// Seventh held-out set: a nonproprietary name the vocabulary lacks tells its modality by its
    /// stem ("teplizumab" an antibody), where the text tells none.
    @Test func aNonproprietaryNameTellsItsModality() {
        let found = events(
            title: "Arcturus gains PRIME designation for arcotuzumab from EMA",
            "BOSTON, June 10, 2025 -- Arcturus today announced the EMA has granted arcotuzumab PRIME designation for type 1 diabetes.")
        #expect(found.first { $0.action == "ema-prime" }?.modality == "monoclonal-antibody", "\(show(found))")
        #expect(NonproprietaryNames.modality(of: "belantamab mafodotin") == "adc")
        #expect(NonproprietaryNames.modality(of: "sotorasib") == "small-molecule")
        #expect(NonproprietaryNames.modality(of: "irinotecan") == nil)
    }

    /// Held-out and development sets: a past time that opens the sentence dates the reported news
    /// in it; "follows a similar decision" tells an earlier act.
    @Test func anOpeningPastTimeAndASimilarEarlierDecisionAreBackground() {
        let found = events(
            title: "Arcturus's ARC-217 wins FDA nod",
            """
            BOSTON, June 10, 2025 -- The FDA approved ARC-217 for multiple myeloma.

            Earlier this month, Arcturus announced that ARC-217 had been recommended for approval by the EMA's Committee for Medicinal Products for Human Use (CHMP).

            The approval follows a similar decision from the European Commission.
            """)
        let opinion = found.first { $0.action == "ema-chmp-positive-opinion" }
        #expect(opinion?.status == .background, "\(show(found))")
        #expect(found.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(found))")
    }

    /// Held-out set: a file without a headline gets its first paragraph as its title; read as a
    /// lead, its cues count ("decision date on approval" is ahead, not announced).
    @Test func aTitleOfSeveralSentencesIsReadAsALead() {
        let found = events(
            title: "The Boston-based company said Tuesday that the FDA accepted its application for ARC-217 for multiple myeloma. By giving the drug priority review, the FDA will cut four months off its review, bringing its decision date on approval to Feb. 26.",
            "The company expects to launch ARC-217 next year.")
        #expect(found.contains { $0.action == "fda-application-accepted" && $0.status == .announced }, "\(show(found))")
        #expect(!found.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(found))")
    }

    /// Second held-out set: a page headed only by a designation's name is about it, not news of it.
    @Test func aHeadlineThatOnlyNamesTheDesignationIsNoNews() {
        let found = events(title: "Orphan Drug Status", "Orphan drug status is intended to support medicines for rare diseases.")
        #expect(!found.contains { $0.status == .announced }, "\(show(found))")
        let news = events(title: "FDA grants Orphan Drug Status to ARC-217", "The FDA granted orphan drug status to ARC-217.")
        #expect(news.contains { $0.action == "fda-orphan-drug" && $0.status == .announced }, "\(show(news))")
    }

    /// Second held-out set: a trial allowed, an emergency use and an act of last month are not the
    /// item's marketing approvals; European regulators are the EU's.
    @Test func otherAuthorisationsAndLastMonthsActsAreNotTheNews() {
        let trial = events(
            title: "Arcturus to start a pivotal ARC-217 trial in China",
            "SHANGHAI, June 10, 2025 -- Arcturus announced that China's CDE granted approval to conduct a pivotal Phase III clinical trial of ARC-217.")
        #expect(!trial.contains { $0.action == "nmpa-approval" && $0.status == .announced }, "\(show(trial))")
        let lifted = events(
            title: "Arcturus to begin enrolling ARC-217 trial",
            "BOSTON, June 10, 2025 -- Arcturus said it expects to begin enrolling patients in mid-2025, after the U.S. health regulator lifted a clinical hold on the drug last month.")
        #expect(!lifted.contains { $0.action == "fda-clinical-hold-lifted" && $0.status == .announced }, "\(show(lifted))")
        let europe = events(
            title: "Arcturus wins European orphan status",
            "European drug regulators granted orphan drug status to Arcturus's ARC-217 for multiple myeloma.")
        #expect(europe.contains { $0.action == "ema-orphan-drug" && $0.status == .announced }, "\(show(europe))")
        #expect(!europe.contains { $0.action == "fda-orphan-drug" }, "\(show(europe))")
    }

    /// A relative clause's plans are not the main clause's event.
    @Test func aPlanInARelativeClauseDoesNotReachTheGrant() throws {
        let found = events(
            title: "Arcturus Cell Sciences Provides Update",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported results. ARC-217, which the company plans to take into a pivotal trial next year, received Fast Track designation from the FDA.")
        let event = try #require(found.first { $0.action == "fda-fast-track" }, "\(show(found))")
        #expect(event.status == .announced, "\(show(found))")
    }

    /// "received ... from the FDA" in the opening paragraphs is history when the title announced
    /// something else, or when the sentence is dated.
    @Test func aDesignationReceivedBesideOtherNewsIsHistory() throws {
        let found = events(
            title: "FDA Approves Arcturus's ARC-217 for Multiple Myeloma",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced the approval. ARC-217 was granted Orphan Drug designation by the FDA for multiple myeloma.")
        let orphan = try #require(found.first { $0.action == "fda-orphan-drug" }, "\(show(found))")
        #expect(orphan.status == .background, "\(show(found))")
        let dated = events(
            title: "Arcturus Cell Sciences Provides Update",
            "BOSTON, Arcturus Cell Sciences today reported results. In May 2021, ARC-217 received Fast Track designation from the FDA.", published: nil)
        let fastTrack = try #require(dated.first { $0.action == "fda-fast-track" }, "\(show(dated))")
        #expect(fastTrack.status == .background, "\(show(dated))")
    }

    /// A PDUFA date or a decision expected tells the approval still ahead, whatever the sentence's
    /// position and though the date it names is a month.
    @Test func aDecisionDateIsAProspectiveApproval() throws {
        for sentence in [
            "The FDA granted ARC-217 Priority Review and assigned November 25, 2025 as the target action date.",
            "The BLA for ARC-217 was accepted by the FDA with an anticipated PDUFA date in May.",
            "The FDA accepted the application for ARC-217; a decision is expected in the first quarter of 2026.",
            "The FDA has set a Prescription Drug User Fee Act-mandated target decision date of June 24 for ARC-217.",
        ] {
            let found = events(title: "Arcturus Cell Sciences Provides Update", "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported results. \(sentence)")
            let approval = try #require(found.first { $0.action == "fda-approval" }, "\(sentence)\n\(show(found))")
            #expect(approval.status == .prospective, "\(show(found))")
            #expect(approval.product == "ARC-217", "\(show(found))")
            #expect(!found.contains { $0.action == "fda-approval" && $0.status != .prospective }, "\(show(found))")
        }
    }

    /// An approval given ahead of its PDUFA date is the approval only; "if approved" is one ahead.
    @Test func anApprovalBeforeItsDateIsNoDecisionAhead() throws {
        let early = events(
            title: "FDA Approves ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the FDA approved ARC-217 two months ahead of its PDUFA date.")
        #expect(early.filter { $0.action == "fda-approval" }.allSatisfy { $0.status == .announced }, "\(show(early))")
        #expect(early.contains { $0.action == "fda-approval" }, "\(show(early))")
        let ahead = events(
            title: "FDA Accepts BLA for ARC-217",
            "BOSTON, June 10, 2025 -- The FDA accepted the BLA for ARC-217. If approved, ARC-217 would be the first therapy for these patients.")
        let approval = try #require(ahead.first { $0.action == "fda-approval" }, "\(show(ahead))")
        #expect(approval.status == .prospective, "\(show(ahead))")
        #expect(approval.product == "ARC-217", "\(show(ahead))")
    }

    /// The CHMP's recommendation is the news; the Commission's authorisation it recommends is ahead.
    @Test func aRecommendedAuthorisationIsStillAhead() throws {
        let found = events(
            title: "EMA recommends granting a conditional marketing authorisation for sotorasib",
            "AMSTERDAM, June 10, 2025 -- The CHMP recommended granting a conditional marketing authorisation for Lumykras (sotorasib) for adults with KRAS G12C-mutated lung cancer.")
        #expect(found.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced }, "\(show(found))")
        let authorisations = found.filter { ["ema-conditional-marketing-authorisation", "ec-approval"].contains($0.action) }
        #expect(!authorisations.isEmpty, "\(show(found))")
        #expect(authorisations.allSatisfy { $0.status == .prospective }, "\(show(found))")
    }

    /// Acts that are not the ones their words suggest: another agency's, a reimbursement body's,
    /// a licence to manufacture, an approval refused.
    @Test func actsOfOtherKindsAreNoEvents() {
        let cases: [(title: String, content: String, absent: [String])] = [
            ("CARsgen Receives IND Clearance from the NMPA for CT041",
             "SHANGHAI, June 10, 2025 -- CARsgen Therapeutics today announced that it received IND Clearance from the NMPA for CT041 CLDN18.2-CAR T cells.",
             ["fda-ind-clearance", "fda-approval", "nmpa-approval"]),
            ("Sotorasib for treating previously treated KRAS G12C mutation-positive lung cancer",
             "LONDON, June 10, 2025 -- Sotorasib is recommended for use within the Cancer Drugs Fund as an option for treating KRAS G12C mutation-positive lung cancer.",
             ["ema-chmp-positive-opinion"]),
            ("Kymriah receives approval for commercial manufacturing in Japan",
             "BASEL, June 10, 2025 -- Japan's Ministry of Health, Labor and Welfare has issued marketing authorization for a foundation in Kobe to manufacture and supply commercial Kymriah.",
             ["pmda-approval", "fda-approval", "ec-approval"]),
            ("Complete Response Letter for NDA 205508",
             "SILVER SPRING, June 10, 2025 -- The FDA has determined that the application for ARC-217 cannot be approved in its present form.",
             ["fda-approval"]),
        ]
        for (title, content, absent) in cases {
            let found = events(title: title, content)
            #expect(!found.contains { absent.contains($0.action) && $0.status == .announced }, "\(title)\n\(show(found))")
        }
    }

    /// "Previously Treated" tells the patients' history, not the approval's; "are awarded by the
    /// FDA to companies" tells what designations are.
    @Test func patientsHistoryAndGeneralStatements() throws {
        let approved = events(
            title: "Keytruda Approved for Previously Treated PD-L1-Positive Cervical Cancer",
            "The FDA granted accelerated approval to pembrolizumab (Keytruda, Merck) for patients with recurrent or metastatic cervical cancer.")
        let title = try #require(approved.first { $0.evidence.field == "title" }, "\(show(approved))")
        #expect(title.status == .announced, "\(show(approved))")
        let general = events(
            title: "",
            "Special designations, such as Fast Track, Priority Review and Orphan Drug status, are awarded by the FDA to companies with particularly promising drugs under development.")
        #expect(!general.contains { $0.status == .announced }, "\(show(general))")
    }

    /// An opening sentence that tells, with its own date, another act than the title's news tells
    /// history; the same sentence with the title's news, or with a decision's date, does not.
    @Test func aDatedOtherActInTheOpeningIsHistory() throws {
        let found = events(
            title: "China's CDE grants Priority Review to ARC-217",
            "ARC-217 received accelerated approval from the FDA in May 2024 based on Phase II data. The current application uses data from Chinese patients.",
            published: nil)
        let approval = try #require(found.first { $0.action == "fda-accelerated-approval" }, "\(show(found))")
        #expect(approval.status == .background, "\(show(found))")
        let review = events(
            title: "FDA accepts filing for ARC-217",
            "BOSTON -- Arcturus Cell Sciences today announced that the FDA accepted its application for ARC-217. The FDA granted Priority Review for this application and assigned a Prescription Drug User Fee Act action date of 23 September 2023.",
            published: nil)
        let priority = try #require(review.first { $0.action == "fda-priority-review" }, "\(show(review))")
        #expect(priority.status == .announced, "\(show(review))")
        #expect(review.contains { $0.action == "fda-approval" && $0.status == .prospective }, "\(show(review))")
    }

    /// Canada's conditional approval is not China's, though the words are the NMPA entry's.
    @Test func anotherAgencysNameKeepsItsAct() {
        let found = events(
            title: "Health Canada approves ABECMA for multiple myeloma",
            "TORONTO, June 10, 2025 -- Bristol Myers Squibb Canada today announced Health Canada has granted conditional approval (NOC/c) for ABECMA (idecabtagene vicleucel) for multiple myeloma.")
        #expect(!found.contains { $0.action.hasPrefix("nmpa-") }, "\(show(found))")
    }

    /// The designations an approval went through are its history; a headline's "to Be Approved"
    /// is ahead, "the third CAR-T to be granted approval" is not; a tracker's headline is no news.
    @Test func routesFuturesAndTrackers() throws {
        let route = events(
            title: "FDA approves Datroway for EGFR-mutated lung cancer",
            "The FDA approval was granted under Priority Review and Breakthrough Therapy designation, based on subgroup results.",
            published: nil)
        #expect(!route.contains { ["fda-priority-review", "fda-breakthrough-therapy"].contains($0.action) && $0.status == .announced }, "\(show(route))")
        let ahead = events(title: "CAR T-Cell Cancer Therapy to Be Approved in Japan", "")
        #expect(!ahead.contains { $0.status == .announced }, "\(show(ahead))")
        let third = events(
            title: "FDA approves Tecartus",
            "SANTA MONICA, June 10, 2025 -- Tecartus becomes the third chimeric antigen receptor (CAR) T-cell therapy to be granted approval by the US Food and Drug Administration.")
        #expect(!third.contains { $0.action == "fda-approval" && $0.status == .prospective }, "\(show(third))")
        let tracker = events(title: "EU Accelerated Assessment Tracker", "")
        #expect(!tracker.contains { $0.status == .announced }, "\(show(tracker))")
    }

    /// A trial allowed, an IND, a hold resumed, a device or a panel's opinion is no marketing approval; China's old regulator is not the FDA.
    @Test func trialsDevicesAndPanelsAreNoMarketingApprovals() throws {
        let trial = events(
            title: "First CAR-T clinical trial approved by CFDA",
            "On March 13, Arcturus Cell Sciences announced that it received a clinical trial approval from the State Food and Drug Administration (CFDA) for ARC-217.")
        #expect(!trial.contains { $0.action.hasSuffix("approval") && $0.status == .announced }, "\(show(trial))")
        #expect(!trial.contains { $0.agency == "FDA" }, "\(show(trial))")
        let cleared = events(title: "Arcturus Cleared by Chinese Regulators to Start CAR T-Cell Trial", "")
        #expect(!cleared.contains { $0.action.hasSuffix("approval") }, "\(show(cleared))")
        let ind = events(title: "FDA accepts IND for ARC-217", "The FDA has accepted an investigational new drug application for ARC-217, paving the way for a phase 1 trial.")
        #expect(ind.contains { $0.action == "fda-ind-clearance" && $0.status == .announced }, "\(show(ind))")
        #expect(!ind.contains { $0.action == "fda-application-accepted" }, "\(show(ind))")
        let greenLight = events(
            title: "FDA clears Arcturus' first prime editing IND",
            "The FDA has cleared the company's investigational new drug application for its lead program.\n\nThe regulatory green light, announced by Arcturus Monday, is an important early step for the field.")
        #expect(!greenLight.contains { $0.action == "fda-approval" }, "\(show(greenLight))")
        let resumed = events(
            title: "FDA lifts clinical hold on ARC-217",
            "ARC-217 is cleared to resume dosing in all studies, Arcturus announced Monday morning.")
        #expect(!resumed.contains { $0.action == "fda-approval" }, "\(show(resumed))")
        let application = events(
            title: "Lecanemab under review in the UK",
            "The manufacturer of lecanemab has submitted a marketing authorisation application to the Medicines and Healthcare products Regulatory Agency (MHRA), it said on Monday.")
        #expect(!application.contains { $0.action.hasSuffix("approval") && $0.status != .prospective }, "\(show(application))")
        let device = events(
            title: "China approves Agilent's PD-L1 assay",
            "The China National Medical Products Administration (NMPA) has approved Agilent Technologies' PD-L1 IHC 22C3 pharmDx assay for marketing in that country, the company said today. The assay is now approved as a companion diagnostic for treatment with pembrolizumab.")
        #expect(!device.contains { $0.action.hasSuffix("approval") }, "\(show(device))")
        let mammography = events(title: "FDA clears mammography device with option for patient-assisted compression", "")
        #expect(!mammography.contains { $0.action == "fda-approval" }, "\(show(mammography))")
        let panel = events(
            title: "CAR-T therapy set for approval in Japan",
            "Tokyo, Feb. 20 -- An expert panel of Japan's health ministry on Wednesday expressed its approval of the production and sales of a CAR T-cell cancer therapy.")
        #expect(!panel.contains { $0.action == "pmda-approval" && $0.status == .announced }, "\(show(panel))")
        let process = events(title: "How the FDA regulates CAR-T", "Since time is of the essence for patients, the FDA has created processes to aid in the review and approval of novel therapies.")
        #expect(!process.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(process))")
    }

    /// Pages, questions, habits and counts tell no act: a statistic, a topic headline, a reference heading, designations withdrawn.
    @Test func pagesQuestionsAndHabitsTellNoAct() throws {
        let asked = events(title: "Have you wondered how many gene therapies have been approved in Canada? So did I.", "")
        #expect(!asked.contains { $0.status == .announced }, "\(show(asked))")
        let statistics = events(
            title: "China approved 48 innovative drugs in 2024",
            "China's NMPA approved 48 innovative drugs in 2024, a record, the agency said on Friday.\n\nMost of them are small molecules. In addition, the nation also approved 55 rare disease medicines. In preclinical studies, cells made on the platform showed tumor cell clearance activity.")
        #expect(!statistics.contains { $0.evidence.text.contains("55 rare disease") || $0.evidence.text.contains("clearance activity") }, "\(show(statistics))")
        let habit = events(
            title: "Patient dies in gene therapy trial, but FDA lets Arcturus proceed",
            "A patient death in a clinical trial usually prompts the FDA to impose a clinical hold on the trial.")
        #expect(!habit.contains { $0.action == "fda-clinical-hold" && $0.status == .announced }, "\(show(habit))")
        let airport = events(title: "Government's new FastTrack Cayman gets the thumbs up from passengers", "The programme aims to get passengers through the airport in quick time.")
        #expect(airport.isEmpty, "\(show(airport))")
        let common = events(title: "Unicycive gets a CRL", "CRLs are common in the pharmaceutical industry and can delay FDA approval by months or years.")
        #expect(!common.contains { $0.action == "fda-approval" && $0.status == .prospective }, "\(show(common))")
        let reference = events(title: "Notice of Compliance with conditions (NOC/c)", "This page lists the products issued an NOC/c.")
        #expect(!reference.contains { $0.status == .announced }, "\(show(reference))")
        let topic = events(title: "Accelerated Approval: US FDA Panel To Reconsider Six Indications For Checkpoint Inhibitors", "")
        #expect(!topic.contains { $0.status == .announced }, "\(show(topic))")
        let rescinded = events(title: "CBER Regenerative Medicine Advanced Therapy (RMAT) Designations Withdrawn after Granting or Rescinded by Fiscal Year", "")
        #expect(!rescinded.contains { $0.action == "fda-rmat" && $0.status == .announced }, "\(show(rescinded))")
        let toDate = events(title: "RMAT designations", "To date, 66 RMAT (Regenerative Medicine Advanced Therapy) designations have been publicly announced by the FDA.")
        #expect(!toDate.contains { $0.status == .announced }, "\(show(toDate))")
        let looking = events(
            title: "PRIME refusals",
            "There was end-of-year disappointment for companies looking to get their early-stage products accepted on to the European Medicines Agency's priority medicines (PRIME) scheme.")
        #expect(!looking.contains { $0.status == .announced }, "\(show(looking))")
        let relative = events(
            title: "Lecanemab placed on the UK's ILAP",
            "Eisai said that the MHRA had placed lecanemab under its Innovative Licensing and Access Pathway (ILAP), which is intended to speed up a drug's time to market.")
        #expect(relative.contains { $0.action == "mhra-ilap" && $0.status != .definition && $0.evidence.text.hasPrefix("Eisai") }, "\(show(relative))")
    }

    /// Dates and history: a dated act below another act's lead, an undated item's dated sentences, a hold lifted, a designation held.
    @Test func datesAndHistory() throws {
        let dated = events(
            title: "China accepts Arcturus filing",
            "Yesterday, China's National Medical Products Administration accepted the marketing application for ARC-217.\n\nThe product has a long history.\n\nIn May 2018, the FDA announced the approval of ARC-217 for multiple myeloma.",
            published: nil)
        #expect(!dated.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(dated))")
        let undated = events(
            title: "China accepts Arcturus trial",
            "Yesterday, China's CDE accepted the trial of ARC-217, Arcturus Cell Sciences said in a statement.\n\nIn August 2017, ARC-217 received approval from the U.S. FDA for leukemia.\nIn May 2018, the FDA announced the approval of ARC-217 for multiple myeloma.",
            published: nil)
        #expect(!undated.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(undated))")
        let period = events(
            title: "Japan's MHLW approves raft of new drugs",
            "Japan's Ministry of Health, Labor and Welfare (MHLW) approved a slew of new drugs in the last week of September, including a CAR T from Arcturus Cell Sciences.")
        #expect(period.contains { $0.action == "pmda-approval" && $0.status == .announced }, "\(show(period))")
        let follows = events(
            title: "Health Canada approves Sarclisa",
            "Health Canada has approved Sarclisa for adults with relapsed and refractory multiple myeloma.\n\nThis follows approval of Sanofi's Sarclisa in this indication in Europe in June of this year.",
            published: nil)
        #expect(!follows.contains { $0.action == "ec-approval" && $0.status == .announced }, "\(show(follows))")
        let year = events(
            title: "",
            "NEW YORK – Amgen on Monday announced that the European Commission has granted conditional marketing authorization to sotorasib for KRAS G12C-mutated lung cancer.\n\nThe US Food and Drug Administration also relied on the same trial to grant accelerated approval to sotorasib in 2021 for the same indication.",
            published: nil)
        #expect(year.contains { $0.action == "fda-accelerated-approval" && $0.status == .background }, "\(show(year))")
        let imports = events(
            title: "Hengrui's HER2 ADC on track in China",
            "The ADC market in China has seen approvals from global companies such as Roche's Kadcyla, which was approved for import into China in 2019.",
            published: "2024-05-10")
        #expect(!imports.contains { $0.status == .announced && $0.product == "Kadcyla" }, "\(show(imports))")
        let lifted = events(
            title: "FDA lifts partial clinical hold on ARC-217",
            "The FDA has lifted a partial clinical hold on Arcturus Cell Sciences' IND for ARC-217 after it first imposed the hold in October.")
        #expect(lifted.contains { $0.action == "fda-clinical-hold-lifted" && $0.status == .announced }, "\(show(lifted))")
        #expect(lifted.contains { $0.action == "fda-clinical-hold" && $0.status == .background && $0.product == "ARC-217" }, "\(show(lifted))")
        #expect(!lifted.contains { $0.action == "fda-clinical-hold" && $0.status == .announced }, "\(show(lifted))")
        let under = events(title: "MM120 enters phase 3", "The study identified the optimal MM120 dose, prompting phase 3 testing under FDA Breakthrough status.")
        #expect(!under.contains { $0.status == .announced }, "\(show(under))")
    }

    /// News told in other words: a digest's arrow items, "just got", "said on Monday", "also" beside the news, "the 11th to be approved".
    @Test func newsToldInOtherWords() throws {
        let digest = events(
            title: "Acme closes its round; Arcturus gets breakthrough status",
            "→ Acme Bio has closed the final tranche of its Series C round, led by three investors.\n\n→ Arcturus Cell Sciences just got breakthrough therapy designation from the FDA for ARC-217 in multiple myeloma.")
        #expect(digest.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced && $0.product == "ARC-217" }, "\(show(digest))")
        let recent = events(
            title: "Acme closes its round; Arcturus hires a CFO",
            "Acme Bio has closed the final tranche of its Series C round, led by three investors.\n\nBay Area's Arcturus Cell Sciences just got breakthrough therapy designation for ARC-217 in multiple myeloma.")
        #expect(recent.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(recent))")
        let weekday = events(
            title: "",
            "The decisions by the Japanese Ministry of Health, Labour and Welfare reflect an increased urgency by officials to access modern medicines.\n\nAstraZeneca said on Monday that its Imfinzi immunotherapy drug had been approved for use in lung cancer. Japan also approved Lynparza for breast cancer.",
            published: "2018-07-02")
        #expect(weekday.filter { $0.action == "pmda-approval" && $0.status == .announced }.count == 2, "\(show(weekday))")
        let eleventh = events(title: "China leads PD-1 approvals", "Earlier this month Hetronifly became the 11th anti-PD-(L)1 drug to be approved in the EU, but China has this beat by a long way.")
        #expect(!eleventh.contains { $0.status == .prospective }, "\(show(eleventh))")
    }

    /// Opinions and decisions still ahead: "will become effective if", "whether to approve", a CHMP recommendation, the Commission's final decision.
    @Test func opinionsAndDecisionsAhead() throws {
        let effective = events(
            title: "GPC Biotech drug recommended for European orphan status",
            "The orphan drug status will become effective if the European Commission approves this recommendation, GPC Biotech said.")
        #expect(!effective.contains { $0.action == "ema-orphan-drug" && $0.status == .announced && $0.evidence.text.hasPrefix("The orphan") }, "\(show(effective))")
        let whether = events(
            title: "FDA accepts Arcturus' BLA for ARC-217",
            "The FDA has accepted the BLA for ARC-217 for priority review, setting the stage for a mid-August decision on whether to approve the CAR-T therapy.")
        #expect(!whether.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(whether))")
        let recommended = events(
            title: "",
            "The Committee for Medicinal Products for Human Use (CHMP) of the European Medicines Agency (EMA) has recommended conditional marketing authorisation for Arcturus' ARC-217. The European Commission will give its final decision within approximately two months.",
            published: nil)
        #expect(!recommended.contains { $0.status == .announced && ["ec-approval", "ema-conditional-marketing-authorisation"].contains($0.action) }, "\(show(recommended))")
        #expect(recommended.contains { $0.action == "ec-approval" && $0.status == .prospective }, "\(show(recommended))")
        let adopted = events(title: "", "On April 29, 2016, EMA adopted an opinion recommending extending the authorized indication of Gazyvaro to treat patients with follicular lymphoma.", published: "2016-05-02")
        #expect(adopted.contains { $0.action == "ema-chmp-positive-opinion" && $0.status == .announced }, "\(show(adopted))")
        let decision = events(
            title: "The CHMP of the European Medicines Agency recommended approval of Breyanzi for adults with large B-cell lymphoma. The opinion follows a phase III study.",
            "The CHMP adopted a positive opinion based on results from the phase III TRANSFORM study.\n\nThe European Commission will give its final decision within approximately two months following receipt of the CHMP opinion.")
        #expect(decision.contains { $0.action == "ec-approval" && $0.status == .prospective && $0.product == "Breyanzi" }, "\(show(decision))")
        let closer = events(
            title: "",
            "The U.S. Food and Drug Administration awarded Arcturus' drug candidate ARC-217 Breakthrough Therapy Designation, bringing it closer to finally receiving full FDA approval.",
            published: "2018-10-02")
        #expect(!closer.contains { $0.action == "fda-approval" && $0.status == .announced }, "\(show(closer))")
    }

    /// A roundup's colon introduces its subjects, one per line, each with the maker its own
    /// line names.
    @Test func aListAfterAColonNamesTheSubjects() throws {
        let body = events(
            title: "U.S. orphan drug roundup",
            "The FDA has designated the following as Orphan Drugs:\n\nArcturus Cell Sciences' ARC-217 for the treatment of multiple myeloma.\nGlaxoSmithKline's GSK2696274 for the treatment of metachromatic leukodystrophy.\nAmong the benefits of Orphan Drug status is market exclusivity.")
        let listed = body.filter { $0.action == "fda-orphan-drug" && $0.status == .announced }
        #expect(Set(listed.compactMap(\.product)) == ["ARC-217", "GSK2696274"], "\(show(body))")
        #expect(listed.first { $0.product == "GSK2696274" }?.companies == ["GSK"], "\(show(body))")
        let headline = events(
            title: "The FDA has designated the following as Orphan Drugs:",
            "Arcturus Cell Sciences' ARC-217 for the treatment of multiple myeloma.\nGlaxoSmithKline's GSK2696274 for the treatment of metachromatic leukodystrophy.")
        #expect(Set(headline.filter { $0.action == "fda-orphan-drug" }.compactMap(\.product)) == ["ARC-217", "GSK2696274"], "\(show(headline))")
    }

    /// A phrase with nothing it is told of and no act (a product, company, target or modality;
    /// a verb of granting or receiving) talks of the programme: policies, statistics, scheme pages.
    @Test func talkOfTheProgrammeIsNoNews() throws {
        for title in [
            "Health Canada's Notice of Compliance with Conditions (NOC/c) policy has proven effective in providing faster access to new oncology drugs",
            "China sees rise in innovative drug approvals",
            "What's on offer in the ILAP",
            "New Therapeutic Targets & A Rich Year For Approvals: EMA's PRIME In 2020",
        ] {
            let page = events(title: title, "")
            #expect(!page.contains { $0.status == .announced }, "\(title): \(show(page))")
        }
        // An act told without naming its product is still news; so is a letter, an act by itself.
        let unnamed = events(title: "FDA grants Orphan Drug designation to an investigational therapy for a rare liver disease", "")
        #expect(unnamed.contains { $0.action == "fda-orphan-drug" && $0.status == .announced }, "\(show(unnamed))")
        let gene = events(title: "FDA's Rare Pediatric Disease and Orphan Drug designations for six gene therapies", "")
        #expect(gene.contains { $0.action == "fda-orphan-drug" && $0.status == .announced }, "\(show(gene))")
        let letter = events(title: "Complete Response Letter BLA 761027 (Jun 26, 2025)", "Application: BLA 761027. Center: FDA, CDER.")
        #expect(letter.contains { $0.action == "fda-complete-response-letter" && $0.status == .announced }, "\(show(letter))")
        let roundup = events(title: "Insights+: Breakthrough Therapy Designation by the US FDA in 2020", "")
        #expect(roundup.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(roundup))")
        let batch = events(title: "Sakigake batch", "As a result, MHLW today announces its designation of the following products under the SAKIGAKE Designation System.")
        #expect(batch.contains { $0.action == "pmda-sakigake" && $0.status == .announced }, "\(show(batch))")
    }

    /// What an apposition after the act says of the programme defines it, not the act.
    @Test func anAppositionAfterTheActDefinesTheProgramme() throws {
        let body = events(
            title: "Athersys shares up",
            "Athersys heads north on the news that the FDA has designated MultiStem a Regenerative Medicine Advanced Therapy (RMAT), a status for eligible cell and regenerative medicine treatments that provides for more intensive development guidance from the agency.")
        #expect(body.contains { $0.action == "fda-rmat" && $0.status == .announced }, "\(show(body))")
        let definition = events(title: "About RMAT", "The FDA grants RMAT designation to cell therapies intended to treat serious conditions, a status that provides more intensive guidance.")
        #expect(!definition.contains { $0.action == "fda-rmat" && $0.status == .announced }, "\(show(definition))")
    }

    /// Drugs the vocabulary lacks are named by their nonproprietary names' stems.
    @Test func aNonproprietaryNameIsASubject() throws {
        let body = events(
            title: "Salarius up premarket",
            "Salarius Pharmaceuticals is up 12% premarket in reaction to Fast Track designation in the U.S. for lead candidate seclidemstat for the treatment of Ewing sarcoma.")
        #expect(body.contains { $0.action == "fda-fast-track" && $0.status == .announced && $0.product == "seclidemstat" }, "\(show(body))")
        let words = events(title: "FDA grants Fast Track designation", "The thermostat and the constellation of concepts got Fast Track designation from the FDA today.")
        #expect(!words.contains { $0.product != nil }, "\(show(words))")
    }

    /// The 2021 antibody stems name antibodies; an ADC's antibody and payload are one name.
    @Test func newAntibodyStemsAndTwoWordConjugates() {
        let accepted = events(title: "CSPC's enlonstobart application accepted", "The application for marketing of enlonstobart for injection has been accepted by the NMPA.")
        #expect(accepted.contains { $0.action == "nmpa-application-accepted" && $0.product == "enlonstobart" }, "\(show(accepted))")
        let conjugate = events(title: "Lilly wins BTD", "The FDA granted Breakthrough Therapy designation to sofetabart mipitecan for ovarian cancer.")
        #expect(conjugate.contains { $0.action == "fda-breakthrough-therapy" && $0.product == "sofetabart mipitecan" && $0.modality == "adc" }, "\(show(conjugate))")
    }

    /// A semicolon in a headline joins two headlines: what follows is not said of the product before it.
    @Test func aSemicolonEndsTheSubjectsClause() {
        let roundup = events(title: "CDE Grants Priority Review to AnHeart's Taletrectinib; Two Others Earn Breakthrough Therapy Designation", """
            The CDE has announced its decisions.

            SKB264, a TROP2-targeted antibody-drug conjugate (ADC), received BTD status for treating triple-negative breast cancer.
            """)
        #expect(!roundup.contains { $0.action == "nmpa-breakthrough-therapy" && $0.product == "Taletrectinib" && $0.status == .announced }, "\(show(roundup))")
        #expect(roundup.contains { $0.action == "nmpa-breakthrough-therapy" && $0.product == "SKB264" && $0.status == .announced }, "\(show(roundup))")
    }

    /// A designation granted to new drugs in general, and what its holders may get, define it.
    @Test func designationsForNewDrugsInGeneral() {
        let explained = events(title: "Hutchmed gains breakthrough therapy designation in China for HMPL-523", """
            The Centre for Drug Evaluation of China's National Medical Products Administration has granted breakthrough therapy designation to HMPL-523.

            China's National Medical Products Administration grants breakthrough therapy designation to new drugs that treat life-threatening diseases, Hutchmed explained.
            """)
        #expect(explained.contains { $0.action == "nmpa-breakthrough-therapy" && $0.status == .definition }, "\(show(explained))")
        #expect(explained.contains { $0.action == "nmpa-breakthrough-therapy" && $0.status == .announced && $0.product == "HMPL-523" }, "\(show(explained))")
    }

    /// Words several agencies use resolve to the one named; holds and their lifting in plain words.
    @Test func conditionalApprovalsAndHoldsInPlainWords() throws {
        let uk = events(title: "MHRA Grants Conditional Approval for CAR-T Therapy Aucatzyl to Treat Relapsed B-Cell ALL", "")
        #expect(uk.contains { $0.action == "mhra-approval" && $0.status == .announced && $0.product == "Aucatzyl" }, "\(show(uk))")
        #expect(!uk.contains { $0.agency == "NMPA" || $0.agency == "EMA" }, "\(show(uk))")
        let china = events(title: "NMPA grants conditional approval to ARC-217 for myeloma", "")
        #expect(china.contains { $0.action == "nmpa-conditional-approval" && $0.status == .announced }, "\(show(china))")
        let recommended = events(
            title: "July's CHMP opinions",
            "A recommendation by EMA's CHMP for the conditional approval of ARC-217 was among the positive opinions for new medicines in July.",
            published: "2025-09-01")
        #expect(!recommended.contains { $0.action == "ec-approval" && $0.status == .background }, "\(show(recommended))")
        let hold = events(title: "Gene therapy trials paused", "The FDA announced a trial hold after two participants in the ARC-217 trials developed AML.")
        #expect(hold.contains { $0.action == "fda-clinical-hold" && $0.status == .announced }, "\(show(hold))")
        let goAhead = events(title: "Vertex restarts", "Vertex Pharmaceuticals has received the FDA go-ahead to continue studies for its diabetes stem cell therapy.")
        #expect(goAhead.contains { $0.action == "fda-clinical-hold-lifted" && $0.status == .announced }, "\(show(goAhead))")
        #expect(!goAhead.contains { $0.action == "fda-approval" }, "\(show(goAhead))")
    }

    /// An agency named with "by" or "from" after the phrase is its own; agencies joined there share it.
    @Test func theAgencyNamedAfterThePhraseActs() throws {
        let both = events(
            title: "Arcturus news",
            "ARC-217 has also received orphan drug designation from the EMA and FDA for multiple myeloma, Arcturus said.")
        let orphan = Set(both.filter { $0.action.hasSuffix("orphan-drug") }.map(\.action))
        #expect(orphan == ["ema-orphan-drug", "fda-orphan-drug"], "\(show(both))")
        let apart = events(
            title: "Arcturus news",
            "ARC-217 was granted priority medicines and orphan drug designations by the EMA for multiple myeloma, as well as breakthrough therapy and orphan drug status by the U.S. Food and Drug Administration.")
        let apartOrphan = Set(apart.filter { $0.action.hasSuffix("orphan-drug") }.map(\.action))
        #expect(apartOrphan == ["ema-orphan-drug", "fda-orphan-drug"], "\(show(apart))")
        let mixed = events(title: "Tessa news", "Tessa said on Monday that its CAR-T was granted the RMAT designation by the US FDA and the PRIME designation by EMA.")
        #expect(mixed.contains { $0.action == "ema-prime" } && mixed.contains { $0.action == "fda-rmat" }, "\(show(mixed))")
    }

    /// What a relative clause says the product holds is beside the sentence's news.
    @Test func aDesignationHeldInARelativeClauseIsHistory() throws {
        let body = events(
            title: "Arcturus files ARC-217 in Japan",
            "The firm wants to market ARC-217, which has been granted Sakigake, or priority review status, for people with HER2 positive gastric cancer.")
        #expect(body.contains { $0.action == "pmda-sakigake" && $0.status == .background }, "\(show(body))")
        #expect(!body.contains { $0.action == "pmda-sakigake" && $0.status == .announced }, "\(show(body))")
    }

    /// Bullets run inline after bracketed references end their sentences: the history told in
    /// later bullets is not read as the news of the first.
    @Test func inlineBulletsAfterReferencesAreSentences() throws {
        let summary = events(
            title: "Core Insights - Arcturus has received FDA's RMAT designation for its gene therapy candidate ARC-217, aimed at treating cardiomyopathy [1][7] - The RMAT designation allows for enhanced interactions with the FDA [2] Recent Challenges - The company faced setbacks, including a pause in the study of ARC-301 due to a patient death, leading to an FDA clinical hold [9]",
            "")
        #expect(summary.contains { $0.action == "fda-rmat" && $0.status == .announced && $0.product == "ARC-217" }, "\(show(summary))")
        #expect(!summary.contains { $0.action == "fda-clinical-hold" && $0.status == .announced }, "\(show(summary))")
    }

    /// A hold's combination partner, and a product the hold spares, are not what it was placed on.
    @Test func aPartnerOrASparedProductIsNoSubject() throws {
        let partner = events(
            title: "FDA slaps partial hold on Arcturus for bispecific cancer trials",
            "The partial hold, which affects their monotherapy trial as well a combination effort with their own PD-1 checkpoint ARC-217, will stop recruiting.")
        #expect(!partner.contains { $0.action == "fda-clinical-hold" && $0.product == "ARC-217" }, "\(show(partner))")
        let spared = events(
            title: "FDA puts clinical hold on Arcturus's ARC-217",
            "The FDA has placed a clinical hold on the phase 1 study of ARC-217 after the death of a patient.\n\nThe company also said the clinical hold does not affect its plans to start the trial of ARC-301 this year.")
        #expect(!spared.contains { $0.action == "fda-clinical-hold" && $0.product == "ARC-301" }, "\(show(spared))")
        #expect(spared.contains { $0.action == "fda-clinical-hold" && $0.product == "ARC-217" }, "\(show(spared))")
    }

    /// Another agency's programme named to explain one is no act of that agency.
    @Test func aProgrammeNamedForComparisonIsADefinition() throws {
        let batch = events(
            title: "Sakigake status awarded to three drugs",
            "The MHLW on June 19 announced the fifth batch of products granted sakigake designation, the Japan equivalent of the US FDA's Breakthrough Therapy status, which include Arcturus's ARC-217.")
        #expect(batch.contains { $0.action == "pmda-sakigake" && $0.status == .announced }, "\(show(batch))")
        #expect(!batch.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(batch))")
    }

    /// A comparator in the sentence before is not what the agency acted on.
    @Test func aComparatorIsNoSubject() throws {
        let body = events(
            title: "Results",
            "The phase 3 trial showed the superiority of Enhertu in prolonging progression-free survival compared to T-DM1.\n\nThe FDA granted Breakthrough Therapy designation on Monday.")
        let granted = body.filter { $0.action == "fda-breakthrough-therapy" }
        #expect(granted.map(\.product) == ["Enhertu"], "\(show(body))")
    }

    /// A list after a colon, its items apart by semicolons: each item's product is a subject.
    @Test func aListInOneSentenceNamesEachItemsProduct() throws {
        let body = events(
            title: "EMA's first PRIME medicines",
            "The first four PRIME candidates announced by the EMA today are: Arcturus's ARC-217, an antibody for myeloma; Glaxo's GSK2696274, a gene therapy for leukodystrophy; and Kite's KTE-C19, a CAR-T for lymphoma.")
        let named = Set(body.filter { $0.action == "ema-prime" && $0.status == .announced }.compactMap(\.product))
        #expect(named == ["ARC-217", "GSK2696274", "KTE-C19"], "\(show(body))")
    }

    /// The parts of a CAR construct are not what it is aimed at.
    @Test func aConstructsPartsAreNoTargets() throws {
        let found = events(
            title: "Arcturus receives RMAT designation for ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the FDA granted RMAT designation to ARC-217. ARC-217 is a CD19-directed CAR-T with a 4-1BB costimulatory and CD3-zeta domain.")
        let rmat = try #require(found.first { $0.action == "fda-rmat" && $0.product == "ARC-217" }, "\(show(found))")
        #expect(rmat.targets.map(\.id).contains("CD19"), "\(show(found))")
        #expect(!rmat.targets.map(\.id).contains { $0.hasPrefix("CD3") }, "\(show(found))")
    }

    /// Issue 19: an agency that approves a request for a designation grants the designation;
    /// it approves no product, and the request is no longer pending.
    @Test func anApprovedRequestForADesignationIsTheDesignationGranted() throws {
        let found = events(
            title: "Arcturus Receives FDA Approval of Fast Track Designation for ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the U.S. FDA has approved its request for Fast Track Designation for its drug, ARC-217, for the treatment of multiple myeloma.")
        #expect(!found.contains { $0.action == "fda-approval" }, "\(show(found))")
        let fastTrack = found.filter { $0.action == "fda-fast-track" }
        #expect(fastTrack.count >= 2, "\(show(found))")
        #expect(fastTrack.allSatisfy { $0.status == .announced }, "\(show(found))")
    }

    /// Issue 19: a news brief's line "ARC-217 got U.S. FDA's fast track designation" is the news,
    /// though the brief's next line (one sentence with it: no full stop) says what the designation is.
    @Test func aDesignationJustReceivedIsNoDefinition() throws {
        let found = events(
            title: "",
            """
            Shares of Arcturus Cell Sciences up 26% premarket
            Co says its therapy, ARC-217, got U.S. FDA's "fast track" designation
            FDA's "fast track" tag aims to speed development and review of drugs for serious conditions
            """)
        let first = try #require(found.first { $0.action == "fda-fast-track" }, "\(show(found))")
        #expect(first.status == .announced, "\(show(found))")
        #expect(first.product == "ARC-217", "\(show(found))")
    }

    /// Issue 19: "the company said the FDA had granted" is the news reported (the tense follows
    /// "said"); "had granted" alone, or "had previously granted", still tells history.
    @Test func pastPerfectAfterSaidIsTheNewsReported() throws {
        let reported = events(
            title: "",
            "Arcturus Cell Sciences said the US Food and Drug Administration had granted breakthrough therapy designation for its myeloma drug ARC-217.")
        let news = try #require(reported.first { $0.action == "fda-breakthrough-therapy" }, "\(show(reported))")
        #expect(news.status == .announced, "\(show(reported))")
        let history = events(
            title: "Arcturus Cell Sciences Provides Update",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported results. The company said the FDA had previously granted breakthrough therapy designation to ARC-217.")
        #expect(!history.contains { $0.action == "fda-breakthrough-therapy" && $0.status == .announced }, "\(show(history))")
    }

    /// Issue 14's hard negatives: "fast track" in its ordinary sense is no designation.
    @Test func fastTrackInItsOrdinarySenseIsNoEvent() {
        let found = events(
            title: "Arcturus Cell Sciences Provides Update",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today said development of ARC-217 is now on a fast track, with enrolment complete.")
        #expect(!found.contains { $0.action == "fda-fast-track" && $0.status == .announced }, "\(show(found))")
    }
}

// MARK: - Agencies and subjects

@Suite struct EventSubjects {
    @Test func chinasBreakthroughTherapyIsTheNMPAs() throws {
        let title = "Quillon Bio's QL-1101 Granted Breakthrough Therapy Designation by China's NMPA"
        let content = "SUZHOU, China, June 10, 2025 -- Quillon Bio today announced that the Center for Drug Evaluation (CDE) of China's National Medical Products Administration (NMPA) has granted Breakthrough Therapy Designation to QL-1101, a TROP2-directed antibody-drug conjugate, for advanced non-small cell lung cancer."
        let found = events(title: title, content)
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.action == "nmpa-breakthrough-therapy" && $0.agency == "NMPA" }, "\(show(found))")
        let compiled = try rules("""
            - {name: fda, designations: [fda-breakthrough-therapy]}
            - {name: nmpa, designations: [nmpa-breakthrough-therapy], targets: [TROP2]}
            - {name: every-agency, designations: [Breakthrough Therapy], agencies: any}
            """)
        #expect(matched(compiled, title: title, content) == ["nmpa", "every-agency"])
    }

    @Test func anEUOrphanDesignationIsTheEMAs() throws {
        let found = events(
            title: "Vantrel Bio Receives Orphan Drug Designation from the European Commission for VT-501",
            "AMSTERDAM, June 10, 2025 -- Vantrel Bio today announced that the European Commission has granted orphan designation to VT-501 for the treatment of multiple myeloma, following a positive opinion from the EMA's Committee for Orphan Medicinal Products.")
        let orphan = found.filter { $0.action.hasSuffix("orphan-drug") }
        #expect(!orphan.isEmpty, "\(show(found))")
        #expect(orphan.allSatisfy { $0.action == "ema-orphan-drug" }, "\(show(found))")
        #expect(orphan.contains { $0.status == .announced && $0.product == "VT-501" }, "\(show(found))")
    }

    /// Issue 19: the EU's term in a headline that names the U.S. agency as the Indian press
    /// does ("USFDA"), or with the agency only in the lead as Reuters names it, is the FDA's.
    @Test(arguments: [
        ("Vantrel Bio's sickle cell drug gets USFDA's orphan designation", "Vantrel Bio just scored Orphan Drug Designation for VT-501, its tablet for sickle cell disease."),
        ("Vantrel Bio's VT-501 Gets Orphan Designation", "Vantrel Bio announced on Friday that the U.S. health regulator has granted Orphan Drug Designation to VT-501."),
    ])
    func theUSHealthRegulatorIsTheFDA(title: String, content: String) throws {
        let found = events(title: title, content)
        let lead = try #require(found.first { $0.status == .announced }, "\(show(found))")
        #expect(lead.action == "fda-orphan-drug", "\(show(found))")
        #expect(!found.contains { $0.action == "ema-orphan-drug" }, "\(show(found))")
    }

    /// Issue 14: "HER2-negative" patients do not make a Claudin 18.2 antibody a HER2 therapy.
    @Test func her2NegativePatientsAreNoHER2Target() throws {
        let title = "FDA Grants Priority Review to SOL-1802, a Claudin 18.2-Directed Antibody, for HER2-Negative Gastric Cancer"
        let content = "SAN DIEGO, June 10, 2025 -- Solvane Therapeutics today announced that the FDA has granted Priority Review to SOL-1802, a Claudin 18.2-directed monoclonal antibody, for patients with HER2-negative, CLDN18.2-positive gastric cancer."
        let found = events(title: title, content)
        let review = found.filter { $0.action == "fda-priority-review" }
        #expect(!review.isEmpty, "\(show(found))")
        #expect(review.allSatisfy { !$0.targets.map(\.id).contains("ERBB2") }, "\(show(found))")
        let compiled = try rules("""
            - {name: her2, designations: [fda-priority-review], targets: [HER2]}
            - {name: cldn18, designations: [fda-priority-review], targets: [Claudin 18.2]}
            """)
        #expect(matched(compiled, title: title, content) == ["cldn18"])
    }

    /// Issue 14: patients "previously treated with anti-BCMA therapy" do not make a BCMA event.
    @Test func priorAntiBCMATherapyIsNoBCMATarget() throws {
        let title = "FDA Grants Breakthrough Therapy Designation to GPX-501 for Multiple Myeloma"
        let content = "PHILADELPHIA, Pa., June 10, 2025 -- Gallant Bio today announced that the FDA has granted Breakthrough Therapy designation to GPX-501, a GPRC5D-targeted CAR T cell therapy, for patients with multiple myeloma previously treated with an anti-BCMA therapy."
        let found = events(title: title, content)
        #expect(found.contains { $0.targets.map(\.id).contains("GPRC5D") }, "\(show(found))")
        #expect(!found.contains { $0.targets.map(\.id).contains("TNFRSF17") }, "\(show(found))")
        let compiled = try rules("""
            - {name: bcma, designations: [fda-breakthrough-therapy], targets: [BCMA]}
            - {name: gprc5d, designations: [fda-breakthrough-therapy], targets: [GPRC5D]}
            """)
        #expect(matched(compiled, title: title, content) == ["gprc5d"])
    }

    @Test func pd1IsNotPDL1() throws {
        let compiled = try rules("""
            - {name: pd-1, designations: [fda-orphan-drug], targets: [PD-1]}
            - {name: pd-l1, designations: [fda-orphan-drug], targets: [PD-L1]}
            """)
        #expect(matched(compiled, title: "FDA Grants Orphan Drug Designation to HX-101, an Anti-PD-L1 Antibody, for Biliary Tract Cancer", "")
            == ["pd-l1"])
        #expect(matched(compiled, title: "FDA Grants Orphan Drug Designation to NV-201, an Anti-PD-1 Antibody, for Mesothelioma", "")
            == ["pd-1"])
        #expect(matched(compiled, title: "FDA Grants Orphan Drug Designation to ZX-301, a PD-L2 Antibody, for Mesothelioma", "").isEmpty)
    }

    /// Issue 15: "Yescarta" names CD19 and Kite (a Gilead company) without the text saying so.
    @Test func aKnownProductGivesTheEventItsTargetAndCompany() throws {
        let title = "Kite's Yescarta Receives RMAT Designation"
        let content = "SANTA MONICA, Calif., June 10, 2025 -- Kite, a Gilead Company, today announced that the FDA granted RMAT designation to Yescarta for a new indication."
        let found = events(title: title, content)
        let event = try #require(found.first { $0.action == "fda-rmat" }, "\(show(found))")
        #expect(event.productID == "axicabtagene-ciloleucel", "\(show(found))")
        #expect(event.targets.contains { $0.id == "CD19" } && event.targetVia["CD19"] == "axicabtagene-ciloleucel", "\(show(found))")
        let compiled = try rules("""
            - {name: cd19-rmat, designations: [fda-rmat], targets: [CD19]}
            - {name: gilead-family, designations: [fda-rmat], companies: [Gilead Sciences], include_subsidiaries: true}
            - {name: gilead-only, designations: [fda-rmat], companies: [Gilead Sciences]}
            - {name: car-t-rmat, designations: [fda-rmat], modalities: [CAR-T]}
            - {name: cd20-rmat, designations: [fda-rmat], targets: [CD20]}
            """)
        #expect(matched(compiled, title: title, content) == ["cd19-rmat", "gilead-family", "car-t-rmat"])
    }

    @Test func approvalsAreActionsRulesCanName() throws {
        let title = "FDA Approves Vyloy (zolbetuximab), a Claudin 18.2-Directed Antibody, for Gastric Cancer"
        let content = "TOKYO, June 10, 2025 -- Astellas today announced that the FDA approved Vyloy for HER2-negative gastric cancer."
        let compiled = try rules("""
            - {name: cldn18-approval, designations: [fda-approval], targets: [Claudin 18.2]}
            - {name: her2-approval, designations: [fda-approval], targets: [HER2]}
            - {name: eu-approval, designations: [ec-approval]}
            """)
        #expect(matched(compiled, title: title, content) == ["cldn18-approval"])
        // Negated, it did not happen.
        let negated = events(
            title: "Arcturus Reports Phase 2 Data for ARC-217",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today reported Phase 2 data for ARC-217. ARC-217 has not been approved by the FDA for any use.")
        #expect(!negated.contains { $0.action == "fda-approval" }, "\(show(negated))")
    }

    @Test func aCompoundNameGivesTheEventBothTargets() throws {
        let found = events(
            title: "Arcturus Receives FDA Fast Track Designation for AB-2003, a CD20xCD3 Bispecific Antibody",
            "BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced Fast Track designation for AB-2003 in follicular lymphoma.")
        let event = try #require(found.first { $0.action == "fda-fast-track" && $0.evidence.field == "title" }, "\(show(found))")
        #expect(Set(event.targets.map(\.id)).isSuperset(of: ["MS4A1", "CD3E"]), "\(show(found))")
    }
}

// MARK: - Compound names in the matcher

@Suite struct CompoundNames {
    private func targetsMatched(_ text: String) throws -> [String] {
        let compiled = try rules("""
            - {name: CD20, targets: [CD20]}
            - {name: CD3, targets: [CD3]}
            - {name: KRAS, targets: [KRAS]}
            - {name: BCMA, targets: [BCMA]}
            - {name: CD19, targets: [CD19]}
            """)
        return compiled.evaluate(MatchDocument(fields: [("content", text)])).map(\.rule)
    }

    @Test func partsOfACompoundMatch() throws {
        #expect(try targetsMatched("a CD20xCD3 bispecific antibody") == ["CD20", "CD3"])
        #expect(try targetsMatched("a CD20\u{00D7}CD3 T-cell engager") == ["CD20", "CD3"])
        #expect(try targetsMatched("the KRASG12C inhibitor") == ["KRAS"])
        #expect(try targetsMatched("a BCMAxCD3 T-cell engager") == ["CD3", "BCMA"])
    }

    @Test func ordinaryWordsWithAnXMatchNothing() throws {
        #expect(try targetsMatched("Maxx said the index of taxCD3 rose.").isEmpty)
        #expect(try targetsMatched("CD19x and CD20xcd3 are no compounds.").isEmpty)
        #expect(try targetsMatched("KRASG12Cx is no mutation code.").isEmpty)
    }
}

// MARK: - Alerts and rules

@Suite struct EventRules {
    static let release = (
        title: "Arcturus Cell Sciences Receives FDA RMAT Designation for ARC-217, a BCMA-Directed CAR T Therapy",
        content: """
            BOSTON, June 10, 2025 -- Arcturus Cell Sciences today announced that the FDA has granted RMAT designation to ARC-217 for relapsed or refractory multiple myeloma.

            About ARC-217

            ARC-217 is a BCMA-directed CAR T therapy. ARC-217 has also received Orphan Drug Designation from the FDA.
            """)

    @Test func theSameMatchGivesTheSameAlertID() throws {
        let yaml = """
            - {name: bcma-rmat, designations: [fda-rmat], targets: [BCMA]}
            - {name: arcturus, keywords: [Arcturus Cell Sciences]}
            """
        func ids() throws -> [String] {
            let compiled = try rules(yaml)
            let matches = compiled.evaluate(MatchDocument(fields: [("title", Self.release.title), ("content", Self.release.content)]))
            return matches.map { Alert.makeID(source: "inbox", itemID: "item-1", rule: $0.rule, matches: $0.matches) }
        }
        let first = try ids()
        #expect(first.count == 2)
        #expect(try ids() == first)
        #expect(Set(first).count == 2)
    }

    @Test func onlyEventRulesCarryEvents() throws {
        let compiled = try rules("""
            - {name: bcma-rmat, designations: [fda-rmat], targets: [BCMA]}
            - {name: rmat-mentions, designations: [fda-rmat], status: any}
            - {name: arcturus, keywords: [Arcturus Cell Sciences]}
            """)
        let matches = compiled.evaluate(MatchDocument(fields: [("title", Self.release.title), ("content", Self.release.content)]))
        #expect(matches.map(\.rule) == ["bcma-rmat", "rmat-mentions", "arcturus"])
        let byEvents = try #require(matches.first)
        #expect(byEvents.events.map(\.action) == ["fda-rmat"], "\(show(byEvents.events))")
        #expect(byEvents.events.allSatisfy { $0.status == .announced })
        #expect(matches.dropFirst().allSatisfy { $0.events.isEmpty })
    }

    @Test func statusSelectsHowTheItemTellsIt() throws {
        let compiled = try rules("""
            - {name: news, designations: [fda-orphan-drug]}
            - {name: history, designations: [fda-orphan-drug], status: background}
            - {name: either, designations: [fda-orphan-drug], status: [announced, background]}
            - {name: mentions, designations: [fda-orphan-drug], status: any}
            """)
        #expect(matched(compiled, title: Self.release.title, Self.release.content) == ["history", "either", "mentions"])
    }

    /// `designations: [any]` with `status: any` is every mention of a designation, and no ordinary
    /// word of the regulatory actions ("approved", "cleared").
    @Test func anyMentionLeavesTheActionsOut() throws {
        let compiled = try rules("- {name: any-mention, designations: [any], status: any}")
        let content = "TOKYO, June 10, 2025 -- Astellas today announced that the FDA approved Vyloy and cleared an IND for ASP-2138."
        #expect(matched(compiled, title: "Astellas Announces FDA Approval of Vyloy", content).isEmpty)
        #expect(matched(compiled, title: "Vyloy Was Granted Orphan Drug Designation in 2020", content) == ["any-mention"])
    }

    /// README: "a company not in it matches as the literal name" — in a clause decided by events too.
    @Test func aCompanyNotInTheVocabularyMatchesLiterally() throws {
        let compiled = try rules("""
            - {name: arcturus-rmat, designations: [fda-rmat], companies: [Arcturus Cell Sciences]}
            - {name: other-rmat, designations: [fda-rmat], companies: [Zephyr Oncology]}
            """)
        let found = matched(compiled, title: EventRules.release.title, EventRules.release.content)
        #expect(found == ["arcturus-rmat"])
        #expect(!found.contains("other-rmat"))
    }

    @Test func unknownStatusIsNamedWithADidYouMean() {
        let found = problems("""
            - name: r
              designations: [RMAT]
              status: anounced
            """)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix("rules.yaml:3:11: 'status': must be announced, background, prospective, definition or any; found 'anounced'") == true, "\(found)")
        #expect(found.first?.hasSuffix("did you mean 'announced'?") == true, "\(found)")
    }

    @Test func statusWithoutDesignationsIsAProblem() {
        let found = problems("""
            - name: r
              targets: [BCMA]
              status: background
            """)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains("'status': applies to the events of designations") == true, "\(found)")
    }

    @Test func unknownModalityIsAProblem() {
        for yaml in ["- {name: r, modalities: [CAR-Q]}", "- {name: r, designations: [RMAT], modalities: [CAR-Q]}"] {
            let found = problems(yaml)
            #expect(found.count == 1, "\(found)")
            #expect(found.first?.contains("unknown modality 'CAR-Q'") == true, "\(found)")
            #expect(found.first?.contains("did you mean") == true, "\(found)")
        }
        #expect(problems("- {name: r, designations: [RMAT], modalities: [CAR-T], status: [announced, background], agencies: any}").isEmpty)
    }
}
