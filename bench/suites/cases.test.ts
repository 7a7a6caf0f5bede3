import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupValue } from '../../server/modules/cases/cases.crypto.js';
import { checkTables } from '../../server/modules/cases/cases.htcds.js';
import { readImportFile } from '../../server/modules/cases/cases.htcds.files.js';
import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { Cleanup } from '../lib/cleanup.js';
import type { BenchContext } from '../lib/context.js';
import type { LoadResult } from '../lib/load.js';
import type { Service } from '../lib/service.js';
import {
  benchSessionToken,
  organisationOfCase,
  planCaseOrganisations,
  type CasePlan,
} from '../scale/cases.js';
import { createRng } from '../scale/prng.js';
import { presets } from '../scale/presets.js';
import {
  caseNumbered,
  casesRows,
  dashboardRequests,
  openCaseRequests,
  pickCaseNumbers,
  runCaseRequests,
  totalCases,
} from './cases.js';
import { htcdsImportFile } from './cases-import.js';

const masterKey = randomBytes(32);
const plan: CasePlan = {
  seed: 4,
  asOf: '2026-12-01',
  organisations: planCaseOrganisations(4, 3_000, 5),
};

const load = (rps: number, p50: number): LoadResult => ({
  requestsPerSecond: rps,
  latencyP50Ms: p50,
  latencyP99Ms: p50 * 3,
  latencyMeanMs: p50,
  totalRequests: rps * 5,
  errors: 0,
  non2xx: 0,
  durationSeconds: 5,
});

describe('cases suite: requests', () => {
  it('picks distinct cases evenly, never those it is told to skip', () => {
    const rng = createRng(1);
    const warmup = pickCaseNumbers(3_000, 200, rng);
    const measured = pickCaseNumbers(3_000, 2_000, rng, new Set(warmup));
    expect(new Set(warmup).size).toBe(200);
    expect(new Set(measured).size).toBe(2_000);
    expect(measured.some((n) => warmup.includes(n))).toBe(false);
    // Asking for more than there is gives all that is left.
    expect(pickCaseNumbers(100, 500, rng, new Set([1, 2])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i).filter((n) => n !== 1 && n !== 2),
    );
    expect(pickCaseNumbers(3_000, 50, createRng(9))).toEqual(pickCaseNumbers(3_000, 50, createRng(9)));
  });

  it('opens each case as someone of its organisation who may, with their own session cookie', () => {
    const numbers = pickCaseNumbers(totalCases(plan), 400, createRng(2));
    const requests = openCaseRequests(plan, masterKey, numbers, createRng(3));
    expect(requests).toHaveLength(400);
    const cookies = new Set<string>();
    requests.forEach((request, i) => {
      const c = caseNumbered(plan, numbers[i]!);
      const organisation = organisationOfCase(plan.organisations, c.number);
      expect(request.path).toBe(`/api/cases/${c.id}?reveal=true`);
      expect(request.expect).toContain(`"id":"${c.id}"`);
      const allowed = c.restricted
        ? c.restrictedTo.filter((s) => s.role === 'caseworker')
        : [...organisation.supervisors, ...c.assignees];
      expect(
        allowed.map((s) => `${sessionCookie}=${benchSessionToken(masterKey, s.personId)}`),
        c.id,
      ).toContain(request.cookie);
      cookies.add(request.cookie);
    });
    // Many people, both roles.
    expect(cookies.size).toBeGreaterThan(20);
    const supervisors = new Set(
      plan.organisations.flatMap((o) =>
        o.supervisors.map((s) => `${sessionCookie}=${benchSessionToken(masterKey, s.personId)}`),
      ),
    );
    expect(requests.some((r) => supervisors.has(r.cookie))).toBe(true);
    expect(requests.some((r) => !supervisors.has(r.cookie))).toBe(true);
  });

  it('asks for the dashboard as every caseworker', () => {
    const requests = dashboardRequests(plan, masterKey);
    const caseworkers = plan.organisations.reduce((n, o) => n + o.caseworkers.length, 0);
    expect(requests).toHaveLength(caseworkers);
    expect(new Set(requests.map((r) => r.cookie)).size).toBe(caseworkers);
    expect(presets.large).toMatchObject({ cases: 1_000_000, caseOrganisations: 500 });
  });
});

describe('cases suite: the import file', () => {
  it('is a clean HTCDS cases table the import reads without a problem, sharing nothing with existing cases', async () => {
    const organisation = plan.organisations[0]!;
    const file = htcdsImportFile(plan, organisation, 400);
    expect(file.cases).toBe(400);
    expect(file.body.toString('utf8')).toMatch(/^\ufeff_case_key,prs_Salutation,prs_FirstName,/);
    const checked = checkTables(await readImportFile(file.body, 'csv'), { incomplete: 'refuse' });
    expect(checked.issues).toEqual([]);
    expect(checked.total).toBe(400);
    expect(new Set(checked.cases.map((c) => c.key)).size).toBe(400);
    // The duplicate check would find none of them among the organisation's cases.
    const existing = new Set(
      Array.from({ length: organisation.caseCount }, (_, k) =>
        caseNumbered(plan, organisation.firstCase + k),
      ).flatMap((c) => c.lookups.map((l) => l.indexed)),
    );
    const imported = checked.cases.flatMap((c) => [...(c.documents ?? []).map((d) => d.number)]);
    expect(imported.length).toBeGreaterThan(100);
    expect(imported.some((number) => existing.has(lookupValue('document', number)))).toBe(false);
  });
});

