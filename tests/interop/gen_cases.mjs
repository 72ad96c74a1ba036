#!/usr/bin/env node
// Usage: node gen_cases.mjs OUTDIR [--only case1,case2]
// Writes deterministic test cases for ParqueDB's writer:
//   OUTDIR/<case>/schema.json      pq_tool schema
//   OUTDIR/<case>/rows.ndjson      input rows, canonical form
//   OUTDIR/<case>/expected.ndjson  canonical rows expected back (= rows here)
//   OUTDIR/<case>/write_args.json  extra pq_tool write arguments (e.g. row group size)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonInt, formatDate, formatDecimal, formatMicros, toNdjson } from './lib/canonical.mjs';
import { typeInfo } from './lib/schema.mjs';
import { isMain } from './lib/util.mjs';

// ---------------------------------------------------------------------------
// Seeded PRNG (mulberry32) and value helpers

function makeRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive, |range| < 2^52
    chance: p => next() < p,
    pick: arr => arr[Math.floor(next() * arr.length)],
    u32: () => BigInt(Math.floor(next() * 4294967296)),
    bigint: bits => { // uniform signed integer with `bits` magnitude bits
      let v = 0n;
      for (let k = 0; k < bits; k += 32) v = (v << 32n) | rng.u32();
      v &= (1n << BigInt(bits)) - 1n;
      return next() < 0.5 ? -v : v;
    },
    digits: n => { let s = String(rng.int(1, 9)); for (let k = 1; k < n; k++) s += rng.int(0, 9); return s; },
    ascii: (lo, hi) => {
      const n = rng.int(lo, hi);
      let s = '';
      for (let k = 0; k < n; k++) s += String.fromCharCode(rng.int(32, 126));
      return s;
    },
  };
  return rng;
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/** Random canonical value for a schema type. opts.nullRate applies to nullable fields. */
function genValue(field, rng, opts = {}) {
  const nullRate = opts.nullRate ?? 0.1;
  if (field.nullable && rng.chance(nullRate)) return null;
  const ti = typeInfo(field.type);
  switch (ti.kind) {
    case 'decimal': {
      const nd = rng.int(1, ti.precision);
      const u = BigInt(rng.digits(nd)) * (rng.chance(0.4) ? -1n : 1n);
      return formatDecimal(rng.chance(0.03) ? 0n : u, ti.scale);
    }
    case 'list': {
      if (rng.chance(0.08)) return [];
      const n = rng.int(1, opts.maxList ?? 5);
      return Array.from({ length: n }, () => genValue(ti.element, rng, opts));
    }
    case 'struct':
      return Object.fromEntries(ti.fields.map(f => [f.name, genValue(f, rng, opts)]));
  }
  switch (ti.name) {
    case 'boolean': return rng.chance(0.5);
    case 'int32':
      if (rng.chance(0.02)) return rng.pick([INT32_MIN, INT32_MAX, 0, -1]);
      return rng.int(-1000000, 1000000);
    case 'int64':
      if (rng.chance(0.02)) return canonInt(rng.pick([INT64_MIN, INT64_MAX, 0n, -1n]));
      return canonInt(rng.bigint(rng.pick([8, 40, 62])));
    case 'double': return (rng.next() - 0.5) * 10 ** rng.int(-6, 12);
    case 'float': return Math.fround((rng.next() - 0.5) * 10 ** rng.int(-3, 6));
    case 'string': return rng.ascii(0, 24);
    case 'json': return JSON.stringify({ k: rng.int(0, 999), tags: [rng.ascii(1, 5)], ok: rng.chance(0.5) });
    case 'binary': {
      const n = rng.int(0, 16);
      return 'hex:' + Array.from({ length: n }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join('');
    }
    case 'date': return formatDate(rng.int(-25000, 40000)); // 1901..2079
    case 'timestamp': {
      const micros = BigInt(rng.int(-2e9, 4e9)) * 1000000n + (rng.chance(0.2) ? 0n : BigInt(rng.int(0, 999999)));
      return formatMicros(micros);
    }
  }
  throw new Error(`genValue: ${JSON.stringify(field.type)}`);
}

const genRows = (schema, n, rng, opts, overrides = {}) =>
  Array.from({ length: n }, (_, i) => Object.fromEntries(schema.fields.map(f =>
    [f.name, overrides[f.name] ? overrides[f.name](i, rng) : genValue(f, rng, opts)])));

const F = (name, type, nullable = true, extra = {}) => ({ name, type, nullable, ...extra });

// ---------------------------------------------------------------------------
// Cases

const CASES = {
  flat_all_types() {
    const rng = makeRng(1001);
    const schema = { fields: [
      F('id', 'int64', false, { field_id: 1 }),
      F('i32', 'int32', true, { field_id: 2 }),
      F('i64', 'int64'),
      F('dbl', 'double'),
      F('flt', 'float'),
      F('flag', 'boolean'),
      F('s', 'string'),
      F('j', 'json'),
      F('bin', 'binary'),
      F('dt', 'date'),
      F('ts', 'timestamp'),
      F('dec9', 'decimal(9,2)'),
      F('dec18', 'decimal(18,4)'),
      F('dec38', 'decimal(38,10)'),
      F('req_s', 'string', false),
      F('req_dec', 'decimal(9,2)', false),
    ] };
    const rows = genRows(schema, 3000, rng, {}, { id: i => i });
    // make sure negative decimals, nulls and extremes are all present
    rows[0] = { ...rows[0], dec9: '-9999999.99', dec18: '-99999999999999.9999', dec38: '-9999999999999999999999999999.9999999999', i32: INT32_MIN, dt: '1900-01-01', ts: '1969-12-31T23:59:59.999999Z' };
    rows[1] = { ...rows[1], dec9: '9999999.99', dec18: '99999999999999.9999', dec38: '9999999999999999999999999999.9999999999', i32: INT32_MAX, dt: '2099-12-31', ts: '2099-12-31T23:59:59.000001Z' };
    rows[2] = { ...rows[2], dec9: '-0.01', dec18: '-0.0001', dec38: '-0.0000000001', req_dec: '-0.05' };
    rows[3] = Object.fromEntries(schema.fields.map(f => [f.name, f.nullable ? null : rows[3][f.name]]));
    return { schema, rows };
  },

  float_special() {
    const schema = { fields: [F('id', 'int32', false), F('dbl', 'double'), F('flt', 'float')] };
    const d = ['NaN', 'Infinity', '-Infinity', 0, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308, 0.1, -0.1, 1e21, 123456789.123, null];
    const f = ['NaN', 'Infinity', '-Infinity', 0, Math.fround(1.4e-45), Math.fround(-1.4e-45), Math.fround(3.4028234663852886e38), Math.fround(-3.4028234663852886e38), Math.fround(1.17549435e-38), Math.fround(0.1), Math.fround(-0.1), Math.fround(1e21), Math.fround(16777217), null];
    const rows = d.map((x, i) => ({ id: i, dbl: x, flt: f[i] }));
    return { schema, rows };
  },

  strings_high_cardinality() {
    // ~3.3 MB of distinct strings: dictionary must overflow and fall back to PLAIN
    const rng = makeRng(2002);
    const schema = { fields: [F('id', 'int32', false), F('s', 'string')] };
    const rows = Array.from({ length: 30000 }, (_, i) => ({
      id: i,
      s: rng.chance(0.01) ? null : `${String(i).padStart(6, '0')}-${rng.ascii(80, 140)}`,
    }));
    return { schema, rows };
  },

  strings_low_cardinality() {
    const rng = makeRng(3003);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', '', 'zeta', 'eta', 'theta', 'iota'];
    const schema = { fields: [F('id', 'int32', false), F('status', 'string'), F('code', 'string', false)] };
    const rows = Array.from({ length: 20000 }, (_, i) => ({
      id: i,
      status: rng.chance(0.05) ? null : rng.pick(words),
      code: `c${rng.int(0, 3)}`,
    }));
    return { schema, rows };
  },

  lists() {
    const rng = makeRng(4004);
    const schema = { fields: [
      F('id', 'int32', false),
      F('tags', { list: F('element', 'string') }),
      F('nums', { list: F('element', 'int64') }),
      F('amounts', { list: F('element', 'decimal(9,2)') }),
      F('req_elems', { list: F('element', 'int32', false) }),
      F('req_list', { list: F('element', 'double') }, false),
      F('nested', { list: F('element', { list: F('element', 'int32') }) }),
      F('dates', { list: F('element', 'date') }),
    ] };
    const rows = genRows(schema, 3000, rng, { nullRate: 0.15 }, { id: i => i });
    rows[0] = { ...rows[0], tags: null, nums: [], amounts: [null], req_elems: [], nested: [[], null, [null]] };
    rows[1] = { ...rows[1], tags: [], nums: [null, null], amounts: ['-0.01', null, '12.30'], req_list: [] };
    rows[2] = { ...rows[2], tags: [null, '', 'x'], nums: null, amounts: null, req_elems: null, nested: null };
    return { schema, rows };
  },

  structs() {
    const rng = makeRng(5005);
    const point = F('pt', { struct: [F('x', 'int32'), F('label', 'string'), F('amount', 'decimal(18,4)')] });
    const schema = { fields: [
      F('id', 'int32', false),
      point,
      F('req', { struct: [F('a', 'int64', false), F('b', 'string')] }, false),
      F('items', { list: F('element', { struct: [F('sku', 'string'), F('qty', 'int32'), F('price', 'decimal(9,2)')] }) }),
      F('holder', { struct: [F('name', 'string'), F('scores', { list: F('element', 'double') })] }),
      F('deep', { struct: [
        F('level1', { list: F('element', { struct: [
          F('k', 'string'),
          F('vals', { list: F('element', 'int32') }),
          F('inner', { struct: [F('flag', 'boolean'), F('ts', 'timestamp')] }),
        ] }) }),
        F('note', 'string'),
      ] }),
    ] };
    const rows = genRows(schema, 2000, rng, { nullRate: 0.15, maxList: 4 }, { id: i => i });
    rows[0] = { ...rows[0], pt: null, holder: null, deep: null, items: null };
    rows[1] = { ...rows[1], pt: { x: null, label: null, amount: null }, holder: { name: null, scores: null }, items: [], deep: { level1: [], note: null } };
    rows[2] = { ...rows[2], items: [null, { sku: null, qty: null, price: null }], deep: { level1: [null, { k: null, vals: [], inner: null }], note: 'x' } };
    return { schema, rows };
  },

  many_rows() {
    // 50k rows; small row groups and pages so readers cross many boundaries
    const rng = makeRng(6006);
    const schema = { fields: [
      F('id', 'int64', false),
      F('ts', 'timestamp', false),
      F('v', 'double'),
      F('cat', 'string'),
      F('amount', 'decimal(10,2)'),
      F('tags', { list: F('element', 'string') }),
    ] };
    const cats = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const t0 = 1704067200000000n; // 2024-01-01
    const rows = Array.from({ length: 50000 }, (_, i) => ({
      id: i,
      ts: formatMicros(t0 + BigInt(i) * 1000003n),
      v: rng.chance(0.05) ? null : (rng.next() - 0.5) * 1000,
      cat: rng.chance(0.05) ? null : rng.pick(cats),
      amount: rng.chance(0.05) ? null : formatDecimal(BigInt(rng.int(-10000000, 10000000)), 2),
      tags: rng.chance(0.1) ? null : Array.from({ length: rng.int(0, 3) }, () => rng.pick(cats)),
    }));
    return { schema, rows, writeArgs: ['--row-group-rows', '7000', '--page-size', '8192'] };
  },

  unicode() {
    const samples = ['', 'plain ascii', 'héllo wörld', 'Ελληνικά', 'русский текст', '中文字符', '日本語のテキスト', '한국어',
      'עברית', 'العربية', 'emoji 😀🎉👩‍👩‍👧‍👦', 'combining e\u0301', 'tab\tnew\nline', 'quote " backslash \\', 'nul\u0000byte',
      '\u{10FFFF}', 'zero\u200bwidth', 'ｆｕｌｌｗｉｄｔｈ', 'a'.repeat(1000) + 'é'];
    const schema = { fields: [F('id', 'int32', false), F('s', 'string'), F('words', { list: F('element', 'string') })] };
    const rng = makeRng(7007);
    const rows = Array.from({ length: 400 }, (_, i) => ({
      id: i,
      s: i % 23 === 22 ? null : samples[i % samples.length],
      words: i % 17 === 16 ? null : Array.from({ length: rng.int(0, 3) }, () => rng.pick(samples)),
    }));
    return { schema, rows };
  },

  int64_extremes() {
    const schema = { fields: [F('id', 'int32', false), F('v', 'int64'), F('r', 'int64', false), F('i', 'int32')] };
    const vals = [INT64_MIN, INT64_MAX, INT64_MIN + 1n, INT64_MAX - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, -(2n ** 53n) - 1n,
      0n, -1n, 1n, 2n ** 32n, -(2n ** 31n), 2n ** 62n, 1234567890123456789n];
    const i32 = [INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1, 0, -1, 1, null];
    const rows = vals.flatMap((v, k) => [
      { id: 2 * k, v: canonInt(v), r: canonInt(v), i: i32[k % i32.length] },
      { id: 2 * k + 1, v: null, r: canonInt(-v - 1n), i: null },
    ]);
    return { schema, rows };
  },

  empty() {
    const schema = { fields: [
      F('id', 'int64', false), F('s', 'string'), F('d', 'decimal(18,4)'), F('ts', 'timestamp'),
      F('l', { list: F('element', 'int32') }), F('st', { struct: [F('a', 'int32'), F('b', 'string')] }),
    ] };
    return { schema, rows: [] };
  },
};

export const CASE_NAMES = Object.keys(CASES);

export function generateCase(name) {
  const c = CASES[name]();
  return { name, schema: c.schema, rows: c.rows, expected: c.expected ?? c.rows, writeArgs: c.writeArgs ?? [] };
}

export function writeCase(outdir, c) {
  const dir = join(outdir, c.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(c.schema, null, 2) + '\n');
  writeFileSync(join(dir, 'rows.ndjson'), toNdjson(c.rows));
  writeFileSync(join(dir, 'expected.ndjson'), toNdjson(c.expected));
  writeFileSync(join(dir, 'write_args.json'), JSON.stringify(c.writeArgs) + '\n');
  return dir;
}

async function main(argv) {
  let outdir, only = null;
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--only') only = (argv[++k] ?? '').split(',').filter(Boolean);
    else if (!outdir) outdir = argv[k];
    else throw new Error(`unexpected argument ${argv[k]}`);
  }
  if (!outdir) throw new Error('usage: gen_cases.mjs OUTDIR [--only case1,case2]');
  for (const name of only ?? CASE_NAMES) {
    if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${CASE_NAMES.join(', ')}`);
    const c = generateCase(name);
    writeCase(outdir, c);
    process.stdout.write(`${name}: ${c.rows.length} rows\n`);
  }
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).catch(e => { process.stderr.write(`gen_cases: ${e.message}\n`); process.exit(1); });
}
