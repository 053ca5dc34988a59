#!/usr/bin/env python3
"""Which parts of the pharos binary are resident in a running process.

    bench/soak/resident.py PID [BINARY]

Reads /proc/PID/maps and /proc/PID/pagemap (needs root for nothing but the present bit),
finds the resident pages of BINARY's mappings (default: the process's executable), and
prints them by ELF section and, for .text, by the Swift module (or C library) of the
symbol each page starts in. Figures only.
"""
import bisect
import os
import re
import struct
import subprocess
import sys
from collections import Counter

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_pages(pid, path):
    """File offsets (page-aligned) of the resident pages of `path` mapped in `pid`."""
    offsets = set()
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            fields = line.split()
            if len(fields) < 6 or os.path.realpath(fields[5]) != path:
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            file_offset = int(fields[2], 16)
            pagemap.seek(start // PAGE * 8)
            entries = pagemap.read((end - start) // PAGE * 8)
            for index in range(len(entries) // 8):
                (entry,) = struct.unpack_from("<Q", entries, index * 8)
                if entry >> 63:
                    offsets.add((file_offset + index * PAGE, start + index * PAGE))
    return offsets


def sections(binary):
    """(file offset, size, name, address) of every allocated section."""
    result = []
    output = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout
    for line in output.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(\S*A\S*)", line)
        if match:
            name, address, offset, size = match.group(1), int(match.group(2), 16), int(match.group(3), 16), int(match.group(4), 16)
            if size:
                result.append((offset, size, name, address))
    return sorted(result)


MODULE = re.compile(r"^_?\$s(\d+)")


def owner(symbol):
    """A short name for the library a symbol comes from."""
    if symbol.startswith(("$ss", "$sS", "_swift_", "swift_", "$sSo")):
        return "Swift runtime/stdlib"
    match = MODULE.match(symbol)
    if match:
        length = int(match.group(1))
        start = match.end()
        return symbol[start:start + length]
    for prefix, name in (("sqlite3", "sqlite"), ("u_", "ICU"), ("uprv_", "ICU"), ("icu_", "ICU"), ("_ZN6icu_", "ICU"),
                         ("_ZN", "C++"), ("Curl", "curl"), ("curl", "curl"), ("xml", "libxml2")):
        if symbol.startswith(prefix):
            return name
    if re.search(r"_\d\d$", symbol):
        return "ICU"
    return "other C"


def text_owners(binary):
    output = subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True).stdout
    addresses, owners = [], []
    for line in output.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            addresses.append(int(parts[0], 16))
            owners.append(owner(parts[2]))
    return addresses, owners


def main():
    pid = sys.argv[1]
    binary = os.path.realpath(sys.argv[2] if len(sys.argv) > 2 else f"/proc/{pid}/exe")
    pages = resident_pages(pid, binary)
    table = sections(binary)
    offsets = [entry[0] for entry in table]
    by_section = Counter()
    text_pages = []
    for offset, _ in pages:
        index = bisect.bisect_right(offsets, offset) - 1
        name = "headers/other"
        if index >= 0 and offset < table[index][0] + table[index][1]:
            name = table[index][2]
            if name == ".text":
                text_pages.append(table[index][3] + offset - table[index][0])
        by_section[name] += PAGE
    print(f"{binary}: {len(pages) * PAGE / 1048576:.1f} MB resident")
    for name, size in by_section.most_common(12):
        print(f"  {size / 1048576:6.2f} MB  {name}")
    addresses, owners = text_owners(binary)
    by_owner = Counter()
    for address in text_pages:
        index = bisect.bisect_right(addresses, address) - 1
        by_owner[owners[index] if index >= 0 else "?"] += PAGE
    print("  .text by library:")
    for name, size in by_owner.most_common(15):
        print(f"    {size / 1048576:6.2f} MB  {name}")


main()
