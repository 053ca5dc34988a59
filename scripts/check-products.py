#!/usr/bin/env python3
"""Check the product, company, modality and target vocabularies against each other.

Usage: scripts/check-products.py [VOCABULARY_DIR]   (default: Sources/PharosMatching/Vocabulary)

Loads targets.yaml, companies.yaml, modalities.yaml and products.yaml and checks:
  - every product has the required keys, a known status, a source URL, a lower-case id;
  - its label is one of its own spellings (inn, brands, codes);
  - its targets are target ids, its company and partners are company names, its modality
    is a modality id; every company's parent is a company name (and parents form no loop);
  - no spelling (product label/inn/brands/codes, company name/aliases/former_names/
    contextual, target id/label/aliases, modality label/phrases) is claimed by two
    entries, compared case-folded with dashes and spaces made one separator (the
    matcher's normalisation, minus its capitals rule, so the check is stricter);
  - no product, company or modality spells a string that it lists under `excluded:`.
Warnings (not errors): spellings of 1-3 characters, and one-word spellings that are lower-case
words of /usr/share/dict/words (install wamerican), for products and company names.

Prints counts (products by modality and status, companies, families) and exits 1 on
any error.
"""
import collections
import os
import re
import sys
import unicodedata

import yaml

STATUSES = {"approved", "phase-3", "phase-2", "phase-1", "withdrawn", "discontinued"}
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"


