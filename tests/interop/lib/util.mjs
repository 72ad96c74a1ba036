// Small shared helpers: NDJSON output, file comparison, subprocesses.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseNdjson } from './canonical.mjs';

/** Writes rows as NDJSON to stdout (chunked, waits for the pipe to drain). */
export async function writeOut(rows, stream = process.stdout) {
  const CHUNK = 2000;
  for (let k = 0; k < rows.length; k += CHUNK) {
    const text = rows.slice(k, k + CHUNK).map(r => JSON.stringify(r) + '\n').join('');
    if (!stream.write(text)) await new Promise(res => stream.once('drain', res));
  }
}

export const readNdjsonFile = file => parseNdjson(readFileSync(file, 'utf8'), file);

const show = v => (v === undefined ? '<missing>' : JSON.stringify(v));

/** First difference between two JSON values, as {path, a, b}, or null when equal.
 * Object key order is irrelevant; everything else is exact. */
export function firstDiff(a, b, path = '') {
  if (a === b) return null;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return null;
  const isObj = x => x !== null && typeof x === 'object';
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let k = 0; k < n; k++) {
      const d = firstDiff(a[k], b[k], `${path}[${k}]`);
      if (d) return d;
    }
    if (a.length !== b.length) return { path: `${path} (length ${a.length} vs ${b.length})`, a, b };
    return null;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDiff(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return { path, a, b };
}

/** Compares two canonical row arrays; returns null or a human-readable message. */
export function compareRows(expected, actual, labels = ['expected', 'actual']) {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const d = firstDiff(expected[i], actual[i]);
    if (d) {
      return `row ${i}, column ${d.path || '<row>'}: ${labels[0]}=${show(d.a)} ${labels[1]}=${show(d.b)}` +
        `\n  ${labels[0]} row: ${JSON.stringify(expected[i]).slice(0, 600)}` +
        `\n  ${labels[1]} row: ${JSON.stringify(actual[i]).slice(0, 600)}`;
    }
  }
  if (expected.length !== actual.length) {
    return `row count differs: ${labels[0]} has ${expected.length} rows, ${labels[1]} has ${actual.length}`;
  }
  return null;
}

/** Runs a command synchronously; returns {status, stdout, stderr}. Throws only if it can't start. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export const describeExit = r => (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);

/** True when the module with this import.meta.url is the script node was started with. */
export function isMain(metaUrl) {
  if (!process.argv[1]) return false;
  try {
    return metaUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}
