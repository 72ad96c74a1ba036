#!/usr/bin/env node
// Usage: node read_with.mjs <duckdb|parquet-wasm|hyparquet> FILE [--columns a,b]
// Prints the file's rows as canonical NDJSON (see lib/canonical.mjs).
import { existsSync } from 'node:fs';
import { READERS, readWith } from './lib/readers.mjs';
import { writeOut } from './lib/util.mjs';

const USAGE = `usage: read_with.mjs <${READERS.join('|')}> FILE [--columns a,b]`;

async function main(argv) {
  let columns;
  const pos = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--columns') {
      if (k + 1 >= argv.length) throw new Error(`--columns needs a value\n${USAGE}`);
      columns = argv[++k].split(',').filter(Boolean);
    } else if (argv[k].startsWith('--columns=')) {
      columns = argv[k].slice('--columns='.length).split(',').filter(Boolean);
    } else pos.push(argv[k]);
  }
  if (pos.length !== 2) throw new Error(USAGE);
  const [reader, file] = pos;
  if (!READERS.includes(reader)) throw new Error(`unknown reader ${JSON.stringify(reader)}\n${USAGE}`);
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const rows = await readWith(reader, file, columns);
  await writeOut(rows);
}

main(process.argv.slice(2)).catch(e => {
  process.stderr.write(`read_with: ${process.env.INTEROP_DEBUG ? e.stack : e.message}\n`);
  process.exit(1);
});