describe('cases suite: the load worker', () => {
  let server: Server;
  const seen: { path: string; cookie: string }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', cookie: request.headers.cookie ?? '' });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: request.url?.slice(1), revealed: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends every request with its own cookie and counts answers missing what they must contain', async () => {
    const cleanup = new Cleanup();
    const context = {
      options: { connections: 2, durationSeconds: 1, warmupSeconds: 0 },
      cleanup,
      log: () => undefined,
    } as unknown as BenchContext;
    const { port } = server.address() as AddressInfo;
    // The server is this test's own process: its CPU over the run is this process's.
    const service = { baseUrl: `http://127.0.0.1:${port}`, pid: process.pid } as Service;
    const { result, check, cpu } = await runCaseRequests(
      context,
      service,
      [
        { path: '/a', cookie: 's=alpha', expect: ['"id":"a"', '"revealed":true'] },
        { path: '/b', cookie: 's=beta', expect: ['"id":"b"'] },
        // Wrong on purpose: this answer does not contain it.
        { path: '/c', cookie: 's=gamma', expect: ['"id":"not-c"'] },
      ],
      1,
    );
    await cleanup.runAll();
    expect(result.totalRequests).toBeGreaterThan(30);
    expect(result.errors + result.non2xx).toBe(0);
    expect(check.checked).toBeGreaterThan(30);
    // About a third of the answers were to /c.
    expect(check.unverified).toBeGreaterThan(check.checked / 5);
    expect(check.unverified).toBeLessThan(check.checked / 2);
    expect(check.firstUnverified).toBe('/c');
    // Where the CPU went over the run: the server answered every request, the worker sent them.
    expect(cpu?.serverMs).toBeGreaterThan(0);
    expect(cpu?.loadMs).toBeGreaterThan(0);
    expect(cpu?.machineMs).toBeGreaterThanOrEqual((cpu?.serverMs ?? 0) + (cpu?.loadMs ?? 0) - 50);
    expect(cpu?.wallMs).toBeGreaterThanOrEqual(900);
    const pairs = new Set(seen.map((s) => `${s.path} ${s.cookie}`));
    expect(pairs).toEqual(new Set(['/a s=alpha', '/b s=beta', '/c s=gamma']));
  }, 30_000);
});

describe('cases suite: rows', () => {
  it('puts the issue’s budgets on the medians and requires every answer to be verified', () => {
    const rows = casesRows({
      indexed: load(8_000, 2),
      open: load(800, 20),
      openCheck: { checked: 4_000, unverified: 0, firstUnverified: null },
      sequentialOpenMs: [10, 12, 14],
      spotChecksFailed: 0,
      dashboard: load(400, 60),
      dashboardCheck: { checked: 2_000, unverified: 3, firstUnverified: '/api/cases/dashboard' },
      dashboardDue: [4, 8, 9],
      caseloads: { open: [30, 45, 60], due: [5, 7, 9] },
      cases: 1_000_000,
      organisations: 500,
      generationSeconds: 600,
      importTiming: {
        dryRunSeconds: 12,
        commitSeconds: 40,
        cases: 10_000,
        created: 10_000,
        problem: null,
      },
    });
    const row = (metric: string) => rows.find((r) => r.metric === metric);
    expect(row('cases_open_p50_ms')).toMatchObject({ value: 20, target: '<= 25', baseline: 2, ratio: 10 });
    expect(row('cases_open_vs_indexed_query_ratio')).toMatchObject({ value: 0.1 });
    expect(row('cases_dashboard_p50_ms')).toMatchObject({ value: 60, target: '<= 50' });
    expect(row('cases_dashboard_unverified_responses')).toMatchObject({ value: 3, target: '== 0' });
    expect(row('cases_open_sequential_p50_ms')).toMatchObject({ value: 12 });
    expect(row('cases_caseworker_open_cases_median')).toMatchObject({ value: 45 });
    expect(row('cases_generation_ms_per_1000')).toMatchObject({ value: 600 });
    expect(row('cases_import_total_s')).toMatchObject({ value: 52, target: '<= 60' });
    expect(row('cases_import_created')).toMatchObject({ value: 10_000, target: '== 10000' });
  });

  it('reports no import row when Cairn has no import route, and misses when the import failed', () => {
    const base = {
      indexed: load(8_000, 2),
      open: load(800, 20),
      openCheck: { checked: 1, unverified: 0, firstUnverified: null },
      sequentialOpenMs: [10],
      spotChecksFailed: 0,
      dashboard: load(400, 40),
      dashboardCheck: { checked: 1, unverified: 0, firstUnverified: null },
      dashboardDue: [4],
      caseloads: { open: [45], due: [5] },
      cases: 5_000,
      organisations: 20,
      generationSeconds: 6,
    };
    const none = casesRows({
      ...base,
      importTiming: {
        dryRunSeconds: null,
        commitSeconds: null,
        cases: 10_000,
        created: 0,
        problem: 'no import route',
      },
    });
    expect(none.some((r) => r.metric.includes('import'))).toBe(false);
    const failed = casesRows({
      ...base,
      importTiming: {
        dryRunSeconds: 3,
        commitSeconds: null,
        cases: 10_000,
        created: 0,
        problem: 'dry run answered 400',
      },
    });
    expect(failed.find((r) => r.metric === 'cases_import_created')).toMatchObject({
      value: 0,
      target: '== 10000',
    });
  });
});
