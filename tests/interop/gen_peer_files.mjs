#!/usr/bin/env node
// Usage: node gen_peer_files.mjs OUTDIR
// Writes Parquet files produced by peer writers, for ParqueDB's reader:
//   OUTDIR/<name>.parquet, OUTDIR/<name>.expected.ndjson (canonical rows as read
//   back by DuckDB), and OUTDIR/manifest.json (writer, options, encodings seen,
//   and which second readers confirmed the expectation).
// Every expectation is re-read with hyparquet and parquet-wasm; a reader that
// cannot read a file is recorded as skipped, a reader that reads different
// rows fails the run (the expectation would rest on one library).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toNdjson } from './lib/canonical.mjs';
import { duckdbVersion, queryJson, sqlString } from './lib/duckdb.mjs';
import { duckdbCopy } from './lib/duckdb_load.mjs';
import { loadParquetWasm, readWith, resetParquetWasm } from './lib/readers.mjs';
import { compareRows, isMain } from './lib/util.mjs';

// Deterministic source rows covering flat types, nulls, nested types,
// low- and high-cardinality strings. All arithmetic is exact (integer/decimal).
const SOURCE_SQL = n => `
SELECT
  i::INTEGER AS id,
  CASE WHEN i % 11 = 0 THEN NULL ELSE ((i * 7919) % 100003 - 50000)::INTEGER END AS i32,
  CASE WHEN i % 13 = 0 THEN NULL ELSE (((i::HUGEINT * 2654435761 * 2654435761) % 18446744073709551557) - 9223372036854775000)::BIGINT END AS i64,
  CASE WHEN i % 7 = 0 THEN NULL ELSE ((i * 37 - 100000)::DOUBLE / 64) END AS dbl,
  CASE WHEN i % 17 = 0 THEN NULL ELSE ((i % 1000 - 500)::FLOAT / 8) END AS flt,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS flag,
  CASE WHEN i % 9 = 0 THEN NULL ELSE 'cat-' || (i * 31 % 23) END AS s_low,
  'row-' || lpad(i::VARCHAR, 8, '0') || '-' || md5(i::VARCHAR) || CASE WHEN i % 100 = 0 THEN ' ünïcödé ✓ 😀' ELSE '' END AS s_high,
  CASE WHEN i % 19 = 0 THEN NULL ELSE ('{"i":' || i || ',"tag":"t' || (i % 4) || '"}')::JSON END AS js,
  CASE WHEN i % 8 = 0 THEN NULL ELSE from_hex(substr(md5(i::VARCHAR), 1, 2 * (i % 9))) END AS bin,
  CASE WHEN i % 6 = 0 THEN NULL ELSE DATE '2000-01-01' + ((i * 37) % 40000 - 20000)::INTEGER END AS dt,
  CASE WHEN i % 10 = 0 THEN NULL ELSE make_timestamp(1704067200000000 + (i::BIGINT * 1000003 - 7000000000000)) END AS ts,
  CASE WHEN i % 12 = 0 THEN NULL ELSE make_timestamptz(1600000000000000 + i::BIGINT * 999999937) END AS tstz,
  CASE WHEN i % 4 = 0 THEN NULL ELSE ((i * 7919) % 2000000 - 1000000)::DECIMAL(9,0) * 0.01 END::DECIMAL(9,2) AS dec9,
  CASE WHEN i % 4 = 1 THEN NULL ELSE ((i::BIGINT * 2654435761) % 20000000000000 - 10000000000000)::DECIMAL(18,0) * 0.0001 END::DECIMAL(18,4) AS dec18,
  CASE WHEN i % 4 = 2 THEN NULL ELSE ((i::HUGEINT * 2654435761 * 2654435761 * 40503 * 99991) % 10000000000000000000000000000000000000
       - 5000000000000000000000000000000000000)::DECIMAL(38,0) * 0.0000000001 END::DECIMAL(38,10) AS dec38,
  CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 = 1 THEN []::BIGINT[]
       ELSE list_transform(range(i % 5), k -> CASE WHEN k = 2 THEN NULL ELSE (i * 1000 + k)::BIGINT END) END AS l_i64,
  CASE WHEN i % 15 = 0 THEN NULL ELSE list_transform(range(i % 4), k -> 'e' || ((i + k) % 7)) END AS l_str,
  CASE WHEN i % 14 = 0 THEN NULL ELSE list_transform(range(i % 3), k -> ((i * 13 + k) % 20000 - 10000)::DECIMAL(9,0) * 0.01) END::DECIMAL(9,2)[] AS l_dec,
  CASE WHEN i % 16 = 0 THEN NULL ELSE {
    'a': CASE WHEN i % 3 = 0 THEN NULL ELSE i END,
    'b': CASE WHEN i % 5 = 1 THEN NULL ELSE 'b' || (i % 50) END,
    'c': CASE WHEN i % 7 = 1 THEN NULL ELSE list_transform(range(i % 3), k -> (k * 0.5)::DOUBLE) END
  } END AS st,
  CASE WHEN i % 18 = 0 THEN NULL ELSE list_transform(range(i % 3), k -> CASE WHEN k = 1 AND i % 2 = 0 THEN NULL ELSE
    {'k': 'k' || k, 'v': CASE WHEN k = 0 THEN NULL ELSE (i + k)::DECIMAL(9,0) * 0.5 END::DECIMAL(9,1),
     'tags': list_transform(range(k), z -> 't' || z)} END) END AS l_st
FROM range(${n}) t(i)`;

