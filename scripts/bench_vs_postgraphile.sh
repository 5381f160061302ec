#!/usr/bin/env bash
# Side-by-side load benchmark of Civitas and PostGraphile 4.14.1 over the same data on the same
# PostgreSQL, in one run. Prints a Markdown table of medians for BENCHMARKS.md.
#
#   scripts/bench_vs_postgraphile.sh [TICKETS] [SECONDS] [RUNS]      # defaults 1000000 20 3
#   PROFILE=debug scripts/bench_vs_postgraphile.sh 20000 3 1           # a quick check of the script
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth; pgbench and psql on PATH), npm
# (reachable registry) and python3. Everything else stays on loopback.
#
# What it does:
# - builds the release binaries (debug ones with PROFILE=debug: for checking the script only);
# - installs postgraphile@4.14.1 with npm into a temporary folder (no global install);
# - creates a database, seeds it with `bench_seed` (TICKETS tickets, codes B-1 to B-TICKETS;
#   district 2's are all dispatched, to departments 6-10), then copies it with CREATE DATABASE
#   … TEMPLATE before either server has connected, so that PostGraphile serves its own copy of
#   identical data. tickets.code is UNIQUE (migration m20261123_000002; checked here), which
#   gives PostGraphile `ticketByCode`; tickets.department_id has no foreign key, so the copy gets
#   a smart comment (`@foreignKey`, nothing enforced in PostgreSQL) for `departmentByDepartmentId`;
# - starts `civitas serve` (operator token from `civitas token issue`; operators see every
#   ticket) and one PostGraphile process (NODE_ENV=production, --disable-query-log
#   --disable-graphiql, no --watch, --max-pool-size 16 like Civitas' PostgreSQL pool). One Node
#   process, no --cluster-workers: PostGraphile's default; on 2 cores PostgreSQL and the load
#   generator need the other one, and Civitas' runtime may use both, which is part of what is
#   compared;
# - RUNS rounds of reads, then RUNS rounds of creates (created tickets are the newest and have
#   no department: made first, they would replace the seeded ones on every later list page).
#   In each, operation by operation, at 32 then 8 requests in flight, Civitas then PostGraphile,
#   `bench_load` for SECONDS after 2 s of warm-up:
#     district-list  Civitas `tickets(first: 50, filter: {districtId: "dst_2"})`, PostGraphile
#                    `allTickets(first: 50, orderBy: ID_DESC, condition: {districtId: "2"})`
#                    (BigInt is a string there); code, status, district and department name
#                    (`districtByDistrictId { nameEn }`, `departmentByDepartmentId { nameEn }`);
#     by-code        `ticketByCode(code:)` on both, id code status title description; the codes
#                    B-1..B-TICKETS, scattered by a multiplicative hash of the request number;
#     submit         Civitas `submitTicket` (one transaction: code from a sequence, ticket,
#                    timeline entry, outbox event), PostGraphile `createTicket` (one INSERT of every NOT
#                    NULL column, a code of its own per request), returning id and code;
#   every answer is checked (no `errors`, the data asked for present) or counted as an error;
# - in each round of reads, pgbench on the statement Civitas sends for one district-list page
#   once its directory cache knows the district and departments (core/src/directory/cache.rs;
#   before issue 20 a page was this and two more statements reading their names), as
#   PostgreSQL logged it (log_min_duration_statement = 0, prepared by sqlx, no transaction):
#     SELECT "tickets"."id", … (all 34 columns) FROM "tickets" WHERE "tickets"."district_id"
#     = $1 ORDER BY "tickets"."id" DESC LIMIT $2   -- 2, 51 (first + 1); no visibility
#     condition for an operator (core/src/tickets/query.rs);
#   `-M prepared -c 32 -j 2 -T SECONDS`, one transaction = one page: what PostgreSQL alone
#   serves of that page, a bound for any GraphQL server on top. (Civitas' background workers
#   also poll domain_events, event_cursors and email_outbox; those are not part of a page);
# - the bare axum ceiling (`bench_load --ceiling`, 32 in flight) in each round of reads;
# - cleans up on exit, failure included: stops both servers, drops both databases.
#
# Table: medians over the rounds of requests/s and of p99; ratio = Civitas / PostGraphile
# requests/s; errors = PostGraphile / Civitas, summed over the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS="${1:-1000000}"
SECONDS_PER_RUN="${2:-20}"
RUNS="${3:-3}"
PROFILE="${PROFILE:-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}"
case "$PROFILE" in
  release) cargo build --release -q -p civitas-graphql -p civitas-examples; BIN="$CARGO_TARGET_DIR/release" ;;
  debug) cargo build -q -p civitas-graphql -p civitas-examples; BIN="$CARGO_TARGET_DIR/debug" ;;
  *) echo "PROFILE must be release or debug, not $PROFILE" >&2; exit 2 ;;
