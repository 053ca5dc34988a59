#!/usr/bin/env bash
# Compares what two pharos binaries print for `pharos feed --json` (every file of the feed
# corpora) and `pharos match --json` (examples/inbox, the events corpus and the feed corpora):
# stdout and exit status must be byte-identical, and stderr too once durations and rates are
# masked. For refactorings that must not change behaviour.
#
# Usage: scripts/compare-outputs.sh BEFORE_BINARY AFTER_BINARY [CORPORA_DIR]   (default: ../shared/corpora)
set -euo pipefail
before=$1 after=$2 corpora=${3:-../shared/corpora}
cd "$(dirname "$0")/.."
[ -d "$corpora" ] || { echo "no corpora at $corpora" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() {  # run NAME BINARY ARGS...: stdout, stderr and status of one run into $out/NAME.{out,err,status}
    local name=$1 binary=$2; shift 2
    "$binary" "$@" >"$out/$name.out" 2>"$out/$name.raw" && echo 0 >"$out/$name.status" || echo $? >"$out/$name.status"
    sed -E 's/[0-9]+(\.[0-9]+)? (s|ms|MB\/s)([^A-Za-z]|$)/N \2\3/g' "$out/$name.raw" >"$out/$name.err"
}

same() {  # same NAME: whether the before and after runs printed the same
    cmp -s "$out/a.out" "$out/b.out" && cmp -s "$out/a.err" "$out/b.err" && cmp -s "$out/a.status" "$out/b.status"
}

compared=0 differing=0
check() {  # check ARGS...: one command for both binaries
    run a "$before" "$@"
    run b "$after" "$@"
    compared=$((compared + 1))
    if ! same; then
        differing=$((differing + 1))
        echo "differs: pharos $*"
    fi
}

while IFS= read -r -d '' file; do
    check feed --json --threads 1 "$file"
done < <(find "$corpora" -type f \( -name '*.xml' -o -name '*.rss' -o -name '*.atom' -o -name '*.rdf' -o -name '*.json' \) -print0 | sort -z)

for folder in examples/inbox bench/events/corpus "$corpora"; do
    check match --json --jobs 1 --config config/pharos.yaml "$folder"
    check match --json --explain --jobs 1 --config config/pharos.yaml "$folder"
done

echo "$compared commands compared, $differing differ"
[ "$differing" -eq 0 ]