const INT32_EXTREMES_SQL = `
SELECT i::INTEGER AS id,
  CASE i % 4 WHEN 0 THEN -2147483648 WHEN 1 THEN 2147483647 WHEN 2 THEN NULL ELSE (i * 7919) % 65536 - 32768 END::INTEGER AS v,
  CASE i % 3 WHEN 0 THEN -2147483648 WHEN 1 THEN 2147483647 ELSE 0 END::INTEGER AS w,
  CASE i % 2 WHEN 0 THEN -9223372036854775808 ELSE 9223372036854775807 END::BIGINT AS big
FROM range(5000) t(i)`;

// Columns for arrow-rs per-column encodings (dictionary disabled for them).
const ARROW_ENCODED_COLUMNS = {
  dbl: 'BYTE_STREAM_SPLIT',
  flt: 'BYTE_STREAM_SPLIT',
  i32: 'DELTA_BINARY_PACKED',
  i64: 'DELTA_BINARY_PACKED',
  ts: 'DELTA_BINARY_PACKED',
  dt: 'DELTA_BINARY_PACKED',
  s_low: 'DELTA_BYTE_ARRAY',
  s_high: 'DELTA_LENGTH_BYTE_ARRAY',
  js: 'DELTA_BYTE_ARRAY',
  bin: 'DELTA_BYTE_ARRAY',
  dec18: 'DELTA_BINARY_PACKED',
  // (parquet-wasm takes a single-part column path, so nested leaves can't be targeted;
  // nested leaves get delta encodings in the V2 dictionary-off file instead)
};

// BYTE_STREAM_SPLIT on INT32/INT64/FIXED_LEN_BYTE_ARRAY (parquet-format 2.11).
// DuckDB 1.5 cannot read these (float/double only), so their expectation is
// DuckDB's reading of the transcoding source, confirmed by hyparquet and parquet-wasm.
const ARROW_EXTENDED_BSS_COLUMNS = { i32: 'BYTE_STREAM_SPLIT', i64: 'BYTE_STREAM_SPLIT', dt: 'BYTE_STREAM_SPLIT', dec9: 'BYTE_STREAM_SPLIT', dec38: 'BYTE_STREAM_SPLIT', dbl: 'BYTE_STREAM_SPLIT' };

const N = 10000;

