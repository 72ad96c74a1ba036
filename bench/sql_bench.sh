#!/usr/bin/env bash
# SQL benchmark (issue 7): a dashboard query (GROUP BY scriptName, day with COUNT, AVG,
# MAX, SUM) answered from the collection, routed to a materialized view, and by DuckDB
# over the same live rows (threads=1).
# Usage: bench/sql_bench.sh [ROWS]  (default 1,000,000; expects build/release built, or
# BUILD=other/build/dir; PROJECTION=olap|both|oltp sets ReqHourly's $projection).
# Writes build/bench-results/sql_bench.json; exits 1 if the answers differ.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
OUT=build/bench-results
BIN=${BUILD:-build/release}/bench/sql_bench
if [ ! -x "$BIN" ]; then
  echo "sql_bench.sh: $BIN not found; build first (scripts/dev.sh build)" >&2
  exit 1
fi
mkdir -p "$OUT/sql_bench_tmp"
echo "ParqueDB SQL, $ROWS requests..." >&2
"$BIN" --rows "$ROWS" --dir "$OUT/sql_bench_tmp/db" --export "$OUT/sql_bench_tmp/req.ndjson" \
  ${PROJECTION:+--projection "$PROJECTION"} \
  > "$OUT/sql_bench_parquedb.json"
QUERY=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).query)' "$OUT/sql_bench_parquedb.json")
echo "DuckDB..." >&2
node bench/sql_bench_duckdb.mjs --ndjson "$OUT/sql_bench_tmp/req.ndjson" --query "$QUERY" \
  > "$OUT/sql_bench_duckdb.json"
rm -rf "$OUT/sql_bench_tmp"
node - "$OUT" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const p = JSON.parse(fs.readFileSync(`${dir}/sql_bench_parquedb.json`));
const d = JSON.parse(fs.readFileSync(`${dir}/sql_bench_duckdb.json`));
const num = x => (typeof x === 'string' && /^-?\d/.test(x) && !/T/.test(x) ? Number(x) : x);
const day = x => (typeof x === 'string' ? Date.parse(x.endsWith('Z') ? x : x.replace(' ', 'T') + 'Z') : x);
let same = p.answer.length === d.answer.length;
for (let i = 0; same && i < p.answer.length; i++) {
  const a = p.answer[i], b = d.answer[i];
  for (const k of Object.keys(a)) {
    let x = k === 'day' ? day(a[k]) : num(a[k]), y = k === 'day' ? day(b[k]) : num(b[k]);
    if (typeof x === 'number' && typeof y === 'number') {
      if (Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(y))) same = false;
    } else if (x !== y) same = false;
  }
}
const f = x => Number(x).toFixed(4);
console.log(`rows: ${p.rows}   DuckDB ${d.duckdb_version} (threads=1)   answer rows: ${p.answer.length}`);
console.log(`dashboard query, from the collection   ${f(p.source_seconds)} s`);
console.log(`dashboard query, routed to ReqHourly   ${f(p.routed_seconds)} s   (${p.speedup.toFixed(1)}x faster; ${p.routed_plan.find(l => l.startsWith('engine:'))})`);
console.log(`  (before compaction: superseded view rows ${f(p.routed_uncompacted_seconds)} s)`);
console.log(`DuckDB, same SQL on a loaded table     ${f(d.seconds)} s   (routed vs DuckDB: ${(d.seconds / p.routed_seconds).toFixed(2)}x)`);
console.log(`answers equal: ${same}`);
fs.writeFileSync(`${dir}/sql_bench.json`, JSON.stringify({ parquedb: { ...p, answer: undefined }, duckdb: { ...d, answer: undefined }, answers_equal: same }, null, 2));
if (!same) process.exit(1);
JS
