// Bytes allocated per request, for the in-process scripts (in-process.mjs --alloc,
// alloc-anchors.mjs): the heap's growth over a batch of requests in which no collection ran,
// after a full one (node --expose-gc, and a young generation large enough to hold a batch:
// --max-semi-space-size=256). A batch that met a collection is taken again.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

let collections = 0;
let observing = false;

/** `runBatch()` sends `batch` requests; resolves with the bytes allocated per request. */
export async function allocatedPerRequest(runBatch, batch, name) {
  if (typeof globalThis.gc !== 'function') throw new Error('measuring allocation needs node --expose-gc --max-semi-space-size=256');
  if (!observing) {
    new PerformanceObserver((list) => void (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });
    observing = true;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    globalThis.gc();
    // The observer hears of the collection just made some ticks later.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const seen = collections;
    const before = v8.getHeapStatistics().used_heap_size;
    await runBatch();
    const after = v8.getHeapStatistics().used_heap_size;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (collections === seen) return (after - before) / batch;
  }
  throw new Error(`${name}: every batch of ${batch} met a collection; try a smaller --batch or a larger --max-semi-space-size`);
}
