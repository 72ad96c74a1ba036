// The web dashboard of `parquedb serve` in a real headless browser (Debian's chromium
// driven by playwright-core):  node dashboard_test.mjs PARQUEDB_BINARY SCRATCH_DIR
// Builds the tail-analytics database (examples/tail-analytics: TailEvents and four
// views), ingests generated Tail Worker batches over HTTP, loads the page and checks
// the views table, the lineage DAG and the chart against the JSON API, refreshes a
// view from the page, and saves a screenshot (SCRATCH_DIR/dashboard.png) that must
// decode to a non-blank image with a drawn chart.
// Exit 77 (ctest SKIP_RETURN_CODE) only when /usr/bin/chromium is not installed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is not installed (apt-get install chromium, or bash scripts/dev.sh setup)`);
  process.exit(77);
}
const { chromium } = await import('playwright-core');
const { PNG } = await import('pngjs');

const [bin, scratch] = process.argv.slice(2);
if (!bin || !scratch) {
  console.error('usage: node dashboard_test.mjs PARQUEDB_BINARY SCRATCH_DIR');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, '..', '..', 'examples', 'tail-analytics');
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(scratch, { recursive: true });
const dbDir = path.join(scratch, 'db');
const VIEWS = ['WorkerLogs', 'WorkerErrors', 'WorkerRequests', 'EndpointMetrics'];
const EVENTS = 2400;

// ---- database and server ----
let r = spawnSync(bin, ['--db', dbDir, 'init', '--schema', path.join(example, 'schema.json')], { encoding: 'utf8' });
assert.equal(r.status, 0, r.stderr);
r = spawnSync(process.execPath, [path.join(example, 'generate.mjs'), String(EVENTS), '100'], { encoding: 'utf8', maxBuffer: 64 << 20 });
assert.equal(r.status, 0, r.stderr);
const batches = r.stdout.trim().split('\n');

