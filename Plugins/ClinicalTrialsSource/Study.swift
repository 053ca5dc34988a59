import Foundation
import PharosCore

/// One page of `GET /studies` (API v2, JSON): the studies, and the token of the next page
/// when there is one. Only the fields the source reads are declared.
struct StudiesPage: Decodable {
    var studies: [Study]
    var nextPageToken: String?
}

struct Study: Decodable {
    var protocolSection: ProtocolSection?
    var hasResults: Bool?

    struct ProtocolSection: Decodable {
        var identificationModule: Identification?
        var statusModule: Status?
        var sponsorCollaboratorsModule: Sponsors?
        var conditionsModule: Conditions?
        var designModule: Design?
        var armsInterventionsModule: Arms?
        var descriptionModule: Description?
    }

    struct Identification: Decodable {
        var nctId: String?
        var briefTitle: String?
        var officialTitle: String?
    }

    struct DateStruct: Decodable {
        var date: String?
    }

    struct Status: Decodable {
        var overallStatus: String?
        var whyStopped: String?
        var lastUpdatePostDateStruct: DateStruct?
        var studyFirstPostDateStruct: DateStruct?
        var resultsFirstPostDateStruct: DateStruct?
    }

    struct Sponsors: Decodable {
        struct Party: Decodable {
            var name: String?
        }
        var leadSponsor: Party?
        var collaborators: [Party]?
    }

    struct Conditions: Decodable {
        var conditions: [String]?
    }

    struct Design: Decodable {
        var phases: [String]?
    }

    struct Arms: Decodable {
        struct Intervention: Decodable {
            var type: String?
            var name: String?
        }
        var interventions: [Intervention]?
    }

    struct Description: Decodable {
        var briefSummary: String?
    }
}

/// A study as the source reads it, and the item it becomes.
///
/// The item's id is the NCT number with the overall status (and `/results` once results are
/// posted), so a change of status or posted results is a new item (and alerts again for a
/// rule that matched the study before), while other edits are new versions of the same item.
/// The version, `LAST-UPDATE|STATUS|RESULTS`, lets the next change say what the status was.
struct StudyRecord {
    /// The API's field names the source asks for (`fields=`).
    static let fields = [
        "NCTId", "BriefTitle", "OfficialTitle", "OverallStatus", "WhyStopped", "LastUpdatePostDate", "StudyFirstPostDate",
        "ResultsFirstPostDate", "LeadSponsorName", "CollaboratorName", "Condition", "Phase", "InterventionName", "InterventionType",
        "BriefSummary", "HasResults",
    ]

    /// Every overall status the API documents; what an earlier version of a study's id could hold.
    static let statuses = [
        "NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "SUSPENDED", "TERMINATED",
        "COMPLETED", "WITHDRAWN", "UNKNOWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING", "WITHHELD",
    ]

    var nctID: String
    var title: String
    var status: String
    var whyStopped: String?
    var lastUpdate: String
    var firstPosted: String?
    var resultsPosted: Bool
    var sponsor: String?
    var collaborators: [String]
    var conditions: [String]
    var phases: [String]
    var interventions: [String]
    var summary: String?

    /// nil for a study without an NCT number or last update date, which cannot be tracked.
    init?(_ study: Study) {
        let section = study.protocolSection
        guard let id = section?.identificationModule?.nctId, !id.isEmpty,
              let lastUpdate = section?.statusModule?.lastUpdatePostDateStruct?.date, !lastUpdate.isEmpty else { return nil }
        nctID = id
        title = section?.identificationModule?.briefTitle ?? section?.identificationModule?.officialTitle ?? id
        status = section?.statusModule?.overallStatus ?? "UNKNOWN"
        whyStopped = section?.statusModule?.whyStopped
        self.lastUpdate = lastUpdate
        firstPosted = section?.statusModule?.studyFirstPostDateStruct?.date
        resultsPosted = study.hasResults ?? (section?.statusModule?.resultsFirstPostDateStruct?.date != nil)
        sponsor = section?.sponsorCollaboratorsModule?.leadSponsor?.name
        collaborators = section?.sponsorCollaboratorsModule?.collaborators?.compactMap(\.name) ?? []
        conditions = section?.conditionsModule?.conditions ?? []
        phases = section?.designModule?.phases ?? []
        interventions = section?.armsInterventionsModule?.interventions?.compactMap { intervention in
            guard let name = intervention.name else { return nil }
            return intervention.type.map { "\(name) (\(Self.words($0)))" } ?? name
        } ?? []
        summary = section?.descriptionModule?.briefSummary
    }

