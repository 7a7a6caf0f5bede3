import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '../kernel/db/types.js';
import { sendFollowUpReminders } from '../modules/cases/cases.notifications.js';
import { createTestApp } from '../test/app.js';
import { stepUp } from '../test/cases.js';
import { createProfile } from '../test/directory.js';
import { createMember, createOrganisation, factoryPassword, signIn } from '../test/factories.js';
import { loadOperations, urlOf } from './openapi.js';
import { randomAddress, report } from './support.js';

/**
 * The canary suite: a unique marker in every sensitive field of every module, written through the real API,
 * then a scan of everything the data could leak into — the raw tables, the logs, the mail, error bodies,
 * exports and every public endpoint. A marker found anywhere but an authorised answer is a leak.
 *
 * Classes: `survivor` — identifying case data: sealed at rest, so never in a raw table; `secret` — passwords
 * and the like: hashed, so never anywhere; `operational` — partners-only directory fields: stored as they are,
 * but never in logs, mail, errors or public answers.
 */
type MarkerClass = 'survivor' | 'secret' | 'operational';

const nonce = randomBytes(5).toString('hex');
const markers = new Map<string, MarkerClass>();
const mark = (cls: MarkerClass, label: string) => {
  const value = `Cnry${label}${nonce}`;
  markers.set(value, cls);
  return value;
};

const t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '1000000' } });
const db = t.database.db;
afterAll(() => t.close());

/** Every answer the suite received, with whether it was meant to carry A's data (an authorised read). */
const answers: { what: string; res: LightMyRequestResponse; authorised: boolean }[] = [];

