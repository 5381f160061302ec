#!/usr/bin/env bash
# Emails delivered per second to a loopback SMTP server (aiosmtpd, discarding what it gets):
# one `civitas serve` on PostgreSQL, a survey's admin invites N addresses (500 per request),
# and the time from the first invitation to the last message marked SENT is measured.
#   scripts/bench_email.sh [messages]              (default 2000)
# Needs a release build, PostgreSQL on 127.0.0.1 (user postgres), python3 with venv, PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CIVITAS_BIN:-${CARGO_TARGET_DIR:-target}/release/civitas}"
COUNT="${1:-2000}"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install --quiet aiosmtpd==1.4.6
SMTP_PORT=18125
"$WORK/venv/bin/python" -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "127.0.0.1:$SMTP_PORT" &
DB=civitas_bench_email
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
URL="postgres://postgres@127.0.0.1:5432/$DB"
"$BIN" serve --demo --listen 127.0.0.1:18183 --database-url "$URL" --data-dir "$WORK/data" \
  --smtp-url "smtp://127.0.0.1:$SMTP_PORT" > "$WORK/serve.log" 2> "$WORK/serve.err" &
until grep -q "listening on" "$WORK/serve.log" 2>/dev/null; do sleep 0.2; done
ADMIN=$(awk '$1 == "district_admin" { print $2 }' "$WORK/serve.log")
gql() { curl -sf -H "Authorization: Bearer $ADMIN" -H 'content-type: application/json' -d "$1" http://127.0.0.1:18183/graphql; }
name='{"en":"Q","zhHans":"问","zhHant":"問"}'
survey=$(gql '{"query":"mutation($i: CreateSurveyInput!) { createSurvey(input: $i) { id } }","variables":{"i":{"districtId":"dst_1","title":'"$name"',"audience":"EVERYONE","anonymity":"ANONYMOUS","resultsVisibility":"AFTER_CLOSE","questions":[{"key":"q","type":"SINGLE_CHOICE","text":'"$name"',"required":true,"options":[{"key":"yes","text":'"$name"'},{"key":"no","text":'"$name"'}]}]}}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["createSurvey"]["id"])')
gql '{"query":"mutation($id: ID!) { openSurvey(id: $id) { status } }","variables":{"id":"'"$survey"'"}}' > /dev/null
start=$(date +%s.%N)
for ((batch = 0; batch < COUNT; batch += 500)); do
  emails=$(python3 -c "import json; print(json.dumps(['p%d@example.org' % n for n in range($batch, min($batch + 500, $COUNT))]))")
  gql '{"query":"mutation($id: ID!, $e: [String!]!) { inviteToSurvey(surveyId: $id, emails: $e, language: \"en\") { queued } }","variables":{"id":"'"$survey"'","e":'"$emails"'}}' > /dev/null
done
while [ "$(psql -h 127.0.0.1 -U postgres -d $DB -qAtc "SELECT count(*) FROM email_outbox WHERE status = 'SENT'")" -lt "$COUNT" ]; do sleep 0.1; done
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'{$COUNT} messages in {s:.2f} s: {$COUNT/s:.0f} messages/s')"
