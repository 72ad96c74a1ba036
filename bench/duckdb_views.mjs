#!/usr/bin/env node
// DuckDB half of the materialized-view benchmark (bench/views_bench.sh).
//
// Usage: node bench/duckdb_views.mjs --rows N [--dir DIR]
//
// Builds the same N orders as bench/views_bench.cc (untimed, SET threads = 1):
//   id         'ord-' + i zero-padded to 10 digits
//   status     ['pending','paid','shipped','delivered','cancelled'][((i*2654435761) mod 2^32) mod 5]
//   total      DECIMAL(10,2) = cents/100, cents = (i*7919 + 13) mod 100000
//   customer   'cust-' + ((i*48271) mod 100000) zero-padded to 6 digits
//   created_at 2024-01-01 00:00:00 UTC + (i // 1000) * 1000 s
// then times, best of 3, the DailySales view as
//   CREATE OR REPLACE TABLE daily_sales AS SELECT date, status, count(*), sum(total), avg(total)
//   ... GROUP BY ALL
// over (1) the in-memory table and (2) a Parquet file of it (written untimed with COPY,
// in DIR, if given). Prints one JSON object:
//   {rows, duckdb_version, threads, table: {seconds, rows_per_second},
//    parquet: {seconds, rows_per_second}, answer: {groups, order_count, revenue}}
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const T0_MICROS = 1704067200000000n; // 2024-01-01T00:00:00Z
const RUNS = 3;

function parseArgs(argv) {
  const o = { rows: null, dir: null };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = argv[k + 1];
    if (a === '--rows') { o.rows = Number(v); k++; } else if (a === '--dir') { o.dir = v; k++; } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(o.rows) || o.rows < 1) throw new Error('usage: duckdb_views.mjs --rows N [--dir DIR]');
  return o;
}

const BUILD_SQL = n => `
CREATE OR REPLACE TABLE orders AS
SELECT
  'ord-' || lpad(i::VARCHAR, 10, '0') AS id,
  ['pending', 'paid', 'shipped', 'delivered', 'cancelled'][((i * 2654435761) % 4294967296) % 5 + 1] AS status,
  (((i * 7919 + 13) % 100000)::DECIMAL(10,0) * 0.01)::DECIMAL(10,2) AS total,
  'cust-' || lpad(((i * 48271) % 100000)::VARCHAR, 6, '0') AS customer,
  make_timestamptz(${T0_MICROS}::BIGINT + (i // 1000) * 1000 * 1000000) AS created_at
FROM range(${n}) t(i)`;

const VIEW_SQL = from => `
CREATE OR REPLACE TABLE daily_sales AS
SELECT date_trunc('day', created_at)::DATE AS date, status,
       count(*) AS orderCount, sum(total) AS revenue, avg(total) AS avgOrder
FROM ${from} GROUP BY ALL`;

async function bestOf(fn) {
  let best = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run('SET threads = 1');
  await con.run("SET TimeZone = 'UTC'");
  const version = (await con.runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0].v;
  process.stderr.write(`duckdb: building orders (${opts.rows} rows)...\n`);
  await con.run(BUILD_SQL(opts.rows));

  process.stderr.write('duckdb: timing CREATE TABLE AS ... GROUP BY (table)...\n');
  const tableSeconds = await bestOf(() => con.run(VIEW_SQL('orders')));
  const [answer] = (await con.runAndReadAll(
    'SELECT count(*) AS groups, sum(orderCount) AS order_count, sum(revenue)::VARCHAR AS revenue FROM daily_sales',
  )).getRowObjectsJson();

  let parquet = null;
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    const file = resolve(join(opts.dir, 'duckdb_views_orders.parquet'));
    rmSync(file, { force: true });
    await con.run(`COPY orders TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
    process.stderr.write('duckdb: timing CREATE TABLE AS ... GROUP BY (parquet file)...\n');
    const s = await bestOf(() => con.run(VIEW_SQL(`read_parquet('${file.replaceAll("'", "''")}')`)));
    parquet = { seconds: Number(s.toFixed(4)), rows_per_second: Math.round(opts.rows / s) };
    rmSync(file, { force: true });
  }

  const out = {
    rows: opts.rows,
    duckdb_version: version,
    threads: 1,
    table: { seconds: Number(tableSeconds.toFixed(4)), rows_per_second: Math.round(opts.rows / tableSeconds) },
    parquet,
    answer: { groups: Number(answer.groups), order_count: Number(answer.order_count), revenue: answer.revenue },
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch(e => {
  process.stderr.write(`duckdb_views: ${e.stack || e.message}\n`);
  process.exit(1);
});
