#!/usr/bin/env bash
# Budgeting processes (issue 17), on SQLite and PostgreSQL: closing a process with BALLOTS
# ballots (default 100,000) and 100 projects — the tally by mes-cost+greedy and the stored
# outcome, timed inside `budget_seed` — then `castBallot` throughput against a running release
# server: bench_load's `ballot` (an operator casting for a new resident each time, 3 approvals),
# CONCURRENCY in flight for CAST_SECONDS. Prints Markdown rows for BENCHMARKS.md.
#
#   scripts/bench_budget.sh [BALLOTS] [BACKENDS]     # BACKENDS: "sqlite postgres"
#   SKIP_BUILD=1 scripts/bench_budget.sh …           # reuse the release binaries
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
BALLOTS="${1:-100000}"
BACKENDS="${2:-sqlite postgres}"
CONCURRENCY="${CONCURRENCY:-32}"
CAST_SECONDS="${CAST_SECONDS:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}"
[ -n "${SKIP_BUILD:-}" ] || nice -n 10 cargo build --release -q -p civitas-graphql -p civitas-examples
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
export CIVITAS_JWT_SECRET="benchmark-secret-benchmark-secret-0123"
PORT=18090
SERVER_PID=""
PG_DB="civitas_bench_budget"
PG_CREATED=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PG_CREATED" ]; then psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" >&2 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/closes"
: >"$WORK/casts"

run_backend() {
  local label="$1" url="$2"
  local seeded
  seeded="$("$BIN/budget_seed" --database-url "$url" --ballots "$BALLOTS")"
  echo "$label: $seeded" >&2
  echo "| $label | $BALLOTS | 100 | $(grep -o 'in [0-9]* ms' <<<"$seeded" | cut -d' ' -f2) ms | $(grep -o '[0-9]* projects selected' <<<"$seeded" | cut -d' ' -f1) |" >>"$WORK/closes"
  "$BIN/civitas" serve --listen "127.0.0.1:$PORT" --database-url "$url" --data-dir "$WORK/data" \
    --sweep-interval-secs 3600 >"$WORK/server-$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local operator
  operator="$("$BIN/civitas" token issue --role operator --subject bench-op --data-dir "$WORK/data")"
  "$BIN/bench_load" --url "http://127.0.0.1:$PORT/graphql" --token "$operator" --operation ballot \
    --process pbp_2 --first-project 101 --concurrency "$CONCURRENCY" --seconds "$CAST_SECONDS" --label "$label" \
    >>"$WORK/casts"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      mkdir -p "$WORK/sqlite"
      run_backend "SQLite" "sqlite://$WORK/sqlite/civitas.db?mode=rwc"
      ;;
    postgres)
      psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" >&2
      psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $PG_DB" >&2
      PG_CREATED=1
      run_backend "PostgreSQL" "postgres://postgres@127.0.0.1:5432/$PG_DB"
      psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $PG_DB" >&2
      PG_CREATED=""
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done

echo "| backend | ballots | projects | close (tally + stored outcome) | selected |"
echo "|---|---|---|---|---|"
cat "$WORK/closes"
echo
echo "| backend | operation | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
cat "$WORK/casts"
