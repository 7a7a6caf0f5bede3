import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation } from '../../test/factories.js';
import { matchingCall, matchingSessionIn, type MatchingSession } from '../../test/matching.js';
import type { LookupResult } from './matching.schemas.js';

/**
 * The lookup quotas of issue 8 (docs/matching.md, "Lookups"): lookups and registrations per person and per
 * organisation in any 24 hours, refused with 429 and the wait once used up. Made-up phones only.
 */

/** A strong selector, so each lookup is allowed on its own; a new number each time. */
let phoneSerial = 100;
const phoneLookup = () => ({
  selectors: [{ type: 'phone', number: `+254 733 555 ${String(phoneSerial++)}` }],
});
const registration = () => ({
  kind: 'investigation',
  title: 'Quota probe',
  selectors: [{ type: 'phone', number: `+254 733 666 ${String(phoneSerial++)}` }],
});

function lookupAs(t: TestApp, session: MatchingSession) {
  return matchingCall(t, session, 'POST', '/api/matching/lookups', phoneLookup());
}

function registerAs(t: TestApp, session: MatchingSession) {
  return matchingCall(t, session, 'POST', '/api/matching/subjects', registration());
}

async function remainingOf(response: LightMyRequestResponse): Promise<LookupResult['remaining']> {
  expect(response.statusCode, response.body).toBe(200);
  return response.json<LookupResult>().remaining;
}

/** A 429 of the quota: code rate_limited, the same whole number of seconds in Retry-After and the detail. */
function waitOf(response: LightMyRequestResponse): number {
  expect(response.statusCode, response.body).toBe(429);
  const problem = response.json<{ code: string; status: number; detail: string }>();
  expect(problem).toMatchObject({ code: 'rate_limited', status: 429 });
  const seconds = Number(response.headers['retry-after']);
  expect(Number.isInteger(seconds) && seconds > 0, String(response.headers['retry-after'])).toBe(true);
  expect(problem.detail).toBe(
    `Too many requests. Try again in ${new Intl.NumberFormat('en').format(seconds)} seconds.`,
  );
  return seconds;
}

/** What the organisation's lookups left behind: its rows in matching_lookups and its audit events. */
async function traces(t: TestApp, organisationId: string) {
  return inTransaction(t.database.db, async (tx) => {
    await setPlatformScope(tx);
    const rows = await queryRows<{ person_id: string; purpose: string }>(
      tx,
      sql`select person_id, purpose from matching_lookups where organisation_id = ${organisationId}
          order by created_at, id`,
    );
    const events = await queryRows<{ action: string; n: number }>(
      tx,
      sql`select action, count(*)::int as n from kernel_audit
          where organisation_id = ${organisationId}
            and action in ('matching.lookup', 'matching.subject_registered')
          group by action order by action`,
    );
    return { rows, events: Object.fromEntries(events.map((e) => [e.action, e.n])) };
  });
}

/** Moves one person's oldest lookup (or registration) of the organisation back in time, as the owner. */
async function age(t: TestApp, personId: string, interval: string): Promise<void> {
  await t.database.asOwner(async (db) => {
    await db.execute(sql`update matching_lookups set created_at = now() - ${interval}::interval
      where id = (select id from matching_lookups where person_id = ${personId}
                  order by created_at, id limit 1)`);
  });
}

