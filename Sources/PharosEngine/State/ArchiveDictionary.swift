import CZlib
import Foundation

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

    /// zstd's form of ``v1``: the same content after zstd's entropy tables (the literals' Huffman
    /// code, the sequences' codes and the first repeat offsets) under the id ``v2ID``. A frame
    /// made with it may use those tables instead of describing its own, which its reader would
    /// build before decoding (9% fewer instructions to decompress the bench's texts,
    /// bench/backtest/README.md).
    /// The tables were gathered by zstd from the 190 real news texts of bench/events/corpus at
    /// level 6: `bench/backtest/make-dictionary.sh` makes these bytes again. Frames name it by
    /// its id, so it must never change either.
    static let v2: [UInt8] = Array(Data(base64Encoded: v2Base64, options: .ignoreUnknownCharacters)!)

    /// The id zstd frames made with ``v2`` carry (frames made with ``v1``, raw content, carry none).
    static let v2ID: UInt32 = 0x5048_0002

    private static let v2Base64 = """
        N6Qw7AIASFA6EMDSpgMzACIxEiMhg21eiJCQnaSMW8qVLcq2lrZ8IwK+L49vP0aLaNateWIRotl3I3vTf3SJk469B9MAAAAIhwaG
        w3GZNQAEQJBWkEvKU4Ea5DCEDDLGEAAIAAAAAAAAAAAAAAAAJG3KZrTBOAxzCiFkjDIjMwIAAAAAAQAAAAQAAAAIAAAAQ29udGFj
        dHMKSW52ZXN0b3JzOiBNZWRpYTogSW52ZXN0b3IgUmVsYXRpb25zIGlyQCBNZWRpYSBSZWxhdGlvbnMgbWVkaWFAIHByZXNzQCAr
        MSAoNjE3KSAKIyMjCkZvciBtb3JlIGluZm9ybWF0aW9uLCBwbGVhc2UgdmlzaXQgd3d3LiBhbmQgZm9sbG93IHVzIG9uIExpbmtl
        ZEluIGFuZCBYLiAKRm9yd2FyZC1Mb29raW5nIFN0YXRlbWVudHMKVGhpcyBwcmVzcyByZWxlYXNlIGNvbnRhaW5zIGZvcndhcmQt
        bG9va2luZyBzdGF0ZW1lbnRzIHdpdGhpbiB0aGUgbWVhbmluZyBvZiB0aGUgUHJpdmF0ZSBTZWN1cml0aWVzIExpdGlnYXRpb24g
        UmVmb3JtIEFjdCBvZiAxOTk1LCBhcyBhbWVuZGVkLCBpbmNsdWRpbmcgc3RhdGVtZW50cyByZWdhcmRpbmcgdGhlIHRpbWluZyBv
        ZiBjbGluaWNhbCB0cmlhbHMsIHJlZ3VsYXRvcnkgc3VibWlzc2lvbnMsIHRoZSBwb3RlbnRpYWwgYmVuZWZpdHMgb2YgdGhlIHBy
        b2R1Y3QgY2FuZGlkYXRlcywgdGhlIGV4cGVjdGVkIGNhc2ggcnVud2F5IGFuZCB0aGUgcGxhbnMgYW5kIG9iamVjdGl2ZXMgb2Yg
        bWFuYWdlbWVudC4gV29yZHMgc3VjaCBhcyAiYW50aWNpcGF0ZSwiICJiZWxpZXZlLCIgImNvbnRpbnVlLCIgImNvdWxkLCIgImVz
        dGltYXRlLCIgImV4cGVjdCwiICJpbnRlbmQsIiAibWF5LCIgInBsYW4sIiAicG90ZW50aWFsLCIgInNob3VsZCwiICJ0YXJnZXQs
        IiAid2lsbCIgYW5kICJ3b3VsZCIgaWRlbnRpZnkgZm9yd2FyZC1sb29raW5nIHN0YXRlbWVudHMuIFRoZXNlIHN0YXRlbWVudHMg
        YXJlIHN1YmplY3QgdG8gcmlza3MgYW5kIHVuY2VydGFpbnRpZXMgdGhhdCBjb3VsZCBjYXVzZSBhY3R1YWwgcmVzdWx0cyB0byBk
        aWZmZXIgbWF0ZXJpYWxseSwgaW5jbHVkaW5nIHJpc2tzIGRlc2NyaWJlZCB1bmRlciAiUmlzayBGYWN0b3JzIiBpbiB0aGUgQ29t
        cGFueSdzIG1vc3QgcmVjZW50IEFubnVhbCBSZXBvcnQgb24gRm9ybSAxMC1LIGFuZCBRdWFydGVybHkgUmVwb3J0IG9uIEZvcm0g
        MTAtUSBmaWxlZCB3aXRoIHRoZSBTZWN1cml0aWVzIGFuZCBFeGNoYW5nZSBDb21taXNzaW9uIChTRUMpLiBGb3J3YXJkLWxvb2tp
        bmcgc3RhdGVtZW50cyBzcGVhayBvbmx5IGFzIG9mIHRoZSBkYXRlIG9mIHRoaXMgcHJlc3MgcmVsZWFzZSwgYW5kIHRoZSBDb21w
        YW55IHVuZGVydGFrZXMgbm8gb2JsaWdhdGlvbiB0byB1cGRhdGUgdGhlbSwgZXhjZXB0IGFzIHJlcXVpcmVkIGJ5IGxhdy4KQWJv
        dXQgCiBpcyBhIGNsaW5pY2FsLXN0YWdlIGJpb3BoYXJtYWNldXRpY2FsIGNvbXBhbnkgZGV2ZWxvcGluZyBub3ZlbCB0aGVyYXBp
        ZXMgZm9yIHBhdGllbnRzIHdpdGggY2FuY2VyLCBhdXRvaW1tdW5lIGFuZCByYXJlIGRpc2Vhc2VzLiBUaGUgY29tcGFueSdzIHBp
        cGVsaW5lIGluY2x1ZGVzIAogaXMgYSBjb21tZXJjaWFsLXN0YWdlIGJpb3RlY2hub2xvZ3kgY29tcGFueSBmb2N1c2VkIG9uIHRo
        ZSBkaXNjb3ZlcnkgYW5kIGRldmVsb3BtZW50IG9mIApUaGUgVS5TLiBGb29kIGFuZCBEcnVnIEFkbWluaXN0cmF0aW9uIChGREEp
        IGhhcyBncmFudGVkIEJyZWFrdGhyb3VnaCBUaGVyYXB5IERlc2lnbmF0aW9uLCBGYXN0IFRyYWNrIERlc2lnbmF0aW9uLCBPcnBo
        YW4gRHJ1ZyBEZXNpZ25hdGlvbiwgUmVnZW5lcmF0aXZlIE1lZGljaW5lIEFkdmFuY2VkIFRoZXJhcHkgKFJNQVQpIGRlc2lnbmF0
        aW9uIGFuZCBQcmlvcml0eSBSZXZpZXcgdG8gClRoZSBFdXJvcGVhbiBNZWRpY2luZXMgQWdlbmN5IChFTUEpIGdyYW50ZWQgUFJJ
        TUUgZWxpZ2liaWxpdHkuIFRoZSBDb21taXR0ZWUgZm9yIE1lZGljaW5hbCBQcm9kdWN0cyBmb3IgSHVtYW4gVXNlIChDSE1QKSBh
        ZG9wdGVkIGEgcG9zaXRpdmUgb3Bpbmlvbi4gQmlvbG9naWNzIExpY2Vuc2UgQXBwbGljYXRpb24gKEJMQSksIE5ldyBEcnVnIEFw
        cGxpY2F0aW9uIChOREEpLCBJbnZlc3RpZ2F0aW9uYWwgTmV3IERydWcgKElORCkgYXBwbGljYXRpb24sIE1hcmtldGluZyBBdXRo
        b3JpemF0aW9uIEFwcGxpY2F0aW9uIChNQUEpLCBDb21wbGV0ZSBSZXNwb25zZSBMZXR0ZXIgKENSTCksIFByZXNjcmlwdGlvbiBE
        cnVnIFVzZXIgRmVlIEFjdCAoUERVRkEpIHRhcmdldCBhY3Rpb24gZGF0ZSwgYWNjZWxlcmF0ZWQgYXBwcm92YWwuCiB0b2RheSBh
        bm5vdW5jZWQgdGhhdCB0aGUgZmlyc3QgcGF0aWVudCBoYXMgYmVlbiBkb3NlZCBpbiB0aGUgUGhhc2UgMS8yIGNsaW5pY2FsIHRy
        aWFsIGV2YWx1YXRpbmcgCiB0b2RheSBhbm5vdW5jZWQgcG9zaXRpdmUgdG9wbGluZSByZXN1bHRzIGZyb20gdGhlIHBpdm90YWwg
        UGhhc2UgMyB0cmlhbCBvZiAKIHRvZGF5IHJlcG9ydGVkIGZpbmFuY2lhbCByZXN1bHRzIGZvciB0aGUgZm91cnRoIHF1YXJ0ZXIg
        YW5kIGZ1bGwgeWVhciBlbmRlZCBEZWNlbWJlciAzMSwgYW5kIHByb3ZpZGVkIGEgYnVzaW5lc3MgdXBkYXRlLiBDYXNoLCBjYXNo
        IGVxdWl2YWxlbnRzIGFuZCBtYXJrZXRhYmxlIHNlY3VyaXRpZXMgd2VyZSAkIG1pbGxpb24gYXMgb2YgU2VwdGVtYmVyIDMwLCBj
        b21wYXJlZCB0byAkIG1pbGxpb24uIFJlc2VhcmNoIGFuZCBkZXZlbG9wbWVudCBleHBlbnNlcyB3ZXJlICQgbWlsbGlvbiBmb3Ig
        dGhlIHF1YXJ0ZXIsIGNvbXBhcmVkIHRvICQgbWlsbGlvbiBmb3IgdGhlIHNhbWUgcGVyaW9kIGxhc3QgeWVhci4gR2VuZXJhbCBh
        bmQgYWRtaW5pc3RyYXRpdmUgZXhwZW5zZXMgbmV0IGxvc3MgcGVyIHNoYXJlCiBpbiBwYXRpZW50cyB3aXRoIHJlbGFwc2VkIG9y
        IHJlZnJhY3RvcnkgbXVsdGlwbGUgbXllbG9tYSwgbm9uLXNtYWxsIGNlbGwgbHVuZyBjYW5jZXIsIGFjdXRlIG15ZWxvaWQgbGV1
        a2VtaWEsIGRpZmZ1c2UgbGFyZ2UgQi1jZWxsIGx5bXBob21hLCBtZXRhc3RhdGljIGJyZWFzdCBjYW5jZXIsIHNvbGlkIHR1bW9y
        cywgClRoZSBwcmltYXJ5IGVuZHBvaW50IHdhcyBvdmVyYWxsIHJlc3BvbnNlIHJhdGUgKE9SUik7IHNlY29uZGFyeSBlbmRwb2lu
        dHMgaW5jbHVkZSBkdXJhdGlvbiBvZiByZXNwb25zZSAoRE9SKSwgcHJvZ3Jlc3Npb24tZnJlZSBzdXJ2aXZhbCAoUEZTKSwgb3Zl
        cmFsbCBzdXJ2aXZhbCAoT1MpLCBjb21wbGV0ZSByZXNwb25zZSAoQ1IpIGFuZCBzYWZldHkgYW5kIHRvbGVyYWJpbGl0eS4gVGhl
        IHNhZmV0eSBwcm9maWxlIHdhcyBjb25zaXN0ZW50IHdpdGggcHJldmlvdXNseSByZXBvcnRlZCBkYXRhLCB3aXRoIG5vIG5ldyBz
        YWZldHkgc2lnbmFscy4gVHJlYXRtZW50LWVtZXJnZW50IGFkdmVyc2UgZXZlbnRzIChURUFFcyksIGN5dG9raW5lIHJlbGVhc2Ug
        c3luZHJvbWUgKENSUyksIGRvc2UtbGltaXRpbmcgdG94aWNpdGllcywgbWF4aW11bSB0b2xlcmF0ZWQgZG9zZSwgcmVjb21tZW5k
        ZWQgUGhhc2UgMiBkb3NlLgoiV2UgYXJlIHBsZWFzZWQgd2l0aCB0aGUgcHJvZ3Jlc3Mgb2YgdGhlIHByb2dyYW0gYW5kIGxvb2sg
        Zm9yd2FyZCB0byBwcmVzZW50aW5nIGFkZGl0aW9uYWwgZGF0YSBhdCBhbiB1cGNvbWluZyBtZWRpY2FsIG1lZXRpbmcsIiBzYWlk
        ICwgQ2hpZWYgRXhlY3V0aXZlIE9mZmljZXIgb2YgLiAiVGhpcyBtaWxlc3RvbmUgcmVmbGVjdHMgb3VyIGNvbW1pdG1lbnQgdG8g
        cGF0aWVudHMsIiBzYWlkICwgTS5ELiwgUGguRC4sIENoaWVmIE1lZGljYWwgT2ZmaWNlci4KVGhlIGRhdGEgd2lsbCBiZSBwcmVz
        ZW50ZWQgaW4gYW4gb3JhbCBzZXNzaW9uIGF0IHRoZSBBbWVyaWNhbiBTb2NpZXR5IG9mIENsaW5pY2FsIE9uY29sb2d5IChBU0NP
        KSBBbm51YWwgTWVldGluZywgdGhlIEFtZXJpY2FuIFNvY2lldHkgb2YgSGVtYXRvbG9neSAoQVNIKSBBbm51YWwgTWVldGluZywg
        dGhlIEV1cm9wZWFuIEhlbWF0b2xvZ3kgQXNzb2NpYXRpb24gKEVIQSkgQ29uZ3Jlc3MsIAptb25vY2xvbmFsIGFudGlib2R5LCBh
        bnRpYm9keS1kcnVnIGNvbmp1Z2F0ZSAoQURDKSwgYmlzcGVjaWZpYyBULWNlbGwgZW5nYWdlciwgc21hbGwgbW9sZWN1bGUgaW5o
        aWJpdG9yLCBDQVItVCBjZWxsIHRoZXJhcHksIGdlbmUgdGhlcmFweSwgYWxsb2dlbmVpYywgYXV0b2xvZ291cywgCihOQVNEQVE6
        ICkgKE5ZU0U6ICkgQk9TVE9OLCBDQU1CUklER0UsIE1hc3MuLCBTQU4gRElFR08sIFNPVVRIIFNBTiBGUkFOQ0lTQ08sIENhbGlm
        LiwgTkVXIFlPUkssIEphbnVhcnkgRmVicnVhcnkgTWFyY2ggQXByaWwgTWF5IEp1bmUgSnVseSBBdWd1c3QgU2VwdGVtYmVyIE9j
        dG9iZXIgTm92ZW1iZXIgRGVjZW1iZXIgLCAyMDI2IC9QUk5ld3N3aXJlLyAtLSAoQlVTSU5FU1MgV0lSRSktLSAoR0xPQkUgTkVX
        U1dJUkUpIC0t
        """
}
