#!/usr/bin/env python3
"""bench/soak's fixtures: SOURCES feed files (20 items each) and 1,000 rules built from
Pharos's own vocabularies (target x designation pairs, company rules, keyword rules).
Deterministic. Usage: generate.py WORKDIR REPO SOURCES"""
import os
import random
import re
import sys

work, repo, sources = sys.argv[1], sys.argv[2], int(sys.argv[3])
vocabulary = os.path.join(repo, "Sources/PharosMatching/Vocabulary")
targets = re.findall(r"^- id: (\S+)", open(os.path.join(vocabulary, "targets.yaml")).read(), re.M)
designations = re.findall(r"^- id: (\S+)", open(os.path.join(vocabulary, "designations.yaml")).read(), re.M)
companies = re.findall(r"^- name: (.+)$", open(os.path.join(vocabulary, "companies.yaml")).read(), re.M)
rng = random.Random(20261123)

titles = ["{c} receives {d} designation for its {t}-directed therapy", "{c} reports quarterly results",
          "{c} presents {t} data at ASCO", "{c} announces pricing of public offering"]


def write_feed(source, generation):
    items = []
    for number in range(20):
        serial = generation * 20 + number
        title = rng.choice(titles).format(c=rng.choice(companies), d="Fast Track", t=rng.choice(targets))
        items.append(f"<item><guid>s{source}-{serial}</guid><title>{title}</title>"
                     f"<link>https://example.org/{source}/{serial}</link>"
                     f"<description>{title}. The company said more in its release number {serial}.</description></item>")
    with open(os.path.join(work, f"feeds/feed{source}.xml.tmp"), "w") as out:
        out.write(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Soak {source}</title>{"".join(items)}</channel></rss>')
    os.replace(os.path.join(work, f"feeds/feed{source}.xml.tmp"), os.path.join(work, f"feeds/feed{source}.xml"))


def write_rules():
    os.makedirs(os.path.join(work, "config/rules.d"), exist_ok=True)
    rules = []
    for number in range(1000):
        kind = number % 4
        if kind in (0, 1):
            rules.append(f"- name: r{number}\n  targets: [{targets[number % len(targets)]}]\n"
                         f"  designations: [{designations[(number // 4) % len(designations)]}]\n")
        elif kind == 2:
            rules.append(f"- name: r{number}\n  companies: [\"{companies[number % len(companies)]}\"]\n  within: sentence\n")
        else:
            rules.append(f"- name: r{number}\n  keywords: [\"soak phrase {number}\"]\n  targets: [{targets[(number * 7) % len(targets)]}]\n")
    open(os.path.join(work, "config/rules.d/soak.yaml"), "w").write("".join(rules))


if __name__ == "__main__":
    write_rules()
    os.makedirs(os.path.join(work, "feeds"), exist_ok=True)
    for source in range(sources):
        write_feed(source, 0)
