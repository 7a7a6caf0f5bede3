import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { kernelJobs } from '../../kernel/db/kernel.tables.js';
import { queryRows } from '../../kernel/db/types.js';
import { filesFolder } from '../../kernel/storage/storage.js';
import { zip } from '../../security/uploads.files.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { pdf, photo } from '../../test/attachments.js';
import { stepUp } from '../../test/cases.js';
import { testDatabaseKind } from '../../test/db.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { identityMemberships, identityOrganisations, identityPeople } from '../identity/index.js';
import type {
  Message,
  ReadMark,
  Thread,
  ThreadList,
  ThreadSummary,
  UnreadCounts,
} from './referrals.messages.schemas.js';
import { insertSupportRequest } from './referrals.messages.matrix.js';
import { maxStreamsPerPerson, streamHubOf } from './referrals.messages.stream.js';

interface Session {
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
  organisationId: string;
  email: string;
  name: string;
}

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** A unique marker: if it shows up anywhere but an authorised read, something leaked. */
const marker = `Canary${randomBytes(6).toString('hex')}`;

// ---------------------------------------------------------------------------------------------------------
// A small Server-Sent Events client over a real socket (inject cannot stream)
// ---------------------------------------------------------------------------------------------------------

interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
  at: number;
}

class SseClient {
  readonly events: SseEvent[] = [];
  ended = false;
  private waiters: (() => void)[] = [];
  private rest = '';
  private lastId: string | undefined;

  private constructor(
    private readonly request: http.ClientRequest,
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    readonly body: string,
  ) {}

  static open(port: number, cookie: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/api/threads/stream',
          agent: false,
          headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip, br', cookie, ...headers },
        },
        (response) => {
          if (response.statusCode !== 200) {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            response.on('end', () =>
              resolve(new SseClient(request, response.statusCode ?? 0, response.headers, body)),
            );
            return;
          }
          const client = new SseClient(request, 200, response.headers, '');
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => client.feed(chunk));
          response.on('close', () => {
            client.ended = true;
            client.wake();
          });
          resolve(client);
        },
      );
      request.on('error', reject);
    });
  }

  private feed(chunk: string): void {
    this.rest += chunk;
    let at = this.rest.indexOf('\n\n');
    while (at >= 0) {
      const block = this.rest.slice(0, at);
      this.rest = this.rest.slice(at + 2);
      let event = 'message';
      let data: string | undefined;
      let id: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [field, ...value] = line.split(':');
        const text = value.join(':').replace(/^ /, '');
        if (field === 'event') event = text;
        if (field === 'data') data = text;
        if (field === 'id') id = text;
      }
      if (id !== undefined) this.lastId = id;
      if (data !== undefined) this.events.push({ id: this.lastId, event, data, at: performance.now() });
      at = this.rest.indexOf('\n\n');
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The last event id received (what EventSource would send as Last-Event-ID). */
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** Waits for an event matching `match` (already received or to come). */
  async waitFor(match: (event: SseEvent) => boolean, timeoutMs = 5_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.ended) throw new Error('stream ended before the event came');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no such event in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the stream to end (the server closed it). */
  async waitForEnd(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream still open');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.request.destroy();
  }
}

const messageEvents = (client: SseClient) =>
  client.events
    .filter((e) => e.event === 'message')
    .map((e) => JSON.parse(e.data) as { threadId: string; messageId: string });

// ---------------------------------------------------------------------------------------------------------

