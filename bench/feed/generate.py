#!/usr/bin/env python3
"""Writes the feed-parsing benchmark's input: one large RSS 2.0 file of press releases.

    generate.py WORKDIR [--items 25000] [--megabytes 30] [--force]

Writes WORKDIR/feed.xml and WORKDIR/feed.json (the manifest: seed, generator version,
size and SHA-256). Python standard library only, deterministic (random.Random(SEED)):
the same arguments always give the same bytes. When the manifest matches the arguments and
the file is still there with the recorded size, nothing is written.

Every item has a press-release title, a link and a guid (half permalinks, half opaque ids
with isPermaLink="false"), a pubDate in RFC 822 with a named zone (GMT, UT, EST, EDT, CST,
CDT, MST, MDT, PST, PDT), one or two dc:creator, two to five categories (some with a
domain) and an HTML description: even items carry it in CDATA, odd items escaped
(&lt;p&gt;...). The description lengths are lognormal; their mean is steered while writing
so that the file comes out at --megabytes (10^6 bytes) within a few kilobytes.
"""

import argparse
import hashlib
import html
import json
import math
import os
import random
import sys

SEED = 20261123
VERSION = 3

COMPANIES = [
    "ImmunityBio", "Iovance Biotherapeutics", "Arcturus Cell Sciences", "Legend Biotech",
    "Arcellx", "Allogene Therapeutics", "CARsgen Therapeutics", "Autolus Therapeutics",
    "Poseida Therapeutics", "Cabaletta Bio", "Nkarta", "Fate Therapeutics", "Gilead Sciences",
    "Bristol Myers Squibb", "Johnson & Johnson", "Regeneron Pharmaceuticals", "Amgen",
    "AstraZeneca", "Novartis", "Roche", "Merck & Co.", "Pfizer", "Sanofi", "GSK",
    "Daiichi Sankyo", "Astellas Pharma", "BeiGene", "Zymeworks", "MacroGenics", "Genmab",
    "argenx", "Kura Oncology", "Syndax Pharmaceuticals", "Relay Therapeutics",
    "Revolution Medicines", "Mirati Therapeutics", "Blueprint Medicines", "Exelixis",
    "Incyte", "Seagen", "ADC Therapeutics", "Sutro Biopharma", "Mersana Therapeutics",
    "Immunocore", "Adaptimmune", "Instil Bio", "Achilles Therapeutics", "Bicycle Therapeutics",
    "Compass Therapeutics", "Xencor", "Janux Therapeutics", "Vir Biotechnology",
    "Société Thérapeutique Dupré", "Hélène Biosciences", "Nordisk Cellterapi AB",
    "Kyōwa Kirin", "Zai Lab", "Hutchmed", "Innovent Biologics", "Akeso",
]
PREFIXES = ["Ar", "Bel", "Cor", "Dyn", "Ev", "Fla", "Gen", "Hal", "Ix", "Jun", "Kel", "Lum",
            "Mer", "Nov", "Or", "Pra", "Quan", "Ros", "Sol", "Tor", "Ul", "Ver", "Xen", "Zy"]
SUFFIXES = ["ion", "ara", "ex", "ova", "is", "eron", "ita", "ant", "ix", "yra", "olen", "ica"]
KINDS = ["Therapeutics", "Biosciences", "Oncology", "Pharmaceuticals", "Bio", "Biotherapeutics",
         "Medicines", "Immunotherapies", "Genomics", "Biologics"]
TARGETS = ["BCMA", "CD19", "CD20", "CD22", "CD38", "GPRC5D", "HER2", "TROP2", "PD-1", "PD-L1",
           "CTLA-4", "LAG-3", "TIGIT", "KRAS G12C", "KRAS G12D", "EGFR", "ALK", "ROS1", "RET",
           "FGFR2", "FGFR3", "IDH1", "IDH2", "FLT3", "menin", "Claudin 18.2", "DLL3", "B7-H3",
           "Nectin-4", "FRα", "CEACAM5", "SIRPα", "CD47", "MAGE-A4", "NY-ESO-1", "PRAME", "TIL"]
