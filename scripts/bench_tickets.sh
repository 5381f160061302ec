#!/usr/bin/env bash
# Load benchmark of the ticket API: submitTicket and tickets(first: 50) against a running
# release server with 1,000,000 seeded tickets, on SQLite and on PostgreSQL, next to a bare
# axum handler measured in the same run. Prints Markdown rows for BENCHMARKS.md.
#
#   scripts/bench_tickets.sh [TICKETS] [SECONDS] [CONCURRENCY]
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS="${1:-1000000}"
SECONDS_PER_RUN="${2:-20}"
CONCURRENCY="${3:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}"
cargo build --release -q -p civitas-graphql -p civitas-examples
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
export CIVITAS_JWT_SECRET="benchmark-secret-benchmark-secret-0123"
PORT=18088
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "| backend | operation | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
"$BIN/bench_load" --ceiling --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "none"

run_backend() {
  local label="$1" url="$2"
  "$BIN/bench_seed" --database-url "$url" --tickets "$TICKETS" >&2
  "$BIN/civitas" serve --listen "127.0.0.1:$PORT" --database-url "$url" --data-dir "$WORK/data" \
    --sweep-interval-secs 3600 >"$WORK/server-$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local token
  token="$("$BIN/civitas" token issue --role operator --subject bench --data-dir "$WORK/data")"
  for operation in list submit; do
    "$BIN/bench_load" --url "http://127.0.0.1:$PORT/graphql" --token "$token" --operation "$operation" \
      --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "$label"
  done
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

mkdir -p "$WORK/sqlite"
run_backend "SQLite" "sqlite://$WORK/sqlite/civitas.db?mode=rwc"

DB="civitas_bench_$$"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB" >&2
run_backend "PostgreSQL" "postgres://postgres@127.0.0.1:5432/$DB"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $DB" >&2
