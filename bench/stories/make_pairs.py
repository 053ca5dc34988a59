#!/usr/bin/env python3
"""Writes pairs.jsonl from the story labels in items.jsonl (assigned by reading each page)
and the hand-picked template negatives below. Run once after editing the labels."""
import json, itertools

items = [json.loads(l) for l in open('items.jsonl')]
by_id = {i['id']: i for i in items}
company = lambda i: i['id'].rsplit('-', 1)[0]
pairs = []

# Positives: every two copies labelled with the same story.
for a, b in itertools.combinations(items, 2):
    if a['story'] == b['story']:
        pairs.append(dict(a=a['id'], b=b['id'], same=True, kind='copy',
                          reason=f"same story ({a['story']}): {a['source']} and {b['source']}"))

# Hard negatives, kind 1: the same company's different releases (other day, other event).
for a, b in itertools.combinations(items, 2):
    if company(a) == company(b) and a['story'] != b['story']:
        pairs.append(dict(a=a['id'], b=b['id'], same=False, kind='same-company',
                          reason=f"same company, different news: {a['story']} vs {b['story']}"))

# Hard negatives, kind 2: different companies' items written from one template or boilerplate.
TEMPLATE = [
    ("bcrx-5", "mbrx-7", "same blog template, both 'today announced ... Fast Track' with the yahoo link footer"),
    ("bcrx-5", "syros-1", "same blog template and footer, different company and designation"),
    ("mbrx-7", "syros-1", "same blog template and footer"),
    ("savara-9", "bcrx-5", "same blog template and footer"),
    ("bcrx-2", "motif-1", "Fast Track boilerplate paragraph in both, different companies"),
    ("bcrx-6", "tnx-6", "seekingalpha orphan-drug boilerplate shared word for word"),
    ("bcrx-6", "mito-6", "seekingalpha orphan-drug notes, same layout"),
    ("tnx-6", "mito-6", "seekingalpha orphan-drug notes, same layout"),
    ("dmac-1", "mbrx-3", "seekingalpha Fast Track notes, same layout"),
    ("glsi-4", "bntx-1", "newswire Fast Track briefs with price lines"),
    ("bntx-1", "tnx-3", "MT Newswires briefs, same header format"),
    ("savara-1", "azn-2", "maestrodatabase template ('today announced that the U.S. FDA has granted')"),
    ("savara-1", "mbrx-2", "maestrodatabase template"),
    ("azn-2", "amgen-1", "maestrodatabase template, both Breakthrough Therapy"),
    ("mbrx-2", "mito-7", "maestrodatabase template"),
    ("amgen-1", "savara-1", "maestrodatabase template, both Breakthrough Therapy"),
    ("ptgx-2", "heron-2", "1stOncology quarterly-results template"),
    ("ptgx-2", "casi-4", "1stOncology quarterly-results template"),
    ("heron-2", "casi-4", "1stOncology quarterly-results template"),
    ("heron-2", "isofol-1", "1stOncology quarterly-results template"),
    ("casi-4", "isofol-1", "1stOncology quarterly-results template"),
    ("heron-1", "casi-1", "quarterly-results boilerplate, same day, same wire"),
    ("heron-1", "amph-1", "quarterly-results boilerplate"),
    ("ptgx-1", "amph-1", "quarterly results on ACCESSWIRE, same week"),
    ("ptgx-1", "casi-3", "stocktitan quarterly-results layout"),
    ("casi-1", "ptgx-5", "quarterly results on PR Newswire"),
    ("bcrx-1", "mito-2", "empr drugs-in-the-pipeline template"),
    ("bcrx-1", "bb-1", "empr drugs-in-the-pipeline template"),
    ("mito-2", "bb-1", "empr drugs-in-the-pipeline template"),
    ("tnx-4", "mito-5", "biopharmajournal orphan-drug template, same month"),
    ("mirati-6", "mito-4", "PR Newswire designation releases"),
    ("zydus-7", "syros-1", "orphan drug designation news, different companies"),
    ("zydus-2", "mito-2", "orphan drug designation with FDA 200,000 boilerplate"),
    ("amgen-4", "bcrx-3", "benzinga designation briefs"),
    ("mbrx-8", "glsi-5", "targetedonc Fast Track articles"),
    ("mbrx-1", "glsi-2", "Fast Track designation explainers"),
    ("savara-2", "amgen-2", "fdanews Breakthrough designation briefs"),
    ("azn-5", "motif-1", "StockMarketWire template"),
    ("savara-3", "tnx-5", "oindpnews designation template"),
    ("savara-7", "tnx-5", "oindpnews template"),
]
for a, b, why in TEMPLATE:
    assert by_id[a]['story'] != by_id[b]['story'], (a, b)
    pairs.append(dict(a=a, b=b, same=False, kind='template', reason=why))

with open('pairs.jsonl', 'w') as out:
    for p in pairs:
        out.write(json.dumps(p) + '\n')
print(len(pairs), 'pairs:', sum(p['same'] for p in pairs), 'same,',
      sum(not p['same'] for p in pairs), 'different')
