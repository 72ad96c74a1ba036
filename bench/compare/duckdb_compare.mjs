#!/usr/bin/env node
// DuckDB half of the peer comparison (bench/compare/run.sh); the other systems run in
// bench/compare/compare_bench.cc, whose header defines the data and the workload. This
// file mirrors it exactly (same orders, same probe batches, same JSON shape).
//
// Usage: node bench/compare/duckdb_compare.mjs --rows N [--batches B]
//          [--recompute-batches R] [--ingest-rows K] [--point-queries Q] [--dir DIR (unused)]
//
// DuckDB has no materialized views and no incremental view maintenance: DailySales is a
// table rebuilt with CREATE OR REPLACE TABLE ... AS SELECT ... GROUP BY. So
//   - "incremental" is reported as unsupported (method says so);
//   - "recompute": the first R batches are each followed by that rebuild, timed as
//     write + rebuild + read of the probe group (the later batches are only written);
//   - ingest "with views" is not applicable (nothing is maintained on insert).
// In-memory database (DuckDB has no way to turn off fsync on commit; the other systems run
// with fsync off, so in-memory is the comparable setting), SET threads = 1 (as the other
// single-threaded peers). Ingest uses the Appender, DuckDB's bulk path.
import { performance } from 'node:perf_hooks';
import { DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampTZValue } from '@duckdb/node-api';

const T0 = 1704067200; // 2024-01-01T00:00:00Z, seconds
const STEP = 1000;
const BATCH_ROWS = 100;
const DELETED_PER_CYCLE = 50;
const OPS = ['insert', 'update', 'delete'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];

function parseArgs(argv) {
  const o = { rows: 20000, batches: 300, recomputeBatches: 30, ingestRows: 20000, pointQueries: 1000, dir: '/tmp/parquedb_compare' };
  const keys = { '--rows': 'rows', '--batches': 'batches', '--recompute-batches': 'recomputeBatches', '--ingest-rows': 'ingestRows', '--point-queries': 'pointQueries', '--dir': 'dir' };
  for (let k = 0; k < argv.length; k += 2) {
    const key = keys[argv[k]];
    if (!key || argv[k + 1] === undefined) throw new Error(`bad argument ${argv[k]} (see the header of duckdb_compare.mjs)`);
    o[key] = key === 'dir' ? argv[k + 1] : Number(argv[k + 1]);
  }
  for (const k of ['rows', 'batches', 'recomputeBatches', 'ingestRows', 'pointQueries']) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  if (o.rows < 1000 || o.ingestRows < 1000 || o.batches < 3) throw new Error('--rows/--ingest-rows >= 1000, --batches >= 3');
  o.batches = Math.ceil(o.batches / 3) * 3;
  return o;
}