INDICATIONS = [
    "relapsed or refractory multiple myeloma", "large B-cell lymphoma", "acute myeloid leukemia",
    "non-small cell lung cancer", "metastatic colorectal cancer", "pancreatic ductal adenocarcinoma",
    "HER2-positive breast cancer", "triple-negative breast cancer", "hepatocellular carcinoma",
    "advanced melanoma", "urothelial carcinoma", "small cell lung cancer", "glioblastoma",
    "platinum-resistant ovarian cancer", "metastatic castration-resistant prostate cancer",
    "synovial sarcoma", "gastric or gastroesophageal junction adenocarcinoma",
    "myelodysplastic syndromes", "chronic lymphocytic leukemia", "follicular lymphoma",
]
DESIGNATIONS = [
    "Orphan Drug Designation", "Fast Track Designation", "Breakthrough Therapy Designation",
    "Regenerative Medicine Advanced Therapy (RMAT) Designation", "Rare Pediatric Disease Designation",
    "PRIority MEdicines (PRIME) designation", "Priority Review", "Accelerated Approval",
    "Innovation Passport", "SAKIGAKE designation", "Breakthrough Therapy Designation from the NMPA",
]
AGENCIES = ["U.S. Food and Drug Administration (FDA)", "European Medicines Agency (EMA)",
            "Medicines and Healthcare products Regulatory Agency (MHRA)",
            "Japan's Ministry of Health, Labour and Welfare (MHLW)", "China's NMPA", "Health Canada"]
CONFERENCES = ["ASCO Annual Meeting", "ASH Annual Meeting & Exposition", "ESMO Congress",
               "AACR Annual Meeting", "SITC Annual Meeting", "EHA Congress", "SABCS",
               "World Conference on Lung Cancer", "ESMO Immuno-Oncology Congress"]
PHASES = ["Phase 1", "Phase 1/2", "Phase 1b", "Phase 2", "pivotal Phase 2", "Phase 3",
          "registrational Phase 3"]
CITIES = ["BOSTON", "CAMBRIDGE, Mass.", "SAN DIEGO", "SOUTH SAN FRANCISCO, Calif.", "NEW YORK",
          "PHILADELPHIA", "SEATTLE", "SHANGHAI", "BASEL, Switzerland", "LONDON", "PARIS",
          "COPENHAGEN, Denmark", "TOKYO", "RESEARCH TRIANGLE PARK, N.C.", "GAITHERSBURG, Md.",
          "MONTRÉAL", "ZÜRICH"]
WIRES = [
    ("www.globenewswire.com", "news-release/{y}/{m:02d}/{d:02d}/{n}/0/en/{slug}.html", "GlobeNewswire"),
    ("www.businesswire.com", "news/home/{y}{m:02d}{d:02d}{n6}/en/{slug}", "Business Wire"),
    ("www.prnewswire.com", "news-releases/{slug}-{n9}.html", "PR Newswire"),
    ("ir.example-biotech.com", "news-releases/news-release-details/{slug}", "Investor Relations"),
]
CATEGORIES = ["Press Releases", "Clinical Trials", "Regulatory", "Financial Results",
              "Corporate", "Partnerships", "Conferences", "Oncology", "Cell Therapy",
              "Immuno-oncology", "Rare Diseases", "Manufacturing", "Management Changes",
              "Earnings Releases and Operating Results", "Health", "Pharmaceuticals", "Biotechnology"]
CATEGORY_DOMAINS = ["https://www.globenewswire.com/rss/subject", "https://www.businesswire.com/industry",
                    "http://www.prnewswire.com/news-releases/health-latest-news"]
AUTHORS = ["Media Relations", "Investor Relations", "Jane Whitfield", "Marcus Oyelaran",
           "Hélène Dupré", "Søren Kjær", "Yuki Tanaka", "Priya Raghunathan", "Tomás Aguilar",
           "Corporate Communications", "GlobeNewswire Staff", "Ana-María Ríos"]
# (name, offset in hours): RFC 822 named zones only
ZONES = [("GMT", 0), ("UT", 0), ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5),
         ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7)]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def synthetic_company(rng):
    return "%s%s %s" % (rng.choice(PREFIXES), rng.choice(SUFFIXES), rng.choice(KINDS))


def drug_code(rng):
    return "%s-%d" % ("".join(rng.choice("ABCDEFGHJKLMNPRSTVXYZ") for _ in range(rng.choice((2, 3, 3)))),
                      rng.randrange(100, 9999))


def inn(rng):
    return "%s%s%s" % (rng.choice(["ta", "zo", "eli", "cilta", "teclis", "linvo", "elra", "odro",
                                   "mosune", "glofi", "epcori", "tarla", "sota", "divar", "adagra"]),
                       rng.choice(["", "ra", "ne", "li", "ci", "to", "ve"]),
                       rng.choice(["mab", "tamab", "cabtagene autoleucel", "tinib", "rasib",
                                   "sib", "leucel", "deg", "zumab", "tuzumab vedotin"]))


