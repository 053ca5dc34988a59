/// The words that tell how a text reports a regulatory event, in the ConText tradition: each
/// cue has a class (what it says about an event) and a direction (which events it reaches:
/// those after it in the sentence, those before it, or any in the sentence), and reaches no
/// further than a terminator (";", "but", an announcement verb). Every cue is a whole-word
/// phrase, matched like rule terms (case folded unless written in capitals).
enum EventCues {
    enum Class: UInt8, Sendable {
        /// The event is this item's news ("today", "announced").
        case announce
        /// A prior or other event ("previously", "adds to").
        case background
        /// Another event told beside the news ("has also received"): background outside the
        /// title and lead, where "also" joins the news's own events.
        case alsoBackground
        /// Not happened yet ("plans to", "may be eligible", "PDUFA").
        case prospective
        /// What a designation is ("is intended to", "expedite").
        case definition
        /// The event did not happen ("not been approved", "denied").
        case negation
        /// Ends every cue's reach (";", "but", "while").
        case terminator
        /// Before a target, makes it the patients' history, not the product's target ("prior", "previously treated with").
        case priorTherapy
        /// After a target, makes it a patient descriptor ("-negative") or a part of a CAR construct ("CD3-zeta").
        case descriptor
        /// With a clinical hold: the hold was lifted.
        case lift
        /// Just before a phrase, names that programme only to explain another ("the Japan
        /// equivalent of the US FDA's Breakthrough Therapy status").
        case comparison
        /// Between a phrase and a product after it: the product is not what was acted on (a
        /// combination partner, a product the act spares).
        case outsideAct
    }

    enum Direction: UInt8, Sendable { case forward, backward, sentence }

    struct Cue: Sendable {
        var phrase: String
        var cueClass: Class
        var direction: Direction
    }

