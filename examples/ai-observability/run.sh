#!/usr/bin/env bash
# AI observability demo: AI SDK requests/generations and evalite runs/scores ingested
# with `parquedb ingest` (NDJSON of the records the middleware/adapter emit), then the
# DailyAIUsage / AIErrors / GeneratedObjects / EvalTrends views and raw queries.
#   examples/ai-observability/run.sh PARQUEDB_BINARY DATA_DIR
set -euo pipefail
BIN=$1
DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
say() { printf '\n## %s\n' "$*"; }
db() { "$BIN" --db "$DATA" "$@"; }

rm -rf "$DATA"
say "init"
db init --schema "$HERE/schema.json"
for k in requests generations runs scores; do node "$HERE/generate.mjs" "$k" 300 >"$TMP/$k.ndjson"; done

say "ingest (each file atomically)"
db ingest AIRequests "$TMP/requests.ndjson"
db ingest Generations "$TMP/generations.ndjson"
db ingest EvalRuns "$TMP/runs.ndjson"
db ingest EvalScores "$TMP/scores.ndjson"

say "a malformed record names its position and field; nothing is stored without --partial"
printf '%s\n' '{"model":"gpt-4o","provider":"openai","requestType":"generate","durationMs":10,"startedAt":1736150400000}' \
  '{"model":"gpt-4o","provider":"openai","requestType":"batch","durationMs":10,"startedAt":1736150400000}' >"$TMP/bad.ndjson"
db ingest AIRequests "$TMP/bad.ndjson" || echo "(exit $?)"
db ingest AIRequests "$TMP/bad.ndjson" --partial

say "raw: failed requests of anthropic models"
db find AIRequests '{"providerId":"anthropic","error":{"$exists":true}}' --project '{"modelId":1,"error":1,"timestamp":1}' --limit 3
say "raw: lowest factuality scores"
db find EvalScores '{"scorerName":"factuality"}' --sort '{"score":1}' --limit 3 --project '{"suiteName":1,"score":1,"runId":1}'

say "views"
for v in DailyAIUsage AIErrors GeneratedObjects EvalTrends; do
  echo "-- $v"
  db find "$v" --limit 3
done
