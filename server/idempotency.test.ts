import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test/app.js';
import { createProfile } from './test/directory.js';
import { createMember, createPerson, signIn } from './test/factories.js';
import { modules as defaultModules } from './modules/index.js';
import { insertSupportRequest } from './modules/directory/directory.support.matrix.js';
import { directorySupportRequests } from './modules/directory/directory.tables.js';
import { identityInvitations } from './modules/identity/identity.tables.js';
import { kernelAudit, kernelIdempotencyKeys } from './kernel/db/kernel.tables.js';
import { setPlatformScope } from './kernel/db/tenant.js';
import { inTransaction } from './kernel/db/transaction.js';
import { queryRows } from './kernel/db/types.js';
import type { CairnModule } from './kernel/kernel.js';
import { sweepIdempotencyKeys } from './kernel/http/idempotency.js';

interface Session {
  cookie: string;
  personId: string;
  organisationId: string;
  membershipId: string;
}

type Method = 'POST' | 'PUT';

describe('Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  async function sessionAs(
    role: 'org_admin' | 'caseworker' | 'member',
    organisationId?: string,
    personId?: string,
  ): Promise<Session> {
    const m = await createMember(db(), { role, organisationId, personId });
    const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, personId: m.personId, organisationId: m.organisationId, membershipId: m.membership.id };
  }

  let ip = 0;
  const call = (who: Session, method: Method, url: string, payload: unknown, key?: string | string[]) =>
    t.app.inject({
      method,
      url: `/api${url}`,
      // Each call from its own address: per-address route limits are not what these tests are about.
      remoteAddress: `10.77.${Math.floor(++ip / 250) % 250}.${(ip % 250) + 1}`,
      headers: { cookie: who.cookie, ...(key !== undefined ? { 'idempotency-key': key } : {}) },
      payload: payload as Record<string, unknown>,
    });

  const invite = (who: Session, email: string, key?: string, role = 'member') =>
    call(who, 'POST', `/identity/organisations/${who.organisationId}/invitations`, { email, role }, key);

  /** Invitations to an address, read past row-level security. */
  const invitationsTo = (email: string) =>
    t.database.asOwner((owner) =>
      owner.select().from(identityInvitations).where(eq(identityInvitations.email, email)),
    );

  const keyRows = () => t.database.asOwner((owner) => owner.select().from(kernelIdempotencyKeys));

  it('same key and body: the change is made once, and the retry gets the same status and body, marked replayed', async () => {
    const admin = await sessionAs('org_admin');
    const email = `idem-${randomUUID()}@cairn.test`;
    const key = randomUUID();
    const first = await invite(admin, email, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await invite(admin, email, key);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.body).toBe(first.body);

    const invitations = await invitationsTo(email);
    expect(invitations).toHaveLength(1);
    expect(invitations[0]!.id).toBe(first.json<{ id: string }>().id);
    const audits = await t.database.asOwner((owner) =>
      owner
        .select()
        .from(kernelAudit)
        .where(
          and(
            eq(kernelAudit.action, 'identity.member_invited'),
            eq(kernelAudit.objectId, invitations[0]!.id),
          ),
        ),
    );
    expect(audits).toHaveLength(1);
    // Without the key, the same request is the business rule's to answer (already invited).
    expect((await invite(admin, email)).json<{ code: string }>().code).toBe('conflict');
  });

  it('the same key with another body is refused with 422 and writes nothing', async () => {
    const admin = await sessionAs('org_admin');
    const key = randomUUID();
    const email = `idem-${randomUUID()}@cairn.test`;
    expect((await invite(admin, email, key)).statusCode).toBe(201);
    const other = `idem-${randomUUID()}@cairn.test`;
    const refused = await invite(admin, other, key);
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json<{ code: string }>().code).toBe('idempotency_key_reused');
    expect(await invitationsTo(other)).toHaveLength(0);
    // Another role in an otherwise identical body is another request too.
    expect((await invite(admin, email, key, 'caseworker')).statusCode).toBe(422);
    // So is the same key on another operation.
    const onOther = await call(admin, 'PUT', '/directory/people/me', { published: false }, key);
    expect(onOther.json<{ code: string }>().code).toBe('idempotency_key_reused');
  });

  it('keys belong to a person and the organisation they act for: the same key elsewhere is independent', async () => {
    const admin = await sessionAs('org_admin');
    const colleague = await sessionAs('org_admin', admin.organisationId);
    const elsewhere = await sessionAs('org_admin');
    // The same person acting for another organisation.
    const sameOtherOrg = await sessionAs('org_admin', undefined, admin.personId);
    const key = 'shared-key-0001';
    const email = `idem-${randomUUID()}@cairn.test`;
    const answers = [
      await invite(admin, email, key),
      await invite(colleague, `idem-${randomUUID()}@cairn.test`, key),
      await invite(elsewhere, email, key),
      await invite(sameOtherOrg, email, key),
    ];
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(201);
      expect(answer.headers['idempotent-replayed']).toBeUndefined();
    }
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(4);
    expect(await invitationsTo(email)).toHaveLength(3);
  });

  it('without the header nothing changes: a repeated create creates again', async () => {
    const { organisationId } = await createProfile(db());
    const requester = await sessionAs('caseworker', organisationId);
    const provider = await createProfile(db());
    const body = {
      need: {
        country: 'KE',
        services: ['shelter'],
        gender: 'female',
        ageBand: '12_17',
        urgency: 'within_days',
      },
      recipientOrganisationIds: [provider.organisationId],
    };
    for (let i = 0; i < 2; i++) {
      const res = await call(requester, 'POST', '/directory/support/requests', body);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
    }
    const rows = await t.database.asOwner((owner) =>
      owner
        .select({ id: directorySupportRequests.id })
        .from(directorySupportRequests)
        .where(eq(directorySupportRequests.organisationId, organisationId)),
    );
    expect(rows).toHaveLength(2);
    const scope = `${organisationId}:${requester.personId}`;
    expect((await keyRows()).filter((row) => row.scope === scope)).toHaveLength(0);
  });

  it('concurrent duplicates make one change; the others wait (409) or get the stored answer', async () => {
    const admin = await sessionAs('org_admin');
    const email = `idem-${randomUUID()}@cairn.test`;
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => invite(admin, email, key)));
    const statuses = answers.map((a) => a.statusCode);
    for (const status of statuses) expect([201, 409]).toContain(status);
    const created = answers.filter((a) => a.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body)).size).toBe(1);
    for (const busy of answers.filter((a) => a.statusCode === 409))
      expect(busy.json<{ code: string }>().code).toBe('idempotency_key_in_progress');
    expect(created.filter((a) => a.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(await invitationsTo(email)).toHaveLength(1);
    // Once the first has finished, a retry gets its answer.
    const later = await invite(admin, email, key);
    expect(later.statusCode).toBe(201);
    expect(later.body).toBe(created[0]!.body);
  });

  it('refuses a malformed key with 400 naming the header, and writes nothing', async () => {
    const admin = await sessionAs('org_admin');
    const bad = ['', ' ', 'has space', 'tab\there', 'é', 'x'.repeat(256), ['one', 'two']];
    for (const key of bad) {
      const email = `idem-${randomUUID()}@cairn.test`;
      const res = await invite(admin, email, key as string);
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      const problem = res.json<{ code: string; errors: { path: string; code: string; message: string }[] }>();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors[0]).toMatchObject({ path: 'headers.idempotency-key', code: 'idempotency_key' });
      expect(problem.errors[0]!.message).toContain('255');
      expect(await invitationsTo(email)).toHaveLength(0);
    }
    // The longest key and every visible ASCII character are fine.
    const longest = 'k'.repeat(255);
    expect((await invite(admin, `idem-${randomUUID()}@cairn.test`, longest)).statusCode).toBe(201);
    const visible = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    expect((await invite(admin, `idem-${randomUUID()}@cairn.test`, visible)).statusCode).toBe(201);
  });

  it('stores the answer sealed and the key as a digest: the raw table holds neither in the clear', async () => {
    const admin = await sessionAs('org_admin');
    const email = `sealed-${randomUUID()}@cairn.test`;
    const key = `key-${randomUUID()}`;
    const first = await invite(admin, email, key);
    expect(first.statusCode).toBe(201);
    const invitationId = first.json<{ id: string }>().id;
    const scope = `${admin.organisationId}:${admin.personId}`;
    const rows = (await keyRows()).filter((row) => row.scope === scope);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ state: 'done', statusCode: 201 });
    expect(row.completedAt).not.toBeNull();
    expect(row.operation).toBe('POST /api/identity/organisations/:id/invitations');
    const raw = JSON.stringify(row);
    for (const clear of [email, invitationId, key, first.body]) expect(raw).not.toContain(clear);
    // The seal opens only at its own place.
    expect(() => t.app.kernel.unseal(row.sealedResponse!, 'elsewhere')).toThrow();
    expect(
      t.app.kernel.unseal(row.sealedResponse!, `kernel_idempotency_keys.sealed_response.${scope}.${row.key}`),
    ).toBe(first.body);
  });

  it('a change that fails takes its claim with it: the retry runs the use case again', async () => {
    const admin = await sessionAs('org_admin');
    const member = await createPerson(db());
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await tx.execute(
        sql`insert into identity_memberships (person_id, organisation_id, role)
            values (${member.id}, ${admin.organisationId}, 'member')`,
      );
    });
    const key = randomUUID();
    // Already a member: the use case refuses inside its transaction, after the key was claimed.
    const refused = await invite(admin, member.email, key);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ code: string }>().code).toBe('conflict');
    const scope = `${admin.organisationId}:${admin.personId}`;
    expect((await keyRows()).filter((row) => row.scope === scope)).toHaveLength(0);
    const again = await invite(admin, member.email, key);
    expect(again.statusCode).toBe(409);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('documents the header on every opted-in operation, and each route opted in here replays exactly its first answer', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            parameters?: { $ref?: string }[];
            responses: Record<string, { headers?: Record<string, unknown> }>;
          }
        >
      >;
      components: { parameters: Record<string, { in: string; name: string }> };
    }>();
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ in: 'header', name: 'Idempotency-Key' });
    const optedIn = Object.values(doc.paths)
      .flatMap((byMethod) => Object.values(byMethod))
      .filter((op) => op.parameters?.some((p) => p.$ref === '#/components/parameters/IdempotencyKey'));
    for (const op of optedIn) {
      const success = Object.entries(op.responses).filter(([code]) => /^2/.test(code));
      expect(success, op.operationId).toHaveLength(1);
      expect(success[0]![1].headers?.['Idempotent-Replayed'], op.operationId).toBeDefined();
    }
    // Reads never take a key.
    expect(Object.values(doc.paths).some((byMethod) => byMethod.get?.parameters?.some((p) => p.$ref))).toBe(
      false,
    );

    const requester = await sessionAs('caseworker', (await createProfile(db())).organisationId);
    const provider = await sessionAs('caseworker', (await createProfile(db())).organisationId);
    const open = () => insertSupportRequest(db(), requester.organisationId, [provider.organisationId]);
    const target = await sessionAs('member');
    const listed = await call(target, 'PUT', '/directory/people/me', {
      published: true,
      jobTitle: 'Counsellor',
    });
    expect(listed.statusCode, listed.body).toBe(200);
    const applicant = await sessionAs('member');

    /** One valid request per opted-in operation: who sends it, where, with what. */
    const cases: Record<string, () => Promise<[Session, Method, string, unknown]>> = {
      inviteMember: async () => {
        const admin = await sessionAs('org_admin');
        return [
          admin,
          'POST',
          `/identity/organisations/${admin.organisationId}/invitations`,
          { email: `idem-${randomUUID()}@cairn.test`, role: 'caseworker' },
        ];
      },
      applyAsPerson: async () => [
        applicant,
        'POST',
        '/identity/organisations/apply',
        {
          name: `Idempotent Aid ${randomUUID().slice(0, 8)}`,
          type: 'ngo',
          countries: ['KE'],
          referee: 'A referee in the field',
        },
      ],
      createSupportRequest: async () => [
        requester,
        'POST',
        '/directory/support/requests',
        {
          need: {
            country: 'KE',
            services: ['shelter'],
            gender: 'male',
            ageBand: '18_24',
            urgency: 'within_days',
          },
          recipientOrganisationIds: [provider.organisationId],
        },
      ],
      acceptSupportRequest: async () => [
        provider,
        'POST',
        `/directory/support/requests/${await open()}/accept`,
        undefined,
      ],
      declineSupportRequest: async () => [
        provider,
        'POST',
        `/directory/support/requests/${await open()}/decline`,
        { reason: 'no_capacity' },
      ],
      closeSupportRequest: async () => [
        requester,
        'POST',
        `/directory/support/requests/${await open()}/close`,
        undefined,
      ],
      saveMyPersonProfile: async () => [
        await sessionAs('member'),
        'PUT',
        '/directory/people/me',
        { published: true, jobTitle: 'Lawyer', languages: ['sw'] },
      ],
      sendContactMessage: async () => [
        await sessionAs('member'),
        'POST',
        `/directory/people/${target.personId}/messages`,
        { body: `Hello ${randomUUID()}` },
      ],
    };
    // Modules that opt in later bring their own replay checks (or a row here); these are the ones opted in with
    // the kernel support itself.
    const optedInIds = optedIn.map((op) => op.operationId);
    for (const operationId of Object.keys(cases)) expect(optedInIds).toContain(operationId);

    for (const [operationId, build] of Object.entries(cases)) {
      const [who, method, url, payload] = await build();
      const key = randomUUID();
      const first = await call(who, method, url, payload ?? {}, key);
      expect(first.statusCode, `${operationId}: ${first.body}`).toBeLessThan(300);
      const again = await call(who, method, url, payload ?? {}, key);
      expect(again.statusCode, operationId).toBe(first.statusCode);
      expect(again.headers['idempotent-replayed'], operationId).toBe('true');
      expect(again.body, operationId).toBe(first.body);
    }
    // What each route sent is what it stored (the app logs an error otherwise).
    expect(t.rawLogs()).not.toContain('idempotent route');
  });

  it('the daily sweep deletes keys older than 24 hours and keeps the rest', async () => {
    const now = new Date();
    const scope = `sweep:${randomUUID()}`;
    await t.database.asOwner((owner) =>
      owner.insert(kernelIdempotencyKeys).values([
        {
          scope,
          key: 'old',
          operation: 'POST /x',
          requestHash: 'h',
          createdAt: new Date(now.getTime() - 25 * 3_600_000),
        },
        {
          scope,
          key: 'young',
          operation: 'POST /x',
          requestHash: 'h',
          createdAt: new Date(now.getTime() - 23 * 3_600_000),
        },
      ]),
    );
    expect(await sweepIdempotencyKeys(db(), now)).toBeGreaterThanOrEqual(1);
    const left = await queryRows<{ key: string }>(
      db(),
      sql`select key from kernel_idempotency_keys where scope = ${scope}`,
    );
    expect(left.map((row) => row.key)).toEqual(['young']);
    const [job] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from kernel_jobs where name = 'kernel.idempotency_sweep'`,
    );
    expect(job!.n).toBeGreaterThanOrEqual(1);
  });

  it('refuses to boot with an idempotent route that anyone may call', async () => {
    const open: CairnModule = {
      name: 'probe',
      description: 'A public route that asks for idempotency keys',
      routes: async (app: FastifyInstance) => {
        app.post(
          '/probe',
          {
            config: { policy: { access: 'public' }, idempotent: true },
            schema: { tags: ['probe'], operationId: 'probe', security: [], response: { 200: z.object({}) } },
          },
          () => ({}),
        );
      },
    };
    await expect(createTestApp({ modules: [...defaultModules, open], database: t.database })).rejects.toThrow(
      /idempotent but public/,
    );
  });
});
