// This machine may be shared (other people's builds and test runs). Pinning
// protects the server's core only from *our* load generator, so before each
// measurement we wait for the machine to go quiet, and after it we check how
// much of core 0 something else used; run.mjs and inflight.mjs retry a sample
// that was disturbed.
import { cpuBusyTicks } from './procfs.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Fraction of all CPUs busy over `ms`.
async function machineBusy(ms) {
  const a = cpuBusyTicks();
  await sleep(ms);
  const b = cpuBusyTicks();
  let busy = 0;
  let total = 0;
  for (const cpu of Object.keys(b)) {
    busy += b[cpu].busy - a[cpu].busy;
    total += b[cpu].busy + b[cpu].idle - (a[cpu].busy + a[cpu].idle);
  }
  return total > 0 ? busy / total : 0;
}

// Wait (bounded) until the machine is idle before starting a server.
// Returns the last busy fraction seen, for the record.
export async function waitForQuiet({ maxBusy = 0.05, maxWaitS = 30, log = console.error } = {}) {
  const deadline = Date.now() + maxWaitS * 1000;
  let busy = await machineBusy(500);
  let warned = false;
  while (busy > maxBusy && Date.now() < deadline) {
    if (!warned) log(`  machine busy (${(busy * 100).toFixed(0)}% CPU used by other processes); waiting up to ${maxWaitS} s for it to go quiet`);
    warned = true;
    busy = await machineBusy(1000);
  }
  return busy;
}
