// Footer checks as seen by DuckDB's parquet_metadata()/parquet_schema():
// per row group, each top-level primitive column's statistics (min_value,
// max_value, null_count) must equal the true values of the rows in that row
// group; field_ids in the schema must be present in the file.
import { parseDate, parseDecimalUnscaled, parseTimestampMicros } from './canonical.mjs';
import { duckdbMeta } from './meta.mjs';
import { flatFields, typeInfo } from './schema.mjs';

const TRUNCATE_OK_BYTES = 64; // strings longer than this may carry truncated bounds

// DuckDB renders BLOB stats as printable ASCII with \xHH escapes for the rest.
function duckBlobToBytes(s) {
  const out = [];
  for (let k = 0; k < s.length;) {
    if (s[k] === '\\' && s[k + 1] === 'x') { out.push(parseInt(s.slice(k + 2, k + 4), 16)); k += 4; } else { out.push(s.charCodeAt(k)); k += 1; }
  }
  return Buffer.from(out);
}

function parseDuckFloat(s) {
  const t = s.toLowerCase();
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return NaN;
  return Number(s);
}

/** For a flat field: {key(canonical value) -> comparable, cmp, fromStat(duckdb string) -> comparable, bytes?} */
function comparatorFor(field) {
  const ti = typeInfo(field.type);
  const num = { cmp: (a, b) => (a < b ? -1 : a > b ? 1 : 0) };
  if (ti.kind === 'decimal') return { ...num, key: v => parseDecimalUnscaled(v, ti.scale), fromStat: s => parseDecimalUnscaled(s, ti.scale) };
  switch (ti.name) {
    case 'int32': case 'int64': return { ...num, key: v => BigInt(v), fromStat: s => BigInt(s) };
    case 'double': return { ...num, key: v => Number(v), fromStat: parseDuckFloat, float: true };
    case 'float': return { ...num, key: v => Number(v), fromStat: s => Math.fround(parseDuckFloat(s)), float: true };
    case 'boolean': return { ...num, key: v => (v ? 1 : 0), fromStat: s => (s === 'true' ? 1 : s === 'false' ? 0 : NaN) };
    case 'date': return { ...num, key: parseDate, fromStat: parseDate };
    case 'timestamp': return { ...num, key: parseTimestampMicros, fromStat: parseTimestampMicros };
    case 'string': case 'json': return { cmp: Buffer.compare, key: v => Buffer.from(v, 'utf8'), fromStat: s => Buffer.from(s, 'utf8'), bytes: true };
    case 'binary': return { cmp: Buffer.compare, key: v => Buffer.from(v.slice(4), 'hex'), fromStat: duckBlobToBytes, bytes: true };
  }
  throw new Error(`no comparator for ${JSON.stringify(field.type)}`);
}

const fmt = (c, x) => (x === undefined ? 'none' : c.bytes ? JSON.stringify(x.toString('utf8')) : typeof x === 'bigint' ? x.toString() : JSON.stringify(x));

/** Returns {checked, failures: [string], notes: [string]}. rows: canonical rows in file order. */
export async function checkFooter(file, schema, rows) {
  const meta = await duckdbMeta(file);
  const failures = [];
  const notes = [];
  let checked = 0;

  // field ids
  const byName = new Map(meta.parquet_schema.map(e => [e.name, e]));
  for (const f of schema.fields) {
    if (f.field_id === undefined) continue;
    const e = byName.get(f.name);
    if (!e || String(e.field_id) !== String(f.field_id)) failures.push(`field_id of ${f.name}: expected ${f.field_id}, file has ${e ? e.field_id : '<no such element>'}`);
    else checked++;
  }

  // row groups, in order
  const rgs = new Map();
  for (const m of meta.parquet_metadata) {
    if (!rgs.has(m.row_group_id)) rgs.set(m.row_group_id, { numRows: Number(m.row_group_num_rows), cols: new Map() });
    rgs.get(m.row_group_id).cols.set(m.path_in_schema, m);
  }
  const totalRows = [...rgs.values()].reduce((s, g) => s + g.numRows, 0);
  if (totalRows !== rows.length) failures.push(`row groups hold ${totalRows} rows, expected ${rows.length}`);

  let start = 0;
  for (const [rgId, rg] of [...rgs.entries()].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const slice = rows.slice(start, start + rg.numRows);
    start += rg.numRows;
    for (const f of flatFields(schema)) {
      const where = `row group ${rgId}, column ${f.name}`;
      const m = rg.cols.get(f.name);
      if (!m) { failures.push(`${where}: missing from parquet_metadata`); continue; }
      const c = comparatorFor(f);
      let nulls = 0, nan = false, lo, hi;
      for (const r of slice) {
        const v = r[f.name];
        if (v === null || v === undefined) { nulls++; continue; }
        if (c.float && v === 'NaN') { nan = true; continue; }
        const k = c.key(v);
        if (lo === undefined || c.cmp(k, lo) < 0) lo = k;
        if (hi === undefined || c.cmp(k, hi) > 0) hi = k;
      }
      checked++;
      // null_count
      if (m.stats_null_count === null) {
        if (f.nullable || nulls) failures.push(`${where}: no null_count statistic (expected ${nulls})`);
      } else if (Number(m.stats_null_count) !== nulls) {
        failures.push(`${where}: null_count ${m.stats_null_count}, expected ${nulls}`);
      }
      // min/max
      const sMin = m.stats_min_value, sMax = m.stats_max_value;
      if (lo === undefined) {
        if (sMin !== null || sMax !== null) notes.push(`${where}: all values null/NaN but min/max present (${sMin}, ${sMax})`);
        continue;
      }
      if (sMin === null || sMax === null) {
        if (nan) { notes.push(`${where}: min/max omitted (column has NaN)`); continue; }
        failures.push(`${where}: no min_value/max_value statistics (expected ${fmt(c, lo)} .. ${fmt(c, hi)})`);
        continue;
      }
      const gotLo = c.fromStat(sMin), gotHi = c.fromStat(sMax);
      const eq = (a, b) => c.cmp(a, b) === 0 && !(Number.isNaN(a) || Number.isNaN(b));
      if (!eq(gotLo, lo)) {
        const truncated = c.bytes && lo.length > TRUNCATE_OK_BYTES && gotLo.length < lo.length && lo.subarray(0, gotLo.length).equals(gotLo);
        if (truncated && m.min_is_exact !== true) notes.push(`${where}: min truncated to ${gotLo.length} bytes`);
        else failures.push(`${where}: min ${JSON.stringify(sMin)}, expected ${fmt(c, lo)}`);
      }
      if (!eq(gotHi, hi)) {
        const truncated = c.bytes && hi.length > TRUNCATE_OK_BYTES && gotHi.length <= TRUNCATE_OK_BYTES * 2 && c.cmp(gotHi, hi) > 0;
        if (truncated && m.max_is_exact !== true) notes.push(`${where}: max truncated to ${gotHi.length} bytes`);
        else failures.push(`${where}: max ${JSON.stringify(sMax)}, expected ${fmt(c, hi)}`);
      }
    }
  }
  return { checked, failures, notes, rowGroups: rgs.size };
}
