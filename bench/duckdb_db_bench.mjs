#!/usr/bin/env node
// DuckDB half of the core-database benchmark (see bench/db_bench.cc for the ParqueDB
// and SQLite halves; bench/db_bench.sh runs all of them).
//
// Usage: node bench/duckdb_db_bench.mjs --rows N [--seed S] [--runs R] [--gets G] [--dir DIR]
//
// Generates the same N "Order" rows as db_bench (the generator below is an exact port),
// then, in a fresh file database DIR/duckdb_db_bench_<pid>/orders.duckdb:
//   insert   one appender per batch of 10,000 rows (closing it flushes and commits the
//            batch; DuckDB writes and fsyncs its WAL at each commit), id PRIMARY KEY;
//            rows/s over the appender calls only. The final CHECKPOINT is timed separately
//            (the analogue of ParqueDB's Flush), then the size on disk.
//   finds    the same two queries as db_bench, prepared, results read back as rows
//            (getRows()): one untimed warm-up, R timed runs (default 20), median and p95
//            (nearest rank) in ms, rows and sums of id numbers / cents.
//   get      SELECT ... WHERE id = ? for the same G (default 1,000) ids.
//   update   the same 1,000 updates in one transaction (prepared UPDATE per row), then
//            the same finds again.
// Everything runs with SET threads = 1; the finds are repeated with the default thread
// count and reported as system "duckdb_mt". Prints one JSON object
//   {rows, seed, runs, gets, data, systems: {duckdb, duckdb_mt}}
// whose "data" must equal db_bench's (counts and sums per status of the generated rows).
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBDecimalValue, DuckDBInstance } from '@duckdb/node-api';

const BATCH_ROWS = 10000;
const UPDATES = 1000;
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
const STATUS_CUM_PCT = [15, 40, 60, 90, 100]; // 15/25/20/30/10 %
const CANCELLED = 4;
const SELECTIVE_MIN_CENTS = 98000; // total >= 980.00
const CUSTOMER_QUERY = 'cust-012345';

// ------------------------------------------------------------------ data generator
// Exact port of db_bench.cc: 32-bit arithmetic only (Math.imul, >>> 0).

function mix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const rand = (seed, i, field) => mix32((mix32((i ^ seed) >>> 0) + Math.imul(field, 0x9e3779b9)) >>> 0);

function generate(seed, i) {
  const pct = rand(seed, i, 0) % 100;
  let status = 0;
  while (pct >= STATUS_CUM_PCT[status]) status++;
  return {
    i,
    status,
    cents: rand(seed, i, 1) % 100000,
    customer: rand(seed, i, 2) % 100000,
    region: rand(seed, i, 3) % 20,
    qty: 1 + (rand(seed, i, 4) % 10),
  };
}

const orderId = i => `ord-${String(i).padStart(10, '0')}`;
const customerName = c => `cust-${String(c).padStart(6, '0')}`;
const regionName = r => `region-${String(r).padStart(2, '0')}`;
const idNumber = id => Number(id.slice(4));

function updateAt(seed, rows, k) {
  const stride = Math.floor(rows / UPDATES);
  return {
    i: k * stride + (rand(seed, k, 5) % stride),
    cents: SELECTIVE_MIN_CENTS + (rand(seed, k, 6) % 2000),
    setCustomer: k % 100 === 0,
  };
}
const getTarget = (seed, rows, k) => rand(seed, k, 7) % rows;

// Same shape and key order as db_bench's (nlohmann sorts keys; the driver compares
// the parsed objects).
function dataChecksum(seed, rows) {
  const count = [0, 0, 0, 0, 0], cents = [0, 0, 0, 0, 0];
  let qty = 0, customers = 0, regions = 0;
  for (let i = 0; i < rows; i++) {
    const o = generate(seed, i);
    count[o.status]++;
    cents[o.status] += o.cents;
    qty += o.qty;
    customers += o.customer;
    regions += o.region;
  }
  const status = {};
  for (let s = 0; s < 5; s++) status[STATUSES[s]] = { cents: cents[s], count: count[s] };
  return { status, sum_customer: customers, sum_qty: qty, sum_region: regions };
}

