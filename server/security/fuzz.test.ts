import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/app.js';
import { createPerson, signIn } from '../test/factories.js';
import { requestArb, textSweep, type FuzzRequest } from './arbitraries.js';
import { loadOperations, type Operation } from './openapi.js';
import {
  contractBreach,
  createAdmin,
  fullRun,
  inheritedMarkers,
  knownExamples,
  preview,
  prototypeSnapshot,
  randomAddress,
  report,
} from './support.js';

/**
 * Input fuzzing of every operation in the OpenAPI document, as an anonymous caller and as a signed-in
 * organisation admin (and a platform admin, for the staff routes): 0 responses 5xx, every error is
 * problem+json with a code, Object.prototype never polluted, the process still answers afterwards.
 * Two parts per operation: random requests from fast-check (each attacks one place: a path parameter, the
 * query or the body), and a deterministic sweep of hostile text through every free-text field.
 * Default: a bounded run for `npm test`. CAIRN_FUZZ_RUNS (per operation and caller) and CAIRN_FUZZ_SEED
 * widen or replay it; `npm run test:security` runs it long with a fresh seed.
 */
const runs = Number(process.env.CAIRN_FUZZ_RUNS ?? (fullRun ? 150 : 12));
const seed = Number(process.env.CAIRN_FUZZ_SEED ?? (fullRun ? Date.now() % 2 ** 31 : 20_260_101));

const t = await createTestApp({
  env: {
    // Lookup quotas (matching) would turn the probes into 429s that hide what the handler does.
    CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000',
    CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '1000000',
    CAIRN_RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'warn',
  },
});
const operations = await loadOperations(t.app);
const examples = await knownExamples(t.app);
const baseline = prototypeSnapshot();
/** Anonymous and an organisation admin (the brief), plus a platform admin to reach the staff routes. */
const callers = ['anonymous', 'org admin', 'platform admin'] as const;
type Caller = (typeof callers)[number];
const platformAdmin = await createPerson(t.database.db, { platformRole: 'platform_admin', passkey: true });
const started = Date.now();
const stats = { random: 0, sweep: 0, pastTheGate: 0 };

/** A seed per operation, so adding an operation does not change what the others are sent. */
const seedOf = (operationId: string) =>
  createHash('sha256').update(`${seed}:${operationId}`).digest().readUInt32BE(0) & 0x7fffffff;

afterAll(async () => {
  report(
    `fuzz: ${operations.length} operations; ${stats.random} random requests (${callers.length} callers × ` +
      `${runs} runs each) + ${stats.sweep} hostile-text sweep requests; ${stats.pastTheGate} got past ` +
      `validation and the gate; seed ${seed}; ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  await t.close();
});

/** The ids an organisation admin's requests use, by kind, so some requests reach real records. */
async function callerFixture() {
  const admin = await createAdmin(t.database.db);
  return {
    admin,
    options: {
      examples,
      ids: [admin.organisationId, admin.membershipId, admin.personId],
      idsByKind: {
        organisation: [admin.organisationId],
        membership: [admin.membershipId],
        person: [admin.personId],
      },
    },
  };
}

/** Sends a request as a caller and returns why the answer breaks the contract, or null. */
async function attempt(
  op: Operation,
  request: FuzzRequest,
  caller: Caller,
  admin: Awaited<ReturnType<typeof createAdmin>>,
): Promise<string | null> {
  const headers: Record<string, string> = { ...request.headers };
  if (caller === 'org admin') headers.cookie = await admin.cookie();
  if (caller === 'platform admin') headers.cookie = (await signIn(t.database.db, platformAdmin.id)).cookie;
  const res = await t.app.inject({
    method: request.method,
    url: request.url,
    headers,
    // A random address per request: per-address rate limits would otherwise answer most of them.
    remoteAddress: randomAddress(),
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  if (res.statusCode < 400 || ![400, 401, 403, 404, 413, 415].includes(res.statusCode)) stats.pastTheGate++;
  const breach = contractBreach(res);
  const polluted = inheritedMarkers();
  const prototypesChanged = prototypeSnapshot() !== baseline;
  if (!breach && polluted.length === 0 && !prototypesChanged) return null;
  // Undo a pollution so one finding does not turn every later request into a failure.
  for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
  return (
    `${op.operationId} as ${caller} [${request.kind}] ${request.method} ${preview(request.url, 200)} ` +
    `body ${preview(request.payload)} content-type ${request.headers['content-type'] ?? '(none)'} → ` +
    `${breach ?? `prototype polluted (${polluted.join(', ') || 'a built-in prototype changed'})`}: ` +
    preview(res.body, 300)
  );
}

describe('input fuzzing (every operation, schema-driven)', () => {
  it('found the operations in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it.each(operations)('$operationId ($method $path): random requests', async (op) => {
    const { admin, options } = await callerFixture();
    const samples = fc.sample(requestArb(op, options), {
      numRuns: runs * callers.length,
      seed: seedOf(op.operationId),
    });
    const failures: string[] = [];
    for (const [index, request] of samples.entries()) {
      const failure = await attempt(op, request, callers[index % callers.length]!, admin);
      stats.random++;
      if (failure) failures.push(failure);
    }
    expect(
      failures,
      `${failures.length} bad answers (replay with CAIRN_FUZZ_SEED=${seed}):\n${failures.join('\n')}`,
    ).toHaveLength(0);
    // The process survived: it still answers.
    expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
  });

  it.each(operations.filter((op) => textSweep(op).length > 0))(
    '$operationId ($method $path): hostile text in every free-text field',
    async (op) => {
      const { admin, options } = await callerFixture();
      const failures: string[] = [];
      // Signed in, so the text reaches the service; anonymous too where the operation is public.
      const sweepCallers: Caller[] = op.isPublic
        ? ['anonymous', 'org admin', 'platform admin']
        : ['org admin', 'platform admin'];
      for (const request of textSweep(op, options, seedOf(op.operationId))) {
        for (const caller of sweepCallers) {
          const failure = await attempt(op, request, caller, admin);
          stats.sweep++;
          if (failure) failures.push(failure);
        }
      }
      expect(failures, `${failures.length} bad answers:\n${failures.join('\n')}`).toHaveLength(0);
    },
  );
});
