// The garbage collector's share of a callgrind dump, for http-callgrind.mjs and
// realtime-callgrind.mjs: the instructions of V8's scavenger, markers, sweepers and their
// helpers, found by name. Collections come every few thousand requests or messages, so how many
// fall into a measured window moves a total by a tenth between runs; the rest moves by about 1%.
import { execFileSync } from 'node:child_process';

const GC = /Scaveng|IterateObjectCache|BodyDescriptorBase|RootScavengeVisitor|GarbageCollect|MarkCompact|MinorMark|Sweeper|Evacuat|RememberedSet|SlotSet|heap::base|GCTracer|ArrayBufferSweeper|SizeFromMap|ConcurrentMarking|MarkingVisitor|MarkingBarrier|MarkingWorklist|IncrementalMarking/;

/** The instructions the dump `file` counts in the collector's functions. */
export function gcInstructions(file) {
  const annotated = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  let gc = 0;
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (m && !m[2].includes('PROGRAM TOTALS') && GC.test(m[2])) gc += Number(m[1].replaceAll(',', ''));
  }
  return gc;
}
