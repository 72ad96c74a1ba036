#!/usr/bin/env node
// DuckDB half of the Parquet throughput benchmark.
//
// Usage: node bench/duckdb_orders.mjs --rows N --out DIR [--read FILE]...
//
// Builds the deterministic `orders` table in memory (untimed, SET threads=1),
// then times, best of 3:
//   write: COPY orders TO 'DIR/duckdb_orders.parquet' (FORMAT parquet)   (snappy)
//   read:  the aggregate query below over that file
//   reads: the same query over each --read FILE (e.g. ParqueDB's file)
// and prints one JSON object:
//   {rows, duckdb_version, threads, write_seconds, write_bytes, read_seconds, read_results,
//    expected_results, reads: [{file, seconds, results, matches_expected}]}
// Aggregates are canonical strings (see tests/interop/lib/canonical.mjs), keys
// sorted, so the C++ side can check both systems computed the same data. Exits 1 if DuckDB's
// own file does not give expected_results.
//
// Data, for i in [0, N):
//   id          'ord-' + i zero-padded to 10 digits
//   created_at  TIMESTAMP 2024-01-01 00:00:00 + i seconds (microsecond precision)
//   status      ['pending','paid','shipped','delivered','cancelled'][((i*2654435761) mod 2^32) mod 5]
//   total       DECIMAL(10,2) = cents / 100 exactly, cents = (i*7919 + 13) mod 100000
//   customer_id 'cust-' + ((i*48271) mod 100000) zero-padded to 6 digits
import { existsSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { canonDuckDB, formatDecimal, formatMicros } from '../tests/interop/lib/canonical.mjs';

const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
const RUNS = 3;
const T0_MICROS = 1704067200000000n; // 2024-01-01T00:00:00Z

const sqlString = s => `'${String(s).replaceAll("'", "''")}'`;

function parseArgs(argv) {
  const o = { rows: null, out: null, read: [] };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = argv[k + 1];
    if (a === '--rows') { o.rows = Number(v); k++; } else if (a === '--out') { o.out = v; k++; } else if (a === '--read') { o.read.push(v); k++; } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(o.rows) || o.rows < 1 || !o.out) throw new Error('usage: duckdb_orders.mjs --rows N --out DIR [--read FILE]...');
  for (const f of o.read) if (!existsSync(f)) throw new Error(`--read: no such file ${f}`);
  return o;
}

const BUILD_SQL = n => `
CREATE OR REPLACE TABLE orders AS
SELECT
  'ord-' || lpad(i::VARCHAR, 10, '0') AS id,
  make_timestamp(${T0_MICROS}::BIGINT + i * 1000000) AS created_at,
  ['pending', 'paid', 'shipped', 'delivered', 'cancelled'][((i * 2654435761) % 4294967296) % 5 + 1] AS status,
  (((i * 7919 + 13) % 100000)::DECIMAL(10,0) * 0.01)::DECIMAL(10,2) AS total,
  'cust-' || lpad(((i * 48271) % 100000)::VARCHAR, 6, '0') AS customer_id
FROM range(${n}) t(i)`;

const READ_SQL = file => `
SELECT min(id) AS min_id, max(id) AS max_id,
       min(created_at) AS min_created_at, max(created_at) AS max_created_at,
       min(status) AS min_status, max(status) AS max_status,
       sum(total) AS sum_total,
       min(customer_id) AS min_customer_id, max(customer_id) AS max_customer_id
FROM read_parquet(${sqlString(file)})`;

/** The aggregates computed in JS from the definition (exact, BigInt cents). */
function expectedResults(n) {
  let cents = 0n, minC = Infinity, maxC = -Infinity;
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    cents += BigInt((i * 7919 + 13) % 100000);
    const c = (i * 48271) % 100000;
    if (c < minC) minC = c;
    if (c > maxC) maxC = c;
    if (seen.size < 5) seen.add(STATUSES[Number((BigInt(i) * 2654435761n) % 4294967296n) % 5]);
  }
  const st = [...seen].sort();
  const pad = (x, w) => String(x).padStart(w, '0');
  return {
    min_id: `ord-${pad(0, 10)}`, max_id: `ord-${pad(n - 1, 10)}`,
    min_created_at: formatMicros(T0_MICROS), max_created_at: formatMicros(T0_MICROS + BigInt(n - 1) * 1000000n),
    min_status: st[0], max_status: st[st.length - 1],
    sum_total: formatDecimal(cents, 2),
    min_customer_id: `cust-${pad(minC, 6)}`, max_customer_id: `cust-${pad(maxC, 6)}`,
  };
}

async function bestOf(fn) {
  let best = Infinity, last;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    last = await fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { seconds: Number(best.toFixed(4)), value: last };
}

const sameResults = (a, b) => Object.keys(b).every(k => a[k] === b[k]);
// keys sorted, as nlohmann::json (std::map) prints them, so both sides' JSON
// objects compare equal even as strings
const sortedKeys = o => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const outDir = resolve(opts.out);
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, 'duckdb_orders.parquet');

  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run('SET threads = 1');
  await con.run("SET TimeZone = 'UTC'");
  const version = (await con.runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0].v;

  process.stderr.write(`building orders (${opts.rows} rows)...\n`);
  await con.run(BUILD_SQL(opts.rows));

  const query = async file => {
    const [row] = (await con.runAndReadAll(READ_SQL(file))).getRowObjects();
    return sortedKeys(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(canonDuckDB(v))])));
  };

  process.stderr.write('timing write...\n');
  const write = await bestOf(async () => {
    rmSync(outFile, { force: true });
    await con.run(`COPY orders TO ${sqlString(outFile)} (FORMAT parquet)`);
  });
  process.stderr.write('timing read...\n');
  const read = await bestOf(() => query(outFile));
  const expected = sortedKeys(expectedResults(opts.rows));

  const reads = [];
  for (const f of opts.read) {
    process.stderr.write(`timing read of ${f}...\n`);
    const r = await bestOf(() => query(resolve(f)));
    reads.push({ file: resolve(f), seconds: r.seconds, results: r.value, matches_expected: sameResults(r.value, expected) });
  }

  const out = {
    rows: opts.rows,
    duckdb_version: version,
    threads: 1,
    write_seconds: write.seconds,
    write_bytes: statSync(outFile).size,
    read_seconds: read.seconds,
    read_results: read.value,
    expected_results: expected,
    reads,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  if (!sameResults(read.value, expected)) {
    process.stderr.write('duckdb_orders: DuckDB results differ from the expected aggregates\n');
    return 1;
  }
  return 0;
}

main().then(code => process.exit(code), e => {
  process.stderr.write(`duckdb_orders: ${e.message}\n`);
  process.exit(1);
});
