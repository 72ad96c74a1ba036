#!/usr/bin/env node
// Usage: node prune_driver.mjs FILE COLUMN LO HI EXPECTED_COUNT
// Proves DuckDB skips row groups using FILE's column statistics:
//  1. reads the footer via DuckDB's parquet_metadata (lib/meta.mjs);
//  2. finds row groups whose COLUMN min/max exclude [LO, HI] (compared in
//     DuckDB, cast to the column's type);
//  3. copies FILE and overwrites every column chunk (all columns) of those row
//     groups with 0xFF bytes;
//  4. the original and the copy must both give EXPECTED_COUNT for
//     count(*) WHERE COLUMN BETWEEN LO AND HI (duckdb_prune_check.mjs), and a
//     query that must read every row group of the copy must fail.
// Prints PASS/FAIL lines; exit 0 only when everything holds.
import { copyFileSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { queryJson, sqlIdent, sqlString } from './lib/duckdb.mjs';
import { duckdbMeta } from './lib/meta.mjs';
import { describeExit, isMain, run } from './lib/util.mjs';

const CHECK_SCRIPT = fileURLToPath(new URL('./duckdb_prune_check.mjs', import.meta.url));

function countWithScript(file, column, lo, hi) {
  const r = run(process.execPath, [CHECK_SCRIPT, file, column, lo, hi]);
  if (r.status !== 0) return { error: `${describeExit(r)}: ${r.stderr.trim()}` };
  return { count: JSON.parse(r.stdout).count };
}

export async function pruneDriver(file, column, lo, hi, expected, log = s => process.stdout.write(s + '\n')) {
  const failures = [];
  const fail = m => { failures.push(m); log(`FAIL ${m}`); };
  const meta = await duckdbMeta(file);
  const chunks = meta.parquet_metadata;
  const [{ t: colType }] = await queryJson(`SELECT typeof(${sqlIdent(column)}) AS t FROM read_parquet(${sqlString(file)}) LIMIT 1`);

  // row groups whose stats exclude [lo, hi]
  const statRows = chunks.filter(c => c.path_in_schema === column);
  if (!statRows.length) throw new Error(`column ${column} not found in parquet_metadata of ${file}`);
  const excluded = new Set();
  for (const c of statRows) {
    if (c.stats_min_value === null || c.stats_max_value === null) continue;
    const [{ x }] = await queryJson(`SELECT (CAST(${sqlString(c.stats_max_value)} AS ${colType}) < CAST(${sqlString(lo)} AS ${colType})
      OR CAST(${sqlString(c.stats_min_value)} AS ${colType}) > CAST(${sqlString(hi)} AS ${colType})) AS x`);
    if (x) excluded.add(c.row_group_id);
  }
  const numRowGroups = new Set(chunks.map(c => c.row_group_id)).size;
  log(`INFO ${file}: ${numRowGroups} row groups, ${excluded.size} excluded by ${column} stats for [${lo}, ${hi}] (${colType})`);
  if (excluded.size === 0) fail('no row group is excluded by statistics, nothing to prove (check the data/range)');

  // corrupt a copy
  const copy = `${file}.pruned-copy.parquet`;
  copyFileSync(file, copy);
  const fd = openSync(copy, 'r+');
  let bytes = 0;
  for (const c of chunks) {
    if (!excluded.has(c.row_group_id)) continue;
    const offsets = [c.dictionary_page_offset, c.data_page_offset].filter(x => x !== null && Number(x) > 0).map(Number);
    const start = Math.min(...offsets);
    const len = Number(c.total_compressed_size);
    writeSync(fd, Buffer.alloc(len, 0xff), 0, len, start);
    bytes += len;
  }
  closeSync(fd);
  log(`INFO corrupted ${bytes} bytes in ${excluded.size} row groups of ${copy}`);

  const orig = countWithScript(file, column, lo, hi);
  if (orig.error) fail(`count on the original file failed: ${orig.error}`);
  else if (orig.count !== expected) fail(`count on the original file is ${orig.count}, expected ${expected} (data or query wrong)`);
  else log(`PASS count on original = ${orig.count}`);

  if (excluded.size) {
    const pruned = countWithScript(copy, column, lo, hi);
    if (pruned.error) fail(`count on the corrupted copy failed, DuckDB did not skip the row groups by statistics: ${pruned.error}`);
    else if (pruned.count !== expected) fail(`count on the corrupted copy is ${pruned.count}, expected ${expected}`);
    else log(`PASS count on corrupted copy = ${pruned.count} (excluded row groups skipped by statistics)`);

    // the corruption must be real: reading every row group has to fail
    try {
      await queryJson(`SELECT sum(hash(${sqlIdent(column)})) AS h FROM read_parquet(${sqlString(copy)})`);
      fail('a full scan of the corrupted copy succeeded: the corruption did not hit the data');
    } catch (e) {
      log(`PASS full scan of the corrupted copy fails (${e.message.split('\n')[0].slice(0, 120)})`);
    }
  }
  if (!failures.length) rmSync(copy);
  return failures;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length !== 5 || !/^\d+$/.test(args[4])) {
    process.stderr.write('usage: prune_driver.mjs FILE COLUMN LO HI EXPECTED_COUNT\n');
    process.exit(2);
  }
  pruneDriver(args[0], args[1], args[2], args[3], Number(args[4])).then(
    f => process.exit(f.length ? 1 : 0),
    e => { process.stderr.write(`prune_driver: ${e.message}\n`); process.exit(1); },
  );
}
