// End-to-end test of `parquedb serve` over real loopback sockets, and of
// `parquedb ingest`: node server_e2e.mjs PARQUEDB_BINARY SCRATCH_DIR
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import assert from 'node:assert/strict';

const [bin, scratch] = process.argv.slice(2);
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(scratch, { recursive: true });
const dbDir = path.join(scratch, 'db');
const schemaFile = path.join(scratch, 'schema.json');
fs.writeFileSync(schemaFile, JSON.stringify({
  TailEvents: 'parquedb/tail',
  Note: { text: 'string!', n: 'int' },
  // Views for the dashboard endpoints: a streaming one and a manual one over it.
  Failures: { $from: 'TailEvents', $filter: { outcome: { $ne: 'ok' } },
              $select: { scriptName: '$scriptName', outcome: '$outcome' } },
  FailuresPerScript: { $from: 'Failures', $groupBy: ['scriptName'], $compute: { n: { $count: '*' } },
                       $refresh: { mode: 'manual' } },
}));

function cli(args, input) {
  const r = spawnSync(bin, ['--db', dbDir, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
assert.equal(cli(['init', '--schema', schemaFile]).code, 0);

const TOKEN = 'e2e-token';
function tailItem(i, extra = {}) {
  return {
    scriptName: `worker-${i % 2}`, outcome: i % 5 === 0 ? 'exception' : 'ok',
    eventTimestamp: 1735732800000 + i * 1000,
    event: { request: { url: `https://api.example.com/items/${i}`, method: i % 3 ? 'GET' : 'POST',
                        headers: { 'user-agent': 'e2e' }, cf: { colo: 'AMS', country: 'NL' } },
             response: { status: i % 5 === 0 ? 500 : 200 } },
    logs: [{ level: 'log', message: [`request ${i}`], timestamp: 1735732800000 + i * 1000 + 1 }],
    exceptions: i % 5 === 0 ? [{ name: 'Error', message: `boom ${i}`, timestamp: 1735732800000 + i * 1000 + 2 }] : [],
    ...extra,
  };
}

// ---- CLI ingest: atomic by default, --partial stores the good items ----
{
  const file = path.join(scratch, 'items.json');
  fs.writeFileSync(file, JSON.stringify([tailItem(100), { scriptName: 'x', outcome: 'ok' }, tailItem(101)]));
  let r = cli(['ingest', 'TailEvents', file]);
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(JSON.parse(r.out), { accepted: 0, rejected: [{ index: 1, field: 'eventTimestamp', error: 'missing (also accepted: timestamp)' }] });
  assert.match(r.err, /item 1: eventTimestamp: missing/);
  r = cli(['ingest', 'TailEvents', file, '--partial']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).accepted, 2);
  r = cli(['ingest', 'TailEvents', '-'], JSON.stringify(tailItem(102)) + '\n');  // NDJSON on stdin
  assert.equal(r.code, 0, r.err);
  r = cli(['count', 'TailEvents']);
  assert.equal(JSON.parse(r.out).count, 3, r.out + r.err);
  r = cli(['ingest', 'Nope', file]);
  assert.equal(r.code, 1);
  assert.match(r.err, /no collection 'Nope'/);
}

// ---- CLI ingest --follow: tail -f with committed positions; a restart resumes ----
async function follow(file, expectAccepted, appendWhileRunning) {
  const child = spawn(bin, ['--db', dbDir, 'ingest', 'TailEvents', file, '--follow',
                            '--batch-size', '2', '--flush-interval-ms', '20', '--partial'],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const rl = readline.createInterface({ input: child.stdout });
  let accepted = 0;
  const lines = [];
  for await (const line of rl) {
    const j = JSON.parse(line);
    lines.push(j);
    accepted += j.accepted;
    if (appendWhileRunning && accepted === 2) { appendWhileRunning(); appendWhileRunning = null; }
    if (accepted >= expectAccepted) break;
  }
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.signal, null, err);
  assert.equal(r.code, 0, err);
  return { accepted, lines };
}
{
  const file = path.join(scratch, 'follow.ndjson');
  fs.writeFileSync(file, JSON.stringify(tailItem(200)) + '\n' + JSON.stringify(tailItem(201)) + '\n');
  // While running: two more lines, the last one split in two writes (a partial line
  // is held until its newline arrives), and one malformed line (reported, skipped).
  const r1 = await follow(file, 4, () => {
    fs.appendFileSync(file, JSON.stringify(tailItem(202)) + '\n' + '{"scriptName":"bad"}\n' +
                      JSON.stringify(tailItem(203)).slice(0, 30));
    setTimeout(() => fs.appendFileSync(file, JSON.stringify(tailItem(203)).slice(30) + '\n'), 100);
  });
  assert.equal(r1.accepted, 4);
  assert.ok(r1.lines.some((l) => l.rejected.some((e) => e.field === 'outcome')), JSON.stringify(r1.lines));
  // Restart: only what was appended since is ingested.
  fs.appendFileSync(file, JSON.stringify(tailItem(204)) + '\n');
  const r2 = await follow(file, 1);
  assert.equal(r2.accepted, 1);
  const c = cli(['count', 'TailEvents', '{"scriptName":{"$in":["worker-0","worker-1"]},"eventTimestamp":{"$gte":"2025-01-01T12:03:20Z"}}']);
  assert.equal(JSON.parse(c.out).count, 5, c.out + c.err);
  assert.equal(JSON.parse(cli(['count', 'TailEvents']).out).count, 3 + 5);
}

// ---- server ----
const server = spawn(bin, ['--db', dbDir, 'serve', '--port', '0', '--token', TOKEN, '--max-body', '65536'],
                     { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => { stderr += d; });
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
const first = await new Promise((resolve, reject) => {
  const rl = readline.createInterface({ input: server.stdout });
  rl.once('line', resolve);
  server.once('exit', () => reject(new Error('server exited: ' + stderr)));
});
const { port, listening } = JSON.parse(first);
assert.match(listening, /^http:\/\/127\.0\.0\.1:\d+$/);
const base = `http://127.0.0.1:${port}`;
const auth = { Authorization: `Bearer ${TOKEN}` };

async function call(method, url, body, headers = auth) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(base + url, init);
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

let failures = 0;
async function check(name, fn) {
  try { await fn(); console.log('ok   ' + name); } catch (e) { failures++; console.log('FAIL ' + name + '\n     ' + e.message); }
}

await check('health needs no token', async () => {
  const r = await call('GET', '/health', undefined, {});
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
});
await check('401 without or with a wrong token', async () => {
  assert.equal((await call('GET', '/collections', undefined, {})).status, 401);
  const r = await call('GET', '/collections', undefined, { Authorization: 'Bearer nope' });
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'unauthorized');
});
await check('collections list hides the system collection _stream_offsets', async () => {
  const r = await call('GET', '/collections');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.collections, ['TailEvents', 'Note']);
});
await check('ingest TailItem[] as a tail worker forwards it', async () => {
  const batch = Array.from({ length: 20 }, (_, i) => tailItem(i));
  const r = await call('POST', '/ingest/TailEvents', batch);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { accepted: 20, rejected: [] });
});
await check('malformed items: 422, positions, nothing written', async () => {
  const before = (await call('POST', '/collections/TailEvents/find', {})).json.count;
  const bad = [tailItem(50), tailItem(51, { event: { request: { url: 7 } } }), tailItem(52, { outcome: undefined })];
  const r = await call('POST', '/ingest/TailEvents', bad);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.accepted, 0);
  assert.deepEqual(r.json.rejected.map((e) => [e.index, e.field]), [[1, 'event.request.url'], [2, 'outcome']]);
  const after = (await call('POST', '/collections/TailEvents/find', {})).json.count;
  assert.equal(after, before);
  const p = await call('POST', '/ingest/TailEvents?partial=true', bad);
  assert.equal(p.status, 200);
  assert.equal(p.json.accepted, 1);
  assert.equal((await call('POST', '/collections/TailEvents/find', {})).json.count, before + 1);
});
await check('bad JSON: 400 with line and column', async () => {
  const r = await call('POST', '/ingest/TailEvents', '[{"scriptName": "a",\n  "outcome": }]');
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /line 2, column 14/);
  const r2 = await call('POST', '/collections/Note', '{"text": "a",}');
  assert.equal(r2.status, 400);
  assert.match(r2.json.error.message, /line 1, column/);
});
await check('unknown collection: 404', async () => {
  assert.equal((await call('POST', '/ingest/Nope', [])).status, 404);
  assert.equal((await call('GET', '/collections/Nope')).status, 404);
  assert.equal((await call('POST', '/collections/Nope/find', {})).status, 404);
});
await check('413 over --max-body', async () => {
  const r = await call('POST', '/collections/Note', { text: 'x'.repeat(70000) });
  assert.equal(r.status, 413);
});
let noteId;
await check('CRUD: create, validation 422 naming the field, get, patch, delete', async () => {
  let r = await call('POST', '/collections/Note', { text: 'hello', n: 1 });
  assert.equal(r.status, 201, r.text);
  noteId = r.json.$id;
  r = await call('POST', '/collections/Note', { text: 5 });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.field, 'text');
  r = await call('POST', '/collections/Note', [{ text: 'a', n: 2 }, { text: 'b', n: 3 }]);
  assert.equal(r.status, 201);
  assert.equal(r.json.count, 2);
  r = await call('POST', '/collections/Note', [{ text: 'c' }, { n: 'x' }]);
  assert.equal(r.status, 422);
  r = await call('GET', `/collections/Note/${noteId}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.text, 'hello');
  r = await call('PATCH', `/collections/Note/${noteId}`, { $inc: { n: 10 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.n, 11);
  r = await call('DELETE', `/collections/Note/${noteId}`);
  assert.equal(r.status, 200);
  assert.equal((await call('GET', `/collections/Note/${noteId}`)).status, 404);
  assert.equal((await call('DELETE', `/collections/Note/${noteId}`)).status, 404);
});
await check('find: filter, sort, limit, skip, project; GET with query parameters; asOf', async () => {
  let r = await call('POST', '/collections/TailEvents/find', {
    filter: { outcome: 'exception', 'event.request.cf.colo': 'AMS' }, sort: { eventTimestamp: -1 },
    limit: 2, skip: 1, project: { scriptName: 1, eventTimestamp: 1 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.count, 2);
  assert.deepEqual(Object.keys(r.json.documents[0]).sort(), ['$id', 'eventTimestamp', 'scriptName']);
  assert.ok(r.json.documents[0].eventTimestamp > r.json.documents[1].eventTimestamp);
  r = await call('GET', '/collections/Note?filter=' + encodeURIComponent('{"n":{"$gte":2}}') + '&sort=' + encodeURIComponent('{"n":1}'));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.documents.map((d) => d.n), [2, 3]);  // before the asOf note
  // asOf: the state before an update.
  const created = await call('POST', '/collections/Note', { text: 'versioned', n: 100 });
  await new Promise((res) => setTimeout(res, 20));
  const between = new Date().toISOString();
  await new Promise((res) => setTimeout(res, 20));
  await call('PATCH', `/collections/Note/${created.json.$id}`, { n: 101 });
  r = await call('POST', '/collections/Note/find', { filter: { text: 'versioned' }, asOf: between });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.documents.map((d) => d.n), [100]);
  r = await call('GET', `/collections/Note/${created.json.$id}?asOf=${between}`);
  assert.equal(r.json.n, 100);
  assert.equal((await call('GET', `/collections/Note/${created.json.$id}`)).json.n, 101);
  assert.equal((await call('POST', '/collections/Note/find', { asOf: 'yesterday' })).status, 400);
  r = await call('POST', '/collections/Note/find', { filter: { n: { $bogus: 1 } } });
  assert.equal(r.status, 400, r.text);
  r = await call('POST', '/collections/Note/find', { limt: 1 });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /unknown key 'limt'/);
});
await check('views endpoints answer JSON (404 for an unknown view)', async () => {
  const r = await call('GET', '/views');
  assert.equal(r.status, 200);
  assert.ok(Array.isArray(r.json.views));
  const s = await call('GET', '/views/NoSuchView/state');
  assert.ok(s.status === 404 || s.status === 501, s.text);
  assert.ok(s.json.error);
});
await check('dashboard page: GET / and /dashboard serve the self-contained page without a token', async () => {
  for (const p of ['/', '/dashboard']) {
    const res = await fetch(base + p);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const html = await res.text();
    assert.match(html, /<title>ParqueDB dashboard<\/title>/);
    assert.match(html, /\/api\/dag/);
    assert.doesNotMatch(html, /(src|href)="https?:/, 'no external resources');
  }
  assert.equal((await call('GET', '/api/views', undefined, {})).status, 401, 'the data still needs the token');
});
await check('GET /api/collections: names with row counts (no system collections)', async () => {
  const r = await call('GET', '/api/collections');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.collections.map((c) => c.name), ['TailEvents', 'Note']);
  for (const c of r.json.collections) {
    const n = (await call('POST', `/collections/${c.name}/find`, {})).json.count;
    assert.equal(c.rows, n, c.name);
  }
});
await check('GET /api/dag: collections and views as nodes, $from edges, levels', async () => {
  const r = await call('GET', '/api/dag');
  assert.equal(r.status, 200, r.text);
  const nodes = Object.fromEntries(r.json.nodes.map((n) => [n.id, n]));
  assert.deepEqual(Object.keys(nodes).sort(), ['Failures', 'FailuresPerScript', 'Note', 'TailEvents']);
  assert.deepEqual([nodes.TailEvents.kind, nodes.TailEvents.level], ['collection', 0]);
  assert.deepEqual([nodes.Failures.kind, nodes.Failures.level, nodes.Failures.mode], ['view', 1, 'streaming']);
  assert.deepEqual([nodes.FailuresPerScript.level, nodes.FailuresPerScript.mode], [2, 'manual']);
  assert.deepEqual(r.json.edges.map((e) => `${e.from}->${e.to}:${e.kind}`).sort(),
                   ['Failures->FailuresPerScript:from', 'TailEvents->Failures:from']);
  const failures = (await call('POST', '/views/Failures/find', {})).json.count;
  assert.ok(failures > 0);
  assert.equal(nodes.Failures.rows, failures);
  assert.equal(nodes.TailEvents.rows, (await call('POST', '/collections/TailEvents/find', {})).json.count);
});
await check('GET /api/views: state, definition and lag; a refresh clears the lag', async () => {
  await call('POST', '/views/FailuresPerScript/refresh', {});
  let r = await call('GET', '/api/views');
  assert.equal(r.status, 200, r.text);
  assert.ok(Date.parse(r.json.now) > 0);
  let v = Object.fromEntries(r.json.views.map((x) => [x.name, x]));
  assert.deepEqual(Object.keys(v).sort(), ['Failures', 'FailuresPerScript']);
  assert.deepEqual(v.FailuresPerScript.definition.$groupBy, ['scriptName']);
  assert.equal(v.FailuresPerScript.state, 'fresh');
  assert.deepEqual(v.FailuresPerScript.lag, { sequences: 0, seconds: 0 });
  assert.deepEqual(v.Failures.lag, { sequences: 0, seconds: 0 }, 'streaming views do not lag');
  // New failures: the manual view falls behind by the source sequences since its refresh.
  const before = v.FailuresPerScript.sourceSnapshots.Failures;
  const ing = await call('POST', '/ingest/TailEvents', [tailItem(5000), tailItem(5005)]);
  assert.equal(ing.status, 200, ing.text);
  r = await call('GET', '/api/views');
  v = Object.fromEntries(r.json.views.map((x) => [x.name, x]));
  const s = v.FailuresPerScript;
  assert.equal(s.state, 'stale');
  assert.equal(s.sourceSnapshots.Failures, before);
  assert.ok(s.sourceSequences.Failures > before, JSON.stringify(s));
  assert.equal(s.lag.sequences, s.sourceSequences.Failures - before);
  assert.ok(s.lag.seconds >= 0 && s.lag.seconds < 600, JSON.stringify(s.lag));
  assert.equal(r.json.lastSequence, (await call('GET', '/health')).json.lastSequence);
  const ref = await call('POST', '/views/FailuresPerScript/refresh', {});
  assert.equal(ref.json.state, 'fresh');
  r = await call('GET', '/api/views');
  v = Object.fromEntries(r.json.views.map((x) => [x.name, x]));
  assert.deepEqual(v.FailuresPerScript.lag, { sequences: 0, seconds: 0 });
  assert.equal(v.FailuresPerScript.sourceSnapshots.Failures, v.FailuresPerScript.sourceSequences.Failures);
});
await check('concurrent ingests all land', async () => {
  const before = (await call('POST', '/collections/TailEvents/find', {})).json.count;
  const rs = await Promise.all(Array.from({ length: 8 }, (_, k) =>
    call('POST', '/ingest/TailEvents', Array.from({ length: 25 }, (_, i) => tailItem(1000 + k * 25 + i)))));
  rs.forEach((r) => assert.equal(r.status, 200, r.text));
  const after = (await call('POST', '/collections/TailEvents/find', {})).json.count;
  assert.equal(after, before + 200);
});

// Graceful stop by PID with SIGTERM; the data survives.
server.kill('SIGTERM');
const { code, signal } = await exited;
await check('SIGTERM stops the server cleanly', async () => {
  assert.equal(signal, null, 'killed by ' + signal);
  assert.equal(code, 0, stderr);
});
await check('data persisted after the server stopped', async () => {
  const r = cli(['count', 'TailEvents']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).count, 3 + 5 + 20 + 1 + 2 + 200);
});
if (failures) { console.log(`${failures} failed`); process.exit(1); }
console.log('all passed');