def norm(s):
    s = unicodedata.normalize("NFKC", str(s))
    s = s.replace("\u00ae", "").replace("\u2122", "")
    for d in DASHES:
        s = s.replace(d, " ")
    return " ".join(s.casefold().split())


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    vdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Sources/PharosMatching/Vocabulary")

    def load(name):
        with open(os.path.join(vdir, name), encoding="utf-8") as f:
            data = yaml.safe_load(f)
        if not isinstance(data, list):
            sys.exit(f"{name}: expected a list of entries")
        return data

    targets = load("targets.yaml")
    companies = load("companies.yaml")
    modalities = load("modalities.yaml")
    products = load("products.yaml")

    errors, warnings = [], []
    words = set()
    if os.path.exists("/usr/share/dict/words"):
        with open("/usr/share/dict/words", encoding="utf-8", errors="ignore") as f:
            words = {w.strip() for w in f if w.strip() and w[0].islower() and "'" not in w}
    owner = {}  # normalised spelling -> (file, entry, original)

    def claim(spelling, who):
        if spelling is None or str(spelling).strip() == "":
            errors.append(f"{who}: empty spelling")
            return
        key = norm(spelling)
        prev = owner.get(key)
        if prev is None:
            owner[key] = (who, spelling)
        elif prev[0] != who:
            errors.append(f"spelling {spelling!r} of {who} is also {prev[1]!r} of {prev[0]}")

    # --- targets
    target_ids = set()
    for t in targets:
        tid = t.get("id")
        target_ids.add(tid)
        who = f"target {tid}"
        for s in {tid, t.get("label"), *(t.get("aliases") or [])}:
            if s is not None:
                claim(s, who)

    # --- companies
    company_names = {}
    for c in companies:
        name = c.get("name")
        if not name:
            errors.append(f"companies.yaml: an entry without a name: {c}")
            continue
        if name in company_names:
            errors.append(f"company {name!r} is listed twice")
        company_names[name] = c
    for c in companies:
        name = c.get("name")
        who = f"company {name}"
        spellings = [name, *(c.get("aliases") or []), *(c.get("former_names") or []), *(c.get("contextual") or [])]
        seen = set()
        for s in spellings:
            if norm(s) in seen:
                continue
            seen.add(norm(s))
            claim(s, who)
        excluded = c.get("excluded") or {}
        for s in dict.fromkeys([name, *(c.get("aliases") or []), *(c.get("former_names") or [])]):
            n = norm(s)
            if " " not in n and n in words and s not in excluded:
                warnings.append(f"{who}: {s!r} is in the English word list")
        for k in excluded:
            if norm(k) in {norm(s) for s in [name, *(c.get("aliases") or []), *(c.get("former_names") or [])]}:
                errors.append(f"{who}: {k!r} is both matched and excluded")
        for k in c.get("contextual") or []:
            if k not in excluded:
                warnings.append(f"{who}: contextual {k!r} has no reason under excluded:")
        parent = c.get("parent")
        if parent is not None and parent not in company_names:
            errors.append(f"{who}: parent {parent!r} is not a company name")
        if parent == name:
            errors.append(f"{who}: is its own parent")
    for c in companies:  # loops
        seen, cur = [], c.get("name")
        while cur is not None and cur in company_names:
            if cur in seen:
                errors.append(f"company {c.get('name')}: parent loop {' -> '.join(seen + [cur])}")
                break
            seen.append(cur)
            cur = company_names[cur].get("parent")

    # --- modalities
    modality_ids = set()
    for m in modalities:
        mid = m.get("id")
        if mid in modality_ids:
            errors.append(f"modality {mid!r} is listed twice")
        modality_ids.add(mid)
        who = f"modality {mid}"
        seen = set()
        for s in [m.get("label"), *(m.get("phrases") or [])]:
            if s is None or norm(s) in seen:
                continue
            seen.add(norm(s))
            claim(s, who)
        for k in m.get("excluded") or {}:
            if norm(k) in seen:
                errors.append(f"{who}: {k!r} is both matched and excluded")

    # --- products
    product_ids = set()
    required = ["id", "label", "company", "targets", "modality", "status", "source"]
    for p in products:
        pid = p.get("id")
        who = f"product {pid}"
        for k in required:
            if k not in p:
                errors.append(f"{who}: missing {k}")
        if pid in product_ids:
            errors.append(f"{who}: id listed twice")
        product_ids.add(pid)
        if not isinstance(pid, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid):
            errors.append(f"{who}: id is not lower case with dashes")
        for k in ("inn", "brands", "codes", "partners", "targets"):
            if k in p and not isinstance(p[k], list):
                errors.append(f"{who}: {k} must be a list")
        if p.get("status") not in STATUSES:
            errors.append(f"{who}: unknown status {p.get('status')!r}")
        src = p.get("source")
        if not isinstance(src, str) or not re.match(r"https?://", src):
            errors.append(f"{who}: no source URL")
        if p.get("modality") not in modality_ids:
            errors.append(f"{who}: unknown modality {p.get('modality')!r}")
        for t in p.get("targets") or []:
            if t not in target_ids:
                errors.append(f"{who}: unknown target {t!r}")
        if p.get("company") not in company_names:
            errors.append(f"{who}: company {p.get('company')!r} is not a company name")
        for partner in p.get("partners") or []:
            if partner not in company_names:
                errors.append(f"{who}: partner {partner!r} is not a company name")
            if partner == p.get("company"):
                errors.append(f"{who}: partner {partner!r} is also the company")
        spellings = [*(p.get("inn") or []), *(p.get("brands") or []), *(p.get("codes") or [])]
        norms = [norm(s) for s in spellings]
        if norm(p.get("label", "")) not in norms:
            errors.append(f"{who}: label {p.get('label')!r} is not among its inn, brands or codes")
        dup = [s for s, n in zip(spellings, norms) if norms.count(n) > 1]
        if dup:
            errors.append(f"{who}: spelling listed twice in the entry: {sorted(set(dup))}")
        excluded = p.get("excluded") or {}
        for k in excluded:
            if norm(k) in norms:
                errors.append(f"{who}: {k!r} is both matched and excluded")
        seen = set()
        for s in spellings:
            if norm(s) in seen:
                continue
            seen.add(norm(s))
            claim(s, who)
            n = norm(s)
            if len(n.replace(" ", "")) <= 3:
                warnings.append(f"{who}: short spelling {s!r}")
            elif " " not in n and n in words:
                warnings.append(f"{who}: {s!r} is in the English word list")

    # --- report
    by_mod = collections.Counter(p.get("modality") for p in products)
    by_status = collections.Counter(p.get("status") for p in products)
    children = collections.defaultdict(list)
    for c in companies:
        if c.get("parent"):
            children[c["parent"]].append(c["name"])
    named = {p.get("company") for p in products} | {x for p in products for x in (p.get("partners") or [])}
    print(f"targets: {len(targets)}  modalities: {len(modalities)}  companies: {len(companies)}  products: {len(products)}")
    print("products by modality: " + ", ".join(f"{m} {n}" for m, n in sorted(by_mod.items(), key=lambda x: -x[1])))
    print("products by status:   " + ", ".join(f"{s} {n}" for s, n in sorted(by_status.items(), key=lambda x: -x[1])))
    print(f"companies named by products: {len(named)}; families (parents with children): {len(children)}")
    for parent in sorted(children):
        print(f"  {parent}: {', '.join(sorted(children[parent]))}")
    print(f"spellings checked: {len(owner)}")
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}")
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