function duckdbFiles() {
  return [
    { name: 'duckdb_default', desc: 'DuckDB defaults (snappy, v1 pages)', options: {} },
    { name: 'duckdb_v2', desc: 'PARQUET_VERSION V2 (DATA_PAGE_V2, delta encodings)', options: { PARQUET_VERSION: { raw: 'V2' } } },
    { name: 'duckdb_zstd', desc: 'COMPRESSION zstd', options: { COMPRESSION: 'zstd' } },
    { name: 'duckdb_gzip', desc: 'COMPRESSION gzip', options: { COMPRESSION: 'gzip' } },
    { name: 'duckdb_uncompressed', desc: 'COMPRESSION uncompressed', options: { COMPRESSION: 'uncompressed' } },
    { name: 'duckdb_v2_zstd', desc: 'V2 pages + zstd', options: { PARQUET_VERSION: { raw: 'V2' }, COMPRESSION: 'zstd' } },
    { name: 'duckdb_small_row_groups', desc: 'ROW_GROUP_SIZE 2048 (many row groups)', options: { ROW_GROUP_SIZE: 2048 }, rows: 30000 },
    // DuckDB 1.5 computes INT32 deltas in 64 bits: miniblock bit widths of 33
    // and min_delta outside int32 (arrow-rs rejects the file; DuckDB and
    // hyparquet read it). Readers should be lenient here.
    { name: 'duckdb_v2_int32_extremes', desc: 'V2, DELTA_BINARY_PACKED INT32 with deltas beyond 32 bits',
      options: { PARQUET_VERSION: { raw: 'V2' } }, sql: INT32_EXTREMES_SQL },
  ];
}

function arrowFiles() {
  const pw = loadParquetWasm();
  const { Compression: C, Encoding: E, WriterVersion: V } = pw;
  const b = () => new pw.WriterPropertiesBuilder();
  const encoded = (builder, columns = ARROW_ENCODED_COLUMNS) => {
    for (const [col, enc] of Object.entries(columns)) {
      builder = builder.setColumnDictionaryEnabled(col, false).setColumnEncoding(col, E[enc]);
    }
    return builder;
  };
  return [
    { name: 'arrowrs_v1_default', desc: 'arrow-rs default writer properties (v1)', props: () => b() },
    { name: 'arrowrs_v2', desc: 'arrow-rs writer version 2 (DATA_PAGE_V2)', props: () => b().setWriterVersion(V.V2) },
    { name: 'arrowrs_v1_nodict_snappy', desc: 'dictionary off, snappy', props: () => b().setDictionaryEnabled(false).setCompression(C.SNAPPY) },
    { name: 'arrowrs_v1_dict_snappy_small_pages', desc: 'dictionary on, snappy, 4 KiB pages, 3000-row groups',
      props: () => b().setCompression(C.SNAPPY).setDataPageSizeLimit(4096).setDictionaryPageSizeLimit(4096).setMaxRowGroupSize(3000) },
    { name: 'arrowrs_v2_zstd', desc: 'v2 pages, zstd', props: () => b().setWriterVersion(V.V2).setCompression(C.ZSTD) },
    { name: 'arrowrs_v2_nodict_gzip', desc: 'v2 pages, dictionary off, gzip', props: () => b().setWriterVersion(V.V2).setDictionaryEnabled(false).setCompression(C.GZIP) },
    { name: 'arrowrs_v1_encodings', desc: `v1, per-column encodings ${JSON.stringify(ARROW_ENCODED_COLUMNS)}`, props: () => encoded(b()) },
    { name: 'arrowrs_v2_encodings_zstd', desc: 'v2, zstd, same per-column encodings', props: () => encoded(b().setWriterVersion(V.V2).setCompression(C.ZSTD)) },
    { name: 'arrowrs_v1_bss_extended', desc: `v1, snappy, BYTE_STREAM_SPLIT on non-float columns ${JSON.stringify(ARROW_EXTENDED_BSS_COLUMNS)}`,
      props: () => encoded(b().setCompression(C.SNAPPY), ARROW_EXTENDED_BSS_COLUMNS) },
  ];
}

async function encodingsSeen(file) {
  const rows = await queryJson(`SELECT path_in_schema AS p, string_agg(DISTINCT encodings, ' | ') AS e, string_agg(DISTINCT compression, ',') AS c
    FROM parquet_metadata(${sqlString(file)}) GROUP BY ALL ORDER BY min(column_id)`);
  return Object.fromEntries(rows.map(r => [r.p, `${r.e} [${r.c}]`]));
}

/** Reads `file` with DuckDB (the expectation) and checks the other readers agree.
 * For transcoded arrow-rs files, `source` is DuckDB's reading of the file they
 * were transcoded from: the arrow-rs file must hold the same rows, and when
 * DuckDB cannot read the arrow-rs file, `source` is the expectation. */
