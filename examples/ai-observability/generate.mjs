// Deterministic generator of AI SDK and evalite records, as a ParqueDB middleware /
// evalite adapter would emit them (NDJSON, one record per line).
//   node generate.mjs KIND [COUNT]    KIND: requests | generations | runs | scores
// requests: {model, provider, requestType, usage{inputTokens,outputTokens}, durationMs,
//            cached, error?, startedAt (ms)}; generations: {modelId, text|object, prompt,
// tokens, timestamp}; runs: {id, runType, created_at}; scores: {run_id, evalName, name,
// score, created_at}. Fixed-seed PRNG: same arguments, same output.
const kind = process.argv[2];
const count = Number(process.argv[3] ?? 200);
let seed = 0x9e3779b9 ^ kind.length;
function rand() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x100000000;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const models = [['gpt-4o', 'openai'], ['gpt-4o-mini', 'openai'], ['claude-sonnet-4', 'anthropic'], ['gemini-2.0-flash', 'google']];
const start = Date.UTC(2025, 0, 6, 0, 0, 0);  // a Monday
const out = [];
let t = start;
for (let i = 0; i < count; i++) {
  t += Math.floor(rand() * 30 * 60 * 1000);  // up to 30 min apart: several days
  const [model, provider] = pick(models);
  if (kind === 'requests') {
    const failed = rand() < 0.04;
    const rec = { model, provider, requestType: rand() < 0.3 ? 'stream' : 'generate',
                  usage: failed ? undefined : { inputTokens: 20 + Math.floor(rand() * 800), outputTokens: Math.floor(rand() * 600) },
                  durationMs: Math.round((150 + rand() * 3000) * 10) / 10, cached: rand() < 0.15, startedAt: t };
    if (failed) rec.error = { name: 'APICallError', message: pick(['rate limited', 'overloaded', 'context length exceeded']), statusCode: pick([429, 529, 400]) };
    out.push(rec);
  } else if (kind === 'generations') {
    const asObject = rand() < 0.35;
    const rec = { modelId: model, prompt: pick(['Summarize the ticket', 'Extract the invoice fields', 'Classify the sentiment']),
                  tokens: Math.floor(rand() * 600), timestamp: t };
    if (asObject) rec.object = { sentiment: pick(['positive', 'neutral', 'negative']), confidence: Math.round(rand() * 100) / 100 };
    else rec.text = pick(['The customer asks for a refund.', 'Invoice 4411 is due on 2025-02-01.', 'Neutral.']);
    out.push(rec);
  } else if (kind === 'runs') {
    out.push({ id: i + 1, runType: i % 4 === 0 ? 'full' : 'partial', created_at: new Date(t).toISOString() });
  } else if (kind === 'scores') {
    const run = 1 + Math.floor(i / 6);
    out.push({ run_id: run, evalName: pick(['support-bot', 'invoice-extractor']), name: pick(['factuality', 'levenshtein', 'json-valid']),
               score: Math.round(rand() * 1e6) / 1e6, created_at: new Date(start + run * 4 * 3600 * 1000).toISOString() });
  } else {
    console.error('usage: node generate.mjs requests|generations|runs|scores [COUNT]');
    process.exit(2);
  }
}
process.stdout.write(out.map((r) => JSON.stringify(r)).join('\n') + '\n');
