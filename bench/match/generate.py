#!/usr/bin/env python3
"""Deterministic corpus and term-set generator for the matcher benchmark.

    python3 bench/match/generate.py [WORKDIR] [--documents N] [--megabytes M] [--force]

Writes into WORKDIR (default /tmp/pharos-bench):

    corpus/NNN/doc-NNNNN.txt   press-release-like documents: first line the headline,
                               paragraphs separated by blank lines
    terms-10.txt               one term per line (nested: the 10 are the first of the
    terms-1000.txt             1,000, which are the first of the 10,000)
    terms-10000.txt
    manifest.json              seed, vocabulary fingerprint, sizes

Python standard library only; everything comes from random.Random(SEED), so the same
vocabulary gives byte-identical files. When manifest.json already describes a corpus made
with the same seed, generator version, vocabulary and size, nothing is written again.
"""

import argparse
import glob
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import unicodedata

SEED = 20261123
VERSION = 2
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VOCAB_YAML = os.path.join(REPO, "Sources", "PharosMatching", "Vocabulary")
SHARED_VOCAB = os.path.normpath(os.path.join(REPO, "..", "shared", "vocab"))

# --------------------------------------------------------------------------------------
# Vocabulary


def _yaml_scalars(value):
    """The strings of a YAML scalar or flow list written on one line (tolerant, no PyYAML):
    quotes honoured, a trailing # comment ignored."""
    value = value.strip()
    if not value or value[0] in "|>#":
        return []
    items, current, quote, index = [], "", None, 0
    in_list = value[0] == "["
    if in_list:
        index = 1
    while index < len(value):
        char = value[index]
        if quote:
            if char == quote and quote == "'" and value[index + 1:index + 2] == "'":
                current += "'"
                index += 1
            elif char == quote:
                quote = None
            elif char == "\\" and quote == '"':
                index += 1
                current += value[index:index + 1]
            else:
                current += char
        elif char in "\"'" and not current.strip():
            quote, current = char, ""
        elif in_list and char in ",]":
            items.append(current.strip())
            current = ""
            if char == "]":
                break
        elif char == "#" and (index == 0 or value[index - 1] in " \t"):
            break
        else:
            current += char
        index += 1
    if not in_list:
        items.append(current.strip())
    return [item for item in items if item]


def vocabulary_from_yaml():
    """Names from the project's own vocabulary files, when they list anything.

    Returns {"targets": [[label, phrases...]], "designations": [...], "companies": [...]}:
    one list of spellings per entity, the label first."""
    out = {"targets": [], "designations": [], "companies": []}
    found = False
    for kind in out:
        path = os.path.join(VOCAB_YAML, kind + ".yaml")
        if not os.path.exists(path):
            continue
        entity = None
        in_list = None
        with open(path, encoding="utf-8") as handle:
            for raw in handle:
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                stripped = line.lstrip()
                indent = len(line) - len(stripped)
                if stripped.startswith("- ") and indent == 0:
                    entity = []
                    out[kind].append(entity)
                    in_list = None
                    stripped = stripped[2:]
                    indent = 2
                if entity is None:
                    continue
                match = re.match(r"([A-Za-z_]+):\s*(.*)$", stripped)
                if match:
                    key, value = match.group(1), match.group(2)
                    in_list = None
                    if key == "label" or (key == "name" and kind == "companies"):
                        entity[:0] = _yaml_scalars(value)[:1]
                    elif key in ("phrases", "aliases", "match", "spellings", "names"):
                        if value.strip():
                            entity.extend(_yaml_scalars(value))
                        else:
                            in_list = indent
                elif in_list is not None and stripped.startswith("- "):
                    entity.extend(_yaml_scalars(stripped[2:]))
        out[kind] = [list(dict.fromkeys(e)) for e in out[kind] if e]
        found = found or bool(out[kind])
    return out if found else None