describe('referrals: secure message threads', () => {
  let t: TestApp;
  const db = () => t.database.db;

  let orgA: string;
  let orgB: string;
  let orgC: string;
  let a1: Session; // the requester's caseworker
  let a2: Session; // their colleague (mentioned)
  let aMember: Session; // a community member of A: not a thread role
  let b1: Session; // the recipient's caseworker
  let b2: Session; // the recipient's case supervisor
  let c1: Session; // a third organisation, a stranger to the request
  let requestId: string;
  let threadId: string;
  const sentMail: Mail[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      env: { CAIRN_RATE_LIMIT_MAX: '100000' },
      mailer: {
        send: async (mail) => {
          sentMail.push({ to: mail.to, subject: mail.subject, text: mail.text });
          return { messageId: randomUUID() };
        },
        close: () => undefined,
      },
    });
    orgA = (await createOrganisation(db(), { name: `Requester ${marker}` })).id;
    orgB = (await createOrganisation(db(), { name: `Recipient ${marker}` })).id;
    orgC = (await createOrganisation(db())).id;
    a1 = await sessionIn(orgA, 'caseworker');
    a2 = await sessionIn(orgA, 'case_supervisor');
    aMember = await sessionIn(orgA, 'member');
    b1 = await sessionIn(orgB, 'caseworker');
    b2 = await sessionIn(orgB, 'case_supervisor');
    c1 = await sessionIn(orgC, 'org_admin');
    requestId = await insertSupportRequest(db(), orgA, [orgB, orgC]);
    // C received the request too: it sees the request, never A and B's thread.
  });
  afterAll(() => t.close());

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const name = `Worker ${marker} ${randomBytes(3).toString('hex')}`;
    const m = await createMember(db(), { role, organisationId });
    await db().update(identityPeople).set({ displayName: name }).where(eq(identityPeople.id, m.personId));
    const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    const [person] = await db()
      .select({ email: identityPeople.email })
      .from(identityPeople)
      .where(eq(identityPeople.id, m.personId));
    return {
      cookie,
      sessionId,
      personId: m.personId,
      membershipId: m.membership.id,
      organisationId,
      email: person!.email,
      name,
    };
  }

  function call(
    who: Session | null,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method,
      url: `/api${url}`,
      headers: { ...(who ? { cookie: who.cookie } : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
  }

  async function post(who: Session, thread: string, text: string, mentions?: string[]): Promise<Message> {
    const res = await call(who, 'POST', `/threads/${thread}/messages`, {
      text,
      ...(mentions ? { mentions } : {}),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Message>();
  }

  async function thread(who: Session, id: string, query = ''): Promise<Thread> {
    const res = await call(who, 'GET', `/threads/${id}${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Thread>();
  }

  function upload(who: Session, id: string, body: Buffer, type: string, name?: string) {
    return t.app.inject({
      method: 'POST',
      url: `/api/threads/${id}/attachments`,
      headers: {
        cookie: who.cookie,
        'content-type': type,
        ...(name ? { 'x-file-name': encodeURIComponent(name) } : {}),
      },
      payload: body,
    });
  }

  /** Mail as the mailer received it (sent by the jobs, as in production). */
  async function mailsTo(email: string): Promise<Mail[]> {
    return sentMail.filter((mail) => mail.to === email);
  }

  /** Runs the jobs due (the message's notification, then the mail it queued) until none is left. */
  async function runJobs(): Promise<void> {
    let rounds = 0;
    while (rounds++ < 5 && (await t.app.kernel.jobs.runDue()) > 0) {
      // Each round may queue the next job (a notification queues its mail).
    }
  }

  /** Every row of a table as text, past row-level security. */
  async function tableText(table: string): Promise<string> {
    const [row] = await t.database.asOwner((owner) =>
      queryRows<{ text: string | null }>(
        owner,
        sql`select string_agg(to_jsonb(x)::text, '|') as text from ${sql.identifier(table)} x`,
      ),
    );
    return row?.text ?? '';
  }

  async function auditOf(
    action: string,
  ): Promise<{ organisation_id: string; details: Record<string, unknown> }[]> {
    return t.database.asOwner((owner) =>
      queryRows(
        owner,
        sql`select organisation_id, details from kernel_audit where action = ${action} order by id`,
      ),
    );
  }

  /** A fresh support request from A to B with its thread, opened by A. */
  async function freshThread(): Promise<{ requestId: string; threadId: string }> {
    const id = await insertSupportRequest(db(), orgA, [orgB]);
    const res = await call(a1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: id,
      withOrganisationId: orgB,
    });
    expect(res.statusCode, res.body).toBe(201);
    return { requestId: id, threadId: res.json<ThreadSummary>().id };
  }

  /** A referral from A to B, sent, as its sender's caseworker makes it. */
  async function sentReferral(): Promise<{ id: string; version: number }> {
    const created = await call(a1, 'POST', '/cases', {
      profile: { gender: 'Feminine', citizenships: ['KE'] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json<{ id: string }>().id;
    const consent = await call(a1, 'POST', `/cases/${caseId}/consents`, {
      purpose: 'Referral',
      recipientOrganisationId: orgB,
      sections: ['profile'],
      givenOn: new Date().toISOString().slice(0, 10),
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const draft = await call(a1, 'POST', '/referrals', {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile'],
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const sent = await call(a1, 'POST', `/referrals/${draft.json<{ id: string }>().id}/transitions`, {
      to: 'sent',
      version: draft.json<{ version: number }>().version,
      confirmNewPartner: true,
    });
    expect(sent.statusCode, sent.body).toBe(200);
    return sent.json<{ id: string; version: number }>();
  }

  it('opens one thread per requester–recipient pair, from either side', async () => {
    // The requester must name the recipient it writes to.
    const unnamed = await call(a1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: requestId,
    });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json<{ errors: { path: string; code: string; message: string }[] }>().errors).toEqual([
      {
        path: 'body.withOrganisationId',
        code: 'referrals.thread_party_required',
        message: 'Choose the organisation to write to.',
      },
    ]);
    const opened = await call(a1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: requestId,
      withOrganisationId: orgB,
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const summary = opened.json<ThreadSummary>();
    threadId = summary.id;
    expect(summary).toMatchObject({
      subjectKind: 'support_request',
      subjectId: requestId,
      subjectPath: `/directory/support/requests/${requestId}`,
      open: true,
      unread: 0,
    });
    expect(summary.parties.map((p) => p.organisationId).sort()).toEqual([orgA, orgB].sort());
    // The recipient gets the same thread (its other party is the requester).
    const again = await call(b1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: requestId,
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<ThreadSummary>().id).toBe(threadId);
    const listed = await call(b1, 'GET', `/threads?subjectKind=support_request&subjectId=${requestId}`);
    expect(listed.json<ThreadList>().items.map((i) => i.id)).toEqual([threadId]);
    expect((await auditOf('referrals.message_thread_opened')).at(-1)?.details).toEqual({
      threadId,
      subjectKind: 'support_request',
      subjectId: requestId,
    });
  });

  it('carries messages both ways, sealed at rest, with unread counts and read receipts', async () => {
    const sent = await post(a1, threadId, `  Hello from A about ${marker}  `);
    expect(sent.text).toBe(`Hello from A about ${marker}`);
    expect(sent).toMatchObject({ mine: true, readBy: [], author: { organisationId: orgA, name: a1.name } });

    const unread = await call(b1, 'GET', '/threads/unread');
    expect(unread.statusCode, unread.body).toBe(200);
    expect(unread.json<UnreadCounts>().threads).toContainEqual({
      threadId,
      subjectKind: 'support_request',
      subjectId: requestId,
      unread: 1,
    });
    // The author's own message is not unread for them.
    expect(
      (await call(a1, 'GET', '/threads/unread')).json<UnreadCounts>().threads.map((x) => x.threadId),
    ).not.toContain(threadId);

    const seenByB = await thread(b1, threadId);
    expect(seenByB.messages.map((m) => [m.text, m.mine])).toEqual([[`Hello from A about ${marker}`, false]]);
    expect(seenByB.unread).toBe(1);
    const marked = await call(b1, 'PUT', `/threads/${threadId}/read`);
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json<ReadMark>()).toMatchObject({ threadId, unread: 0 });

    const reply = await post(b1, threadId, `Hello back from B ${marker}`);
    const seenByA = await thread(a1, threadId);
    expect(seenByA.messages.map((m) => m.text)).toEqual([
      `Hello from A about ${marker}`,
      `Hello back from B ${marker}`,
    ]);
    // A's message was read by B's caseworker; B's reply not yet by anyone at A (and A's own reads are not shown).
    expect(seenByA.messages[0]!.readBy.map((r) => [r.personId, r.name])).toEqual([[b1.personId, b1.name]]);
    expect(seenByA.messages[1]!.readBy).toEqual([]);
    await call(a1, 'PUT', `/threads/${threadId}/read`);
    const seenByBAgain = await thread(b1, threadId);
    expect(seenByBAgain.messages[1]!.readBy.map((r) => r.personId)).toEqual([a1.personId]);
    // B sees its own people's reads nowhere: only the other party's.
    expect(seenByBAgain.messages[0]!.readBy).toEqual([]);

    // Catching up after a message, and paging back.
    const after = await thread(a1, threadId, `?after=${sent.id}`);
    expect(after.messages.map((m) => m.id)).toEqual([reply.id]);
    expect(after.moreAfter).toBe(false);
    const latest = await thread(a1, threadId, '?limit=1');
    expect(latest.messages.map((m) => m.id)).toEqual([reply.id]);
    const older = await thread(a1, threadId, `?limit=1&before=${latest.olderCursor}`);
    expect(older.messages.map((m) => m.id)).toEqual([sent.id]);
    expect(older.olderCursor).toBeNull();
    for (const forged of [Buffer.from('["yesterday","x"]').toString('base64url'), 'not-a-cursor']) {
      const refused = await call(a1, 'GET', `/threads/${threadId}?before=${forged}`);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('query.before');
    }
    const unknown = await call(a1, 'GET', `/threads/${threadId}?after=${randomUUID()}`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(
      'referrals.message_after_unknown',
    );

    // At rest: no marker in the messages table (text sealed with the author's organisation's key).
    const raw = await tableText('referrals_messages');
    expect(raw).toContain(sent.id);
    expect(raw).not.toContain(marker);
    expect(raw).not.toContain('Hello');
    // Reading is audited, with ids and a count only.
    const reads = await auditOf('referrals.message_thread_read');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.at(-1)!.details).toMatchObject({ threadId, subjectKind: 'support_request' });
    const audit = await tableText('kernel_audit');
    expect(audit).not.toContain(marker);
    expect(t.rawLogs()).not.toContain(marker);
  });

  it('shows a third organisation nothing: 404 everywhere, and its role-less colleagues 403', async () => {
    const problems: string[] = [];
    const expect404 = async (res: Promise<LightMyRequestResponse>, what: string) => {
      const answer = await res;
      if (answer.statusCode !== 404)
        problems.push(`${what}: ${answer.statusCode} ${answer.body.slice(0, 100)}`);
      if (answer.body.includes(marker)) problems.push(`${what} leaked the marker`);
    };
    const [message] = (await thread(a1, threadId)).messages;
    await expect404(call(c1, 'GET', `/threads/${threadId}`), 'getThread');
    await expect404(
      call(c1, 'POST', `/threads/${threadId}/messages`, { text: 'Let me in' }),
      'postThreadMessage',
    );
    await expect404(call(c1, 'PUT', `/threads/${threadId}/read`), 'markThreadRead');
    await expect404(upload(c1, threadId, await photo('png'), 'image/png'), 'postThreadAttachment');
    await stepUp(db(), c1.sessionId);
    await expect404(call(c1, 'GET', `/threads/${threadId}/messages/${message!.id}/attachment`), 'download');
    // C is a recipient of the same request: it may open its own thread with A, never A and B's.
    await expect404(
      call(c1, 'POST', '/threads', {
        subjectKind: 'support_request',
        subjectId: requestId,
        withOrganisationId: orgB,
      }),
      'openThread with B',
    );
    const own = await call(c1, 'GET', `/threads?subjectKind=support_request&subjectId=${requestId}`);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json<ThreadList>().items).toEqual([]);
    // A request C was never sent does not exist for it.
    const other = await insertSupportRequest(db(), orgA, [orgB]);
    await expect404(
      call(c1, 'GET', `/threads?subjectKind=support_request&subjectId=${other}`),
      'listThreads',
    );
    // Kinds no part of the module resolves yet, or unknown ids, are 404 too.
    await expect404(
      call(a1, 'GET', `/threads?subjectKind=support_request&subjectId=${randomUUID()}`),
      'unknown',
    );
    const unreadOfC = (await call(c1, 'GET', '/threads/unread')).json<UnreadCounts>();
    expect(unreadOfC.threads.map((x) => x.threadId)).not.toContain(threadId);
    expect(problems).toEqual([]);

    // A community member of A passes no gate to threads.
    const member = await call(aMember, 'GET', `/threads/${threadId}`);
    expect(member.statusCode).toBe(403);
  });

  it('validates the text and the mentions: a mention must be a member of a party organisation', async () => {
    const blank = await call(a1, 'POST', `/threads/${threadId}/messages`, { text: '  \n ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json<{ errors: { path: string; code: string; message: string }[] }>().errors).toEqual([
      { path: 'body.text', code: 'referrals.message_empty', message: 'Write a message.' },
    ]);
    const long = await call(a1, 'POST', `/threads/${threadId}/messages`, { text: 'x'.repeat(10_001) });
    expect(long.statusCode).toBe(400);
    expect(long.json<{ errors: { path: string; code: string }[] }>().errors[0]).toMatchObject({
      path: 'body.text',
      code: 'too_big',
    });
    const stranger = await call(a1, 'POST', `/threads/${threadId}/messages`, {
      text: 'Mentioning',
      mentions: [b2.personId, c1.personId, aMember.personId],
    });
    expect(stranger.statusCode).toBe(400);
    const errors = stranger.json<{ errors: { path: string; code: string; message: string }[] }>().errors;
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['body.mentions.1', 'referrals.message_mention_not_party'],
      ['body.mentions.2', 'referrals.message_mention_not_party'],
    ]);
    const inSpanish = await call(
      a1,
      'POST',
      `/threads/${threadId}/messages`,
      { text: 'Mencionando', mentions: [c1.personId] },
      { 'accept-language': 'es' },
    );
    expect(inSpanish.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(
      /^No se puede mencionar/,
    );
    const fine = await post(a1, threadId, 'Over to you', [b2.personId, a2.personId]);
    expect(fine.mentions).toEqual([
      { personId: b2.personId, name: b2.name },
      { personId: a2.personId, name: a2.name },
    ]);
  });

  it('mails only that there is a new message, with a link: once while unread, once per quiet period', async () => {
    // Mail about earlier tests' messages goes out first: what follows counts this thread's only.
    await runJobs();
    const fresh = await freshThread();
    const link = `/threads/${fresh.threadId}`;
    const before = {
      b1: (await mailsTo(b1.email)).length,
      b2: (await mailsTo(b2.email)).length,
      a2: (await mailsTo(a2.email)).length,
      a1: (await mailsTo(a1.email)).length,
      c1: (await mailsTo(c1.email)).length,
    };
    const newMails = async (who: Session, key: keyof typeof before) =>
      (await mailsTo(who.email)).slice(before[key]).filter((mail) => mail.text.includes(link));

    await post(a1, fresh.threadId, `First ${marker}`, [a2.personId]);
    await runJobs();
    const toB1 = await newMails(b1, 'b1');
    expect(toB1).toHaveLength(1);
    expect(toB1[0]!.text).toContain(link);
    expect((await newMails(b2, 'b2')).map((m) => m.text)).toEqual([toB1[0]!.text]);
    // The mentioned colleague is told, and that they were mentioned; the author and strangers are not.
    const toA2 = await newMails(a2, 'a2');
    expect(toA2).toHaveLength(1);
    expect(toA2[0]!.text).toMatch(/mentioned/);
    expect(await newMails(a1, 'a1')).toEqual([]);
    expect(await newMails(c1, 'c1')).toEqual([]);
    // SECURITY: nothing of the message, nor any name (people or organisations).
    const [requester] = await db()
      .select({ name: identityOrganisations.name })
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, orgA));
    for (const mail of [...toB1, ...toA2]) {
      const whole = `${mail.subject}\n${mail.text}`;
      for (const secret of [marker, 'First', a1.name, b1.name, a2.name, requester!.name])
        expect(whole).not.toContain(secret);
    }

    // Still unread: no second mail.
    await post(a1, fresh.threadId, 'Second');
    await runJobs();
    expect(await newMails(b1, 'b1')).toHaveLength(1);
    // Read, then a new message within the quiet period: still none.
    await call(b1, 'PUT', `/threads/${fresh.threadId}/read`);
    await post(a1, fresh.threadId, 'Third');
    await runJobs();
    expect(await newMails(b1, 'b1')).toHaveLength(1);
    // The quiet period over (its job ran), with Third still unread: still none.
    await t.database.asOwner((owner) =>
      owner
        .update(kernelJobs)
        .set({ status: 'done', finishedAt: new Date() })
        .where(eq(kernelJobs.dedupeKey, `referrals.message_mail_quiet:${fresh.threadId}:${b1.personId}`)),
    );
    await post(a1, fresh.threadId, 'Fourth');
    await runJobs();
    expect(await newMails(b1, 'b1')).toHaveLength(1);
    // Read everything, quiet period over: the next message mails again.
    await call(b1, 'PUT', `/threads/${fresh.threadId}/read`);
    await post(a1, fresh.threadId, 'Fifth');
    await runJobs();
    const later = await newMails(b1, 'b1');
    expect(later).toHaveLength(2);
    expect(later[1]!.text).toContain(link);

    // In the recipient's language, from all four locales.
    await db().update(identityPeople).set({ language: 'fr' }).where(eq(identityPeople.id, b2.personId));
    const third = await freshThread();
    await post(a1, third.threadId, 'Bonjour');
    await runJobs();
    const french = (await mailsTo(b2.email)).at(-1)!;
    expect(french.subject).toBe('Un nouveau message sécurisé sur Cairn');
    expect(french.text).toContain(`/threads/${third.threadId}`);
  });

  it('replays an idempotent post instead of posting twice', async () => {
    const fresh = await freshThread();
    const key = randomUUID();
    const send = () =>
      call(
        a1,
        'POST',
        `/threads/${fresh.threadId}/messages`,
        { text: 'Only once' },
        { 'idempotency-key': key },
      );
    const first = await send();
    expect(first.statusCode, first.body).toBe(201);
    const again = await send();
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect((await thread(a1, fresh.threadId)).messages).toHaveLength(1);
    const other = await call(
      a1,
      'POST',
      `/threads/${fresh.threadId}/messages`,
      { text: 'Something else' },
      { 'idempotency-key': key },
    );
    expect(other.statusCode).toBe(422);
    expect(t.rawLogs()).not.toContain('idempotent route');
  });

  it('refuses new messages once the subject has ended (409), and keeps the thread readable', async () => {
    const fresh = await freshThread();
    await post(b1, fresh.threadId, 'Before the end');
    const closed = await call(a1, 'POST', `/directory/support/requests/${fresh.requestId}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    const refused = await call(a1, 'POST', `/threads/${fresh.threadId}/messages`, { text: 'After the end' });
    expect(refused.statusCode).toBe(409);
    expect(
      (await call(b1, 'POST', `/threads/${fresh.threadId}/messages`, { text: 'Me too' })).statusCode,
    ).toBe(409);
    expect((await upload(b1, fresh.threadId, await photo('png'), 'image/png')).statusCode).toBe(409);
    const read = await thread(a1, fresh.threadId);
    expect(read).toMatchObject({ open: false, abilities: { post: false } });
    expect(read.messages.map((m) => m.text)).toEqual(['Before the end']);
    // A recipient that declined: its thread ends too; one that never had a thread cannot start one now.
    const declinedRequest = await insertSupportRequest(db(), orgA, [orgB, orgC]);
    const withC = await call(a1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: declinedRequest,
      withOrganisationId: orgC,
    });
    expect(withC.statusCode).toBe(201);
    const declined = await call(c1, 'POST', `/directory/support/requests/${declinedRequest}/decline`, {
      reason: 'no_capacity',
    });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(
      (await call(c1, 'POST', `/threads/${withC.json<ThreadSummary>().id}/messages`, { text: 'Sorry' }))
        .statusCode,
    ).toBe(409);
    await call(a1, 'POST', `/directory/support/requests/${declinedRequest}/close`);
    const late = await call(a1, 'POST', '/threads', {
      subjectKind: 'support_request',
      subjectId: declinedRequest,
      withOrganisationId: orgB,
    });
    expect(late.statusCode).toBe(409);
  });

  it('takes attachments by the case rules: a polyglot is refused, a PNG is re-encoded and encrypted, the other party downloads it', async () => {
    const fresh = await freshThread();
    const polyglot = Buffer.concat([
      pdf(),
      zip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]),
    ]);
    const refused = await upload(a1, fresh.threadId, polyglot, 'application/pdf', 'notes.pdf');
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('cases.attachment_polyglot');
    expect((await thread(a1, fresh.threadId)).messages).toEqual([]);

    // A PNG carrying the marker after its end: the re-encoded file carries only pixels.
    const original = Buffer.concat([await photo('png', 16, 16), Buffer.from(marker)]);
    const res = await upload(a1, fresh.threadId, original, 'image/png', `scan ${marker}.png`);
    expect(res.statusCode, res.body).toBe(201);
    const message = res.json<Message>();
    expect(message.attachment).toMatchObject({
      kind: 'photo',
      mediaType: 'image/png',
      name: `scan ${marker}.png`,
    });
    expect(message.text).toBe('');

    // The other party downloads it after a step-up; a third organisation cannot, nor anyone without a step-up.
    const url = `/threads/${fresh.threadId}/messages/${message.id}/attachment`;
    expect((await call(b1, 'GET', url)).json<{ code: string }>().code).toBe('step_up_required');
    await stepUp(db(), b1.sessionId);
    const download = await call(b1, 'GET', url);
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="scan Canary[0-9a-f]+\.png"/,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('no-store');
    expect(String(download.headers['content-security-policy'])).toMatch(/default-src 'none'.*sandbox/);
    const bytes = download.rawPayload;
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    expect(bytes.equals(original)).toBe(false);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'png', width: 16, height: 16 });
    await stepUp(db(), c1.sessionId);
    expect((await call(c1, 'GET', url)).statusCode).toBe(404);

    // At rest: neither the name nor the pixels in the clear.
    const raw = await tableText('referrals_messages');
    expect(raw).not.toContain(marker);
    const root = filesFolder(t.config);
    const stored: Buffer[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) walk(full);
        else stored.push(readFileSync(full));
      }
    };
    walk(root);
    expect(stored.length).toBeGreaterThan(0);
    for (const file of stored) {
      expect(file.includes(bytes.subarray(16, 64))).toBe(false);
      expect(file.includes(Buffer.from(marker))).toBe(false);
    }
    const downloads = await auditOf('referrals.message_attachment_downloaded');
    expect(downloads.at(-1)!.details).toEqual({
      threadId: fresh.threadId,
      messageId: message.id,
      subjectKind: 'support_request',
      kind: 'photo',
    });
    expect(await tableText('kernel_audit')).not.toContain(marker);
  });

  it('threads a referral between its sender and recipient (the referral’s own rules), closed when it ends', async () => {
    const created = await call(a1, 'POST', '/cases', {
      profile: { gender: 'Feminine', citizenships: ['KE'] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json<{ id: string }>().id;
    const consent = await call(a1, 'POST', `/cases/${caseId}/consents`, {
      purpose: 'Referral',
      recipientOrganisationId: orgB,
      sections: ['profile'],
      givenOn: new Date().toISOString().slice(0, 10),
    });
    expect(consent.statusCode, consent.body).toBe(201);
    const draft = await call(a1, 'POST', '/referrals', {
      caseId,
      recipientOrganisationId: orgB,
      services: ['shelter'],
      sections: ['profile'],
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const referral = draft.json<{ id: string; version: number }>();
    // A draft is the sender's alone: the recipient cannot open its thread yet.
    expect(
      (await call(b1, 'POST', '/threads', { subjectKind: 'referral', subjectId: referral.id })).statusCode,
    ).toBe(404);
    const sent = await call(a1, 'POST', `/referrals/${referral.id}/transitions`, {
      to: 'sent',
      version: referral.version,
      confirmNewPartner: true,
    });
    expect(sent.statusCode, sent.body).toBe(200);

    const opened = await call(b1, 'POST', '/threads', { subjectKind: 'referral', subjectId: referral.id });
    expect(opened.statusCode, opened.body).toBe(201);
    const summary = opened.json<ThreadSummary>();
    expect(summary).toMatchObject({
      subjectKind: 'referral',
      subjectPath: `/referrals/${referral.id}`,
      open: true,
    });
    await post(b1, summary.id, `Which shelter? ${marker}`);
    const read = await thread(a1, summary.id);
    expect(read.messages.map((m) => m.text)).toEqual([`Which shelter? ${marker}`]);
    // Reading a case-related thread is audited.
    expect((await auditOf('referrals.message_thread_read')).at(-1)).toMatchObject({
      organisation_id: orgA,
      details: { threadId: summary.id, subjectKind: 'referral', subjectId: referral.id, messages: 1 },
    });
    expect((await call(c1, 'GET', `/threads/${summary.id}`)).statusCode).toBe(404);
    expect((await call(c1, 'GET', `/threads?subjectKind=referral&subjectId=${referral.id}`)).statusCode).toBe(
      404,
    );

    const current = await call(a1, 'GET', `/referrals/${referral.id}`);
    const cancelled = await call(a1, 'POST', `/referrals/${referral.id}/transitions`, {
      to: 'cancelled',
      version: current.json<{ version: number }>().version,
      reason: 'Found a place closer to home',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await call(b1, 'POST', `/threads/${summary.id}/messages`, { text: 'Too late' })).statusCode).toBe(
      409,
    );
  });

  it('lists who may read a thread, to mention them before they write: names and organisations, no email', async () => {
    const fresh = await freshThread();
    const res = await call(b1, 'GET', `/threads/${fresh.threadId}/participants`);
    expect(res.statusCode, res.body).toBe(200);
    const { people } = res.json<{
      people: { personId: string; displayName: string; organisationId: string; organisationName: string }[];
    }>();
    const ids = people.map((p) => p.personId);
    // Both parties' case roles, whether or not they wrote; a community member and a stranger are not among them.
    for (const who of [a1, a2, b1, b2]) expect(ids).toContain(who.personId);
    expect(ids).not.toContain(aMember.personId);
    expect(ids).not.toContain(c1.personId);
    expect(people.find((p) => p.personId === a2.personId)).toEqual({
      personId: a2.personId,
      displayName: a2.name,
      organisationId: orgA,
      organisationName: `Requester ${marker}`,
    });
    for (const who of [a1, a2, b1, b2]) expect(res.body).not.toContain(who.email);
    // Someone listed there can be mentioned at once, though they never wrote.
    const mentioned = await post(b1, fresh.threadId, 'See this', [a2.personId]);
    expect(mentioned.mentions).toEqual([expect.objectContaining({ personId: a2.personId })]);
    // The same door as the thread: 404 for a stranger, 403 for a role without threads.
    expect((await call(c1, 'GET', `/threads/${fresh.threadId}/participants`)).statusCode).toBe(404);
    expect((await call(c1, 'GET', `/threads/${randomUUID()}/participants`)).statusCode).toBe(404);
    expect((await call(aMember, 'GET', `/threads/${fresh.threadId}/participants`)).statusCode).toBe(403);
  });

  describe('live events (Server-Sent Events over a real socket)', () => {
    let port: number;
    const open: SseClient[] = [];
    const stream = async (who: Session, headers: Record<string, string> = {}) => {
      const client = await SseClient.open(port, who.cookie, headers);
      open.push(client);
      return client;
    };

    beforeAll(async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      port = (t.app.server.address() as AddressInfo).port;
    });
    afterAll(() => {
      for (const client of open) client.close();
    });

    it('delivers a new message to the other party at once, nothing to strangers, and catches up after a reconnect', async () => {
      const fresh = await freshThread();
      const toB1 = await stream(b1);
      expect(toB1.status).toBe(200);
      expect(toB1.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      // Compression would hold events back: the stream is never compressed, and keeps the security headers.
      expect(toB1.headers['content-encoding']).toBeUndefined();
      expect(toB1.headers['x-content-type-options']).toBe('nosniff');
      expect(toB1.headers['content-security-policy']).toBeDefined();
      expect(toB1.headers['cache-control']).toBe('no-store, no-transform');
      await toB1.waitFor((e) => e.event === 'ready');
      const toB2 = await stream(b2);
      const toC1 = await stream(c1);
      await Promise.all([toB2.waitFor((e) => e.event === 'ready'), toC1.waitFor((e) => e.event === 'ready')]);

      const latencies: number[] = [];
      const sinceCommit: number[] = [];
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        const sent = await post(a1, fresh.threadId, `Live ${round} ${marker}`);
        const committed = performance.now();
        const arrived = await toB1.waitFor((e) => e.event === 'message' && e.data.includes(sent.id));
        latencies.push(arrived.at - started);
        sinceCommit.push(arrived.at - committed);
        expect(JSON.parse(arrived.data)).toEqual({ threadId: fresh.threadId, messageId: sent.id });
        expect(arrived.data).not.toContain(marker);
      }
      const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
      console.warn(
        `SSE delivery latency (${testDatabaseKind()}): from post to event median ${median(latencies).toFixed(1)} ms ` +
          `(max ${Math.max(...latencies).toFixed(1)} ms); after the answer median ${median(sinceCommit).toFixed(1)} ms ` +
          `(max ${Math.max(...sinceCommit).toFixed(1)} ms)`,
      );
      expect(Math.max(...latencies)).toBeLessThan(1_000);
      await toB2.waitFor((e) => messageEvents(toB2).length === 5 && e.event === 'message');
      // A stranger's stream saw nothing of it (give it the time the others needed, and more).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(messageEvents(toC1)).toEqual([]);

      // Reconnect: what was missed while away comes back, in order, from Last-Event-ID.
      const lastSeen = toB1.lastEventId!;
      toB1.close();
      const missed = [
        await post(a1, fresh.threadId, 'Missed one'),
        await post(a1, fresh.threadId, 'Missed two'),
      ];
      await toB2.waitFor(() => messageEvents(toB2).length === 7);
      const back = await stream(b1, { 'last-event-id': lastSeen });
      await back.waitFor(() => messageEvents(back).length === 2);
      expect(messageEvents(back).map((e) => e.messageId)).toEqual(missed.map((m) => m.id));
      expect(back.events.some((e) => e.event === 'ready' || e.event === 'resync')).toBe(false);
      // The client then fetches what it may see through the normal route.
      const caughtUp = await thread(
        b1,
        fresh.threadId,
        `?after=${(JSON.parse(toB1.events.at(-1)!.data) as { messageId: string }).messageId}`,
      );
      expect(caughtUp.messages.map((m) => m.text)).toEqual(['Missed one', 'Missed two']);
      // An id this process cannot continue from: resync.
      const lost = await stream(b1, { 'last-event-id': 'feedfacecafe-12' });
      await lost.waitFor((e) => e.event === 'resync');

      // Read receipts reach the other party.
      const toA1 = await stream(a1);
      await toA1.waitFor((e) => e.event === 'ready');
      await call(b1, 'PUT', `/threads/${fresh.threadId}/read`);
      const receipt = await toA1.waitFor((e) => e.event === 'read');
      expect(JSON.parse(receipt.data)).toEqual({ threadId: fresh.threadId });
      expect(toC1.events.some((e) => e.event === 'read')).toBe(false);
    });

    it('tells both parties of a referral its new state (kind, id, state only), and nobody else', async () => {
      const referral = await sentReferral();
      const toA1 = await stream(a1);
      const toB1 = await stream(b1);
      const toC1 = await stream(c1);
      await Promise.all([toA1, toB1, toC1].map((s) => s.waitFor((e) => e.event === 'ready')));
      const acknowledged = await call(b1, 'POST', `/referrals/${referral.id}/transitions`, {
        to: 'acknowledged',
        version: referral.version,
      });
      expect(acknowledged.statusCode, acknowledged.body).toBe(200);
      const expected = { kind: 'referral', id: referral.id, state: 'acknowledged' };
      // The event of the referral's sending may still be on its way when the streams open (after COMMIT, and on
      // PostgreSQL through NOTIFY): the one to check is the acknowledgement's.
      const isAcknowledgement = (e: SseEvent) =>
        e.event === 'state' && e.data.includes(referral.id) && e.data.includes('"acknowledged"');
      const toSender = await toA1.waitFor(isAcknowledgement);
      expect(JSON.parse(toSender.data)).toEqual(expected);
      const toRecipient = await toB1.waitFor(isAcknowledgement);
      expect(JSON.parse(toRecipient.data)).toEqual(expected);
      // A stranger's stream hears nothing (given the time the others needed, and more).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(toC1.events.some((e) => e.event === 'state')).toBe(false);

      // Rights are checked at delivery: a member removed since the stream opened is told nothing more.
      const gone = await sessionIn(orgB, 'caseworker');
      const toGone = await stream(gone);
      await toGone.waitFor((e) => e.event === 'ready');
      await t.database.asOwner((owner) =>
        owner.delete(identityMemberships).where(eq(identityMemberships.id, gone.membershipId)),
      );
      const accepted = await call(b1, 'POST', `/referrals/${referral.id}/transitions`, {
        to: 'accepted',
        version: acknowledged.json<{ version: number }>().version,
      });
      expect(accepted.statusCode, accepted.body).toBe(200);
      await toA1.waitFor((e) => e.event === 'state' && e.data.includes('"accepted"'));
      await toGone.waitForEnd();
      expect(toGone.events.some((e) => e.event === 'state')).toBe(false);
    });

    it('checks rights at delivery: a member removed from the organisation stops receiving', async () => {
      const fresh = await freshThread();
      const gone = await sessionIn(orgB, 'caseworker');
      const toGone = await stream(gone);
      const toB1 = await stream(b1);
      await Promise.all([
        toGone.waitFor((e) => e.event === 'ready'),
        toB1.waitFor((e) => e.event === 'ready'),
      ]);
      const first = await post(a1, fresh.threadId, 'While you are here');
      await toGone.waitFor((e) => e.data.includes(first.id));
      await t.database.asOwner((owner) =>
        owner.delete(identityMemberships).where(eq(identityMemberships.id, gone.membershipId)),
      );
      const second = await post(a1, fresh.threadId, 'After you left');
      await toB1.waitFor((e) => e.data.includes(second.id));
      await toGone.waitForEnd();
      expect(toGone.events.some((e) => e.data.includes(second.id))).toBe(false);
    });

    it('reaches a stream held by another Cairn process over the same database (LISTEN/NOTIFY)', async () => {
      const fresh = await freshThread();
      const other = await createTestApp({ database: t.database, env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
      try {
        await other.app.listen({ port: 0, host: '127.0.0.1' });
        const otherPort = (other.app.server.address() as AddressInfo).port;
        const there = await SseClient.open(otherPort, b1.cookie);
        open.push(there);
        await there.waitFor((e) => e.event === 'ready');
        // Posted through this process; streamed by the other one.
        const sent = await post(a1, fresh.threadId, 'Across processes');
        const arrived = await there.waitFor((e) => e.event === 'message');
        expect(JSON.parse(arrived.data)).toEqual({ threadId: fresh.threadId, messageId: sent.id });
      } finally {
        await other.close();
      }
    });

    it('refuses what is not an event stream, bounds the streams per person, and ends them when the app closes', async () => {
      const plain = await call(b1, 'GET', '/threads/stream');
      expect(plain.statusCode).toBe(406);
      const stranger = await SseClient.open(port, '');
      expect(stranger.status).toBe(401);
      const member = await SseClient.open(port, aMember.cookie);
      expect(member.status).toBe(403);

      const person = await sessionIn(orgB, 'caseworker');
      const tabs: SseClient[] = [];
      for (let i = 0; i <= maxStreamsPerPerson; i++) {
        const tab = await stream(person);
        await tab.waitFor((e) => e.event === 'ready');
        tabs.push(tab);
      }
      // The newest wins: the oldest (often a connection the network dropped silently) is ended.
      await tabs[0]!.waitForEnd();
      expect(streamHubOf(t.app.kernel).streamsOf(person.personId)).toBe(maxStreamsPerPerson);

      const started = Date.now();
      await t.app.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const tab of tabs) await tab.waitForEnd();
      expect(streamHubOf(t.app.kernel).size).toBe(0);
    });
  });
});