def title_for(rng, company, drug, target, indication):
    q = rng.choice(["First", "Second", "Third", "Fourth"])
    year = rng.choice([2025, 2026])
    choices = [
        "%s Receives %s for %s in %s" % (company, rng.choice(DESIGNATIONS), drug, indication.title()),
        "%s Announces Positive Topline Results from %s Trial of %s in %s" % (company, rng.choice(PHASES), drug, indication),
        "%s Reports %s Quarter %d Financial Results and Provides Business Update" % (company, q, year),
        "%s to Present New Data on %s-Directed %s at the %s" % (company, target, drug, rng.choice(CONFERENCES)),
        "%s Doses First Patient in %s Study of %s, a %s-Targeted Therapy" % (company, rng.choice(PHASES), drug, target),
        "%s and %s Enter Strategic Collaboration to Develop %s Therapies" % (company, rng.choice(COMPANIES), target),
        "%s Announces Pricing of $%d Million Underwritten Public Offering" % (company, rng.randrange(50, 750, 25)),
        "FDA Accepts %s's Biologics License Application for %s in %s" % (company, drug, indication),
        "%s Appoints %s as Chief Medical Officer" % (company, rng.choice(AUTHORS[2:])),
        "%s Completes Enrollment in %s Trial Evaluating %s for %s" % (company, rng.choice(PHASES), drug, indication),
        "%s Granted %s by the %s for %s" % (drug, rng.choice(DESIGNATIONS), rng.choice(AGENCIES), indication),
        "%s® (%s) Approved in %s for Adults with %s" % (drug, inn(rng), rng.choice(["the U.S.", "the EU", "Japan", "China"]), indication),
    ]
    return rng.choice(choices)


def slugify(text):
    out, dash = [], False
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    return "".join(out).strip("-")[:110]


def paragraph(rng, company, drug, target, indication):
    templates = [
        "%(company)s (Nasdaq: %(ticker)s) today announced that the %(agency)s has granted %(designation)s "
        "to <strong>%(drug)s</strong>, its investigational %(target)s-directed therapy for %(indication)s.",
        "&ldquo;We believe %(drug)s has the potential to change how patients with %(indication)s are treated,&rdquo; "
        "said %(person)s, Chief Executive Officer of %(company)s. &ldquo;Today&rsquo;s news is an important step.&rdquo;",
        "The %(phase)s trial (<a href=\"https://clinicaltrials.gov/study/NCT%(nct)s\">NCT%(nct)s</a>) enrolled "
        "%(n)d patients; the objective response rate was %(orr)d%% and the median duration of response was "
        "%(dor).1f&nbsp;months (95%% CI, %(lo).1f&ndash;%(hi).1f).",
        "Grade &ge;3 treatment-related adverse events occurred in %(ae)d%% of patients; cytokine release "
        "syndrome was mostly Grade 1&ndash;2 &amp; manageable. No new safety signals were observed.",
        "%(company)s will host a conference call and webcast at 8:00&nbsp;a.m. ET. The webcast can be accessed "
        "under &quot;Events &amp; Presentations&quot; on the <a href=\"https://ir.example.com/%(slug)s\">Investors</a> page.",
        "Cash, cash equivalents and marketable securities were $%(cash).1f million as of September&nbsp;30, "
        "compared with $%(cash2).1f million as of December&nbsp;31; the company expects its runway to extend into %(year)d.",
        "Data will be presented in an oral session at the %(conference)s in %(city)s; the abstract is "
        "available on the meeting website <em>(Abstract #%(abstract)d)</em>.",
        "%(target)s is expressed on malignant cells in %(indication)s and has limited expression on healthy "
        "tissue, making it an attractive target for antibody&ndash;drug conjugates and cell therapies.",
        "This press release contains &ldquo;forward-looking statements&rdquo; within the meaning of the Private "
        "Securities Litigation Reform Act of 1995, including statements about the timing of %(drug)s&rsquo;s "
        "development, regulatory submissions and commercial potential. Actual results may differ materially.",
        "Under the agreement, %(company)s receives an upfront payment of $%(upfront)d million and is eligible "
        "for up to $%(milestones).2f billion in milestones, plus tiered royalties &lt;20%% on net sales.",
    ]
    values = {
        "company": html.escape(company, quote=False), "ticker": "".join(c for c in company.upper() if c.isalpha())[:4],
        "agency": rng.choice(AGENCIES), "designation": rng.choice(DESIGNATIONS), "drug": drug,
        "target": target, "indication": indication, "person": rng.choice(AUTHORS[2:]),
        "phase": rng.choice(PHASES), "nct": "%08d" % rng.randrange(10 ** 8), "n": rng.randrange(12, 900),
        "orr": rng.randrange(15, 98), "dor": rng.uniform(3, 30), "lo": rng.uniform(1, 6),
        "hi": rng.uniform(12, 40), "ae": rng.randrange(5, 60), "slug": slugify(company),
        "cash": rng.uniform(50, 2500), "cash2": rng.uniform(50, 2500), "year": rng.choice([2027, 2028, 2029]),
        "conference": rng.choice(CONFERENCES), "city": rng.choice(["Chicago", "San Diego", "Madrid", "Barcelona", "Orlando", "Milan"]),
        "abstract": rng.randrange(100, 9999), "upfront": rng.randrange(10, 500), "milestones": rng.uniform(0.2, 4.5),
    }
    return "<p>%s</p>" % (rng.choice(templates) % values)


