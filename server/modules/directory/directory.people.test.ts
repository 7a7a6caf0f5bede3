import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelAudit } from '../../kernel/db/kernel.tables.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { identityMemberships, identityOrganisations } from '../identity/index.js';
import type {
  ContactMessage,
  MessagePage,
  MyPersonProfile,
  PeoplePage,
  PersonProfile,
} from './directory.people.schemas.js';
import { dailyMessageLimit } from './directory.people.service.js';
import { directoryContactMessages } from './directory.tables.js';

const unique = () => randomBytes(4).toString('hex');

/** Every mail to an address so far (after running due jobs), quoted-printable undone, oldest first. */
async function mailsTo(t: TestApp, email: string): Promise<string[]> {
  await t.app.kernel.jobs.runDue();
  const dir = path.join(t.config.dataDir, 'outbox');
  const found: string[] = [];
  for (const file of (await readdir(dir).catch(() => [] as string[])).sort()) {
    const content = await readFile(path.join(dir, file), 'utf8');
    if (/^To: (.*)$/m.exec(content)?.[1]?.trim().toLowerCase() !== email.toLowerCase()) continue;
    const source = content.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < source.length; i++) {
      const hex = source.slice(i + 1, i + 3);
      if (source[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(...Buffer.from(source[i]!, 'utf8'));
    }
    found.push(Buffer.from(bytes).toString('utf8'));
  }
  return found;
}

describe('directory people: professional profiles and messages through Cairn', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;

  /** A signed-in member (role `member`) of an organisation, made when not given, with a findable name. */
  async function member(spec: { organisationId?: string; name?: string } = {}) {
    const person = await createPerson(db(), { displayName: spec.name ?? `Person ${unique()}` });
    const m = await createMember(db(), { organisationId: spec.organisationId, personId: person.id });
    const { cookie } = await signIn(db(), person.id, { membershipId: m.membership.id });
    return { ...m, email: person.email, name: person.displayName, cookie };
  }

  type Member = Awaited<ReturnType<typeof member>>;

  const call = (
    who: Member | null,
    method: 'GET' | 'PUT' | 'POST',
    url: string,
    options: { payload?: unknown; language?: string } = {},
  ) =>
    t.app.inject({
      method,
      url,
      payload: options.payload as Record<string, unknown> | undefined,
      headers: {
        ...(who ? { cookie: who.cookie } : {}),
        ...(options.language ? { 'accept-language': options.language } : {}),
      },
    });

  const save = (who: Member, payload: Record<string, unknown>) =>
    call(who, 'PUT', '/api/directory/people/me', { payload });
  const search = (who: Member, query: string) => call(who, 'GET', `/api/directory/people?${query}`);
  const send = (from: Member, to: string, body: string, language?: string) =>
    call(from, 'POST', `/api/directory/people/${to}/messages`, { payload: { body }, language });
  const inbox = async (who: Member, box: 'inbox' | 'sent' = 'inbox') =>
    (await call(who, 'GET', `/api/directory/messages?box=${box}`)).json<MessagePage>();

  it('lists a profile only while it is published, and never with an email address', async () => {
    const tag = unique();
    const amina = await member({ name: `Amina Odhiambo ${tag}` });
    const reader = await member();

    // Before saving: an empty, unpublished profile under the active organisation.
    const empty = await call(amina, 'GET', '/api/directory/people/me');
    expect(empty.statusCode).toBe(200);
    expect(empty.json<MyPersonProfile>()).toMatchObject({
      published: false,
      updatedAt: null,
      organisation: { id: amina.organisationId },
    });

    const profile = {
      jobTitle: 'Legal aid lawyer, migrant fishers',
      bio: 'Labour cases on Thai fishing vessels.',
      expertise: ['legal_aid', 'prosecution'],
      languages: ['sw', 'th'],
      countries: ['KE', 'TH'],
    };
    const draft = await save(amina, { ...profile, published: false });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json<MyPersonProfile>().updatedAt).not.toBeNull();
    expect((await search(reader, `q=${tag}`)).json<PeoplePage>().items).toEqual([]);
    expect((await call(reader, 'GET', `/api/directory/people/${amina.personId}`)).statusCode).toBe(404);
    // Its owner still reads it, as it stands.
    const own = await call(amina, 'GET', `/api/directory/people/${amina.personId}`);
    expect(own.json<PersonProfile>()).toMatchObject({ published: false, abilities: { edit: true } });

    expect((await save(amina, { ...profile, published: true })).statusCode).toBe(200);
    const found = await search(reader, `q=${tag}`);
    expect(found.json<PeoplePage>().items).toEqual([
      expect.objectContaining({
        personId: amina.personId,
        jobTitle: profile.jobTitle,
        organisation: expect.objectContaining({ id: amina.organisationId }) as unknown,
      }),
    ]);
    // Every filter narrows; text ignores accents and case, and matches the job title.
    for (const query of [
      'expertise=legal_aid',
      'language=th',
      'country=TH',
      'q=FISHERS',
      'q=l%C3%A9gal%20aid', // "légal aid"
    ]) {
      const ids = (await search(reader, `${query}&limit=50`)).json<PeoplePage>().items.map((p) => p.personId);
      expect(ids, query).toContain(amina.personId);
    }
    for (const query of ['expertise=shelter', 'language=fr', 'country=UG']) {
      const ids = (await search(reader, `${query}&q=${tag}`)).json<PeoplePage>().items.map((p) => p.personId);
      expect(ids, query).toEqual([]);
    }
    // Wildcards are text: "%" matches only a literal percent sign.
    expect((await search(reader, `q=%25`)).json<PeoplePage>().items).toEqual([]);

    const read = await call(reader, 'GET', `/api/directory/people/${amina.personId}`);
    expect(read.json<PersonProfile>()).toMatchObject({
      bio: profile.bio,
      stale: false,
      abilities: { contact: true, edit: false },
    });
    // SECURITY: no response carries an email address, neither the person's nor the reader's.
    for (const body of [found.body, read.body, own.body, draft.body]) {
      expect(body).not.toContain(amina.email);
      expect(body).not.toContain(reader.email);
      expect(body).not.toMatch(/@cairn\.test/);
    }

    // Unpublishing takes the person out of search and contact at once.
    expect((await save(amina, { ...profile, published: false })).statusCode).toBe(200);
    expect((await search(reader, `q=${tag}`)).json<PeoplePage>().items).toEqual([]);
    expect((await call(reader, 'GET', `/api/directory/people/${amina.personId}`)).statusCode).toBe(404);
    expect((await send(reader, amina.personId, 'Hello?')).statusCode).toBe(404);

    const audit = await db()
      .select()
      .from(kernelAudit)
      .where(
        and(
          eq(kernelAudit.action, 'directory.person_profile_updated'),
          eq(kernelAudit.objectId, amina.personId),
        ),
      );
    expect(audit.map((row) => row.details)).toEqual([
      { published: false },
      { published: true },
      { published: false },
    ]);
  });

  it('drops people whose organisation is suspended or who left it', async () => {
    const tag = unique();
    const leaver = await member({ name: `Leaver ${tag}` });
    const suspended = await member({ name: `Suspended ${tag}` });
    const reader = await member();
    for (const who of [leaver, suspended]) {
      expect((await save(who, { published: true, jobTitle: 'Outreach worker' })).statusCode).toBe(200);
    }
    const names = async () =>
      (await search(reader, `q=${tag}`))
        .json<PeoplePage>()
        .items.map((p) => p.name)
        .sort();
    expect(await names()).toEqual([`Leaver ${tag}`, `Suspended ${tag}`]);

    await db()
      .update(identityOrganisations)
      .set({ status: 'suspended' })
      .where(eq(identityOrganisations.id, suspended.organisationId));
    await inTransaction(db(), async (tx) => {
      await setPlatformScope(tx);
      await tx.delete(identityMemberships).where(eq(identityMemberships.id, leaver.membership.id));
    });
    expect(await names()).toEqual([]);
    expect((await call(reader, 'GET', `/api/directory/people/${leaver.personId}`)).statusCode).toBe(404);
  });

  it('pages through people and messages without repeating anyone', async () => {
    const tag = unique();
    const reader = await member();
    const people = [];
    for (const name of ['Chen', 'Adebayo', 'Bui', 'Dlamini', 'Estrada']) {
      const person = await member({ name: `${name} ${tag}` });
      expect((await save(person, { published: true, jobTitle: 'Caseworker' })).statusCode).toBe(200);
      people.push(person);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: PeoplePage = (await search(reader, query)).json<PeoplePage>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.name.split(' ')[0]!));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Adebayo', 'Bui', 'Chen', 'Dlamini', 'Estrada']);

    expect((await save(reader, { published: true, jobTitle: 'Coordinator' })).statusCode).toBe(200);
    for (const [index, person] of people.entries()) {
      expect((await send(person, reader.personId, `Message ${index}`)).statusCode).toBe(201);
    }
    const bodies: string[] = [];
    cursor = null;
    do {
      const res = await call(
        reader,
        'GET',
        `/api/directory/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const page: MessagePage = res.json<MessagePage>();
      bodies.push(...page.items.map((m) => m.body));
      expect(page.unread).toBe(5);
      cursor = page.nextCursor;
    } while (cursor);
    expect(bodies).toEqual(['Message 4', 'Message 3', 'Message 2', 'Message 1', 'Message 0']);

    const tampered = await call(reader, 'GET', '/api/directory/messages?cursor=bm90LWEtY3Vyc29y');
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json<{ errors: Array<{ code: string }> }>().errors[0]?.code).toBe(
      'directory.people_invalid_cursor',
    );
    const forged = Buffer.from(JSON.stringify(['yesterday', people[0]!.personId])).toString('base64url');
    expect((await call(reader, 'GET', `/api/directory/messages?cursor=${forged}`)).statusCode).toBe(400);
  });

  it('delivers a message to its recipient only, with a mail that carries neither the text nor an address', async () => {
    const org = await createOrganisation(db(), { name: `Mekong Legal Aid ${unique()}` });
    const sender = await member({ organisationId: org.id, name: `Sophea Chan ${unique()}` });
    const recipient = await member({ name: `Joseph Okello ${unique()}` });
    const stranger = await member();
    expect((await save(recipient, { published: true, jobTitle: 'Shelter manager' })).statusCode).toBe(200);

    const text = 'A boy from Kampong Cham needs a shelter place near Mombasa this week.';
    const sent = await send(sender, recipient.personId, text);
    expect(sent.statusCode, sent.body).toBe(201);
    const message = sent.json<ContactMessage>();
    expect(message).toMatchObject({
      direction: 'sent',
      counterpart: { personId: recipient.personId, name: recipient.name },
      body: text,
      readAt: null,
    });
    expect(sent.body).not.toContain(recipient.email);

    const mails = await mailsTo(t, recipient.email);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toContain(`${sender.name} from ${org.name} sent you a message on Cairn`);
    expect(mail).toContain('/directory/messages');
    // SECURITY: the mail leaves Cairn, so it says only who wrote: no text, no sender address.
    expect(mail).not.toContain('Kampong');
    expect(mail).not.toContain('Mombasa');
    expect(mail).not.toContain(sender.email);
    expect(await mailsTo(t, sender.email)).toEqual([]);

    // The recipient reads it in the app; the stranger's inbox does not have it, and to them it does not exist.
    const received = await call(recipient, 'GET', '/api/directory/messages?box=inbox');
    const page = received.json<MessagePage>();
    expect(page.unread).toBe(1);
    expect(page.items).toEqual([
      expect.objectContaining({
        id: message.id,
        direction: 'received',
        body: text,
        counterpart: {
          personId: sender.personId,
          name: sender.name,
          organisation: { id: org.id, name: org.name },
        },
        abilities: { reply: true, markRead: true },
      }),
    ]);
    expect(received.body).not.toContain(sender.email);
    expect((await inbox(stranger)).items).toEqual([]);
    expect((await inbox(stranger, 'sent')).items).toEqual([]);
    expect((await call(stranger, 'POST', `/api/directory/messages/${message.id}/read`)).statusCode).toBe(404);
    // Its sender sees it among the sent, but may not mark it read for the recipient.
    expect((await inbox(sender, 'sent')).items.map((m) => m.id)).toEqual([message.id]);
    expect((await call(sender, 'POST', `/api/directory/messages/${message.id}/read`)).statusCode).toBe(403);

    const marked = await call(recipient, 'POST', `/api/directory/messages/${message.id}/read`);
    expect(marked.statusCode).toBe(200);
    expect(marked.json<ContactMessage>().readAt).not.toBeNull();
    expect((await inbox(recipient)).unread).toBe(0);
    expect((await inbox(sender, 'sent')).items[0]?.readAt).not.toBeNull();

    // The recipient can answer, though the sender has no published profile: they wrote first.
    const reply = await send(recipient, sender.personId, 'Yes — call our intake line through Cairn.');
    expect(reply.statusCode, reply.body).toBe(201);
    expect((await inbox(sender)).items[0]).toMatchObject({
      direction: 'received',
      counterpart: { name: recipient.name },
    });
    // Nobody else may write to an unpublished person who never wrote to them.
    expect((await send(stranger, sender.personId, 'Hello')).statusCode).toBe(404);
    expect((await send(stranger, '00000000-0000-4000-8000-000000000000', 'Hello')).statusCode).toBe(404);

    const audit = await db()
      .select()
      .from(kernelAudit)
      .where(
        and(eq(kernelAudit.action, 'directory.contact_message_sent'), eq(kernelAudit.objectId, message.id)),
      );
    expect(audit.map((row) => row.details)).toEqual([{ messageId: message.id }]);
    // SECURITY: the text never reaches the logs.
    expect(t.rawLogs()).not.toContain('Kampong');
  });

  it('writes the mail in the recipient’s language', async () => {
    const sender = await member();
    const recipient = await member();
    await save(recipient, { published: true, jobTitle: 'Psychologue' });
    const { identityPeople } = await import('../identity/index.js');
    await db()
      .update(identityPeople)
      .set({ language: 'fr' })
      .where(eq(identityPeople.id, recipient.personId));
    expect((await send(sender, recipient.personId, 'Bonjour')).statusCode).toBe(201);
    const [mail] = await mailsTo(t, recipient.email);
    expect(mail).toContain('vous a envoyé un message sur Cairn');
    expect(mail).not.toContain('Bonjour');
  });

  it('explains bad input in the reader’s language', async () => {
    const who = await member();
    const target = await member();
    await save(target, { published: true, jobTitle: 'Interpreter' });
    type Problem = { errors: Array<{ path: string; code: string; message: string }> };

    const unnamed = await save(who, { published: true, expertise: ['legal_aid', 'legal_aid', 'astrology'] });
    expect(unnamed.statusCode).toBe(400);
    const paths = unnamed.json<Problem>().errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.expertise.2']));

    const noTitle = await call(who, 'PUT', '/api/directory/people/me', {
      payload: { published: true, expertise: ['legal_aid', 'legal_aid'] },
      language: 'fr',
    });
    expect(noTitle.statusCode).toBe(400);
    const errors = noTitle.json<Problem>().errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'body.expertise',
          code: 'directory.people_duplicate',
          message: 'Chaque valeur ne peut apparaître qu’une fois.',
        }),
      ]),
    );
    const titled = await call(who, 'PUT', '/api/directory/people/me', {
      payload: { published: true, jobTitle: '   ' },
      language: 'es',
    });
    expect(titled.json<Problem>().errors).toEqual([
      {
        path: 'body.jobTitle',
        code: 'directory.people_job_title_required',
        message: 'Añada su función o cargo antes de publicar su perfil.',
      },
    ]);
    const badCodes = await save(who, { languages: ['xx'], countries: ['ZZ'] });
    expect(
      badCodes
        .json<Problem>()
        .errors.map((e) => e.path)
        .sort(),
    ).toEqual(['body.countries.0', 'body.languages.0']);

    const long = await send(who, target.personId, 'x'.repeat(2001), 'fr');
    expect(long.statusCode).toBe(400);
    expect(long.json<Problem>().errors[0]).toMatchObject({ path: 'body.body', code: 'too_big' });
    // ICU formats the number the French way (2 000, with a narrow no-break space).
    expect(long.json<Problem>().errors[0]?.message).toMatch(/^Doit contenir au plus 2\s?000 caractères\.$/u);
    expect((await send(who, target.personId, 'x'.repeat(2000))).statusCode).toBe(201);
    const blank = await send(who, target.personId, '   ', 'ar');
    expect(blank.json<Problem>().errors[0]).toMatchObject({
      code: 'directory.people_message_empty',
      message: 'اكتب رسالة.',
    });
    const self = await send(target, target.personId, 'Note to self');
    expect(self.json<Problem>().errors[0]).toMatchObject({ code: 'directory.people_self_message' });
  });

  it('limits messages per person: ten a minute, and fifty a day across processes', async () => {
    const target = await member();
    await save(target, { published: true, jobTitle: 'Coordinator' });
    const busy = await member();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await send(busy, target.personId, `Hello ${i}`)).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another person is not held back by the first one's limit.
    const other = await member();
    expect((await send(other, target.personId, 'Hello')).statusCode).toBe(201);

    // The daily count is kept in the database, so a restart or another process does not reset it.
    const prolific = await member();
    await db()
      .insert(directoryContactMessages)
      .values(
        Array.from({ length: dailyMessageLimit }, () => ({
          fromPersonId: prolific.personId,
          fromOrganisationId: prolific.organisationId,
          toPersonId: target.personId,
          body: 'Earlier',
        })),
      );
    const refused = await send(prolific, target.personId, 'One more');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(86_000);
  });

  it('keeps people search and messages for members', async () => {
    const anonymous = await t.app.inject({ url: '/api/directory/people' });
    expect(anonymous.statusCode).toBe(401);
    const staff = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const { cookie } = await signIn(db(), staff.id);
    const refused = await t.app.inject({ url: '/api/directory/messages', headers: { cookie } });
    expect(refused.statusCode).toBe(403);
  });
});
