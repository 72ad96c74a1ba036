// Deterministic generator of Cloudflare Tail Worker batches (TailItem[] as a tail
// worker's `tail(events)` receives them), one JSON array per line (NDJSON of batches).
//   node generate.mjs [EVENTS=500] [BATCH=50] > batches.ndjson
// Same output for the same arguments: a fixed-seed PRNG and a fixed start time.
const events = Number(process.argv[2] ?? 500);
const batchSize = Number(process.argv[3] ?? 50);

let seed = 0x2545f491;
function rand() {  // xorshift32 in [0, 1)
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x100000000;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const scripts = ['shop-api', 'auth-worker', 'image-resizer'];
const routes = {
  'shop-api': [['GET', '/products'], ['GET', '/products/:id'], ['POST', '/orders'], ['GET', '/orders/:id']],
  'auth-worker': [['POST', '/login'], ['POST', '/refresh'], ['GET', '/me']],
  'image-resizer': [['GET', '/img/:id'], ['GET', '/thumb/:id']],
};
const colos = [['AMS', 'NL'], ['FRA', 'DE'], ['LHR', 'GB'], ['IAD', 'US'], ['SIN', 'SG'], ['NRT', 'JP']];
const errors = [['TypeError', "Cannot read properties of undefined (reading 'id')"],
                ['Error', 'upstream timed out'], ['RangeError', 'Invalid array length']];
const start = Date.UTC(2025, 0, 15, 8, 0, 0);

let t = start;
const items = [];
for (let i = 0; i < events; i++) {
  t += Math.floor(rand() * 20000);  // up to 20 s apart: spans several hours
  const scriptName = pick(scripts);
  const [method, route] = pick(routes[scriptName]);
  const [colo, country] = pick(colos);
  const url = 'https://' + scriptName + '.example.com' + route.replace(':id', String(1 + Math.floor(rand() * 500)));
  const r = rand();
  const outcome = r < 0.03 ? 'exceededCpu' : r < 0.09 ? 'exception' : 'ok';
  const status = outcome === 'exception' ? 500 : rand() < 0.05 ? 404 : method === 'POST' ? 201 : 200;
  const logs = [{ level: 'log', message: [`${method} ${route}`, `colo=${colo}`], timestamp: t + 1 }];
  if (status === 404) logs.push({ level: 'warn', message: ['not found', url], timestamp: t + 3 });
  const exceptions = [];
  if (outcome === 'exception') {
    const [name, message] = pick(errors);
    logs.push({ level: 'error', message: [message], timestamp: t + 5 });
    exceptions.push({ name, message, timestamp: t + 6 });
  }
  items.push({
    scriptName, outcome, eventTimestamp: t, executionModel: 'stateless', truncated: false,
    diagnosticsChannelEvents: [],
    event: outcome === 'exceededCpu' ? { request: { url, method, headers: { 'user-agent': 'Mozilla/5.0' }, cf: { colo, country } } }
                                     : { request: { url, method, headers: { 'user-agent': 'Mozilla/5.0' }, cf: { colo, country } },
                                         response: { status } },
    logs, exceptions,
  });
}
for (let i = 0; i < items.length; i += batchSize) {
  process.stdout.write(JSON.stringify(items.slice(i, i + batchSize)) + '\n');
}