describe('matching quotas: per organisation', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let first: MatchingSession;
  let second: MatchingSession;
  let other: MatchingSession;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '10',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '3',
      },
    });
    orgA = (await createOrganisation(t.database.db)).id;
    orgB = (await createOrganisation(t.database.db)).id;
    first = await matchingSessionIn(t, orgA, 'investigator');
    second = await matchingSessionIn(t, orgA, 'case_supervisor');
    other = await matchingSessionIn(t, orgB, 'case_supervisor');
  });
  afterAll(() => t.close());

  it('shares one quota between the people of an organisation, registrations included', async () => {
    expect(t.config.matchingQuotas).toEqual({ perPerson: 10, perOrganisation: 3 });
    // What is left after each lookup: the person's and the organisation's, counting this one.
    expect(await remainingOf(await lookupAs(t, first))).toEqual({ person: 9, organisation: 2 });
    expect(await remainingOf(await lookupAs(t, second))).toEqual({ person: 9, organisation: 1 });
    // A registration is counted like a lookup (matching_lookups, purpose 'register').
    const registered = await registerAs(t, second);
    expect(registered.statusCode, registered.body).toBe(201);
    expect((await traces(t, orgA)).rows).toEqual([
      { person_id: first.personId, purpose: 'lookup' },
      { person_id: second.personId, purpose: 'lookup' },
      { person_id: second.personId, purpose: 'register' },
    ]);

    // The fourth overall is refused, whoever asks and however: each person has used at most 2 of their 10.
    const before = await traces(t, orgA);
    expect(before.events).toEqual({ 'matching.lookup': 2, 'matching.subject_registered': 1 });
    for (const refused of [await lookupAs(t, first), await lookupAs(t, second), await registerAs(t, first)]) {
      // The oldest counted lookup was made a moment ago: the quota frees up in about 24 hours.
      const seconds = waitOf(refused);
      expect(seconds).toBeGreaterThan(86_400 - 120);
      expect(seconds).toBeLessThanOrEqual(86_400);
    }
    // A refused lookup (or registration) leaves no row and no audit event.
    expect(await traces(t, orgA)).toEqual(before);
  });

  it('leaves another organisation its own quota', async () => {
    expect(await remainingOf(await lookupAs(t, other))).toEqual({ person: 9, organisation: 2 });
    expect((await traces(t, orgB)).rows).toEqual([{ person_id: other.personId, purpose: 'lookup' }]);
    expect(waitOf(await lookupAs(t, first))).toBeGreaterThan(86_400 - 120);
  });

  it('counts the wait from the organisation’s oldest lookup of the last 24 hours, and frees it as it ages out', async () => {
    // The first person's lookup is the organisation's oldest: 23 hours old, it frees up in about an hour.
    await age(t, first.personId, '23 hours');
    const seconds = waitOf(await lookupAs(t, second));
    expect(seconds).toBeGreaterThan(3_600 - 120);
    expect(seconds).toBeLessThanOrEqual(3_600);
    // 25 hours ago it no longer counts: one lookup is free again, for either person.
    await age(t, first.personId, '25 hours');
    expect(await remainingOf(await lookupAs(t, first))).toEqual({ person: 9, organisation: 0 });
    expect(waitOf(await lookupAs(t, first))).toBeGreaterThan(86_400 - 120);
    expect((await traces(t, orgA)).events).toEqual({
      'matching.lookup': 3,
      'matching.subject_registered': 1,
    });
  });
});

describe('matching quotas: per person', () => {
  let t: TestApp;
  let orgC: string;
  let busy: MatchingSession;
  let colleague: MatchingSession;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '2',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '100',
      },
    });
    orgC = (await createOrganisation(t.database.db)).id;
    busy = await matchingSessionIn(t, orgC, 'investigator');
    colleague = await matchingSessionIn(t, orgC, 'investigator');
  });
  afterAll(() => t.close());

  it('refuses a person’s third lookup or registration while colleagues keep theirs', async () => {
    expect(await remainingOf(await lookupAs(t, busy))).toEqual({ person: 1, organisation: 99 });
    expect((await registerAs(t, busy)).statusCode).toBe(201);
    const before = await traces(t, orgC);
    const refusedLookup = await lookupAs(t, busy);
    expect(waitOf(refusedLookup)).toBeGreaterThan(86_400 - 120);
    expect(waitOf(await registerAs(t, busy))).toBeGreaterThan(86_400 - 120);
    expect(await traces(t, orgC)).toEqual(before);
    expect(before.rows.map((row) => row.purpose)).toEqual(['lookup', 'register']);
    // The organisation has 98 left: a colleague is not held back by the busy person.
    expect(await remainingOf(await lookupAs(t, colleague))).toEqual({ person: 1, organisation: 97 });
  });

  it('counts the wait from the person’s own oldest lookup, not the organisation’s', async () => {
    // The colleague's lookup is the organisation's oldest (23 h); the busy person's oldest is 22 h old.
    await age(t, colleague.personId, '23 hours');
    await age(t, busy.personId, '22 hours');
    const seconds = waitOf(await lookupAs(t, busy));
    expect(seconds).toBeGreaterThan(7_200 - 120);
    expect(seconds).toBeLessThanOrEqual(7_200);
  });
});
