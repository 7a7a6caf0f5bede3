import { performance } from 'node:perf_hooks';
import type { LoadResult } from './load.js';

/**
 * Timing in the runner's own process, for what autocannon cannot measure: a handful of requests that must
 * stay under a route's rate limit, or a function with no server at all (a password hash).
 */

/**
 * The nearest-rank percentile of the samples (`p` from 0 to 100): the smallest sample with at least p % of
 * the samples at or below it. With 25 samples, p99 is the largest one.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be from 0 to 100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The median: the middle sample, or the mean of the two middle ones for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Times one call, in milliseconds. */
export async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** The outcome of `timeCalls`. */
export interface TimedCalls {
  /** The duration of each successful call, in ms, in completion order. */
  latenciesMs: number[];
  /** Calls that returned false or threw. */
  failures: number;
  /** The first failure's reason, for the log; null when every call succeeded. */
  firstFailure: string | null;
  /** From the first call's start to the last call's end, in ms. */
  wallMs: number;
}

/**
 * Makes `total` calls of `call` from `concurrency` workers, each making its calls one after another (like
 * autocannon's connections), and times each call. `call` returns whether it succeeded; a throw is a failure
 * too. Like autocannon, only successful calls contribute latencies.
 */
export async function timeCalls(
  call: () => Promise<boolean>,
  options: { total: number; concurrency: number },
): Promise<TimedCalls> {
  const { total, concurrency } = options;
  if (!Number.isInteger(total) || total < 1)
    throw new Error(`total must be a positive integer, got ${total}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      const start = performance.now();
      let ok: boolean;
      let reason = 'the call reported a failure';
      try {
        ok = await call();
      } catch (error) {
        ok = false;
        reason = error instanceof Error ? error.message : String(error);
      }
      const elapsed = performance.now() - start;
      if (ok) {
        latenciesMs.push(elapsed);
      } else {
        failures += 1;
        firstFailure ??= reason;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latenciesMs, failures, firstFailure, wallMs: performance.now() - start };
}

/**
 * Timed calls in the shape of an autocannon result, so they make the same rows: throughput is successful
 * calls per second of wall time, failures count as errors, and the percentiles are nearest-rank over the
 * successful calls (0 when none succeeded; the failures row then says why the numbers mean nothing).
 */
export function timedLoadResult(timed: TimedCalls): LoadResult {
  const { latenciesMs, failures, wallMs } = timed;
  const ok = latenciesMs.length;
  return {
    requestsPerSecond: wallMs > 0 ? ok / (wallMs / 1000) : 0,
    latencyP50Ms: ok > 0 ? percentile(latenciesMs, 50) : 0,
    latencyP99Ms: ok > 0 ? percentile(latenciesMs, 99) : 0,
    latencyMeanMs: ok > 0 ? latenciesMs.reduce((sum, ms) => sum + ms, 0) / ok : 0,
    totalRequests: ok + failures,
    errors: failures,
    non2xx: 0,
    durationSeconds: wallMs / 1000,
  };
}
