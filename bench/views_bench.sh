#!/usr/bin/env bash
# Materialized-view benchmark (issue 4): DailySales full refresh next to DuckDB
# CREATE TABLE AS ... GROUP BY (threads=1, same data), latency from a committed
# 100-row batch to a visible streaming view at two table sizes, ingest rows/s with
# 4 streaming views vs none, and $projection olap vs oltp.
# Usage: bench/views_bench.sh [ROWS]   (default 5,000,000; expects build/release built,
# or BUILD=other/build/dir). Env: BATCHES (default 1200), INGEST_ROWS (default 500000),
# PARTS (default a,b,c,d), INGEST_BREAKDOWN=1 (part c: each view alone too).
# Prints a table and writes build/bench-results/views_bench.json. Exits 1 if ParqueDB's
# and DuckDB's DailySales answers differ. See bench/views_bench.cc for what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
OUT=build/bench-results
BIN=${BUILD:-build/release}/bench/views_bench
if [ ! -x "$BIN" ]; then
  echo "views_bench.sh: $BIN not found; build first (scripts/dev.sh build)" >&2
  exit 1
fi
mkdir -p "$OUT/views_bench_tmp"
echo "ParqueDB views, $ROWS orders..." >&2
"$BIN" --rows "$ROWS" --batches "${BATCHES:-1200}" --ingest-rows "${INGEST_ROWS:-500000}" \
  --parts "${PARTS:-a,b,c,d}" ${INGEST_BREAKDOWN:+--ingest-breakdown} --dir "$OUT/views_bench_tmp" > "$OUT/views_bench_parquedb.json"
echo "DuckDB, $ROWS orders..." >&2
node bench/duckdb_views.mjs --rows "$ROWS" --dir "$OUT/views_bench_tmp" > "$OUT/views_bench_duckdb.json"
rm -rf "$OUT/views_bench_tmp"
node - "$OUT" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const p = JSON.parse(fs.readFileSync(`${dir}/views_bench_parquedb.json`));
const d = JSON.parse(fs.readFileSync(`${dir}/views_bench_duckdb.json`));
const f = (x, n = 3) => (x === undefined || x === null ? '-' : Number(x).toFixed(n));
const problems = [];
console.log(`rows: ${p.rows}   DuckDB ${d.duckdb_version} (threads=1)   sync: ${p.sync}   peak RSS ${p.peak_rss_mb} MB`);
if (p.a) {
  const same = JSON.stringify(p.a.answer) === JSON.stringify(d.answer);
  if (!same) problems.push(`DailySales answers differ: ParqueDB ${JSON.stringify(p.a.answer)} DuckDB ${JSON.stringify(d.answer)}`);
  console.log(`(a) DailySales full refresh      ParqueDB ${f(p.a.seconds)} s (${Math.round(p.a.rows_per_second)} rows/s)`);
  console.log(`    DuckDB CTAS GROUP BY, table  ${f(d.table.seconds)} s (${d.table.rows_per_second} rows/s)   ratio ${(d.table.seconds / p.a.seconds).toFixed(2)}x (goal >= 1x)`);
  if (d.parquet) console.log(`    DuckDB CTAS GROUP BY, parquet ${f(d.parquet.seconds)} s (${d.parquet.rows_per_second} rows/s)   ratio ${(d.parquet.seconds / p.a.seconds).toFixed(2)}x`);
  console.log(`    answers identical: ${same} (${d.answer.groups} groups, revenue ${d.answer.revenue})`);
}
for (const k of ['b_small', 'b_large']) {
  const b = p[k];
  if (!b) continue;
  console.log(`(b) 100-row batch -> visible DailySales at ${b.rows} rows (${b.batches} batches): ` +
    `write+visible median ${f(b.write_and_visible.median_ms)} ms p99 ${f(b.write_and_visible.p99_ms)} ms; ` +
    `ack->visible median ${f(b.ack_to_visible.median_ms)} ms p99 ${f(b.ack_to_visible.p99_ms)} ms (goal p99 < 1 ms)`);
  if (b.write_only) console.log('    Write() alone: ' + ['insert', 'update', 'delete'].map(op =>
    `${op} median ${f(b.write_only[op].median_ms)} ms p99 ${f(b.write_only[op].p99_ms)} ms`).join('; '));
}
if (p.c) {
  console.log(`(c) ingest ${p.c.no_views.rows} rows: no views ${p.c.no_views.rows_per_second} rows/s, ` +
    `4 streaming views ${p.c.four_views.rows_per_second} rows/s (ratio ${f(p.c.ratio, 2)})`);
  if (p.c.one_view) console.log('    one view alone: ' + Object.entries(p.c.one_view).map(([k, v]) => `${k} ${v.rows_per_second} rows/s`).join(', '));
}
if (p.d) {
  if (!p.d.supported) console.log(`(d) $projection: unsupported (${p.d.error})`);
  else for (const k of ['olap', 'oltp']) {
    console.log(`(d) $projection ${k}: Get median ${f(p.d[k].get.median_ms)} ms (found ${p.d[k].get_found}/1000), ` +
      `Find customer median ${f(p.d[k].find_customer.median_ms)} ms (${p.d[k].find_rows} rows), ` +
      `group by key median ${f(p.d[k].group_key_lookup.median_ms)} ms, ` +
      `one-month range + aggregate median ${f(p.d[k].month_range_aggregate.median_ms)} ms (${p.d[k].month_range_answer.groups} groups)`);
  }
}
fs.writeFileSync(`${dir}/views_bench.json`, JSON.stringify({ parquedb: p, duckdb: d }, null, 2));
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
JS
