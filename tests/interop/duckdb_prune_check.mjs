#!/usr/bin/env node
// Usage: node duckdb_prune_check.mjs FILE COLUMN LO HI
// Runs SELECT count(*) FROM read_parquet(FILE) WHERE COLUMN BETWEEN LO AND HI
// and prints {"count": N}. LO and HI are SQL string literals that DuckDB casts
// to the column's type (e.g. 100, 2024-01-01 00:00:00, 12.50).
import { queryJson, sqlIdent, sqlString } from './lib/duckdb.mjs';
import { isMain } from './lib/util.mjs';

export async function pruneCount(file, column, lo, hi) {
  const [row] = await queryJson(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})
    WHERE ${sqlIdent(column)} BETWEEN ${sqlString(lo)} AND ${sqlString(hi)}`);
  return Number(row.n);
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length !== 4) {
    process.stderr.write('usage: duckdb_prune_check.mjs FILE COLUMN LO HI\n');
    process.exit(2);
  }
  pruneCount(...args).then(
    n => process.stdout.write(JSON.stringify({ count: n }) + '\n'),
    e => { process.stderr.write(`duckdb_prune_check: ${e.message}\n`); process.exit(1); },
  );
}
