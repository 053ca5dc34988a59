import CZlib

// The preset dictionary the archive compresses item texts with (`ArchiveText`): phrases
// common in biotech and pharma press releases (datelines, wire names, agencies and their
// designations, trial vocabulary, the safe-harbour paragraph, contacts), written for Pharos.
// zlib finds its matches in it as if the text had been preceded by it, which a text of a few
// kilobytes on its own cannot give: on the generated bench corpus the texts shrank from 0.33
// to 0.27 of their size, on 190 real news items (bench/events/corpus) from 0.54 to 0.44.
//
// Stored texts name it by its Adler-32 (zlib's DICTID), so it must never change: a new
// dictionary is a new constant, chosen on reading by that id.
enum ArchiveDictionary {
    static let v1: [UInt8] = Array(#"""
Contacts
Investors: Media: Investor Relations ir@ Media Relations media@ press@ +1 (617) 
###
For more information, please visit www. and follow us on LinkedIn and X. 
Forward-Looking Statements
This press release contains forward-looking statements within the meaning of the Private Securities Litigation Reform Act of 1995, as amended, including statements regarding the timing of clinical trials, regulatory submissions, the potential benefits of the product candidates, the expected cash runway and the plans and objectives of management. Words such as "anticipate," "believe," "continue," "could," "estimate," "expect," "intend," "may," "plan," "potential," "should," "target," "will" and "would" identify forward-looking statements. These statements are subject to risks and uncertainties that could cause actual results to differ materially, including risks described under "Risk Factors" in the Company's most recent Annual Report on Form 10-K and Quarterly Report on Form 10-Q filed with the Securities and Exchange Commission (SEC). Forward-looking statements speak only as of the date of this press release, and the Company undertakes no obligation to update them, except as required by law.
About 
 is a clinical-stage biopharmaceutical company developing novel therapies for patients with cancer, autoimmune and rare diseases. The company's pipeline includes 
 is a commercial-stage biotechnology company focused on the discovery and development of 
The U.S. Food and Drug Administration (FDA) has granted Breakthrough Therapy Designation, Fast Track Designation, Orphan Drug Designation, Regenerative Medicine Advanced Therapy (RMAT) designation and Priority Review to 
The European Medicines Agency (EMA) granted PRIME eligibility. The Committee for Medicinal Products for Human Use (CHMP) adopted a positive opinion. Biologics License Application (BLA), New Drug Application (NDA), Investigational New Drug (IND) application, Marketing Authorization Application (MAA), Complete Response Letter (CRL), Prescription Drug User Fee Act (PDUFA) target action date, accelerated approval.
 today announced that the first patient has been dosed in the Phase 1/2 clinical trial evaluating 
 today announced positive topline results from the pivotal Phase 3 trial of 
 today reported financial results for the fourth quarter and full year ended December 31, and provided a business update. Cash, cash equivalents and marketable securities were $ million as of September 30, compared to $ million. Research and development expenses were $ million for the quarter, compared to $ million for the same period last year. General and administrative expenses net loss per share
 in patients with relapsed or refractory multiple myeloma, non-small cell lung cancer, acute myeloid leukemia, diffuse large B-cell lymphoma, metastatic breast cancer, solid tumors, 
The primary endpoint was overall response rate (ORR); secondary endpoints include duration of response (DOR), progression-free survival (PFS), overall survival (OS), complete response (CR) and safety and tolerability. The safety profile was consistent with previously reported data, with no new safety signals. Treatment-emergent adverse events (TEAEs), cytokine release syndrome (CRS), dose-limiting toxicities, maximum tolerated dose, recommended Phase 2 dose.
"We are pleased with the progress of the program and look forward to presenting additional data at an upcoming medical meeting," said , Chief Executive Officer of . "This milestone reflects our commitment to patients," said , M.D., Ph.D., Chief Medical Officer.
The data will be presented in an oral session at the American Society of Clinical Oncology (ASCO) Annual Meeting, the American Society of Hematology (ASH) Annual Meeting, the European Hematology Association (EHA) Congress, 
monoclonal antibody, antibody-drug conjugate (ADC), bispecific T-cell engager, small molecule inhibitor, CAR-T cell therapy, gene therapy, allogeneic, autologous, 
(NASDAQ: ) (NYSE: ) BOSTON, CAMBRIDGE, Mass., SAN DIEGO, SOUTH SAN FRANCISCO, Calif., NEW YORK, January February March April May June July August September October November December , 2026 /PRNewswire/ -- (BUSINESS WIRE)-- (GLOBE NEWSWIRE) --
"""#.utf8)

    /// The dictionary's Adler-32, as a zlib stream made with it names it.
    static let v1Adler: uLong = v1.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }
}
