// Startup and idle memory: how long from starting the process to the first 200 on
// /fast_task/, and the serving process's RSS once it has been idle a moment, for the seed app
// run five ways (spry loading main.ts with Node's type stripping, spry with tsx, spry running the
// app compiled to JavaScript, raw node:http, Fastify). spry runs from its build (dist/), as an
// installed spry does: run `npm run build` in the repository first.
//
//   node startup.mjs                      # 10 rounds of each (~1 min)
//   node startup.mjs --rounds 3 --only spry-strip,fastify
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveInt } from './lib/args.mjs';
import { spawnPinned, stopChild, tail } from './lib/children.mjs';
import { readRssKb } from './lib/procfs.mjs';
import { freePort, HOST, httpGet } from './lib/start-server.mjs';
import { fmt, markdownTable, median, ratio } from './lib/table.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const BIN = join(ROOT, 'bin/spry.mjs');
const SEED = join(ROOT, 'examples/seed/main.ts');
// The seed app with its types stripped, beside nothing else: inside the repository's package
// scope so that `spry` resolves to the build, in a folder git ignores.
const BUILT = join(ROOT, '.spry-tmp/bench-startup/main.js');

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    idle: { type: 'string', default: '2000' },
    only: { type: 'string' },
  },
});
const rounds = positiveInt(opt, 'rounds');
const idleMs = positiveInt(opt, 'idle');

const node = process.execPath;
const VARIANTS = [
  { name: 'spry-strip', what: 'spry run main.ts (Node strips the types)', argv: [node, BIN, 'run', SEED] },
  // tsx from the repository's devDependencies (found from here by walking up).
  { name: 'spry-tsx', what: 'spry run main.ts with tsx (node --import tsx)', argv: [node, '--import', import.meta.resolve('tsx'), BIN, 'run', SEED] },
  { name: 'spry-js', what: 'spry run main.js (the app compiled to JavaScript)', argv: [node, BIN, 'run', BUILT] },
  { name: 'raw-node', what: 'node apps/raw-node.mjs', argv: [node, join(BENCH, 'apps/raw-node.mjs')] },
  { name: 'fastify', what: 'node apps/fastify.mjs', argv: [node, join(BENCH, 'apps/fastify.mjs')] },
];
const selected = opt.only === undefined ? VARIANTS : VARIANTS.filter((v) => opt.only.split(',').includes(v.name));

if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` in the repository first');
mkdirSync(dirname(BUILT), { recursive: true });
writeFileSync(BUILT, stripTypeScriptTypes(readFileSync(SEED, 'utf8')));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function once(variant) {
  const port = await freePort();
  const started = performance.now();
  const child = spawnPinned(variant.argv, { cpu: 0, env: { PORT: String(port), HOST, NODE_ENV: 'production', SLOW_TASK_SECONDS: '0' } });
  const err = tail(child.stderr);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${variant.name} exited ${child.exitCode}\n${err()}`);
      const answer = await httpGet(port, '/fast_task/', { timeoutMs: 1000 }).catch(() => undefined);
      if (answer?.status === 200) break;
      if (performance.now() - started > 30_000) throw new Error(`${variant.name}: no 200 within 30 s\n${err()}`);
      await sleep(2);
    }
    const startupMs = performance.now() - started;
    await sleep(idleMs);
    return { startupMs, rssKb: readRssKb(child.pid) };
  } finally {
    await stopChild(child);
  }
}

const results = [];
for (const variant of selected) {
  const samples = [];
  // Interleaving would spread other agents' load more evenly; one warm-up run fills the page cache.
  await once(variant);
  for (let i = 0; i < rounds; i++) samples.push(await once(variant));
  results.push({
    ...variant,
    startupMs: median(samples.map((s) => s.startupMs)),
    rssKb: median(samples.map((s) => s.rssKb)),
    samples,
  });
}

const fastify = results.find((r) => r.name === 'fastify');
console.log(`Node ${process.version}, ${rounds} rounds, median; RSS after ${idleMs} ms idle\n`);
console.log(
  markdownTable(
    ['variant', 'what runs', 'startup to first 200 (ms)', 'vs Fastify', 'idle RSS (MB)', 'vs Fastify'],
    results.map((r) => [
      r.name,
      r.what,
      fmt.ms(r.startupMs),
      fmt.ratio(ratio(r.startupMs, fastify?.startupMs ?? null)),
      fmt.mb(r.rssKb),
      fmt.ratio(ratio(r.rssKb, fastify?.rssKb ?? null)),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r'],
  ),
);
