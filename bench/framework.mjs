#!/usr/bin/env node
// The framework workloads of issues 3, 4 and 6 (model, deps, tasks; lib/workloads.mjs), run by
// targets.mjs with the same method: `--workload model|deps|tasks|inputs|all` picks them, every
// other flag is targets.mjs's (--rounds, --duration, --connections, --skip-fastapi, ...).
//
//   node framework.mjs [--workload tasks] [--rounds 3] [--duration 10]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--workload');
const workload = at === -1 ? 'all' : args.splice(at, 2)[1];
const only = workload === 'all' ? 'model,deps,tasks' : workload;
const targets = join(dirname(fileURLToPath(import.meta.url)), 'targets.mjs');
const run = spawnSync(process.execPath, [targets, '--only', only, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
