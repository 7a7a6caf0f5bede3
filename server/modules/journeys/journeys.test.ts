import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { loadConfig } from '../../kernel/config.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { regionsOf, searchPlaces } from '../directory/index.js';
import { publishMarked } from './journeys.publication.js';
import type { AreaDocumentAnswer, ModerationItem, Route, WorldDocumentAnswer } from './journeys.schemas.js';

interface Session {
  cookie: string;
  personId: string;
}

const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 10)}`;

describe('journeys: contributing, moderating and the map', () => {
  let t: TestApp;
  let orgA: string;
  let orgAName: string;
  let worker: Session;
  let workerName: string;
  let admin: Session;
  let adminEmail: string;
  let communityMember: Session;
  let outsider: Session;
  let moderator: Session;
  /** Every answer a non-moderator got, to scan for the contributor's identity. */
  const nonModeratorBodies: string[] = [];

  const db = () => t.database.db;
  const doha = () => searchPlaces('Doha', { country: 'QA' })[0]!;
  const hanoi = () => searchPlaces('Hanoi', { country: 'VN' })[0]!;

  async function sessionIn(organisationId: string, role: Role, displayName?: string) {
    const person = await createPerson(db(), {
      passkey: role !== 'member',
      ...(displayName ? { displayName } : {}),
    });
    const m = await createMember(db(), { role, organisationId, personId: person.id });
    const { cookie } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { session: { cookie, personId: m.personId }, email: person.email };
  }

  async function call(
    session: Session | null,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: { payload?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await t.app.inject({
      method,
      url,
      headers: { ...(session ? { cookie: session.cookie } : {}), ...options.headers },
      ...(options.payload === undefined ? {} : { payload: options.payload as Record<string, unknown> }),
    });
    if (session !== moderator) nonModeratorBodies.push(response.body);
    return response;
  }

  const route = (overrides: Record<string, unknown> = {}) => ({
    origin: { placeId: hanoi().id, country: 'VN' },
    destination: { country: 'QA' },
    transits: [{ country: 'TH', borderCrossing: true, transport: 'road' }],
    exploitation: [{ placeId: doha().id, country: 'QA', borderCrossing: true, transport: 'air' }],
    year: 2024,
    quarter: 2,
    exploitationTypes: ['ForcedLabour'],
    industry: 'F_Construction',
    recruitmentMethod: 'ThroughOnlineSocialNetworks',
    people: 3,
    genderBand: 'male',
    ageBand: 'adult',
    nationalityBand: 'asia',
    ...overrides,
  });

  async function contribute(session: Session, body: Record<string, unknown>): Promise<Route> {
    const response = await call(session, 'POST', '/api/journeys/routes', { payload: body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Route>();
  }

  async function decide(id: string, decision: string, version: number, note?: string) {
    return call(moderator, 'POST', `/api/journeys/routes/${id}/decision`, {
      payload: { decision, version, ...(note ? { note } : {}) },
    });
  }

  /** Organisation A's contributions, counted in its own tenant scope (row-level security hides them otherwise). */
  async function routesOfA(): Promise<number> {
    const [count] = await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      return queryRows<{ n: number }>(tx, sql`select count(*)::int as n from journeys_routes`);
    });
    return count!.n;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgAName = `Organisation ${marker}`;
    orgA = (await createOrganisation(db(), { name: orgAName })).id;
    const orgB = (await createOrganisation(db())).id;
    workerName = `Worker ${marker}`;
    worker = (await sessionIn(orgA, 'caseworker', workerName)).session;
    const adminMember = await sessionIn(orgA, 'org_admin');
    admin = adminMember.session;
    adminEmail = adminMember.email;
    communityMember = (await sessionIn(orgA, 'member')).session;
    outsider = (await sessionIn(orgB, 'case_supervisor')).session;
    const mod = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    moderator = { cookie: (await signIn(db(), mod.id)).cookie, personId: mod.id };
  });
  afterAll(() => t.close());

  it('contributes a route with gazetteer places; an Idempotency-Key replays the first answer', async () => {
    const headers = { 'idempotency-key': `journeys-${marker}` };
    const first = await call(worker, 'POST', '/api/journeys/routes', { payload: route(), headers });
    expect(first.statusCode, first.body).toBe(201);
    const created = first.json<Route>();
    expect(created.status).toBe('pending');
    expect(created.origin).toMatchObject({ placeId: hanoi().id, placeName: hanoi().name, country: 'VN' });
    expect(created.origin.region).toBe(hanoi().region);
    expect(created.exploitation[0]).toMatchObject({ country: 'QA', borderCrossing: true, transport: 'air' });
    expect(created.transits).toHaveLength(1);
    expect(created.abilities).toEqual({ update: true, delete: true });
    const again = await call(worker, 'POST', '/api/journeys/routes', { payload: route(), headers });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json<Route>().id).toBe(created.id);
    expect(await routesOfA()).toBe(1);
  });

  it('refuses an invalid route with localised errors, field by field', async () => {
    const future = new Date().getUTCFullYear() + 1;
    const bad = route({
      origin: { placeId: doha().id, country: 'IN' },
      destination: { country: 'VN', region: 'QA.01' },
      exploitation: [{ placeId: 99_999_999, country: 'QA' }],
      year: future,
      quarter: 5,
      people: 0,
      exploitationTypes: ['ForcedLabour', 'ForcedLabour'],
    });
    const response = await call(worker, 'POST', '/api/journeys/routes', { payload: bad });
    expect(response.statusCode).toBe(400);
    const errors = response.json<{ errors: { path: string; code: string; message: string }[] }>().errors;
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.code]));
    expect(byPath).toMatchObject({
      'body.quarter': 'too_big',
      'body.people': 'too_small',
    });
    // Cross-field checks run once the fields themselves are valid.
    const places = await call(worker, 'POST', '/api/journeys/routes', {
      payload: route({
        origin: { placeId: doha().id, country: 'IN' },
        destination: { country: 'VN', region: 'QA.01' },
        exploitation: [{ placeId: 99_999_999, country: 'QA' }],
        year: future,
        exploitationTypes: ['ForcedLabour', 'ForcedLabour'],
      }),
      headers: { 'accept-language': 'fr' },
    });
    expect(places.statusCode).toBe(400);
    const placeErrors = places.json<{ errors: { path: string; code: string; message: string }[] }>().errors;
    expect(Object.fromEntries(placeErrors.map((e) => [e.path, e.code]))).toEqual({
      'body.origin.country': 'journeys.place_country',
      'body.destination.region': 'journeys.region_country',
      'body.exploitation.0.placeId': 'journeys.place_unknown',
      'body.year': 'journeys.period_in_future',
      'body.exploitationTypes': 'journeys.duplicate_value',
    });
    const message = placeErrors.find((e) => e.code === 'journeys.place_country')!.message;
    expect(message).toBe('Le lieu choisi se trouve dans un autre pays. Choisissez le pays correspondant.');
    expect(await routesOfA()).toBe(1);
  });

  it('row-level security hides contributions outside a tenant or platform scope', async () => {
    const [unscoped] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from journeys_routes`,
    );
    expect(unscoped!.n).toBe(0);
    expect(await routesOfA()).toBe(1);
  });

  it('shows an organisation only its own contributions; community members do not contribute', async () => {
    const mine = await contribute(worker, route());
    expect((await call(outsider, 'GET', `/api/journeys/routes/${mine.id}`)).statusCode).toBe(404);
    expect(
      (await call(outsider, 'PATCH', `/api/journeys/routes/${mine.id}`, { payload: { version: 1 } }))
        .statusCode,
    ).toBe(404);
    const theirs = await call(outsider, 'GET', '/api/journeys/routes');
    expect(theirs.json<{ items: Route[] }>().items.map((r) => r.id)).not.toContain(mine.id);
    const ours = await call(admin, 'GET', '/api/journeys/routes');
    expect(ours.json<{ items: Route[] }>().items.map((r) => r.id)).toContain(mine.id);
    expect(
      (await call(communityMember, 'POST', '/api/journeys/routes', { payload: route() })).statusCode,
    ).toBe(403);
  });

  it('changes and withdraws a pending route; once validated, it is the moderators’ to withdraw', async () => {
    const created = await contribute(worker, route());
    const changed = await call(worker, 'PATCH', `/api/journeys/routes/${created.id}`, {
      payload: { version: 1, people: 4, transits: [] },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<Route>()).toMatchObject({ people: 4, version: 2, transits: [], status: 'pending' });
    expect(changed.json<Route>().origin.placeId).toBe(hanoi().id);
    const stale = await call(worker, 'PATCH', `/api/journeys/routes/${created.id}`, {
      payload: { version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    expect((await decide(created.id, 'validate', 2)).statusCode).toBe(200);
    const locked = await call(worker, 'PATCH', `/api/journeys/routes/${created.id}`, {
      payload: { version: 3 },
    });
    expect(locked.statusCode).toBe(409);
    expect((await call(worker, 'DELETE', `/api/journeys/routes/${created.id}`)).statusCode).toBe(409);
    const other = await contribute(worker, route());
    expect((await call(worker, 'DELETE', `/api/journeys/routes/${other.id}`)).statusCode).toBe(204);
    expect((await call(worker, 'GET', `/api/journeys/routes/${other.id}`)).statusCode).toBe(404);
  });

  it('moderators see who contributed; a query mails the organisation without any route detail', async () => {
    const created = await contribute(worker, route());
    const queue = await call(moderator, 'GET', '/api/journeys/moderation');
    expect(queue.statusCode).toBe(200);
    const item = queue.json<{ items: ModerationItem[] }>().items.find((i) => i.id === created.id)!;
    expect(item.organisation).toEqual({ id: orgA, name: orgAName });
    expect(item.contributor).toEqual({ id: worker.personId, name: workerName });

    expect((await decide(created.id, 'query', 1)).statusCode).toBe(400);
    const note = 'Please check the transit point.';
    const queried = await decide(created.id, 'query', 1, note);
    expect(queried.statusCode, queried.body).toBe(200);
    expect(queried.json<ModerationItem>().status).toBe('queried');

    await t.app.kernel.jobs.runDue();
    const dir = path.join(t.config.dataDir, 'outbox');
    const mails = await Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f), 'utf8')));
    const toOrg = mails.filter((m) => m.includes(adminEmail));
    expect(toOrg).toHaveLength(1);
    expect(toOrg[0]).toContain(`/journeys/routes/${created.id}`);
    for (const mail of mails) {
      expect(mail).not.toContain(marker);
      expect(mail).not.toMatch(/Hanoi|Doha|Qatar|Viet/);
    }

    const seen = await call(worker, 'GET', `/api/journeys/routes/${created.id}`);
    expect(seen.json<Route>()).toMatchObject({ status: 'queried', moderatorNote: note });
    const answered = await call(worker, 'PATCH', `/api/journeys/routes/${created.id}`, {
      payload: { version: 2, transits: [] },
    });
    expect(answered.json<Route>().status).toBe('pending');

    const audit = await queryRows<{ action: string; details: Record<string, unknown> }>(
      db(),
      sql`select action, details from kernel_audit where object_id = ${created.id} order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual([
      'journeys.route_contributed',
      'journeys.route_decided',
      'journeys.route_updated',
    ]);
    expect(JSON.stringify(audit)).not.toContain(marker);
  });

  it('shows a flow on the map only once its cell reaches k, at country level publicly', async () => {
    const iceland = searchPlaces('Reykjavik', { country: 'IS' })[0]!;
    const flow = (people: number) =>
      route({
        origin: { placeId: iceland.id, country: 'IS' },
        destination: undefined,
        transits: [],
        exploitation: [{ country: 'NZ' }],
        year: 2023,
        quarter: undefined,
        people,
        exploitationTypes: ['ForcedBegging'],
      });
    // The map shows what the publication job stored (journeys.publication.ts); here it runs at once.
    const publish = () => publishMarked(db(), t.config.journeysK);
    const publicWorld = async (query = '') => {
      const response = await call(null, 'GET', `/api/journeys/map/public/world${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<WorldDocumentAnswer>();
    };
    const first = await contribute(worker, flow(6));
    expect((await decide(first.id, 'validate', 1)).statusCode).toBe(200);
    const pendingOnly = await contribute(worker, flow(500));
    const rejected = await contribute(worker, flow(500));
    expect((await decide(rejected.id, 'reject', 1, 'Duplicate')).statusCode).toBe(200);
    await publish();

    const begging = '?exploitationType=ForcedBegging';
    for (const before of [await publicWorld(), await publicWorld(begging)]) {
      expect(before.flows.filter((f) => f.from === 'IS')).toEqual([]);
      expect(before.countries.IS).toBeUndefined();
    }
    expect((await publicWorld(begging)).total).toBeNull();

    const second = await contribute(worker, flow(6));
    expect((await decide(second.id, 'validate', 1)).statusCode).toBe(200);
    await publish();
    const after = await publicWorld(begging);
    expect(after.flows).toEqual([{ from: 'IS', to: 'NZ', people: 12 }]);
    expect(after.total).toBe(12);
    expect(after.timeline).toEqual([{ year: 2023, people: 12 }]);
    expect(after.countries.IS).toEqual({ total: 12, timeline: [{ year: 2023, people: 12 }] });
    expect(pendingOnly.status).toBe('pending');

    // Filters: another exploitation type has nothing of it; the right one has the flow in its year too.
    const other = await publicWorld('?exploitationType=ForcedLabour');
    expect(other.flows.filter((f) => f.from === 'IS')).toEqual([]);
    const year = await publicWorld(`${begging}&period=2023`);
    expect(year.flows.map((f) => f.people)).toEqual([12]);

    // The member map adds the region level around an area; the public map has no area and no region.
    const member = await call(
      communityMember,
      'GET',
      `/api/journeys/map/area?area=IS&exploitationType=ForcedBegging`,
    );
    expect(member.statusCode).toBe(200);
    expect(member.json<AreaDocumentAnswer>().flows).toEqual([
      { from: iceland.region ?? 'IS', to: 'NZ', people: 12 },
    ]);
    const region = regionsOf('IS')[0]!.code;
    const refused = await call(null, 'GET', `/api/journeys/map/public/world?area=${region}`);
    expect(refused.statusCode).toBe(400);
    expect((await call(null, 'GET', `/api/journeys/map/area?area=${region}`)).statusCode).toBe(401);

    // A validated route rejected later leaves the map with the next publication.
    expect((await decide(second.id, 'reject', 2, 'Duplicate of another route')).statusCode).toBe(200);
    await publish();
    const withdrawn = await publicWorld(begging);
    expect(withdrawn.flows).toEqual([]);
    expect(withdrawn.countries.IS).toBeUndefined();
  });

  it('never lets the contributor’s identity out but to moderators', async () => {
    await call(null, 'GET', '/api/journeys/map/public/world');
    await call(outsider, 'GET', '/api/journeys/map/world');
    await call(outsider, 'GET', '/api/journeys/map/area?area=VN');
    await call(outsider, 'GET', '/api/journeys/map/area?area=QA&exploitationType=ForcedLabour');
    await call(worker, 'GET', '/api/journeys/routes');
    expect(nonModeratorBodies.length).toBeGreaterThan(20);
    for (const body of nonModeratorBodies) {
      expect(body).not.toContain(orgA);
      expect(body).not.toContain(marker);
      expect(body).not.toContain(worker.personId);
    }
    expect(t.rawLogs()).not.toContain(marker);
  });

  it('opens the member map only to members of vetted (active) organisations; the public map to anyone', async () => {
    const pendingOrg = (await createOrganisation(db(), { status: 'pending', tier: null })).id;
    const unvetted = (await sessionIn(pendingOrg, 'caseworker')).session;
    for (const url of ['/api/journeys/map/world', '/api/journeys/map/area?area=VN']) {
      expect((await call(unvetted, 'GET', url)).statusCode).toBe(403);
      expect((await call(null, 'GET', url)).statusCode).toBe(401);
      expect((await call(communityMember, 'GET', url)).statusCode).toBe(200);
    }
    expect((await call(unvetted, 'POST', '/api/journeys/routes', { payload: route() })).statusCode).toBe(403);
    expect((await call(null, 'GET', '/api/journeys/map/public/world')).statusCode).toBe(200);
    expect((await call(unvetted, 'GET', '/api/journeys/map/public/world')).statusCode).toBe(200);
    const unknown = await call(null, 'GET', '/api/journeys/map/public/world?period=1999', {
      headers: { 'accept-language': 'es' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ errors: { path: string; code: string; message: string }[] }>().errors).toEqual([
      {
        path: 'query.period',
        code: 'journeys.period_unknown',
        message: 'El mapa no ofrece este período. Elija uno de sus períodos.',
      },
    ]);
  });

  it('takes k from configuration, never below 11', () => {
    expect(() => loadConfig({ CAIRN_JOURNEYS_K: '10' })).toThrow(/CAIRN_JOURNEYS_K/);
    expect(loadConfig({ CAIRN_JOURNEYS_K: '20' }).journeysK).toBe(20);
    expect(loadConfig({}).journeysK).toBe(11);
  });
});
