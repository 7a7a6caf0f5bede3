import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadResult } from '../lib/load.js';
import { meetsTarget } from '../lib/results.js';
import {
  clientAddress,
  openThreadStream,
  planStreams,
  SseParser,
  type SseEvent,
} from './referrals-stream.js';
import { referralsRows, type ReferralsMeasurements } from './referrals.js';

describe('referrals suite: reading Server-Sent Events', () => {
  it('completes frames split anywhere, joins data lines, skips comments and retry', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 3000\n\n: ping\n\nid: a-1\nevent: mess')).toEqual([]);
    expect(parser.push('age\ndata: {"threadId":"t"}\r\n\r\nid: a-2\ndata: one\ndata: two\n\n')).toEqual([
      { id: 'a-1', event: 'message', data: '{"threadId":"t"}' },
      { id: 'a-2', event: 'message', data: 'one\ntwo' },
    ]);
    expect(parser.push('event: ready\ndata: {}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: null, event: 'ready', data: '{}' }]);
  });

  it('gives each person an address of their own in 10.0.0.0/8', () => {
    expect(clientAddress(1)).toBe('10.0.0.1');
    expect(clientAddress(258)).toBe('10.0.1.2');
    expect(new Set(Array.from({ length: 500 }, (_, i) => clientAddress(i))).size).toBe(500);
    expect(() => clientAddress(2 ** 24)).toThrow();
  });
});

describe('referrals suite: streams over the threads’ readers', () => {
  const threads = [
    { referralId: 'r1', authorCookie: 'a1', readerCookies: ['p1', 'p2'] },
    { referralId: 'r2', authorCookie: 'a2', readerCookies: ['p3'] },
  ];

  it('spreads the streams person by person, never above the per-person limit', () => {
    const plan = planStreams(threads, 7, 3);
    expect(plan).toHaveLength(7);
    const perPerson = new Map<string, number>();
    for (const p of plan) perPerson.set(p.cookie, (perPerson.get(p.cookie) ?? 0) + 1);
    expect([...perPerson.values()].every((n) => n <= 3)).toBe(true);
    expect(plan.filter((p) => p.cookie === 'p3').every((p) => p.thread === 1)).toBe(true);
    expect(plan.filter((p) => p.cookie === 'p1').every((p) => p.thread === 0)).toBe(true);
  });

  it('refuses a plan the readers cannot hold', () => {
    expect(() => planStreams(threads, 10, 3)).toThrow(/cannot hold/);
  });
});

describe('referrals suite: a live stream against a server', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sends the cookie, the address and the event-stream accept, resolves on ready, then hands over events', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const url = await serve((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('retry: 3000\n\nid: e-0\nevent: ready\ndata: {}\n\n');
      setTimeout(() => response.write('id: e-1\nevent: message\ndata: {"messageId":"m1"}\n\n'), 20);
    });
    const events: SseEvent[] = [];
    const stream = await openThreadStream(url, 'session=abc', (event) => events.push(event), {
      headers: { 'x-forwarded-for': '10.0.0.7' },
    });
    expect(stream.ready).toBe(true);
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toEqual({ id: 'e-1', event: 'message', data: '{"messageId":"m1"}' });
    expect(seen[0]).toMatchObject({
      accept: 'text/event-stream',
      cookie: 'session=abc',
      'x-forwarded-for': '10.0.0.7',
    });
    stream.close();
    expect(stream.ended).toBeNull();
  });

  it('rejects a refused stream with its status, and notices a stream the server ends', async () => {
    let refuse = true;
    const url = await serve((_request, response) => {
      if (refuse) {
        response.writeHead(429).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('event: ready\ndata: {}\n\n');
    });
    await expect(openThreadStream(url, 'c', () => undefined)).rejects.toThrow(/429/);
    refuse = false;
    const stream = await openThreadStream(url, 'c', () => undefined);
    await expect.poll(() => stream.ended).not.toBeNull();
  });
});

const load = (rps: number, p50: number, p99: number): LoadResult => ({
  requestsPerSecond: rps,
  latencyP50Ms: p50,
  latencyP99Ms: p99,
  latencyMeanMs: p50,
  totalRequests: rps * 10,
  errors: 0,
  non2xx: 0,
  durationSeconds: 10,
});

function measurements(overrides: Partial<ReferralsMeasurements> = {}): ReferralsMeasurements {
  return {
    indexed: load(4000, 10, 30),
    received: load(400, 100, 200),
    receivedUnverified: 0,
    sequentialReceivedMs: [10, 12, 14, 20, 40],
    sequentialMeMs: [4, 5, 6],
    sequentialFailed: 0,
    delivery: {
      deliveries: [50, 60, 70, 80, 900],
      undelivered: 0,
      postMs: [20, 30, 40],
      failedPosts: 0,
      streams: 200,
      threads: 10,
      messages: 40,
      droppedStreams: 0,
    },
    referrals: 10_000,
    organisations: 20,
    generationSeconds: 12,
    ...overrides,
  };
}

describe('referrals suite: rows', () => {
  const row = (rows: ReturnType<typeof referralsRows>, metric: string) => {
    const found = rows.find((r) => r.metric === metric);
    if (!found) throw new Error(`no row ${metric}`);
    return found;
  };

  it('judges the received median and the delivery p99 against the issue’s budgets, with same-run baselines', () => {
    const rows = referralsRows(measurements());
    const received = row(rows, 'referrals_received_sequential_p50_ms');
    expect(received).toMatchObject({ value: 14, baseline: 5, ratio: 2.8, target: '<= 30' });
    expect(meetsTarget(received)).toBe(true);
    const delivery = row(rows, 'thread_message_delivery_p99_ms');
    expect(delivery).toMatchObject({ value: 900, baseline: 40, target: '<= 1000' });
    expect(meetsTarget(delivery)).toBe(true);
    expect(row(rows, 'referrals_received_rps')).toMatchObject({ baseline: 4000, ratio: 0.1 });
    expect(row(rows, 'referrals_received_vs_indexed_query_ratio').value).toBe(0.1);
    expect(rows.filter((r) => meetsTarget(r) === false)).toEqual([]);
  });

  it('misses on a slow list, a late, lost or failed message, or too few streams', () => {
    const slow = measurements({ sequentialReceivedMs: [31, 40, 50] });
    expect(meetsTarget(row(referralsRows(slow), 'referrals_received_sequential_p50_ms'))).toBe(false);
    const late = measurements();
    late.delivery = {
      ...late.delivery,
      deliveries: Array.from({ length: 100 }, (_, i) => (i < 98 ? 10 : 1500)),
    };
    expect(meetsTarget(row(referralsRows(late), 'thread_message_delivery_p99_ms'))).toBe(false);
    const lost = measurements();
    lost.delivery = { ...lost.delivery, undelivered: 1, failedPosts: 2, streams: 150, droppedStreams: 1 };
    const missed = referralsRows(lost)
      .filter((r) => meetsTarget(r) === false)
      .map((r) => r.metric);
    expect(missed).toEqual([
      'thread_message_undelivered',
      'thread_message_failed_posts',
      'thread_streams_open',
      'thread_streams_dropped',
    ]);
    const none = measurements();
    none.delivery = { ...none.delivery, deliveries: [] };
    expect(meetsTarget(row(referralsRows(none), 'thread_message_deliveries'))).toBe(false);
  });
});
