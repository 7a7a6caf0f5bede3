import { hashPassword } from '../../server/modules/identity/identity.passwords.js';
import { demoPassword } from '../../server/modules/identity/identity.seed.js';
import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { startCairn } from '../lib/cairn.js';
import type { BenchContext, Suite } from '../lib/context.js';
import { fillDatabase } from '../lib/fill.js';
import { countStatus } from '../lib/load.js';
import type { LoadResult } from '../lib/load.js';
import { loadRows, measure } from '../lib/measure.js';
import type { MeasureOptions } from '../lib/measure.js';
import { makeRow } from '../lib/results.js';
import type { ResultRow } from '../lib/results.js';
import type { Service } from '../lib/service.js';
import { median, timeCalls, timedLoadResult, timeOnce } from '../lib/timing.js';
import { measureIndexedQuery } from './baseline.js';

/** The demo account with no second factor: a correct password gives a full session. */
const email = 'member@demo.cairn';
const signInPath = '/api/auth/sign-in';
const signInRequest: MeasureOptions = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password: demoPassword }),
};
/** The connection counts sign-in is measured at: one person alone, and a few signing in together. */
const signInConnections = [1, 4] as const;
/** Sign-in p50 at one connection: a sanity bound (the hash is tens of ms), not a budget from the guide. */
const signInP50Target = '<= 500';

/**
 * The route's own limit (`rateLimit: { max: 30, timeWindow: 60_000 }` on POST /auth/sign-in, per address and
 * per process) is not lifted by CAIRN_RATE_LIMIT_MAX. When it throttles autocannon, sign-in is timed here
 * instead, on a fresh process: 2 discarded + at most 25 measured sign-ins, under the 30 a minute allows.
 */
const timedWarmupSignIns = 2;
const timedSignInBudget = 25;

const argon2Warmups = 2;
const argon2Samples = 20;

/**
 * The argon2id hash alone, in this process with no server running: the floor under a password sign-in,
 * which verifies one such hash. Median of 20 after 2 discarded.
 */
export async function measureArgon2(context: BenchContext): Promise<number> {
  context.log(`argon2id hash in-process (${argon2Samples} runs after ${argon2Warmups} discarded)`);
  const samples: number[] = [];
  for (let i = 0; i < argon2Warmups + argon2Samples; i += 1) {
    const ms = await timeOnce(() => hashPassword(demoPassword));
    if (i >= argon2Warmups) samples.push(ms);
  }
  const result = median(samples);
  context.log(`  median ${result.toFixed(1)} ms`);
  return result;
}

/** One password sign-in; the session token when it gave a full session, else why not. */
async function signIn(service: Service): Promise<{ token: string } | { problem: string }> {
  const response = await fetch(service.baseUrl + signInPath, {
    method: 'POST',
    headers: signInRequest.headers,
    body: signInRequest.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) return { problem: `HTTP ${response.status}: ${text.slice(0, 200)}` };
  const status = (JSON.parse(text) as { status?: unknown }).status;
  if (status !== 'signed_in') return { problem: `sign-in answered status ${String(status)}` };
  const prefix = `${sessionCookie}=`;
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith(prefix));
  const token = cookie?.slice(prefix.length).split(';')[0];
  return token ? { token } : { problem: `no ${sessionCookie} cookie in the answer` };
}

/** Signs in as the demo member (no second factor) and returns the session token. */
export async function signInOrThrow(service: Service): Promise<string> {
  const result = await signIn(service);
  if ('problem' in result) throw new Error(`${email} could not sign in: ${result.problem}`);
  return result.token;
}

/** Sign-in at some connection count, and how it was measured. */
export interface SignInMeasurement {
  connections: number;
  /** The numbers the rows report: autocannon's, or the timed run's when the route throttled autocannon. */
  result: LoadResult;
  /** 429 answers to autocannon's run (0 when the limit did not bite). */
  rateLimited: number;
  /** Failures other than 429 in autocannon's run; they count even when the timed run replaced it. */
  probeFailures: number;
  method: 'autocannon' | 'timed';
}

/**
 * Measures sign-in at `connections`. First autocannon for the run's duration, without warm-up, on a freshly
 * started Cairn (so the route's limiter starts from an empty window). If any answer was a 429, the limiter
 * was measured rather than sign-in: those numbers are dropped, and sign-in is timed on another fresh Cairn
 * with a number of sign-ins that stays under the limit, spread over the same number of connections.
 */
export async function measureSignIn(context: BenchContext, connections: number): Promise<SignInMeasurement> {
  let probe: LoadResult;
  {
    const { service } = await startCairn(context, { demoData: true });
    try {
      context.log(`Cairn POST ${signInPath} as ${email}, ${connections} connection(s), autocannon`);
      probe = await measure(context, service, signInPath, {
        ...signInRequest,
        connections,
        warmupSeconds: 0,
      });
    } finally {
      await service.stop();
    }
  }
  const rateLimited = countStatus(probe, 429);
  const probeFailures = probe.errors + probe.non2xx - rateLimited;
  if (rateLimited === 0)
    return { connections, result: probe, rateLimited, probeFailures, method: 'autocannon' };

  const total = Math.floor(timedSignInBudget / connections) * connections;
  context.log(
    `  ${rateLimited} of ${probe.totalRequests} answers were 429 (the route's own limit); ` +
      `timing ${total} sign-ins over ${connections} connection(s) on a fresh Cairn instead`,
  );
  const { service } = await startCairn(context, { demoData: true });
  try {
    for (let i = 0; i < timedWarmupSignIns; i += 1) await signInOrThrow(service);
    const timed = await timeCalls(
      async () => {
        const outcome = await signIn(service);
        if ('problem' in outcome) throw new Error(outcome.problem);
        return true;
      },
      { total, concurrency: connections },
    );
    if (timed.firstFailure !== null) {
      context.log(`  ${timed.failures} sign-ins failed, the first: ${timed.firstFailure}`);
    }
    const result = timedLoadResult(timed);
    context.log(
      `  ${result.requestsPerSecond.toFixed(1)} sign-ins/s, p50 ${result.latencyP50Ms.toFixed(1)} ms, ` +
        `p99 ${result.latencyP99Ms.toFixed(1)} ms`,
    );
    return { connections, result, rateLimited, probeFailures, method: 'timed' };
  } finally {
    await service.stop();
  }
}

