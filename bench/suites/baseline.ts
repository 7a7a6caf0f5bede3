import path from 'node:path';
import { startCairn } from '../lib/cairn.js';
import type { BenchContext, Suite } from '../lib/context.js';
import { fillDatabase } from '../lib/fill.js';
import type { LoadResult } from '../lib/load.js';
import { loadRows, measure } from '../lib/measure.js';
import { fixturesDir } from '../lib/paths.js';
import { freePort } from '../lib/ports.js';
import { makeRow } from '../lib/results.js';
import type { ResultRow } from '../lib/results.js';
import { startService } from '../lib/service.js';

/** Measures the bare Fastify hello-world fixture: the ceiling for any route on this machine. */
export async function measureHelloWorld(context: BenchContext): Promise<LoadResult> {
  context.log('hello world (bare Fastify)');
  const port = await freePort();
  const service = await startService({
    name: 'hello fixture',
    nodeArgs: ['--import', 'tsx', path.join(fixturesDir, 'hello.ts')],
    env: { PORT: String(port), HOST: '127.0.0.1' },
    port,
    healthPath: '/',
    cleanup: context.cleanup,
  });
  try {
    return await measure(context, service, '/');
  } finally {
    await service.stop();
  }
}

/**
 * Measures the one-indexed-query fixture on this run's database (PostgreSQL through a pool of 10, or PGlite
 * in the fixture's process). `bench_items` must have been generated first.
 */
export async function measureIndexedQuery(context: BenchContext): Promise<LoadResult> {
  context.log(`one indexed query per request (${context.database.kind})`);
  const port = await freePort();
  const service = await startService({
    name: 'indexed-query fixture',
    nodeArgs: ['--import', 'tsx', path.join(fixturesDir, 'indexed-query.ts')],
    env: {
      ...context.database.fixtureEnv(),
      BENCH_ITEMS_COUNT: String(context.options.preset.benchItems),
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    port,
    healthPath: '/item',
    cleanup: context.cleanup,
  });
  try {
    return await measure(context, service, '/item');
  } finally {
    await service.stop();
  }
}

/** Measures Cairn's `GET /api/health`, the cheapest route through the whole platform stack. */
export async function measureCairnHealth(context: BenchContext): Promise<LoadResult> {
  const { service } = await startCairn(context);
  try {
    context.log('Cairn GET /api/health');
    return await measure(context, service, '/api/health');
  } finally {
    await service.stop();
  }
}

/**
 * The rows of the baseline suite. Hello world is the reference for everything; the indexed query is also
 * compared with hello world (what one database round trip costs); Cairn's health route is compared with both.
 */
export function baselineRows(hello: LoadResult, indexed: LoadResult, cairn: LoadResult): ResultRow[] {
  return [
    ...loadRows('hello_world', hello),
    ...loadRows('indexed_query', indexed, { baseline: hello }),
    ...loadRows('cairn_health', cairn, { baseline: hello }),
    makeRow('cairn_health_vs_hello_ratio', cairn.requestsPerSecond / hello.requestsPerSecond, 'x'),
    makeRow('cairn_health_vs_indexed_query_ratio', cairn.requestsPerSecond / indexed.requestsPerSecond, 'x'),
  ];
}

export const baselineSuite: Suite = {
  name: 'baseline',
  description: 'bare Fastify, one indexed query, and Cairn /api/health, in the same run',
  async run(context) {
    context.log(`generating bench_items (${context.options.preset.name} preset)`);
    await fillDatabase(context, ['bench_items']);
    // One server at a time: on two cores, a second idle-but-alive server would still skew the numbers.
    const hello = await measureHelloWorld(context);
    const indexed = await measureIndexedQuery(context);
    const cairn = await measureCairnHealth(context);
    return baselineRows(hello, indexed, cairn);
  },
};