def vocabulary_from_shared():
    out = {"targets": [], "designations": [], "companies": []}
    with open(os.path.join(SHARED_VOCAB, "targets_aliases.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                entry = json.loads(line)
                out["targets"].append([entry["common_name"], entry["symbol"]] + entry["aliases"])
    with open(os.path.join(SHARED_VOCAB, "designations.json"), encoding="utf-8") as handle:
        for entry in json.load(handle):
            out["designations"].append(entry["match"])
    return out


# Real company names (the shared facts have none). Written here, not fetched.
REAL_COMPANIES = [
    "ImmunityBio", "Iovance Biotherapeutics", "Amgen", "Gilead Sciences", "Kite Pharma",
    "Bristol Myers Squibb", "Johnson & Johnson", "Legend Biotech", "Arcellx",
    "Allogene Therapeutics", "CRISPR Therapeutics", "Vertex Pharmaceuticals", "Regeneron",
    "Moderna", "BioNTech", "Genmab", "AbbVie", "Merck", "Pfizer", "Novartis", "Roche",
    "Genentech", "AstraZeneca", "Daiichi Sankyo", "Sanofi", "GSK", "Takeda", "Astellas",
    "Eisai", "BeiGene", "Zai Lab", "Hutchmed", "Innovent Biologics", "Junshi Biosciences",
    "Adaptimmune", "Autolus Therapeutics", "Poseida Therapeutics", "Fate Therapeutics",
    "Nkarta", "Caribou Biosciences", "Precision BioSciences", "2seventy bio",
    "bluebird bio", "Sana Biotechnology", "Cellectis", "Atara Biotherapeutics",
    "Mustang Bio", "CARsgen Therapeutics", "Janux Therapeutics", "Xencor", "MacroGenics",
    "Zymeworks", "Mersana Therapeutics", "ADC Therapeutics", "Sutro Biopharma",
    "Immunocore", "iTeos Therapeutics", "Arcus Biosciences", "Agenus", "Exelixis", "Incyte",
    "Blueprint Medicines", "Revolution Medicines", "Relay Therapeutics", "Kura Oncology",
    "Syndax Pharmaceuticals", "Geron", "Karyopharm Therapeutics", "SpringWorks Therapeutics",
    "Nuvalent", "Summit Therapeutics", "Akeso", "Ipsen", "Servier", "Pierre Fabre",
    "Nanobiotix", "Transgene", "Galapagos", "argenx", "UCB", "Lundbeck", "Novo Nordisk",
    "Eli Lilly", "Biogen", "Alnylam Pharmaceuticals", "Ionis Pharmaceuticals",
    "Intellia Therapeutics", "Beam Therapeutics", "Editas Medicine", "Arcturus Therapeutics",
]

PEOPLE = [
    "Patrick Soon-Shiong", "Frederick Vogt", "Jane Whitaker", "Hélène Dupré", "José García",
    "Marc Lefèvre", "Anaïs Moreau", "Kenji Watanabe", "Priya Raman", "Thomas Becker",
    "Sarah O'Connor", "David Chen", "Li Wei", "Maria Rossi", "Ahmed Khalil", "Emma Lindqvist",
    "Renée Tremblay", "Søren Madsen", "Zoë Hartmann", "Michael Brennan", "Olivia Grant",
]
INSTITUTIONS = [
    "MD Anderson Cancer Center", "Memorial Sloan Kettering", "Dana-Farber Cancer Institute",
    "Institut Curie", "Hôpital Saint-Louis", "Université Paris Cité", "Charité Berlin",
    "Université de Montréal", "Karolinska Institutet", "Mayo Clinic", "Fred Hutch",
    "Universitätsspital Zürich", "Peking University Cancer Hospital",
]
INDICATIONS = [
    "relapsed or refractory multiple myeloma", "diffuse large B-cell lymphoma",
    "non-small cell lung cancer", "metastatic castration-resistant prostate cancer",
    "HER2-positive breast cancer", "triple-negative breast cancer", "acute myeloid leukemia",
    "B-cell acute lymphoblastic leukemia", "follicular lymphoma", "mantle cell lymphoma",
    "glioblastoma", "pancreatic ductal adenocarcinoma", "hepatocellular carcinoma",
    "gastric or gastroesophageal junction adenocarcinoma", "advanced melanoma",
    "synovial sarcoma", "ovarian cancer", "urothelial carcinoma", "non-muscle invasive bladder cancer",
    "systemic lupus erythematosus", "myasthenia gravis", "transthyretin amyloidosis",
    "Duchenne muscular dystrophy", "sickle cell disease", "beta-thalassemia",
    "neuroblastoma", "small cell lung cancer", "colorectal cancer", "renal cell carcinoma",
]
MODALITIES = [
    "CAR-T cell therapy", "autologous CAR-T therapy", "allogeneic CAR-NK therapy",
    "bispecific antibody", "antibody-drug conjugate", "T-cell engager", "monoclonal antibody",
    "tumor-infiltrating lymphocyte (TIL) therapy", "TCR-T therapy", "small-molecule inhibitor",
    "mRNA cancer vaccine", "gene therapy", "base-editing therapy", "siRNA therapeutic",
    "radioligand therapy", "IL-15 superagonist",
]
PHASES = ["Phase 1", "Phase 1/2", "Phase 1b", "Phase 2", "pivotal Phase 2", "Phase 3",
          "registrational Phase 2b", "Phase 2/3"]
AGENCIES = ["U.S. Food and Drug Administration (FDA)", "FDA", "European Medicines Agency (EMA)",
            "EMA", "Medicines and Healthcare products Regulatory Agency (MHRA)",
            "Japan's Ministry of Health, Labour and Welfare (MHLW)",
            "China's National Medical Products Administration (NMPA)", "Health Canada"]
CITIES = ["CAMBRIDGE, Mass.", "SAN DIEGO", "SOUTH SAN FRANCISCO, Calif.", "BOSTON",
          "NEW YORK", "PARIS", "BASEL, Switzerland", "SHANGHAI", "TOKYO", "LONDON",
          "CULVER CITY, Calif.", "PHILADELPHIA", "SEATTLE", "MONTRÉAL", "ZÜRICH", "COPENHAGEN"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CONFERENCES = ["ASCO Annual Meeting", "ASH Annual Meeting and Exposition", "ESMO Congress",
               "AACR Annual Meeting", "SITC Annual Meeting", "EHA Congress",
               "San Antonio Breast Cancer Symposium", "ASGCT Annual Meeting"]

# Non-Latin passages for ~1% of documents.
GREEK = [
    "Η εταιρεία ανακοίνωσε σήμερα θετικά αποτελέσματα από την κλινική μελέτη Φάσης 2.",
    "Ο αναστολέας στοχεύει το TGF-β και την οδό σηματοδότησης του IFN-γ σε ασθενείς με καρκίνο.",
    "Τα δεδομένα θα παρουσιαστούν στο ετήσιο συνέδριο της εταιρείας τον Ιούνιο.",
]
CJK = [
    "公司今日宣布，其在研药物获得国家药品监督管理局突破性治疗药物认定。",
    "该临床试验的主要终点为客观缓解率，次要终点包括无进展生存期和总生存期。",
    "本新闻稿包含前瞻性陈述，实际结果可能与预期存在重大差异。",
    "当社は本日、第2相臨床試験において良好な結果が得られたことを発表しました。",
]

# --------------------------------------------------------------------------------------
# Synthetic names (shared by the corpus and the term sets, so that large term sets
# really occur in the text, as watchlists of drug codes and small companies do)

SYLLABLES = ["ar", "ve", "lo", "zan", "tri", "mo", "qui", "ne", "xa", "dor", "ca", "lyn",
             "pha", "sen", "tor", "vi", "ra", "bel", "co", "den", "fa", "gen", "io", "ka",
             "lu", "mi", "nor", "pri", "sol", "tas", "ul", "vor", "ze", "em", "os", "ith"]
COMPANY_SUFFIXES = ["Therapeutics", "Bio", "Biosciences", "Pharmaceuticals", "Oncology",
                    "Biotherapeutics", "Medicines", "Biologics", "Immunotherapies", "Genomics"]
INN_SUFFIXES = ["mab", "tamab", "zumab", "cel", "leucel", "tinib", "ciclib", "parib",
                "degib", "siran", "vedotin", "deruxtecan", "gene", "tug"]


def synthetic_pools(rng):
    """Drug codes, company names, gene-like symbols and INN-like drug names."""
    codes, companies, genes, inns = [], [], [], []
    seen = set()

    def add(pool, term):
        key = term.casefold()
        if len(term) >= 3 and key not in seen:
            seen.add(key)
            pool.append(term)

    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while len(codes) < 6000:
        prefix = "".join(rng.choice(letters) for _ in range(rng.choice((2, 3, 3, 4))))
        add(codes, "%s-%d" % (prefix, rng.randint(100, 9999)))
    while len(companies) < 3000:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3))))
        add(companies, stem.capitalize() + " " + rng.choice(COMPANY_SUFFIXES))
    families = ["TMEM", "ZNF", "KLHL", "SLC", "CCDC", "FAM", "LRRC", "ANKRD", "TRIM", "USP",
                "KIF", "RBM", "PRR", "WDR", "CDK", "MAP3K", "GPR", "OR2A", "ADAMTS", "C1orf"]
    while len(genes) < 3000:
        add(genes, "%s%d%s" % (rng.choice(families), rng.randint(1, 399),
                               rng.choice(["", "", "", "A", "B", "L"])))
    while len(inns) < 3000:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))
        add(inns, stem + rng.choice(INN_SUFFIXES))
    return codes, companies, genes, inns


