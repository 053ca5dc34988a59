#!/usr/bin/env python3
"""Pharos exec source example for `mode: stream`: watches a folder and prints one item
per new *.txt file (first non-empty line = title, the rest = content), then keeps
watching until Pharos stops it.

Usage: watch_folder.py FOLDER [SECONDS]

The item id is the file name, so a file printed again after a restart of this script is
recognised by Pharos and not alerted twice. Write files elsewhere (or under another
name) and move them in: a file is read once, the first time it is seen. Each line is flushed at once: in stream mode
Pharos reads lines as they arrive.
"""

import json
import os
import sys
import time


def item_for(path, name):
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.read().splitlines()
    body = list(lines)
    while body and not body[0].strip():
        body.pop(0)
    title = body.pop(0).strip() if body else name
    return {"id": name, "title": title, "content": "\n".join(body).strip(), "path": path}


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: watch_folder.py FOLDER [SECONDS]", file=sys.stderr)
        return 2
    folder = sys.argv[1]
    interval = float(sys.argv[2]) if len(sys.argv) == 3 else 5.0
    seen = set()
    while True:
        try:
            names = sorted(os.listdir(folder))
        except OSError as error:
            print(f"cannot list {folder}: {error}", file=sys.stderr)
            return 1
        for name in names:
            path = os.path.join(folder, name)
            if name in seen or not name.endswith(".txt") or not os.path.isfile(path):
                continue
            seen.add(name)
            print(json.dumps(item_for(path, name), ensure_ascii=False), flush=True)
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