const pad = (v, w) => String(v).padStart(w, '0');
const centsText = c => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${pad(Math.abs(c) % 100, 2)}`;
const parseCents = s => {
  const neg = s.startsWith('-');
  const [w, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = Number(w || '0') * 100 + Number((f + '00').slice(0, 2));
  return neg ? -v : v;
};
const formatTime = (sec, withTime) => {
  const iso = new Date(sec * 1000).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
};
const round4 = x => Math.round(x * 1e4) / 1e4;

// The generator of compare_bench.cc (MakeOrder), in SQL over range(from, to).
const ORDERS_SQL = (from, to) => `
SELECT 'ord-' || lpad(i::VARCHAR, 10, '0') AS id,
  ['pending', 'paid', 'shipped', 'delivered', 'cancelled'][((i * 2654435761) % 4294967296) % 5 + 1] AS status,
  (((i * 7919 + 13) % 100000)::DECIMAL(10,0) * 0.01)::DECIMAL(10,2) AS total,
  'cust-' || lpad(((i * 48271) % 100000)::VARCHAR, 6, '0') AS customer,
  make_timestamptz((${T0}::BIGINT + (i // ${STEP}) * ${STEP}) * 1000000) AS created_at
FROM range(${from}, ${to}) t(i)`;

// Batch b of the insert / update / delete cycle (Workload in compare_bench.cc).
class Workload {
  constructor(created) { this.created = created; this.cents = []; this.full = { count: 0, cents: 0 }; this.inserts = { count: 0, cents: 0 }; }
  next(b) {
    const op = OPS[b % 3], cycle = Math.floor(b / 3), batch = { op, ids: [], cents: [] };
    if (op === 'insert') this.cents = Array.from({ length: BATCH_ROWS }, (_, k) => 100 + (b * 31 + k * 7) % 10000);
    for (let k = 0; k < (op === 'delete' ? DELETED_PER_CYCLE : BATCH_ROWS); k++) {
      batch.ids.push(`probe-${pad(cycle, 6)}-${pad(k, 3)}`);
      if (op === 'insert') {
        this.full.count++; this.full.cents += this.cents[k]; this.inserts.count++; this.inserts.cents += this.cents[k];
      } else if (op === 'update') {
        this.cents[k] += 100; this.full.cents += 100;
      } else {
        this.full.count--; this.full.cents -= this.cents[k];
      }
      batch.cents.push(this.cents[k]);
    }
    return batch;
  }
  get date() { return formatTime(this.created, false); }
}

function quantile(v, q) {
  if (!v.length) return 0;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.max(Math.ceil(q * s.length), 1) - 1];
}
const latency = ms => (ms.length ? { median_ms: round4(quantile(ms, 0.5)), p99_ms: round4(quantile(ms, 0.99)), max_ms: round4(quantile(ms, 1)), samples: ms.length } : null);
function groupsJson(rows) {
  return rows.map(r => ({ date: r.date, status: r.status, count: Number(r.count), revenue: centsText(parseCents(r.revenue)), avg: round4(Number(r.avg)) }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.status < b.status ? -1 : a.status > b.status ? 1 : 0));
}
async function bestOf3(fn) {
  let best = Infinity;
  for (let r = 0; r < 3; r++) { const t = performance.now(); await fn(); best = Math.min(best, (performance.now() - t) / 1000); }
  return best;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run('SET threads = 1');
  await con.run("SET TimeZone = 'UTC'");
  const q = async sql => (await con.runAndReadAll(sql)).getRowObjectsJson();
  const out = { system: 'duckdb', version: `DuckDB ${(await q('SELECT version() AS v'))[0].v}`, rows: o.rows };

  process.stderr.write(`duckdb: loading ${o.rows} orders\n`);
  let t = performance.now();
  await con.run(`CREATE TABLE orders AS ${ORDERS_SQL(0, o.rows)}`);
  out.load_seconds = round4((performance.now() - t) / 1000);
  out.settings = { threads: 1, storage: 'in-memory', note: 'no materialized views: DailySales is a table rebuilt by CTAS' };

  const refresh = () => con.run(`CREATE OR REPLACE TABLE daily_sales AS SELECT (created_at AT TIME ZONE 'UTC')::DATE AS date, status,
      count(*) AS order_count, sum(total) AS revenue, avg(total)::DOUBLE AS avg_order FROM orders GROUP BY ALL`);
  const result = async () => groupsJson(await q('SELECT date::VARCHAR AS date, status, order_count AS count, revenue::VARCHAR AS revenue, avg_order AS avg FROM daily_sales'));
  process.stderr.write('duckdb: full refresh\n');
  let s = await bestOf3(refresh);
  out.full_refresh = { seconds: round4(s), rows_per_second: Math.round(o.rows / s) };
  const afterLoad = await result();
  out.answers = { after_load: afterLoad };

  process.stderr.write('duckdb: filter view build\n');
  s = await bestOf3(() => con.run("CREATE OR REPLACE TABLE cancelled AS SELECT * FROM orders WHERE status = 'cancelled'"));
  out.filter_build = { seconds: round4(s), rows_per_second: Math.round(o.rows / s) };
  const [c] = await q('SELECT count(*) AS n, coalesce(sum(total), 0)::VARCHAR AS revenue FROM cancelled');
  out.answers.cancelled = { rows: Number(c.n), revenue: centsText(parseCents(c.revenue)) };

  process.stderr.write(`duckdb: ${o.pointQueries} point queries\n`);
  const point = await con.prepare('SELECT order_count::BIGINT AS count, revenue::VARCHAR AS revenue FROM daily_sales WHERE date = $1::DATE AND status = $2');
  const pointMs = [];
  let countSum = 0;
  for (let k = 0; k < o.pointQueries; k++) {
    const g = afterLoad[(k * 7919) % afterLoad.length];
    t = performance.now();
    point.bindVarchar(1, g.date);
    point.bindVarchar(2, g.status);
    const rows = (await point.runAndReadAll()).getRowObjectsJson();
    pointMs.push(performance.now() - t);
    if (rows.length !== 1 || Number(rows[0].count) !== g.count || centsText(parseCents(rows[0].revenue)) !== g.revenue) throw new Error(`point query ${g.date}/${g.status} wrong`);
    countSum += Number(rows[0].count);
  }
  out.point_query = { ...latency(pointMs), order_count_sum: countSum };

  process.stderr.write(`duckdb: ${o.batches} batches (${Math.min(o.batches, o.recomputeBatches)} with a recompute)\n`);
  const w = new Workload(T0 + Math.ceil(o.rows / STEP) * STEP);
  const probe = await con.prepare("SELECT order_count::BIGINT AS count, revenue::VARCHAR AS revenue FROM daily_sales WHERE date = $1::DATE AND status = 'probe'");
  const recomputeMs = [], writeMs = { insert: [], update: [], delete: [] };
  for (let b = 0; b < o.batches; b++) {
    const batch = w.next(b);
    let sql;
    if (batch.op === 'insert') {
      sql = 'INSERT INTO orders VALUES ' + batch.ids.map((id, k) => `('${id}', 'probe', ${centsText(batch.cents[k])}, NULL, '${formatTime(w.created, true)}+00')`).join(',');
    } else {
      sql = (batch.op === 'update' ? 'UPDATE orders SET total = total + 1.00 WHERE id IN (' : 'DELETE FROM orders WHERE id IN (') + batch.ids.map(id => `'${id}'`).join(',') + ')';
    }
    const t0 = performance.now();
    await con.run(sql);
    const t1 = performance.now();
    writeMs[batch.op].push(t1 - t0);
    if (b < o.recomputeBatches) {
      await refresh();
      probe.bindVarchar(1, w.date);
      const rows = (await probe.runAndReadAll()).getRowObjectsJson();
      const got = rows.length ? { count: Number(rows[0].count), cents: parseCents(rows[0].revenue) } : { count: 0, cents: 0 };
      if (got.count !== w.full.count || got.cents !== w.full.cents) throw new Error(`recompute missed batch ${b}`);
      recomputeMs.push(performance.now() - t0);
    }
  }
  out.incremental = {
    method: 'none: DuckDB has no incremental view maintenance (see recompute)', batches: o.batches, rows_per_batch: BATCH_ROWS,
    sees_updates_deletes: null, batches_not_reflected: null, insert: null, update: null, delete: null, all: null,
    write_only: Object.fromEntries(OPS.map(op => [op, latency(writeMs[op])])),
  };
  out.recompute = { method: 'write, then CREATE OR REPLACE TABLE daily_sales AS SELECT ... GROUP BY', batches: Math.min(o.batches, o.recomputeBatches), all: latency(recomputeMs) };
  out.expected_probe = { date: w.date, all_ops: { count: w.full.count, revenue: centsText(w.full.cents) }, inserts_only: { count: w.inserts.count, revenue: centsText(w.inserts.cents) } };
  out.answers.incremental_after_batches = null;
  await refresh();
  out.answers.full_after_batches = await result();

  process.stderr.write(`duckdb: ingest ${o.ingestRows} rows, no views\n`);
  await con.run('CREATE TABLE ing_p AS SELECT * FROM orders LIMIT 0');
  const batches = [];
  for (let b = 0; b < o.ingestRows; b += STEP) {
    const rows = [];
    for (let i = b; i < Math.min(o.ingestRows, b + STEP); i++) {
      rows.push([`ord-${pad(i, 10)}`, STATUSES[((i * 2654435761) % 4294967296) % 5], new DuckDBDecimalValue(BigInt((i * 7919 + 13) % 100000), 10, 2),
        `cust-${pad((i * 48271) % 100000, 6)}`, new DuckDBTimestampTZValue(BigInt(T0 + Math.floor(i / STEP) * STEP) * 1000000n)]);
    }
    batches.push(rows);
  }
  t = performance.now();
  for (const rows of batches) {
    const app = await con.createAppender('ing_p');
    for (const r of rows) {
      app.appendVarchar(r[0]); app.appendVarchar(r[1]); app.appendDecimal(r[2]); app.appendVarchar(r[3]); app.appendTimestampTZ(r[4]);
      app.endRow();
    }
    app.closeSync(); // flushes and commits the batch
  }
  s = (performance.now() - t) / 1000;
  const [n] = await q('SELECT count(*)::BIGINT AS n FROM ing_p');
  if (Number(n.n) !== o.ingestRows) throw new Error('ingest lost rows');
  out.ingest = { no_views: { seconds: round4(s), rows_per_second: Math.round(o.ingestRows / s) }, views: null, views_count: 3, rows: o.ingestRows,
    method: 'one Appender per 1,000-row batch (closed = committed); with views: not applicable (no materialized views)' };
  out.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch(e => { process.stderr.write(`duckdb_compare: ${e.stack || e.message}\n`); process.exit(1); });