/**
 * Cairn's `GET /api/health`, then `GET /api/auth/me` with the session cookie of one sign-in, on the same
 * Cairn process (one after the other, each with the run's warm-up, duration and connections).
 */
export async function measureHealthAndMe(
  context: BenchContext,
): Promise<{ health: LoadResult; me: LoadResult }> {
  const { service } = await startCairn(context, { demoData: true });
  try {
    context.log('Cairn GET /api/health');
    const health = await measure(context, service, '/api/health');
    const token = await signInOrThrow(service);
    const cookie = `${sessionCookie}=${token}`;
    // The load is only meaningful if the cookie really is a session: check one answer first.
    const check = await fetch(`${service.baseUrl}/api/auth/me`, { headers: { cookie } });
    const body = await check.text();
    if (check.status !== 200)
      throw new Error(`GET /api/auth/me with the new session answered ${check.status}: ${body}`);
    context.log(`Cairn GET /api/auth/me as ${email} (session cookie)`);
    const me = await measure(context, service, '/api/auth/me', { headers: { cookie } });
    return { health, me };
  } finally {
    await service.stop();
  }
}

/** The rows of one sign-in measurement; latencies are compared with the argon2id hash alone. */
export function signInRows(signIn: SignInMeasurement, argon2MedianMs: number): ResultRow[] {
  const prefix = `sign_in_c${signIn.connections}`;
  const { result } = signIn;
  const p50Target = signIn.connections === 1 ? signInP50Target : null;
  return [
    makeRow(`${prefix}_rps`, result.requestsPerSecond, 'req/s'),
    makeRow(`${prefix}_p50_ms`, result.latencyP50Ms, 'ms', { baseline: argon2MedianMs, target: p50Target }),
    makeRow(`${prefix}_p99_ms`, result.latencyP99Ms, 'ms', { baseline: argon2MedianMs }),
    // Failures that are not the limiter's 429: in the numbers reported, and in autocannon's run before them.
    makeRow(
      `${prefix}_failed_requests`,
      result.errors + result.non2xx + (signIn.method === 'timed' ? signIn.probeFailures : 0),
      'requests',
      { target: '== 0' },
    ),
    // Informational: how hard the route's own limit bit autocannon, and how many sign-ins the latencies are of.
    makeRow(`${prefix}_rate_limited_requests`, signIn.rateLimited, 'requests'),
    makeRow(`${prefix}_measured_requests`, result.totalRequests, 'requests'),
  ];
}

/** The suite's rows: the baseline, Cairn's health route, the authenticated request, then sign-in. */
export function identityRows(measured: {
  indexed: LoadResult;
  health: LoadResult;
  me: LoadResult;
  argon2MedianMs: number;
  signIns: readonly SignInMeasurement[];
}): ResultRow[] {
  const { indexed, health, me, argon2MedianMs, signIns } = measured;
  return [
    ...loadRows('indexed_query', indexed),
    ...loadRows('cairn_health', health, { baseline: indexed }),
    ...loadRows('auth_me', me, { baseline: indexed }),
    makeRow('auth_me_vs_indexed_query_ratio', me.requestsPerSecond / indexed.requestsPerSecond, 'x'),
    makeRow('auth_me_vs_health_ratio', me.requestsPerSecond / health.requestsPerSecond, 'x'),
    makeRow('argon2id_hash_median_ms', argon2MedianMs, 'ms'),
    ...signIns.flatMap((signIn) => signInRows(signIn, argon2MedianMs)),
  ];
}

export const identitySuite: Suite = {
  name: 'identity',
  description: 'password sign-in (vs argon2id alone) and GET /api/auth/me (vs one indexed query)',
  async run(context) {
    context.log(`generating bench_items (${context.options.preset.name} preset)`);
    await fillDatabase(context, ['bench_items']);
    // One server at a time, and the in-process hash with none running, so nothing competes for the cores.
    const indexed = await measureIndexedQuery(context);
    const argon2MedianMs = await measureArgon2(context);
    const { health, me } = await measureHealthAndMe(context);
    const signIns: SignInMeasurement[] = [];
    for (const connections of signInConnections) signIns.push(await measureSignIn(context, connections));
    context.note(
      'sign_in_c1/_c4: POST /api/auth/sign-in at 1 and 4 connections, each on a freshly started Cairn, ' +
        'no warm-up; latencies compared with argon2id_hash_median_ms (the hash alone, in-process)',
    );
    for (const signIn of signIns) {
      if (signIn.method === 'timed') {
        context.note(
          `sign_in_c${signIn.connections}: the route's own rate limit answered ${signIn.rateLimited} of ` +
            `autocannon's requests with 429, so its rows are ${signIn.result.totalRequests} sign-ins timed ` +
            'by the suite under the limit (2 discarded first; p99 ≈ the slowest)',
        );
      }
    }
    return identityRows({ indexed, health, me, argon2MedianMs, signIns });
  },
};
