import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../kernel/bus/bus.js';
import { Keyring, type EncryptedTable, type KeyringDependencies } from '../../kernel/crypto/keyring.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { JobQueue } from '../../kernel/jobs/jobs.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createOrganisation } from '../../test/factories.js';
import {
  matchesInbox,
  matchingCall,
  matchingSessionIn,
  registerSubjectAs,
  type MatchingSession,
} from '../../test/matching.js';
import type { LookupResult, Match } from './matching.schemas.js';
import { registerMatchingEncryption } from './matching.service.js';

/**
 * Rotation of the matching key (docs/matching.md: "During a rotation both key versions are searched") with
 * matches in the inboxes: the matches and each side's decisions survive it, and screening finds subjects
 * under either key version while it is half done. Made-up phones and names.
 */

/** One phone written four ways, and one made-up name with four misspellings that sound different. */
const phones = {
  a: '+254 722 913 407',
  b: { number: '0722 913407', defaultCountry: 'KE' },
  c: { number: '0722-913-407', defaultCountry: 'KE' },
  d: '00254722913407',
};
const person = (name: string) => ({ type: 'person', name, birthYear: 1984 });
const names = {
  a: 'Nyokabi Chelagat Barasa',
  b: 'Nyokabi Chelagat Barasaz',
  c: 'Nyokabi Chelagat Barasak',
  d: 'Nyokabi Chelagat Barasam',
  probe: 'Nyokabi Chelagat Barasaf',
};

class RotationPaused extends Error {}

/**
 * A second keyring over the same database — as another process running the rotation job would have — with
 * the matching module's tables registered through the module's own registration, one row per batch, and a
 * rotation that stops (as a crashed job would) at the row after the first `rowsBeforePause`.
 */
class PausingKeyring extends Keyring {
  reindexed = 0;
  rowsBeforePause = 0;

  constructor(deps: KeyringDependencies) {
    super(deps, { rotationBatchSize: 1 });
  }

  override registerEncryptedTable(registration: EncryptedTable): void {
    super.registerEncryptedTable({
      ...registration,
      blindIndexes: registration.blindIndexes?.map((index) => ({
        ...index,
        source: (opened) => {
          if (this.reindexed >= this.rowsBeforePause) throw new RotationPaused('rotation paused by the test');
          this.reindexed++;
          return index.source(opened);
        },
      })),
    });
  }
}

/** What one side sees of a match, and may have decided about it. */
const view = (matches: Match[]) =>
  matches
    .map((m) => ({
      id: m.id,
      matchType: m.matchType,
      status: m.status,
      agreedByUs: m.agreedByUs,
      agreedByThem: m.agreedByThem,
      subject: m.subject.id,
      other: m.otherOrganisation.id,
    }))
    .sort((x, y) => x.id.localeCompare(y.id));

const kinds = (matches: Match[]) => matches.map((m) => `${m.otherOrganisation.id} ${m.matchType}`).sort();

