// Shared helpers for the table-format interop tests: run lake_tool, an
// independent Iceberg reader (avsc for the Avro manifests) and Delta log replay,
// DuckDB for the Parquet data files, and a local-file fetch for icebird.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { DuckDBInstance } from '@duckdb/node-api';

let failures = 0;
export function check(cond, msg) {
  if (!cond) {
    failures++;
    console.error(`FAIL: ${msg}`);
  }
}
export function checkEq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  check(sa === sb, `${msg}\n  got:      ${sa.slice(0, 400)}\n  expected: ${sb.slice(0, 400)}`);
}
export function failuresSoFar() { return failures; }

export function gen(tool, format, root, commits, seed) {
  fs.rmSync(root, { recursive: true, force: true });
  const out = execFileSync(tool, ['gen', format, root, String(commits), String(seed)], { maxBuffer: 1 << 28 });
  return JSON.parse(out.toString());
}

let con;
export async function duck() {
  if (!con) {
    const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
    con = await inst.connect();
  }
  return con;
}
export async function sql(q) {
  const r = await (await duck()).runAndReadAll(q);
  return r.getRowObjectsJson();
}
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

// Reads data files with DuckDB; canonical rows {id: {qty, price, name, tags}}.
export async function duckRows(files) {
  const out = {};
  if (files.length === 0) return out;
  const rows = await sql(`SELECT "$id" AS id, "$deleted" AS del, qty, CAST(price AS VARCHAR) AS price, name, tags,
      CAST(day AS VARCHAR) AS day, epoch_us("at") AS at FROM read_parquet([${files.map(lit).join(',')}])`);
  for (const r of rows) {
    if (r.id in out) throw new Error(`duplicate id ${r.id} across live files`);
    if (r.del) throw new Error(`tombstone ${r.id} in a live file`);
    out[r.id] = canon(r);
  }
  return out;
}
function canon(r) {
  return { qty: Number(r.qty), price: r.price, name: r.name ?? null, tags: r.tags ?? [],
           day: r.day, at: Number(r.at) };
}
// The expected rows of lake_tool's model, canonical like duckRows.
export function expectedRows(version) {
  const out = {};
  for (const [id, d] of Object.entries(version.rows)) {
    const days = Math.round(Date.parse(d.day + 'T00:00:00Z') / 86400000);
    out[id] = { qty: d.qty, price: d.price, name: d.name ?? null, tags: d.tags ?? [],
                day: d.day, at: Date.parse(d.at) * 1000 + Number(d.at.slice(23, 26)) };
    void days;
  }
  return out;
}
export function sortKeys(o) {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

// ---- Iceberg, independently: metadata JSON + avsc ----
export function avroHeader(file) {
  const h = avro.extractFileHeader(file);
  const meta = {};
  for (const [k, v] of Object.entries(h.meta)) {
    meta[k] = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return meta;
}
// Avro longs as BigInt (snapshot ids exceed 2^53).
const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b; },
  fromJSON: BigInt,
  toJSON: Number,
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
});
export function avroRecords(file) {
  return new Promise((resolve, reject) => {
    const recs = [];
    avro.createFileDecoder(file, {
      parseHook: (schema) => avro.Type.forSchema(schema, { wrapUnions: false, registry: { long: bigLong } }),
    })
      .on('data', (r) => recs.push(r)).on('end', () => resolve(recs)).on('error', reject);
  });
}
// Every record field (recursively) carries a field-id; arrays carry element-id
// unless they are Iceberg maps (logicalType map: key/value records with ids).
export function missingFieldIds(schema, where = '') {
  const bad = [];
  const walk = (t, p) => {
    if (Array.isArray(t)) return t.forEach((b) => walk(b, p));
    if (typeof t !== 'object' || t === null) return;
    if (t.type === 'record') {
      for (const f of t.fields) {
        if (typeof f['field-id'] !== 'number') bad.push(`${p}.${f.name}`);
        walk(f.type, `${p}.${f.name}`);
      }
    } else if (t.type === 'array') {
      if (t.logicalType !== 'map' && typeof t['element-id'] !== 'number') bad.push(`${p}[]`);
      walk(t.items, `${p}[]`);
    }
  };
  walk(schema, where);
  return bad;
}
export function icebergMeta(root, v) {
  const dir = path.join(root, 'metadata');
  const hint = path.join(dir, 'version-hint.text');
  if (v === undefined && fs.existsSync(hint)) v = Number(fs.readFileSync(hint, 'utf8').trim());
  if (v === undefined) {  // no hint (e.g. ClickHouse-written tables): the highest vN
    v = Math.max(...fs.readdirSync(dir).map((f) => /^v(\d+)\.metadata\.json$/.exec(f)).filter((m) => m)
      .map((m) => Number(m[1])));
  }
  return JSON.parse(fs.readFileSync(path.join(dir, `v${v}.metadata.json`), 'utf8')
    .replace(/("(?:snapshot-id|parent-snapshot-id|current-snapshot-id)"\s*:\s*)(-?\d+)/g, '$1"$2"'));
}
// Live data files of a snapshot (string id), via avsc.
export async function icebergFiles(meta, snapshotId) {
  const snap = meta.snapshots.find((s) => s['snapshot-id'] === snapshotId);
  if (!snap) throw new Error(`no snapshot ${snapshotId}`);
  const manifests = await avroRecords(snap['manifest-list']);
  const files = [];
  for (const m of manifests) {
    for (const e of await avroRecords(m.manifest_path)) {
      if (e.status !== 2) files.push(e);
    }
  }
  return files;
}

// ---- Delta, independently: log replay ----
export function deltaReplay(root, version) {
  const dir = path.join(root, '_delta_log');
  const versions = fs.readdirSync(dir).filter((f) => /^\d{20}\.json$/.test(f)).sort();
  const files = new Map();
  let metaData, protocol;
  for (const f of versions) {
    const v = Number(f.slice(0, 20));
    if (version !== undefined && v > version) break;
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      if (a.add) files.set(a.add.path, a.add);
      if (a.remove) files.delete(a.remove.path);
      if (a.metaData) metaData = a.metaData;
      if (a.protocol) protocol = a.protocol;
    }
  }
  return { files: [...files.values()], metaData, protocol, last: versions.length - 1 };
}

// ---- a fetch for icebird that serves local absolute paths (ranges, HEAD) ----
export function installLocalFetch() {
  const real = globalThis.fetch;
  globalThis.fetch = async (url, init = {}) => {
    let u = typeof url === 'string' ? url : url.url ?? String(url);
    if (u.startsWith('file://')) u = u.slice(7);
    if (!u.startsWith('/')) return real(url, init);
    if (!fs.existsSync(u)) return new Response('not found', { status: 404 });
    const size = fs.statSync(u).size;
    if ((init.method ?? 'GET') === 'HEAD') {
      return new Response(null, { status: 200, headers: { 'content-length': String(size) } });
    }
    const buf = fs.readFileSync(u);
    const range = init.headers && (init.headers.Range ?? init.headers.range ??
      (typeof init.headers.get === 'function' ? init.headers.get('range') : undefined));
    if (range) {
      const m = /bytes=(\d+)-(\d*)/.exec(range);
      const start = Number(m[1]), end = m[2] ? Number(m[2]) + 1 : size;
      return new Response(buf.subarray(start, end), { status: 206,
        headers: { 'content-length': String(end - start), 'content-range': `bytes ${start}-${end - 1}/${size}` } });
    }
    return new Response(buf, { status: 200, headers: { 'content-length': String(size) } });
  };
}
