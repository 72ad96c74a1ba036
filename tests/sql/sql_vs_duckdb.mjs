// Differential test: ParqueDB SQL (`parquedb sql`) vs DuckDB on the same live rows.
//
//   node sql_vs_duckdb.mjs PARQUEDB_BIN SCRATCH_DIR [--queries N] [--seed S]
//
// Builds a database with the CLI (inserts in several flushed batches, then updates
// and deletes, so data files hold superseded versions and tombstones), exports the
// live rows with `parquedb find` as NDJSON, loads them into DuckDB with typed
// columns, then runs N seeded random queries (filters with NULLs, IN, BETWEEN,
// LIKE, AND/OR/NOT, CASE, arithmetic, string functions, GROUP BY + aggregates +
// HAVING, ORDER BY with NULLS FIRST/LAST, LIMIT/OFFSET) on both and compares the
// rows: in order when the query has ORDER BY (generated to be deterministic),
// as multisets otherwise; numbers with a relative tolerance of 1e-9, timestamps by
// instant. Statements the router answers from the view EvDaily (EXPLAIN says so) are
// run both ways and both must match DuckDB. Exit 1 on any difference, or when DuckDB
// rejects too many queries (a sign the generator drifted).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [bin, scratch, ...rest] = process.argv.slice(2);
if (!bin || !scratch) {
  console.error('usage: sql_vs_duckdb.mjs PARQUEDB_BIN SCRATCH_DIR [--queries N] [--seed S]');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = rest.indexOf(name);
  return i >= 0 ? Number(rest[i + 1]) : dflt;
};
const NQ = opt('--queries', 400);
const SEED = opt('--seed', 20261124);

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(SEED);
const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = arr => arr[Math.floor(rnd() * arr.length)];
const chance = p => rnd() < p;

const db = join(scratch, 'db');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

