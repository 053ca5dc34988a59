#!/bin/sh
# Pharos exec sink example: appends each alert (one JSON line on standard input) to a file.
#
# Usage: append_alert.sh FILE
#
# Exit status, as the exec sink reads it:
#   0   the alert was appended (delivered)
#   75  EX_TEMPFAIL: the folder is missing or not writable right now; Pharos retries later
#   65  EX_DATAERR: standard input held no alert; retrying cannot help (dead letter)
set -u
file=${1:?usage: append_alert.sh FILE}

alert=$(cat) || exit 75
if [ -z "$alert" ]; then
    echo "no alert on standard input" >&2
    exit 65
fi
folder=$(dirname -- "$file")
if [ ! -d "$folder" ] || [ ! -w "$folder" ]; then
    echo "cannot write to $folder (missing or read-only); will be retried" >&2
    exit 75
fi
if ! printf '%s\n' "$alert" >>"$file"; then
    echo "cannot append to $file; will be retried" >&2
    exit 75
fi
echo "alert ${PHAROS_ALERT_ID:-?} (rule ${PHAROS_RULE:-?}, sink ${PHAROS_SINK:-?}) appended to $file" >&2
exit 0
