#!/usr/bin/env bash
# submitTicket throughput with and without a router plugin: a release server on a fresh SQLite
# demo city, loaded by bench_load, first with no plugin, then with the C night-noise router
# installed in every district and configured to route every ticket (each submission then makes
# one plugin call and goes straight to DISPATCHED). Prints Markdown rows for BENCHMARKS.md.
#
#   scripts/bench_plugins.sh [SECONDS] [CONCURRENCY]
#
# Needs clang + wasi-libc (to build the plugin). Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-15}"
CONCURRENCY="${2:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/civitas/target}"
cargo build --release -q -p civitas-graphql -p civitas-examples
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
export CIVITAS_JWT_SECRET="benchmark-secret-benchmark-secret-0123"
PORT=18089
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN/build_plugin" c plugins/examples/night-noise-router/plugin.c --world ticket-router \
  -o "$WORK/router.wasm" --work-dir "$WORK/build" >&2

"$BIN/civitas" serve --demo --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  --sweep-interval-secs 3600 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT/graphql"
token() { "$BIN/civitas" token issue --data-dir "$WORK/data" "$@"; }
OPERATOR="$(token --role operator --subject bench)"

echo "| backend | operation | concurrency | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
"$BIN/bench_load" --url "$URL" --token "$OPERATOR" --operation submit \
  --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "SQLite, no plugin"

# The demo city: district d has categories cat_(10(d-1)+1 .. 10d) and its fifth department,
# Public Order, is dep_(5d). A night window of 00:00-23:59 routes at any hour.
COMPONENT="$(base64 -w0 "$WORK/router.wasm")"
for d in 1 2 3; do
  categories="$(seq $((10 * (d - 1) + 1)) $((10 * d)) | sed 's/^/"cat_/; s/$/"/' | paste -sd, -)"
  config="{\"noise_categories\": [$categories], \"police_department\": \"dep_$((5 * d))\", \"night_start_minute\": 0, \"night_end_minute\": 1439}"
  admin="$(token --role district_admin --district "dst_$d" --subject "admin-$d")"
  python3 - "$URL" "$admin" "dst_$d" "$config" "$COMPONENT" <<'PY' >&2
import json, sys, urllib.request
url, token, district, config, component = sys.argv[1:]
query = ("mutation($d: ID, $c: String, $cfg: String!) { installPlugin(districtId: $d, name: \"night-noise\", "
         "component: $c, config: $cfg, hooks: [TICKET_ROUTER]) { id } }")
body = json.dumps({"query": query, "variables": {"d": district, "c": component, "cfg": config}}).encode()
request = urllib.request.Request(url, body, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
answer = json.load(urllib.request.urlopen(request))
assert "errors" not in answer, answer
print("installed", district, answer["data"]["installPlugin"]["id"])
PY
done

"$BIN/bench_load" --url "$URL" --token "$OPERATOR" --operation submit \
  --concurrency "$CONCURRENCY" --seconds "$SECONDS_PER_RUN" --label "SQLite, C router plugin"

# Every routed submission is a recorded call: show the totals so the run proves the plugin ran.
CITY="$(token --role city_admin --subject bench-city)"
curl -sf -H "Authorization: Bearer $CITY" "http://127.0.0.1:$PORT/metrics" | grep '^civitas_plugin_calls_total' >&2
