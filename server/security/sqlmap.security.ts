import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/app.js';
import { stepUp } from '../test/cases.js';
import { createMember, createPerson, signIn } from '../test/factories.js';
import { freeTextPaths, toJsonText, validValue, withLeaf } from './arbitraries.js';
import { loadOperations, urlOf, type JsonSchema, type Operation } from './openapi.js';
import { createAdmin, knownExamples, randomAddress, report } from './support.js';

/**
 * Injection: sqlmap (the Debian package) at level 3, risk 2 against every operation with parameters, signed
 * in, on a throwaway server over a fresh database (PGlite, or PostgreSQL with TEST_DATABASE_URL). Slow: it
 * runs in `npm run test:security` only. sqlmap exits 0 whatever it finds, so its output is judged here.
 *
 * Knobs: SQLMAP (the binary), CAIRN_SQLMAP_ONLY (operationIds, comma-separated), CAIRN_SQLMAP_TARGET_SECONDS
 * (per target, default 300), CAIRN_SQLMAP_BUDGET_SECONDS (the whole run, default 3600), CAIRN_SQLMAP_PARALLEL
 * (sqlmap processes at once, default 3).
 *
 * The operations run as concurrent tests and their targets share one pool of sqlmap processes, so sqlmap's
 * start-up and its own work overlap the app's answers to another run. The app answers in this process, on
 * one thread, and that bounds the gain: more processes mostly lengthen each answer. Answers slowed that way
 * have not turned into time-based suspicions (sqlmap times them against its own run's answers and re-checks
 * every suspicion; those it dismisses are counted in the report).
 */

const sqlmap = process.env.SQLMAP ?? 'sqlmap';
const only = process.env.CAIRN_SQLMAP_ONLY?.split(',').filter(Boolean);
const targetSeconds = Number(process.env.CAIRN_SQLMAP_TARGET_SECONDS ?? 300);
const budgetSeconds = Number(process.env.CAIRN_SQLMAP_BUDGET_SECONDS ?? 3600);
const parallel = Math.max(1, Math.floor(Number(process.env.CAIRN_SQLMAP_PARALLEL ?? 3)) || 1);

/** Runs `work` once one of the `parallel` slots is free, first come first served. */
let running = 0;
const waiting: (() => void)[] = [];
async function inPool<T>(work: () => Promise<T>): Promise<T> {
  if (running < parallel) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

const t = await createTestApp({
  env: {
    // Lookup quotas (matching) would turn the probes into 429s that hide what the handler does.
    CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000',
    CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '1000000',
    CAIRN_RATE_LIMIT_MAX: '100000000',
    LOG_LEVEL: 'warn',
  },
});
const db = t.database.db;
const operations = (await loadOperations(t.app)).filter(
  (op) =>
    (op.pathParams.length > 0 || op.queryParams.length > 0 || op.body !== undefined) &&
    (!only || only.includes(op.operationId)),
);
const examples = await knownExamples(t.app);
const platformAdmin = await createPerson(db, { platformRole: 'platform_admin', passkey: true });

/** A case supervisor of the organisation, signed in and stepped up just now (as after a passkey check). */
async function caseSupervisorCookie(organisationId: string): Promise<string> {
  const { membership, personId } = await createMember(db, { organisationId, role: 'case_supervisor' });
  const session = await signIn(db, personId, { membershipId: membership.id });
  await stepUp(db, session.sessionId);
  return session.cookie;
}

/**
 * The throwaway server: a plain HTTP listener that hands every request to the app. Each request gets a
 * fresh client address, so per-address rate limits (sign-in: 30 a minute) do not turn sqlmap's thousands
 * of probes into 429s that would hide what the handler does.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
const server: Server = createServer((request, response) => {
  void (async () => {
    const body = await readBody(request);
    const res = await t.app.inject({
      method: request.method as 'GET',
      url: request.url ?? '/',
      headers: request.headers as Record<string, string>,
      remoteAddress: randomAddress(),
      ...(body.length > 0 ? { payload: body } : {}),
    });
    const headers = { ...res.headers };
    delete headers['transfer-encoding'];
    delete headers['content-length'];
    response.writeHead(res.statusCode, headers as Record<string, string>);
    response.end(res.rawPayload);
  })().catch(() => {
    response.writeHead(599);
    response.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const outputRoot = await mkdtemp(path.join(tmpdir(), 'cairn-sqlmap-'));

const started = Date.now();
/** Suspicions sqlmap raised and then dismissed itself as false positives (reported, not failures). */
let dismissed = 0;
const results: { operationId: string; seconds: number; points: number; verdict: string }[] = [];
afterAll(async () => {
  const total = (Date.now() - started) / 1000;
  report(
    `sqlmap: ${results.length} targets, ${results.reduce((n, r) => n + r.points, 0)} injection points, ` +
      `${dismissed} suspicions dismissed by sqlmap itself as false positives, ` +
      `${total.toFixed(0)}s in all (budget ${budgetSeconds}s)\n` +
      results
        .map((r) => `  ${r.operationId}: ${r.points} points, ${r.seconds.toFixed(0)}s, ${r.verdict}`)
        .join('\n'),
  );
  await new Promise((resolve) => server.close(resolve));
  await rm(outputRoot, { recursive: true, force: true });
  await t.close();
});

/** The mark sqlmap injects at. */
const MARK = '*';

/** One sqlmap run: a valid request with its injection points marked. */
interface Target {
  label: string;
  url: string;
  data?: string;
  contentType?: string;
  points: number;
  /** Also inject into the User-Agent (stored with a session by the sign-in operations). */
  userAgent: boolean;
}

const probeText = 'Cairn probe';

/** Marks every JSON string value (never a key) for injection: "value" → "value*". */
function markStrings(json: string): { text: string; points: number } {
  let points = 0;
  const text = json.replace(/("(?:[^"\\]|\\.)*")(\s*[,}\]])/g, (_m, value: string, after: string) => {
    points++;
    return `${value.slice(0, -1)}${MARK}"${after}`;
  });
  return { text, points };
}

