#!/usr/bin/env bash
# Tallies every Pabulib file of a directory with every rule that applies to it, as a user would
# (`civitas pb tally`, one process per file and rule, two at a time), and prints one TSV row per
# case — file, rule, status (ok / refused / timeout / failed), seconds, projects selected — then
# a summary on stderr. Each tally gets TIMEOUT seconds (add-one completions can be long).
#
#   scripts/sweep_pabulib.sh DIR [TIMEOUT] [JOBS] > sweep.tsv
#
# The whole public library: `git clone https://github.com/pabulib/pabulib_files` and pass its
# `pb_files/`. Uses $CIVITAS (default: the release build under $CARGO_TARGET_DIR).
set -euo pipefail
DIR="${1:?usage: scripts/sweep_pabulib.sh DIR [TIMEOUT] [JOBS]}"
TIMEOUT="${2:-60}"
JOBS="${3:-2}"
CIVITAS="${CIVITAS:-${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}/release/civitas}"
[ -x "$CIVITAS" ] || { echo "no civitas binary at $CIVITAS (cargo build --release, or set CIVITAS)" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The cases: every file with each rule `pb check` says applies (a file it refuses is one case).
find "$DIR" -maxdepth 1 -type f \( -name '*.pb' -o -name '*.pb.gz' \) | sort > "$WORK/files"
total_files=$(wc -l < "$WORK/files")
echo "listing the rules of $total_files files ..." >&2
while IFS= read -r file; do
  if rules=$("$CIVITAS" pb check --json "$file" 2>/dev/null | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["applicable_rules"]))' 2>/dev/null); then
    for rule in $rules; do printf '%s\t%s\n' "$file" "$rule"; done
  else
    printf '%s\t%s\n' "$file" "-"
  fi
done < "$WORK/files" > "$WORK/cases"
total_cases=$(wc -l < "$WORK/cases")
echo "tallying $total_cases cases, $JOBS at a time, at most ${TIMEOUT}s each ..." >&2

run_case() {
  local file="$1" rule="$2" started ended status selected
  if [ "$rule" = "-" ]; then
    printf '%s\t%s\trefused\t0\t\n' "$(basename "$file")" "$rule"
    return
  fi
  started=$(date +%s.%N)
  if selected=$(timeout "$TIMEOUT" "$CIVITAS" pb tally --rule "$rule" "$file" 2>/dev/null); then
    status=ok
  elif [ $? -eq 124 ]; then
    status=timeout
  else
    status=failed
  fi
  ended=$(date +%s.%N)
  printf '%s\t%s\t%s\t%.3f\t%s\n' "$(basename "$file")" "$rule" "$status" \
    "$(echo "$ended - $started" | bc)" "$(printf '%s' "$selected" | grep -c . || true)"
}
export -f run_case
export CIVITAS TIMEOUT

started=$(date +%s)
printf 'file\trule\tstatus\tseconds\tselected\n'
tr '\t' '\n' < "$WORK/cases" | xargs -d '\n' -n 2 -P "$JOBS" bash -c 'run_case "$0" "$1"' | tee "$WORK/rows"
elapsed=$(( $(date +%s) - started ))
{
  echo "files: $total_files, cases: $total_cases, wall time: ${elapsed}s with $JOBS jobs"
  cut -f3 "$WORK/rows" | sort | uniq -c | sed 's/^/  /'
  echo "per rule (ok / cases, seconds summed):"
  awk -F'\t' '{n[$2]++; if ($3 == "ok") ok[$2]++; s[$2] += $4} END {for (r in n) printf "  %-26s %5d / %5d  %8.1f s\n", r, ok[r], n[r], s[r]}' "$WORK/rows" | sort
} >&2
