import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../kernel/audit/audit.js';
import { queryRows } from '../kernel/db/types.js';
import { webDistFolder } from '../paths.js';
import { createTestApp } from '../test/app.js';
import { createPerson, factoryPassword, signIn } from '../test/factories.js';
import { toJsonText, validValue } from './arbitraries.js';
import { encodeQuery, loadOperations, urlOf, type JsonSchema, type Operation } from './openapi.js';
import { createAdmin, fullRun, knownExamples, randomAddress, report } from './support.js';

/**
 * The web suite: security headers on every API response and on the pages of the web app, the session
 * cookie's flags, no state change from any GET, and cross-site writes refused on every other operation.
 */

const publicUrl = 'https://cairn.example.org';
// PUBLIC_URL on https, as in production: HSTS is sent and the CSRF rules compare against this origin.
const t = await createTestApp({
  env: { CAIRN_RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'warn', PUBLIC_URL: publicUrl },
});
const db = t.database.db;
const operations = await loadOperations(t.app);
const examples = await knownExamples(t.app);
const admin = await createAdmin(db);
const platformAdmin = await createPerson(db, { platformRole: 'platform_admin', passkey: true });
const hasWeb = existsSync(path.join(webDistFolder, 'index.html'));
const started = Date.now();
const stats = { headerChecks: 0, gets: 0, csrf: 0 };
afterAll(async () => {
  report(
    `web: ${operations.length} operations; ${stats.headerChecks} responses checked for headers, ` +
      `${stats.gets} GET calls against a table snapshot, ${stats.csrf} cross-site write attempts; ` +
      `web app ${hasWeb ? 'built' : 'not built (pages answered by the API fallback)'}; ` +
      `${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  await t.close();
});

const ids = {
  organisation: [admin.organisationId],
  membership: [admin.membershipId],
  person: [admin.personId],
};

/** A valid-looking request for an operation, on the admin's own records (so GETs reach their handlers). */
function validRequest(op: Operation, seed: number): { url: string; payload?: string } {
  const params = Object.fromEntries(
    op.pathParams.map((p) => {
      const kind = Object.keys(ids).find((k) => p.name.toLowerCase().includes(k)) ?? 'organisation';
      return [p.name, ids[kind as keyof typeof ids][0]!];
    }),
  );
  const querySchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(op.queryParams.map((p) => [p.name, p.schema])),
    required: op.queryParams.filter((p) => p.required).map((p) => p.name),
  };
  const options = { ids: Object.values(ids).flat(), idsByKind: ids, examples };
  const query = fc.sample(validValue(querySchema, options), { numRuns: 1, seed })[0] as Record<
    string,
    unknown
  >;
  const payload = op.body?.contentType.includes('json')
    ? toJsonText(fc.sample(validValue(op.body.schema, options), { numRuns: 1, seed })[0])
    : undefined;
  return { url: urlOf(op, params, encodeQuery(query)), ...(payload !== undefined ? { payload } : {}) };
}

/** Why a response lacks a security header, or an empty list. */
function headerProblems(res: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const csp = String(res.headers['content-security-policy'] ?? '');
  const directive = (name: string) =>
    csp
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith(`${name} `)) ?? '';
  if (!csp) problems.push('no Content-Security-Policy');
  if (/unsafe-inline|unsafe-eval/.test(directive('script-src') || directive('default-src'))) {
    problems.push(`scripts allow unsafe code: ${directive('script-src')}`);
  }
  if (directive('script-src-attr') !== "script-src-attr 'none'")
    problems.push('inline event handlers allowed');
  if (directive('frame-ancestors') !== "frame-ancestors 'none'")
    problems.push('may be framed (frame-ancestors)');
  if (directive('object-src') !== "object-src 'none'") problems.push('plugins allowed (object-src)');
  if (res.headers['x-content-type-options'] !== 'nosniff')
    problems.push('no X-Content-Type-Options: nosniff');
  if (res.headers['referrer-policy'] !== 'no-referrer') problems.push('Referrer-Policy is not no-referrer');
  if (String(res.headers['x-frame-options']).toUpperCase() !== 'DENY')
    problems.push('X-Frame-Options is not DENY');
  const hsts = String(res.headers['strict-transport-security'] ?? '');
  if (!/max-age=\d{8,}/.test(hsts) || !hsts.includes('includeSubDomains')) {
    problems.push(`HSTS missing or short on an https deployment: "${hsts}"`);
  }
  if (res.headers['x-powered-by']) problems.push('X-Powered-By reveals the stack');
  for (const cookie of [res.headers['set-cookie'] ?? []].flat())
    problems.push(...cookieProblems(String(cookie)));
  return problems;
}

/** Why a Set-Cookie header is unsafe, or an empty list. */
function cookieProblems(cookie: string): string[] {
  const parts = cookie.split(';').map((p) => p.trim().toLowerCase());
  const problems: string[] = [];
  if (!cookie.startsWith('__Host-'))
    problems.push(`cookie without the __Host- prefix: ${cookie.split('=')[0]}`);
  if (!parts.includes('secure')) problems.push('cookie without Secure');
  if (!parts.includes('httponly')) problems.push('cookie without HttpOnly');
  if (!parts.some((p) => p === 'samesite=strict' || p === 'samesite=lax'))
    problems.push('cookie without SameSite');
  if (!parts.includes('path=/')) problems.push('cookie without Path=/');
  if (parts.some((p) => p.startsWith('domain='))) problems.push('cookie with a Domain');
  return problems;
}

/**
 * Reads that are audited by design append to the audit trail, and only those: an export is a read of bulk
 * data that its organisation's admins must be able to trace. Everything else a GET does must leave no mark.
 */
const auditedReads: Record<string, string[]> = {
  exportDirectory: ['directory.results_exported'],
  // Reads of case content and of what organisations share about a case are audited (issue 6).
  getThread: ['referrals.message_thread_read'],
  getReferralCase: ['cases.case_read_shared'],
  getTransferRecord: ['referrals.transfer_record_read'],
  downloadThreadAttachment: ['referrals.message_attachment_downloaded'],
  // Seeing the moderation queue shows who contributed which route: audited (journeys.service.ts).
  listRouteModeration: ['journeys.moderation_viewed'],
};

/**
 * Row count and checksum of every table (as the owner, past row-level security). The audit trail and its
 * head are left out here and checked on their own (see auditedSince).
 */
async function snapshot(): Promise<Record<string, string>> {
  return t.database.asOwner(async (owner) => {
    const tables = await queryRows<{ name: string }>(
      owner,
      sql`select tablename as name from pg_tables
          where schemaname = 'public' and tablename <> 'kernel_audit' order by tablename`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      // Reading a session refreshes its idle timer: that column may change on GET, nothing else.
      const [row] = await queryRows<{ n: number; h: string }>(
        owner,
        sql`select count(*)::int as n,
                   md5(coalesce(string_agg(x, '|' order by x), '')) as h
            from (select (to_jsonb(t) - 'last_seen_at')::text as x from ${sql.identifier(name)} t
                  where to_jsonb(t) ->> 'key' is distinct from 'audit_head') s`,
      );
      out[name] = `${row!.n} rows, ${row!.h}`;
    }
    return out;
  });
}

/** The last audit entry's id, and the actions appended after a given id. */
async function auditHead(): Promise<number> {
  const [row] = await t.database.asOwner((owner) =>
    queryRows<{ id: number | null }>(owner, sql`select max(id)::int as id from kernel_audit`),
  );
  return row?.id ?? 0;
}
async function auditedSince(id: number): Promise<string[]> {
  const rows = await t.database.asOwner((owner) =>
    queryRows<{ action: string }>(owner, sql`select action from kernel_audit where id > ${id} order by id`),
  );
  return rows.map((r) => r.action);
}

/** The tables whose snapshot differs. */
function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
}

describe('security headers', () => {
  it.each(operations)('$operationId ($method $path) answers with them', async (op) => {
    const problems: string[] = [];
    for (const cookie of [null, await admin.cookie()]) {
      const request = validRequest(op, 3);
      const res = await t.app.inject({
        method: op.method,
        url: request.url,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(request.payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        remoteAddress: randomAddress(),
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
      });
      stats.headerChecks++;
      for (const p of headerProblems(res))
        problems.push(`${cookie ? 'signed in' : 'anonymous'}: ${res.statusCode} ${p}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(['/', '/directory', '/directory/organisations/00000000-0000-4000-8000-000000000000', '/api/docs/'])(
    'the page %s answers with them',
    async (url) => {
      const res = await t.app.inject({ url, remoteAddress: randomAddress() });
      stats.headerChecks++;
      expect(headerProblems(res)).toEqual([]);
      if (url.startsWith('/api/')) return;
      if (hasWeb) {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        // The page itself carries no inline script the policy would have to allow.
        expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      } else {
        // Without a built web app the API's fallback answers, still with the headers.
        expect(res.statusCode).toBe(404);
      }
    },
  );

  it.runIf(fullRun)('the full run has the web app built (npm run build:web)', () => {
    expect(hasWeb).toBe(true);
  });

  it('are absent only where they must be: no HSTS over plain http', async () => {
    const plain = await createTestApp({ env: { LOG_LEVEL: 'warn' }, database: t.database });
    try {
      const res = await plain.app.inject({ url: '/api/health' });
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await plain.close();
    }
  });
});

describe('the session cookie', () => {
  it('is __Host-, Secure, HttpOnly and SameSite=Strict when set and when cleared', async () => {
    const person = await createPerson(db);
    const signInRes = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { email: person.email, password: factoryPassword },
      remoteAddress: randomAddress(),
    });
    expect(signInRes.statusCode).toBe(200);
    const set = [signInRes.headers['set-cookie'] ?? []].flat().map(String);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(/^__Host-cairn_session=[A-Za-z0-9_-]{43};/);
    expect(cookieProblems(set[0]!)).toEqual([]);
    expect(set[0]).toMatch(/SameSite=Strict/i);
    const cookie = set[0]!.split(';')[0]!;
    const signOut = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie } });
    expect(signOut.statusCode).toBe(204);
    const cleared = [signOut.headers['set-cookie'] ?? []].flat().map(String);
    expect(cleared).toHaveLength(1);
    expect(cookieProblems(cleared[0]!)).toEqual([]);
  });

  it('is judged strictly', () => {
    expect(cookieProblems('__Host-x=1; Path=/; HttpOnly; Secure; SameSite=Strict')).toEqual([]);
    expect(cookieProblems('x=1; Path=/; Domain=example.org')).toHaveLength(5);
  });
});

