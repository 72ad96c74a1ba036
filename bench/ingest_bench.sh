#!/usr/bin/env bash
# Stream ingestion throughput: TailItem[] batches of 100 events (tail-analytics
# generator) into TailEvents with the four tail views in the schema, (1) through the
# library (bench/ingest_bench.cc) and (2) over HTTP: `parquedb serve` on loopback,
# 4 concurrent clients POSTing /ingest/TailEvents. Not a test.
#   bench/ingest_bench.sh [EVENTS=100000] [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-100000}
BUILD=${2:-build/release}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true' EXIT
node examples/tail-analytics/generate.mjs "$EVENTS" 100 >"$WORK/batches.ndjson"
echo "== ingest bench: $EVENTS tail events, batches of 100"
"$BUILD/bench/ingest_bench" examples/tail-analytics/schema.json "$WORK/batches.ndjson" "$WORK/lib_db"

"$BUILD/src/tools/parquedb" --db "$WORK/http_db" init --schema examples/tail-analytics/schema.json >/dev/null
"$BUILD/src/tools/parquedb" --db "$WORK/http_db" serve --port 0 >"$WORK/serve.out" &
PID=$!
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
PORT=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).port)' "$WORK/serve.out")
node - "$PORT" "$WORK/batches.ndjson" <<'JS'
const [port, file] = process.argv.slice(2);
const batches = require('fs').readFileSync(file, 'utf8').split('\n').filter(Boolean);
(async () => {
  let next = 0, events = 0;
  const t0 = process.hrtime.bigint();
  async function client() {
    while (next < batches.length) {
      const body = batches[next++];
      const res = await fetch(`http://127.0.0.1:${port}/ingest/TailEvents`, { method: 'POST', body,
        headers: { 'Content-Type': 'application/json' } });
      const json = await res.json();
      if (res.status !== 200) throw new Error(JSON.stringify(json));
      events += json.accepted;
    }
  }
  await Promise.all([client(), client(), client(), client()]);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ mode: 'http', clients: 4, events, seconds: +secs.toFixed(3), events_per_sec: Math.round(events / secs) }));
})().catch((e) => { console.error(e); process.exit(1); });
JS
kill -TERM "$PID"
wait "$PID"
PID=
