#!/usr/bin/env python3
"""Pharos exec source example: turns a local CSV or JSON file into items.

Usage: table_to_items.py FILE

  FILE.csv   one item per row; a header row names the columns (id, title, link,
             published, summary, content, authors, categories, or anything else).
             authors and categories may hold several values separated by ";".
  FILE.json  a list of objects (or {"items": [...]}) with the same keys.

Prints one JSON object per line on standard output, as the exec source expects.
Problems go to standard error; a file that cannot be read exits with status 1, which
makes the poll fail (and Pharos retry later) without losing anything seen before.
"""

import csv
import json
import sys

LIST_COLUMNS = ("authors", "categories")


def rows_from_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            item = {}
            for key, value in row.items():
                if key is None or value is None or value.strip() == "":
                    continue  # empty cells are left out rather than sent as ""
                key = key.strip()
                if key in LIST_COLUMNS:
                    item[key] = [part.strip() for part in value.split(";") if part.strip()]
                else:
                    item[key] = value.strip()
            yield item


def rows_from_json(path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if isinstance(document, dict):
        document = document.get("items", [])
    if not isinstance(document, list):
        raise ValueError("expected a list of objects")
    for entry in document:
        if isinstance(entry, dict):
            yield entry
        else:
            print(f"skipping an entry that is not an object: {entry!r}", file=sys.stderr)


def main():
    if len(sys.argv) != 2:
        print("usage: table_to_items.py FILE.csv|FILE.json", file=sys.stderr)
        return 2
    path = sys.argv[1]
    reader = rows_from_json if path.lower().endswith(".json") else rows_from_csv
    try:
        rows = list(reader(path))
    except (OSError, ValueError, csv.Error) as error:
        print(f"cannot read {path}: {error}", file=sys.stderr)
        return 1
    for row in rows:
        # ensure_ascii=False keeps names readable; one object per line, nothing else.
        print(json.dumps(row, ensure_ascii=False))
    print(f"printed {len(rows)} items from {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