esac

WORK="$(mktemp -d)"
export CIVITAS_JWT_SECRET="benchmark-secret-benchmark-secret-0123"
CIVITAS_PORT=18091
POSTGRAPHILE_PORT=18092
DB="civitas_vs_pg_$$"
COPY="${DB}_postgraphile"
PG="postgres://postgres@127.0.0.1:5432"
CIVITAS_PID=""
POSTGRAPHILE_PID=""
sql() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
stop() { if [ -n "$1" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi; }
cleanup() {
  local status=$?
  stop "$CIVITAS_PID"
  stop "$POSTGRAPHILE_PID"
  PGOPTIONS="-c client_min_messages=warning" sql -d postgres -c "DROP DATABASE IF EXISTS $COPY WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >&2 || true
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      if [ -f "$log" ]; then echo "--- $log" >&2; tail -n 20 "$log" >&2; fi
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wait_for() { # url name
  for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "$2 did not start" >&2
  return 1
}
for port in "$CIVITAS_PORT" "$POSTGRAPHILE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is in use" >&2; exit 1; fi
done

echo "installing postgraphile@4.14.1" >&2
npm install --prefix "$WORK/pg" --no-audit --no-fund --loglevel=error postgraphile@4.14.1 >&2

echo "seeding $TICKETS tickets" >&2
sql -d postgres -c "CREATE DATABASE $DB"
"$BIN/bench_seed" --database-url "$PG/$DB" --tickets "$TICKETS" >&2
unique_code="$(sql -d "$DB" -c "SELECT count(*) FROM pg_index i JOIN pg_attribute a
  ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = 'tickets'::regclass AND i.indisunique AND i.indnatts = 1 AND a.attname = 'code'")"
if [ "$unique_code" = 0 ]; then
  sql -d "$DB" -c "ALTER TABLE tickets ADD CONSTRAINT tickets_code_key UNIQUE (code)"
fi
# Neither server has connected yet: the template has no sessions.
sql -d postgres -c "CREATE DATABASE $COPY TEMPLATE $DB"
# tickets.department_id has no foreign key (it is checked by the domain), so PostGraphile would
# not see the relation: a smart comment (PostGraphile's virtual foreign key; nothing checked or
# indexed in PostgreSQL) gives it `departmentByDepartmentId`.
sql -d "$COPY" -c "COMMENT ON TABLE tickets IS E'@foreignKey (department_id) references departments (id)'"

"$BIN/civitas" serve --listen "127.0.0.1:$CIVITAS_PORT" --database-url "$PG/$DB" --data-dir "$WORK/data" \
  --sweep-interval-secs 3600 >"$WORK/civitas.log" 2>&1 &
CIVITAS_PID=$!
NODE_ENV=production "$WORK/pg/node_modules/.bin/postgraphile" -c "$PG/$COPY" --host 127.0.0.1 \
  --port "$POSTGRAPHILE_PORT" --disable-query-log --disable-graphiql --max-pool-size 16 \
  >"$WORK/postgraphile.log" 2>&1 &
POSTGRAPHILE_PID=$!
wait_for "http://127.0.0.1:$CIVITAS_PORT/healthz" civitas
wait_for "http://127.0.0.1:$POSTGRAPHILE_PORT/graphql" postgraphile
TOKEN="$("$BIN/civitas" token issue --role operator --subject bench --data-dir "$WORK/data")"

RESULTS="$WORK/results.tsv"
load() { # target operation concurrency
  local url token=""
  if [ "$1" = civitas ]; then url="http://127.0.0.1:$CIVITAS_PORT/graphql" token="$TOKEN"
  else url="http://127.0.0.1:$POSTGRAPHILE_PORT/graphql"; fi
  local row
  row="$("$BIN/bench_load" --target "$1" --url "$url" --token "$token" --operation "$2" --concurrency "$3" \
    --seconds "$SECONDS_PER_RUN" --codes "$TICKETS" --label "$1")"
  echo "$row" >&2
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$row" >>"$RESULTS"
}

# The statement Civitas sends for one list page (see the header).
pgbench_round() {
  {
    echo '\set district 2'
    echo '\set limit 51'
    echo 'SELECT "tickets"."id", "tickets"."code", "tickets"."channel", "tickets"."district_id", "tickets"."street_id", "tickets"."category_id", "tickets"."title", "tickets"."description", "tickets"."address", "tickets"."latitude", "tickets"."longitude", "tickets"."reporter_subject", "tickets"."intake_subject", "tickets"."contact_name", "tickets"."contact_phone", "tickets"."contact_email", "tickets"."contact_language", "tickets"."priority", "tickets"."status", "tickets"."department_id", "tickets"."respond_by_ms", "tickets"."resolve_by_ms", "tickets"."accepted_at_ms", "tickets"."resolved_at_ms", "tickets"."closed_at_ms", "tickets"."escalation_level", "tickets"."rating_score", "tickets"."rating_comment", "tickets"."merged_into_id", "tickets"."reopen_count", "tickets"."version", "tickets"."created_at_ms", "tickets"."updated_at_ms", "tickets"."tracking_token_hash" FROM "tickets" WHERE "tickets"."district_id" = :district ORDER BY "tickets"."id" DESC LIMIT :limit;'
  } >"$WORK/list.sql"
  pgbench -h 127.0.0.1 -U postgres -n -M prepared -c 32 -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/list.sql" "$DB" \
    >"$WORK/pgbench.log" 2>&1
  local tps
  tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$WORK/pgbench.log")"
  [ -n "$tps" ] || { cat "$WORK/list.sql" "$WORK/pgbench.log" >&2; return 1; }
  echo "pgbench: $tps pages/s" >&2
  printf 'pgbench\t-\t32\t%s\n' "$tps" >>"$RESULTS"
}

# Reads first, every round; the creates afterwards, so that every list page read is one of
# seeded, dispatched tickets on both sides (created tickets are newest, and have no department).
for run in $(seq 1 "$RUNS"); do
  echo "round $run of $RUNS (reads)" >&2
  for operation in district-list by-code; do
    for concurrency in 32 8; do
      load civitas "$operation" "$concurrency"
      load postgraphile "$operation" "$concurrency"
    done
  done
  pgbench_round
  row="$("$BIN/bench_load" --ceiling --concurrency 32 --seconds "$SECONDS_PER_RUN" --label none)"
  echo "$row" >&2
  printf 'ceiling\t-\t32\t%s\n' "$row" >>"$RESULTS"
done
for run in $(seq 1 "$RUNS"); do
  echo "round $run of $RUNS (creates)" >&2
  for concurrency in 32 8; do
    load civitas submit "$concurrency"
    load postgraphile submit "$concurrency"
  done
done

python3 - "$RESULTS" "$RUNS" "$TICKETS" "$SECONDS_PER_RUN" "$PROFILE" <<'PYTHON'
import statistics
import sys

path, runs, tickets, seconds, profile = sys.argv[1:]
rows = {}
for line in open(path):
    target, operation, concurrency, row = line.rstrip("\n").split("\t")
    rows.setdefault((target, operation, concurrency), []).append(row)

def measured(key):
    """Median requests/s, median p99 (ms) and total errors of bench_load's rows."""
    cells = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows.get(key, [])]
    if not cells:
        return None
    rps = statistics.median(float(c[3]) for c in cells)
    p99 = statistics.median(float(c[5].split()[0]) for c in cells if c[5] != "n/a") if any(c[5] != "n/a" for c in cells) else float("nan")
    return rps, p99, sum(int(c[6]) for c in cells)

names = {"district-list": "list 50 tickets of a district (+ names)", "by-code": "ticket by code", "submit": "create a ticket"}
print(f"{tickets} tickets, {seconds} s per measurement, medians of {runs} round(s), {profile} build")
print()
print("| operation | concurrency | PostGraphile rps (p99) | Civitas rps (p99) | ratio | errors |")
print("|---|---|---|---|---|---|")
for operation, name in names.items():
    for concurrency in ("32", "8"):
        pg, civ = measured(("postgraphile", operation, concurrency)), measured(("civitas", operation, concurrency))
        ratio = f"{civ[0] / pg[0]:.2f}×" if pg[0] > 0 else "n/a"
        print(f"| {name} | {concurrency} | {pg[0]:.0f} ({pg[1]:.2f} ms) | {civ[0]:.0f} ({civ[1]:.2f} ms) | {ratio} | {pg[2]} / {civ[2]} |")
print()
tps = statistics.median(float(row) for row in rows[("pgbench", "-", "32")])
print(f"pgbench, Civitas' list-page statement (-M prepared -c 32 -j 2): {tps:.0f} pages/s")
ceiling = measured(("ceiling", "-", "32"))
print(f"bare axum handler (bench_load --ceiling, 32 in flight): {ceiling[0]:.0f} rps ({ceiling[1]:.2f} ms p99), {ceiling[2]} errors")
PYTHON
