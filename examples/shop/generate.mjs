// Generates the shop example dataset (deterministic: fixed seed, no clock).
// The generated *.ndjson files are committed; rerun only to change the data:
//   node examples/shop/generate.mjs examples/shop
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2] ?? '.';

// mulberry32: a tiny seeded PRNG, so every run produces the same files.
let seed = 0x5eed1234;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const money = (cents) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const pad = (n, w) => String(n).padStart(w, '0');

const customers = [
  ['Ada Lovelace', 'ada@example.com', 'gold'],
  ['Alan Turing', 'alan@example.com', 'silver'],
  ['Grace Hopper', 'grace@example.com', 'gold'],
  ['Edsger Dijkstra', 'edsger@example.com', null],
  ['Barbara Liskov', 'barbara@example.com', 'silver'],
  ['Donald Knuth', 'don@example.com', null],
  ['Margaret Hamilton', 'margaret@example.com', 'gold'],
  ['Ken Thompson', 'ken@example.com', 'bronze'],
].map(([name, email, tier], i) => {
  const doc = { $id: `cus_${pad(i + 1, 2)}`, name, email };
  if (tier) doc.tier = tier;
  return doc;
});

const products = [
  ['Mechanical Keyboard', 8999],
  ['Wireless Mouse', 2499],
  ['USB-C Hub', 3950],
  ['27" Monitor', 27900],
  ['Laptop Stand', 4500],
  ['Noise-Cancelling Headphones', 19999],
  ['Webcam HD', 6450],
  ['Desk Lamp', 3299],
  ['Ergonomic Chair', 34900],
  ['Cable Organizer', 999],
].map(([name, cents], i) => ({
  $id: `prd_${pad(i + 1, 2)}`,
  name,
  sku: `SKU-${1001 + i}`,
  price: money(cents),
  cents,
}));

const statuses = ['pending', 'paid', 'paid', 'shipped', 'shipped', 'delivered', 'cancelled'];
const orders = [];
const items = [];
for (let o = 1; o <= 24; o++) {
  const id = `ord_${pad(o, 3)}`;
  const customer = pick(customers).$id;
  const n = int(1, 4);
  const used = new Set();
  let total = 0;
  for (let k = 0; k < n; k++) {
    let p;
    do p = pick(products); while (used.has(p.$id));
    used.add(p.$id);
    const quantity = int(1, 3);
    total += quantity * p.cents;
    items.push({
      $id: `itm_${pad(items.length + 1, 3)}`,
      order: id,
      product: p.$id,
      quantity,
      price: p.price,
    });
  }
  orders.push({ $id: id, customer, status: pick(statuses), total: money(total) });
}

const ndjson = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
writeFileSync(join(outDir, 'customers.ndjson'), ndjson(customers));
writeFileSync(
  join(outDir, 'products.ndjson'),
  ndjson(products.map(({ cents, ...p }) => p)),
);
writeFileSync(join(outDir, 'orders.ndjson'), ndjson(orders));
writeFileSync(join(outDir, 'order_items.ndjson'), ndjson(items));
console.log(
  `customers=${customers.length} products=${products.length} orders=${orders.length} items=${items.length}`,
);
