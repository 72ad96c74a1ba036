// DuckDB half of bench/sql_bench.sh: loads the exported live rows (NDJSON) into a
// table and times the same dashboard SQL (threads=1, median of --runs).
//   node sql_bench_duckdb.mjs --ndjson FILE --query SQL [--runs K]
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const opt = name => args[args.indexOf(name) + 1];
const runs = Number(args.includes('--runs') ? opt('--runs') : 5);
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
await con.run("SET TimeZone = 'UTC'");
let t = performance.now();
await con.run(`CREATE TABLE Req AS SELECT * FROM read_json('${opt('--ndjson')}', format='newline_delimited',
  columns={scriptName: 'VARCHAR', method: 'VARCHAR', status: 'BIGINT', outcome: 'VARCHAR',
           latency: 'DOUBLE', bytes: 'BIGINT', ts: 'TIMESTAMP'})`);
const loadSeconds = (performance.now() - t) / 1000;
const times = [];
let rows;
for (let i = 0; i < runs; i++) {
  t = performance.now();
  const reader = await con.runAndReadAll(opt('--query'));
  times.push((performance.now() - t) / 1000);
  rows = reader.getRowObjectsJson();
}
times.sort((a, b) => a - b);
const [{ v }] = (await con.runAndReadAll('SELECT version() AS v')).getRowObjectsJson();
console.log(JSON.stringify({ duckdb_version: v, load_seconds: loadSeconds, seconds: times[times.length >> 1], answer: rows }));