function cli(args, input) {
  const r = spawnSync(bin, ['--db', db, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return r;
}
function cliOk(args, input) {
  const r = cli(args, input);
  if (r.status !== 0) {
    console.error(`parquedb ${args.join(' ')} failed: ${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
}

// ---- data ----
const schema = {
  Ev: {
    name: 'string!',
    category: 'string?',
    amount: 'decimal(10,2)?',
    qty: 'int?',
    score: 'float?',
    flag: 'boolean?',
    ts: 'timestamp?',
    meta: 'variant?',
  },
  // Aggregated view the router may answer group queries from (results must not change).
  EvDaily: {
    $from: 'Ev',
    $groupBy: ['category', 'flag', { day: '$ts' }],
    $compute: {
      n: { $count: '*' }, qty_sum: { $sum: 'qty' }, qty_n: { $count: 'qty' },
      amount_sum: { $sum: 'amount' }, amount_n: { $count: 'amount' },
      amount_max: { $max: 'amount' }, score_min: { $min: 'score' },
    },
  },
};
writeFileSync(join(scratch, 'schema.json'), JSON.stringify(schema));
cliOk(['init', '--schema', join(scratch, 'schema.json')]);

const CATS = ['alpha', 'beta', 'gamma', 'delta', 'Alpha', 'beta_2', 'x%y'];
const NAMES = ['ann', 'bob', 'carl', 'dora', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon', 'Kim', 'li'];
const BASE_TS = Date.UTC(2026, 0, 1);
function genDoc(k) {
  const d = { $id: `ev${String(k).padStart(6, '0')}`, name: pick(NAMES) + (chance(0.3) ? String(ri(0, 9)) : '') };
  if (!chance(0.12)) d.category = pick(CATS);
  if (!chance(0.12)) d.amount = `${ri(-500, 5000)}.${String(ri(0, 99)).padStart(2, '0')}`;
  if (!chance(0.12)) d.qty = ri(-20, 100);
  if (!chance(0.12)) d.score = Math.round((rnd() * 200 - 50) * 1000) / 1000;
  if (!chance(0.15)) d.flag = chance(0.5);
  if (!chance(0.1)) d.ts = new Date(BASE_TS + ri(0, 60 * 24 * 3600) * 1000 + ri(0, 999)).toISOString();
  if (chance(0.7)) d.meta = { method: pick(['GET', 'POST', 'PUT']), code: pick([200, 404, 500]) };
  return d;
}
const N = 2400;
let next = 0;
for (let batch = 0; batch < 4; batch++) {
  const docs = [];
  for (let k = 0; k < N / 4; k++) docs.push(genDoc(next++));
  cliOk(['insert', 'Ev', '-'], docs.map(d => JSON.stringify(d)).join('\n'));
  cliOk(['flush']);
}
// Updates and deletes after the flushes: superseded versions and tombstones on disk.
for (let k = 0; k < 60; k++) {
  const id = `ev${String(ri(0, N - 1)).padStart(6, '0')}`;
  const upd = chance(0.5) ? { qty: ri(0, 5) } : { category: pick(CATS), amount: `${ri(0, 99)}.50` };
  cli(['update', 'Ev', id, JSON.stringify(upd)]);
}
for (let k = 0; k < 40; k++) cli(['delete', 'Ev', `ev${String(ri(0, N - 1)).padStart(6, '0')}`]);
cliOk(['flush']);

const live = cliOk(['find', 'Ev']);
const liveFile = join(scratch, 'live.ndjson');
writeFileSync(liveFile, live);
const liveCount = live.split('\n').filter(Boolean).length;

const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
await con.run("SET TimeZone = 'UTC'");
await con.run(`CREATE TABLE Ev AS SELECT * FROM read_json('${liveFile}', format='newline_delimited',
  columns={"$id": 'VARCHAR', name: 'VARCHAR', category: 'VARCHAR', amount: 'DECIMAL(10,2)',
           qty: 'BIGINT', score: 'DOUBLE', flag: 'BOOLEAN', ts: 'TIMESTAMP', meta: 'STRUCT(method VARCHAR, code BIGINT)'})`);
const [{ n: duckCount }] = (await con.runAndReadAll('SELECT COUNT(*)::INT AS n FROM Ev')).getRowObjectsJson();
if (Number(duckCount) !== liveCount) {
  console.error(`DuckDB loaded ${duckCount} rows, expected ${liveCount}`);
  process.exit(1);
}

// ---- CLI contract: NDJSON rows, bound parameters, errors with a caret and exit codes ----
{
  const expect = (cond, what) => {
    if (!cond) {
      console.error(`FAIL: CLI: ${what}`);
      process.exit(1);
    }
  };
  let r = cli(['sql', 'SELECT COUNT(*) AS n FROM Ev WHERE name = $1 OR qty = $2', '--param', '"ann"', '--param', '7']);
  expect(r.status === 0 && /^\{"n":\d+\}\n$/.test(r.stdout), `parameters: ${r.status} ${r.stdout} ${r.stderr}`);
  r = cli(['sql', 'SELECT COUNT(*) AS n FROM Ev WHERE name = $1', '--param', '"x\' OR \'1\'=\'1"']);
  expect(r.status === 0 && r.stdout === '{"n":0}\n', `a parameter is a value, never SQL text: ${r.stdout}`);
  r = cli(['sql', 'SELECT name\nFROM Ev\nWHERE qty >']);
  expect(r.status === 1 && r.stderr.includes('line 3, column 12') && r.stderr.includes('^'),
         `syntax error position: ${r.status} ${r.stderr}`);
  r = cli(['sql', 'SELECT 1 FROM Ev', '--param', '{bad']);
  expect(r.status === 2, `malformed --param is a usage error: ${r.status} ${r.stderr}`);
  r = cli(['sql', 'SELECT x FROM NoSuchTable']);
  expect(r.status === 1 && r.stderr.includes("no table 'NoSuchTable'"), `unknown table: ${r.stderr}`);
}

// ---- query generator ----
const lit = {
  name: () => `'${pick(NAMES)}${chance(0.3) ? ri(0, 9) : ''}'`,
  category: () => `'${pick(CATS)}'`,
  amount: () => `${ri(-100, 4000)}.${ri(0, 9)}${ri(0, 9)}`,
  qty: () => String(ri(-10, 90)),
  score: () => String(Math.round((rnd() * 150 - 20) * 10) / 10),
  ts: () => `TIMESTAMP '${new Date(BASE_TS + ri(0, 60 * 24 * 3600) * 1000).toISOString().replace('T', ' ').replace('Z', '').slice(0, 19)}'`,
};
const numCols = ['amount', 'qty', 'score'];
const cmpCols = ['name', 'category', 'amount', 'qty', 'score', 'ts'];
const cmpOps = ['=', '<>', '<', '<=', '>', '>='];

function pred(depth = 0) {
  const r = rnd();
  if (depth < 2 && r < 0.25) {
    const op = pick(['AND', 'OR']);
    return `(${pred(depth + 1)} ${op} ${pred(depth + 1)})`;
  }
  if (depth < 2 && r < 0.3) return `NOT (${pred(depth + 1)})`;
  const c = pick(cmpCols);
  const k = rnd();
  if (k < 0.45) return `${c} ${pick(cmpOps)} ${lit[c]()}`;
  if (k < 0.55) return `${c} IS ${chance(0.5) ? 'NOT ' : ''}NULL`;
  if (k < 0.7) {
    const vals = Array.from({ length: ri(1, 4) }, () => lit[c]());
    if (chance(0.15)) vals.push('NULL');
    return `${c} ${chance(0.25) ? 'NOT ' : ''}IN (${vals.join(', ')})`;
  }
  if (k < 0.8 && c !== 'name' && c !== 'category') {
    return `${c} ${chance(0.2) ? 'NOT ' : ''}BETWEEN ${lit[c]()} AND ${lit[c]()}`;
  }
  if (k < 0.9) {
    const col = pick(['name', 'category']);
    const pat = pick(['a%', '%a', '%et%', '_o%', 'beta\\_%', 'x\\%%', '%']);
    const esc = pat.includes('\\') ? " ESCAPE '\\'" : '';
    return `${col} ${chance(0.2) ? 'NOT ' : ''}${chance(0.2) ? 'ILIKE' : 'LIKE'} '${pat}'${esc}`;
  }
  if (k < 0.95) return chance(0.5) ? 'flag' : `flag = ${pick(['true', 'false'])}`;
  return `meta.method = '${pick(['GET', 'POST'])}'`;
}

function scalarExpr() {
  return pick([
    () => `${pick(numCols)} + ${ri(1, 9)}`,
    () => `qty * ${ri(2, 5)}`,
    () => `amount * 2`,
    () => `amount - qty`,
    () => `score / 2`,
    () => `amount / 4`,
    () => `qty % 7`,
    () => `-qty`,
    () => `lower(name)`,
    () => `upper(category)`,
    () => `length(name)`,
    () => `name || '-' || category`,
    () => `concat(name, '/', category)`,
    () => `coalesce(category, 'none')`,
    () => `coalesce(qty, 0) + 1`,
    () => `CASE WHEN qty > 50 THEN 'hi' WHEN qty > 10 THEN 'mid' ELSE 'lo' END`,
    () => `CASE category WHEN 'alpha' THEN 1 WHEN 'beta' THEN 2 END`,
    () => `CAST(qty AS DOUBLE) / 3`,
    () => `CAST(amount AS INTEGER)`,
    () => `CAST(qty AS VARCHAR)`,
    () => `date_trunc('day', ts)`,
    () => `date_trunc('month', ts)`,
    () => `date_trunc('hour', ts)`,
    () => `ts + INTERVAL '1 day'`,
    () => `ts - INTERVAL '2 hours'`,
    () => `qty > 10 AND flag`,
    () => `qty IS NULL OR flag`,
    () => `NOT flag`,
    () => `abs(qty)`,
    () => `nullif(qty, 0)`,
    () => `meta.method`,
  ])();
}

const groupables = [
  'category', 'flag', 'name', "date_trunc('month', ts)", "date_trunc('day', ts)",
  'CASE WHEN qty > 50 THEN 1 ELSE 0 END', 'meta.method', 'qty % 3',
];
function aggExpr() {
  return pick([
    () => 'COUNT(*)',
    () => `COUNT(${pick(cmpCols)})`,
    () => `COUNT(DISTINCT ${pick(['category', 'name', 'qty'])})`,
    () => `SUM(${pick(['qty', 'amount', 'score'])})`,
    () => `AVG(${pick(['qty', 'amount', 'score'])})`,
    () => `MIN(${pick(cmpCols)})`,
    () => `MAX(${pick(cmpCols)})`,
    () => `SUM(CASE WHEN ${pred(1)} THEN 1 ELSE 0 END)`,
    () => `SUM(CASE WHEN category <> 'alpha' THEN 1 ELSE 0 END) * 1.0 / COUNT(*)`,
    () => `SUM(amount) - SUM(qty)`,
    () => `MAX(qty) - MIN(qty)`,
  ])();
}
const dir = () => pick(['', ' ASC', ' DESC']) + pick(['', '', ' NULLS FIRST', ' NULLS LAST']);

// Group queries the router can answer from EvDaily (WHERE on its group columns only).
function genRoutable() {
  const groups = [pick(['category', 'flag', "date_trunc('day', ts)", "date_trunc('month', ts)", "date_trunc('week', ts)"])];
  const aggs = Array.from({ length: ri(1, 3) }, (_, k) => `${pick(['COUNT(*)', 'SUM(qty)', 'AVG(qty)', 'COUNT(qty)', 'SUM(amount)', 'MAX(amount)', 'MIN(score)', 'AVG(amount)', 'COUNT(DISTINCT category)'])} AS a${k}`);
  const where = pick(['', ` WHERE category IN (${lit.category()}, ${lit.category()})`, ' WHERE flag', " WHERE category <> 'beta' AND flag = false", ' WHERE category IS NULL']);
  const sql = `SELECT ${groups.map((g, k) => `${g} AS g${k}`).join(', ')}, ${aggs.join(', ')} FROM Ev${where} GROUP BY ${groups.join(', ')} ORDER BY g0 NULLS FIRST`;
  return { sql, ordered: true };
}

function genQuery() {
  if (chance(0.1)) return genRoutable();
  const where = chance(0.8) ? ` WHERE ${pred()}` : '';
  if (chance(0.45)) {
    const items = Array.from({ length: ri(1, 3) }, (_, k) => `${scalarExpr()} AS c${k}`);
    if (chance(0.7)) {
      // Deterministic order: the select items, then $id.
      const order = items.map((_, k) => `c${k}${dir()}`);
      const lim = chance(0.7) ? ` LIMIT ${ri(1, 40)}${chance(0.3) ? ` OFFSET ${ri(0, 20)}` : ''}` : '';
      return { sql: `SELECT "$id" AS id, ${items.join(', ')} FROM Ev${where} ORDER BY ${order.join(', ')}, "$id"${lim}`, ordered: true };
    }
    const distinct = chance(0.2);
    return { sql: `SELECT ${distinct ? 'DISTINCT ' : ''}${distinct ? items.slice(0, 1).join(', ') : items.join(', ')} FROM Ev${where}`, ordered: false };
  }
  const ng = ri(0, 2);
  const groups = [];
  while (groups.length < ng) {
    const g = pick(groupables);
    if (!groups.includes(g)) groups.push(g);
  }
  const aggs = Array.from({ length: ri(1, 3) }, (_, k) => `${aggExpr()} AS a${k}`);
  const items = [...groups.map((g, k) => `${g} AS g${k}`), ...aggs];
  let sql = `SELECT ${items.join(', ')} FROM Ev${where}`;
  if (groups.length) sql += ` GROUP BY ${groups.join(', ')}`;
  if (groups.length && chance(0.3)) sql += ` HAVING COUNT(*) > ${ri(1, 30)}`;
  let ordered = false;
  if (groups.length && chance(0.6)) {
    sql += ` ORDER BY ${groups.map((_, k) => `g${k}${dir()}`).join(', ')}`;
    if (chance(0.5)) sql += ` LIMIT ${ri(1, 10)}`;
    ordered = true;
  }
  return { sql, ordered };
}

// ---- comparison ----
const TS_RE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?))?Z?$/;
function norm(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v)) return Number(v);
    const m = TS_RE.exec(v);
    if (m) return `@${Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}Z`)}:${(m[2] ?? '').split('.')[1]?.padEnd(6, '0').slice(3, 6) ?? '000'}`;
    return v;
  }
  if (typeof v === 'object') return JSON.stringify(Object.fromEntries(Object.entries(v).sort()));
  return v;
}
function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}
const rowKey = r => JSON.stringify(r.map(v => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));

function compare(ours, theirs, ordered) {
  if (ours.length !== theirs.length) return `row count ${ours.length} vs DuckDB ${theirs.length}`;
  let a = ours, b = theirs;
  if (!ordered) {
    a = [...ours].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
    b = [...theirs].sort((x, y) => (rowKey(x) < rowKey(y) ? -1 : rowKey(x) > rowKey(y) ? 1 : 0));
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return `row ${i}: ${a[i].length} columns vs ${b[i].length}`;
    for (let j = 0; j < a[i].length; j++) {
      if (!same(a[i][j], b[i][j])) {
        return `row ${i} column ${j}: ours ${JSON.stringify(a[i][j])} vs DuckDB ${JSON.stringify(b[i][j])}`;
      }
    }
  }
  return null;
}

let failures = 0, duckErrors = 0, bothErrors = 0, compared = 0, routed = 0;
const queries = [
  { sql: `SELECT category, COUNT(*) AS requests, SUM(CASE WHEN flag != true THEN 1 ELSE 0 END) * 100.0 / COUNT(*) AS error_rate FROM Ev WHERE ts > TIMESTAMP '2026-01-01 00:00:00' - INTERVAL '1 hour' GROUP BY category ORDER BY error_rate DESC, category`, ordered: true },
  { sql: 'SELECT COUNT(*) AS n, SUM(amount) AS s, AVG(qty) AS a FROM Ev', ordered: false },
];
while (queries.length < NQ) queries.push(genQuery());

for (const { sql, ordered } of queries) {
  let theirs, theirErr = null;
  try {
    const reader = await con.runAndReadAll(sql);
    theirs = reader.getRowsJson().map(r => r.map(norm));
  } catch (e) {
    theirErr = String(e.message).split('\n')[0];
  }
  const r = cli(['sql', sql, '--no-routing']);
  const oursErr = r.status !== 0 ? r.stderr.trim().split('\n')[0] : null;
  // The same statement with view routing allowed must give the same rows.
  let routedRows = null;
  if (!oursErr) {
    const plan = cli(['sql', `EXPLAIN ${sql}`]).stdout;
    if (plan.includes('answered from view')) {
      routed++;
      const rr = cli(['sql', sql]);
      if (rr.status !== 0) {
        failures++;
        console.log(`FAIL: routed query failed: ${rr.stderr.trim()}\n  ${sql}`);
        continue;
      }
      routedRows = rr.stdout.split('\n').filter(Boolean).map(line => Object.values(JSON.parse(line)).map(norm));
    }
  }
  if (theirErr || oursErr) {
    if (theirErr && oursErr) {
      bothErrors++;
      continue;
    }
    if (theirErr) {
      duckErrors++;
      console.log(`note: DuckDB rejects (${theirErr}) but ParqueDB answers: ${sql}`);
      continue;
    }
    failures++;
    console.log(`FAIL: ParqueDB error ${oursErr}\n  ${sql}`);
    continue;
  }
  const ours = r.stdout.split('\n').filter(Boolean).map(line => Object.values(JSON.parse(line)).map(norm));
  const diff = compare(ours, theirs, ordered);
  compared++;
  if (diff) {
    failures++;
    console.log(`FAIL: ${diff}\n  ${sql}`);
  }
  if (routedRows) {
    const rdiff = compare(routedRows, theirs, ordered);
    if (rdiff) {
      failures++;
      console.log(`FAIL (routed to a view): ${rdiff}\n  ${sql}`);
    }
  }
}
console.log(`${compared} queries compared (${routed} also answered from view EvDaily), ${failures} failures, ` +
            `${bothErrors} rejected by both, ${duckErrors} rejected only by DuckDB (${liveCount} live rows, seed ${SEED})`);
if (failures > 0 || duckErrors > NQ * 0.05 || compared < NQ * 0.8 || routed < NQ * 0.01) process.exit(1);