    static let all: [Cue] = {
        var cues: [Cue] = []
        func add(_ cueClass: Class, _ direction: Direction, _ phrases: [String]) {
            cues += phrases.map { Cue(phrase: $0, cueClass: cueClass, direction: direction) }
        }
        add(.announce, .sentence, [
            "today", "announced", "announces", "announce", "is pleased to", "are pleased to", "is proud to", "this week",
            "yesterday", "has just", "just got", "just received", "just won", "just secured", "just landed", "just earned",
            "just been granted", "just been awarded", "just gained",
            // News says which day of this week: "AstraZeneca said on Monday that its Imfinzi had been approved".
            "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
        ])
        add(.background, .forward, [
            "previously", "had previously", "has previously", "adds to", "add to", "adding to", "builds on", "building on", "earlier",
            "prior", "formerly", "already", "had received", "had been granted", "had granted", "has been previously",
            "was previously", "were previously", "historically", "since", "follows the", "following the",
            "other designations", "in the past", "following closely", "on the heels", "heels of", "last week's", "last month's",
            "last year's", "earlier this year", "earlier this month", "last year", "last month", "was first", "were first", "first approved", "initially",
            "originally", "was granted in", "had also", "follows a similar", "following a similar", "follows an earlier",
            "following an earlier", "granted under", "was granted under", "were granted under",
            // A product developed or tested "under" a designation already holds it.
            "testing under", "tested under", "developed under", "development under", "studied under", "being studied under",
            "this follows", "which follows", "follows approval", "following approval", "follows approvals", "follows its approval",
            "to date",
            // A relative clause tells what the product holds beside the sentence's own news:
            // "The firm wants to market the ADC, which has been granted Sakigake".
            "which has been granted", "which has received", "which has been awarded", "which have been granted",
            "which have received", "that has been granted", "that have been granted", "which already holds",
            "which was just", "which was recently", "which was approved", "which were approved", "which was granted",
            "which were granted", "that was approved", "that was granted",
            // "TAGRISSO, which the FDA approved on Friday": the agency's act told of another product.
            "which the",
            // An act told as the time of the news: "mere weeks after the FDA granted it Breakthrough Therapy designation".
            "days after", "weeks after", "months after", "years after", "a year after", "shortly after", "soon after",
            "days since", "weeks since", "months since", "years since",
        ])
        add(.background, .backward, [
            "previously", "earlier", "last year", "to date", "in the past", "issued in", "granted in", "received in", "awarded in",
            "obtained in", "since", "follows a similar", "follows an earlier", "following a similar", "last month", "last week",
        ])
        add(.alsoBackground, .forward, [
            "also received", "also receives", "also granted", "also been granted", "also holds", "also has", "also have",
            "also obtained", "also awarded", "also been awarded", "in addition to", "additional designations", "additionally",
        ])
        add(.alsoBackground, .backward, ["as well", "also"])
        add(.alsoBackground, .forward, ["also"])
        add(.prospective, .forward, [
            "plans to", "plan to", "planned", "planning to", "intends to", "intend to", "intention to", "will seek", "to seek",
            "seeking", "seek", "may be eligible", "may be", "eligible for", "potential for", "potential to", "potential approval",
            "potentially eligible", "potentially qualify", "potential future", "potential regulatory", "potential marketing",
            "potential submission", "potential filing", "potential accelerated", "on track to", "expects to",
            "expect to", "expected to", "expected", "expects", "expecting", "anticipates", "anticipate", "anticipated", "submitted a request", "request for",
            "requested", "requesting", "to request", "will request", "apply for", "applying for", "will apply", "could", "would",
            "if approved", "PDUFA", "target action date", "action date", "hopes to", "hope to", "aims to", "aim to", "poised to",
            "will submit", "to submit", "submission of", "submit", "upcoming", "future", "pursue", "pursuing", "to support",
            "support a", "supporting a", "toward", "towards", "path to", "pathway to", "goal of", "may", "might", "candidate for",
            "under review", "will", "should", "possible", "possibility", "prepare", "preparing", "ahead of", "in anticipation",
            "qualify for", "to receive", "to obtain", "to achieve", "opportunity", "pending", "await", "awaiting", "to file",
            "file for", "filing for", "designed to support", "enable", "enabling", "to enable", "intended to support", "upon",
            "intended for", "is intended for", "looking for", "looks to", "seeks", "in hopes", "once", "when approved",
            "considered for", "being considered", "under consideration", "submitted for", "filed for", "for potential",
            "for possible", "in line for", "recommended for", "recommending", "postpone", "postpones", "postponed", "delay",
            "delays", "delayed", "quest to", "bid for", "bid to", "race to", "hoping", "hopes for", "submits request",
            "submitted request", "submits a request", "request to", "requests", "applied for", "applies for", "lane to",
            "road to", "route to", "way to", "journey to", "to complete", "additional time", "extension of", "extends", "extended",
            "to be approved", "to be granted", "to be cleared", "to be authorised", "to be authorized",
            "looking to", "look to", "seeking to", "hoping to", "want to", "wants to", "wanting to",
            "to be designated", "aim of", "even if", "if the FDA", "if FDA", "if the EMA", "if granted", "if we", "should the FDA",
            "if the CHMP", "if the Commission", "if the European Commission", "if the agency", "if the committee", "if the regulator",
            "with the aim", "objective of", "in order to", "with a view to", "filing of", "filed an application", "application seeking", "submitted an application", "submitted applications",
            "submitted its application",
            // Scheduled, not done: "40 Orphan, Cancer Drugs Set For Priority Review In China".
            "set to", "set for", "slated for", "slated to", "scheduled for", "scheduled to",
        ])
        add(.prospective, .backward, [
            "expected", "anticipated", "is pending", "pending", "looms", "is due", "due by", "could come", "would come",
            "delayed", "postponed", "pushed back", "remains under review", "under review", "is sought", "being sought",
            "will become effective", "would become effective", "will take effect", "becomes effective if",
            // A designation's own application is its request: "filing of FDA fast-track application".
            "application", "applications",
        ])
        add(.prospective, .forward, [
            "whether to", "on whether", "decide whether", "deciding whether", "closer to", "step closer", "steps closer",
        ])
        add(.definition, .sentence, [
            "is intended to", "are intended to", "is designed to", "are designed to", "intended to expedite", "designed to expedite",
            "expedite", "expedites", "facilitate", "facilitates", "speed the development", "speed up the development",
            "is granted to", "are granted to", "is given to", "are given to", "can be granted", "may be granted", "is awarded to",
            "benefits of", "benefits include", "provides the", "provides benefits", "offers the", "offers benefits",
            "program is", "programme is", "designation is a", "designations are", "status is a", "established by",
            "created by", "was created", "was established", "enacted", "qualify for", "qualifies for",
            "is a process", "is a program", "is a programme", "is a regulatory", "aims to accelerate", "aims to speed",
            "fewer than 200,000", "affecting fewer than", "affects fewer than", "serious or life-threatening",
            "preliminary clinical evidence", "eligible for", "introduces", "introduced", "launches", "launched", "unveils",
            "unveiled", "new designation", "new pathway", "new program", "new programme", "guidance",
            // A programme's launch or relaunch: "announced two initiatives: Project Orbis and RTOR".
            // Programmes listed as kinds: "programmes such as Breakthrough Therapy and Accelerated Approval".
            "programmes such as", "programs such as", "pathways such as", "pathways, such as", "schemes such as",
            "designations such as", "incentives such as", "initiatives", "pilot program", "pilot programme", "re-launch", "relaunch", "re-launched",
            "relaunched", "relaunches", "re-launches",
            "are awarded by the", "are granted by the", "are given by the", "are awarded to",
            // Habits, not acts: "A patient death usually prompts the FDA to impose a clinical hold."
            "usually", "typically", "generally", "normally", "routinely", "tend to", "tends to", "are common", "is common",
            "are rare", "is rare", "not uncommon",
            // Risk factors: "Fast track designation by the FDA may not actually lead to a faster development".
            "may not actually", "does not guarantee", "do not guarantee", "no assurance", "not necessarily", "does not ensure",
            "do not ensure", "does not mean", "does not increase the likelihood",
            // Terms defined, and acts given to kinds of products: "The term 'orphan drugs' refers to ...",
            // "grants orphan status to drugs and biologic products which treat ... rare diseases".
            "refers to", "defined as", "the term", "incentives", "to drugs", "to products", "to medicines", "to therapies",
            "to biologics", "to new drugs", "to new medicines", "to new therapies", "to drug candidates",
            // What holders of a designation get: "Drug candidates with breakthrough therapy designation may then be considered ...".
            "drug candidates with",
            // What a kind of act means: "When a pharmaceutical company receives a FDA Complete Response Letter it means ...".
            "it means", "means that", "when a company", "when a pharmaceutical company", "when a sponsor", "when an applicant",
            "when a drug", "when a product", "to indicate that",
            // What a designation gives: "The RMAT designation allows for enhanced interactions with the FDA".
            "allows for", "allow for", "provides for", "provide for",
        ])
        add(.negation, .forward, [
            "not", "no", "never", "denied", "declined", "rescinded", "has not", "have not", "not yet", "without", "neither", "nor",
            "is not approved", "are not approved", "not been approved", "not approved", "withdraw", "withdrawn", "withdrawal",
            "withdrew", "withdraws", "rescind", "revoke", "revoked", "revokes", "cannot", "can not", "could not", "unable to",
        ])
        // "RMAT Designations Withdrawn after Granting or Rescinded by Fiscal Year"
        add(.negation, .backward, ["withdrawn", "rescinded", "revoked"])
        add(.terminator, .sentence, [";", "but", "while", "whereas", "however", "although", "which", "who"])
        add(.priorTherapy, .forward, [
            "prior", "previously treated", "previous", "after", "following", "refractory to", "exposed", "failed", "progressed on",
            "progressed after", "relapsed after", "received at least", "including a", "including an", "pretreated", "pre-treated",
            "treated with", "lines of therapy", "line of therapy", "resistant to", "intolerant to", "ineligible for",
        ])
        add(.descriptor, .backward, [
            "negative", "-negative", "wild-type", "wild type", "naive", "naïve", "nonexpressing", "non-expressing",
            // A biomarker measured in the patients: "NSCLC with PD-L1 expression ≥50%", "on the PD-L1 biomarker test".
            "expression", "biomarker", "stained", "staining", "score", "test", "testing", "assay", "status", "IHC",
            // Parts of a CAR construct, not what it is aimed at: "4-1BB costimulatory and CD3-zeta domain".
            "zeta", "costimulatory", "co-stimulatory", "signaling domain", "signalling domain", "hinge", "transmembrane",
        ])
        add(.comparison, .forward, [
            "equivalent of", "equivalent to", "counterpart of", "counterpart to", "similar to", "akin to", "variation of",
            "version of the", "modelled on", "modeled on", "modelled after", "modeled after", "analogous to", "comparable to",
        ])
        add(.outsideAct, .forward, [
            "combination with", "combined with", "combination effort with", "combination trial with", "combination study with",
            "not affect", "not impact", "not apply", "not include", "not involve", "unaffected",
            // The patients' earlier treatment: "for ... patients who have received Trastuzumab and taxane therapy".
            "who have received", "who had received", "who have been treated", "who had been treated", "after failure of",
            "who failed", "who progressed",
        ])
        add(.lift, .sentence, ["lift", "lifted", "lifts", "lifting", "removed", "removal", "remove", "removes", "released", "resolved"])
        return cues
    }()

