import Foundation
import PharosCore

/// An entry of company_tickers.json: `{"0":{"cik_str":320193,"ticker":"AAPL","title":"Apple Inc."},…}`.
struct TickerEntry: Decodable {
    var cik_str: Int
    var ticker: String
    var title: String?
}

/// `submissions/CIK##########.json`: the company and its recent filings, which EDGAR gives as
/// parallel arrays (the n-th accession number goes with the n-th form, date, items, ...).
struct Submissions: Decodable {
    var cik: String?
    var name: String?
    var tickers: [String]?
    var exchanges: [String]?
    var filings: Filings

    struct Filings: Decodable {
        var recent: Recent
    }

    struct Recent: Decodable {
        var accessionNumber: [String]
        var filingDate: [String]
        var acceptanceDateTime: [String]?
        var reportDate: [String]?
        var form: [String]
        var items: [String]?
        var primaryDocument: [String]
        var primaryDocDescription: [String]?
    }

    struct Ragged: Error, CustomStringConvertible {
        var description: String
    }

    /// The recent filings, newest first as EDGAR lists them; throws when the arrays disagree
    /// in length (a damaged or cut answer).
    func recentFilings() throws(Ragged) -> [Filing] {
        let recent = filings.recent
        let count = recent.accessionNumber.count
        let lengths = [("filingDate", recent.filingDate.count), ("form", recent.form.count), ("primaryDocument", recent.primaryDocument.count),
                       ("items", recent.items?.count ?? count), ("acceptanceDateTime", recent.acceptanceDateTime?.count ?? count)]
        if let (name, length) = lengths.first(where: { $0.1 != count }) {
            throw Ragged(description: "filings.recent has \(count) accession numbers but \(length) \(name) values")
        }
        return (0..<count).map { index in
            Filing(
                accessionNumber: recent.accessionNumber[index], form: recent.form[index], filingDate: recent.filingDate[index],
                acceptance: recent.acceptanceDateTime?[index], items: recent.items?[index] ?? "",
                primaryDocument: recent.primaryDocument[index], description: recent.primaryDocDescription?[safe: index])
        }
    }
}

/// One filing, and the item it becomes.
struct Filing {
    var accessionNumber: String
    var form: String
    var filingDate: String
    var acceptance: String?
    /// An 8-K's item numbers, `1.01,9.01`.
    var items: String
    var primaryDocument: String
    var description: String?

    var itemNumbers: [String] { items.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func documentURL(cik: String, archives: String) -> String {
        let folder = accessionNumber.replacingOccurrences(of: "-", with: "")
        return "\(archives)/Archives/edgar/data/\(Int(cik) ?? 0)/\(folder)/\(primaryDocument)"
    }

    func item(company: Submissions, cik: String, documentText: String?, archives: String) -> Item {
        let name = company.name ?? "CIK \(cik)"
        let listing = zip(company.exchanges ?? [], company.tickers ?? []).map { "\($0): \($1)" }
        let described = itemNumbers.map { number in "Item \(number)" + (Self.itemTitles[number].map { " \($0)" } ?? "") }
        var title = "\(name) \(form)"
        if !described.isEmpty { title += ": " + described.joined(separator: "; ") }
        var summary = "Form \(form) filed \(filingDate) by \(name) (CIK \(Int(cik) ?? 0)"
        summary += listing.isEmpty ? ")." : ", \(listing.joined(separator: ", ")))."
        if !itemNumbers.isEmpty { summary += " Items \(itemNumbers.joined(separator: ", "))." }
        var content = [summary] + described.map { $0 + "." }
        if let documentText, !documentText.isEmpty { content.append(documentText) }
        var fields = ["cik": String(Int(cik) ?? 0), "form": form, "accession_number": accessionNumber, "filing_date": filingDate]
        if !itemNumbers.isEmpty { fields["items"] = itemNumbers.joined(separator: ",") }
        if let ticker = company.tickers?.first { fields["ticker"] = ticker }
        return Item(
            id: accessionNumber, version: accessionNumber, title: title,
            link: documentURL(cik: cik, archives: archives),
            published: acceptance.flatMap(ISO8601.date(from:)) ?? ISO8601.date(from: filingDate), summary: summary,
            content: content.joined(separator: "\n\n"), authors: [name], categories: [form] + itemNumbers.map { "Item \($0)" },
            fields: fields)
    }

    /// Form 8-K's items (SEC's Form 8-K general instructions), by number.
    static let itemTitles: [String: String] = [
        "1.01": "Entry into a Material Definitive Agreement",
        "1.02": "Termination of a Material Definitive Agreement",
        "1.03": "Bankruptcy or Receivership",
        "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
        "1.05": "Material Cybersecurity Incidents",
        "2.01": "Completion of Acquisition or Disposition of Assets",
        "2.02": "Results of Operations and Financial Condition",
        "2.03": "Creation of a Direct Financial Obligation or an Obligation under an Off-Balance Sheet Arrangement",
        "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation",
        "2.05": "Costs Associated with Exit or Disposal Activities",
        "2.06": "Material Impairments",
        "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or Standard; Transfer of Listing",
        "3.02": "Unregistered Sales of Equity Securities",
        "3.03": "Material Modification to Rights of Security Holders",
        "4.01": "Changes in Registrant's Certifying Accountant",
        "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report",
        "5.01": "Changes in Control of Registrant",
        "5.02": "Departure of Directors or Certain Officers; Election of Directors; Appointment of Certain Officers",
        "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
        "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
        "5.05": "Amendments to the Registrant's Code of Ethics, or Waiver of a Provision of the Code of Ethics",
        "5.06": "Change in Shell Company Status",
        "5.07": "Submission of Matters to a Vote of Security Holders",
        "5.08": "Shareholder Director Nominations",
        "7.01": "Regulation FD Disclosure",
        "8.01": "Other Events",
        "9.01": "Financial Statements and Exhibits",
    ]
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
