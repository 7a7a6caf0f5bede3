import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '../kernel/db/types.js';
import type { CaseFile } from '../modules/cases/cases.schemas.js';
import { createTestApp } from '../test/app.js';
import { stepUp } from '../test/cases.js';
import { createMember, createOrganisation, signIn } from '../test/factories.js';
import { randomAddress, report } from './support.js';

/**
 * The keys suite (issue 9): an organisation's data key and the `lookup` blind-index key are rotated while the
 * API keeps writing case files; afterwards every case opens through the API exactly as written, no value is left
 * under a retired version, duplicate lookups still find old cases, the retired versions can be destroyed, and the
 * other organisation's values never changed.
 */

const t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '1000000' } });
const db = t.database.db;
const keys = t.app.kernel.keys;
afterAll(() => t.close());

async function caseworkerOf(organisationId: string) {
  const m = await createMember(db, { role: 'caseworker', organisationId });
  const session = await signIn(db, m.personId, { membershipId: m.membership.id });
  await stepUp(db, session.sessionId);
  return session.cookie;
}

const orgA = (await createOrganisation(db)).id;
const orgB = (await createOrganisation(db)).id;
const workerA = await caseworkerOf(orgA);
const workerB = await caseworkerOf(orgB);

/** What each case was written with, by id: the identity and the document number. */
const written = new Map<string, { family: string; document: string }>();

