#!/usr/bin/env bash
# Makes the archive's zstd dictionary v2 as committed (ArchiveDictionary.v2) and prints it in
# base64: v1's content, with entropy tables from the 190 real news texts of bench/events/corpus.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/Sources/PharosEngine/State/ArchiveDictionary.swift" > "$work/v1.bin" <<'PY'
import re, sys
source = open(sys.argv[1], encoding="utf-8").read()
sys.stdout.buffer.write(re.search(r'static let v1: \[UInt8\] = Array\(#"""\n(.*?)\n"""#', source, re.S).group(1).encode())
PY
cc -O2 -o "$work/make-dictionary" "$root/bench/backtest/make-dictionary.c" -lzstd
"$work/make-dictionary" "$work/v1.bin" "$root"/bench/events/corpus/*.md > "$work/v2.bin"
base64 -w 0 "$work/v2.bin"
echo