describe('GET never changes state', () => {
  it('every GET operation, as anybody, leaves every table as it was', async () => {
    const gets = operations.filter((op) => op.method === 'GET');
    expect(gets.length).toBeGreaterThan(15);
    const cookies = [null, await admin.cookie(), (await signIn(db, platformAdmin.id)).cookie];
    const before = await snapshot();
    const auditBefore = await auditHead();
    const reached = new Set<string>();
    for (const op of gets) {
      for (const seed of [1, 2, 3]) {
        for (const cookie of cookies) {
          const res = await t.app.inject({
            url: validRequest(op, seed).url,
            headers: cookie ? { cookie } : {},
            remoteAddress: randomAddress(),
          });
          stats.gets++;
          expect(res.statusCode, `${op.operationId}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
          if (res.statusCode < 300) reached.add(op.operationId);
        }
      }
    }
    const after = await snapshot();
    expect(changed(before, after).map((table) => `${table}: ${before[table]} → ${after[table]}`)).toEqual([]);
    const mayAudit = new Set(gets.flatMap((op) => auditedReads[op.operationId] ?? []));
    expect((await auditedSince(auditBefore)).filter((action) => !mayAudit.has(action))).toEqual([]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    // Most GETs really ran (not all refused at the door), so the snapshot means something.
    expect(reached.size, `GETs that answered 2xx: ${[...reached].join(', ')}`).toBeGreaterThan(
      gets.length / 2,
    );
  });

  it('would notice a change', async () => {
    const before = await snapshot();
    await createPerson(db);
    expect(changed(before, await snapshot())).toContain('identity_people');
  });

  it('allows audit entries only for operations that exist', () => {
    const ids = new Set(operations.map((op) => op.operationId));
    expect(Object.keys(auditedReads).filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe('cross-site request forgery', () => {
  const attempts: { name: string; headers: Record<string, string> }[] = [
    { name: 'Origin of another site', headers: { origin: 'https://evil.example' } },
    { name: 'Origin null (sandboxed frame)', headers: { origin: 'null' } },
    { name: 'Origin of a sibling subdomain', headers: { origin: 'https://evil.cairn.example.org' } },
    { name: 'Origin on http', headers: { origin: 'http://cairn.example.org' } },
    { name: 'Sec-Fetch-Site cross-site', headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'Sec-Fetch-Site same-site', headers: { 'sec-fetch-site': 'same-site' } },
    {
      name: 'Sec-Fetch-Site cross-site with our own Origin',
      headers: { 'sec-fetch-site': 'cross-site', origin: publicUrl },
    },
  ];

  it('every write operation refuses every cross-site attempt, and nothing changes', async () => {
    const writes = operations.filter((op) => op.method !== 'GET');
    expect(writes.length).toBeGreaterThan(20);
    // One session for every attempt, made before the snapshot: a forged request rides an existing session.
    const signedIn = await admin.cookie();
    const before = await snapshot();
    const auditBefore = await auditHead();
    const failures: string[] = [];
    for (const op of writes) {
      const request = validRequest(op, 5);
      for (const attempt of attempts) {
        // Signed in (the cookie a forged request would carry) and anonymous (login CSRF on public routes).
        for (const cookie of [signedIn, null]) {
          const res = await t.app.inject({
            method: op.method,
            url: request.url,
            headers: {
              ...attempt.headers,
              ...(cookie ? { cookie } : {}),
              ...(request.payload !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            remoteAddress: randomAddress(),
            ...(request.payload !== undefined ? { payload: request.payload } : {}),
          });
          stats.csrf++;
          const code = res.statusCode === 403 ? (res.json<{ code?: string }>().code ?? '') : '';
          if (code !== 'csrf_rejected') {
            failures.push(
              `${op.operationId} ${cookie ? 'signed in' : 'anonymous'}, ${attempt.name}: ${res.statusCode} ${res.body.slice(0, 120)}`,
            );
          }
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(changed(before, await snapshot())).toEqual([]);
    expect(await auditedSince(auditBefore)).toEqual([]);
  });

  it('lets the same requests through from the app itself (the refusal above is about the origin)', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.method !== 'GET')) {
      const request = validRequest(op, 5);
      for (const headers of [
        { 'sec-fetch-site': 'same-origin', origin: publicUrl },
        { origin: publicUrl },
        {},
      ]) {
        const res = await t.app.inject({
          method: op.method,
          url: request.url,
          headers: {
            ...headers,
            cookie: await admin.cookie(),
            ...(request.payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          remoteAddress: randomAddress(),
          ...(request.payload !== undefined ? { payload: request.payload } : {}),
        });
        if (res.statusCode === 403 && res.json<{ code?: string }>().code === 'csrf_rejected') {
          failures.push(`${op.operationId} with ${JSON.stringify(headers)} was refused as cross-site`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