# --------------------------------------------------------------------------------------
# Documents


class Writer:
    def __init__(self, rng, vocab, pools):
        self.r = rng
        self.targets = [[s for s in e if len(s) >= 2] for e in vocab["targets"]]
        self.designations = vocab["designations"]
        self.real_companies = [e[0] for e in vocab["companies"]] + REAL_COMPANIES
        self.codes, self.syn_companies, self.genes, self.inns = pools
        # Synthetic names that the corpus uses: most of them, not all, so that part of a
        # large term set never occurs (as in a real watchlist).
        self.codes_used = self.codes[: int(len(self.codes) * 0.8)]
        self.companies_used = self.syn_companies[: int(len(self.syn_companies) * 0.8)]
        self.genes_used = self.genes[: int(len(self.genes) * 0.8)]
        self.inns_used = self.inns[: int(len(self.inns) * 0.8)]

    # one mention of each kind --------------------------------------------------------
    def company(self):
        r = self.r
        name = r.choice(self.real_companies) if r.random() < 0.55 else r.choice(self.companies_used)
        if r.random() < 0.15:
            name += r.choice([", Inc.", " Inc.", " Ltd.", " AG", " S.A.", " plc", " Co., Ltd."])
        return name

    def target(self):
        r = self.r
        entry = r.choice(self.targets)
        if r.random() < 0.1:
            return r.choice(self.genes_used)
        # Mostly the common name, sometimes the symbol or an alias.
        roll = r.random()
        if roll < 0.7 or len(entry) == 1:
            return entry[0]
        if roll < 0.85:
            return entry[1]
        return r.choice(entry[1:])

    def designation(self):
        entry = self.r.choice(self.designations)
        return self.r.choice(entry)

    def drug(self):
        r = self.r
        roll = r.random()
        if roll < 0.5:
            return r.choice(self.codes_used)
        name = r.choice(self.inns_used)
        if roll < 0.6:
            return name + "®"
        if roll < 0.7:
            return name.capitalize() + "™"
        if roll < 0.8:
            return "%s (%s)" % (name, r.choice(self.codes_used))
        return name

    def date(self):
        r = self.r
        return "%s %d, %d" % (r.choice(MONTHS), r.randint(1, 28), r.choice((2024, 2025, 2026)))

    def years(self):
        start = self.r.randint(2018, 2026)
        return "%d–%d" % (start, start + self.r.randint(1, 4))

    # sentences ------------------------------------------------------------------------
    def sentence(self, c, d):
        """One sentence; c and d are the release's company and lead drug."""
        r = self.r
        t = self.target
        k = r.randrange(30)
        if k == 0:
            return "%s announced that the %s has granted %s to %s, a %s-directed %s for the treatment of %s." % (
                c, r.choice(AGENCIES), self.designation(), d, t(), r.choice(MODALITIES), r.choice(INDICATIONS))
        if k == 1:
            return "%s previously granted %s and %s to %s for %s." % (
                r.choice(AGENCIES), self.designation(), self.designation(), d, r.choice(INDICATIONS))
        if k == 2:
            return "%s is a %s targeting %s and %s, currently in a %s trial (NCT0%07d) in patients with %s." % (
                d, r.choice(MODALITIES), t(), t(), r.choice(PHASES), r.randint(0, 9999999), r.choice(INDICATIONS))
        if k == 3:
            return "In the %s cohort, the objective response rate was %d%% (95%% CI, %d–%d) and the complete response rate was %d%% among %d evaluable patients." % (
                r.choice(PHASES), r.randint(20, 95), r.randint(10, 40), r.randint(50, 98), r.randint(5, 60), r.randint(12, 400))
        if k == 4:
            return "Median duration of response was %.1f months, and %d%% of patients remained progression-free at %d months." % (
                r.uniform(3, 30), r.randint(20, 90), r.choice((6, 12, 18, 24)))
        if k == 5:
            return "“We are pleased that the %s recognizes the potential of %s,” said %s, Chief Executive Officer of %s." % (
                r.choice(AGENCIES), d, r.choice(PEOPLE), c)
        if k == 6:
            return "“%s-directed therapies have changed the treatment of %s, and %s offers a differentiated approach,” said Dr. %s of %s." % (
                t(), r.choice(INDICATIONS), d, r.choice(PEOPLE), r.choice(INSTITUTIONS))
        if k == 7:
            return "%s and %s entered into a collaboration to develop %s and %s bispecific candidates, with an upfront payment of $%d million." % (
                c, self.company(), t(), t(), r.randint(10, 900))
        if k == 8:
            return "Under the agreement, %s will receive exclusive rights to %s in Greater China, while %s retains rights in the rest of the world." % (
                self.company(), self.drug(), c)
        if k == 9:
            return "Grade ≥3 cytokine release syndrome occurred in %d%% of patients and immune effector cell-associated neurotoxicity syndrome (ICANS) in %d%%; no treatment-related deaths were reported." % (
                r.randint(0, 12), r.randint(0, 9))
        if k == 10:
            return "The data will be presented in an oral session at the %s on %s." % (r.choice(CONFERENCES), self.date())
        if k == 11:
            return "%s builds on the company's platform, which combines %s engagement with %s co-stimulation to overcome resistance to prior anti-%s therapy." % (
                d, t(), t(), t())
        if k == 12:
            return "%s also holds %s from the %s for %s in %s." % (
                c, self.designation(), r.choice(AGENCIES), self.drug(), r.choice(INDICATIONS))
        if k == 13:
            return "The %s evaluates %s in combination with %s, a %s inhibitor, in %d patients across %d sites in the United States, Europe and Asia." % (
                r.choice(PHASES) + " study", d, self.drug(), t(), r.randint(20, 900), r.randint(5, 120))
        if k == 14:
            return "Enrollment in the expansion cohort is expected to complete in %s, with topline data anticipated during %s." % (
                r.choice(("the first half of 2026", "the second half of 2025", "mid-2026", "early 2027")), self.years())
        if k == 15:
            return "%s previously received %s for %s and %s for %s-positive disease." % (
                self.drug(), self.designation(), r.choice(INDICATIONS), self.designation(), t())
        if k == 16:
            return "Translational analyses showed reductions in circulating %s and increased infiltration of %s-positive T cells, consistent with the proposed mechanism." % (
                t(), t())
        if k == 17:
            return "%s shares rose %d%% after the announcement, while %s and %s, which develop competing %s programs, traded lower." % (
                c, r.randint(2, 80), self.company(), self.company(), t())
        if k == 18:
            return "The company ended the quarter with $%d.%d million in cash, which it expects to fund operations into %d." % (
                r.randint(40, 2000), r.randint(0, 9), r.randint(2026, 2030))
        if k == 19:
            return "%s, %s and %s are among the sponsors pursuing %s with %s." % (
                self.company(), self.company(), self.company(), self.designation(), t() + "-targeted agents")
        if k == 20:
            return "Patients had received a median of %d prior lines of therapy, including anti-%s and anti-%s agents, and %d%% were refractory to their last line." % (
                r.randint(2, 8), t(), t(), r.randint(40, 99))
        if k == 21:
            return "%s accepted the Biologics License Application for %s with %s and set a target action date of %s." % (
                r.choice(AGENCIES), d, self.designation(), self.date())
        if k == 22:
            return "%s (%s) is being evaluated at %s under the direction of Dr. %s." % (
                d, self.drug(), r.choice(INSTITUTIONS), r.choice(PEOPLE))
        if k == 23:
            return "Preclinical data showed that %s binds %s with picomolar affinity and spares cells expressing %s." % (
                self.drug(), t(), t())
        if k == 24:
            return "%s was founded in %d and is headquartered in %s, with research operations in %s." % (
                c, r.randint(1995, 2022), r.choice(CITIES).title(), r.choice(CITIES).title())
        if k == 25:
            return "%s is not approved in any jurisdiction, and its safety and efficacy have not been established." % d
        if k == 26:
            return "In %s, %s reported that its %s program targeting %s achieved proof of concept." % (
                self.years(), self.company(), r.choice(MODALITIES), t())
        if k == 27:
            return "The %s under %s provides for more frequent meetings with the agency and eligibility for rolling review." % (
                self.designation(), r.choice(("section 506 of the FD&C Act", "the 21st Century Cures Act", "Article 14-a of Regulation (EC) No 726/2004")))
        if k == 28:
            return "Analysts at %s noted that %s, %s and %s now compete for the same %s population." % (
                r.choice(("Jefferies", "Leerink Partners", "Evercore ISI", "TD Cowen", "Piper Sandler")),
                c, self.company(), self.company(), t())
        return "%s and %s will host a conference call at 8:00 a.m. ET to discuss the %s results for %s." % (
            c, self.company(), r.choice(PHASES), d)

    def paragraph(self, c, d, sentences):
        out = []
        for _ in range(sentences):
            s = self.sentence(c, d)
            out.append(s[0].upper() + s[1:] if s[0].islower() else s)
        return " ".join(out)

    def headline(self, c, d):
        r = self.r
        k = r.randrange(6)
        if k == 0:
            return "%s Receives %s for %s in %s" % (c, self.designation(), d, r.choice(INDICATIONS).title())
        if k == 1:
            return "%s Announces Positive %s Data for %s-Targeted %s" % (c, r.choice(PHASES), self.target(), d)
        if k == 2:
            return "%s and %s Enter %s Collaboration on %s" % (c, self.company(), self.target(), d)
        if k == 3:
            return "%s Grants %s to %s’s %s" % (r.choice(AGENCIES), self.designation(), c, d)
        if k == 4:
            return "%s Reports Third Quarter %d Results and Pipeline Progress" % (c, r.choice((2024, 2025, 2026)))
        return "%s to Present %s Data at the %s" % (c, d, r.choice(CONFERENCES))

    def forward_looking(self, c):
        return ("This press release contains forward-looking statements within the meaning of the "
                "Private Securities Litigation Reform Act of 1995, including statements regarding the "
                "timing of clinical trials, regulatory submissions and the potential benefits of the "
                "product candidates of %s. These statements are subject to risks and uncertainties, "
                "and actual results may differ materially; %s undertakes no obligation to update them." % (c, c))

    def document(self, target_bytes):
        """A release of about target_bytes. Half are written in plain ASCII (as many wire
        services deliver them); the others keep typographic quotes, dashes, ®, ™ and
        accented names, and 2% of those carry a Greek or CJK passage (~1% overall)."""
        r = self.r
        plain = r.random() < 0.5
        text = self.compose(target_bytes, foreign=not plain and r.random() < 0.02)
        return to_ascii(text) if plain else text

    def compose(self, target_bytes, foreign):
        r = self.r
        c = self.company()
        d = self.drug()
        parts = [self.headline(c, d), "%s, %s -- %s today announced an update on %s." % (
            r.choice(CITIES), self.date(), c, d)]
        size = sum(len(p) + 2 for p in parts)
        while size < target_bytes - 900:
            p = self.paragraph(c, d, r.randint(3, 6))
            parts.append(p)
            size += len(p) + 2
        if foreign:
            parts.insert(r.randint(2, len(parts)), " ".join(r.sample(GREEK if r.random() < 0.5 else CJK, 2)))
        parts.append("About %s\n\n%s is a clinical-stage company developing %s therapies against %s, %s and %s." % (
            c, c, r.choice(MODALITIES), self.target(), self.target(), self.target()))
        parts.append("Forward-Looking Statements\n\n" + self.forward_looking(c))
        parts.append("Contacts\n\nInvestors: %s, ir@%s.example\nMedia: %s" % (
            r.choice(PEOPLE), re.sub(r"[^a-z]", "", c.lower())[:12] or "company", r.choice(PEOPLE)))
        return "\n\n".join(parts) + "\n"


