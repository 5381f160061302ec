#!/usr/bin/env bash
# Tallies every Pabulib file of a directory with every rule that applies to it and prints one
# TSV row per case — file, rule, status (ok / refused / failed), seconds, projects selected,
# error — then a summary on stderr (wall time, per rule: cases that tallied and seconds summed,
# the slowest cases). One `civitas pb sweep` process: each file is read once, the rules of a file
# share their common work (an equal-shares run and its greedy completion), JOBS files at a time.
#
#   scripts/sweep_pabulib.sh DIR [JOBS] > sweep.tsv
#
# The whole public library: `git clone https://github.com/pabulib/pabulib_files` and pass its
# `pb_files/`. Uses $CIVITAS (default: the release build under $CARGO_TARGET_DIR).
set -euo pipefail
DIR="${1:?usage: scripts/sweep_pabulib.sh DIR [JOBS]}"
JOBS="${2:-$(nproc)}"
CIVITAS="${CIVITAS:-${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}/release/civitas}"
[ -x "$CIVITAS" ] || { echo "no civitas binary at $CIVITAS (cargo build --release, or set CIVITAS)" >&2; exit 1; }
exec "$CIVITAS" pb sweep --jobs "$JOBS" "$DIR"
