#!/usr/bin/env bash
# What a rate-limit check costs per request: one anonymous mutation that the domain refuses at
# once (`rateTicket` → UNAUTHENTICATED, no statement), loaded with limits off, counted in
# process, and counted in Redis (a limit too high to refuse anything: only the check's cost
# shows beside HTTP and GraphQL).
#   scripts/bench_rate_limits.sh [seconds] [requests in flight]    (default 15 32)
# Needs release builds of civitas and bench_load (cargo build --release -p civitas-graphql
# -p civitas-examples), Redis on 127.0.0.1:6379.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${CARGO_TARGET_DIR:-target}/release"
SECONDS_PER_RUN="${1:-15}"
CONCURRENCY="${2:-32}"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
run() {
  local label=$1; shift
  rm -rf "$WORK/data"
  "$DIR/civitas" serve --demo --listen 127.0.0.1:18184 --data-dir "$WORK/data" "$@" > "$WORK/serve.log" 2> "$WORK/serve.err" &
  local pid=$!
  until grep -q "listening on" "$WORK/serve.log" 2>/dev/null; do sleep 0.2; done
  "$DIR/bench_load" --url http://127.0.0.1:18184/graphql --operation anonymous-mutation \
    --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "$label"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run "limits off" --rate-limit-anonymous off
run "in process (GCRA, governor)" --rate-limit-anonymous 100000000/s
run "in Redis (GCRA, Lua)" --rate-limit-anonymous 100000000/s --redis-url redis://127.0.0.1:6379/ --redis-prefix "civitas-bench-$$"
