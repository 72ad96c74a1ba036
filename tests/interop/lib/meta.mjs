// Footer as DuckDB sees it: parquet_metadata() and parquet_schema(), JSON-safe
// (BIGINT -> string, as returned by @duckdb/node-api's Json converters).
import { queryJson, sqlString } from './duckdb.mjs';

export async function duckdbMeta(file) {
  const f = sqlString(file);
  const metadata = await queryJson(`SELECT * FROM parquet_metadata(${f}) ORDER BY row_group_id, column_id`);
  const schema = await queryJson(`SELECT * FROM parquet_schema(${f})`);
  return { file, parquet_metadata: metadata, parquet_schema: schema };
}