describe('matching: the matching key is rotated with matches in both inboxes', () => {
  let t: TestApp;
  const org: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
  const screener: Partial<Record<'a' | 'b' | 'c' | 'd', MatchingSession>> = {};
  const subject: Partial<Record<'a' | 'b' | 'c', string>> = {};
  let rotation: Awaited<ReturnType<TestApp['app']['kernel']['keys']['rotateBlindIndexKey']>>;
  let before: { a: ReturnType<typeof view>; b: ReturnType<typeof view> };
  let halfway: { a: ReturnType<typeof view>; b: ReturnType<typeof view>; c: ReturnType<typeof view> };

  const as = (side: 'a' | 'b' | 'c' | 'd') => screener[side]!;
  const inbox = async (side: 'a' | 'b' | 'c' | 'd') => matchesInbox(t, as(side));

  async function lookup(side: 'a' | 'b' | 'c' | 'd', selectors: unknown[]): Promise<string[]> {
    const response = await matchingCall(t, as(side), 'POST', '/api/matching/lookups', { selectors });
    expect(response.statusCode, response.body).toBe(200);
    return response
      .json<LookupResult>()
      .hits.map((hit) => `${hit.organisation.id} ${hit.matchType}`)
      .sort();
  }

  /** Per organisation: the key versions of its selectors' blind indexes and of its names' filters. */
  async function versions(): Promise<Record<string, { selectors: string[]; names: number[] }>> {
    return inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      const selectors = await queryRows<{ organisation_id: string; v: string }>(
        tx,
        sql`select distinct organisation_id, split_part(blind_index, '.', 1) as v from matching_selectors
            order by organisation_id, v`,
      );
      const filters = await queryRows<{ organisation_id: string; v: number }>(
        tx,
        sql`select distinct organisation_id, key_version as v from matching_names
            order by organisation_id, v`,
      );
      const out: Record<string, { selectors: string[]; names: number[] }> = {};
      for (const row of selectors)
        (out[row.organisation_id] ??= { selectors: [], names: [] }).selectors.push(row.v);
      for (const row of filters)
        (out[row.organisation_id] ??= { selectors: [], names: [] }).names.push(row.v);
      return out;
    });
  }

  async function rotationState(): Promise<string | undefined> {
    const status = await t.app.kernel.keys.status();
    return status.rotations.find((r) => r.id === rotation.rotationId)?.state;
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CAIRN_RATE_LIMIT_MAX: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_PERSON: '100000',
        CAIRN_MATCHING_LOOKUPS_PER_ORGANISATION: '1000000',
      },
    });
    for (const side of ['a', 'b', 'c', 'd'] as const) {
      org[side] = (await createOrganisation(t.database.db)).id;
      screener[side] = await matchingSessionIn(
        t,
        org[side],
        side === 'a' ? 'investigator' : 'case_supervisor',
      );
    }
  });
  afterAll(() => t.close());

  it('matches two organisations by phone and by a misspelt name; one agrees, the other dismisses', async () => {
    const a = await registerSubjectAs(t, as('a'), {
      kind: 'investigation',
      title: 'Rotation A',
      selectors: [{ type: 'phone', number: phones.a }, person(names.a)],
    });
    subject.a = a.id;
    expect(a.matches).toBe(0);
    const b = await registerSubjectAs(t, as('b'), {
      kind: 'investigation',
      title: 'Rotation B',
      selectors: [{ type: 'phone', ...phones.b }, person(names.b)],
    });
    subject.b = b.id;
    expect(b.matches).toBe(2);
    expect(kinds(await inbox('a'))).toEqual([`${org.b} person_name_fuzzy`, `${org.b} phone`]);
    expect(kinds(await inbox('b'))).toEqual([`${org.a} person_name_fuzzy`, `${org.a} phone`]);

    const ofB = await inbox('b');
    const phoneMatch = ofB.find((m) => m.matchType === 'phone')!;
    const fuzzyMatch = ofB.find((m) => m.matchType === 'person_name_fuzzy')!;
    const act = (side: 'a' | 'b', id: string, action: string) =>
      matchingCall(t, as(side), 'POST', `/api/matching/matches/${id}/actions`, { action });
    expect((await act('b', phoneMatch.id, 'agree')).statusCode).toBe(200);
    expect((await act('a', fuzzyMatch.id, 'dismiss')).statusCode).toBe(200);

    before = { a: view(await inbox('a')), b: view(await inbox('b')) };
    const seenByA = { subject: subject.a, other: org.b };
    expect(before.a).toEqual(
      [
        {
          id: phoneMatch.id,
          matchType: 'phone',
          status: 'new',
          agreedByUs: false,
          agreedByThem: true,
          ...seenByA,
        },
        {
          id: fuzzyMatch.id,
          matchType: 'person_name_fuzzy',
          status: 'dismissed',
          agreedByUs: false,
          agreedByThem: false,
          ...seenByA,
        },
      ].sort((x, y) => x.id.localeCompare(y.id)),
    );
    expect(before.b.find((m) => m.id === phoneMatch.id)).toMatchObject({
      status: 'new',
      agreedByUs: true,
      agreedByThem: false,
    });
  });

  it('half done (one organisation re-indexed, the other not), keeps the inboxes and finds both versions', async () => {
    rotation = await t.app.kernel.keys.rotateBlindIndexKey('matching');
    expect(rotation).toMatchObject({ kind: 'blind_index', scope: 'matching', fromVersion: 1, toVersion: 2 });
    const [old, fresh] = [`b${rotation.fromVersion}`, `b${rotation.toVersion}`];

    // The rotation walks the organisations in id order: pause it after the first one's selectors.
    const perOrganisation = await inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return queryRows<{ organisation_id: string; n: number }>(
        tx,
        sql`select organisation_id, count(*)::int as n from matching_selectors
            group by organisation_id order by organisation_id`,
      );
    });
    expect(perOrganisation.map((row) => row.organisation_id).sort()).toEqual([org.a, org.b].sort());
    const [first, second] = perOrganisation.map((row) => row.organisation_id) as [string, string];
    const kernel = t.app.kernel;
    const pausing = new PausingKeyring({
      db: t.database.db,
      jobs: new JobQueue(t.database.db, kernel.log, new EventBus(kernel.log)),
      log: kernel.log,
      seal: kernel.seal,
      unseal: kernel.unseal,
    });
    registerMatchingEncryption({ ...kernel, keys: pausing });
    pausing.rowsBeforePause = perOrganisation[0]!.n;
    await expect(pausing.runRotation(rotation.rotationId)).rejects.toBeInstanceOf(RotationPaused);
    expect(pausing.reindexed).toBe(perOrganisation[0]!.n);
    expect(await rotationState()).toBe('running');
    expect(await versions()).toEqual({
      [first]: { selectors: [fresh], names: [rotation.toVersion] },
      [second]: { selectors: [old], names: [rotation.fromVersion] },
    });

    // Nothing in either inbox moved.
    expect(view(await inbox('a'))).toEqual(before.a);
    expect(view(await inbox('b'))).toEqual(before.b);

    // A registration now (written under the new key) meets both: by the phone and by a third spelling.
    const c = await registerSubjectAs(t, as('c'), {
      kind: 'investigation',
      title: 'Rotation C',
      selectors: [{ type: 'phone', ...phones.c }, person(names.c)],
    });
    subject.c = c.id;
    expect(c.matches).toBe(4);
    expect(kinds(await inbox('c'))).toEqual(
      [`${org.a} person_name_fuzzy`, `${org.a} phone`, `${org.b} person_name_fuzzy`, `${org.b} phone`].sort(),
    );
    expect((await versions())[org.c]).toEqual({ selectors: [fresh], names: [rotation.toVersion] });
    // Lookups too, exact and fuzzy.
    expect(await lookup('d', [{ type: 'phone', number: phones.d }])).toEqual(
      [`${org.a} phone`, `${org.b} phone`, `${org.c} phone`].sort(),
    );
    expect(await lookup('d', [person(names.probe)])).toEqual(
      [`${org.a} person_name_fuzzy`, `${org.b} person_name_fuzzy`, `${org.c} person_name_fuzzy`].sort(),
    );

    // The first two inboxes gained C's matches and kept theirs as they were.
    const [afterA, afterB] = [view(await inbox('a')), view(await inbox('b'))];
    expect(afterA.filter((m) => before.a.some((b) => b.id === m.id))).toEqual(before.a);
    expect(afterB.filter((m) => before.b.some((b) => b.id === m.id))).toEqual(before.b);
    expect(afterA.filter((m) => m.other === org.c).map((m) => [m.matchType, m.status])).toEqual(
      expect.arrayContaining([
        ['phone', 'new'],
        ['person_name_fuzzy', 'new'],
      ]),
    );
    halfway = { a: afterA, b: afterB, c: view(await inbox('c')) };
  });

  it('once the rotation job finished and the old key is destroyed, keeps the inboxes and still finds everyone', async () => {
    // The app's own rotation job (queued when the rotation started) takes it from where it stopped.
    for (let i = 0; i < 20 && (await rotationState()) === 'running'; i++) await t.app.kernel.jobs.runDue();
    expect(await rotationState()).toBe('done');
    expect(await t.app.kernel.keys.destroyRetiredKeys({ purpose: 'matching' })).toEqual({
      destroyed: [{ kind: 'blind_index', scope: 'matching', version: rotation.fromVersion }],
      kept: [],
    });
    const fresh = { selectors: [`b${rotation.toVersion}`], names: [rotation.toVersion] };
    expect(await versions()).toEqual({ [org.a]: fresh, [org.b]: fresh, [org.c]: fresh });

    expect(view(await inbox('a'))).toEqual(halfway.a);
    expect(view(await inbox('b'))).toEqual(halfway.b);
    expect(view(await inbox('c'))).toEqual(halfway.c);

    const d = await registerSubjectAs(t, as('d'), {
      kind: 'investigation',
      title: 'Rotation D',
      selectors: [{ type: 'phone', number: phones.d }, person(names.d)],
    });
    expect(d.matches).toBe(6);
    expect(kinds(await inbox('d'))).toEqual(
      ['a', 'b', 'c']
        .flatMap((side) => [`${org[side as 'a']} person_name_fuzzy`, `${org[side as 'a']} phone`])
        .sort(),
    );
    expect(await lookup('a', [person(names.probe)])).toEqual(
      [`${org.b} person_name_fuzzy`, `${org.c} person_name_fuzzy`, `${org.d} person_name_fuzzy`].sort(),
    );
    expect(await lookup('a', [{ type: 'phone', ...phones.b }])).toEqual(
      [`${org.b} phone`, `${org.c} phone`, `${org.d} phone`].sort(),
    );
  });
});
