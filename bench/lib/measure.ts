import type { BenchContext } from './context.js';
import { runLoad } from './load.js';
import type { LoadResult, RequestOptions } from './load.js';
import { makeRow } from './results.js';
import type { ResultRow, Target } from './results.js';
import type { Service } from './service.js';

/** How one measurement differs from the run's defaults: the request sent, and connections or warm-up. */
export interface MeasureOptions extends RequestOptions {
  /** Concurrent connections; default the run's `--connections`. */
  connections?: number;
  /** Seconds of discarded load first; default the run's `--warmup` (0 skips the warm-up). */
  warmupSeconds?: number;
}

/**
 * Warms the service up (discarded run), then measures `path` for the run's duration and connections. Every
 * request is the same: a GET unless `options` gives a method, body or headers.
 */
export async function measure(
  context: BenchContext,
  service: Service,
  path: string,
  options: MeasureOptions = {},
): Promise<LoadResult> {
  const { durationSeconds } = context.options;
  const {
    connections = context.options.connections,
    warmupSeconds = context.options.warmupSeconds,
    ...request
  } = options;
  const url = service.baseUrl + path;
  const shown = `${request.method ?? 'GET'} ${url}`;
  // The warm-up lets V8 optimise the hot path and the pools fill, so the measured run is steady state.
  if (warmupSeconds > 0) {
    context.log(`  warm-up ${shown} (${warmupSeconds} s)`);
    await runLoad({ ...request, url, connections, durationSeconds: warmupSeconds, cleanup: context.cleanup });
  }
  context.log(`  measuring ${shown} (${durationSeconds} s, ${connections} connections)`);
  const result = await runLoad({ ...request, url, connections, durationSeconds, cleanup: context.cleanup });
  context.log(
    `  ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms` +
      (result.errors + result.non2xx > 0 ? `, ${result.errors} errors, ${result.non2xx} non-2xx` : ''),
  );
  return result;
}

/**
 * The standard rows for one measured endpoint: `<prefix>_rps`, `<prefix>_p50_ms`, `<prefix>_p99_ms` and
 * `<prefix>_failed_requests`. With a baseline, each gets the baseline's value and the ratio to it.
 * Failed requests must be zero: errors or non-2xx answers make every other number meaningless.
 */
export function loadRows(
  prefix: string,
  result: LoadResult,
  options: { baseline?: LoadResult; targets?: { rps?: Target; p50?: Target; p99?: Target } } = {},
): ResultRow[] {
  const { baseline, targets = {} } = options;
  return [
    makeRow(`${prefix}_rps`, result.requestsPerSecond, 'req/s', {
      baseline: baseline?.requestsPerSecond ?? null,
      target: targets.rps ?? null,
    }),
    makeRow(`${prefix}_p50_ms`, result.latencyP50Ms, 'ms', {
      baseline: baseline?.latencyP50Ms ?? null,
      target: targets.p50 ?? null,
    }),
    makeRow(`${prefix}_p99_ms`, result.latencyP99Ms, 'ms', {
      baseline: baseline?.latencyP99Ms ?? null,
      target: targets.p99 ?? null,
    }),
    makeRow(`${prefix}_failed_requests`, result.errors + result.non2xx, 'requests', { target: '== 0' }),
  ];
}
