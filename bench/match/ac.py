#!/usr/bin/env python3
"""The ahocorasick_rs reference for the matcher benchmark.

    python ac.py TERMS CORPUS [--overlapping]

Builds one automaton over the lowercased terms, then for every .txt/.md/.html/.json file
under CORPUS (sorted, like pharos): reads it, decodes UTF-8, lowercases it (str.lower,
i.e. full Unicode case folding of the input, as `pharos match` does), finds matches and
keeps only those on word boundaries (the character before the start and the one after
the end are not alphanumeric, str.isalnum). Counts documents with at least one such
match and the matches themselves.

Match kind: by default MatchKind.LeftmostLongest with non-overlapping matches — the
usual way to use the package, and what the figures in README.md use. A word-bounded term
inside a longer non-word-bounded match is missed that way ("pd-l1x" hides "pd-l1" only
if "pd-l1x" is a term); --overlapping uses MatchKind.Standard with overlapping=True,
which finds every occurrence of every term (slower).

Prints one line: `ac: D documents, B bytes, M matches, K matching documents in S s (R MB/s)`,
where S covers reading, decoding, lowercasing, matching and filtering — not the
automaton build, which is printed separately.
"""

import argparse
import os
import sys
import time

import ahocorasick_rs

EXTENSIONS = (".txt", ".md", ".html", ".json")


def documents(root):
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [s for s in subfolders if not s.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(EXTENSIONS):
                found.append(os.path.join(folder, name))
    found.sort()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("terms")
    parser.add_argument("corpus")
    parser.add_argument("--overlapping", action="store_true")
    args = parser.parse_args()

    with open(args.terms, encoding="utf-8") as handle:
        terms = sorted({line.strip().lower() for line in handle if line.strip()})

    started = time.perf_counter()
    if args.overlapping:
        automaton = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.Standard)
    else:
        automaton = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    build = time.perf_counter() - started

    paths = documents(args.corpus)
    started = time.perf_counter()
    total_bytes = 0
    total_matches = 0
    matching_documents = 0
    find = automaton.find_matches_as_indexes
    overlapping = args.overlapping
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        total_bytes += len(data)
        text = data.decode("utf-8", errors="replace").lower()
        end_of_text = len(text)
        count = 0
        for _, start, end in find(text, overlapping=overlapping):
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < end_of_text and text[end].isalnum():
                continue
            count += 1
        if count:
            matching_documents += 1
            total_matches += count
    seconds = time.perf_counter() - started
    print("ac: %d documents, %d bytes, %d matches, %d matching documents in %.3f s (%.1f MB/s); "
          "build %.1f ms for %d terms (%s)" % (
              len(paths), total_bytes, total_matches, matching_documents, seconds,
              total_bytes / 1e6 / seconds if seconds > 0 else 0, build * 1000, len(terms),
              "standard, overlapping" if overlapping else "leftmost-longest"))


if __name__ == "__main__":
    sys.exit(main())
