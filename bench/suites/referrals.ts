import { randomBytes } from 'node:crypto';
import { startCairn } from '../lib/cairn.js';
import type { BenchContext, Suite } from '../lib/context.js';
import { fillDatabase } from '../lib/fill.js';
import type { LoadResult } from '../lib/load.js';
import { loadRows } from '../lib/measure.js';
import { makeRow } from '../lib/results.js';
import type { ResultRow } from '../lib/results.js';
import type { Service } from '../lib/service.js';
import { median, percentile, timeOnce } from '../lib/timing.js';
import { casesReferee, masterKeyFromEnv, refreshBenchSessions } from '../scale/cases.js';
import { generateScaleData } from '../scale/generators.js';
import { measureIndexedQuery } from './baseline.js';
import { caseCookie, runCaseRequests, type CaseRequest } from './cases.js';
import {
  clientAddress,
  openThreadStream,
  planStreams,
  type OpenStream,
  type StreamThread,
} from './referrals-stream.js';

/**
 * The budgets of issue 6 ("Scale and speed"): with 1M referrals, the received list of an organisation answers
 * in ≤ 30 ms median; a message posted in a referral thread reaches the other side's open live stream within
 * 1 s at the 99th percentile, with 200 streams open.
 */
export const receivedMedianTarget = '<= 30';
export const deliveryP99Target = '<= 1000';
/** Streams open while messages are posted (the figure). */
export const openStreams = 200;
/** Streams one person holds at most here (Cairn allows five per person: a sixth would end the oldest). */
const streamsPerPerson = 4;
/** The list as the web asks for it (ReferralListPage: received box, first page). */
export const receivedPath = '/api/referrals?box=received&limit=25';

/** One person of each organisation who reads its received referrals (a case supervisor, else a caseworker). */
async function listReaders(context: BenchContext): Promise<{ organisationId: string; personId: string }[]> {
  const db = await context.database.connect();
  try {
    return await db.query<{ organisationId: string; personId: string }>(
      `select distinct on (m.organisation_id) m.organisation_id::text as "organisationId",
              m.person_id::text as "personId"
         from identity_memberships m join identity_organisations o on o.id = m.organisation_id
        where o.referee = $1 and m.role in ('case_supervisor', 'caseworker')
        order by m.organisation_id, m.role = 'case_supervisor' desc, m.person_id`,
      [casesReferee],
    );
  } finally {
    await db.close();
  }
}

/** `GET /api/referrals?box=received` as a reader of each organisation in turn; each answer must list some. */
export function receivedRequests(masterKey: Buffer, readers: readonly { personId: string }[]): CaseRequest[] {
  return readers.map((reader) => ({
    path: receivedPath,
    cookie: caseCookie(masterKey, reader.personId),
    expect: ['"items":[{'],
  }));
}

