#!/usr/bin/env python3
"""Writes the hostile-feed set into FOLDER: feeds built to make a parser hold too much.
Usage: generate.py FOLDER [GIB]   (GIB: size of the single-line feed, default 1)"""
import os
import sys

folder = sys.argv[1]
gib = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
os.makedirs(folder, exist_ok=True)
MB = 1 << 20


def write(name, head, body_chunk, repeat, tail):
    with open(os.path.join(folder, name), "w") as out:
        out.write(head)
        for _ in range(repeat):
            out.write(body_chunk)
        out.write(tail)


rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>https://h.example/</link>'
# One item whose description is 256 MB of text, in lines.
write("huge-field.xml", rss + "<item><title>FDA grants RMAT to BCMA CAR-T</title><description>",
      ("BCMA RMAT designation news. " * 36 + "\n"), 256 * MB // 1009, "</description></item></channel></rss>")
# Two million small items.
write("many-items.xml", rss, "".join(
    f"<item><guid>g{i}</guid><title>Item {i} about BCMA</title><description>RMAT news {i}</description></item>\n"
    for i in range(1000)), 2000, "</channel></rss>")
# One item with a million nested elements inside its description.
write("deep-nesting.xml", rss + "<item><title>Deep</title><description>", "<div>", 1_000_000,
      "x" + "</div>" * 1_000_000 + "</description></item></channel></rss>")
# Many fields per item: 100,000 categories of 1 KB each in one item.
write("many-fields.xml", rss + "<item><title>Wide</title>", "<category>" + "c" * 1024 + "</category>", 100_000,
      "</item></channel></rss>")
# GIB of one line: items back to back, no line break anywhere.
item = "<item><title>BCMA RMAT news</title><description>" + "A" * 4000 + "</description></item>"
write("single-line.xml", rss, item, int(gib * 1024 * MB) // len(item), "</channel></rss>")
# GIB of one line in one title: a single text node.
write("single-line-field.xml", rss + "<item><title>", "B" * MB, int(gib * 1024), "</title></item></channel></rss>")
