/**
 * Loaded into the Cairn process by the load suite only (`node --import tsx --import <this file> server/main.ts
 * start`), never by product code: every 5 seconds it appends one JSON line with the process's memory (RSS, V8
 * heap used and total, external and array buffers) and its event-loop delay to the file named by
 * CAIRN_LOAD_PROBE_FILE, with the heap left after the last full (mark-compact) garbage collection: the live
 * heap, which a leak makes climb while the heap in use saws up and down between collections. RSS is also read
 * from outside (/proc/<pid>/status); the heap can only be seen from inside, and a preloaded timer adds no route
 * to the product. Without the variable it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

const file = process.env.CAIRN_LOAD_PROBE_FILE;
const everyMs = 5_000;

if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let heapAfterMajorGc: number | null = null;
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as unknown as { detail?: { kind?: number } };
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      majorGcs++;
      heapAfterMajorGc = getHeapStatistics().used_heap_size;
    }
  }).observe({ entryTypes: ['gc'] });
  const sample = () => {
    const memory = process.memoryUsage();
    const line = {
      at: Date.now(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      heapAfterMajorGc,
      majorGcs,
      // Nanoseconds → milliseconds; the histogram restarts each interval so every line covers 5 s.
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
    };
    delay.reset();
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // The suite removed its folder (it is finishing): nothing left to report to.
    }
  };
  setInterval(sample, everyMs).unref();
}