    /// Each cue's class, direction and reach, apart from its phrase: read per hit without
    /// copying (and reference counting) the phrase.
    static let classes: [Class] = all.map(\.cueClass)
    static let directions: [Direction] = all.map(\.direction)
    /// How far a cue reaches, in bytes.
    static let windows: [Int] = all.map { cue in
        switch cue.cueClass {
        case .negation: return cue.phrase.hasPrefix("with") || cue.phrase.hasPrefix("re") ? 40 : 25
        case .prospective:
            if cue.direction == .backward, cue.phrase.hasPrefix("application") { return 3 }
            return cue.direction == .forward && weakProspective.contains(cue.phrase) ? 30 : 90
        // A relative clause's history reaches the words of its own clause only: "Disitamab vedotin, which was
        // just approved to market has been officially included in the breakthrough treatment category".
        case .background: return cue.phrase.hasPrefix("which ") || cue.phrase.hasPrefix("that ") ? 30 : cue.direction == .forward ? 90 : 60
        case .alsoBackground: return cue.phrase == "also" && cue.direction == .forward ? 20 : 60
        case .priorTherapy: return 40
        case .descriptor: return 3
        case .comparison: return 40
        default: return Int.max
        }
    }

    /// Background cues that, opening a sentence, date the whole of it ("Earlier this month, ...").
    static let sentenceTimes: [Bool] = all.map { cue in
        cue.cueClass == .background && cue.direction == .forward && [
            "earlier this year", "earlier this month", "last week's", "last month's", "last year's", "previously", "earlier",
            "in the past", "historically", "originally", "initially", "to date",
        ].contains(cue.phrase)
    }

