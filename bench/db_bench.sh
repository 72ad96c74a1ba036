#!/usr/bin/env bash
# Core-database benchmark: bulk insert rows/s and find latency on N "Order" documents,
# ParqueDB next to SQLite (no secondary index, and with an index on customer) and
# DuckDB, same generated data, same queries.
# Usage: bench/db_bench.sh [ROWS]   (default 1,000,000; expects build/release built, or
# BUILD=other/build/dir)
# Prints a side-by-side table and writes build/bench-results/db_bench.json. Exits 1 if
# the systems' generated data or query answers differ. See bench/db_bench.cc and
# bench/duckdb_db_bench.mjs for what each number measures.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
OUT=build/bench-results
BIN=${BUILD:-build/release}/bench/db_bench
if [ ! -x "$BIN" ]; then
  echo "db_bench.sh: $BIN not found; build first (scripts/dev.sh build)" >&2
  exit 1
fi
mkdir -p "$OUT/db_bench_tmp"
# Separate processes, one after the other: each system gets the machine to itself and
# its own peak RSS.
echo "ParqueDB, $ROWS documents..." >&2
"$BIN" --rows "$ROWS" --systems parquedb --dir "$OUT/db_bench_tmp" > "$OUT/db_bench_parquedb.json"
echo "SQLite, $ROWS rows..." >&2
"$BIN" --rows "$ROWS" --systems sqlite --dir "$OUT/db_bench_tmp" > "$OUT/db_bench_sqlite.json"
echo "DuckDB, $ROWS rows..." >&2
node bench/duckdb_db_bench.mjs --rows "$ROWS" --dir "$OUT/db_bench_tmp" > "$OUT/db_bench_duckdb.json"
rmdir "$OUT/db_bench_tmp" 2>/dev/null || true
node - "$OUT" <<'JS'
const fs = require('fs');
const os = require('os');
const dir = process.argv[2];
const load = name => JSON.parse(fs.readFileSync(`${dir}/db_bench_${name}.json`));
const parts = [load('parquedb'), load('sqlite'), load('duckdb')];
const sys = Object.assign({}, ...parts.map(p => p.systems));
const cols = [
  ['parquedb', 'ParqueDB'], ['sqlite', 'SQLite'], ['sqlite_index', 'SQLite+index'],
  ['duckdb', 'DuckDB 1thr'], ['duckdb_mt', `DuckDB ${sys.duckdb_mt.settings.threads}thr`],
];
const sameData = parts.every(p => JSON.stringify(sortDeep(p.data)) === JSON.stringify(sortDeep(parts[0].data)));
function sortDeep(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map(k => [k, sortDeep(v[k])]));
}
// Every system must return the same rows (count, sum of id numbers, sum of cents).
const mismatches = [];
for (const phase of ['queries', 'queries_after_update']) {
  for (const q of ['selective', 'customer']) {
    const ref = sys.parquedb[phase][q];
    for (const [k] of cols) {
      const r = sys[k][phase][q];
      if (r.rows !== ref.rows || r.id_sum !== ref.id_sum || r.cents_sum !== ref.cents_sum) {
        mismatches.push(`${k} ${phase}.${q}: ${r.rows} rows, id_sum ${r.id_sum}, cents_sum ${r.cents_sum}` +
          ` (ParqueDB: ${ref.rows}, ${ref.id_sum}, ${ref.cents_sum})`);
      }
    }
  }
}
for (const [k] of cols) {
  if (sys[k].get.found !== sys.parquedb.get.found) mismatches.push(`${k} get found ${sys[k].get.found}`);
}

const fmt = (x, d = 1) => (x === undefined || x === null ? '-' : Number(x).toFixed(d));
const mb = b => fmt(b / 1e6, 1);
const ms = (r, d = 3) => `${fmt(r.median_ms, d)} / ${fmt(r.p95_ms, d)}`;
const W0 = 40, W = 17;
const rowsOf = r => `${r.rows}`;
const line = (label, f, shared = false) => {
  let s = label.padEnd(W0), prev = null;
  for (const [k] of cols) {
    const v = f(sys[k], k);
    // '=' marks a number shared with the column to its left (same run).
    s += ((shared && prev !== null && v === prev) ? '=' : v).padStart(W);
    prev = v;
  }
  console.log(s);
};
const rows = parts[0].rows;
const cpu = (os.cpus()[0] || {}).model || 'unknown cpu';
console.log(`rows: ${rows}   ${new Date().toISOString().slice(0, 10)}   ${os.cpus().length} cores (${cpu})` +
  `   SQLite ${sys.sqlite.version}   DuckDB ${sys.duckdb.version}`);
console.log(`generated data identical: ${sameData}   query answers identical: ${mismatches.length === 0}`);
console.log(''.padEnd(W0) + cols.map(([, n]) => n.padStart(W)).join(''));
line('insert, batches of 10k (rows/s)', s => fmt(s.insert.rows_per_sec, 0), true);
line('  per batch median / p95 (ms)', s => ms(s.insert.batch_ms, 1), true);
line('  per batch max (ms)', s => fmt(s.insert.batch_ms.max_ms, 1), true);
line('final flush / checkpoint (s)', s => fmt(s.flush_seconds, 3), true);
line('on disk (MB)', s => mb(s.disk_bytes), true);
line('customer index build (s)', s => (s.index_seconds === undefined ? '-' : fmt(s.index_seconds, 3)));
for (const [phase, title] of [['queries', 'after insert'], ['queries_after_update', 'after 1,000 updates']]) {
  console.log(`finds ${title}, median / p95 (ms):`);
  line(`  status+total (${sys.parquedb[phase].selective.rows} rows)`, s => ms(s[phase].selective));
  line(`  customer (${sys.parquedb[phase].customer.rows} rows)`, s => ms(s[phase].customer));
}
line('get by id, median / p95 (ms)', s => ms(s.get, 3), true);
line('1,000 updates, one batch (s)', s => fmt(s.update.seconds, 3), true);
line('peak RSS of the process (MB)', s => fmt(s.peak_rss_mb, 0), true);
console.log(`ParqueDB: sync=${sys.parquedb.settings.sync}, auto flush every ` +
  `${sys.parquedb.settings.auto_flush_events} writes, ${sys.parquedb.parquet_files} data file(s) after the final flush`);
console.log(`SQLite: journal_mode=${sys.sqlite.settings.journal_mode}, synchronous=FULL, total as INTEGER cents;` +
  ` "SQLite" runs the finds with NOT INDEXED (full scan)`);
console.log(`DuckDB: appender per batch, id PRIMARY KEY, threads=1 except the finds of the last column`);
fs.writeFileSync(`${dir}/db_bench.json`, JSON.stringify({
  rows, date: new Date().toISOString(), machine: { cores: os.cpus().length, cpu, mem_gb: Math.round(os.totalmem() / 2 ** 30) },
  data_identical: sameData, answers_identical: mismatches.length === 0, data: parts[0].data, systems: sys,
}, null, 2));
if (!sameData || mismatches.length) {
  console.error('MISMATCH:', sameData ? '' : 'generated data differs;', mismatches.join('; '));
  process.exit(1);
}
JS
