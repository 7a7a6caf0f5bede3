import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { identityPasskeys } from '../modules/identity/identity.tables.js';
import { createTestApp } from '../test/app.js';
import { pdf } from '../test/attachments.js';
import { createProfile } from '../test/directory.js';
import { createMember, createOrganisation, createPerson, signIn } from '../test/factories.js';
import { freeTextPaths, toJsonText, validValue, withLeaf } from './arbitraries.js';
import { encodeQuery, loadOperations, urlOf, type JsonSchema, type Operation } from './openapi.js';
import { knownExamples, randomAddress, report } from './support.js';

/**
 * Unauthorised access: organisation A's data is seeded through the factories and the real APIs, with a
 * marker string in every field; then every operation in the OpenAPI document is called by organisation B's
 * admin and by nobody, with A's ids in every path parameter, id field and search box. No answer may carry
 * A's data except where the explicit allow-list below says the data is meant for that caller.
 */

/**
 * How far a marker may travel. `public`: anyone (A is listed in the public directory). `members`: signed-in
 * members of any organisation (profile fields at "members" visibility). `people`: signed-in members, through
 * the people directory (a published professional profile). `secret`: nobody outside A, ever.
 */
type MarkerClass = 'public' | 'members' | 'people' | 'secret';
type Caller = 'other_admin' | 'other_supervisor' | 'anonymous';

/**
 * ALLOW-LIST: the operations whose policy is public (or open to any member) AND whose data is meant for
 * that caller, with the classes of A's data each caller may receive. Everything else must show a stranger
 * nothing of A. Keep each entry justified: a new entry is a decision about who sees what.
 */
const allowed: Record<string, Partial<Record<Caller, MarkerClass[]>>> = {
  // A's directory profile: public fields to anyone, members' fields to any member (B); never partners'.
  getProfile: { anonymous: ['public'], other_admin: ['public', 'members'] },
  // Search, the map and the export show the same fields as the profile, by the same rule.
  searchDirectory: { anonymous: ['public'], other_admin: ['public', 'members'] },
  directoryMap: { anonymous: ['public'], other_admin: ['public', 'members'] },
  exportDirectory: { other_admin: ['public', 'members'] },
  // Find support ranks organisations (A among them) by their public facts.
  matchSupport: { other_admin: ['public'] },
  // The people directory: a published professional is visible to members, with their organisation's name.
  searchPeople: { other_admin: ['people', 'public'] },
  getPersonProfile: { other_admin: ['people', 'public'] },
  // B may write to A's published professional; the answer names the recipient (as the profile does).
  sendContactMessage: { other_admin: ['people', 'public'] },
};

const nonce = randomBytes(4).toString('hex');
const mark = (label: string) => `${label}-${nonce}`;

const t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'warn' } });
const db = t.database.db;
const operations = await loadOperations(t.app);
const examples = await knownExamples(t.app);
const opById = new Map(operations.map((op) => [op.operationId, op]));

/** Every marker of A's data with its class; ids are markers too. */
const markers = new Map<string, MarkerClass>();
/** A's ids by kind, matched against parameter and field names (`organisationId` → organisation). */
const idsByKind: Record<string, string[]> = {};
const addId = (kind: string, id: string, cls: MarkerClass = 'secret') => {
  (idsByKind[kind] ??= []).push(id);
  markers.set(id, cls);
};
const seeded: string[] = [];

