// Table-format interop: lake_tool writes Iceberg and Delta tables with random
// inserts/updates/deletes over many commits; independent readers must see
// exactly the model's rows at every version.
//   Iceberg: metadata JSON checked for the required v2 fields; manifests and
//   manifest lists decoded by avsc and avrocat (field ids, file metadata,
//   bounds in single-value serialization); data files read by DuckDB; whole
//   table (and time travel) read by icebird.
//   Delta: the log replayed here, data files read by DuckDB, stats checked.
//   CLI (when PARQUEDB is given): `parquedb init --format iceberg|delta`, inserts,
//   an update, a delete and a flush; the table read independently equals `find`.
// usage: node lake_interop.mjs LAKE_TOOL SCRATCH_DIR [PARQUEDB]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  avroHeader, avroRecords, check, checkEq, deltaReplay, duckRows, expectedRows, failuresSoFar,
  gen, icebergFiles, icebergMeta, installLocalFetch, missingFieldIds, sortKeys, sql,
} from './lib.mjs';

const [tool, scratch, cli] = process.argv.slice(2);
fs.mkdirSync(scratch, { recursive: true });
let checks = 0;
const step = (name) => { checks++; console.log(`-- ${name}`); };

// ---------------- Iceberg ----------------
{
  const root = path.resolve(scratch, 'iceberg_items');
  const exp = gen(tool, 'iceberg', root, 30, 42);
  const meta = icebergMeta(root);
  step('iceberg metadata: required v2 fields');
  for (const k of ['format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms',
    'last-column-id', 'schemas', 'current-schema-id', 'partition-specs', 'default-spec-id',
    'last-partition-id', 'sort-orders', 'default-sort-order-id', 'snapshots', 'refs',
    'snapshot-log', 'metadata-log', 'current-snapshot-id']) {
    check(k in meta, `metadata lacks ${k}`);
  }
  checkEq(meta['format-version'], 2, 'format-version');
  checkEq(meta.refs.main, { 'snapshot-id': meta['current-snapshot-id'], type: 'branch' }, 'refs.main');
  checkEq(meta.snapshots.length, 30, 'one snapshot per commit');
  checkEq(meta['metadata-log'].length, 30, 'metadata-log lists every earlier metadata file');
  checkEq(meta['last-sequence-number'], 30, 'last-sequence-number');
  const schema = meta.schemas.find((s) => s['schema-id'] === meta['current-schema-id']);
  const ids = new Set();
  const walk = (t) => {
    if (typeof t !== 'object') return;
    if (t.type === 'struct') for (const f of t.fields) { ids.add(f.id); walk(f.type); }
    if (t.type === 'list') { ids.add(t['element-id']); walk(t.element); }
  };
  walk(schema);
  check(ids.size === 17 && !ids.has(undefined), `every schema field has a distinct id (${[...ids]})`);
  checkEq(schema.fields.find((f) => f.name === 'price').type, 'decimal(10, 2)', 'decimal type');
  checkEq(schema.fields.find((f) => f.name === 'at').type, 'timestamptz', 'timestamp type');

  step('iceberg manifests: avsc header, field ids, file metadata');
  const avroFiles = fs.readdirSync(path.join(root, 'metadata')).filter((f) => f.endsWith('.avro'))
    .map((f) => path.join(root, 'metadata', f));
  check(avroFiles.length >= 30, `manifest lists and manifests written (${avroFiles.length})`);
  let manifests = 0, lists = 0;
  for (const f of avroFiles) {
    const h = avroHeader(f);
    const s = JSON.parse(h['avro.schema']);
    checkEq(missingFieldIds(s), [], `${path.basename(f)}: fields without field-id`);
    checkEq(h['format-version'], '2', `${path.basename(f)}: format-version`);
    if (s.name === 'manifest_entry') {
      manifests++;
      checkEq(h.content, 'data', 'manifest content');
      checkEq(h['partition-spec'], '[]', 'manifest partition-spec');
      check(JSON.parse(h.schema).fields.length === schema.fields.length, 'manifest schema is the table schema');
    } else {
      lists++;
      check(s.name === 'manifest_file', `unexpected avro record ${s.name}`);
      check(/^\d+$/.test(h['snapshot-id']), 'manifest list snapshot-id');
    }
    // avrocat (Debian avro-bin, avro-c) must decode it too, record for record.
    const cat = execFileSync('avrocat', [f]).toString().trim().split('\n').filter((l) => l);
    const recs = await avroRecords(f);
    checkEq(cat.length, recs.length, `avrocat and avsc record counts of ${path.basename(f)}`);
  }
  check(manifests > 0 && lists === 30, `manifests ${manifests}, lists ${lists}`);

  step('iceberg: every snapshot read independently (avsc + DuckDB) equals the model');
  for (let i = 0; i < exp.versions.length; i++) {
    const v = exp.versions[i];
    const entries = await icebergFiles(meta, v.version);
    const got = await duckRows(entries.map((e) => e.data_file.file_path));
    checkEq(sortKeys(got), sortKeys(expectedRows(v)), `snapshot ${i} (${v.version}) rows`);
    const snap = meta.snapshots.find((s) => s['snapshot-id'] === v.version);
    checkEq(snap.summary['total-records'], String(Object.keys(v.rows).length), `snapshot ${i} total-records`);
    checkEq(snap['sequence-number'], i + 1, `snapshot ${i} sequence-number`);
  }

  step('iceberg: column metrics match the data (record counts, null counts, bounds)');
  const last = exp.versions.at(-1);
  for (const e of await icebergFiles(meta, last.version)) {
    const df = e.data_file;
    const f = df.file_path;
    const [st] = await sql(`SELECT count(*)::BIGINT AS n, min(qty)::BIGINT AS lo, max(qty)::BIGINT AS hi,
        count(*) FILTER (WHERE name IS NULL)::BIGINT AS name_nulls, min("$id") AS idlo, max("$id") AS idhi,
        CAST(min(price) AS VARCHAR) AS plo FROM read_parquet('${f}')`);
    checkEq(Number(df.record_count), Number(st.n), 'record_count');
    check(Number(df.file_size_in_bytes) === fs.statSync(f).size, 'file_size_in_bytes');
    const fid = (name) => schema.fields.find((x) => x.name === name).id;
    const map = (arr) => new Map(arr.map((kv) => [kv.key, kv.value]));
    const lo = map(df.lower_bounds), hi = map(df.upper_bounds), nulls = map(df.null_value_counts);
    checkEq(lo.get(fid('qty')).readBigInt64LE().toString(), String(st.lo), 'qty lower bound (8-byte LE)');
    checkEq(hi.get(fid('qty')).readBigInt64LE().toString(), String(st.hi), 'qty upper bound');
    checkEq(lo.get(fid('$id')).toString('utf8'), st.idlo, '$id lower bound (UTF-8)');
    checkEq(hi.get(fid('$id')).toString('utf8'), st.idhi, '$id upper bound');
    checkEq(Number(nulls.get(fid('name'))), Number(st.name_nulls), 'name null count');
    const pb = lo.get(fid('price'));
    let unscaled = BigInt.asIntN(pb.length * 8, BigInt('0x' + pb.toString('hex')));
    const neg = unscaled < 0n; if (neg) unscaled = -unscaled;
    const s = unscaled.toString().padStart(3, '0');
    checkEq((neg ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2), st.plo, 'price lower bound (big-endian decimal)');
  }

  step('iceberg: icebird reads the table (current and time travel)');
  installLocalFetch();
  const { icebergRead } = await import('icebird');
  // icebird applies Avro name sanitization to Parquet column names too, so the
  // "$"-prefixed system columns ($id, $seq, ...) come back undefined: compare
  // the user columns as a sorted multiset instead of keyed by $id.
  const canonIcebird = (rows) => rows.map((r) => JSON.stringify({
    qty: Number(r.qty), name: r.name ?? null, tags: r.tags ?? [] })).sort();
  const pick = (rows) => Object.values(rows).map((r) => JSON.stringify(
    { qty: r.qty, name: r.name, tags: r.tags })).sort();
  try {
    const cur = await icebergRead({ tableUrl: root });
    checkEq(canonIcebird(cur), pick(expectedRows(last)), 'icebird current rows');
    const old = await icebergRead({ tableUrl: root, metadataFileName: 'v11.metadata.json' });
    checkEq(canonIcebird(old), pick(expectedRows(exp.versions[9])), 'icebird v11 (10th commit) rows');
  } catch (e) {
    check(false, `icebird failed: ${e.stack}`);
  }

  step('iceberg: lake_tool scan (our reader) at a past snapshot');
  const ours = execFileSync(tool, ['scan', 'iceberg', root, exp.versions[5].version]).toString()
    .trim().split('\n').filter((l) => l).map((l) => JSON.parse(l));
  checkEq(ours.map((r) => r.$id).sort(), Object.keys(exp.versions[5].rows).sort(), 'our reader at snapshot 5');
}