// ------------------------------------------------------------------ timing helpers

function quantile(values, q) { // nearest rank
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.max(Math.ceil(q * v.length), 1) - 1];
}
const round3 = x => Math.round(x * 1000) / 1000;
const latency = ms => ({
  median_ms: round3(quantile(ms, 0.5)), p95_ms: round3(quantile(ms, 0.95)),
  max_ms: round3(quantile(ms, 1)), runs: ms.length,
});

async function timeQuery(runs, fn) {
  const first = await fn();
  const ms = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const q = await fn();
    ms.push(performance.now() - t0);
    if (q.rows !== first.rows || q.id_sum !== first.id_sum) throw new Error('a repeated query returned a different result');
  }
  return { ...latency(ms), rows: first.rows, id_sum: first.id_sum, cents_sum: first.cents_sum };
}

// Rows are [id, status, total, customer, region, qty]; total is a DuckDBDecimalValue.
function summarize(rows) {
  let idSum = 0, centsSum = 0;
  for (const r of rows) {
    idSum += idNumber(r[0]);
    centsSum += Number(r[2].value);
  }
  return { rows: rows.length, id_sum: idSum, cents_sum: centsSum };
}

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function parseArgs(argv) {
  const o = { rows: 1000000, seed: 42, runs: 20, gets: 1000, dir: tmpdir() };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = argv[++k];
    if (v === undefined) throw new Error(`missing value for ${a}`);
    if (a === '--rows') o.rows = Number(v);
    else if (a === '--seed') o.seed = Number(v);
    else if (a === '--runs') o.runs = Number(v);
    else if (a === '--gets') o.gets = Number(v);
    else if (a === '--dir') o.dir = v;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(o.rows) || o.rows < UPDATES || o.rows > 4e9 ||
      !Number.isSafeInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff ||
      !(o.runs >= 1) || !(o.gets >= 1)) {
    throw new Error('usage: duckdb_db_bench.mjs --rows N (>= 1000) [--seed S] [--runs R] [--gets G] [--dir DIR]');
  }
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = join(resolve(opts.dir), `duckdb_db_bench_${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const inst = await DuckDBInstance.create(join(dir, 'orders.duckdb'));
  const con = await inst.connect();
  const scalar = async sql => (await con.runAndReadAll(sql)).getRowsJS()[0][0];
  const defaultThreads = Number(await scalar("SELECT current_setting('threads')"));
  await con.run('SET threads = 1');
  const version = await scalar('SELECT version()');
  await con.run(`CREATE TABLE orders(id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL,
    total DECIMAL(10,2) NOT NULL, customer VARCHAR NOT NULL, region VARCHAR NOT NULL,
    qty INTEGER NOT NULL)`);
  const out = {
    version,
    settings: { threads: 1, default_threads: defaultThreads, total: 'DECIMAL(10,2)', id: 'PRIMARY KEY (ART index)' },
  };

  process.stderr.write(`duckdb: inserting ${opts.rows} rows...\n`);
  const batchMs = [];
  let insertMs = 0;
  for (let start = 0; start < opts.rows; start += BATCH_ROWS) {
    const batch = [];
    for (let i = start; i < Math.min(opts.rows, start + BATCH_ROWS); i++) {
      const o = generate(opts.seed, i);
      batch.push([orderId(i), STATUSES[o.status], new DuckDBDecimalValue(BigInt(o.cents), 10, 2),
        customerName(o.customer), regionName(o.region), o.qty]);
    }
    const t0 = performance.now();
    const app = await con.createAppender('orders');
    for (const r of batch) {
      app.appendVarchar(r[0]);
      app.appendVarchar(r[1]);
      app.appendDecimal(r[2]);
      app.appendVarchar(r[3]);
      app.appendVarchar(r[4]);
      app.appendInteger(r[5]);
      app.endRow();
    }
    app.closeSync(); // flushes and commits the batch
    const dt = performance.now() - t0;
    insertMs += dt;
    batchMs.push(dt);
  }
  let t0 = performance.now();
  await con.run('CHECKPOINT');
  out.flush_seconds = round3((performance.now() - t0) / 1000);
  out.insert = {
    rows: opts.rows, batch_rows: BATCH_ROWS, seconds: round3(insertMs / 1000),
    rows_per_sec: Math.round(opts.rows / (insertMs / 1000)), batch_ms: latency(batchMs),
  };
  out.disk_bytes = dirBytes(dir);

  const cols = 'SELECT id, status, total, customer, region, qty FROM orders';
  const selective = await con.prepare(`${cols} WHERE status = $1 AND total >= $2`);
  selective.bindVarchar(1, STATUSES[CANCELLED]);
  selective.bindDecimal(2, new DuckDBDecimalValue(BigInt(SELECTIVE_MIN_CENTS), 10, 2));
  const customer = await con.prepare(`${cols} WHERE customer = $1`);
  customer.bindVarchar(1, CUSTOMER_QUERY);
  const mt = { settings: { threads: defaultThreads } };
  const finds = async (key, phase) => {
    for (const [threads, target] of [[1, out], [defaultThreads, mt]]) {
      process.stderr.write(`duckdb: finds (${phase}, threads=${threads})...\n`);
      await con.run(`SET threads = ${threads}`);
      target[key] = {
        selective: await timeQuery(opts.runs, async () => summarize((await selective.runAndReadAll()).getRows())),
        customer: await timeQuery(opts.runs, async () => summarize((await customer.runAndReadAll()).getRows())),
      };
    }
    await con.run('SET threads = 1');
  };
  await finds('queries', 'after insert');

  process.stderr.write('duckdb: gets...\n');
  const get = await con.prepare(`${cols} WHERE id = $1`);
  const getMs = [];
  let found = 0;
  for (let k = 0; k < opts.gets; k++) {
    const id = orderId(getTarget(opts.seed, opts.rows, k));
    const g0 = performance.now();
    get.bindVarchar(1, id);
    found += summarize((await get.runAndReadAll()).getRows()).rows;
    getMs.push(performance.now() - g0);
  }
  out.get = { ...latency(getMs), found };

  process.stderr.write('duckdb: update batch...\n');
  const upd = await con.prepare('UPDATE orders SET status = $1, total = $2 WHERE id = $3');
  const updC = await con.prepare('UPDATE orders SET status = $1, total = $2, customer = $4 WHERE id = $3');
  const ups = [];
  for (let k = 0; k < UPDATES; k++) ups.push(updateAt(opts.seed, opts.rows, k));
  t0 = performance.now();
  await con.run('BEGIN TRANSACTION');
  for (const u of ups) {
    const s = u.setCustomer ? updC : upd;
    s.bindVarchar(1, STATUSES[CANCELLED]);
    s.bindDecimal(2, new DuckDBDecimalValue(BigInt(u.cents), 10, 2));
    s.bindVarchar(3, orderId(u.i));
    if (u.setCustomer) s.bindVarchar(4, CUSTOMER_QUERY);
    await s.run();
  }
  await con.run('COMMIT');
  out.update = { n: UPDATES, seconds: round3((performance.now() - t0) / 1000) };
  await finds('queries_after_update', 'after 1,000 updates');

  out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  for (const k of ['insert', 'flush_seconds', 'disk_bytes', 'get', 'update', 'peak_rss_mb']) mt[k] = out[k];
  mt.version = version;
  con.closeSync();
  inst.closeSync();
  rmSync(dir, { recursive: true, force: true });

  const result = {
    rows: opts.rows, seed: opts.seed, runs: opts.runs, gets: opts.gets,
    data: dataChecksum(opts.seed, opts.rows),
    systems: { duckdb: out, duckdb_mt: mt },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return 0;
}

main().then(code => process.exit(code), e => {
  process.stderr.write(`duckdb_db_bench: ${e.stack || e.message}\n`);
  process.exit(1);
});