ASCII_MAP = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2018": "'", "\u2013": "-",
                           "\u2014": "--", "\u2265": ">=", "\u00ae": "", "\u2122": "", "\u00f8": "o",
                           "\u00d8": "O", "\u00df": "ss", "\u03b1": "a", "\u03b2": "b", "\u03b3": "g",
                           "\u03b4": "d", "\u03ba": "k", "\u03bc": "u"})


def to_ascii(text):
    """Plain-ASCII spelling: straight quotes, hyphens, no marks, accents removed."""
    text = unicodedata.normalize("NFKD", text.translate(ASCII_MAP))
    return text.encode("ascii", "ignore").decode("ascii")


# --------------------------------------------------------------------------------------
# Term sets

TEN = ["BCMA", "PD-L1", "RMAT", "Breakthrough Therapy", "Fast Track", "Orphan Drug Designation",
       "ImmunityBio", "CD19", "HER2", "Iovance Biotherapeutics"]


def term_sets(vocab, pools, rng):
    seen = set()
    ordered = []

    def add(term):
        term = term.strip()
        key = term.casefold()
        if len(term) >= 3 and key not in seen and "\n" not in term:
            seen.add(key)
            ordered.append(term)

    for term in TEN:
        add(term)
    real = []
    for entry in vocab["targets"] + vocab["designations"] + [[c] for c in REAL_COMPANIES] + vocab["companies"]:
        real.extend(entry)
    for term in real:
        add(term)
    n_real = len(ordered)
    codes, companies, genes, inns = pools
    # Interleave the synthetic kinds; each pool mixes names the corpus uses (its first
    # 80%) with names it never uses.
    synthetic = []
    for pool in (codes, companies, genes, inns):
        picked = list(pool)
        rng.shuffle(picked)
        synthetic.append(picked)
    weights = [0.4, 0.25, 0.2, 0.15]
    indices = [0, 0, 0, 0]
    while len(ordered) < 10000:
        kind = rng.choices(range(4), weights)[0]
        if indices[kind] < len(synthetic[kind]):
            add(synthetic[kind][indices[kind]])
            indices[kind] += 1
    return {10: ordered[:10], 1000: ordered[:1000], 10000: ordered[:10000]}, n_real


