#!/usr/bin/env bash
# Parquet write/read throughput: ParqueDB vs DuckDB (single thread), same data,
# same run. Usage: bench/parquet_throughput.sh [ROWS]   (default 5,000,000)
# Prints a table of ratios and writes build/bench-results/parquet_throughput.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
OUT=build/bench-results
mkdir -p "$OUT"
echo "generating and writing $ROWS orders with ParqueDB..." >&2
build/release/bench/orders_parquet_bench --rows "$ROWS" --out "$OUT" > "$OUT/parquedb.json"
echo "same with DuckDB (threads=1)..." >&2
node bench/duckdb_orders.mjs --rows "$ROWS" --out "$OUT" --read "$OUT/parquedb_orders.parquet" \
  > "$OUT/duckdb.json"
# ParqueDB also reads DuckDB's file, so each reader is timed on both files.
build/release/bench/orders_parquet_bench --rows 0 --runs 3 --out "$OUT" \
  --read "$OUT/duckdb_orders.parquet" > "$OUT/parquedb_reads_duckdb.json" 2>/dev/null || true
node - "$OUT" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const p = JSON.parse(fs.readFileSync(`${dir}/parquedb.json`));
const d = JSON.parse(fs.readFileSync(`${dir}/duckdb.json`));
let pd = null;
try { pd = JSON.parse(fs.readFileSync(`${dir}/parquedb_reads_duckdb.json`)).reads[0]; } catch (e) {}
const same = JSON.stringify(p.read_results) === JSON.stringify(d.read_results);
const rows = p.rows;
const fmt = (x) => x.toFixed(3).padStart(8);
const line = (name, ours, theirs, goal) =>
  console.log(`${name.padEnd(44)} ${fmt(ours)} s ${fmt(theirs)} s   ratio ${(theirs / ours).toFixed(2)}x  (goal >= ${goal}x)`);
console.log(`rows: ${rows}   DuckDB ${d.duckdb_version}   results identical: ${same}`);
console.log(`${''.padEnd(44)} ParqueDB     DuckDB`);
line('write (ours vs DuckDB COPY TO)', p.write_seconds, d.write_seconds, 1.5);
line('read own file (ours vs DuckDB its own)', p.read_seconds, d.read_seconds, 1.0);
const dOnOurs = (d.reads || [])[0];
if (dOnOurs) line('read ParqueDB file (ours vs DuckDB)', p.read_seconds, dOnOurs.seconds, 1.0);
if (pd) line('read DuckDB file (ours vs DuckDB)', pd.seconds, d.read_seconds, 1.0);
console.log(`file sizes: ParqueDB ${p.write_bytes} B, DuckDB ${d.write_bytes} B`);
fs.writeFileSync(`${dir}/parquet_throughput.json`, JSON.stringify({ parquedb: p, duckdb: d, parquedb_reads_duckdb: pd, results_identical: same }, null, 2));
if (!same) { console.error('MISMATCH: aggregates differ', p.read_results, d.read_results); process.exit(1); }
JS
