// The three independent readers, each returning canonical rows (see canonical.mjs).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import {
  canonArrowTable, canonDuckDBRow, canonHyparquet, hyparquetParsers, hyparquetRawDecimalMetadata,
} from './canonical.mjs';
import { duckdb, sqlIdent, sqlString } from './duckdb.mjs';

const require = createRequire(import.meta.url);
let parquetWasm = null;
/** parquet-wasm's node build (CommonJS, loads its .wasm synchronously). */
export function loadParquetWasm() {
  if (!parquetWasm) parquetWasm = require('parquet-wasm/node');
  return parquetWasm;
}

/** Drops the wasm instance (e.g. after a Rust panic left it unusable); the next use reloads it. */
export function resetParquetWasm() {
  const id = require.resolve('parquet-wasm/node');
  delete require.cache[id];
  parquetWasm = null;
}

export const READERS = ['duckdb', 'parquet-wasm', 'hyparquet'];

export async function readDuckDB(file, columns) {
  const con = await duckdb();
  const sel = columns ? columns.map(sqlIdent).join(', ') : '*';
  const reader = await con.runAndReadAll(`SELECT ${sel} FROM read_parquet(${sqlString(file)})`);
  return reader.getRowObjects().map(canonDuckDBRow);
}

export async function readHyparquet(file, columns) {
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const top = parquetSchema(metadata).children;
  const nodes = columns ? columns.map(c => {
    const n = top.find(x => x.element.name === c);
    if (!n) throw new Error(`hyparquet: no column ${JSON.stringify(c)} in ${file}`);
    return n;
  }) : top;
  const rows = await parquetReadObjects({
    file: buf,
    metadata: hyparquetRawDecimalMetadata(metadata),
    columns: nodes.map(n => n.element.name),
    compressors,
    utf8: false,
    parsers: hyparquetParsers,
  });
  return rows.map(r => {
    const o = {};
    for (const n of nodes) o[n.element.name] = canonHyparquet(n, r[n.element.name]);
    return o;
  });
}

export async function readParquetWasm(file, columns) {
  const pw = loadParquetWasm();
  const bytes = new Uint8Array(readFileSync(file));
  const wasmTable = pw.readParquet(bytes, columns ? { columns } : undefined);
  const table = tableFromIPC(wasmTable.intoIPCStream());
  const rows = canonArrowTable(table);
  if (!columns) return rows;
  // keep the requested order
  return rows.map(r => Object.fromEntries(columns.map(c => [c, r[c]])));
}

export async function readWith(reader, file, columns) {
  switch (reader) {
    case 'duckdb': return readDuckDB(file, columns);
    case 'hyparquet': return readHyparquet(file, columns);
    case 'parquet-wasm':
      try {
        return await readParquetWasm(file, columns);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) resetParquetWasm();
        throw e;
      }
    default: throw new Error(`unknown reader ${JSON.stringify(reader)} (expected one of ${READERS.join(', ')})`);
  }
}
