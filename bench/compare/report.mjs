#!/usr/bin/env node
// Peer comparison report (bench/compare/run.sh): reads DIR/<system>.json written by
// compare_bench / duckdb_compare.mjs, cross-checks every peer's answers against
// ParqueDB's, prints the values with the ratio ParqueDB/peer, and writes
// DIR/results.json and DIR/chart.html (self-contained: inline SVG, no scripts, no CDN).
// Exits 1 on any answer mismatch (after writing the files), 2 on missing input.
//
// Usage: node bench/compare/report.mjs DIR [machine-note]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const dir = process.argv[2];
const machineNote = process.argv[3] || '';
if (!dir) { console.error('usage: report.mjs DIR [machine-note]'); process.exit(2); }
const NAMES = { parquedb: 'ParqueDB', duckdb: 'DuckDB', postgres: 'PostgreSQL', clickhouse: 'ClickHouse', sqlite: 'SQLite' };
const sys = {};
for (const k of Object.keys(NAMES)) {
  const f = `${dir}/${k}.json`;
  if (existsSync(f)) sys[k] = JSON.parse(readFileSync(f, 'utf8'));
}
if (!sys.parquedb) { console.error(`report: ${dir}/parquedb.json missing`); process.exit(2); }
const ref = sys.parquedb;
const peers = Object.keys(sys).filter(k => k !== 'parquedb');

// ---- cross-checks
const problems = [];
function diffGroups(a, b) {
  if (!a || !b) return 'missing';
  if (a.length !== b.length) return `${a.length} vs ${b.length} groups`;
  for (let k = 0; k < a.length; k++) {
    const x = a[k], y = b[k];
    if (x.date !== y.date || x.status !== y.status || x.count !== y.count || x.revenue !== y.revenue || Math.abs(x.avg - y.avg) > 0.0101) {
      return `${JSON.stringify(x)} vs ParqueDB ${JSON.stringify(y)}`;
    }
  }
  return null;
}
const probeOf = (groups, date) => groups.find(g => g.date === date && g.status === 'probe') || { count: 0, revenue: '0.00' };
const refProbe = probeOf(ref.answers.incremental_after_batches, ref.expected_probe.date);
if (refProbe.count !== ref.expected_probe.all_ops.count || refProbe.revenue !== ref.expected_probe.all_ops.revenue) {
  problems.push(`ParqueDB probe group ${JSON.stringify(refProbe)} != expected ${JSON.stringify(ref.expected_probe.all_ops)}`);
}
const correctness = {};
for (const p of peers) {
  const s = sys[p], c = {};
  const check = (label, d) => { c[label] = d ? 'MISMATCH' : 'same'; if (d) problems.push(`${NAMES[p]} ${label}: ${d}`); };
  check('after_load', diffGroups(s.answers.after_load, ref.answers.after_load));
  check('cancelled', s.answers.cancelled.rows === ref.answers.cancelled.rows && s.answers.cancelled.revenue === ref.answers.cancelled.revenue ? null
    : `${JSON.stringify(s.answers.cancelled)} vs ParqueDB ${JSON.stringify(ref.answers.cancelled)}`);
  check('point_query', s.point_query.order_count_sum === ref.point_query.order_count_sum ? null : `order_count_sum ${s.point_query.order_count_sum} vs ${ref.point_query.order_count_sum}`);
  check('full_after_batches', diffGroups(s.answers.full_after_batches, ref.answers.full_after_batches));
  const inc = s.answers.incremental_after_batches;
  if (inc === null) {
    c.incremental_after_batches = 'n/a (no incremental views)';
  } else if (s.incremental.sees_updates_deletes) {
    check('incremental_after_batches', diffGroups(inc, ref.answers.incremental_after_batches));
  } else {
    // Must equal ParqueDB's answer except the probe group, which must show inserts only.
    const date = s.expected_probe.date;
    const others = g => g.filter(x => !(x.date === date && x.status === 'probe'));
    const d = diffGroups(others(inc), others(ref.answers.incremental_after_batches));
    const probe = probeOf(inc, date), want = s.expected_probe.inserts_only;
    if (d) check('incremental_after_batches', d);
    else if (probe.count !== want.count || probe.revenue !== want.revenue) check('incremental_after_batches', `probe group ${JSON.stringify(probe)}, expected inserts only ${JSON.stringify(want)}`);
    else c.incremental_after_batches = `WRONG by design: ignores updates/deletes (probe group ${probe.count} rows / ${probe.revenue}, correct ${refProbe.count} / ${refProbe.revenue}; ${s.incremental.batches_not_reflected} of ${s.incremental.batches} batches never visible)`;
  }
  correctness[p] = c;
}

