// Optional stage: chdb (embedded ClickHouse) reads our Iceberg tables
// (icebergLocal, time travel by snapshot id) and Delta tables (deltaLakeLocal,
// time travel by version). Needs `npm --prefix tests/lake/chdb ci` (~540 MB).
// chdb only reads tables under the working directory, so this runs in SCRATCH.
// usage: node chdb_interop.mjs LAKE_TOOL SCRATCH_DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { check, checkEq, expectedRows, failuresSoFar, gen } from './lib.mjs';

const require = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), 'chdb/'));
const chdb = require('chdb');
const tool = path.resolve(process.argv[2]);
const scratchArg = process.argv[3];
const scratch = path.resolve(scratchArg);
fs.mkdirSync(scratch, { recursive: true });
process.chdir(scratch);
let checks = 0;

function q(sql) {
  const out = chdb.query(sql, 'JSONEachRow');
  return out.trim().split('\n').filter((l) => l).map((l) => JSON.parse(l));
}
function summary(rows) {
  const ids = Object.keys(rows).sort();
  let qty = 0n;
  for (const r of Object.values(rows)) qty += BigInt(r.qty);
  return { n: ids.length, qty: qty.toString(), first: ids[0] ?? null, last: ids.at(-1) ?? null };
}
function chSummary(from, settings = '') {
  try {
    const [r] = q(`SELECT count() AS n, toString(sum(qty)) AS qty, min(\`$id\`) AS first, max(\`$id\`) AS last
                   FROM ${from} ${settings}`);
    return { n: Number(r.n), qty: r.n === 0 || r.n === '0' ? '0' : r.qty, first: r.n == 0 ? null : r.first,
             last: r.n == 0 ? null : r.last };
  } catch (e) {
    return { error: String(e.message ?? e).slice(0, 400) };
  }
}

for (const format of ['iceberg', 'delta']) {
  const dir = `${format}_items`;
  const exp = gen(tool, format, path.join(scratch, dir), 12, 99);
  // delta-kernel needs an absolute location (still under the working directory).
  const fn = format === 'iceberg' ? `icebergLocal('${dir}')` : `deltaLakeLocal('${path.join(scratch, dir)}')`;
  checks++;
  checkEq(chSummary(fn), summary(expectedRows(exp.versions.at(-1))), `chdb ${format} current`);
  // Rows, not just aggregates: every id with its qty and price.
  let rows = [];
  try {
    rows = q(`SELECT \`$id\` AS id, qty, toString(price) AS price FROM ${fn} ORDER BY id`);
  } catch (e) {
    check(false, `chdb ${format} rows query: ${e.message}`);
  }
  const want = expectedRows(exp.versions.at(-1));
  checkEq(rows.map((r) => [r.id, Number(r.qty), Number(r.price)]),
          Object.keys(want).sort().map((id) => [id, want[id].qty, Number(want[id].price)]),
          `chdb ${format} rows`);
  for (const i of [0, 4, 8]) {
    checks++;
    const v = exp.versions[i];
    const settings = format === 'iceberg' ? `SETTINGS iceberg_snapshot_id = ${v.version}`
                                          : `SETTINGS delta_lake_snapshot_version = ${v.version}`;
    checkEq(chSummary(fn, settings), summary(expectedRows(v)), `chdb ${format} time travel to commit ${i}`);
  }
}
check(checks > 0, 'ran');
const failed = failuresSoFar();
console.log(`${checks - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