async function newCase(cookie: string, label: string): Promise<string> {
  const family = `${label}-${randomUUID().slice(0, 8)}`;
  const document = `DOC-${randomUUID().slice(0, 12)}`;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: { cookie },
    remoteAddress: randomAddress(),
    payload: {
      identity: { firstName: 'Rotation', secondName: family, aliases: [], birthYear: 1990 },
      documents: [{ type: 'Passport', number: document }],
      narrative: { account: `account of ${family}` },
      profile: { gender: 'Feminine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    },
  });
  if (res.statusCode !== 201) throw new Error(`create case: ${res.statusCode} ${res.body}`);
  const id = res.json<{ id: string }>().id;
  written.set(id, { family, document });
  const comment = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${id}/entries`,
    headers: { cookie },
    remoteAddress: randomAddress(),
    payload: { kind: 'comment', body: `note on ${family}` },
  });
  if (comment.statusCode !== 201) throw new Error(`add comment: ${comment.statusCode} ${comment.body}`);
  return id;
}

const casesOfA: string[] = [];
for (let i = 0; i < 40; i++) casesOfA.push(await newCase(workerA, 'before'));
const caseOfB = await newCase(workerB, 'other');

const sealedOf = (organisationId: string) =>
  t.database.asOwner((owner) =>
    queryRows<{ value: string }>(
      owner,
      sql`select identity_sealed as value from cases_files where organisation_id = ${organisationId}
          union all select documents_sealed from cases_files where organisation_id = ${organisationId}
          union all select narrative_sealed from cases_files where organisation_id = ${organisationId}
          union all select sealed from cases_entries where organisation_id = ${organisationId}
          union all select value_sealed from cases_lookup where organisation_id = ${organisationId}`,
    ),
  );
const digestsOf = (organisationId: string) =>
  t.database.asOwner((owner) =>
    queryRows<{ digest: string }>(
      owner,
      sql`select digest from cases_lookup where organisation_id = ${organisationId}`,
    ),
  );
const bBefore = (await sealedOf(orgB)).map((r) => r.value).sort();

// --- rotate both keys while the API keeps writing ---
let writing = true;
let writes = 0;
const writer = (async () => {
  while (writing) {
    casesOfA.push(await newCase(workerA, 'during'));
    writes++;
  }
})();
const dataRotation = await keys.rotateOrganisationKey(orgA);
const indexRotation = await keys.rotateBlindIndexKey('lookup');
let rounds = 0;
const progress = { data: await keys.runRotation(dataRotation.rotationId), index: { state: 'running' } };
while (progress.data.state === 'running' && rounds < 50) {
  progress.data = await keys.runRotation(dataRotation.rotationId);
  rounds++;
}
let indexProgress = await keys.runRotation(indexRotation.rotationId);
while (indexProgress.state === 'running' && rounds < 100) {
  indexProgress = await keys.runRotation(indexRotation.rotationId);
  rounds++;
}
// A few more writes after the switch, then stop.
for (let i = 0; i < 3; i++) casesOfA.push(await newCase(workerA, 'after'));
writing = false;
await writer;
const destroyed = await keys.destroyRetiredKeys({ organisationId: orgA });
const destroyedIndex = await keys.destroyRetiredKeys({ purpose: 'lookup' });

describe('key rotation under traffic', () => {
  it('finished both rotations while the API wrote', () => {
    report(
      `keys: ${casesOfA.length} cases of A (${writes} written during the rotations), ` +
        `data rotation ${dataRotation.fromVersion}→${dataRotation.toVersion} ${progress.data.state}, ` +
        `index rotation ${indexRotation.fromVersion}→${indexRotation.toVersion} ${indexProgress.state}`,
    );
    expect(progress.data.state).toBe('done');
    expect(indexProgress.state).toBe('done');
    expect(dataRotation.toVersion).toBe(dataRotation.fromVersion + 1);
    expect(writes).toBeGreaterThan(0);
  });

  it('left no value of A under the retired versions, and destroyed them', async () => {
    const sealed = (await sealedOf(orgA)).map((r) => r.value).filter((v) => v !== null);
    expect(sealed.length).toBeGreaterThan(casesOfA.length * 3);
    expect(sealed.filter((v) => !v.startsWith(`k${dataRotation.toVersion}.`))).toEqual([]);
    const digests = (await digestsOf(orgA)).map((r) => r.digest);
    expect(digests.filter((d) => !d.startsWith(`b${indexRotation.toVersion}.`))).toEqual([]);
    expect(destroyed.destroyed).toEqual([
      { kind: 'organisation', scope: orgA, version: dataRotation.fromVersion },
    ]);
    expect(destroyedIndex.destroyed.map((d) => d.version)).toEqual([indexRotation.fromVersion]);
    expect(destroyed.kept).toEqual([]);
  });

  it('opens every case of A through the API exactly as it was written, after the old keys are gone', async () => {
    const mismatches: string[] = [];
    for (const id of casesOfA) {
      const res = await t.app.inject({
        url: `/api/cases/${id}?reveal=true`,
        headers: { cookie: workerA },
        remoteAddress: randomAddress(),
      });
      const file = res.json<CaseFile>();
      const expected = written.get(id)!;
      const comment = file.entries.find((e) => e.kind === 'comment')?.fields.body;
      if (
        res.statusCode !== 200 ||
        file.identity?.secondName !== expected.family ||
        file.documents?.[0]?.number !== expected.document ||
        file.narrative?.account !== `account of ${expected.family}` ||
        comment !== `note on ${expected.family}`
      )
        mismatches.push(`${id}: ${res.statusCode}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('still finds old and new cases by document number', async () => {
    for (const id of [casesOfA[0]!, casesOfA.at(-1)!]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/cases/duplicate-checks',
        headers: { cookie: workerA },
        remoteAddress: randomAddress(),
        payload: { documentNumbers: [written.get(id)!.document] },
      });
      expect(res.json<{ matches: { caseId: string | null }[] }>().matches.map((m) => m.caseId)).toEqual([id]);
    }
  });

  it('never touched the other organisation', async () => {
    expect((await sealedOf(orgB)).map((r) => r.value).sort()).toEqual(bBefore);
    const res = await t.app.inject({
      url: `/api/cases/${caseOfB}?reveal=true`,
      headers: { cookie: workerB },
      remoteAddress: randomAddress(),
    });
    expect(res.json<CaseFile>().identity?.secondName).toBe(written.get(caseOfB)!.family);
  });
});