// ---------------- Delta ----------------
{
  const root = path.resolve(scratch, 'delta_items');
  const exp = gen(tool, 'delta', root, 30, 7);
  step('delta: protocol and metaData');
  const r0 = deltaReplay(root, 0);
  checkEq(r0.protocol, { minReaderVersion: 1, minWriterVersion: 2 }, 'protocol');
  const ds = JSON.parse(r0.metaData.schemaString);
  checkEq(ds.fields.map((f) => f.name), ['$id', '$seq', '$deleted', 'createdAt', 'updatedAt', 'version', '$nulls',
    'name', 'qty', 'price', 'score', 'flag', 'at', 'day', 'tags'], 'delta schema columns');
  checkEq(ds.fields.find((f) => f.name === 'price').type, 'decimal(10,2)', 'delta decimal type');
  checkEq(ds.fields.find((f) => f.name === 'tags').type.type, 'array', 'delta array type');

  step('delta: every version replayed independently (DuckDB on the files) equals the model');
  for (let i = 0; i < exp.versions.length; i++) {
    const v = exp.versions[i];
    checkEq(v.version, String(i + 1), 'delta version numbering (0 = create)');
    const { files } = deltaReplay(root, i + 1);
    const got = await duckRows(files.map((a) => path.join(root, decodeURIComponent(a.path))));
    checkEq(sortKeys(got), sortKeys(expectedRows(v)), `delta version ${i + 1} rows`);
  }

  step('delta: add stats equal the data');
  for (const a of deltaReplay(root).files) {
    const f = path.join(root, a.path);
    const st = JSON.parse(a.stats);
    const [d] = await sql(`SELECT count(*)::BIGINT AS n, min(qty)::BIGINT AS lo, max(qty)::BIGINT AS hi,
        count(*) FILTER (WHERE name IS NULL)::BIGINT AS nn, min("$id") AS idlo, max("$id") AS idhi,
        CAST(min(price) AS DOUBLE) AS plo, CAST(max(day) AS VARCHAR) AS dhi,
        epoch_ms(min("at")) AS atlo FROM read_parquet('${f}')`);
    checkEq(st.numRecords, Number(d.n), 'numRecords');
    checkEq(st.minValues.qty, Number(d.lo), 'minValues.qty');
    checkEq(st.maxValues.qty, Number(d.hi), 'maxValues.qty');
    checkEq(st.nullCount.name, Number(d.nn), 'nullCount.name');
    checkEq(st.minValues.$id, d.idlo, 'minValues.$id');
    checkEq(st.maxValues.$id, d.idhi, 'maxValues.$id');
    checkEq(st.minValues.price, Number(d.plo), 'minValues.price');
    checkEq(st.maxValues.day, d.dhi, 'maxValues.day');
    checkEq(Date.parse(st.minValues.at), Number(d.atlo), 'minValues.at (ms)');
    checkEq(a.size, fs.statSync(f).size, 'add.size');
  }
}