    /// Prospective cues that reach only a few words: modal verbs and vague futures.
    static let weakProspective: Set<String> = [
        "will", "would", "could", "may", "might", "should", "expected", "future", "upcoming", "opportunity", "possible",
        "possibility", "once", "upon", "enable", "enabling", "to enable", "seek", "submit", "planned", "expects", "expecting",
    ]

    /// Agencies and how texts name them; the value is the agency designation entries carry.
    static let agencies: [(phrase: String, agency: String)] = [
        ("FDA", "FDA"), ("U.S. Food and Drug Administration", "FDA"), ("US Food and Drug Administration", "FDA"),
        ("Food and Drug Administration", "FDA"), ("CBER", "FDA"), ("CDER", "FDA"),
        ("Center for Drug Evaluation and Research", "FDA"), ("Center for Biologics Evaluation and Research", "FDA"),
        ("Oncology Center of Excellence", "FDA"), ("in the U.S.", "FDA"), ("in the United States", "FDA"), ("in the US", "FDA"), ("in the USA", "FDA"),
        // How the Indian and agency press name it: "USFDA", Reuters' "the U.S. health regulator".
        ("USFDA", "FDA"), ("U.S. health regulator", "FDA"), ("US health regulator", "FDA"), ("U.S. drug regulator", "FDA"),
        ("US drug regulator", "FDA"), ("U.S. regulators", "FDA"), ("US regulators", "FDA"), ("U.S. regulator", "FDA"),
        ("US regulator", "FDA"),
        // A PDUFA date is the FDA's deadline: naming it names the agency.
        ("PDUFA", "FDA"), ("Prescription Drug User Fee Act", "FDA"),
        // England's reimbursement body recommends too: its recommendations are no CHMP opinions.
        ("NICE", "NICE"), ("National Institute for Health and Care Excellence", "NICE"), ("Cancer Drugs Fund", "NICE"),
        ("EMA", "EMA"), ("EMEA", "EMA"), ("European Medicines Agency", "EMA"), ("European Commission", "EMA"), ("CHMP", "EMA"),
        ("Committee for Medicinal Products for Human Use", "EMA"), ("the Committee", "EMA"), ("COMP", "EMA"), ("Committee for Orphan Medicinal Products", "EMA"),
        ("in the EU", "EMA"), ("in the European Union", "EMA"), ("in Europe", "EMA"), ("European Union", "EMA"), ("EU", "EMA"),
        ("European drug regulators", "EMA"), ("European regulators", "EMA"), ("European health regulators", "EMA"),
        ("MHRA", "MHRA"), ("Medicines and Healthcare products Regulatory Agency", "MHRA"), ("in the UK", "MHRA"),
        ("in the United Kingdom", "MHRA"), ("in the U.K.", "MHRA"), ("U.K. regulators", "MHRA"), ("UK regulators", "MHRA"),
        ("U.K. regulator", "MHRA"), ("UK regulator", "MHRA"), ("British regulators", "MHRA"), ("British regulator", "MHRA"),
        ("in Britain", "MHRA"), ("Britain", "MHRA"), ("United Kingdom", "MHRA"), ("UK medicine regulators", "MHRA"),
        ("UK medicines regulator", "MHRA"),
        ("US approval", "FDA"), ("U.S. approval", "FDA"), ("US market approval", "FDA"), ("US regulatory approval", "FDA"),
        ("PMDA", "PMDA"), ("MHLW", "PMDA"), ("Pharmaceuticals and Medical Devices Agency", "PMDA"),
        ("Ministry of Health, Labour and Welfare", "PMDA"), ("in Japan", "PMDA"), ("Japanese", "PMDA"), ("Japan", "PMDA"),
        ("NMPA", "NMPA"), ("CDE", "NMPA"), ("National Medical Products Administration", "NMPA"),
        ("Center for Drug Evaluation of", "NMPA"), ("China's Center for Drug Evaluation", "NMPA"), ("in China", "NMPA"),
        ("China", "NMPA"), ("Chinese", "NMPA"), ("CFDA", "NMPA"), ("China Food and Drug Administration", "NMPA"),
        // China's regulator before 2013: the FDA's name inside it is not the FDA.
        ("State Food and Drug Administration", "NMPA"), ("Chinese Food and Drug Administration", "NMPA"),
        ("Health Canada", "Health Canada"), ("in Canada", "Health Canada"), ("Canadian regulators", "Health Canada"),
        ("Canadian regulator", "Health Canada"),
        // Agencies with no programme in the vocabulary: their events are not the FDA's.
        ("MFDS", "MFDS"), ("Ministry of Food and Drug Safety", "MFDS"), ("Korean FDA", "MFDS"), ("in Korea", "MFDS"),
        ("Korea Food and Drug Administration", "MFDS"), ("KFDA", "MFDS"), ("Thai Food and Drug Administration", "Thai FDA"),
        ("Thai FDA", "Thai FDA"), ("Philippine Food and Drug Administration", "Philippine FDA"),
        ("Taiwan Food and Drug Administration", "TFDA"),
        ("TGA", "TGA"), ("Therapeutic Goods Administration", "TGA"), ("in Australia", "TGA"), ("Swissmedic", "Swissmedic"),
        ("in Switzerland", "Swissmedic"), ("ANVISA", "ANVISA"), ("in Brazil", "ANVISA"), ("CDSCO", "CDSCO"), ("in India", "CDSCO"),
        ("Israel's Ministry of Health", "Israel MOH"), ("in Israel", "Israel MOH"), ("in Taiwan", "TFDA"), ("TFDA", "TFDA"),
        ("ISAF", "ISAF"), ("Pharmaceutical Administration Bureau", "ISAF"), ("Macao", "ISAF"), ("Macau", "ISAF"),
        ("Health Sciences Authority", "HSA"), ("in Singapore", "HSA"), ("in Hong Kong", "Hong Kong DH"), ("Medsafe", "Medsafe"),
        ("in New Zealand", "Medsafe"), ("SAHPRA", "SAHPRA"), ("in South Africa", "SAHPRA"), ("Saudi Food and Drug Authority", "SFDA"),
        ("in Saudi Arabia", "SFDA"), ("COFEPRIS", "COFEPRIS"), ("in Mexico", "COFEPRIS"), ("ANMAT", "ANMAT"), ("in Argentina", "ANMAT"),
        ("DCGI", "CDSCO"), ("Drugs Controller General of India", "CDSCO"), ("Drug Controller General of India", "CDSCO"),
        ("Roszdravnadzor", "Roszdravnadzor"), ("in Russia", "Roszdravnadzor"),
    ]

    /// Headings that open a section whose events are background: a line that starts with one.
    static let backgroundHeadings: [String] = [
        "about", "forward-looking statements", "forward looking statements", "cautionary", "safe harbor", "disclaimer",
        "important safety information", "indications and usage", "indication", "indications", "contacts", "contact",
        "media contact", "media contacts", "investor contact", "investor contacts", "investors", "media", "references",
        "reference", "boxed warning", "warning", "full prescribing information", "related",
        "read more", "see also",
    ]
}
