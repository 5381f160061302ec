#!/usr/bin/env bash
# Event-to-subscriber latency across two `civitas serve` instances on one PostgreSQL and one
# Redis: changes posted to A at each rate, received by a graphql-ws subscriber of B.
#   scripts/bench_live.sh [changes/s ...]          (default: 100 250 500; 20 s each)
# Needs a release build (cargo build --release -p civitas-graphql), PostgreSQL on 127.0.0.1
# (user postgres), Redis on 127.0.0.1:6379, Node.js with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CIVITAS_BIN:-${CARGO_TARGET_DIR:-target}/release/civitas}"
RATES=("${@:-100 250 500}")
SECONDS_PER_RUN="${SECONDS_PER_RUN:-20}"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB=civitas_bench_live
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
URL="postgres://postgres@127.0.0.1:5432/$DB"
SECRET="bench-secret-bench-secret-bench-secret!!"
PREFIX="civitas-bench-$$"
common=(--database-url "$URL" --data-dir "$WORK/data" --jwt-secret "$SECRET" --redis-url redis://127.0.0.1:6379/ --redis-prefix "$PREFIX" --rate-limit-anonymous off --rate-limit-resident off)
"$BIN" serve --demo --listen 127.0.0.1:18181 "${common[@]}" > "$WORK/a.log" 2> "$WORK/a.err" &
until grep -q "listening on" "$WORK/a.log" 2>/dev/null; do sleep 0.2; done
"$BIN" serve --listen 127.0.0.1:18182 "${common[@]}" > "$WORK/b.log" 2> "$WORK/b.err" &
until grep -q "listening on" "$WORK/b.log" 2>/dev/null; do sleep 0.2; done
TOKEN=$(awk '$1 == "operator" { print $2 }' "$WORK/a.log")
(cd "$WORK" && echo '{"type":"module"}' > package.json && npm install --silent --no-audit --no-fund graphql-ws@6.0.4 ws@8.18.0 graphql@16.9.0)
cp scripts/bench_live.mjs "$WORK/"
for rate in ${RATES[@]}; do
  echo "== $rate changes/s for $SECONDS_PER_RUN s" >&2
  node "$WORK/bench_live.mjs" http://127.0.0.1:18181/graphql ws://127.0.0.1:18182/graphql "$TOKEN" "$rate" "$SECONDS_PER_RUN"
done
