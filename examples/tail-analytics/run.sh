#!/usr/bin/env bash
# Tail analytics demo: a database with the TailEvents stream collection and the
# WorkerLogs / WorkerErrors / WorkerRequests / EndpointMetrics views, fed over HTTP the
# way a Cloudflare Tail Worker forwards its TailItem[] batches.
#   examples/tail-analytics/run.sh PARQUEDB_BINARY DATA_DIR [EVENTS]
# Starts `parquedb serve` on a free loopback port, POSTs the generated batches to
# /ingest/TailEvents, queries the collection and the views, and stops the server.
set -euo pipefail
BIN=$1
DATA=$2
EVENTS=${3:-600}
HERE=$(cd "$(dirname "$0")" && pwd)
TOKEN=demo-$$

rm -rf "$DATA"
mkdir -p "$(dirname "$DATA")"
say() { printf '\n## %s\n' "$*"; }

say "init: TailEvents (parquedb/tail) + 4 views"
"$BIN" --db "$DATA" init --schema "$HERE/schema.json"

BATCHES=$(mktemp)
OUT=$(mktemp)
trap 'rm -f "$BATCHES" "$OUT"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true' EXIT
node "$HERE/generate.mjs" "$EVENTS" 50 >"$BATCHES"

say "serve"
"$BIN" --db "$DATA" serve --port 0 --token "$TOKEN" >"$OUT" &
PID=$!
for _ in $(seq 100); do [ -s "$OUT" ] && break; sleep 0.05; done
PORT=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).port)' "$OUT")
URL=http://127.0.0.1:$PORT
echo "listening on $URL (pid $PID)"
api() {  # METHOD PATH [BODY]
  curl -sS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$URL$2"
  echo
}

say "POST /ingest/TailEvents ($EVENTS events in batches of 50)"
n=0
while IFS= read -r batch; do
  printf '%s' "$batch" | curl -sS -f -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary @- "$URL/ingest/TailEvents"
  n=$((n + 1))
done <"$BATCHES"
echo "$n batches posted"

say "a malformed batch is rejected as a whole, with positions (HTTP 422)"
api POST /ingest/TailEvents '[{"scriptName":"shop-api","outcome":"ok","eventTimestamp":1736928000000},{"scriptName":"shop-api","eventTimestamp":"soon"}]'

say "raw events: exceptions in AMS, newest first"
api POST /collections/TailEvents/find '{"filter":{"outcome":"exception","event.request.cf.colo":"AMS"},"sort":{"eventTimestamp":-1},"limit":3,"project":{"scriptName":1,"eventTimestamp":1,"exceptions":1}}'

say "views"
api GET /views
for v in WorkerErrors WorkerRequests WorkerLogs; do
  say "$v: state, then the first rows"
  api GET "/views/$v/state"
  api POST "/views/$v/find" '{"limit":3}'
done
say "EndpointMetrics (scheduled hourly): refresh now, then the busiest endpoints"
api POST "/views/EndpointMetrics/refresh?full=1" "{}"
api POST /views/EndpointMetrics/find '{"sort":{"requestCount":-1},"limit":5}'

say "stop (SIGTERM)"
kill -TERM "$PID"
wait "$PID"
PID=
echo "server stopped"
say "after restart, from the CLI: events per outcome"
for o in ok exception exceededCpu; do
  printf '%-12s ' "$o"
  "$BIN" --db "$DATA" count TailEvents "{\"outcome\":\"$o\"}"
done
