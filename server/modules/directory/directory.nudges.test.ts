import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelJobs } from '../../kernel/db/kernel.tables.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { createMember, createPerson } from '../../test/factories.js';
import { identityPeople } from '../identity/index.js';
import { nextNudgeRun, scheduleProfileNudges, sendProfileNudges } from './directory.nudges.js';
import { directoryProfiles } from './directory.tables.js';

const monthsAgo = (months: number) => {
  const date = new Date();
  date.setUTCMonth(date.getUTCMonth() - months);
  return date;
};

describe('directory: the nudge to update a stale profile', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  /** The decoded mails to an address so far, oldest first (quoted-printable undone). */
  async function mailsTo(email: string): Promise<string[]> {
    const dir = path.join(t.config.dataDir, 'outbox');
    const out: string[] = [];
    for (const file of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const raw = await readFile(path.join(dir, file), 'utf8');
      if (/^To: (.*)$/m.exec(raw)?.[1]?.trim() !== email) continue;
      const joined = raw.replace(/=\r?\n/g, '');
      const bytes: number[] = [];
      for (let i = 0; i < joined.length; i++) {
        const hex = joined.slice(i + 1, i + 3);
        if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
      }
      // Long header lines are folded (RFC 5322); unfolding them lets a test read the subject whole.
      out.push(
        Buffer.from(bytes)
          .toString('utf8')
          .replace(/\r?\n[ \t]+/g, ' '),
      );
    }
    return out;
  }

  async function personWith(organisationId: string, role: 'org_admin' | 'member', language = 'en') {
    const person = await createPerson(db(), { passkey: true });
    await db().update(identityPeople).set({ language }).where(eq(identityPeople.id, person.id));
    await createMember(db(), { organisationId, personId: person.id, role });
    return person.email;
  }

  const nudgeJobs = () =>
    db()
      .select()
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, 'directory.profile_nudges'), eq(kernelJobs.status, 'pending')));

  it('mails each org admin once, in their language, with a link to edit the profile', async () => {
    // Start-up queued the first run; another process starting queues nothing more.
    await scheduleProfileNudges(t.app.kernel);
    expect(await nudgeJobs()).toHaveLength(1);

    const stale = await createProfile(db(), { updatedAt: monthsAgo(7) });
    const fresh = await createProfile(db(), { updatedAt: monthsAgo(2) });
    const english = await personWith(stale.organisationId, 'org_admin');
    const french = await personWith(stale.organisationId, 'org_admin', 'fr');
    const plainMember = await personWith(stale.organisationId, 'member');
    const freshAdmin = await personWith(fresh.organisationId, 'org_admin');

    await t.app.kernel.jobs.runDue(); // the daily sweep
    await t.app.kernel.jobs.runDue(); // the mails it queued

    const [englishMail, ...moreEnglish] = await mailsTo(english);
    expect(moreEnglish).toEqual([]);
    expect(englishMail).toMatch(/Subject: Is the directory profile of Test organisation \w+ still right\?/);
    expect(englishMail).toContain(`/directory/organisations/${stale.organisationId}/edit`);
    expect(englishMail).toContain('more than 6 months ago');
    const frenchMails = await mailsTo(french);
    expect(frenchMails).toHaveLength(1);
    expect(frenchMails[0]).toContain('dans l’annuaire de Cairn a été mis à jour pour la dernière fois');
    expect(await mailsTo(plainMember)).toEqual([]);
    expect(await mailsTo(freshAdmin)).toEqual([]);

    const [row] = await db()
      .select()
      .from(directoryProfiles)
      .where(eq(directoryProfiles.organisationId, stale.organisationId));
    expect(row?.staleNudgedAt).toBeInstanceOf(Date);

    // The run queued tomorrow's.
    const tomorrow = nextNudgeRun(new Date());
    expect(await nudgeJobs()).toEqual([
      expect.objectContaining({
        runAt: tomorrow,
        dedupeKey: `directory.profile_nudges:${tomorrow.toISOString().slice(0, 10)}`,
      }),
    ]);

    // The next sweep nudges nobody twice.
    expect(await sendProfileNudges(t.app.kernel)).toEqual({ nudged: 0 });
    await t.app.kernel.jobs.runDue();
    expect(await mailsTo(english)).toHaveLength(1);
    expect(await mailsTo(french)).toHaveLength(1);

    // Saving the profile starts the clock again; six months after the nudge with no update, it comes again.
    expect(
      (await sendProfileNudges(t.app.kernel, new Date(Date.now() + 200 * 86_400_000))).nudged,
    ).toBeGreaterThanOrEqual(1);
    await t.app.kernel.jobs.runDue();
    expect(await mailsTo(english)).toHaveLength(2);
  });

  it('leaves suspended organisations alone', async () => {
    const stale = await createProfile(db(), {
      organisation: { status: 'suspended' },
      updatedAt: monthsAgo(8),
    });
    const admin = await personWith(stale.organisationId, 'org_admin');
    await sendProfileNudges(t.app.kernel);
    await t.app.kernel.jobs.runDue();
    expect(await mailsTo(admin)).toEqual([]);
  });
});
