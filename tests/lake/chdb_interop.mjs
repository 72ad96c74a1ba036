// Optional stage: chdb (embedded ClickHouse) reads our Iceberg tables
// (icebergLocal, time travel by snapshot id) and Delta tables (deltaLakeLocal,
// time travel by version). Needs `npm --prefix tests/lake/chdb ci` (~540 MB).
// chdb only reads tables under the working directory, so this runs in SCRATCH.
// With PARQUEDB: a database made with `parquedb init --format iceberg|delta` is
// queried by chdb and must equal `parquedb find`.
// usage: node chdb_interop.mjs LAKE_TOOL SCRATCH_DIR [PARQUEDB]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { check, checkEq, expectedRows, failuresSoFar, gen, icebergMeta } from './lib.mjs';

const require = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), 'chdb/'));
const chdb = require('chdb');
const tool = path.resolve(process.argv[2]);
const scratchArg = process.argv[3];
const cli = process.argv[4] ? path.resolve(process.argv[4]) : undefined;
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
// ---- tables written by chdb, read by us ----
const scan = (format, root, version) => execFileSync(tool, ['scan', format, root, ...(version ? [version] : [])])
  .toString().trim().split('\n').filter((l) => l).map((l) => JSON.parse(l));
{
  // Iceberg written by ClickHouse (merge-on-read: the DELETE becomes a position delete file).
  checks++;
  const root = path.join(scratch, 'chdb_iceberg');
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(path.join(scratch, 'chdb_session'), { recursive: true, force: true });
  const sess = new chdb.Session(path.join(scratch, 'chdb_session'));
  try {
    sess.query('SET allow_experimental_insert_into_iceberg = 1');
    sess.query(`CREATE TABLE ice (id String, qty Int64, price Float64) ENGINE = IcebergLocal('${root}', 'Parquet')`);
    sess.query(`INSERT INTO ice VALUES ('a', 1, 1.50), ('b', 2, -2.25), ('c', 3, 0)`);
    sess.query(`INSERT INTO ice VALUES ('d', 4, 100.01)`);
    sess.query(`ALTER TABLE ice DELETE WHERE id = 'b'`);
    // (chdb 26.7 cannot write Iceberg decimals.)
    const rows = (v) => scan('iceberg', root, v).map((r) => [r.id, r.qty, r.price]).sort();
    checkEq(rows(), [['a', 1, 1.5], ['c', 3, 0], ['d', 4, 100.01]], 'chdb-written iceberg (position delete) read by us');
    const snaps = icebergMeta(root).snapshots.sort((x, y) => x['sequence-number'] - y['sequence-number']);
    check(snaps.length === 3, `chdb wrote 3 snapshots (${snaps.length})`);
    checkEq(rows(snaps[1]['snapshot-id']), [['a', 1, 1.5], ['b', 2, -2.25], ['c', 3, 0], ['d', 4, 100.01]],
            'chdb-written iceberg, time travel before the delete');
    check(fs.readdirSync(path.join(root, 'data')).some((f) => f.includes('delete')), 'a delete file exists');
  } catch (e) {
    check(false, `chdb iceberg write: ${e.message}`);
  }
  // Delta: chdb appends (delta-kernel) to a table we created; we read its commit.
  checks++;
  const droot = path.join(scratch, 'delta_items');
  try {
    sess.query('SET allow_experimental_delta_lake_writes = 1');
    sess.query(`INSERT INTO TABLE FUNCTION deltaLakeLocal('${droot}') (\`$id\`, \`$seq\`, \`$deleted\`, qty, name, price)
                VALUES ('zz-chdb', 100, false, 7, 'from chdb', 1.25)`);
    const got = scan('delta', droot).filter((r) => r.$id === 'zz-chdb');
    checkEq(got.map((r) => [r.qty, r.name, r.price]), [[7, 'from chdb', '1.25']], 'chdb-appended delta row read by us');
  } catch (e) {
    check(false, `chdb delta write: ${e.message}`);
  }
  sess.cleanup();
}
if (cli) {
  for (const format of ['iceberg', 'delta']) {
    checks++;
    const db = path.join(scratch, `cli_${format}`);
    fs.rmSync(db, { recursive: true, force: true });
    fs.mkdirSync(db, { recursive: true });
    const schemaFile = path.join(scratch, 'cli_schema.json');
    fs.writeFileSync(schemaFile, JSON.stringify({ Order: { total: 'decimal(10,2)!', status: 'string!' } }));
    const run = (...args) => execFileSync(cli, ['--db', db, ...args]).toString();
    run('init', '--schema', schemaFile, '--format', format);
    for (let i = 0; i < 3; i++) {
      fs.writeFileSync(path.join(scratch, 'cli_docs.ndjson'), Array.from({ length: 20 }, (_, k) =>
        JSON.stringify({ total: `${i * 20 + k}.25`, status: k % 2 ? 'paid' : 'open' })).join('\n'));
      run('insert', 'Order', path.join(scratch, 'cli_docs.ndjson'));
      run('flush');
    }
    const docs = run('find', 'Order').trim().split('\n').map((l) => JSON.parse(l));
    run('delete', 'Order', docs[5].$id);
    run('update', 'Order', docs[9].$id, JSON.stringify({ $set: { total: '1000.00' } }));
    run('flush');
    const want = run('find', 'Order').trim().split('\n').map((l) => JSON.parse(l))
      .map((d) => [d.$id, Number(d.total), d.status]).sort();
    const fn = format === 'iceberg' ? `icebergLocal('${path.join(db, 'iceberg', 'Order')}')`
                                    : `deltaLakeLocal('${path.join(db, 'delta', 'Order')}')`;
    try {
      const got = q(`SELECT \`$id\` AS id, toFloat64(total) AS total, status FROM ${fn}`)
        .map((r) => [r.id, Number(r.total), r.status]).sort();
      checkEq(got, want, `chdb reads the ${format} table of a CLI database`);
    } catch (e) {
      check(false, `chdb on the CLI ${format} database: ${e.message}`);
    }
  }
}
check(checks > 0, 'ran');
const failed = failuresSoFar();
console.log(`${checks - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
