// Shared DuckDB connection helpers (@duckdb/node-api).
import { DuckDBInstance } from '@duckdb/node-api';

let conPromise = null;

/** One in-memory DuckDB connection per process, single-threaded (shared 2-core machines). */
export function duckdb() {
  if (!conPromise) {
    conPromise = (async () => {
      const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
      const con = await inst.connect();
      // timestamp literals and TIMESTAMPTZ text in UTC, whatever the machine's zone
      await con.run("SET TimeZone = 'UTC'");
      return con;
    })();
  }
  return conPromise;
}

export const sqlString = s => `'${String(s).replaceAll("'", "''")}'`;
export const sqlIdent = s => `"${String(s).replaceAll('"', '""')}"`;

/** Runs a query and returns rows as objects with JSON-safe values (bigint -> string). */
export async function queryJson(sql) {
  const con = await duckdb();
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

export async function duckdbVersion() {
  const [row] = await queryJson('SELECT version() AS v');
  return row.v;
}