const TOKEN = 'dash-' + process.pid;
const server = spawn(bin, ['--db', dbDir, 'serve', '--port', '0', '--token', TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => { stderr += d; });
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
const first = await new Promise((resolve, reject) => {
  readline.createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', () => reject(new Error('server exited: ' + stderr)));
});
const base = `http://127.0.0.1:${JSON.parse(first).port}`;
const auth = { Authorization: `Bearer ${TOKEN}` };
async function api(method, url, body) {
  const init = { method, headers: { ...auth } };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
  const res = await fetch(base + url, init);
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}
for (const b of batches) {
  const res = await api('POST', '/ingest/TailEvents', JSON.parse(b));
  assert.equal(res.rejected.length, 0, JSON.stringify(res.rejected));
}

// ---- browser ----
const userDataDir = fs.mkdtempSync(path.join(scratch, 'chromium-profile-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1440, height: 1000 },
});
const page = context.pages()[0] ?? await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
// Requests leaving loopback would mean an external resource (the machine has no internet).
const offHost = [];
page.on('request', (req) => { if (!req.url().startsWith(base) && !req.url().startsWith('data:')) offHost.push(req.url()); });

let failures = 0;
async function check(name, fn) {
  try { await fn(); console.log('ok   ' + name); } catch (e) { failures++; console.log('FAIL ' + name + '\n     ' + (e.stack || e.message)); }
}
const ticks = () => page.evaluate(() => Number(document.body.dataset.ticks || 0));
async function nextTick() {  // waits for the page's next completed poll
  const t = await ticks();
  await page.waitForFunction((t0) => Number(document.body.dataset.ticks || 0) > t0, t, { timeout: 20000 });
}
// EndpointMetrics rows summed per hour: what the default chart must show.
async function requestsPerHour() {
  const rows = (await api('POST', '/views/EndpointMetrics/find', {})).documents;
  const perHour = new Map();
  for (const row of rows) perHour.set(row.hour, (perHour.get(row.hour) ?? 0) + row.requestCount);
  return [...perHour].sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
}
async function bars() {
  return page.$$eval('svg#chart rect.bar', (rs) => rs.map((b) => ({
    x: b.dataset.x, y: Number(b.dataset.y), h: Number(b.getAttribute('height')) })));
}
function checkHeights(bs) {
  const maxY = Math.max(...bs.map((b) => b.y));
  const k = Math.max(...bs.map((b) => b.h)) / maxY;
  assert.ok(k > 0);
  for (const b of bs) assert.ok(Math.abs(b.h - b.y * k) < 0.75, `bar ${b.x}: height ${b.h} for ${b.y} (scale ${k})`);
}

await check('without a token the page asks for one', async () => {
  const p2 = await context.newPage();
  await p2.goto(base + '/dashboard');
  await p2.waitForSelector('#banner.show #token-form', { state: 'visible', timeout: 20000 });
  assert.match(await p2.textContent('#banner-text'), /bearer token/);
  await p2.close();
});

await page.goto(`${base}/?token=${encodeURIComponent(TOKEN)}`);
await page.waitForFunction(() => Number(document.body.dataset.ticks || 0) >= 1 &&
                                 document.querySelectorAll('svg#chart rect.bar, svg#chart text').length > 0, null, { timeout: 30000 });

await check('the token is taken from the URL and dropped from it', async () => {
  assert.equal(new URL(page.url()).search, '');
});
await check('collections table: TailEvents with its row count', async () => {
  const rows = await page.$$eval('#collections-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.collection, tr.cells[1].textContent]));
  assert.deepEqual(rows, [['TailEvents', EVENTS.toLocaleString('en-US')]]);
});
await check('views table: every view with its state, mode, sources and refresh kind', async () => {
  const api_views = (await api('GET', '/views')).views;
  const rows = await page.$$eval('#views-table tbody tr', (trs) => trs.map((tr) => ({
    name: tr.dataset.view, state: tr.querySelector('.state .badge')?.dataset.state,
    mode: tr.querySelector('.mode div')?.textContent, sources: [...tr.querySelectorAll('.sources .tag')].map((t) => t.textContent),
    kind: tr.querySelector('.refresh-kind .tag')?.textContent, rows: tr.querySelector('.rows').textContent,
    lagSeq: Number(tr.querySelector('.lag').dataset.lagSeq) })));
  assert.deepEqual(rows.map((x) => x.name), VIEWS);
  for (const v of api_views) {
    const row = rows.find((x) => x.name === v.name);
    assert.ok(['fresh', 'stale', 'invalid'].includes(row.state), JSON.stringify(row));
    assert.equal(row.state, v.state, v.name);
    assert.equal(row.mode, v.mode, v.name);
    assert.deepEqual(row.sources, [v.source], v.name);
    assert.equal(row.kind, v.incremental ? 'incremental' : 'full', v.name);
  }
  assert.deepEqual(rows.map((x) => x.mode), ['streaming', 'streaming', 'streaming', 'scheduled']);
  // The streaming views are fresh; the hourly one lags behind everything ingested.
  for (const x of rows.slice(0, 3)) assert.equal(x.state, 'fresh', JSON.stringify(x));
  const em = rows[3];
  assert.equal(em.state, 'stale');
  assert.ok(em.lagSeq > 0, JSON.stringify(em));
});
await check('lineage DAG: TailEvents feeds three views, WorkerRequests feeds EndpointMetrics', async () => {
  const nodes = await page.$$eval('svg#dag g.node', (gs) => gs.map((g) => {
    const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute('transform'));
    return { id: g.dataset.id, kind: g.dataset.kind, x: Number(m[1]) };
  }));
  assert.deepEqual(nodes.map((n) => n.id).sort(), ['EndpointMetrics', 'TailEvents', ...VIEWS.slice(0, 3)].sort());
  const x = Object.fromEntries(nodes.map((n) => [n.id, n.x]));
  assert.equal(nodes.find((n) => n.id === 'TailEvents').kind, 'collection');
  for (const v of VIEWS.slice(0, 3)) assert.ok(x[v] > x.TailEvents, v);
  assert.ok(x.EndpointMetrics > x.WorkerRequests);
  const edges = await page.$$eval('svg#dag path.edge', (ps) => ps.map((p) => `${p.dataset.from}->${p.dataset.to}`));
  assert.deepEqual(edges.sort(), ['TailEvents->WorkerErrors', 'TailEvents->WorkerLogs', 'TailEvents->WorkerRequests',
                                  'WorkerRequests->EndpointMetrics']);
});
await check('chart defaults to EndpointMetrics: sum of requestCount per hour ($groupBy/$compute)', async () => {
  const d = await page.$eval('svg#chart', (s) => ({ ...s.dataset }));
  assert.deepEqual([d.view, d.x, d.y, d.agg], ['EndpointMetrics', 'hour', 'requestCount', 'sum']);
});
await check('refresh button: EndpointMetrics goes stale -> fresh, the chart shows its rows per hour', async () => {
  // One more batch right before the click, so the view is stale even if its hourly
  // schedule fired while the test ran.
  await api('POST', '/ingest/TailEvents', JSON.parse(batches[0]).map((it) => ({ ...it, eventTimestamp: it.eventTimestamp + 3600e3 * 24 })));
  await page.waitForSelector('tr[data-view="EndpointMetrics"] .badge[data-state="stale"]', { timeout: 20000 });
  await page.click('button[data-refresh="EndpointMetrics"]');
  await page.waitForSelector('tr[data-view="EndpointMetrics"] .badge[data-state="fresh"]', { timeout: 20000 });
  const state = await api('GET', '/views/EndpointMetrics/state');
  assert.equal(state.state, 'fresh');
  assert.ok(state.rows > 0);
  const lag = await page.$eval('tr[data-view="EndpointMetrics"] .lag', (td) => Number(td.dataset.lagSeq));
  assert.equal(lag, 0);
  await page.waitForFunction((n) => document.querySelector('svg#chart').dataset.rows === String(n), state.rows, { timeout: 20000 });
  const expected = await requestsPerHour();
  const bs = await bars();
  assert.ok(expected.length >= 5, 'several hours of events: ' + expected.length);
  assert.deepEqual(bs.map((b) => [b.x, b.y]), expected);
  checkHeights(bs);
  const total = expected.reduce((a, [, n]) => a + n, 0);
  assert.equal(total, (await api('POST', '/views/WorkerRequests/find', {})).count);
});
await check('the user picks another view and fields: WorkerRequests rows per hour of timestamp', async () => {
  await page.selectOption('#chart-view', 'WorkerRequests');
  await page.waitForFunction(() => document.querySelector('svg#chart').dataset.view === 'WorkerRequests', null, { timeout: 20000 });
  const d = await page.$eval('svg#chart', (s) => ({ ...s.dataset }));
  assert.deepEqual([d.x, d.agg, d.bucket], ['timestamp', 'count', 'hour']);
  const rows = (await api('POST', '/views/WorkerRequests/find', { project: { timestamp: 1 } })).documents;
  const perHour = new Map();
  for (const row of rows) {
    const h = new Date(Date.parse(row.timestamp));
    h.setUTCMinutes(0, 0, 0);
    perHour.set(h.toISOString(), (perHour.get(h.toISOString()) ?? 0) + 1);
  }
  const bs = await bars();
  assert.deepEqual(bs.map((b) => [b.x, b.y]), [...perHour].sort((a, b) => Date.parse(a[0]) - Date.parse(b[0])));
  checkHeights(bs);
  // Back to the default view for the screenshot; y = avgLatency is offered as a number.
  await page.selectOption('#chart-view', 'EndpointMetrics');
  await page.waitForFunction(() => document.querySelector('svg#chart').dataset.view === 'EndpointMetrics', null, { timeout: 20000 });
  const ys = await page.$$eval('#chart-y option', (os) => os.map((o) => o.value));
  assert.ok(ys.includes('requestCount') && ys.includes('errorRate'), ys.join(','));
});
await check('auto-refresh picks up new rows without a reload', async () => {
  const before = await page.$eval('#collections-table tbody tr td.num', (td) => td.textContent);
  await api('POST', '/ingest/TailEvents', JSON.parse(batches[1]).map((it) => ({ ...it, eventTimestamp: it.eventTimestamp + 3600e3 * 48 })));
  const n = (await api('GET', '/api/collections')).collections[0].rows;
  await page.waitForFunction((s) => document.querySelector('#collections-table tbody tr td.num').textContent === s,
                             n.toLocaleString('en-US'), { timeout: 20000 });
  assert.notEqual(before, n.toLocaleString('en-US'));
  await page.waitForSelector('tr[data-view="EndpointMetrics"] .badge[data-state="stale"]', { timeout: 20000 });
});
const shot = path.join(scratch, 'dashboard.png');
await check('screenshot: decodes, many colours, the chart area is drawn', async () => {
  await page.click('button[data-refresh="EndpointMetrics"]');
  await page.waitForSelector('tr[data-view="EndpointMetrics"] .badge[data-state="fresh"]', { timeout: 20000 });
  await nextTick();
  await page.waitForFunction(() => getComputedStyle(document.getElementById('toast')).opacity === '0', null, { timeout: 20000 });
  await page.screenshot({ path: shot, fullPage: true });
  const png = PNG.sync.read(fs.readFileSync(shot));
  assert.ok(png.width >= 1000 && png.height >= 800, `${png.width}x${png.height}`);
  const colours = new Set();
  for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
  assert.ok(colours.size > 200, `only ${colours.size} distinct colours`);
  // Inside the chart's box: bar blue (#2f6fed, antialiasing aside) must cover a real area.
  const box = await page.locator('svg#chart').boundingBox();
  const scrollY = await page.evaluate(() => window.scrollY);
  let blue = 0, nonWhite = 0, total = 0;
  for (let y = Math.floor(box.y + scrollY); y < Math.min(png.height, box.y + scrollY + box.height); y++) {
    for (let x = Math.floor(box.x); x < Math.min(png.width, box.x + box.width); x++) {
      const i = (y * png.width + x) * 4;
      const [rr, gg, bb] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      total++;
      if (rr < 250 || gg < 250 || bb < 250) nonWhite++;
      if (Math.abs(rr - 0x2f) < 24 && Math.abs(gg - 0x6f) < 24 && Math.abs(bb - 0xed) < 24) blue++;
    }
  }
  assert.ok(total > 100000, 'chart box ' + JSON.stringify(box));
  assert.ok(blue > total * 0.03, `bars cover ${blue} of ${total} pixels`);
  assert.ok(nonWhite > total * 0.05, `${nonWhite} non-white of ${total}`);
  console.log(`     ${shot}: ${png.width}x${png.height}, ${colours.size} colours, bars ${(100 * blue / total).toFixed(1)}% of the chart`);
});
await check('no page errors and no requests off the server', async () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(offHost, []);
});

await context.close();
server.kill('SIGTERM');
const { code, signal } = await exited;
await check('server stops cleanly', async () => {
  assert.equal(signal, null, stderr);
  assert.equal(code, 0, stderr);
});
if (failures) { console.log(`${failures} failed`); process.exit(1); }
console.log('all passed');