/**
 * The sqlmap runs for one operation, on the caller's own records: one with every path parameter, query
 * value and string of a minimal valid body marked; then one per free-text body field (set to a plain text
 * inside an otherwise minimal valid body), so each reaches the handler rather than stopping at validation.
 */
function targetsOf(op: Operation, ids: Record<string, string>, seed: number): Target[] {
  const options = {
    ids: Object.values(ids),
    idsByKind: Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, [v]])),
    examples,
    minimal: true,
  };
  const params = Object.fromEntries(
    op.pathParams.map((p) => {
      const kind = Object.keys(ids).find((k) => p.name.toLowerCase().includes(k)) ?? 'organisation';
      return [p.name, ids[kind]!];
    }),
  );
  const querySchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(op.queryParams.map((p) => [p.name, p.schema])),
    required: op.queryParams.filter((p) => p.required).map((p) => p.name),
  };
  // Every query parameter but the free-text ones; each of those (search boxes, where text meets SQL) gets a
  // run of its own below, so one value the service refuses (a malformed cursor) cannot hide the others.
  const freeQuery = new Set(freeTextPaths(querySchema).map(([name]) => name!));
  const required = Object.fromEntries(
    Object.entries(
      fc.sample(validValue({ ...querySchema, required: op.queryParams.map((p) => p.name) }, options), {
        numRuns: 1,
        seed,
      })[0] as Record<string, unknown>,
    ).filter(([name]) => !freeQuery.has(name) || querySchema.required?.includes(name)),
  );
  const entriesOf = (query: Record<string, unknown>) =>
    Object.entries(query).flatMap(([key, value]) =>
      (Array.isArray(value) ? value.slice(0, 1) : [value]).map((item) => [key, String(item)] as const),
    );
  const queryEntries = entriesOf(required);
  /** The URL with the path and query marked (`marked`), or with only the named query parameter marked. */
  const url = (marked: boolean, extra?: [string, string]) => {
    const path = urlOf(
      op,
      Object.fromEntries(Object.entries(params).map(([k, v]) => [k, marked ? `${v}${MARK}` : v])),
      '',
      { raw: true },
    );
    const entries = queryEntries
      .filter(([k]) => k !== extra?.[0])
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}${marked ? MARK : ''}`);
    if (extra) entries.push(`${encodeURIComponent(extra[0])}=${encodeURIComponent(extra[1])}${MARK}`);
    return `${base}${path}${entries.length ? `?${entries.join('&')}` : ''}`;
  };
  const userAgent = op.isPublic && op.method !== 'GET';
  const targets: Target[] = [];
  const bodySchema = op.body?.contentType.includes('json') ? op.body.schema : undefined;
  const minimalBody = bodySchema
    ? fc.sample(validValue(bodySchema, options), { numRuns: 1, seed })[0]
    : undefined;
  const marked = minimalBody === undefined ? undefined : markStrings(toJsonText(minimalBody));
  const basePoints = op.pathParams.length + queryEntries.length + (marked?.points ?? 0);
  // Writes without a JSON body still send one (an empty object, or a small file for uploads): sqlmap's
  // default form encoding would be refused with 415 before the marked parameters are ever read.
  const body: Pick<Target, 'data' | 'contentType'> = marked
    ? { data: marked.text, contentType: 'application/json' }
    : op.body
      ? { data: 'name,type,countries\nCairn probe,ngo,KE\n', contentType: op.body.contentType }
      : op.method !== 'GET'
        ? { data: '{}', contentType: 'application/json' }
        : {};
  if (basePoints > 0) {
    targets.push({ label: 'parameters', url: url(true), ...body, points: basePoints, userAgent });
  }
  for (const [name] of freeTextPaths(querySchema)) {
    targets.push({
      label: `query ${name}`,
      url: url(false, [name!, probeText]),
      ...(marked ? { data: toJsonText(minimalBody), contentType: 'application/json' } : body),
      points: 1,
      userAgent: false,
    });
  }
  for (const path of bodySchema ? freeTextPaths(bodySchema) : []) {
    const body = fc.sample(withLeaf(bodySchema!, path, fc.constant(probeText), options), {
      numRuns: 1,
      seed,
    })[0];
    const text = toJsonText(body).replace(`"${probeText}"`, `"${probeText}${MARK}"`);
    targets.push({
      label: `body ${path.join('.')}`,
      url: url(false),
      data: text,
      contentType: 'application/json',
      points: 1,
      userAgent: false,
    });
  }
  return targets;
}

/** Runs sqlmap on one target, in a directory of its own for this run, and returns what it printed and wrote. */
async function runSqlmap(
  op: Operation,
  request: Target,
  cookie: string | null,
  run: string,
): Promise<{ output: string; timedOut: boolean; outputDir: string }> {
  const outputDir = path.join(outputRoot, `${op.operationId}-${run}`);
  const args = [
    '-u',
    request.url,
    '--method',
    op.method,
    '--level=3',
    '--risk=2',
    '--batch',
    '--flush-session',
    '--disable-coloring',
    `--output-dir=${outputDir}`,
    `--tmp-dir=${path.join(outputDir, 'tmp')}`,
    `--results-file=${path.join(outputDir, 'results.csv')}`,
    '--threads=4',
    '--timeout=15',
    '--retries=1',
    '--time-sec=2',
    '--dbms=PostgreSQL',
    // Answer sqlmap's questions: yes, process the marks and the JSON; keep testing other parameters.
    '--answers=custom injection marker=Y,JSON data=Y,keep testing=Y,want to skip=N',
    '--skip-waf',
    // Refusals (a wrong password, an unknown record) are answers to compare, not reasons to stop.
    '--ignore-code=400,401,403,404,409,422',
    '-v',
    '1',
  ];
  const headers = request.contentType ? [`Content-Type: ${request.contentType}`] : [];
  if (request.userAgent) headers.push(`User-Agent: cairn-probe${MARK}`);
  if (headers.length) args.push('--headers', headers.join('\n'));
  if (request.data !== undefined) args.push('--data', request.data);
  if (cookie) args.push('--cookie', cookie, '--skip', '__Host-cairn_session');
  return new Promise((resolve) => {
    const child = spawn(sqlmap, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, targetSeconds * 1000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ output, timedOut, outputDir });
    });
    // Not installed (or not runnable): no 'close' follows, so answer now, with the reason as the output.
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ output: `${output}\ncould not run ${sqlmap}: ${error.message}`, timedOut: false, outputDir });
    });
  });
}

/**
 * sqlmap's verdict. It first says a parameter "appears to be" injectable, then checks for a false positive;
 * only what survives that check (its "identified the following injection point(s)" block and the rows of
 * its results file) is a finding. A heuristic "might be injectable (possible DBMS: …)" means an answer
 * carried a database error message, which Cairn must never send: that is a finding too.
 */
async function verdictOf(output: string, outputDir: string): Promise<string[]> {
  const findings = output
    .split('\n')
    .filter((line) =>
      /identified the following injection point|parameter '[^']*' is vulnerable|might be injectable \(possible DBMS/i.test(
        line,
      ),
    );
  const csv = await readFile(path.join(outputDir, 'results.csv'), 'utf8').catch(() => '');
  // Header: Target URL,Place,Parameter,Technique(s),Note(s). A row whose note says "false positive" is a
  // suspicion sqlmap checked and dismissed itself; any other row is a confirmed injection.
  const rows = csv
    .split('\n')
    .slice(1)
    .filter((row) => row.trim() !== '');
  findings.push(...rows.filter((row) => !/false positive/i.test(row)).map((row) => `results: ${row}`));
  dismissed += rows.length - rows.filter((row) => !/false positive/i.test(row)).length;
  return findings;
}

describe('injection (sqlmap, level 3, risk 2)', () => {
  it('has targets', () => {
    expect(operations.length).toBeGreaterThan(only ? 0 : 20);
  });

  // Concurrent, so the pool always has work; each operation is still its own test, named for it.
  it.concurrent.for(operations)(
    '$operationId ($method $path): nothing injectable',
    // An operation may wait for the pool behind others, so its limit is the run's: every sqlmap run is
    // killed after targetSeconds, and a run past its budget fails its remaining targets without running them.
    { timeout: (budgetSeconds + 60) * 1000 },
    async (op, { expect }) => {
      const elapsed = (Date.now() - started) / 1000;
      expect(elapsed, `the run's budget of ${budgetSeconds}s is spent before ${op.operationId}`).toBeLessThan(
        budgetSeconds,
      );
      const admin = await createAdmin(db);
      const ids = {
        organisation: admin.organisationId,
        membership: admin.membershipId,
        person: admin.personId,
      };
      const findings: string[] = [];
      const problems: string[] = [];
      const runTarget = async (request: Target, index: number) => {
        if ((Date.now() - started) / 1000 >= budgetSeconds) {
          problems.push(`${request.label}: the run's budget of ${budgetSeconds}s is spent before it`);
          return;
        }
        // Signed in as the organisation's admin; where the gate refuses them, as its case supervisor (with a
        // fresh step-up), then as a platform admin (the staff routes), so each run reaches the handler. Done
        // once the target has its slot, so the step-up is as fresh as before.
        let cookie = await admin.cookie();
        const probe = async () =>
          t.app.inject({
            method: op.method,
            url: request.url.slice(base.length).replaceAll(MARK, ''),
            headers: { cookie, ...(request.contentType ? { 'content-type': request.contentType } : {}) },
            remoteAddress: randomAddress(),
            ...(request.data ? { payload: request.data.replaceAll(`${MARK}"`, '"') } : {}),
          });
        let status = (await probe()).statusCode;
        if (status === 403) {
          // The case routes are the case staff's: a case supervisor of the same organisation, stepped up.
          cookie = await caseSupervisorCookie(admin.organisationId);
          status = (await probe()).statusCode;
        }
        if (status === 403) {
          cookie = (await signIn(db, platformAdmin.id)).cookie;
          status = (await probe()).statusCode;
        }
        const began = Date.now();
        const attempt = async (run: string) => {
          const { output, timedOut, outputDir } = await runSqlmap(op, request, cookie, run);
          if (process.env.CAIRN_SQLMAP_KEEP) {
            await writeFile(path.join(process.env.CAIRN_SQLMAP_KEEP, `${op.operationId}-${run}.log`), output);
          }
          return { output, timedOut, found: await verdictOf(output, outputDir) };
        };
        let { output, timedOut, found } = await attempt(String(index));
        // A run stopped at its time limit gave no verdict either way (once in CI, on 4 Dec 2026, a target that
        // takes 6–11 s ran past 300 s while the other suites loaded the machine). It runs once more, in a
        // directory of its own; what either run found counts, and a second time-out fails the target.
        let retried = false;
        if (timedOut && found.length === 0 && (Date.now() - started) / 1000 < budgetSeconds) {
          retried = true;
          ({ output, timedOut, found } = await attempt(`${index}-again`));
        }
        const seconds = (Date.now() - began) / 1000;
        const tested = /do not appear to be injectable|does not seem to be injectable/i.test(output);
        const verdict = found.length ? 'INJECTABLE' : timedOut ? 'timed out' : tested ? 'clean' : 'unclear';
        results.push({
          operationId: `${op.operationId} (${request.label}; valid request answered ${status})`,
          seconds,
          points: request.points,
          verdict: retried ? `timed out, then ${verdict} on a second run` : verdict,
        });
        findings.push(...found.map((line) => `${request.label}: ${line}`));
        if (timedOut)
          problems.push(
            `${request.label}: sqlmap took longer than ${targetSeconds}s${retried ? ', twice' : ''}`,
          );
        else if (!tested) problems.push(`${request.label}: sqlmap did not finish:\n${output.slice(-2000)}`);
      };
      await Promise.all(
        targetsOf(op, ids, 11).map((request, index) => inPool(() => runTarget(request, index))),
      );
      expect(findings, `sqlmap found injection points in ${op.operationId}`).toEqual([]);
      expect(problems).toEqual([]);
    },
  );
});
