// pq_tool schema JSON helpers: {"fields": [FIELD...]},
// FIELD = {"name", "type": T, "nullable", "field_id"?}, T = "boolean"|"int32"|"int64"|
// "float"|"double"|"string"|"json"|"binary"|"date"|"timestamp"|"decimal(P,S)"
// | {"list": FIELD} | {"struct": [FIELD...]}.
import {
  blobValue, dateValue, decimalValue, listValue, structValue, timestampValue,
} from '@duckdb/node-api';
import { parseDate, parseDecimalUnscaled, parseHex, parseTimestampMicros } from './canonical.mjs';
import { sqlIdent } from './duckdb.mjs';

const PRIMITIVES = new Set(['boolean', 'int32', 'int64', 'float', 'double', 'string', 'json', 'binary', 'date', 'timestamp']);

/** Returns {kind: 'primitive'|'decimal'|'list'|'struct', ...} for a FIELD's type. */
export function typeInfo(t) {
  if (typeof t === 'string') {
    if (PRIMITIVES.has(t)) return { kind: 'primitive', name: t };
    const m = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
    if (m) return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2]) };
  } else if (t && typeof t === 'object') {
    if (t.list) return { kind: 'list', element: t.list };
    if (t.struct) return { kind: 'struct', fields: t.struct };
  }
  throw new Error(`bad schema type ${JSON.stringify(t)}`);
}

const isPrimitiveField = f => ['primitive', 'decimal'].includes(typeInfo(f.type).kind);

/** Top-level non-nested columns (the ones whose footer statistics we check). */
export const flatFields = schema => schema.fields.filter(isPrimitiveField);

export function duckdbTypeSql(t) {
  const ti = typeInfo(t);
  switch (ti.kind) {
    case 'decimal': return `DECIMAL(${ti.precision},${ti.scale})`;
    case 'list': return `${duckdbTypeSql(ti.element.type)}[]`;
    case 'struct': return `STRUCT(${ti.fields.map(f => `${sqlIdent(f.name)} ${duckdbTypeSql(f.type)}`).join(', ')})`;
    default: return {
      boolean: 'BOOLEAN', int32: 'INTEGER', int64: 'BIGINT', float: 'FLOAT', double: 'DOUBLE',
      string: 'VARCHAR', json: 'JSON', binary: 'BLOB', date: 'DATE', timestamp: 'TIMESTAMP',
    }[ti.name];
  }
}

/** Canonical value -> DuckDB node-api value, for appending canonical rows to a DuckDB table. */
export function toDuckDBValue(t, v) {
  if (v === null || v === undefined) return null;
  const ti = typeInfo(t);
  switch (ti.kind) {
    case 'decimal': return decimalValue(parseDecimalUnscaled(v, ti.scale), ti.precision, ti.scale);
    case 'list': return listValue(v.map(x => toDuckDBValue(ti.element.type, x)));
    case 'struct': return structValue(Object.fromEntries(ti.fields.map(f => [f.name, toDuckDBValue(f.type, v[f.name])])));
  }
  switch (ti.name) {
    case 'boolean': case 'string': case 'json': return v;
    case 'int32': return Number(v);
    case 'int64': return BigInt(v);
    case 'float': case 'double': return Number(v); // "NaN"/"Infinity"/"-Infinity" parse too
    case 'binary': return blobValue(parseHex(v));
    case 'date': return dateValue(parseDate(v));
    case 'timestamp': return timestampValue(parseTimestampMicros(v));
  }
  throw new Error(`toDuckDBValue: unhandled type ${JSON.stringify(t)}`);
}