// ---------------- the database through the CLI ----------------
if (cli) {
  for (const format of ['iceberg', 'delta']) {
    step(`CLI: init --format ${format}, writes, flush; the ${format} table equals find`);
    const db = path.resolve(scratch, `cli_${format}`);
    fs.rmSync(db, { recursive: true, force: true });
    fs.mkdirSync(db, { recursive: true });
    const schemaFile = path.join(scratch, 'cli_schema.json');
    fs.writeFileSync(schemaFile, JSON.stringify({ Order: { total: 'decimal(10,2)!', status: 'string!', qty: 'int?' } }));
    const run = (...args) => execFileSync(cli, ['--db', db, ...args]).toString();
    run('init', '--schema', schemaFile, '--format', format);
    const docs = Array.from({ length: 30 }, (_, i) => JSON.stringify({ total: `${i}.${i % 10}5`, status: i % 3 ? 'paid' : 'open', qty: i }));
    fs.writeFileSync(path.join(scratch, 'cli_docs.ndjson'), docs.join('\n') + '\n');
    run('insert', 'Order', path.join(scratch, 'cli_docs.ndjson'));
    run('flush');
    const find = () => run('find', 'Order').trim().split('\n').filter((l) => l).map((l) => JSON.parse(l));
    const ids = find().map((d) => d.$id).sort();
    run('update', 'Order', ids[3], JSON.stringify({ $set: { status: 'refunded', total: '99.99' } }));
    run('delete', 'Order', ids[7]);
    run('flush');
    check(fs.readFileSync(path.join(db, 'TABLE_FORMAT'), 'utf8').trim() === format, 'TABLE_FORMAT recorded');
    const want = find().map((d) => [d.$id, d.total, d.status]).sort();
    check(want.length === 29, `find after update+delete (${want.length})`);
    const root = path.join(db, format, 'Order');
    let files;
    if (format === 'iceberg') {
      const meta = icebergMeta(root);
      files = (await icebergFiles(meta, meta['current-snapshot-id'])).map((e) => e.data_file.file_path);
    } else {
      files = deltaReplay(root).files.map((a) => path.join(root, a.path));
    }
    const got = (await sql(`SELECT "$id" AS id, CAST(total AS VARCHAR) AS total, status
                            FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}])`))
      .map((r) => [r.id, r.total, r.status]).sort();
    checkEq(got, want, `${format} table of a CLI database equals find`);
  }
}

const failed = failuresSoFar();
console.log(`${checks - (failed ? 1 : 0)} passed, ${failed ? 1 : 0} failed`);
process.exit(failed ? 1 : 0);
