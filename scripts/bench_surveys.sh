#!/usr/bin/env bash
# Survey results at scale (issue 16): one open 20-question survey with N seeded responses
# (default 1,000,000), on SQLite and on PostgreSQL, against a running release server:
# `surveyResults` with every question field (1 warm-up, then RUNS timed: min and median), the
# CSV export (`GET /surveys/{id}/responses.csv`) in rows/s, and the server's resident memory
# before the export and at its peak during it (VmHWM, reset just before the export). Prints
# Markdown rows for BENCHMARKS.md.
#
#   scripts/bench_surveys.sh [RESPONSES] [RUNS] [BACKENDS]     # BACKENDS: "sqlite postgres"
#   SKIP_BUILD=1 scripts/bench_surveys.sh …                    # reuse the release binaries
#   KEEP_DB=1 scripts/bench_surveys.sh …                       # keep the PostgreSQL database (EXPLAIN)
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). Everything stays on loopback.
# Then submitSurveyResponse throughput: bench_load's `survey-answer` (an operator answering all
# 20 questions for a new phone number each time), CONCURRENCY in flight for SUBMIT_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
RESPONSES="${1:-1000000}"
RUNS="${2:-5}"
BACKENDS="${3:-sqlite postgres}"
CONCURRENCY="${CONCURRENCY:-32}"
SUBMIT_SECONDS="${SUBMIT_SECONDS:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}"
[ -n "${SKIP_BUILD:-}" ] || nice -n 10 cargo build --release -q -p civitas-graphql -p civitas-examples
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
export CIVITAS_JWT_SECRET="benchmark-secret-benchmark-secret-0123"
PORT=18089
SERVER_PID=""
PG_DB="civitas_bench_surveys"
PG_CREATED=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PG_CREATED" ]; then psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $PG_DB" >&2 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$WORK/submits"

QUERY='query($id: ID!) { surveyResults(surveyId: $id) { responses unauthenticatedResponses questions {
  question answered skipped options { option count share } mean median distribution { value count } nps
  ranking { option averageRank firstPlace } rows { row count mean } } } }'

kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$SERVER_PID/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

run_backend() {
  local label="$1" url="$2"
  local seeded survey seconds
  seeded="$(nice -n 10 "$BIN/survey_seed" --database-url "$url" --responses "$RESPONSES")"
  echo "$label: $seeded" >&2
  survey="$(grep -o 'srv_[0-9]*' <<<"$seeded" | head -1)"
  seconds="$(grep -o '[0-9.]* s$' <<<"$seeded" | cut -d' ' -f1)"
  "$BIN/civitas" serve --listen "127.0.0.1:$PORT" --database-url "$url" --data-dir "$WORK/data" \
    --sweep-interval-secs 3600 >"$WORK/server-$label.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local token body
  token="$("$BIN/civitas" token issue --role city_admin --subject bench --data-dir "$WORK/data")"
  body="$(jq -cn --arg q "$QUERY" --arg id "$survey" '{query: $q, variables: {id: $id}}')"
  local times=() run
  for run in $(seq 0 "$RUNS"); do
    local took
    took="$(curl -sS -o "$WORK/results-$label.json" -w '%{time_total}' -H 'content-type: application/json' \
      -H "authorization: Bearer $token" --data "$body" "http://127.0.0.1:$PORT/graphql")"
    if [ "$run" -gt 0 ]; then times+=("$took"); fi
  done
  local counted
  counted="$(jq -r 'if .errors then "ERROR \(.errors[0].message)" else .data.surveyResults.responses end' \
    "$WORK/results-$label.json")"
  [ "$counted" = "$RESPONSES" ] || { echo "$label: surveyResults returned $counted" >&2; exit 1; }
  local sorted min median
  sorted="$(printf '%s\n' "${times[@]}" | sort -g)"
  min="$(head -1 <<<"$sorted")"
  median="$(sed -n "$(( (${#times[@]} + 1) / 2 ))p" <<<"$sorted")"
  echo "$label surveyResults runs (s): ${times[*]}" >&2

  # The export: peak RSS from here on only (writing 5 to clear_refs resets VmHWM).
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  local before export_seconds bytes lines peak
  before="$(kib VmRSS)"
  read -r export_seconds bytes < <(curl -sS -o >(wc -l >"$WORK/lines-$label") -w '%{time_total} %{size_download}\n' \
    -H "authorization: Bearer $token" "http://127.0.0.1:$PORT/surveys/$survey/responses.csv")
  peak="$(kib VmHWM)"
  sleep 0.5
  lines="$(cat "$WORK/lines-$label")"
  [ "$lines" = "$((RESPONSES + 1))" ] || { echo "$label: the export had $lines lines" >&2; exit 1; }
  local rate
  rate="$(awk -v n="$RESPONSES" -v s="$export_seconds" 'BEGIN { printf "%.0f", n / s }')"
  printf '| %s | %s | %.1f s | %.0f ms | %.0f ms | %.2f s | %s | %.1f MB | %s | %s |\n' "$label" "$RESPONSES" \
    "$seconds" "$(awk -v s="$min" 'BEGIN { print s * 1000 }')" "$(awk -v s="$median" 'BEGIN { print s * 1000 }')" \
    "$export_seconds" "$rate" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$(mib "$before")" "$(mib "$peak")"
  # submitSurveyResponse: an operator answering all 20 questions for a new resident each time
  # (a phone number of its own: the participation key and row of every response are new).
  local operator
  operator="$("$BIN/civitas" token issue --role operator --subject bench-op --data-dir "$WORK/data")"
  "$BIN/bench_load" --url "http://127.0.0.1:$PORT/graphql" --token "$operator" --operation survey-answer \
    --survey "$survey" --concurrency "$CONCURRENCY" --seconds "$SUBMIT_SECONDS" --label "$label" >>"$WORK/submits"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

echo "| backend | responses | seeding | surveyResults min | median | CSV export | rows/s | CSV size | RSS before | peak RSS during export |"
echo "|---|---|---|---|---|---|---|---|---|---|"
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
      if [ -z "${KEEP_DB:-}" ]; then
        psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $PG_DB" >&2
      else
        echo "kept PostgreSQL database $PG_DB (KEEP_DB); drop it when done" >&2
      fi
      PG_CREATED=""
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done

echo
echo "| backend | operation | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
cat "$WORK/submits"
