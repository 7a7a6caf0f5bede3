import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformRole, Role } from '../../kernel/access/roles.js';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { kernelAudit, kernelJobs } from '../../kernel/db/kernel.tables.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { queryRows } from '../../kernel/db/types.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import {
  nextReminderRun,
  scheduleTierReminders,
  sendTierReminders,
} from './identity.organisations.service.js';
import { identityOrganisations, identityPeople } from './identity.tables.js';
import { organisationStatuses, type OrganisationStatus } from './identity.vocabulary.js';

const dayMs = 86_400_000;

/** Undoes quoted-printable (soft breaks and =XX bytes) into UTF-8 text. */
function fromQuotedPrintable(text: string): string {
  const source = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const hex = source.slice(i + 1, i + 3);
    if (source[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(source[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) in a header. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : fromQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

interface Mail {
  to: string;
  subject: string;
  text: string;
}

function parseMail(raw: string): Mail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).trim();
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1]?.trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? fromQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { to: header('To'), subject: decodeHeader(header('Subject')), text };
}

describe('organisations: applying, vetting, administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  /** Every mail sent so far to this address (after running due jobs), oldest first. */
  async function mailsTo(email: string): Promise<Mail[]> {
    await t.app.kernel.jobs.runDue();
    const dir = path.join(t.config.dataDir, 'outbox');
    const files = (await readdir(dir).catch(() => [])).sort();
    const mails = await Promise.all(
      files.map(async (file) => parseMail(await readFile(path.join(dir, file), 'utf8'))),
    );
    return mails.filter((mail) => mail.to.toLowerCase() === email.toLowerCase());
  }

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: { cookie?: string; payload?: unknown; ip?: string; language?: string } = {},
  ) =>
    t.app.inject({
      method,
      url,
      payload: options.payload as Record<string, unknown> | undefined,
      remoteAddress: options.ip ?? '10.1.0.1',
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.language ? { 'accept-language': options.language } : {}),
      },
    });

  async function staff(role: PlatformRole) {
    const person = await createPerson(db(), { platformRole: role, passkey: true });
    return { ...person, ...(await signIn(db(), person.id)) };
  }

  async function memberOf(organisationId: string | undefined, role: Role) {
    const member = await createMember(db(), { role, organisationId });
    return { ...member, ...(await signIn(db(), member.personId, { membershipId: member.membership.id })) };
  }

  /** An organisation in a given status whose applicant is a signed-in person. */
  async function application(status: OrganisationStatus = 'pending', language = 'en') {
    const applicant = await createPerson(db());
    await db().update(identityPeople).set({ language }).where(eq(identityPeople.id, applicant.id));
    const org = await createOrganisation(db(), {
      status,
      tier: status === 'active' || status === 'suspended' ? 'verified' : null,
    });
    await db()
      .update(identityOrganisations)
      .set({ applicantPersonId: applicant.id })
      .where(eq(identityOrganisations.id, org.id));
    return { org, applicant, ...(await signIn(db(), applicant.id)) };
  }

  const organisationApplication = (name = `Safe Harbour ${Math.random().toString(36).slice(2)}`) => ({
    name,
    type: 'ngo',
    countries: ['KE', 'UG', 'KE'],
    website: 'https://safe-harbour.example.org',
    referee: 'Grace Mwangi, regional anti-trafficking network, +254 700 000000',
  });

  it('creates the account, a pending organisation and its org_admin from a public application, and emails', async () => {
    const email = 'amani.wanjiru@harbour.test';
    const password = 'kettle orchard lantern breeze';
    const name = 'Safe Harbour Nairobi';
    const res = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: organisationApplication(name),
        account: { displayName: 'Amani Wanjiru', email, password },
      },
      ip: '10.2.0.1',
      language: 'fr',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });

    const [person] = await db().select().from(identityPeople).where(eq(identityPeople.email, email));
    expect(person).toMatchObject({ displayName: 'Amani Wanjiru', language: 'fr' });
    expect(person!.passwordHash).toMatch(/^\$argon2id\$/);
    const [org] = await db().select().from(identityOrganisations).where(eq(identityOrganisations.name, name));
    expect(org).toMatchObject({
      status: 'pending',
      applicantPersonId: person!.id,
      countries: ['KE', 'UG'],
      tier: null,
    });
    const memberships = await t.database.asOwner((owner) =>
      queryRows(owner, sql`select role from identity_memberships where organisation_id = ${org!.id}`),
    );
    expect(memberships).toEqual([{ role: 'org_admin' }]);
    const [mail] = await mailsTo(email);
    expect(mail!.subject).toBe('Nous avons reçu votre candidature à Cairn');
    // Nothing the applicant typed is echoed to an address that is not verified yet.
    expect(mail!.text).not.toContain(name);

    const signedIn = await call('POST', '/api/auth/sign-in', {
      payload: { email, password },
      ip: '10.2.0.2',
    });
    expect(signedIn.statusCode).toBe(200);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    const mine = await call('GET', '/api/identity/my-applications', { cookie });
    expect(mine.json()).toEqual([
      expect.objectContaining({
        id: org!.id,
        status: 'pending',
        moderatorNote: null,
        abilities: { respond: false },
      }),
    ]);
    expect(t.rawLogs()).not.toContain(password);
  });

  it('answers an application for an existing account identically, creates nothing and tells the owner', async () => {
    const existing = await createPerson(db(), { email: 'known.applicant@harbour.test' });
    const name = 'Shadow Organisation';
    const fresh = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: organisationApplication('A New One'),
        account: {
          displayName: 'New Person',
          email: 'new.applicant@harbour.test',
          password: 'copper valley whistle tune',
        },
      },
      ip: '10.2.1.1',
    });
    const taken = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: organisationApplication(name),
        account: {
          displayName: 'Someone',
          email: 'Known.Applicant@harbour.test',
          password: 'copper valley whistle tune',
        },
      },
      ip: '10.2.1.2',
    });
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.json()).toEqual(fresh.json());
    expect(
      await db().select().from(identityOrganisations).where(eq(identityOrganisations.name, name)),
    ).toEqual([]);
    const [person] = await db().select().from(identityPeople).where(eq(identityPeople.id, existing.id));
    expect(person!.displayName).toBe(existing.displayName);
    const mails = await mailsTo(existing.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Someone tried to apply to Cairn with your email address');
    expect(mails[0]!.text).toContain('/sign-in');
    expect(mails[0]!.text).not.toContain(name);
  });

  it('refuses invalid applications field by field, in the caller’s language', async () => {
    const res = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: {
          ...organisationApplication(),
          countries: ['ZZ', 'ke'],
          website: 'javascript:alert(1)',
          type: 'cartel',
        },
        account: {
          displayName: 'Rosa Delgado',
          email: 'rosa.delgado@refugio.test',
          password: 'rosa.delgado lives here 2026',
        },
      },
      ip: '10.2.2.1',
      language: 'es',
    });
    expect(res.statusCode).toBe(400);
    const errors = res.json<{ errors: { path: string; code: string; message: string }[] }>().errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          path: 'body.organisation.countries.0',
          code: 'identity.unknown_country',
          message: 'No es un código de país ISO 3166 conocido.',
        },
        expect.objectContaining({ path: 'body.organisation.countries.1' }),
        expect.objectContaining({ path: 'body.organisation.website' }),
        expect.objectContaining({ path: 'body.organisation.type', code: 'invalid_value' }),
      ]),
    );
    const identity = await call('POST', '/api/identity/applications', {
      payload: {
        organisation: organisationApplication(),
        account: {
          displayName: 'Rosa Delgado',
          email: 'rosa.delgado@refugio.test',
          password: 'rosa.delgado lives here 2026',
        },
      },
      ip: '10.2.2.2',
    });
    expect(identity.json()).toMatchObject({
      errors: [{ path: 'body.account.password', code: 'identity.password_contains_identity' }],
    });
  });

  it('lets a signed-in person apply for another organisation, up to three waiting at once', async () => {
    const { personId, cookie } = await memberOf(undefined, 'member');
    const created = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/api/identity/organisations/apply', {
        cookie,
        payload: organisationApplication(),
      });
      expect(res.statusCode).toBe(201);
      created.push(res.json<{ id: string }>().id);
    }
    expect(
      (
        await call('POST', '/api/identity/organisations/apply', {
          cookie,
          payload: organisationApplication(),
        })
      ).statusCode,
    ).toBe(409);
    const mine = await call('GET', '/api/identity/my-applications', { cookie });
    expect(
      mine
        .json<{ id: string }[]>()
        .map((a) => a.id)
        .sort(),
    ).toEqual([...created].sort());
    const [org] = await db()
      .select()
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, created[0]!));
    expect(org!.applicantPersonId).toBe(personId);
    expect(
      (await call('POST', '/api/identity/organisations/apply', { payload: organisationApplication() }))
        .statusCode,
    ).toBe(401);
  });

  describe('every vetting transition, allowed and refused', () => {
    const routes = {
      approve: { url: 'approve', payload: { tier: 'verified' }, by: 'platform' },
      request_info: {
        url: 'request-info',
        payload: { message: 'Please send your registration.' },
        by: 'platform',
      },
      reject: { url: 'reject', payload: { reason: 'No referee could vouch for you.' }, by: 'platform' },
      respond: { url: 'respond', payload: { message: 'Registration number 4411.' }, by: 'applicant' },
      suspend: { url: 'suspend', payload: { reason: 'Under review.' }, by: 'platform' },
      reinstate: { url: 'reinstate', payload: undefined, by: 'platform' },
      renew: { url: 'renew', payload: { tier: 'verified_frontline' }, by: 'platform' },
    } as const;
    const allowed: Record<keyof typeof routes, Partial<Record<OrganisationStatus, OrganisationStatus>>> = {
      approve: { pending: 'active' },
      request_info: { pending: 'info_requested' },
      reject: { pending: 'rejected', info_requested: 'rejected' },
      respond: { info_requested: 'pending' },
      suspend: { active: 'suspended' },
      reinstate: { suspended: 'active' },
      renew: { active: 'active' },
    };
    const cases = (Object.keys(routes) as (keyof typeof routes)[]).flatMap((action) =>
      organisationStatuses.map((status) => [action, status] as const),
    );

    it.each(cases)('%s from %s', async (action, status) => {
      const admin = await staff('platform_admin');
      const { org, cookie } = await application(status);
      const route = routes[action];
      const res = await call('POST', `/api/identity/organisations/${org.id}/${route.url}`, {
        cookie: route.by === 'applicant' ? cookie : admin.cookie,
        payload: route.payload,
      });
      const expected = allowed[action][status];
      expect(res.statusCode).toBe(expected ? 200 : 409);
      const [after] = await db()
        .select()
        .from(identityOrganisations)
        .where(eq(identityOrganisations.id, org.id));
      expect(after!.status).toBe(expected ?? status);
    });
  });

  it('moderates step by step, mailing the applicant in their language and showing notes in the app', async () => {
    const moderator = await staff('moderator');
    const { org, applicant, cookie } = await application('pending', 'es');
    const question = 'Please send your registration certificate.';
    const asked = await call('POST', `/api/identity/organisations/${org.id}/request-info`, {
      cookie: moderator.cookie,
      payload: { message: question },
    });
    expect(asked.statusCode).toBe(200);
    expect(asked.json()).toMatchObject({
      status: 'info_requested',
      review: { latestNote: { by: 'moderator', text: question } },
      abilities: { approve: false, reject: true, requestInfo: false },
    });
    const infoMail = (await mailsTo(applicant.email)).at(-1)!;
    expect(infoMail.subject).toBe(`Cairn necesita más información sobre ${org.name}`);
    // The question stays in Cairn; the mail only points there.
    expect(infoMail.text).not.toContain(question);
    const mine = await call('GET', '/api/identity/my-applications', { cookie });
    expect(mine.json()).toEqual([
      expect.objectContaining({
        status: 'info_requested',
        moderatorNote: question,
        abilities: { respond: true },
      }),
    ]);

    // Only the applicant answers; for anyone else the application does not exist.
    const stranger = await memberOf(undefined, 'org_admin');
    expect(
      (
        await call('POST', `/api/identity/organisations/${org.id}/respond`, {
          cookie: stranger.cookie,
          payload: { message: 'me too' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call('POST', `/api/identity/organisations/${org.id}/respond`, {
          cookie: moderator.cookie,
          payload: { message: 'staff cannot answer' },
        })
      ).statusCode,
    ).toBe(403);
    const answer = 'Certificate number 2026/4411, issued in Nairobi.';
    const answered = await call('POST', `/api/identity/organisations/${org.id}/respond`, {
      cookie,
      payload: { message: answer },
    });
    expect(answered.json()).toMatchObject({ status: 'pending', myResponse: answer, moderatorNote: null });
    const queue = await call('GET', '/api/identity/applications?status=pending&limit=100', {
      cookie: moderator.cookie,
    });
    expect(queue.json<{ items: { id: string }[] }>().items.find((item) => item.id === org.id)).toMatchObject({
      review: {
        latestNote: { by: 'applicant', text: answer },
        applicant: { id: applicant.id, email: applicant.email },
      },
    });

    // Applicants and org admins cannot moderate (the route gate); a tier must fit the organisation's type.
    for (const who of [cookie, stranger.cookie]) {
      const res = await call('POST', `/api/identity/organisations/${org.id}/approve`, {
        cookie: who,
        payload: { tier: 'verified' },
      });
      expect(res.statusCode).toBe(403);
    }
    const wrongTier = await call('POST', `/api/identity/organisations/${org.id}/approve`, {
      cookie: moderator.cookie,
      payload: { tier: 'law_enforcement_verified' },
    });
    expect(wrongTier.statusCode).toBe(400);
    expect(wrongTier.json()).toMatchObject({
      errors: [{ path: 'body.tier', code: 'identity.tier_not_for_type' }],
    });

    const before = Date.now();
    const approved = await call('POST', `/api/identity/organisations/${org.id}/approve`, {
      cookie: moderator.cookie,
      payload: { tier: 'verified_frontline' },
    });
    expect(approved.statusCode).toBe(200);
    const body = approved.json<{ verifiedAt: string; tierExpiresAt: string }>();
    expect(approved.json()).toMatchObject({
      status: 'active',
      tier: 'verified_frontline',
      tierExpired: false,
    });
    expect(new Date(body.verifiedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const validity = new Date(body.tierExpiresAt).getTime() - new Date(body.verifiedAt).getTime();
    expect(validity).toBe(365 * dayMs);
    const approvedMail = (await mailsTo(applicant.email)).at(-1)!;
    expect(approvedMail.subject).toBe(`${org.name} ha sido aprobada en Cairn`);
    expect(approvedMail.text).toContain('«Verificada de primera línea»');

    const [audit] = await db()
      .select()
      .from(kernelAudit)
      .where(
        and(eq(kernelAudit.organisationId, org.id), eq(kernelAudit.action, 'identity.organisation_approved')),
      );
    expect(audit).toMatchObject({ actorPersonId: moderator.id, details: { tier: 'verified_frontline' } });
  });

  it('rejects with a reason the applicant reads in the app', async () => {
    const moderator = await staff('moderator');
    const { org, applicant, cookie } = await application('pending');
    const reason = 'We could not confirm the organisation with its referee.';
    const res = await call('POST', `/api/identity/organisations/${org.id}/reject`, {
      cookie: moderator.cookie,
      payload: { reason },
    });
    expect(res.json()).toMatchObject({ status: 'rejected' });
    expect((await call('GET', '/api/identity/my-applications', { cookie })).json()).toEqual([
      expect.objectContaining({ status: 'rejected', moderatorNote: reason, abilities: { respond: false } }),
    ]);
    expect((await mailsTo(applicant.email)).at(-1)!.subject).toBe(
      `Your application for ${org.name} on Cairn`,
    );
  });

  it('pages through the vetting queue oldest first without repeating or skipping', async () => {
    const moderator = await staff('moderator');
    // One statement: the rows share created_at, so order and cursor rest on the id as well.
    const mine = await db()
      .insert(identityOrganisations)
      .values(
        Array.from({ length: 5 }, (_, i) => ({
          name: `Queue organisation ${i}`,
          type: 'ngo',
          countries: ['TH'],
          referee: 'Referee',
          status: 'info_requested',
        })),
      )
      .returning({ id: identityOrganisations.id });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/identity/applications?status=info_requested&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call('GET', url, { cookie: moderator.cookie });
      expect(page.statusCode).toBe(200);
      const body = page.json<{ items: { id: string; status: string }[]; nextCursor: string | null }>();
      expect(body.items.every((item) => item.status === 'info_requested')).toBe(true);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine.map((row) => row.id)));
    expect(pages).toBeGreaterThanOrEqual(3);

    const bad = await call('GET', '/api/identity/applications?cursor=bm90LWEtY3Vyc29y', {
      cookie: moderator.cookie,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ path: 'query.cursor', code: 'identity.invalid_cursor' }] });
    const member = await memberOf(undefined, 'org_admin');
    expect((await call('GET', '/api/identity/applications', { cookie: member.cookie })).statusCode).toBe(403);
  });

  it('lists organisations for platform staff with filters', async () => {
    const moderator = await staff('moderator');
    const target = await createOrganisation(db(), {
      name: 'Filtered 100% Shelter_Co',
      countries: ['MX', 'GT'],
      type: 'legal',
    });
    await createOrganisation(db(), { name: 'Filtered Other', countries: ['MX'], type: 'ngo' });
    const res = await call(
      'GET',
      '/api/identity/organisations?country=GT&type=legal&status=active&q=100%25%20Shelter_',
      {
        cookie: moderator.cookie,
      },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: { id: string }[] }>().items.map((item) => item.id)).toEqual([target.id]);
    const wildcard = await call('GET', '/api/identity/organisations?q=_', { cookie: moderator.cookie });
    expect(
      wildcard.json<{ items: { name: string }[] }>().items.every((item) => item.name.includes('_')),
    ).toBe(true);
    const member = await memberOf(target.id, 'org_admin');
    expect((await call('GET', '/api/identity/organisations', { cookie: member.cookie })).statusCode).toBe(
      403,
    );
  });

  it('shows an organisation to its members and to platform staff; for anyone else it does not exist', async () => {
    const org = await createOrganisation(db(), { countries: ['NP', 'IN'] });
    const member = await memberOf(org.id, 'member');
    const otherAdmin = await memberOf(undefined, 'org_admin');
    const moderator = await staff('moderator');
    const seen = await call('GET', `/api/identity/organisations/${org.id}`, { cookie: member.cookie });
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toMatchObject({
      id: org.id,
      status: 'active',
      tier: 'verified',
      tierExpired: false,
      countries: ['NP', 'IN'],
      verifiedAt: org.verifiedAt!.toISOString(),
      review: null,
      abilities: { manageMembers: false, viewMembers: false, viewAudit: false, suspend: false },
    });
    expect(
      (await call('GET', `/api/identity/organisations/${org.id}`, { cookie: otherAdmin.cookie })).statusCode,
    ).toBe(404);
    const staffView = await call('GET', `/api/identity/organisations/${org.id}`, {
      cookie: moderator.cookie,
    });
    expect(staffView.json()).toMatchObject({
      review: { referee: 'Test network' },
      abilities: { renew: true, suspend: false },
    });
    expect(
      (
        await call('GET', `/api/identity/organisations/00000000-0000-4000-8000-000000000000`, {
          cookie: moderator.cookie,
        })
      ).statusCode,
    ).toBe(404);
    expect((await call('GET', `/api/identity/organisations/${org.id}`)).statusCode).toBe(401);

    // An expired tier is kept, and shown as expired.
    await db()
      .update(identityOrganisations)
      .set({ tierExpiresAt: new Date(Date.now() - dayMs) })
      .where(eq(identityOrganisations.id, org.id));
    expect(
      (await call('GET', `/api/identity/organisations/${org.id}`, { cookie: member.cookie })).json(),
    ).toMatchObject({
      tier: 'verified',
      tierExpired: true,
    });
  });

  it('ends every session of every member on suspension, at once, and reinstates', async () => {
    const org = await createOrganisation(db());
    const first = await memberOf(org.id, 'org_admin');
    const second = await memberOf(org.id, 'caseworker');
    // A member of two organisations loses the sessions of both: a suspension is a security event.
    await createMember(db(), { personId: second.personId, role: 'member' });
    const secondLaptop = await signIn(db(), second.personId);
    const admin = await staff('platform_admin');
    const moderator = await staff('moderator');
    expect(
      (
        await call('POST', `/api/identity/organisations/${org.id}/suspend`, {
          cookie: moderator.cookie,
          payload: { reason: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    const res = await call('POST', `/api/identity/organisations/${org.id}/suspend`, {
      cookie: admin.cookie,
      payload: { reason: 'Credible report of infiltration.' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'suspended', abilities: { reinstate: true, suspend: false } });
    for (const cookie of [first.cookie, second.cookie, secondLaptop.cookie]) {
      expect((await call('GET', '/api/auth/me', { cookie })).statusCode).toBe(401);
    }
    const [audit] = await db()
      .select()
      .from(kernelAudit)
      .where(
        and(
          eq(kernelAudit.organisationId, org.id),
          eq(kernelAudit.action, 'identity.organisation_suspended'),
        ),
      );
    expect(audit!.details).toEqual({ sessionsEnded: 3 });
    // The reason is for platform staff, not for the applicant's view or the audit trail.
    expect(JSON.stringify(audit)).not.toContain('infiltration');

    const back = await call('POST', `/api/identity/organisations/${org.id}/reinstate`, {
      cookie: admin.cookie,
    });
    expect(back.json()).toMatchObject({ status: 'active', review: { latestNote: null } });
    const again = await signIn(db(), first.personId, { membershipId: first.membership.id });
    expect((await call('GET', '/api/auth/me', { cookie: again.cookie })).json()).toMatchObject({
      activeMembershipId: first.membership.id,
    });
  });

  it('renews a tier for another year and clears the reminder', async () => {
    const moderator = await staff('moderator');
    const org = await createOrganisation(db(), { type: 'law_enforcement' });
    await db()
      .update(identityOrganisations)
      .set({ tierExpiresAt: new Date(Date.now() + 5 * dayMs), renewalRemindedAt: new Date() })
      .where(eq(identityOrganisations.id, org.id));
    const res = await call('POST', `/api/identity/organisations/${org.id}/renew`, {
      cookie: moderator.cookie,
      payload: { tier: 'law_enforcement_verified' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tier: 'law_enforcement_verified', tierExpired: false });
    const [after] = await db()
      .select()
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, org.id));
    expect(after!.renewalRemindedAt).toBeNull();
    expect(after!.tierExpiresAt!.getTime() - after!.verifiedAt!.getTime()).toBe(365 * dayMs);
  });

  it('shows an organisation’s audit trail to its admins, newest first, without naming platform staff', async () => {
    const moderator = await staff('moderator');
    const { org, applicant } = await application('pending');
    await call('POST', `/api/identity/organisations/${org.id}/approve`, {
      cookie: moderator.cookie,
      payload: { tier: 'verified' },
    });
    const admin = await memberOf(org.id, 'org_admin');
    await db()
      .update(identityPeople)
      .set({ displayName: 'Amani Admin' })
      .where(eq(identityPeople.id, admin.personId));
    const invited = await call('POST', `/api/identity/organisations/${org.id}/invitations`, {
      cookie: admin.cookie,
      payload: { email: 'new.colleague@harbour.test', role: 'caseworker' },
    });
    expect(invited.statusCode).toBe(201);

    const trail = await call('GET', `/api/identity/organisations/${org.id}/audit?limit=1`, {
      cookie: admin.cookie,
    });
    expect(trail.statusCode).toBe(200);
    const first = trail.json<{ items: unknown[]; nextCursor: string }>();
    expect(first.items).toEqual([
      expect.objectContaining({
        action: 'identity.member_invited',
        actor: { displayName: 'Amani Admin', platformStaff: false },
        objectType: 'invitation',
        details: expect.objectContaining({ role: 'caseworker' }) as unknown,
      }),
    ]);
    const rest = await call(
      'GET',
      `/api/identity/organisations/${org.id}/audit?limit=10&cursor=${first.nextCursor}`,
      {
        cookie: admin.cookie,
      },
    );
    expect(rest.json<{ items: { action: string }[] }>().items.map((item) => item.action)).toEqual([
      'identity.organisation_approved',
      // The factory made the application; only its approval was audited before.
    ]);
    expect(rest.json()).toMatchObject({
      items: [{ actor: { displayName: null, platformStaff: true } }],
      nextCursor: null,
    });
    expect(JSON.stringify(rest.json())).not.toContain(applicant.email);

    const platformAdmin = await staff('platform_admin');
    const all = await call(
      'GET',
      `/api/identity/audit?organisationId=${org.id}&action=identity.organisation_approved`,
      {
        cookie: platformAdmin.cookie,
      },
    );
    expect(all.json()).toMatchObject({
      items: [{ actor: { displayName: moderator.displayName, platformStaff: true } }],
    });
    const caseworker = await memberOf(org.id, 'caseworker');
    const outsider = await memberOf(undefined, 'org_admin');
    expect(
      (await call('GET', `/api/identity/organisations/${org.id}/audit`, { cookie: caseworker.cookie }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call('GET', `/api/identity/organisations/${org.id}/audit`, { cookie: outsider.cookie }))
        .statusCode,
    ).toBe(404);
    expect((await call('GET', '/api/identity/audit', { cookie: moderator.cookie })).statusCode).toBe(403);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  });
});

describe('tier expiry reminders', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  async function mailSubjectsTo(email: string): Promise<string[]> {
    const dir = path.join(t.config.dataDir, 'outbox');
    const files = (await readdir(dir).catch(() => [])).sort();
    const mails = await Promise.all(
      files.map(async (file) => parseMail(await readFile(path.join(dir, file), 'utf8'))),
    );
    return mails.filter((mail) => mail.to === email).map((mail) => mail.subject);
  }

  const reminderJobs = () =>
    db()
      .select()
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, 'identity.tier_reminders'), eq(kernelJobs.status, 'pending')));

  it('is queued once at start, reminds org admins once, marks expired tiers, and queues tomorrow’s run', async () => {
    // Start-up queued the first run; asking again (another process starting) queues nothing more.
    await scheduleTierReminders(t.app.kernel);
    expect(await reminderJobs()).toHaveLength(1);

    const soon = await createMember(db(), { role: 'org_admin' });
    const later = await createMember(db(), { role: 'org_admin' });
    const lapsed = await createMember(db(), { role: 'org_admin' });
    const soonCaseworker = await createMember(db(), {
      role: 'caseworker',
      organisationId: soon.organisationId,
    });
    const move = (organisationId: string, days: number) =>
      db()
        .update(identityOrganisations)
        .set({ tierExpiresAt: new Date(Date.now() + days * dayMs) })
        .where(eq(identityOrganisations.id, organisationId));
    await move(soon.organisationId, 10);
    await move(later.organisationId, 60);
    await move(lapsed.organisationId, -2);
    const email = async (personId: string) =>
      (await db().select().from(identityPeople).where(eq(identityPeople.id, personId)))[0]!.email;

    await t.app.kernel.jobs.runDue();
    await t.app.kernel.jobs.runDue(); // the mails the sweep queued
    const [soonSubjects, laterSubjects, lapsedSubjects, caseworkerSubjects] = await Promise.all(
      [soon.personId, later.personId, lapsed.personId, soonCaseworker.personId].map(async (id) =>
        mailSubjectsTo(await email(id)),
      ),
    );
    expect(soonSubjects).toEqual([expect.stringMatching(/expires soon$/)]);
    expect(lapsedSubjects).toEqual([expect.stringMatching(/has expired$/)]);
    expect(laterSubjects).toEqual([]);
    expect(caseworkerSubjects).toEqual([]);

    const [next] = await reminderJobs();
    const tomorrow = nextReminderRun(new Date());
    expect(next).toMatchObject({
      runAt: tomorrow,
      dedupeKey: `identity.tier_reminders:${tomorrow.toISOString().slice(0, 10)}`,
    });

    // Another sweep (tomorrow's) reminds nobody twice.
    expect(await sendTierReminders(t.app.kernel)).toEqual({ reminded: 0, expired: 0 });
    await t.app.kernel.jobs.runDue();
    expect(await mailSubjectsTo(await email(soon.personId))).toHaveLength(1);

    const [lapsedOrg] = await db()
      .select()
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, lapsed.organisationId));
    expect(lapsedOrg).toMatchObject({ status: 'active', tier: 'verified' });
    const { cookie } = await signIn(db(), lapsed.personId, { membershipId: lapsed.membership.id });
    const seen = await t.app.inject({
      url: `/api/identity/organisations/${lapsed.organisationId}`,
      headers: { cookie },
    });
    expect(seen.json()).toMatchObject({ tier: 'verified', tierExpired: true });
  });
});
