#!/usr/bin/env node
// Independent oracle for the seed view tests (tests/views/seed_views_test.cc):
// DuckDB SQL over the same source documents computes what every seed example view
// must contain.
//
// Usage: node duckdb_expected.mjs DATA_DIR VIEW[,VIEW...]
//   DATA_DIR/<Collection>.ndjson   one source document per line (as the test holds it:
//                                  "$id", the fields, createdAt as ISO-8601 text)
// Prints one JSON object {"<view>": [row, ...], ...}; each row is a JSON object built
// by json_object() below. Conventions shared with the C++ comparator:
//   - dates "YYYY-MM-DD", timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC),
//   - exact decimals (sums/min/max of decimal fields) as strings, averages as numbers,
//   - variant values as the JSON they hold; missing paths as null.
// The SQL follows the seed definitions (materialized-views-design.md) and the semantics
// pinned in DESIGN.md, written independently of the C++ view engine.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const ID = (alias = '') => `(${alias}d->>'$."$id"')`;
const TS = expr => `(${expr})::TIMESTAMPTZ`;
const ISO_TS = expr => `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
const ISO_DATE = expr => `strftime(${expr}, '%Y-%m-%d')`;
const DEC = (expr, scale) => `(${expr})::DECIMAL(38,${scale})`;

// $exists (present, null counts as present) and "is not missing" for variant paths.
const EXISTS = path => `json_exists(d, '${path}')`;
// $ne 'ok' on a string field (missing matches $ne).
const NE = (field, lit) => `coalesce((d->>'${field}') <> '${lit}', true)`;

const VIEWS = {
  // ---- seed: main DB example ----
  DailySales: `
    SELECT json_object('date', ${ISO_DATE(`date_trunc('day', ${TS(`(d->>'createdAt')`)})`)},
                       'status', (d->>'status'),
                       'orderCount', count(*),
                       'revenue', coalesce(sum(${DEC(`(d->>'total')`, 2)}), 0)::VARCHAR,
                       'avgOrder', avg(((d->>'total'))::DOUBLE)) AS r
    FROM "Order" GROUP BY date_trunc('day', ${TS(`(d->>'createdAt')`)}), (d->>'status')`,

  OrderAnalytics: `
    WITH items AS (
      SELECT (i.d->>'order') AS oid, (i.d->>'$."$id"') AS iid, ((i.d->>'quantity'))::BIGINT AS qty,
             ((i.d->>'price')) AS price, (p.d->>'name') AS pname, (p.d->>'sku') AS psku
      FROM OrderItem i LEFT JOIN Product p ON (p.d->>'$."$id"') = (i.d->>'product'))
    SELECT json_object('$id', ${ID('o.')}, 'status', (o.d->>'status'), 'total', (o.d->>'total'),
      'customer', (o.d->>'customer'),
      'buyer_name', (c.d->>'name'), 'buyer_email', (c.d->>'email'), 'buyer_tier', (c.d->>'tier'),
      'items', coalesce((SELECT to_json(list(iid ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON),
      'items_quantity', coalesce((SELECT to_json(list(qty ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON),
      'items_price', coalesce((SELECT to_json(list(price ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON),
      'items_product_name', coalesce((SELECT to_json(list(pname ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON),
      'items_product_sku', coalesce((SELECT to_json(list(psku ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON)) AS r
    FROM "Order" o LEFT JOIN Customer c ON (c.d->>'$."$id"') = (o.d->>'customer')`,

  // defineView() variant of OrderAnalytics: per-row $compute over the items array.
  OrderAnalyticsComputed: `
    WITH items AS (SELECT (d->>'order') AS oid, (d->>'price') AS price FROM OrderItem)
    SELECT json_object('$id', ${ID('o.')}, 'buyer_name', (c.d->>'name'), 'buyer_tier', (c.d->>'tier'),
      'totalItems', (SELECT count(*) FROM items WHERE oid = ${ID('o.')}),
      'orderValue', (SELECT coalesce(sum(${DEC('price', 2)}), 0)::VARCHAR FROM items WHERE oid = ${ID('o.')})) AS r
    FROM "Order" o LEFT JOIN Customer c ON (c.d->>'$."$id"') = (o.d->>'customer')`,

  RealtimeOrders: `
    SELECT json_object('$id', ${ID('o.')}, 'status', (o.d->>'status'), 'total', (o.d->>'total'),
      'customer', (o.d->>'customer'), 'customer_name', (c.d->>'name'), 'customer_email', (c.d->>'email'),
      'customer_tier', (c.d->>'tier')) AS r
    FROM "Order" o LEFT JOIN Customer c ON (c.d->>'$."$id"') = (o.d->>'customer')`,

  DailyAnalytics: `
    WITH items AS (
      SELECT (i.d->>'order') AS oid, (i.d->>'$."$id"') AS iid, (p.d->>'name') AS pname
      FROM OrderItem i LEFT JOIN Product p ON (p.d->>'$."$id"') = (i.d->>'product'))
    SELECT json_object('$id', ${ID('o.')}, 'status', (o.d->>'status'), 'total', (o.d->>'total'),
      'customer_name', (c.d->>'name'), 'customer_tier', (c.d->>'tier'),
      'items_product_name', coalesce((SELECT to_json(list(pname ORDER BY iid)) FROM items WHERE oid = ${ID('o.')}), '[]'::JSON)) AS r
    FROM "Order" o LEFT JOIN Customer c ON (c.d->>'$."$id"') = (o.d->>'customer')`,

  AdHocReport: `
    SELECT json_object('$id', ${ID()}, 'status', (d->>'status'), 'total', (d->>'total'),
                       'customer', (d->>'customer'), 'createdAt', (d->>'createdAt')) AS r
    FROM "Order"`,

  OrderMetrics: `
    WITH o AS (
      SELECT o.d AS d, (c.d->>'tier') AS tier, date_trunc('day', ${TS(`(o.d->>'createdAt')`)}) AS day
      FROM "Order" o LEFT JOIN Customer c ON (c.d->>'$."$id"') = (o.d->>'customer'))
    SELECT json_object('status', (d->>'status'), 'tier', tier, 'day', ${ISO_DATE('day')},
                       'orderCount', count(*),
                       'totalRevenue', coalesce(sum(${DEC(`(d->>'total')`, 2)}), 0)::VARCHAR,
                       'avgOrderValue', avg(((d->>'total'))::DOUBLE),
                       'minOrder', min(${DEC(`(d->>'total')`, 2)})::VARCHAR,
                       'maxOrder', max(${DEC(`(d->>'total')`, 2)})::VARCHAR) AS r
    FROM o GROUP BY (d->>'status'), tier, day`,

  // DailyAIUsage as in the main DB example (by date, modelId).
  DailyAIUsageV1: `
    SELECT json_object('date', ${ISO_DATE(`date_trunc('day', ${TS(`(d->>'timestamp')`)})`)},
                       'modelId', (d->>'modelId'),
                       'requestCount', count(*),
                       'totalTokens', coalesce(sum(((d->>'tokens'))::BIGINT), 0),
                       'avgLatency', avg(((d->>'latencyMs'))::DOUBLE),
                       'errorCount', sum(CASE WHEN ${EXISTS('$.error')} THEN 1 ELSE 0 END)) AS r
    FROM AIRequests GROUP BY date_trunc('day', ${TS(`(d->>'timestamp')`)}), (d->>'modelId')`,

  // DailyAIUsage as in the AI observability example (modelId, providerId, date).
  DailyAIUsageV2: `
    SELECT json_object('modelId', (d->>'modelId'), 'providerId', (d->>'providerId'),
                       'date', ${ISO_DATE(`date_trunc('day', ${TS(`(d->>'timestamp')`)})`)},
                       'requestCount', count(*),
                       'totalTokens', coalesce(sum(((d->>'tokens'))::BIGINT), 0),
                       'avgLatency', avg(((d->>'latencyMs'))::DOUBLE),
                       'cacheHitRate', avg(CASE WHEN ((d->>'cached'))::BOOLEAN THEN 1 ELSE 0 END),
                       'errorCount', sum(CASE WHEN ${EXISTS('$.error')} THEN 1 ELSE 0 END)) AS r
    FROM AIRequests GROUP BY (d->>'modelId'), (d->>'providerId'), date_trunc('day', ${TS(`(d->>'timestamp')`)})`,

  // Cascading: WeeklyAIUsage from DailyAIUsage = ISO weeks of the days, sum of counts.
  WeeklyAIUsage: `
    SELECT json_object('week', ${ISO_DATE(`date_trunc('week', date_trunc('day', ${TS(`(d->>'timestamp')`)}))`)},
                       'totalRequests', count(*)) AS r
    FROM AIRequests GROUP BY date_trunc('week', date_trunc('day', ${TS(`(d->>'timestamp')`)}))`,

  DailyUsage: `
    SELECT json_object('date', ${ISO_DATE(`date_trunc('day', ${TS(`(d->>'timestamp')`)})`)},
                       'modelId', (d->>'modelId'), 'count', count(*),
                       'tokens', coalesce(sum(((d->>'tokens'))::BIGINT), 0)) AS r
    FROM AIRequests GROUP BY date_trunc('day', ${TS(`(d->>'timestamp')`)}), (d->>'modelId')`,

  AIErrors: `
    SELECT json_object('$id', ${ID()}, 'modelId', (d->>'modelId'), 'error', (d->'error')) AS r
    FROM AIRequests WHERE ${EXISTS('$.error')}`,

  GeneratedObjects: `
    SELECT json_object('$id', ${ID()}, 'modelId', (d->>'modelId'), 'content', (d->'content')) AS r
    FROM Generations WHERE (d->>'contentType') = 'object'`,

  EvalTrends: `
    SELECT json_object('suiteName', (d->>'suiteName'), 'scorerName', (d->>'scorerName'),
                       'week', ${ISO_DATE(`date_trunc('week', ${TS(`(d->>'timestamp')`)})`)},
                       'avgScore', avg(((d->>'score'))::DOUBLE),
                       'minScore', min(${DEC(`(d->>'score')`, 4)})::VARCHAR,
                       'maxScore', max(${DEC(`(d->>'score')`, 4)})::VARCHAR,
                       'runCount', count(*)) AS r
    FROM EvalScores GROUP BY (d->>'suiteName'), (d->>'scorerName'), date_trunc('week', ${TS(`(d->>'timestamp')`)})`,

  ScoreTrends: `
    SELECT json_object('suiteName', (d->>'suiteName'),
                       'week', ${ISO_DATE(`date_trunc('week', ${TS(`(d->>'timestamp')`)})`)},
                       'avgScore', avg(((d->>'score'))::DOUBLE), 'runCount', count(*)) AS r
    FROM EvalScores GROUP BY (d->>'suiteName'), date_trunc('week', ${TS(`(d->>'timestamp')`)})`,

  // WorkerErrors as in the main DB example: the whole event where outcome != 'ok'.
  WorkerErrorsV1: `
    SELECT json_object('$id', ${ID()}, 'scriptName', (d->>'scriptName'), 'outcome', (d->>'outcome'),
                       'event', (d->'event'), 'exceptions', (d->'exceptions')) AS r
    FROM TailEvents WHERE ${NE('outcome', 'ok')}`,

  // EndpointMetrics as in the main DB example (from TailEvents).
  EndpointMetricsV1: `
    SELECT json_object('scriptName', (d->>'scriptName'),
                       'method', (d->'event'->'request'->'method'),
                       'path', (d->'event'->'request'->'url'),
                       'requestCount', count(*),
                       'avgLatency', avg(((d->>'duration'))::DOUBLE),
                       'errorRate', avg(CASE WHEN ${NE('outcome', 'ok')} THEN 1 ELSE 0 END)) AS r
    FROM TailEvents WHERE ${EXISTS('$.event.request')}
    GROUP BY (d->>'scriptName'), (d->'event'->'request'->'method'), (d->'event'->'request'->'url')`,

  // ---- seed: tail worker analytics ----
  WorkerLogs: `
    SELECT json_object('$id', ${ID()} || '#' || (u.i - 1), 'scriptName', (d->>'scriptName'),
                       'level', u.e->'level', 'message', u.e->'message',
                       'timestamp', u.e->'timestamp', 'colo', (d->'event'->'request'->'cf'->'colo')) AS r
    FROM TailEvents, LATERAL (SELECT unnest(json_extract(d, '$.logs[*]')) AS e,
                                     generate_subscripts(json_extract(d, '$.logs[*]'), 1) AS i) u`,

  WorkerErrorsV2: `
    SELECT json_object('$id', ${ID()}, 'scriptName', (d->>'scriptName'), 'outcome', (d->>'outcome'),
                       'exceptionName', json_extract(d, '$.exceptions[0].name'),
                       'exceptionMessage', json_extract(d, '$.exceptions[0].message'),
                       'url', (d->'event'->'request'->'url'),
                       'status', (d->'event'->'response'->'status'),
                       'colo', (d->'event'->'request'->'cf'->'colo'),
                       'timestamp', ${ISO_TS(TS(`(d->>'eventTimestamp')`))}) AS r
    FROM TailEvents WHERE ${NE('outcome', 'ok')} OR ${EXISTS('$.exceptions[0]')}`,

  WorkerRequests: `
    SELECT json_object('$id', ${ID()}, 'scriptName', (d->>'scriptName'),
                       'method', (d->'event'->'request'->'method'), 'url', (d->'event'->'request'->'url'),
                       'status', (d->'event'->'response'->'status'), 'outcome', (d->>'outcome'),
                       'colo', (d->'event'->'request'->'cf'->'colo'),
                       'country', (d->'event'->'request'->'cf'->'country'),
                       'timestamp', ${ISO_TS(TS(`(d->>'eventTimestamp')`))}) AS r
    FROM TailEvents WHERE ${EXISTS('$.event')}`,

  // EndpointMetrics of the tail example: from the WorkerRequests view.
  EndpointMetricsV2: `
    SELECT json_object('scriptName', (d->>'scriptName'),
                       'method', (d->'event'->'request'->'method'),
                       'hour', ${ISO_TS(`date_trunc('hour', ${TS(`(d->>'eventTimestamp')`)})`)},
                       'requestCount', count(*),
                       'avgLatency', NULL,
                       'errorRate', avg(CASE WHEN ${NE('outcome', 'ok')} THEN 1 ELSE 0 END)) AS r
    FROM TailEvents WHERE ${EXISTS('$.event')}
    GROUP BY (d->>'scriptName'), (d->'event'->'request'->'method'), date_trunc('hour', ${TS(`(d->>'eventTimestamp')`)})`,
};

async function main() {
  const [dir, list] = process.argv.slice(2);
  if (!dir || !list) throw new Error('usage: duckdb_expected.mjs DATA_DIR VIEW[,VIEW...]');
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await inst.connect();
  await con.run("SET TimeZone = 'UTC'");
  for (const f of readdirSync(dir).filter(f => f.endsWith('.ndjson'))) {
    const table = f.slice(0, -'.ndjson'.length);
    const path = resolve(join(dir, f));
    if (statSync(path).size === 0) {
      await con.run(`CREATE TABLE "${table}" (d JSON)`);
    } else {
      await con.run(`CREATE TABLE "${table}" AS SELECT json AS d FROM read_ndjson_objects('${path.replaceAll("'", "''")}')`);
    }
  }
  const out = {};
  for (const name of list.split(',')) {
    const sql = VIEWS[name];
    if (!sql) throw new Error(`no expected query for view ${name}`);
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
    out[name] = rows.map(row => JSON.parse(row.r));
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => {
  process.stderr.write(`duckdb_expected: ${e.stack || e.message}\n`);
  process.exit(1);
});