// ---- metrics: [label, unit, higherIsBetter, getter(system) -> number|null, note(system) -> string]
const get = (o, path) => path.split('.').reduce((x, k) => (x == null ? x : x[k]), o);
const incMed = (s, q) => {
  if (s.incremental.all) return { v: get(s.incremental.all, q), note: '' };
  if (s.incremental.insert) return { v: get(s.incremental.insert, q), note: 'inserts only' };
  return { v: null, note: 'no IVM' };
};
const overhead = s => {
  const i = s.ingest;
  if (!i || !i.views || !i.no_views) return null;
  return (1 / i.views.rows_per_second - 1 / i.no_views.rows_per_second) / i.views_count * 1e6;
};
const METRICS = [
  ['Full refresh of DailySales', 'rows/s', true, s => s.full_refresh.rows_per_second],
  ['Filter view build (cancelled)', 'rows/s', true, s => s.filter_build.rows_per_second],
  ['Point query on DailySales, median', 'ms', false, s => s.point_query.median_ms],
  ['Point query on DailySales, p99', 'ms', false, s => s.point_query.p99_ms],
  ['100-row batch -> visible, IVM, median', 'ms', false, s => incMed(s, 'median_ms').v, s => incMed(s, 'median_ms').note],
  ['100-row batch -> visible, IVM, p99', 'ms', false, s => incMed(s, 'p99_ms').v, s => incMed(s, 'p99_ms').note],
  ['100-row insert batch -> visible, median', 'ms', false, s => get(s, 'incremental.insert.median_ms') ?? null],
  ['100-row batch + full recompute, median', 'ms', false,
    s => (s.system === 'parquedb' ? null : get(s, 'recompute.all.median_ms') ?? null), s => (s.recompute ? s.recompute.method.split(',')[1]?.trim() || '' : '')],
  ['Ingest, no views', 'rows/s', true, s => get(s, 'ingest.no_views.rows_per_second') ?? null],
  ['Ingest, 3 views maintained', 'rows/s', true, s => get(s, 'ingest.views.rows_per_second') ?? null],
  ['Ingest overhead per view', 'us/row', false, overhead],
];
// The recompute row compares a peer's per-batch recompute with ParqueDB's incremental path.
const refValue = (m) => (m[0].includes('full recompute') ? incMed(ref, 'median_ms').v : m[3](ref));

const fmt = (v, unit) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (unit === 'rows/s') return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : `${Math.round(v)}`;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
};
const fmtRatio = r => (r === null || r === undefined ? '-' : `${r >= 0.01 ? r.toFixed(2) : r.toPrecision(1)}x`);
const table = METRICS.map(m => {
  const [label, unit, higher, getter, noteOf] = m;
  const rv = refValue(m);
  const row = { metric: label, unit, higher_is_better: higher, parquedb: rv, peers: {} };
  for (const p of peers) {
    const v = getter(sys[p]);
    row.peers[p] = { value: v, ratio: v && rv ? rv / v : null, note: noteOf ? noteOf(sys[p]) : '' };
  }
  return row;
});

// ---- print
const W0 = 46, W = 22;
const cpu = (os.cpus()[0] || {}).model || 'unknown cpu';
const loadavg = os.loadavg().map(x => x.toFixed(1)).join(' ');
console.log(`\nPeer comparison: ${ref.rows} orders, ${ref.incremental.batches} batches of 100, ingest ${ref.ingest.rows} rows` +
  `   ${os.cpus().length} cores (${cpu}), load ${loadavg}${machineNote ? `   ${machineNote}` : ''}`);
console.log(Object.keys(sys).map(k => `${NAMES[k]}: ${sys[k].version}`).join(' | '));
console.log('cell = peer value (ParqueDB/peer ratio). rows/s: ratio > 1 means ParqueDB is faster; ms and us/row: ratio < 1 means ParqueDB is faster');
console.log(''.padEnd(W0) + 'ParqueDB'.padStart(12) + peers.map(p => NAMES[p].padStart(W)).join(''));
for (const r of table) {
  let line = `${r.metric} (${r.unit})`.padEnd(W0) + fmt(r.parquedb, r.unit).padStart(12);
  for (const p of peers) {
    const c = r.peers[p];
    const cell = c.value === null || c.value === undefined ? (c.note ? `n/a: ${c.note}` : 'n/a')
      : `${fmt(c.value, r.unit)} (${fmtRatio(c.ratio)})${c.note ? '*' : ''}`;
    line += cell.padStart(W);
  }
  console.log(line);
}
console.log('* ClickHouse: insert batches only (its MV never sees ALTER UPDATE/DELETE); recompute row: PostgreSQL REFRESH MATERIALIZED VIEW, DuckDB CREATE OR REPLACE TABLE AS (compared with ParqueDB\'s incremental path)');
console.log('\nCorrectness (answers compared with ParqueDB\'s):');
for (const p of peers) {
  console.log(`  ${NAMES[p].padEnd(11)} ` + Object.entries(correctness[p]).map(([k, v]) => `${k}: ${v}`).join('; '));
}
console.log('\nMethods:');
for (const k of Object.keys(sys)) {
  const s = sys[k];
  console.log(`  ${NAMES[k].padEnd(11)} incremental: ${s.incremental.method}` + (s.recompute ? `; recompute: ${s.recompute.method}` : '') + `; ingest: ${s.ingest.method}`);
}