/** Calls the API as someone (a cookie) and insists it worked: seeding must not fail silently. */
async function seedCall(
  operationId: string,
  cookie: string,
  params: Record<string, string>,
  payload?: unknown,
) {
  const op = opById.get(operationId);
  if (!op) return null;
  const res = await t.app.inject({
    method: op.method,
    url: urlOf(op, params),
    headers: { cookie },
    remoteAddress: randomAddress(),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  if (res.statusCode >= 300)
    throw new Error(`seeding with ${operationId} failed: ${res.statusCode} ${res.body}`);
  seeded.push(operationId);
  return res.body ? (JSON.parse(res.body) as Record<string, unknown>) : null;
}

// --- organisation A, with a marker in every field ---
const orgName = mark('Canary Org A');
const orgA = await createOrganisation(db, { name: orgName, countries: ['KE'] });
addId('organisation', orgA.id, 'public');
markers.set(orgName, 'public');
const nairobi = (
  await t.app.inject({
    url: '/api/directory/places?q=Nairobi&country=KE&limit=1',
    remoteAddress: randomAddress(),
  })
).json<{ id: number }[]>()[0];
await createProfile(db, {
  organisationId: orgA.id,
  organisation: { countries: ['KE'] },
  profile: {
    otherNames: [mark('PUBLIC-othername')],
    descriptions: [{ language: 'en', short: mark('PUBLIC-description') }],
    networks: [mark('MEMBERS-network')],
    contacts: [{ label: mark('MEMBERS-contact'), email: `members-contact-${nonce}@cairn.test` }],
    offices: nairobi
      ? [{ label: mark('MEMBERS-office'), placeId: nairobi.id, street: mark('MEMBERS-street') }]
      : [],
    hotlines: [{ channel: 'phone', number: mark('PARTNERS-hotline') }],
    visibility: { hotlines: 'partners' },
    services: ['shelter'],
    listed: true,
  },
});
for (const label of ['PUBLIC-othername', 'PUBLIC-description']) markers.set(mark(label), 'public');
for (const label of ['MEMBERS-network', 'MEMBERS-contact', 'MEMBERS-office', 'MEMBERS-street']) {
  markers.set(mark(label), 'members');
}
markers.set(`members-contact-${nonce}@cairn.test`, 'members');
markers.set(mark('PARTNERS-hotline'), 'secret');

// --- A's people: every name, address and id is secret unless published in the people directory ---
async function personOfA(label: string, role: 'org_admin' | 'caseworker' | 'member') {
  const email = `${label.toLowerCase()}-${nonce}@cairn.test`;
  const person = await createPerson(db, { email, displayName: mark(label), passkey: role !== 'member' });
  const { membership } = await createMember(db, { role, organisationId: orgA.id, personId: person.id });
  const session = await signIn(db, person.id, { membershipId: membership.id });
  markers.set(email, 'secret');
  markers.set(mark(label), 'secret');
  addId('person', person.id);
  addId('membership', membership.id);
  addId('session', session.sessionId);
  markers.set(session.cookie.split('=')[1]!, 'secret');
  return { person, membership, cookie: session.cookie };
}
const adminA = await personOfA('SECRET-admin', 'org_admin');
const caseworkerA = await personOfA('PEOPLE-caseworker', 'caseworker');
const memberA = await personOfA('SECRET-member', 'member');
// The caseworker publishes a professional profile: their name and id are then "people" data.
markers.set(mark('PEOPLE-caseworker'), 'people');
markers.set(caseworkerA.person.id, 'people');
await seedCall(
  'saveMyPersonProfile',
  caseworkerA.cookie,
  {},
  {
    published: true,
    jobTitle: mark('PEOPLE-jobtitle'),
    bio: mark('PEOPLE-bio'),
  },
);
markers.set(mark('PEOPLE-jobtitle'), 'people');
markers.set(mark('PEOPLE-bio'), 'people');
// The member keeps an unpublished profile: secret.
await seedCall(
  'saveMyPersonProfile',
  memberA.cookie,
  {},
  { published: false, jobTitle: mark('SECRET-jobtitle') },
);
markers.set(mark('SECRET-jobtitle'), 'secret');
for (const row of await t.database.asOwner((owner) =>
  owner
    .select({ id: identityPasskeys.id })
    .from(identityPasskeys)
    .where(eq(identityPasskeys.personId, adminA.person.id)),
)) {
  addId('passkey', row.id);
}

// --- A's invitations, messages, support requests ---
const invitation = await seedCall(
  'inviteMember',
  adminA.cookie,
  { id: orgA.id },
  {
    email: `secret-invitee-${nonce}@cairn.test`,
    role: 'member',
  },
);
if (invitation) addId('invitation', String(invitation.id));
markers.set(`secret-invitee-${nonce}@cairn.test`, 'secret');
const message = await seedCall(
  'sendContactMessage',
  memberA.cookie,
  { personId: caseworkerA.person.id },
  {
    body: mark('SECRET-message'),
  },
);
if (message) addId('message', String(message.id));
markers.set(mark('SECRET-message'), 'secret');
// A asks organisation C (not B) for support: B must not see the request.
const orgC = await createProfile(db, {
  organisation: { countries: ['KE'] },
  profile: { services: ['shelter'] },
});
const supportRequest = await seedCall(
  'createSupportRequest',
  caseworkerA.cookie,
  {},
  {
    need: {
      country: 'KE',
      services: ['shelter'],
      gender: 'female',
      ageBand: '18_24',
      urgency: 'within_days',
    },
    recipientOrganisationIds: [orgC.organisationId],
  },
);
if (supportRequest) addId('request', String(supportRequest.id));

// --- A's case file: every identifying field, entry and consent carries a secret marker ---
const secret = (label: string) => {
  markers.set(mark(label), 'secret');
  return mark(label);
};
const caseFile = await seedCall(
  'createCaseFile',
  caseworkerA.cookie,
  {},
  {
    identity: {
      firstName: secret('SECRET-first'),
      secondName: secret('SECRET-family'),
      aliases: [secret('SECRET-alias')],
    },
    contact: { mobilePhone: secret('SECRET-phone'), city: secret('SECRET-city') },
    documents: [{ type: 'Passport', number: secret('SECRET-passport') }],
    narrative: { account: secret('SECRET-account') },
    profile: { gender: 'Feminine', citizenships: ['KE'] },
    victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
  },
);
if (caseFile) {
  const caseId = String(caseFile.id);
  addId('case', caseId);
  markers.set(String(caseFile.reference), 'secret');
  const entry = await seedCall(
    'addCaseEntry',
    caseworkerA.cookie,
    { caseId },
    { kind: 'comment', body: secret('SECRET-comment') },
  );
  if (entry) addId('entry', String(entry.id));
  const plan = await seedCall(
    'addCaseEntry',
    caseworkerA.cookie,
    { caseId },
    { kind: 'supportPlan', type: 'Legal', objectives: secret('SECRET-objectives') },
  );
  if (plan) addId('entry', String(plan.id));
  const consent = await seedCall(
    'recordCaseConsent',
    caseworkerA.cookie,
    { caseId },
    { purpose: 'Care', sections: ['profile'], givenOn: '2026-01-02', note: secret('SECRET-consent-note') },
  );
  if (consent) addId('consent', String(consent.id));
}

// --- A's referral, transfer, thread and journey routes: A works with organisation C (never B) ---
const workerC = await createMember(db, { role: 'caseworker', organisationId: orgC.organisationId });
const cookieC = (await signIn(db, workerC.personId, { membershipId: workerC.membership.id })).cookie;
const moderator = await createPerson(db, { platformRole: 'moderator', passkey: true });
const moderatorCookie = (await signIn(db, moderator.id)).cookie;
/** A's thread and the message carrying its file, for the check that A reads them back. */
let threadOfA: string | undefined;
if (caseFile) {
  const caseId = String(caseFile.id);
  const givenOn = new Date().toISOString().slice(0, 10);
  const consent = await seedCall(
    'recordCaseConsent',
    caseworkerA.cookie,
    { caseId },
    { purpose: 'Referral', recipientOrganisationId: orgC.organisationId, sections: ['profile'], givenOn },
  );
  if (consent) addId('consent', String(consent.id));
  // A refers the case to C, sends it, and C acknowledges: a live referral both parties see.
  const draft = await seedCall(
    'createReferral',
    caseworkerA.cookie,
    {},
    {
      caseId,
      recipientOrganisationId: orgC.organisationId,
      services: ['shelter'],
      sections: ['profile'],
      note: secret('SECRET-referral-note'),
    },
  );
  if (draft) {
    const referralId = String(draft.id);
    addId('referral', referralId);
    const sent = await seedCall(
      'transitionReferral',
      caseworkerA.cookie,
      { referralId },
      { to: 'sent', version: draft.version, confirmNewPartner: true },
    );
    if (sent)
      await seedCall(
        'transitionReferral',
        cookieC,
        { referralId },
        { to: 'acknowledged', version: sent.version },
      );
    // Their thread: a message and a file.
    const thread = await seedCall(
      'openThread',
      caseworkerA.cookie,
      {},
      { subjectKind: 'referral', subjectId: referralId },
    );
    if (thread) {
      threadOfA = String(thread.id);
      addId('thread', threadOfA);
      const posted = await seedCall(
        'postThreadMessage',
        caseworkerA.cookie,
        { threadId: threadOfA },
        { text: secret('SECRET-thread-message') },
      );
      if (posted) addId('message', String(posted.id));
      const fileName = `${secret('SECRET-attachment-name')}.pdf`;
      markers.set(fileName, 'secret');
      const uploaded = await t.app.inject({
        method: 'POST',
        url: `/api/threads/${threadOfA}/attachments`,
        headers: {
          cookie: caseworkerA.cookie,
          'content-type': 'application/pdf',
          'x-file-name': encodeURIComponent(fileName),
        },
        payload: pdf({ text: secret('SECRET-attachment-text') }),
        remoteAddress: randomAddress(),
      });
      if (uploaded.statusCode !== 201)
        throw new Error(`seeding with postThreadAttachment failed: ${uploaded.statusCode} ${uploaded.body}`);
      seeded.push('postThreadAttachment');
      addId('message', uploaded.json<{ id: string }>().id);
    }
  }
}
// A asks C to take another case over (a case with a live referral cannot move).
const movedCase = await seedCall(
  'createCaseFile',
  caseworkerA.cookie,
  {},
  {
    identity: { firstName: secret('SECRET-moved-first'), aliases: [] },
    profile: { gender: 'Feminine', citizenships: ['KE'] },
    victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
  },
);
if (movedCase) {
  const caseId = String(movedCase.id);
  addId('case', caseId);
  markers.set(String(movedCase.reference), 'secret');
  const consent = await seedCall(
    'recordCaseConsent',
    caseworkerA.cookie,
    { caseId },
    {
      purpose: 'Transfer',
      recipientOrganisationId: orgC.organisationId,
      sections: ['profile', 'identity'],
      givenOn: new Date().toISOString().slice(0, 10),
    },
  );
  if (consent) addId('consent', String(consent.id));
  const transfer = await seedCall(
    'createTransfer',
    caseworkerA.cookie,
    {},
    {
      caseId,
      recipientOrganisationId: orgC.organisationId,
      note: secret('SECRET-transfer-note'),
      confirmNewPartner: true,
    },
  );
  if (transfer) addId('transfer', String(transfer.id));
}
// A contributes two routes: one pending, one a moderator queried with a note for A.
const routeBody = {
  origin: { country: 'VN' },
  exploitation: [{ country: 'QA', borderCrossing: true, transport: 'air' }],
  year: 2024,
  exploitationTypes: ['ForcedLabour'],
  people: 3,
  genderBand: 'male',
  ageBand: 'adult',
  nationalityBand: 'asia',
};
const pendingRoute = await seedCall('contributeRoute', caseworkerA.cookie, {}, routeBody);
if (pendingRoute) addId('route', String(pendingRoute.id));
const queriedRoute = await seedCall('contributeRoute', caseworkerA.cookie, {}, { ...routeBody, people: 4 });
if (queriedRoute) {
  addId('route', String(queriedRoute.id));
  await seedCall(
    'decideRoute',
    moderatorCookie,
    { id: String(queriedRoute.id) },
    { decision: 'query', note: secret('SECRET-moderation-note'), version: queriedRoute.version },
  );
}

// --- organisation B's admin, and the callers ---
const adminB = await createMember(db, { role: 'org_admin' });
// B's case supervisor passes the cases module's role gate, so A's case must not exist for them (404).
const supervisorB = await createMember(db, {
  role: 'case_supervisor',
  organisationId: adminB.organisationId,
});
const cookieOf: Record<Caller, () => Promise<string | null>> = {
  other_admin: async () => (await signIn(db, adminB.personId, { membershipId: adminB.membership.id })).cookie,
  other_supervisor: async () =>
    (await signIn(db, supervisorB.personId, { membershipId: supervisorB.membership.id })).cookie,
  anonymous: async () => null,
};
const allIds = Object.values(idsByKind).flat();

/** A's ids that fit a parameter or field name, by kind; all of them when the name says nothing. */
function idsFor(name: string): string[] {
  const lower = name.toLowerCase();
  const kind = Object.keys(idsByKind).find((k) => lower.includes(k));
  if (kind) return idsByKind[kind]!;
  // `id` names an organisation, or a journey route (/journeys/routes/{id}): both are tried.
  return name === 'id' ? [...idsByKind.organisation!, ...(idsByKind.route ?? [])] : allIds;
}

/** Which of A's markers an answer carries, beyond what the request itself contained. */
function leaksIn(
  body: string,
  request: string,
  may: readonly MarkerClass[],
  known: ReadonlyMap<string, MarkerClass> = markers,
): string[] {
  const found: string[] = [];
  for (const [marker, cls] of known) {
    if (may.includes(cls) || request.includes(marker)) continue;
    if (body.includes(marker)) found.push(`${cls} ${JSON.stringify(marker)}`);
  }
  return found;
}

/** The requests one caller makes to one operation: A's ids in every path parameter and id field. */
function requestsFor(op: Operation): { url: string; payload?: string; pathIds: string[] }[] {
  const seed = 7;
  const options = { ids: allIds, idsByKind, examples };
  // Every combination of A's ids for the path parameters (at most a few dozen).
  let combos: Record<string, string>[] = [{}];
  for (const p of op.pathParams) {
    combos = combos.flatMap((c) => idsFor(p.name).map((id) => ({ ...c, [p.name]: id }))).slice(0, 60);
  }
  const querySchema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(op.queryParams.map((p) => [p.name, p.schema])),
    required: op.queryParams.filter((p) => p.required).map((p) => p.name),
  };
  const queries = [
    encodeQuery(
      fc.sample(validValue(querySchema, options), { numRuns: 1, seed })[0] as Record<string, unknown>,
    ),
  ];
  // Search boxes get A's names and markers, one at a time.
  for (const path of freeTextPaths(querySchema).filter((p) => p.length === 1)) {
    for (const marker of [...markers.keys()].filter((m) => !allIds.includes(m) && !m.includes('@'))) {
      const value = fc.sample(withLeaf(querySchema, path, fc.constant(marker), options), {
        numRuns: 1,
        seed,
      })[0];
      queries.push(encodeQuery(value as Record<string, unknown>));
    }
  }
  const payload = op.body?.contentType.includes('json')
    ? toJsonText(fc.sample(validValue(op.body.schema, options), { numRuns: 1, seed })[0])
    : undefined;
  return combos.flatMap((params) =>
    queries.map((query) => ({ url: urlOf(op, params, query), payload, pathIds: Object.values(params) })),
  );
}

const stats = { calls: 0, operations: 0 };
const started = Date.now();
afterAll(async () => {
  report(
    `unauthorised access: ${stats.operations} operations, ${stats.calls} calls as B's admin and anonymous, ` +
      `${markers.size} markers, seeded through ${seeded.join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  await t.close();
});

describe('unauthorised access (organisation B and nobody, against organisation A)', () => {
  it('seeded A through the APIs, and A itself sees its markers', async () => {
    expect(seeded).toEqual(
      expect.arrayContaining([
        'saveMyPersonProfile',
        'inviteMember',
        'sendContactMessage',
        'createSupportRequest',
        'createReferral',
        'transitionReferral',
        'openThread',
        'postThreadMessage',
        'postThreadAttachment',
        'createTransfer',
        'contributeRoute',
        'decideRoute',
      ]),
    );
    // A's thread, transfer and queried route come back to A with their markers (so a leak would be seen).
    const thread = await t.app.inject({
      url: `/api/threads/${threadOfA}`,
      headers: { cookie: caseworkerA.cookie },
    });
    expect(thread.body).toContain(mark('SECRET-thread-message'));
    expect(thread.body).toContain(mark('SECRET-attachment-name'));
    const transfer = await t.app.inject({
      url: `/api/transfers/${idsByKind.transfer![0]}`,
      headers: { cookie: caseworkerA.cookie },
    });
    expect(transfer.body).toContain(mark('SECRET-transfer-note'));
    const route = await t.app.inject({
      url: `/api/journeys/routes/${idsByKind.route![1]}`,
      headers: { cookie: caseworkerA.cookie },
    });
    expect(route.body).toContain(mark('SECRET-moderation-note'));
    // The markers are really there: A's admin sees the partners-only hotline and the members' network.
    const own = await t.app.inject({
      url: `/api/directory/organisations/${orgA.id}`,
      headers: { cookie: adminA.cookie },
    });
    expect(own.body).toContain(mark('PARTNERS-hotline'));
    expect(own.body).toContain(mark('MEMBERS-network'));
    // And the public directory shows the public fields only (the allow-list is exercised, not vacuous).
    const anonymous = await t.app.inject({ url: `/api/directory/organisations/${orgA.id}` });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).toContain(mark('PUBLIC-description'));
    expect(leaksIn(anonymous.body, '', ['public'])).toEqual([]);
  });

  it('allows only operations that exist', () => {
    expect(Object.keys(allowed).filter((id) => !opById.has(id))).toEqual([]);
  });

  it('detects a leak when there is one', () => {
    const known = new Map<string, MarkerClass>([
      ['s3cret', 'secret'],
      ['pub', 'public'],
    ]);
    expect(leaksIn('{"a":"s3cret","b":"pub"}', '', ['public'], known)).toEqual(['secret "s3cret"']);
    expect(leaksIn('{"a":"s3cret"}', '/x/s3cret', [], known)).toEqual([]);
  });

  it.each(operations)('$operationId ($method $path) shows B and nobody nothing of A', async (op) => {
    stats.operations++;
    const failures: string[] = [];
    for (const caller of ['other_admin', 'other_supervisor', 'anonymous'] as const) {
      // B's supervisor is a member of B like B's admin: the same allowances.
      const may = allowed[op.operationId]?.[caller === 'other_supervisor' ? 'other_admin' : caller] ?? [];
      for (const request of requestsFor(op)) {
        const cookie = await cookieOf[caller]();
        const res: LightMyRequestResponse = await t.app.inject({
          method: op.method,
          url: request.url,
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(request.payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          remoteAddress: randomAddress(),
          ...(request.payload !== undefined ? { payload: request.payload } : {}),
        });
        stats.calls++;
        const what = `${op.operationId} as ${caller}: ${op.method} ${request.url} ${request.payload ?? ''}`;
        if (res.statusCode >= 500) failures.push(`${what} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 300) continue;
        // Reaching one of A's records by its id is itself a failure, unless that record is meant for the caller.
        const touched = request.pathIds.filter((id) => !may.includes(markers.get(id) ?? 'secret'));
        if (touched.length > 0) {
          failures.push(
            `${what} → ${res.statusCode}: reached A's ${touched.join(', ')}: ${res.body.slice(0, 200)}`,
          );
        }
        const leaks = leaksIn(res.body, `${request.url} ${request.payload ?? ''}`, may);
        if (leaks.length > 0) failures.push(`${what} → ${res.statusCode} carries A's ${leaks.join(', ')}`);
      }
    }
    expect(failures, `${failures.length} leaks:\n${failures.join('\n')}`).toHaveLength(0);
  });
});
