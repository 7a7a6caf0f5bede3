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
import { pdf } from '../test/attachments.js';
import {
  createMember,
  createOrganisation,
  createPerson,
  factoryPassword,
  signIn,
} from '../test/factories.js';
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

// --- referrals, transfers, messages and journeys (issue 6: "the canary scan extended to emails and
// notifications"): every free-text field of the new modules gets a marker, written through the API by the
// side that writes it. A second, unrestricted case is referred to organisation R (the one above is restricted
// to the caseworker, so the supervisor could not override consent on it). ---
/** Writes that had to succeed for the scan to mean anything (checked in the first test). */
const seedFailures: string[] = [];
async function seed(
  what: string,
  cookie: string,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
) {
  // The writer gets back what it wrote: an authorised answer (the scans look at everyone else's).
  const res = await call(what, cookie, method, url, payload, true);
  if (res.statusCode >= 300) seedFailures.push(`${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res;
}
/** Mail jobs queued so far: the new modules' notifications must add some (so the mail scan covers them). */
async function mailJobs(): Promise<number> {
  const [row] = await t.database.asOwner((owner) =>
    queryRows<{ n: number }>(
      owner,
      sql`select count(*)::int as n from kernel_jobs where name = 'kernel.send_mail'`,
    ),
  );
  return row?.n ?? 0;
}
const mailsBefore = await mailJobs();
const orgR = (await createOrganisation(db, { countries: ['KE'] })).id;
const recipientWorker = await member(orgR, 'caseworker');
const recipientSupervisor = await member(orgR, 'case_supervisor');
const referred = await seed('create referred case', worker.cookie, 'POST', '/api/cases', {
  identity: { firstName: s('ReferredFirst'), aliases: [] },
  profile: { gender: 'Feminine', citizenships: ['KE'] },
  victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
});
const referredCaseId = (referred.json<{ id: string }>() ?? {}).id;
const today = new Date().toISOString().slice(0, 10);
for (const purpose of ['Referral', 'Transfer'])
  await seed(`${purpose} consent`, worker.cookie, 'POST', `/api/cases/${referredCaseId}/consents`, {
    purpose,
    recipientOrganisationId: orgR,
    sections: ['profile'],
    givenOn: today,
  });

interface Step {
  id: string;
  version: number;
}
const referralIds: string[] = [];
/** A referral of the second case to R, sent (and so visible to R). */
async function sentReferral(cookie: string, body: Record<string, unknown>): Promise<Step> {
  const draft = await seed('create referral', cookie, 'POST', '/api/referrals', {
    caseId: referredCaseId,
    recipientOrganisationId: orgR,
    services: ['shelter'],
    sections: ['profile'],
    ...body,
  });
  const made = draft.json<Step>() ?? { id: '', version: 0 };
  referralIds.push(made.id);
  return transition(cookie, made, { to: 'sent', confirmNewPartner: true });
}
async function transition(cookie: string, referral: Step, body: Record<string, unknown>): Promise<Step> {
  const res = await seed(
    `referral → ${String(body.to)} by ${cookie === recipientWorker.cookie ? 'R' : 'A'}`,
    cookie,
    'POST',
    `/api/referrals/${referral.id}/transitions`,
    { version: referral.version, ...body },
  );
  return res.statusCode < 300 ? res.json<Step>() : referral;
}

// The supervisor shares the identity section without consent (an override, with its reason), with a note.
await stepUp(db, supervisor.sessionId);
let completed = await sentReferral(supervisor.cookie, {
  sections: ['profile', 'identity'],
  overrideSections: ['identity'],
  overrideReason: s('OverrideReason'),
  note: s('ReferralNote'),
});
completed = await transition(recipientWorker.cookie, completed, { to: 'acknowledged' });
completed = await transition(recipientWorker.cookie, completed, { to: 'accepted' });
completed = await transition(recipientWorker.cookie, completed, { to: 'in_progress' });
// The thread about it: a message and a file, both from the sender.
const thread = await seed('open referral thread', worker.cookie, 'POST', '/api/threads', {
  subjectKind: 'referral',
  subjectId: completed.id,
});
const threadId = (thread.json<{ id: string }>() ?? {}).id;
await seed('post message', worker.cookie, 'POST', `/api/threads/${threadId}/messages`, {
  text: `Please call her back, ${s('MessageText')}`,
});
const attachmentName = `${s('AttachmentName')}.pdf`;
const attachmentText = s('AttachmentText');
const attachment = await t.app.inject({
  method: 'POST',
  url: `/api/threads/${threadId}/attachments`,
  headers: {
    cookie: worker.cookie,
    'content-type': 'application/pdf',
    'x-file-name': encodeURIComponent(attachmentName),
  },
  payload: pdf({ text: attachmentText }),
  remoteAddress: randomAddress(),
});
answers.push({ what: 'post attachment', res: attachment, authorised: true });
if (attachment.statusCode !== 201)
  seedFailures.push(`post attachment: ${attachment.statusCode} ${attachment.body.slice(0, 300)}`);
const attachmentMessageId = (attachment.json<{ id: string }>() ?? {}).id;
// The referred case as R reads it (identifying sections revealed, after a step-up) while it is in progress.
await stepUp(db, recipientWorker.sessionId);
const sharedRead = await call(
  'R reads the referred case',
  recipientWorker.cookie,
  'GET',
  `/api/referrals/${completed.id}/case?reveal=true`,
  undefined,
  true,
);
completed = await transition(recipientWorker.cookie, completed, {
  to: 'completed',
  outcome: 'other',
  outcomeNote: s('OutcomeNote'),
});
// A second referral R declines, a third the sender cancels, each with a reason.
let declined = await sentReferral(worker.cookie, { note: s('DeclinedNote') });
declined = await transition(recipientWorker.cookie, declined, { to: 'acknowledged' });
declined = await transition(recipientWorker.cookie, declined, { to: 'declined', reason: s('DeclineReason') });
const cancelled = await transition(worker.cookie, await sentReferral(worker.cookie, {}), {
  to: 'cancelled',
  reason: s('CancelReason'),
});
// A transfer of the case to R with a note, which R rejects with a reason.
const transfer = await seed('request transfer', worker.cookie, 'POST', '/api/transfers', {
  caseId: referredCaseId,
  recipientOrganisationId: orgR,
  note: s('TransferNote'),
  confirmNewPartner: true,
});
const transferId = (transfer.json<{ id: string }>() ?? {}).id;
await seed('reject transfer', recipientSupervisor.cookie, 'POST', `/api/transfers/${transferId}/reject`, {
  reason: s('TransferReason'),
});
// A contributed route a moderator queries, with a note for the contributor.
const moderator = await createPerson(db, { platformRole: 'moderator', passkey: true });
const moderatorCookie = (await signIn(db, moderator.id)).cookie;
const route = await seed('contribute route', worker.cookie, 'POST', '/api/journeys/routes', {
  origin: { country: 'VN' },
  exploitation: [{ country: 'QA', borderCrossing: true, transport: 'air' }],
  year: 2024,
  exploitationTypes: ['ForcedLabour'],
  people: 3,
  genderBand: 'male',
  ageBand: 'adult',
  nationalityBand: 'asia',
});
const routeId = (route.json<{ id: string }>() ?? {}).id;
await seed('query route', moderatorCookie, 'POST', `/api/journeys/routes/${routeId}/decision`, {
  decision: 'query',
  note: s('ModerationNote'),
  version: (route.json<{ version: number }>() ?? {}).version,
});
// Bad input to the new modules carrying survivor data must not be echoed back either.
await call('too long referral note', worker.cookie, 'POST', '/api/referrals', {
  caseId: referredCaseId,
  recipientOrganisationId: orgR,
  services: ['shelter'],
  sections: ['profile'],
  note: `${s('TooLongNote')}${'x'.repeat(5_000)}`,
});
await call('too long message', worker.cookie, 'POST', `/api/threads/${threadId}/messages`, {
  text: `${s('TooLongMessage')}${'x'.repeat(50_000)}`,
});
await call('unknown field on a transfer', worker.cookie, 'POST', '/api/transfers', {
  caseId: referredCaseId,
  recipientOrganisationId: orgR,
  unexpected: s('TransferUnknown'),
});
await call('bad route decision', moderatorCookie, 'POST', `/api/journeys/routes/${routeId}/decision`, {
  decision: s('BadDecision'),
  version: 1,
});
// Notifications become mail through the jobs, as in production.
for (let round = 0; round < 5 && (await t.app.kernel.jobs.runDue()) > 0; round++) {
  // Each round may queue the next job (a notification queues its mail).
}
const mailsAfter = await mailJobs();

// The authorised reads of the new modules, by the side each text is for.
await stepUp(db, worker.sessionId);
await stepUp(db, recipientWorker.sessionId);
const referralMarkersRead = [
  await call(
    'sender reads referral',
    supervisor.cookie,
    'GET',
    `/api/referrals/${completed.id}`,
    undefined,
    true,
  ),
  await call(
    'R reads referral',
    recipientWorker.cookie,
    'GET',
    `/api/referrals/${completed.id}`,
    undefined,
    true,
  ),
  await call('sender reads declined', worker.cookie, 'GET', `/api/referrals/${declined.id}`, undefined, true),
  await call(
    'R reads cancelled',
    recipientWorker.cookie,
    'GET',
    `/api/referrals/${cancelled.id}`,
    undefined,
    true,
  ),
  await call('sender reads transfer', worker.cookie, 'GET', `/api/transfers/${transferId}`, undefined, true),
  await call('R reads thread', recipientWorker.cookie, 'GET', `/api/threads/${threadId}`, undefined, true),
  await call(
    'R downloads the file',
    recipientWorker.cookie,
    'GET',
    `/api/threads/${threadId}/messages/${attachmentMessageId}/attachment`,
    undefined,
    true,
  ),
  await call(
    'contributor reads route',
    worker.cookie,
    'GET',
    `/api/journeys/routes/${routeId}`,
    undefined,
    true,
  ),
  sharedRead,
];
/** What R (the recipient) got back: the override reason is the sender's alone. */
const recipientAnswers = answers.filter((a) => a.what.startsWith('R ') || a.what.endsWith(' by R'));
const newModuleMarkers = [
  'OverrideReason',
  'ReferralNote',
  'OutcomeNote',
  'DeclinedNote',
  'DeclineReason',
  'CancelReason',
  'TransferNote',
  'TransferReason',
  'MessageText',
  'AttachmentName',
  'AttachmentText',
  'ModerationNote',
  'ReferredFirst',
].map((label) => `Cnry${label}${nonce}`);

// --- organisation B, and nobody: exports and every public endpoint ---
const adminB = await member((await createOrganisation(db)).id, 'org_admin');
// B's case supervisor passes the referrals and threads role gates: A's records must still not exist for them.
const supervisorB = await member(adminB.organisationId, 'case_supervisor');
await call('directory export by B', adminB.cookie, 'GET', '/api/directory/export?format=csv');
const operations = await loadOperations(t.app);
const publicGets = operations.filter(
  (op) => op.method === 'GET' && op.isPublic && op.pathParams.length === 0,
);
for (const op of publicGets) await call(`public ${op.operationId}`, null, 'GET', urlOf(op, {}));
for (const op of operations.filter((o) => o.method === 'GET' && o.pathParams.length > 0)) {
  // A's ids where the path names them; `id` is a journey route's under /journeys, else the organisation's.
  const idOf: Record<string, string> = {
    caseId,
    referralId: completed.id,
    transferId,
    threadId,
    messageId: attachmentMessageId,
    id: op.path.includes('/journeys/') ? routeId : orgA,
  };
  const params = Object.fromEntries(op.pathParams.map((p) => [p.name, idOf[p.name] ?? orgA]));
  await call(`anonymous ${op.operationId}`, null, 'GET', urlOf(op, params));
  await call(`B ${op.operationId}`, adminB.cookie, 'GET', urlOf(op, params));
  await call(`B's supervisor ${op.operationId}`, supervisorB.cookie, 'GET', urlOf(op, params));
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

  it('were written into referrals, transfers, messages and journeys, and their readers get them back', () => {
    expect(seedFailures).toEqual([]);
    const readable = referralMarkersRead
      .map((res) => `${res.statusCode} ${res.body}`)
      .join('\n')
      .toLowerCase();
    expect(newModuleMarkers.filter((value) => !readable.includes(value.toLowerCase()))).toEqual([]);
    // The override reason is the sender's: the recipient never gets it, in any answer.
    expect(recipientAnswers.length).toBeGreaterThanOrEqual(8);
    const override = `CnryOverrideReason${nonce}`.toLowerCase();
    expect(
      recipientAnswers.filter((a) => a.res.body.toLowerCase().includes(override)).map((a) => a.what),
    ).toEqual([]);
    // The hostile writes were refused (their error bodies are scanned below).
    const hostile = [
      'too long referral note',
      'too long message',
      'unknown field on a transfer',
      'bad route decision',
    ];
    expect(
      answers
        .filter((a) => hostile.includes(a.what))
        .map(
          (a) => `${a.what} ${a.res.statusCode >= 400 && a.res.statusCode < 500 ? '4xx' : a.res.statusCode}`,
        ),
    ).toEqual(hostile.map((what) => `${what} 4xx`));
    // Their notifications were mailed (so the mail scan below covers them).
    expect(mailsAfter).toBeGreaterThan(mailsBefore);
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
