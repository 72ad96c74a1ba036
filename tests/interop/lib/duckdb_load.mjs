// Loads canonical rows into a DuckDB table typed from a pq_tool schema, and
// writes that table with DuckDB's Parquet writer (the reference writer used by
// the self-check and as a peer).
import { duckdb, sqlIdent, sqlString } from './duckdb.mjs';
import { duckdbTypeSql, toDuckDBValue } from './schema.mjs';

export async function loadCanonicalRows(table, schema, rows) {
  const con = await duckdb();
  const cols = schema.fields.map(f => `${sqlIdent(f.name)} ${duckdbTypeSql(f.type)}${f.nullable ? '' : ' NOT NULL'}`);
  await con.run(`CREATE OR REPLACE TABLE ${sqlIdent(table)} (${cols.join(', ')})`);
  const types = (await con.runAndReadAll(`SELECT * FROM ${sqlIdent(table)} LIMIT 0`)).columnTypes();
  const appender = await con.createAppender(table);
  for (const row of rows) {
    schema.fields.forEach((f, k) => {
      const v = toDuckDBValue(f.type, row[f.name]);
      if (v === null) appender.appendNull(); else appender.appendValue(v, types[k]);
    });
    appender.endRow();
  }
  appender.closeSync();
}

/** COPY (sourceSql) TO file with DuckDB options, e.g. {COMPRESSION: 'zstd', ROW_GROUP_SIZE: 2048}.
 * Strings are quoted, numbers and {raw: 'sql'} are inserted as they are. */
export async function duckdbCopy(sourceSql, file, options = {}) {
  const con = await duckdb();
  const val = v => (typeof v === 'number' ? v : typeof v === 'object' ? v.raw : sqlString(v));
  const opts = Object.entries({ FORMAT: 'parquet', ...options }).map(([k, v]) => `${k} ${val(v)}`);
  await con.run(`COPY (${sourceSql}) TO ${sqlString(file)} (${opts.join(', ')})`);
}

/** DuckDB FIELD_IDS option value for a schema's top-level field_ids (or undefined). */
export function duckdbFieldIds(schema) {
  const ids = schema.fields.filter(f => f.field_id !== undefined);
  if (!ids.length) return undefined;
  return { raw: `{${ids.map(f => `${sqlIdent(f.name)}: ${Number(f.field_id)}`).join(', ')}}` };
}
