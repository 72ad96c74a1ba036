#!/usr/bin/env node
// Usage: node compare.mjs A.ndjson B.ndjson
// Exit 0 when both files hold the same canonical rows (deep, exact, key order
// irrelevant); exit 1 and print the first difference otherwise; exit 2 on bad input.
import { compareRows, readNdjsonFile } from './lib/util.mjs';

const [a, b, ...rest] = process.argv.slice(2);
if (!a || !b || rest.length) {
  process.stderr.write('usage: compare.mjs A.ndjson B.ndjson\n');
  process.exit(2);
}
let rowsA, rowsB;
try {
  rowsA = readNdjsonFile(a);
  rowsB = readNdjsonFile(b);
} catch (e) {
  process.stderr.write(`compare: ${e.message}\n`);
  process.exit(2);
}
const diff = compareRows(rowsA, rowsB, ['A', 'B']);
if (diff) {
  process.stdout.write(`DIFFERENT (${a} vs ${b}): ${diff}\n`);
  process.exit(1);
}
process.stdout.write(`EQUAL: ${rowsA.length} rows\n`);
