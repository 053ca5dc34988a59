#!/usr/bin/env python3
"""feedparser reference: parse one feed file the way feedparser does by default.

    venv/bin/python fp.py FEED

feedparser.parse reads the file, parses it with expat (through xml.sax), sanitises the HTML
of descriptions, resolves relative links and parses every date. Prints one line: entries,
bozo (not well-formed) and how many entries have a parsed date.
"""
import sys

import feedparser

feed = feedparser.parse(sys.argv[1])
dated = sum(1 for entry in feed.entries if entry.get("published_parsed"))
print("%d entries, bozo %d, %d with a parsed date" % (len(feed.entries), feed.bozo, dated))