// ---- files
const results = {
  date: new Date().toISOString(), machine: { cores: os.cpus().length, cpu, mem_gb: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg(), note: machineNote },
  rows: ref.rows, answers_match: problems.length === 0, problems, correctness, table, systems: sys,
};
writeFileSync(`${dir}/results.json`, JSON.stringify(results, null, 1));

const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = { parquedb: '#1f6feb', duckdb: '#d4a72c', postgres: '#336791', clickhouse: '#e3582b', sqlite: '#44a06c' };
function chart(r) {
  const bars = [['parquedb', r.parquedb], ...peers.map(p => [p, r.peers[p].value])].filter(([, v]) => v !== null && v !== undefined && v > 0);
  if (!bars.length) return '';
  const max = Math.max(...bars.map(([, v]) => v)), min = Math.min(...bars.map(([, v]) => v));
  const lo = Math.floor(Math.log10(min) - 0.5), hi = Math.ceil(Math.log10(max)) + (max === min ? 1 : 0);
  const x = v => 130 + (Math.log10(v) - lo) / Math.max(hi - lo, 1) * 380;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="820" height="${bars.length * 24 + 30}" role="img" aria-label="${esc(r.metric)}">`;
  for (let e = lo; e <= hi; e++) {
    svg += `<line x1="${x(10 ** e)}" y1="4" x2="${x(10 ** e)}" y2="${bars.length * 24 + 6}" stroke="#ddd"/>` +
      `<text x="${x(10 ** e)}" y="${bars.length * 24 + 20}" font-size="10" text-anchor="middle" fill="#666">1e${e}</text>`;
  }
  bars.forEach(([k, v], i) => {
    const y = 6 + i * 24, note = k === 'parquedb' ? '' : r.peers[k].note;
    svg += `<text x="124" y="${y + 14}" font-size="12" text-anchor="end">${NAMES[k]}</text>` +
      `<rect x="130" y="${y}" width="${Math.max(x(v) - 130, 1)}" height="18" fill="${COLORS[k]}"/>` +
      `<text x="${x(v) + 4}" y="${y + 14}" font-size="11">${esc(fmt(v, r.unit))} ${esc(r.unit)}${note ? ` (${esc(note)})` : ''}</text>`;
  });
  return `<h3>${esc(r.metric)} <small>(${esc(r.unit)}, ${r.higher_is_better ? 'higher' : 'lower'} is better, log scale)</small></h3>${svg}</svg>`;
}
const ratioRows = table.map(r => `<tr><td>${esc(r.metric)} (${esc(r.unit)})</td><td>${fmt(r.parquedb, r.unit)}</td>` +
  peers.map(p => { const c = r.peers[p]; return `<td>${c.value == null ? `n/a${c.note ? ': ' + esc(c.note) : ''}` : `${fmt(c.value, r.unit)} <b>${fmtRatio(c.ratio)}</b>${c.note ? ' (' + esc(c.note) + ')' : ''}`}</td>`; }).join('') + '</tr>').join('\n');
const corrRows = peers.map(p => `<tr><td>${NAMES[p]}</td>${Object.values(correctness[p]).map(v => `<td>${esc(v)}</td>`).join('')}</tr>`).join('\n');
const corrHead = peers.length ? Object.keys(correctness[peers[0]]).map(k => `<th>${esc(k)}</th>`).join('') : '';
writeFileSync(`${dir}/chart.html`, `<!doctype html><html><head><meta charset="utf-8"><title>ParqueDB peer comparison</title>
<style>body{font-family:sans-serif;margin:20px;max-width:1100px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child{text-align:left}h3{margin:18px 0 4px;font-size:14px}</style></head><body>
<h1>ParqueDB peer comparison</h1>
<p>${esc(ref.rows)} orders, ${esc(ref.incremental.batches)} batches of 100 rows, ingest ${esc(ref.ingest.rows)} rows; ${esc(results.date)};
${os.cpus().length} cores (${esc(cpu)}), load average ${esc(loadavg)}. ${esc(machineNote)}</p>
<p>${Object.keys(sys).map(k => `${NAMES[k]}: ${esc(sys[k].version)}`).join(' | ')}</p>
<p>Answers cross-checked against ParqueDB: <b>${problems.length === 0 ? 'all match' : 'MISMATCH: ' + esc(problems.join('; '))}</b></p>
<table><tr><th>metric</th><th>ParqueDB</th>${peers.map(p => `<th>${NAMES[p]} (ParqueDB/peer)</th>`).join('')}</tr>
${ratioRows}</table>
<p>rows/s: ratio &gt; 1 means ParqueDB is faster; ms and us/row: ratio &lt; 1 means ParqueDB is faster.</p>
<h2>Correctness</h2><table><tr><th>peer</th>${corrHead}</tr>${corrRows}</table>
<h2>Charts</h2>${table.map(chart).join('\n')}
</body></html>
`);
console.log(`\nwrote ${dir}/results.json and ${dir}/chart.html`);
if (problems.length) { console.error('MISMATCH:\n  ' + problems.join('\n  ')); process.exit(1); }