async function call(
  what: string,
  cookie: string | null,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
  authorised = false,
) {
  const res = await t.app.inject({
    method,
    url,
    headers: cookie ? { cookie } : {},
    remoteAddress: randomAddress(),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
  answers.push({ what, res, authorised });
  return res;
}

async function member(organisationId: string, role: 'caseworker' | 'case_supervisor' | 'org_admin') {
  const m = await createMember(db, { role, organisationId });
  const session = await signIn(db, m.personId, { membershipId: m.membership.id });
  return { ...m, cookie: session.cookie, sessionId: session.sessionId };
}

function hits(text: string, classes: readonly MarkerClass[]): string[] {
  const lower = text.toLowerCase();
  return [...markers]
    .filter(([value, cls]) => classes.includes(cls) && lower.includes(value.toLowerCase()))
    .map(([value, cls]) => `${cls} ${value}`);
}

// --- organisation A: people, a profile with partners-only fields, a case with a marker in every field ---
const orgA = (await createOrganisation(db)).id;
const worker = await member(orgA, 'caseworker');
const supervisor = await member(orgA, 'case_supervisor');
const otherSupervisor = await member(orgA, 'case_supervisor');

const newPassword = mark('secret', 'Password');
const passwordChange = await call('change password', worker.cookie, 'POST', '/api/auth/password', {
  currentPassword: factoryPassword,
  newPassword: `${newPassword} long enough`,
});
markers.delete(newPassword);
markers.set(`${newPassword} long enough`, 'secret');

await createProfile(db, {
  organisationId: orgA,
  organisation: { countries: ['KE'] },
  profile: {
    hotlines: [{ channel: 'phone', number: mark('operational', 'Hotline') }],
    visibility: { hotlines: 'partners' },
    services: ['shelter'],
    listed: true,
  },
});

const s = (label: string) => mark('survivor', label);
const created = await call('create case', worker.cookie, 'POST', '/api/cases', {
  identity: {
    salutation: s('Salutation'),
    title: s('Title'),
    firstName: s('First'),
    middleName: s('Middle'),
    secondName: s('Family'),
    aliases: [s('Alias')],
    birthDate: '2001-04-05',
  },
  contact: {
    email: `${s('Email').toLowerCase()}@example.org`,
    homePhone: s('HomePhone'),
    mobilePhone: s('Mobile'),
    street: s('Street'),
    city: s('City'),
    state: s('State'),
    postalCode: s('Postal').slice(0, 20),
  },
  documents: [{ type: 'Passport', number: s('Passport') }],
  narrative: { account: s('Account'), detailsOfVulnerabilities: s('Vulnerabilities') },
  profile: { gender: 'Feminine', citizenships: ['KE'] },
  victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
});
// The postal code is cut to its 20-character limit: the marker is what was stored.
for (const [value] of markers) if (value.startsWith('CnryPostal')) markers.delete(value);
markers.set(s('Postal').slice(0, 20), 'survivor');
markers.set(
  `${[...markers.keys()].find((k) => k.startsWith('CnryEmail'))!.toLowerCase()}@example.org`,
  'survivor',
);
const caseId = (created.json<{ id: string }>() ?? {}).id;
const caseUrl = `/api/cases/${caseId}`;

const entries = [
  {
    kind: 'perpetrator',
    roles: ['Exploiter'],
    name: s('Perpetrator'),
    aliases: [s('PerpAlias')],
    phone: s('PerpPhone'),
    roleDetails: s('RoleDetails'),
  },
  {
    kind: 'event',
    type: 'Exploitation',
    country: 'KE',
    street: s('EventStreet'),
    description: s('EventDescription'),
  },
  {
    kind: 'supportPlan',
    type: 'Legal',
    objectives: s('Objectives'),
    actionPlan: s('ActionPlan'),
    outcome: s('Outcome'),
  },
  { kind: 'followUp', dueOn: '2020-01-01', note: s('FollowUpNote') },
  { kind: 'comment', body: s('Comment') },
];
for (const entry of entries)
  await call(`add ${entry.kind}`, worker.cookie, 'POST', `${caseUrl}/entries`, entry);
await call('consent', worker.cookie, 'POST', `${caseUrl}/consents`, {
  purpose: 'Care',
  sections: ['profile'],
  givenOn: '2026-01-02',
  note: s('ConsentNote'),
});
await call('duplicate check', worker.cookie, 'POST', '/api/cases/duplicate-checks', {
  documentNumbers: [s('LookedUpDocument')],
});
await call('restrict', supervisor.cookie, 'PUT', `${caseUrl}/restriction`, {
  restricted: true,
  membershipIds: [worker.membership.id],
});
await stepUp(db, otherSupervisor.sessionId);
await call('break glass', otherSupervisor.cookie, 'POST', `${caseUrl}/break-glass`, {
  reason: `Emergency at night, ${s('BreakGlassReason')}`,
});
await call('closure request', worker.cookie, 'POST', `${caseUrl}/closure-request`, {
  status: 'Closed',
  reason: s('ClosureReason'),
});
await sendFollowUpReminders(t.app.kernel);

// Bad input carrying survivor data must not be echoed back in the error.
await call('too long', worker.cookie, 'PATCH', caseUrl, {
  version: 1,
  identity: { firstName: `${s('TooLong')}${'x'.repeat(200)}`, aliases: [] },
});
await call('bad picklist', worker.cookie, 'POST', '/api/cases', {
  profile: { gender: s('BadGender'), citizenships: [] },
  victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
});
await call('bad country', worker.cookie, 'POST', '/api/cases', {
  draft: true,
  contact: { country: s('BadCountry') },
});
// An unknown field is named in the error (it is the client's field name, never data); its value is not echoed.
await call('unknown field', worker.cookie, 'POST', '/api/cases', {
  draft: true,
  unexpected: s('UnknownValue'),
});
await call('bad entry', worker.cookie, 'POST', `${caseUrl}/entries`, {
  kind: 'comment',
  body: 42,
  note: s('BadEntry'),
});

// --- organisation B, and nobody: exports and every public endpoint ---
const adminB = await member((await createOrganisation(db)).id, 'org_admin');
await call('directory export by B', adminB.cookie, 'GET', '/api/directory/export?format=csv');
const operations = await loadOperations(t.app);
const publicGets = operations.filter(
  (op) => op.method === 'GET' && op.isPublic && op.pathParams.length === 0,
);
for (const op of publicGets) await call(`public ${op.operationId}`, null, 'GET', urlOf(op, {}));
for (const op of operations.filter((o) => o.method === 'GET' && o.pathParams.length > 0)) {
  const params = Object.fromEntries(op.pathParams.map((p) => [p.name, p.name === 'caseId' ? caseId : orgA]));
  await call(`anonymous ${op.operationId}`, null, 'GET', urlOf(op, params));
  await call(`B ${op.operationId}`, adminB.cookie, 'GET', urlOf(op, params));
}

// The authorised read: the caseworker, stepped up, sees every marker (so the scan below is not vacuous).
await stepUp(db, worker.sessionId);
const revealed = await call(
  'authorised reveal',
  worker.cookie,
  'GET',
  `${caseUrl}?reveal=true`,
  undefined,
  true,
);

// An export with the identifying sections: the archive is encrypted under the exporter's password, so its bytes
// carry no marker (nor the password), and the password reaches no table, log or answer.
const exportPassword = mark('secret', 'ExportPassword');
const exported = await t.app.inject({
  method: 'POST',
  url: `${caseUrl}/export`,
  headers: { cookie: worker.cookie },
  remoteAddress: randomAddress(),
  payload: { format: 'json', includeIdentifying: true, password: exportPassword },
});
answers.push({ what: 'case export (encrypted archive)', res: exported, authorised: false });

describe('canaries', () => {
  it('were written through the API and come back to the authorised reader', () => {
    expect(passwordChange.statusCode, passwordChange.body).toBeLessThan(300);
    expect(created.statusCode, created.body).toBe(201);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(exported.statusCode, exported.body.slice(0, 200)).toBe(200);
    expect(exported.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(hits(exported.rawPayload.toString('latin1'), ['survivor', 'secret', 'operational'])).toEqual([]);
    const survivorMarkers = [...markers].filter(([, cls]) => cls === 'survivor').map(([value]) => value);
    const inAnswer = survivorMarkers.filter((value) =>
      revealed.body.toLowerCase().includes(value.toLowerCase()),
    );
    // Everything stored in the case file itself (not the break-glass or closure reasons, the failed writes or
    // the duplicate check, which are never shown back or never stored).
    expect(inAnswer.length).toBeGreaterThanOrEqual(25);
    report(`canary: ${markers.size} markers, ${answers.length} answers`);
  });

  it('are in no raw table, except partners-only fields where they belong', async () => {
    const tables = await t.database.asOwner((owner) =>
      queryRows<{ name: string }>(
        owner,
        sql`select table_name as name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
      ),
    );
    expect(tables.length).toBeGreaterThan(20);
    const found: string[] = [];
    let bytes = 0;
    for (const { name } of tables) {
      const rows = await t.database.asOwner((owner) =>
        queryRows<{ row: string }>(owner, sql`select t::text as row from ${sql.identifier(name)} t`),
      );
      const text = rows.map((r) => r.row).join('\n');
      bytes += text.length;
      for (const hit of hits(text, ['survivor', 'secret'])) found.push(`${name}: ${hit}`);
    }
    report(`canary: scanned ${tables.length} tables, ${bytes} characters`);
    expect(found).toEqual([]);
  });

  it('are in no log line', () => {
    expect(t.rawLogs().length).toBeGreaterThan(1000);
    expect(hits(t.rawLogs(), ['survivor', 'secret', 'operational'])).toEqual([]);
  });

  it('are in no mail, queued or written', async () => {
    const queued = await t.database.asOwner((owner) =>
      queryRows<{ payload: unknown }>(
        owner,
        sql`select payload from kernel_jobs where name = 'kernel.send_mail'`,
      ),
    );
    expect(queued.length).toBeGreaterThanOrEqual(2);
    const outbox = path.join(t.config.dataDir, 'outbox');
    const files = await readdir(outbox).catch(() => [] as string[]);
    const written = await Promise.all(files.map((file) => readFile(path.join(outbox, file), 'utf8')));
    expect(hits(JSON.stringify(queued) + written.join('\n'), ['survivor', 'secret', 'operational'])).toEqual(
      [],
    );
  });

  it('are in no error body, export or answer to anyone but the authorised reader', () => {
    const errors = answers.filter((a) => a.res.statusCode >= 400);
    expect(errors.length).toBeGreaterThanOrEqual(5);
    const found = answers
      .filter((a) => !a.authorised)
      .flatMap((a) =>
        hits(a.res.body, ['survivor', 'secret', 'operational']).map(
          (hit) => `${a.what} (${a.res.statusCode}): ${hit}`,
        ),
      );
    expect(found).toEqual([]);
  });
});
