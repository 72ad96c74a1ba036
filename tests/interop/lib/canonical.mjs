// Canonical row form: the comparison contract between ParqueDB and the
// independent readers (DuckDB, parquet-wasm/arrow-rs, hyparquet).
//
// One JSON object per row, top-level columns in schema order, every column
// present (null when null). Values:
//   boolean            -> true/false
//   integers           -> JSON number if |v| <= 2^53, else a decimal string
//   float/double       -> JSON number (float32 as the exact double of the float);
//                         NaN/Infinity/-Infinity -> "NaN", "Infinity", "-Infinity"
//   DECIMAL(p,s)       -> string with exactly s fractional digits ("-12.30", "7", "0.05")
//   DATE               -> "YYYY-MM-DD"
//   TIMESTAMP (any unit, UTC-adjusted or not)
//                      -> "YYYY-MM-DDTHH:MM:SS.ffffffZ" (nanos floor to micros)
//   STRING/ENUM/JSON   -> JSON string (JSON is not parsed)
//   binary (no logical type) -> "hex:" + lowercase hex
//   LIST -> array (null list -> null), STRUCT -> object with all children.
// Years outside 0000..9999 are written with as many digits as needed and a
// leading '-' when negative (ISO 8601 expanded form without '+').
//
// One canonicalizer per reader, because each library represents values
// differently:
//   canonDuckDB(value)             DuckDB node-api value classes (exact)
//   hyparquetReadOptions()/canonHyparquetRows()  hyparquet with custom parsers
//                                  and DECIMAL annotations stripped (raw unscaled ints)
//   canonArrowTable(table)         apache-arrow Table (from parquet-wasm IPC),
//                                  raw buffers for timestamps/dates/decimals

import {
  DuckDBArrayValue, DuckDBBlobValue, DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue,
  DuckDBStructValue, DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBUUIDValue,
} from '@duckdb/node-api';
import { Type as ArrowType, TimeUnit as ArrowTimeUnit, DateUnit as ArrowDateUnit } from 'apache-arrow';

// ---------------------------------------------------------------------------
// Scalar formatting (shared by all readers)

const MAX_SAFE = 2n ** 53n;
const MICROS_PER_DAY = 86400000000n;

export function canonInt(v) {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`non-integer value ${v} for an integer column`);
    return Math.abs(v) <= 2 ** 53 ? v : BigInt(v).toString();
  }
  const b = BigInt(v);
  return (b <= MAX_SAFE && b >= -MAX_SAFE) ? Number(b) : b.toString();
}

export function canonFloat(v) {
  const x = Number(v);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}

/** unscaled: bigint; scale: number of fractional digits */
export function formatDecimal(unscaled, scale) {
  let u = BigInt(unscaled);
  const neg = u < 0n;
  if (neg) u = -u;
  let digits = u.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return (neg ? '-' : '') + digits;
}