async function expectAndVerify(file, outdir, name, source) {
  const verified = [], skipped = {}, disagreements = {};
  let expected, expectedFrom = 'duckdb';
  try {
    expected = await readWith('duckdb', file);
  } catch (e) {
    if (!source) throw new Error(`${name}: DuckDB cannot read it: ${e.message}`);
    expected = source;
    expectedFrom = 'duckdb reading the transcoding source';
    skipped.duckdb = e.message.split('\n')[0];
  }
  if (source && expected !== source) {
    const d = compareRows(source, expected, ['source', 'duckdb']);
    if (d) disagreements['duckdb vs source'] = d;
  }
  writeFileSync(join(outdir, `${name}.expected.ndjson`), toNdjson(expected));
  for (const reader of ['hyparquet', 'parquet-wasm']) {
    let rows;
    try {
      rows = await readWith(reader, file);
    } catch (e) {
      skipped[reader] = e.message.split('\n')[0];
      if (reader === 'parquet-wasm') resetParquetWasm();
      continue;
    }
    const d = compareRows(expected, rows, ['expected', reader]);
    if (d) disagreements[reader] = d; else verified.push(reader);
  }
  if (expectedFrom !== 'duckdb' && verified.length < 2) disagreements.unverified = 'DuckDB cannot read it and the other readers did not both confirm';
  if (verified.length < 1) disagreements.unverified = 'no second reader could confirm the expectation';
  return { rows: expected.length, expected_from: expectedFrom, verified_by: verified, skipped, disagreements };
}

export async function generatePeerFiles(outdir, log = s => process.stdout.write(s + '\n')) {
  mkdirSync(outdir, { recursive: true });
  const manifest = { duckdb_version: await duckdbVersion(), files: [] };
  let failed = false;

  const record = async (name, writer, desc, file, source) => {
    const r = await expectAndVerify(file, outdir, name, source);
    const entry = { name, writer, desc, ...r, encodings: await encodingsSeen(file) };
    manifest.files.push(entry);
    const bad = Object.keys(r.disagreements).length > 0;
    failed ||= bad;
    log(`${bad ? 'FAIL' : 'OK  '} ${name}: ${r.rows} rows, expected from ${r.expected_from}, confirmed by ${r.verified_by.join(', ') || 'no other reader'}` +
      Object.entries(r.skipped).map(([k, v]) => `; ${k} skipped (${v})`).join('') +
      Object.entries(r.disagreements).map(([k, v]) => `\n     ${k} DISAGREES: ${v}`).join(''));
  };

  for (const f of duckdbFiles()) {
    const file = join(outdir, `${f.name}.parquet`);
    await duckdbCopy(f.sql ?? SOURCE_SQL(f.rows ?? N), file, f.options);
    await record(f.name, `duckdb ${manifest.duckdb_version}`, f.desc, file);
  }

  // arrow-rs (parquet-wasm): transcode an uncompressed DuckDB file through
  // arrow-rs' reader into Arrow, then write it with arrow-rs' writer.
  const srcFile = join(outdir, '_arrow_source.parquet');
  await duckdbCopy(SOURCE_SQL(N), srcFile, { COMPRESSION: 'uncompressed' });
  const srcBytes = new Uint8Array(readFileSync(srcFile));
  const srcRows = await readWith('duckdb', srcFile);
  for (const f of arrowFiles()) {
    const pw = loadParquetWasm();
    const file = join(outdir, `${f.name}.parquet`);
    const table = pw.readParquet(srcBytes);
    const bytes = pw.writeParquet(table, f.props().setCreatedBy('parquet-wasm 0.8.0 (arrow-rs)').build());
    writeFileSync(file, bytes);
    await record(f.name, 'parquet-wasm 0.8.0 (arrow-rs)', f.desc, file, srcRows);
  }
  rmSync(srcFile);
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  return { manifest, failed };
}

if (isMain(import.meta.url)) {
  const [outdir, ...rest] = process.argv.slice(2);
  if (!outdir || rest.length) {
    process.stderr.write('usage: gen_peer_files.mjs OUTDIR\n');
    process.exit(2);
  }
  generatePeerFiles(outdir).then(({ failed }) => process.exit(failed ? 1 : 0), e => {
    process.stderr.write(`gen_peer_files: ${process.env.INTEROP_DEBUG ? e.stack : e.message}\n`);
    process.exit(1);
  });
}