/** Requests one after another, each timed in the runner; an answer that is not 200 with items is a failure. */
async function oneByOne(
  service: Service,
  requests: readonly CaseRequest[],
  count: number,
  discard: number,
): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  for (let i = 0; i < discard + count; i++) {
    const request = requests[i % requests.length]!;
    let ok = false;
    const ms = await timeOnce(async () => {
      const response = await fetch(service.baseUrl + request.path, {
        headers: { cookie: request.cookie },
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      ok = response.status === 200 && request.expect.every((part) => text.includes(part));
    });
    if (i < discard) continue;
    latencies.push(ms);
    if (!ok) failed += 1;
  }
  return { latencies, failed };
}

/**
 * Referral threads for the stream measurement: referrals in progress, each with another recipient organisation
 * (none of them a sender of another chosen thread, so a reader's stream concerns its own thread only); the
 * author is a caseworker assigned to the case (who reaches it), the readers the recipient's case staff.
 */
async function chooseThreads(
  context: BenchContext,
  masterKey: Buffer,
): Promise<(StreamThread & { recipientOrganisationId: string })[]> {
  const db = await context.database.connect();
  try {
    const candidates = await db.query<{
      referralId: string;
      senderId: string;
      recipientId: string;
      authorId: string;
    }>(
      `select r.id::text as "referralId", r.sender_organisation_id::text as "senderId",
              r.recipient_organisation_id::text as "recipientId",
              (select m.person_id::text from cases_assignments a join identity_memberships m on m.id = a.membership_id
                where a.case_id = r.case_id order by m.person_id limit 1) as "authorId"
         from referrals_referrals r
        where r.state = 'in_progress'
        order by r.id limit 5000`,
    );
    const readers = await db.query<{ organisationId: string; personId: string }>(
      `select m.organisation_id::text as "organisationId", m.person_id::text as "personId"
         from identity_memberships m join identity_organisations o on o.id = m.organisation_id
        where o.referee = $1 and m.role in ('case_supervisor', 'caseworker') order by m.person_id`,
      [casesReferee],
    );
    const byOrganisation = new Map<string, string[]>();
    for (const r of readers)
      byOrganisation.set(r.organisationId, [...(byOrganisation.get(r.organisationId) ?? []), r.personId]);
    const chosen: (StreamThread & { recipientOrganisationId: string })[] = [];
    const senders = new Set<string>();
    const recipients = new Set<string>();
    let capacity = 0;
    for (const c of candidates) {
      if (capacity >= openStreams && chosen.length >= 10) break;
      if (!c.authorId || recipients.has(c.recipientId) || senders.has(c.recipientId)) continue;
      if (recipients.has(c.senderId)) continue;
      const people = byOrganisation.get(c.recipientId) ?? [];
      if (people.length === 0) continue;
      senders.add(c.senderId);
      recipients.add(c.recipientId);
      capacity += people.length * streamsPerPerson;
      chosen.push({
        referralId: c.referralId,
        recipientOrganisationId: c.recipientId,
        authorCookie: caseCookie(masterKey, c.authorId),
        readerCookies: people.map((personId) => caseCookie(masterKey, personId)),
      });
    }
    return chosen;
  } finally {
    await db.close();
  }
}

/** What the stream measurement found. */
export interface DeliveryMeasurement {
  /** Milliseconds from sending the POST to the event's arrival, one per (message, other-side stream). */
  deliveries: number[];
  /** Expected deliveries that never came (within the wait after the last message). */
  undelivered: number;
  /** The POSTs' own answer times (the baseline: what writing a message costs without anyone listening). */
  postMs: number[];
  failedPosts: number;
  streams: number;
  threads: number;
  messages: number;
  /** Streams that ended or failed during the measurement. */
  droppedStreams: number;
}

/**
 * Opens the threads (as their authors), 200 streams as the recipients' people, then posts messages one at a
 * time in turn over the threads, `spacingMs` apart, and times each one's arrival on every stream of its other
 * side. Messages stay under the route's own limit (120 a minute per address, per process).
 */
async function measureDelivery(
  context: BenchContext,
  service: Service,
  threads: readonly StreamThread[],
  messages: number,
  spacingMs: number,
): Promise<DeliveryMeasurement> {
  // Every person its own address (X-Forwarded-For; Cairn trusts its proxy here): authors first, then readers.
  const addresses = new Map<string, string>();
  const addressOf = (cookie: string) => {
    let address = addresses.get(cookie);
    if (!address) addresses.set(cookie, (address = clientAddress(addresses.size + 1)));
    return address;
  };
  const authorHeaders = (thread: StreamThread) => ({
    cookie: thread.authorCookie,
    'content-type': 'application/json',
    'x-forwarded-for': addressOf(thread.authorCookie),
  });
  const threadIds: string[] = [];
  for (const thread of threads) {
    const response = await fetch(`${service.baseUrl}/api/threads`, {
      method: 'POST',
      headers: authorHeaders(thread),
      body: JSON.stringify({ subjectKind: 'referral', subjectId: thread.referralId }),
    });
    const body = (await response.json()) as { id?: string; code?: string };
    if (response.status > 201 || !body.id)
      throw new Error(`opening a referral thread answered ${response.status} (${body.code ?? ''})`);
    threadIds.push(body.id);
  }
  const plan = planStreams(threads, openStreams, streamsPerPerson);
  // messageId → arrival time, per stream
  const arrivals = plan.map(() => new Map<string, number>());
  const streams: OpenStream[] = [];
  try {
    context.log(`  opening ${plan.length} streams as ${new Set(plan.map((p) => p.cookie)).size} people`);
    for (const [i, p] of plan.entries()) {
      streams.push(
        await openThreadStream(
          service.baseUrl,
          p.cookie,
          (event, at) => {
            if (event.event !== 'message') return;
            const data = JSON.parse(event.data) as { messageId?: string };
            if (data.messageId) arrivals[i]!.set(data.messageId, at);
          },
          { headers: { 'x-forwarded-for': addressOf(p.cookie) } },
        ),
      );
    }
    const posted: { thread: number; messageId: string; sentAt: number }[] = [];
    const postMs: number[] = [];
    let failedPosts = 0;
    context.log(`  posting ${messages} messages over ${threads.length} threads, ${spacingMs} ms apart`);
    for (let n = 0; n < messages; n++) {
      const thread = n % threads.length;
      const sentAt = performance.now();
      const response = await fetch(`${service.baseUrl}/api/threads/${threadIds[thread]}/messages`, {
        method: 'POST',
        headers: authorHeaders(threads[thread]!),
        body: JSON.stringify({ text: `Benchmark message ${n + 1}: please confirm the appointment.` }),
      });
      const body = (await response.json()) as { id?: string };
      postMs.push(performance.now() - sentAt);
      if (response.status !== 201 || !body.id) failedPosts += 1;
      else posted.push({ thread, messageId: body.id, sentAt });
      const wait = sentAt + spacingMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // Stragglers: wait until every expected event came, or 5 s after the last post.
    const expected = () =>
      posted.flatMap((m) => plan.flatMap((p, i) => (p.thread === m.thread ? [{ m, i }] : [])));
    const deadline = performance.now() + 5_000;
    while (performance.now() < deadline && expected().some(({ m, i }) => !arrivals[i]!.has(m.messageId)))
      await new Promise((resolve) => setTimeout(resolve, 50));
    const deliveries: number[] = [];
    let undelivered = 0;
    for (const { m, i } of expected()) {
      const at = arrivals[i]!.get(m.messageId);
      if (at === undefined) undelivered += 1;
      else deliveries.push(at - m.sentAt);
    }
    return {
      deliveries,
      undelivered,
      postMs,
      failedPosts,
      streams: streams.length,
      threads: threads.length,
      messages,
      droppedStreams: streams.filter((s) => s.ended !== null).length,
    };
  } finally {
    for (const stream of streams) stream.close();
  }
}

/** What the suite measured, for its rows. */
export interface ReferralsMeasurements {
  indexed: LoadResult;
  received: LoadResult;
  receivedUnverified: number;
  sequentialReceivedMs: number[];
  sequentialMeMs: number[];
  sequentialFailed: number;
  delivery: DeliveryMeasurement;
  referrals: number;
  organisations: number;
  generationSeconds: number;
}

const orZero = (values: number[], f: (v: number[]) => number) => (values.length === 0 ? 0 : f(values));

/** The suite's rows: the received list (one by one against the budget, and under load), then live delivery. */
export function referralsRows(m: ReferralsMeasurements): ResultRow[] {
  const meMedian = orZero(m.sequentialMeMs, median);
  const postP50 = orZero(m.delivery.postMs, median);
  const postP99 = orZero(m.delivery.postMs, (v) => percentile(v, 99));
  return [
    ...loadRows('indexed_query', m.indexed),
    makeRow('auth_me_sequential_p50_ms', meMedian, 'ms'),
    makeRow('referrals_received_sequential_p50_ms', orZero(m.sequentialReceivedMs, median), 'ms', {
      baseline: meMedian,
      target: receivedMedianTarget,
    }),
    makeRow(
      'referrals_received_sequential_p99_ms',
      orZero(m.sequentialReceivedMs, (v) => percentile(v, 99)),
      'ms',
    ),
    makeRow('referrals_received_sequential_failed', m.sequentialFailed, 'requests', { target: '== 0' }),
    ...loadRows('referrals_received', m.received, { baseline: m.indexed }),
    makeRow(
      'referrals_received_vs_indexed_query_ratio',
      m.received.requestsPerSecond / m.indexed.requestsPerSecond,
      'x',
    ),
    makeRow('referrals_received_unverified_responses', m.receivedUnverified, 'responses', {
      target: '== 0',
    }),
    makeRow('thread_message_post_p50_ms', postP50, 'ms'),
    makeRow('thread_message_post_p99_ms', postP99, 'ms'),
    makeRow('thread_message_delivery_p50_ms', orZero(m.delivery.deliveries, median), 'ms', {
      baseline: postP50,
    }),
    makeRow(
      'thread_message_delivery_p99_ms',
      orZero(m.delivery.deliveries, (v) => percentile(v, 99)),
      'ms',
      { baseline: postP99, target: deliveryP99Target },
    ),
    makeRow(
      'thread_message_delivery_max_ms',
      orZero(m.delivery.deliveries, (v) => Math.max(...v)),
      'ms',
    ),
    makeRow('thread_message_deliveries', m.delivery.deliveries.length, 'events', { target: '> 0' }),
    makeRow('thread_message_undelivered', m.delivery.undelivered, 'events', { target: '== 0' }),
    makeRow('thread_message_failed_posts', m.delivery.failedPosts, 'requests', { target: '== 0' }),
    makeRow('thread_streams_open', m.delivery.streams, 'streams', { target: `>= ${openStreams}` }),
    makeRow('thread_streams_dropped', m.delivery.droppedStreams, 'streams', { target: '== 0' }),
    makeRow('referrals_generated', m.referrals, 'referrals'),
    makeRow('referrals_organisations', m.organisations, 'organisations'),
    makeRow('referrals_generation_s', m.generationSeconds, 's'),
  ];
}

const sequentialCount = 200;
const sequentialDiscard = 20;

export const referralsSuite: Suite = {
  name: 'referrals',
  description:
    'the received referrals list over the preset’s referrals, and live thread messages on 200 streams',
  async run(context: BenchContext) {
    const { preset, seed } = context.options;
    context.log(`generating bench_items (${preset.name} preset)`);
    await fillDatabase(context, ['bench_items']);
    const indexed = await measureIndexedQuery(context);

    process.env.CAIRN_MASTER_KEY ??= randomBytes(32).toString('base64');
    const masterKey = masterKeyFromEnv();
    {
      const { service } = await startCairn(context);
      await service.stop();
    }
    // The cases under the referrals: `referralCases` of them (fewer than the cases suite's in the large preset).
    const dataPreset = { ...preset, cases: preset.referralCases };
    context.log(
      `generating ${dataPreset.cases} cases across ${preset.caseOrganisations} organisations, then ${preset.referrals} referrals`,
    );
    const started = performance.now();
    const db = await context.database.connect();
    try {
      await generateScaleData(db, dataPreset, seed, {
        only: ['referrals'],
        onProgress: (r) =>
          context.log(`  generated ${r.name}: ${r.rows} rows in ${(r.milliseconds / 1000).toFixed(1)} s`),
      });
      context.log(`  ${await refreshBenchSessions(db)} sessions refreshed`);
    } finally {
      await db.close();
    }
    const generationSeconds = (performance.now() - started) / 1000;

    const readers = await listReaders(context);
    const requests = receivedRequests(masterKey, readers);
    const threads = await chooseThreads(context, masterKey);
    const { service } = await startCairn(context);
    try {
      const me = requests.map((r) => ({ ...r, path: '/api/auth/me', expect: ['"level":"full"'] }));
      context.log(`Cairn GET /api/auth/me and ${receivedPath}: ${sequentialCount} each, one by one`);
      const meTimed = await oneByOne(service, me, sequentialCount, sequentialDiscard);
      const listTimed = await oneByOne(service, requests, sequentialCount, sequentialDiscard);
      context.log(
        `  auth/me median ${orZero(meTimed.latencies, median).toFixed(1)} ms; received median ` +
          `${orZero(listTimed.latencies, median).toFixed(1)} ms, p99 ${orZero(listTimed.latencies, (v) => percentile(v, 99)).toFixed(1)} ms; ` +
          `${meTimed.failed + listTimed.failed} failed`,
      );

      const { warmupSeconds, durationSeconds, connections } = context.options;
      if (warmupSeconds > 0) await runCaseRequests(context, service, requests, warmupSeconds);
      context.log(
        `  measuring the received list as ${requests.length} organisations in turn (${connections} connections)`,
      );
      const received = await runCaseRequests(context, service, requests, durationSeconds);
      context.log(
        `  ${Math.round(received.result.requestsPerSecond)} req/s, p50 ${received.result.latencyP50Ms} ms, ` +
          `p99 ${received.result.latencyP99Ms} ms; ${received.check.unverified} unverified`,
      );
      // A fresh Cairn for the streams: the message route's own limit (120 a minute) starts empty.
      await service.stop();
      // As behind a reverse proxy, so each person's address is their own (see measureDelivery).
      const trustProxy = process.env.CAIRN_TRUST_PROXY;
      process.env.CAIRN_TRUST_PROXY = 'true';
      const second = await startCairn(context).finally(() => {
        if (trustProxy === undefined) delete process.env.CAIRN_TRUST_PROXY;
        else process.env.CAIRN_TRUST_PROXY = trustProxy;
      });
      try {
        const messages = preset.name === 'large' ? 200 : 40;
        context.log(`Cairn live threads: ${threads.length} referral threads, ${openStreams} streams`);
        const delivery = await measureDelivery(context, second.service, threads, messages, 250);
        context.log(
          `  delivery median ${orZero(delivery.deliveries, median).toFixed(0)} ms, p99 ` +
            `${orZero(delivery.deliveries, (v) => percentile(v, 99)).toFixed(0)} ms over ${delivery.deliveries.length} ` +
            `deliveries; ${delivery.undelivered} undelivered`,
        );
        context.note(
          `referrals_received: GET ${receivedPath} as a case supervisor (or caseworker) of each of the ` +
            `${readers.length} organisations in turn, ${sequentialCount} one by one (after ${sequentialDiscard} ` +
            `discarded; baseline GET /api/auth/me the same way), then under load at ${connections} connections`,
        );
        context.note(
          `thread_message_delivery: ${delivery.messages} messages posted ${250} ms apart over ${delivery.threads} ` +
            `referral threads in progress, each timed from sending the POST to its event on every stream of the ` +
            `recipient's people (${delivery.streams} streams open); baseline: the POST's own answer time`,
        );
        return referralsRows({
          indexed,
          received: received.result,
          receivedUnverified: received.check.unverified,
          sequentialReceivedMs: listTimed.latencies,
          sequentialMeMs: meTimed.latencies,
          sequentialFailed: listTimed.failed + meTimed.failed,
          delivery,
          referrals: preset.referrals,
          organisations: readers.length,
          generationSeconds,
        });
      } finally {
        await second.service.stop();
      }
    } finally {
      await service.stop();
    }
  },
};