def description_html(rng, company, drug, target, indication, city, date_text, wire, wanted):
    """HTML of about `wanted` characters: a first paragraph (with a dateline two times in three),
    then paragraphs, lists, tables and an "About" paragraph while each brings it closer to `wanted`."""
    first = paragraph(rng, company, drug, target, indication)
    if rng.random() < 0.67:
        first = "<p><strong>%s</strong>, %s (%s) -- %s" % (city, date_text, wire, first[3:])
    parts = [first]
    size = len(first)
    about = ("<p><strong>About %s</strong><br/>%s is a clinical-stage biotechnology company &mdash; "
             "visit <a href=\"https://www.%s.com\">%s.com</a>.</p>"
             % (html.escape(company, quote=False), html.escape(company, quote=False),
                slugify(company).replace("-", ""), slugify(company).replace("-", "")))
    while True:
        roll = rng.random()
        if roll < 0.10:
            items = "".join("<li>%s</li>" % html.escape(x, quote=False) for x in rng.sample(INDICATIONS, rng.randrange(2, 5)))
            piece = "<p>Key highlights:</p><ul>%s</ul>" % items
        elif roll < 0.14:
            rows = "".join("<tr><td>%s</td><td>%d</td><td>%d%%</td></tr>" % (rng.choice(PHASES), rng.randrange(10, 400), rng.randrange(5, 95))
                           for _ in range(rng.randrange(2, 5)))
            piece = "<table><tr><th>Cohort</th><th>n</th><th>ORR</th></tr>%s</table>" % rows
        else:
            piece = paragraph(rng, company, drug, target, indication)
        if size + len(piece) + len(about) // 2 > wanted:
            break
        parts.append(piece)
        size += len(piece) + 1
    if size + len(about) // 2 <= wanted:
        parts.append(about)
    return "\n".join(parts)


def xml_text(text):
    return html.escape(text, quote=False)


def xml_attr(text):
    return html.escape(text, quote=True)