/** Big-endian two's complement bytes -> bigint. */
export function bytesToSignedBigInt(bytes) {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes[0] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

export function hex(bytes) {
  return 'hex:' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const floorDiv = (a, b) => { const q = a / b; return (a % b !== 0n && ((a < 0n) !== (b < 0n))) ? q - 1n : q; };
const pad = (n, w) => String(n).padStart(w, '0');
const fmtYear = y => (y < 0 ? '-' + pad(-y, 4) : pad(y, 4));

// Howard Hinnant's civil_from_days / days_from_civil (proleptic Gregorian).
function civilFromDays(z) {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function formatDate(days) {
  const [y, m, d] = civilFromDays(Number(days));
  return `${fmtYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

export function formatMicros(micros) {
  const us = BigInt(micros);
  const days = floorDiv(us, MICROS_PER_DAY);
  let rem = us - days * MICROS_PER_DAY;
  const frac = rem % 1000000n; rem /= 1000000n;
  const s = rem % 60n; rem /= 60n;
  const mi = rem % 60n; const h = rem / 60n;
  return `${formatDate(days)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(frac, 6)}Z`;
}

export function timestampToMicros(value, unit) {
  const v = BigInt(value);
  switch (unit) {
    case 's': return v * 1000000n;
    case 'ms': return v * 1000n;
    case 'us': return v;
    case 'ns': return floorDiv(v, 1000n);
    default: throw new Error(`unknown timestamp unit ${unit}`);
  }
}

// Parsers for canonical strings (used to load canonical rows into DuckDB and
// to compare statistics).
export function parseDate(s) {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`bad canonical date ${JSON.stringify(s)}`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}
export function parseTimestampMicros(s) {
  const m = /^(-?\d{4,}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|\+00(?::?00)?)?$/.exec(s);
  if (!m) throw new Error(`bad timestamp ${JSON.stringify(s)}`);
  const frac = BigInt((m[5] || '').padEnd(9, '0')) / 1000n;
  return BigInt(parseDate(m[1])) * MICROS_PER_DAY +
    ((BigInt(m[2]) * 60n + BigInt(m[3])) * 60n + BigInt(m[4])) * 1000000n + frac;
}
export function parseDecimalUnscaled(s, scale) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s));
  if (!m) throw new Error(`bad decimal ${JSON.stringify(s)}`);
  const frac = m[3] || '';
  if (frac.length > scale) throw new Error(`decimal ${s} has more than ${scale} fractional digits`);
  const u = BigInt(m[2] + frac.padEnd(scale, '0'));
  return m[1] ? -u : u;
}
export function parseHex(s) {
  if (typeof s !== 'string' || !s.startsWith('hex:')) throw new Error(`bad binary ${JSON.stringify(s)}`);
  return new Uint8Array(Buffer.from(s.slice(4), 'hex'));
}

// ---------------------------------------------------------------------------
// DuckDB (@duckdb/node-api): values from result.getRowObjects(), exact classes.

export function canonDuckDB(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'boolean': case 'string': return v;
    // numbers come from INTEGER-or-narrower (always safe) or FLOAT/DOUBLE;
    // 64-bit integers arrive as bigint.
    case 'number': return canonFloat(v);
    case 'bigint': return canonInt(v);
  }
  if (v instanceof DuckDBDecimalValue) return formatDecimal(v.value, v.scale);
  if (v instanceof DuckDBDateValue) return formatDate(v.days);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return formatMicros(v.micros);
  if (v instanceof DuckDBTimestampMillisecondsValue) return formatMicros(timestampToMicros(v.millis, 'ms'));
  if (v instanceof DuckDBTimestampSecondsValue) return formatMicros(timestampToMicros(v.seconds, 's'));
  if (v instanceof DuckDBTimestampNanosecondsValue) return formatMicros(timestampToMicros(v.nanos, 'ns'));
  if (v instanceof DuckDBBlobValue) return hex(v.bytes);
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(canonDuckDB);
  if (v instanceof DuckDBStructValue) {
    const o = {};
    for (const [k, x] of Object.entries(v.entries)) o[k] = canonDuckDB(x);
    return o;
  }
  if (v instanceof DuckDBUUIDValue) return v.toString();
  throw new Error(`canonDuckDB: unsupported value ${v?.constructor?.name}: ${String(v)}`);
}

export function canonDuckDBRow(rowObject) {
  const o = {};
  for (const [k, v] of Object.entries(rowObject)) o[k] = canonDuckDB(v);
  return o;
}

// ---------------------------------------------------------------------------
// hyparquet. Defaults are lossy (decimals -> float, timestamps -> Date in ms),
// so we read with:
//   - parsers that return canonical strings for dates/timestamps (from the
//     raw bigint) and the undecoded JSON text;
//   - utf8: false so unannotated BYTE_ARRAY stays bytes;
//   - a metadata copy with DECIMAL annotations removed, so hyparquet hands back
//     the raw unscaled INT32/INT64/byte values, which we scale exactly using
//     the original schema.

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export const hyparquetParsers = {
  timestampFromMilliseconds: v => formatMicros(timestampToMicros(v, 'ms')),
  timestampFromMicroseconds: v => formatMicros(timestampToMicros(v, 'us')),
  timestampFromNanoseconds: v => formatMicros(timestampToMicros(v, 'ns')),
  dateFromDays: d => formatDate(d),
  stringFromBytes: b => (b == null ? b : textDecoder.decode(b)),
  jsonFromBytes: b => (b == null ? b : textDecoder.decode(b)),
};

const isDecimalElement = e => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';

/** Returns metadata with DECIMAL annotations removed from a copy of the schema. */
export function hyparquetRawDecimalMetadata(metadata) {
  const schema = metadata.schema.map(e => {
    if (!isDecimalElement(e)) return e;
    const { converted_type, logical_type, ...rest } = e; // eslint-disable-line no-unused-vars
    return rest;
  });
  return { ...metadata, schema };
}

const isListNode = n => n.element.converted_type === 'LIST' || n.element.logical_type?.type === 'LIST';
const isMapNode = n => ['MAP', 'MAP_KEY_VALUE'].includes(n.element.converted_type) || n.element.logical_type?.type === 'MAP';

// Parquet LIST backward-compatibility rules (LogicalTypes.md).
function listElementNode(listNode) {
  const rep = listNode.children[0];
  if (!rep.children.length) return rep; // repeated primitive
  if (rep.children.length > 1) return rep; // repeated group of several fields = struct element
  if (rep.element.name === 'array' || rep.element.name === `${listNode.element.name}_tuple`) return rep;
  return rep.children[0];
}

// hyparquet keys DATE, JSON and LIST handling off the legacy converted_type;
// a file carrying only the logical type is misread by it, so say so clearly.
const CONVERTED_TYPE_NEEDED = { DATE: 'DATE', JSON: 'JSON', LIST: 'LIST' };
function requireConvertedType(e) {
  const need = CONVERTED_TYPE_NEEDED[e.logical_type?.type];
  if (need && e.converted_type !== need) {
    throw new Error(`hyparquet: column ${e.name} has logical type ${need} but no converted_type ${need}; ` +
      'hyparquet (and other legacy readers) need the converted type to decode it');
  }
}

function canonHypLeaf(e, v) {
  requireConvertedType(e);
  if (isDecimalElement(e)) {
    const scale = e.scale ?? e.logical_type?.scale ?? 0;
    const unscaled = v instanceof Uint8Array ? bytesToSignedBigInt(v) : BigInt(v);
    return formatDecimal(unscaled, scale);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v; // strings, dates, timestamps (parsers), JSON
  if (typeof v === 'bigint') return canonInt(v);
  if (typeof v === 'number') {
    return (e.type === 'FLOAT' || e.type === 'DOUBLE' || e.logical_type?.type === 'FLOAT16') ? canonFloat(v) : canonInt(v);
  }
  if (v instanceof Uint8Array) {
    if (e.converted_type === 'ENUM' || e.logical_type?.type === 'ENUM') return textDecoder.decode(v);
    return hex(v);
  }
  throw new Error(`hyparquet: unsupported value for column ${e.name}: ${v?.constructor?.name}`);
}

export function canonHyparquet(node, v) {
  if (v === null || v === undefined) return null;
  if (isMapNode(node)) throw new Error(`hyparquet canonicalizer: MAP column ${node.element.name} not supported`);
  if (isListNode(node)) {
    requireConvertedType(node.element);
    const elem = listElementNode(node);
    return Array.from(v, x => canonHyparquet(elem, x));
  }
  if (node.element.repetition_type === 'REPEATED' && Array.isArray(v)) {
    // unannotated repeated field: a list of required values
    const single = { ...node, element: { ...node.element, repetition_type: 'REQUIRED' } };
    return v.map(x => canonHyparquet(single, x));
  }
  if (node.children.length) {
    const o = {};
    for (const c of node.children) o[c.element.name] = canonHyparquet(c, v[c.element.name]);
    return o;
  }
  return canonHypLeaf(node.element, v);
}

// ---------------------------------------------------------------------------
// Arrow (apache-arrow Table decoded from parquet-wasm's IPC stream).
// Vector.get() is lossy for timestamps (float ms) and gives BN objects for
// decimals, so those read the raw value buffers.

function locate(vec, i) {
  for (const d of vec.data) {
    if (i < d.length) return [d, i];
    i -= d.length;
  }
  throw new Error('arrow: index out of range');
}

const ARROW_TS_UNIT = { [ArrowTimeUnit.SECOND]: 's', [ArrowTimeUnit.MILLISECOND]: 'ms', [ArrowTimeUnit.MICROSECOND]: 'us', [ArrowTimeUnit.NANOSECOND]: 'ns' };

export function canonArrow(vec, i) {
  if (!vec.isValid(i)) return null;
  const t = vec.type;
  switch (t.typeId) {
    case ArrowType.Bool: return vec.get(i);
    case ArrowType.Int: return canonInt(vec.get(i));
    case ArrowType.Float: return canonFloat(vec.get(i));
    case ArrowType.Utf8: case ArrowType.LargeUtf8: return vec.get(i);
    case ArrowType.Binary: case ArrowType.LargeBinary: case ArrowType.FixedSizeBinary: return hex(vec.get(i));
    case ArrowType.Decimal: {
      const [d, j] = locate(vec, i);
      const words = d.values.subarray(d.stride * j, d.stride * (j + 1)); // little-endian 32-bit words
      let u = 0n;
      for (let k = words.length - 1; k >= 0; k--) u = (u << 32n) | BigInt(words[k] >>> 0);
      const bits = BigInt(words.length * 32);
      if (u >> (bits - 1n)) u -= 1n << bits;
      return formatDecimal(u, t.scale);
    }
    case ArrowType.Date: {
      const [d, j] = locate(vec, i);
      if (t.unit === ArrowDateUnit.DAY) return formatDate(d.values[j]);
      return formatDate(floorDiv(BigInt(d.values[j]), 86400000n)); // Date64 millis
    }
    case ArrowType.Timestamp: {
      const [d, j] = locate(vec, i);
      return formatMicros(timestampToMicros(d.values[j], ARROW_TS_UNIT[t.unit]));
    }
    case ArrowType.List: case ArrowType.LargeList: case ArrowType.FixedSizeList: {
      const child = vec.get(i);
      const out = new Array(child.length);
      for (let k = 0; k < child.length; k++) out[k] = canonArrow(child, k);
      return out;
    }
    case ArrowType.Struct: {
      const o = {};
      t.children.forEach((f, k) => { o[f.name] = canonArrow(vec.getChildAt(k), i); });
      return o;
    }
    case ArrowType.Dictionary: {
      const v = vec.get(i);
      if (typeof v === 'string') return v;
      throw new Error(`arrow: unsupported dictionary value type ${t.dictionary}`);
    }
    default:
      throw new Error(`arrow canonicalizer: unsupported type ${t} (typeId ${t.typeId})`);
  }
}

export function canonArrowTable(table) {
  const cols = table.schema.fields.map((f, k) => [f.name, table.getChildAt(k)]);
  const rows = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const o = {};
    for (const [name, vec] of cols) o[name] = canonArrow(vec, i);
    rows[i] = o;
  }
  return rows;
}

// ---------------------------------------------------------------------------
// NDJSON helpers

export const toNdjson = rows => rows.map(r => JSON.stringify(r) + '\n').join('');

export function parseNdjson(text, what = 'ndjson') {
  const out = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    if (lines[k].trim() === '') continue;
    try { out.push(JSON.parse(lines[k])); } catch (e) { throw new Error(`${what}: line ${k + 1}: ${e.message}`); }
  }
  return out;
}