# --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", nargs="?", default="/tmp/pharos-bench")
    parser.add_argument("--documents", type=int, default=20000)
    parser.add_argument("--megabytes", type=float, default=200.0, help="target total size (10^6 bytes)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    vocab = vocabulary_from_yaml()
    source = "Sources/PharosMatching/Vocabulary/*.yaml"
    if vocab is None:
        vocab = vocabulary_from_shared()
        source = "shared/vocab (targets_aliases.jsonl, designations.json)"
    fingerprint = hashlib.sha256(json.dumps(vocab, sort_keys=True).encode()).hexdigest()[:16]
    wanted = {"seed": SEED, "version": VERSION, "vocabulary": fingerprint,
              "documents": args.documents, "megabytes": args.megabytes}

    os.makedirs(args.workdir, exist_ok=True)
    manifest_path = os.path.join(args.workdir, "manifest.json")
    if not args.force and os.path.exists(manifest_path):
        with open(manifest_path) as handle:
            manifest = json.load(handle)
        if all(manifest.get(k) == v for k, v in wanted.items()):
            print("generate: corpus with seed %d already in %s (%d documents, %.1f MB); skipping" % (
                SEED, args.workdir, manifest["documents"], manifest["bytes"] / 1e6))
            return

    rng = random.Random(SEED)
    pools = synthetic_pools(rng)
    sets, n_real = term_sets(vocab, pools, rng)
    writer = Writer(rng, vocab, pools)

    corpus = os.path.join(args.workdir, "corpus")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)

    mean = args.megabytes * 1e6 / args.documents
    # Lognormal sizes with the wanted mean (sigma 0.5: most between 0.4x and 2.5x).
    sigma = 0.5

    mu = math.log(mean) - sigma * sigma / 2
    total = 0
    non_ascii_docs = 0
    for index in range(args.documents):
        size = min(max(rng.lognormvariate(mu, sigma), 1500), mean * 6)
        text = writer.document(int(size))
        data = text.encode("utf-8")
        if len(data) != len(text):
            non_ascii_docs += 1
        folder = os.path.join(corpus, "%03d" % (index // 100))
        if index % 100 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "doc-%05d.txt" % index), "wb") as handle:
            handle.write(data)
        total += len(data)
        if index % 2000 == 1999:
            print("generate: %d documents, %.1f MB" % (index + 1, total / 1e6), file=sys.stderr)

    for count, terms in sets.items():
        with open(os.path.join(args.workdir, "terms-%d.txt" % count), "w", encoding="utf-8") as handle:
            handle.write("\n".join(terms) + "\n")

    manifest = dict(wanted, bytes=total, vocabulary_source=source, real_terms=n_real,
                    documents_with_non_ascii=non_ascii_docs)
    with open(manifest_path, "w") as handle:
        json.dump(manifest, handle, indent=1)
    print("generate: %d documents, %.1f MB in %s (%d real vocabulary terms, then synthetic ones; vocabulary from %s)" % (
        args.documents, total / 1e6, args.workdir, n_real, source))


if __name__ == "__main__":
    main()