def generate(path, items, megabytes):
    rng = random.Random(SEED)
    target_bytes = int(megabytes * 1e6)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n"
        "<title>Biotech &amp; Pharma Press Releases (benchmark)</title>\n"
        "<link>https://news.example.com/biotech</link>\n"
        '<atom:link href="https://news.example.com/biotech/rss.xml" rel="self" type="application/rss+xml"/>\n'
        "<description>Generated by Pharos bench/feed/generate.py (seed %d, version %d)</description>\n"
        "<language>en-us</language>\n"
        "<lastBuildDate>Mon, 23 Nov 2026 12:00:00 GMT</lastBuildDate>\n"
        "<generator>pharos-bench-feed</generator>\n"
        "<ttl>10</ttl>\n"
        "<image><url>https://news.example.com/logo.png</url><title>Biotech &amp; Pharma Press Releases (benchmark)</title>"
        "<link>https://news.example.com/biotech</link></image>\n" % (SEED, VERSION)
    ).encode("utf-8")
    tail = b"</channel>\n</rss>\n"
    written = len(head) + len(tail)
    companies = COMPANIES + [synthetic_company(rng) for _ in range(400)]
    drugs = [drug_code(rng) for _ in range(1500)]
    epoch_2026_11_23 = 1795392000  # 2026-11-23T00:00:00Z
    when = epoch_2026_11_23 + 12 * 3600
    sigma = 0.6
    with open(path + ".tmp", "wb") as out:
        out.write(head)
        for i in range(items):
            company = rng.choice(companies)
            drug = rng.choice(drugs)
            target = rng.choice(TARGETS)
            indication = rng.choice(INDICATIONS)
            title = title_for(rng, company, drug, target, indication)
            when -= rng.randrange(60, 2400)
            zone, offset = rng.choice(ZONES)
            local = when + offset * 3600
            days, seconds = divmod(local, 86400)
            y, m, d = civil_from_days(days)
            weekday = DAYS[(days + 3) % 7]  # 1970-01-01 was a Thursday
            pub = "%s, %02d %s %04d %02d:%02d:%02d %s" % (weekday, d, MONTHS[m - 1], y, seconds // 3600,
                                                          seconds // 60 % 60, seconds % 60, zone)
            host, pattern, wire = WIRES[i % len(WIRES)]
            slug = slugify(title)
            number = 3100000 + i
            link = "https://%s/%s" % (host, pattern.format(y=y, m=m, d=d, n=number, n6=number % 1000000,
                                                            n9=300000000 + i * 7, slug=slug))
            if i % 2 == 0:
                guid = '<guid isPermaLink="true">%s</guid>' % xml_text(link)
            else:
                guid = '<guid isPermaLink="false">%s-%08x</guid>' % (host.split(".")[1], rng.getrandbits(32) ^ i)
            authors = rng.sample(AUTHORS, rng.choice((1, 1, 1, 2)))
            cats = rng.sample(CATEGORIES, rng.randrange(1, 5))
            cat_xml = "".join(
                ('<category domain="%s">%s</category>' % (xml_attr(rng.choice(CATEGORY_DOMAINS)), xml_text(c))
                 if rng.random() < 0.3 else "<category>%s</category>" % xml_text(c)) for c in cats)
            fixed = ("<item>\n<title>%s</title>\n<link>%s</link>\n%s\n<pubDate>%s</pubDate>\n%s\n%s\n"
                     "<description>%%s</description>\n</item>\n"
                     % (xml_text(title), xml_text(link), guid, pub,
                        "\n".join("<dc:creator>%s</dc:creator>" % xml_text(a) for a in authors), cat_xml))
            # Steer the description size so the file lands on target_bytes.
            left = items - i
            mean_desc = max(100.0, (target_bytes - written) / left - len(fixed.encode("utf-8")))
            factor = math.exp(rng.gauss(0, sigma) - sigma * sigma / 2)
            wanted = max(150, min(int(mean_desc * factor), int(mean_desc * 6)))
            cdata = i % 2 == 0
            # escaping grows the text by ~12%; ask for less so the encoded size is what we want
            body = description_html(rng, company, drug, target, indication, rng.choice(CITIES),
                                    "%s %d, %d" % (MONTHS[m - 1], d, y), wire, wanted if cdata else int(wanted / 1.12))
            description = "<![CDATA[%s]]>" % body.replace("]]>", "]]]]><![CDATA[>") if cdata else xml_text(body)
            record = (fixed % description).encode("utf-8")
            out.write(record)
            written += len(record)
        out.write(tail)
    os.replace(path + ".tmp", path)


def civil_from_days(z):
    """Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm)."""
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--items", type=int, default=25000)
    parser.add_argument("--megabytes", type=float, default=30.0)
    parser.add_argument("--force", action="store_true", help="write the file even when the manifest matches")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    path = os.path.join(args.workdir, "feed.xml")
    manifest_path = os.path.join(args.workdir, "feed.json")
    wanted = {"seed": SEED, "version": VERSION, "items": args.items, "megabytes": args.megabytes}
    if not args.force and os.path.exists(manifest_path) and os.path.exists(path):
        with open(manifest_path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        if all(manifest.get(k) == v for k, v in wanted.items()) and manifest.get("bytes") == os.path.getsize(path):
            print("feed: %s is up to date (%d items, %d bytes)" % (path, args.items, manifest["bytes"]), file=sys.stderr)
            return
    print("feed: writing %s (%d items, ~%.0f MB)" % (path, args.items, args.megabytes), file=sys.stderr)
    generate(path, args.items, args.megabytes)
    manifest = dict(wanted, bytes=os.path.getsize(path), sha256=sha256(path))
    with open(manifest_path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    print("feed: %d bytes, sha256 %s" % (manifest["bytes"], manifest["sha256"]), file=sys.stderr)


if __name__ == "__main__":
    main()