    var id: String { Self.id(nctID, status: status, results: resultsPosted) }

    static func id(_ nctID: String, status: String, results: Bool) -> String {
        "\(nctID)/\(status)" + (results ? "/results" : "")
    }

    var version: String { "\(lastUpdate)|\(status)|\(resultsPosted ? 1 : 0)" }

    /// The ids an earlier version of this study may have been recorded under.
    var candidateIDs: [String] {
        Self.statuses.union(status).flatMap { [Self.id(nctID, status: $0, results: false), Self.id(nctID, status: $0, results: true)] }
    }

    /// What was recorded last for this study under another id: its status and whether results were posted.
    func previous(in known: [String: String]) -> (status: String, results: Bool)? {
        let earlier = candidateIDs.filter { $0 != id }.compactMap { known[$0] }.compactMap { version -> (String, String, Bool)? in
            let parts = version.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return nil }
            return (parts[0], parts[1], parts[2] == "1")
        }
        guard let latest = earlier.max(by: { $0.0 < $1.0 }) else { return nil }
        return (latest.1, latest.2)
    }

    /// `NOT_YET_RECRUITING` as `not yet recruiting`.
    static func words(_ code: String) -> String { code.lowercased().replacingOccurrences(of: "_", with: " ") }

    /// What changed, in words rules can match: "status changed from recruiting to terminated".
    func change(known: [String: String]) -> String {
        let now = Self.words(status)
        if known[id] != nil { return "Study record updated on \(lastUpdate); status \(now)." }
        guard let previous = previous(in: known) else {
            if let firstPosted, firstPosted == lastUpdate { return "New study registered on \(firstPosted); status \(now)." }
            return "Study first seen, updated on \(lastUpdate); status \(now)."
        }
        var parts: [String] = []
        if previous.status != status {
            parts.append("Status changed from \(Self.words(previous.status)) to \(now) (\(previous.status) to \(status))")
        }
        if resultsPosted && !previous.results { parts.append("Results posted") }
        return parts.joined(separator: "; ") + " on \(lastUpdate)."
    }

    func item(known: [String: String]) -> Item {
        let change = change(known: known)
        var lines = [change]
        if let whyStopped, !whyStopped.isEmpty { lines.append("Why stopped: \(whyStopped).") }
        if let sponsor { lines.append("Sponsor: \(sponsor).") }
        if !collaborators.isEmpty { lines.append("Collaborators: \(collaborators.joined(separator: ", ")).") }
        if !phases.isEmpty { lines.append("Phase: \(phases.map(Self.words).joined(separator: ", ")).") }
        if !conditions.isEmpty { lines.append("Conditions: \(conditions.joined(separator: ", ")).") }
        if !interventions.isEmpty { lines.append("Interventions: \(interventions.joined(separator: ", ")).") }
        if let summary, !summary.isEmpty { lines.append(summary) }
        var fields = ["nct_id": nctID, "overall_status": status, "last_update_posted": lastUpdate]
        if let sponsor { fields["sponsor"] = sponsor }
        if let previous = previous(in: known), known[id] == nil { fields["previous_status"] = previous.status }
        return Item(
            id: id, version: version, title: "\(title) (\(nctID))", link: "https://clinicaltrials.gov/study/\(nctID)",
            published: ISO8601.date(from: lastUpdate), summary: change, content: lines.joined(separator: "\n\n"),
            authors: sponsor.map { [$0] } ?? [], categories: conditions + phases, fields: fields)
    }
}

extension Array where Element == String {
    fileprivate func union(_ element: String) -> [String] { contains(element) ? self : self + [element] }
}
