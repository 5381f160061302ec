#!/usr/bin/env bash
# Load benchmark of the hotline's public faces (issue 19), against a running release server with
# 1,000,000 seeded tickets on PostgreSQL and on SQLite: Open311 `GET requests.json` (1000 requests
# a page), the same data through GraphQL (`tickets(first: 100)`, its largest page), and a
# district's performance page over all its tickets (rendered each time: --dashboard-cache-secs 0;
# and as served, from its 60-second cache). Prints Markdown rows for BENCHMARKS.md.
#
#   scripts/bench_open311.sh [TICKETS] [SECONDS] [CONCURRENCY]
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
PORT=18089
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
# Every seeded ticket is at most TICKETS seconds old: a period from 30 days ago covers them all.
FROM="$(date -u -d '30 days ago' +%F)"
TO="$(date -u -d 'tomorrow' +%F)"

start() {
  local label="$1" url="$2" cache="$3"
  "$BIN/civitas" serve --listen "127.0.0.1:$PORT" --database-url "$url" --data-dir "$WORK/data" \
    --sweep-interval-secs 3600 --dashboard-cache-secs "$cache" >"$WORK/server-$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
}

stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

load() {
  "$BIN/bench_load" --url "http://127.0.0.1:$PORT/graphql" --concurrency "$CONCURRENCY" \
    --seconds "$SECONDS_PER_RUN" "$@"
}

run_backend() {
  local label="$1" url="$2"
  "$BIN/bench_seed" --database-url "$url" --tickets "$TICKETS" >&2
  start "$label" "$url" 0
  local token items
  token="$("$BIN/civitas" token issue --role operator --subject bench --data-dir "$WORK/data")"
  items="$(curl -s "http://127.0.0.1:$PORT/open311/v2/requests.json?jurisdiction_id=harbour&page_size=1000" | grep -o service_request_id | wc -l)"
  echo "$label: requests.json answers $items requests a page" >&2
  load --label "$label" --operation get --path "/open311/v2/requests.json?jurisdiction_id=harbour&page_size=1000"
  load --label "$label" --operation get --path "/open311/v2/requests.xml?jurisdiction_id=harbour&page_size=1000"
  load --label "$label" --operation list-public --token "$token"
  # One at a time: what one rendering over the district's ~333,000 tickets costs (at 32 in
  # flight, 32 renderings share the two cores and none ends within the run).
  "$BIN/bench_load" --url "http://127.0.0.1:$PORT/graphql" --concurrency 1 --seconds "$SECONDS_PER_RUN" \
    --label "$label (rendered each time)" --operation get --path "/districts/harbour?lang=en&from=$FROM&to=$TO"
  stop
  start "$label" "$url" 60
  load --label "$label (60 s cache)" --operation get --path "/districts/harbour?lang=en&from=$FROM&to=$TO"
  stop
}

echo "| backend | operation | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
DB="civitas_bench_$$"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB" >&2
run_backend "PostgreSQL" "postgres://postgres@127.0.0.1:5432/$DB"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $DB" >&2
mkdir -p "$WORK/sqlite"
run_backend "SQLite" "sqlite://$WORK/sqlite/civitas.db?mode=rwc"
