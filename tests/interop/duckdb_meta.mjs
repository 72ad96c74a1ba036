#!/usr/bin/env node
// Usage: node duckdb_meta.mjs FILE
// Prints {file, parquet_metadata: [...], parquet_schema: [...]} as JSON: every
// row of DuckDB's parquet_metadata(FILE) and parquet_schema(FILE), bigint -> string.
import { existsSync } from 'node:fs';
import { duckdbMeta } from './lib/meta.mjs';

const [file, ...rest] = process.argv.slice(2);
if (!file || rest.length) {
  process.stderr.write('usage: duckdb_meta.mjs FILE\n');
  process.exit(2);
}
if (!existsSync(file)) {
  process.stderr.write(`duckdb_meta: no such file: ${file}\n`);
  process.exit(1);
}
duckdbMeta(file).then(
  m => process.stdout.write(JSON.stringify(m, null, 1) + '\n'),
  e => { process.stderr.write(`duckdb_meta: ${e.message}\n`); process.exit(1); },
);
