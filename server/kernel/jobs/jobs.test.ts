import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../bus/bus.js';
import type { Database } from '../db/client.js';
import { kernelJobs } from '../db/kernel.tables.js';
import { inTransaction } from '../db/transaction.js';
import { createLogger } from '../logging.js';
import { createTestDatabase } from '../../test/db.js';
import { JobQueue, retryDelayMs } from './jobs.js';

const message = (to: string) => ({ to, subject: 'Hello', text: 'A test message' });

async function jobRow(database: Database, id: number) {
  const rows = await database.db.select().from(kernelJobs).where(eq(kernelJobs.id, id));
  return rows[0]!;
}

describe('the job queue', () => {
  let database: Database;
  const log = createLogger('silent');
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('runs a job only if the transaction that enqueued it commits', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log), { retryBaseMs: 1 });
    const sent: string[] = [];
    queue.register('kernel.send_mail', async (payload) => {
      sent.push(payload.to);
    });
    await expect(
      inTransaction(database.db, async (tx) => {
        await queue.enqueue(tx, 'kernel.send_mail', message('rolled@back.test'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const id = await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('committed@cairn.test')),
    );
    expect(await queue.runDue()).toBe(1);
    expect(sent).toEqual(['committed@cairn.test']);
    expect(await jobRow(database, id!)).toMatchObject({
      status: 'done',
      attempts: 1,
      lastError: null,
      payload: {},
    });
    expect(await queue.runDue()).toBe(0);
  });

  it('retries with back-off, then fails for good and says so on the bus', async () => {
    const bus = new EventBus(log);
    const failed: number[] = [];
    bus.on('kernel.job_failed', ({ jobId }) => {
      failed.push(jobId);
    });
    const queue = new JobQueue(database.db, log, bus, { retryBaseMs: 1 });
    let calls = 0;
    queue.register('kernel.send_mail', async () => {
      calls++;
      throw new Error('smtp down');
    });
    const id = (await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('a@b.test'), { maxAttempts: 3 }),
    ))!;
    await queue.runDue();
    let row = await jobRow(database, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: smtp down' });
    expect(row.runAt.getTime()).toBeGreaterThan(Date.now() - 1000);
    for (let i = 0; i < 10 && (await jobRow(database, id)).status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await queue.runDue();
    }
    row = await jobRow(database, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(calls).toBe(3);
    expect(failed).toEqual([id]);
  });

  it('keeps one live job per dedupe key', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log));
    const first = await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('x@y.test'), { dedupeKey: 'digest:42' }),
    );
    const second = await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('x@y.test'), { dedupeKey: 'digest:42' }),
    );
    expect(first).toBeTypeOf('number');
    expect(second).toBeUndefined();
    await database.db.delete(kernelJobs).where(eq(kernelJobs.id, first!));
  });

  it('does not run jobs scheduled for later', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log));
    const ran: string[] = [];
    queue.register('kernel.send_mail', async (payload) => {
      ran.push(payload.to);
    });
    const id = await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('later@x.test'), {
        runAt: new Date(Date.now() + 3_600_000),
      }),
    );
    expect(await queue.runDue()).toBe(0);
    expect(ran).toEqual([]);
    await database.db.delete(kernelJobs).where(eq(kernelJobs.id, id!));
  });

  it('recovers a job whose worker died while holding it', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log));
    const ran: string[] = [];
    queue.register('kernel.send_mail', async (payload) => {
      ran.push(payload.to);
    });
    const id = (await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'kernel.send_mail', message('orphan@x.test')),
    ))!;
    // Simulate a worker that claimed the job and was killed: the lock has expired.
    await database.db.execute(
      sql`update kernel_jobs set status = 'running', attempts = 1, locked_by = 'dead-worker',
          locked_until = now() - interval '1 second' where id = ${id}`,
    );
    expect(await queue.runDue()).toBe(1);
    expect(ran).toEqual(['orphan@x.test']);
    expect(await jobRow(database, id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('keeps a job that runs longer than its lock: no other worker takes it over meanwhile', async () => {
    const running = new JobQueue(database.db, log, new EventBus(log), { lockSeconds: 1 });
    const other = new JobQueue(database.db, log, new EventBus(log), { lockSeconds: 1 });
    const runs: string[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    running.register('kernel.send_mail', async (payload) => {
      runs.push(`first ${payload.to}`);
      await finished;
    });
    other.register('kernel.send_mail', async (payload) => {
      runs.push(`second ${payload.to}`);
    });
    const id = (await inTransaction(database.db, (tx) =>
      running.enqueue(tx, 'kernel.send_mail', message('long@x.test')),
    ))!;
    const first = running.runDue();
    // Three lock lifetimes: without renewal the other worker would recover the job after the first.
    for (let i = 0; i < 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await other.runDue()).toBe(0);
    }
    const row = await jobRow(database, id);
    expect(row).toMatchObject({ status: 'running', attempts: 1 });
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    finish();
    expect(await first).toBe(1);
    expect(runs).toEqual(['first long@x.test']);
    expect(await jobRow(database, id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('runs jobs in the background soon after commit once started, and stops cleanly', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log), { pollIntervalMs: 60_000 });
    const done = new Promise<string>((resolve) => {
      queue.register('kernel.send_mail', async (payload) => {
        resolve(payload.to);
      });
    });
    queue.start();
    // The poll interval is a minute: only the after-commit nudge can make this run quickly.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await inTransaction(database.db, (tx) => queue.enqueue(tx, 'kernel.send_mail', message('nudged@x.test')));
    await expect(done).resolves.toBe('nudged@x.test');
    await queue.stop();
  });

  it('runs a recurring job every interval: queued at start, each run queueing the next slot once', async () => {
    const queue = new JobQueue(database.db, log, new EventBus(log), { retryBaseMs: 1 });
    const hour = 60 * 60 * 1000;
    let runs = 0;
    // Any job without a payload can recur; this one belongs to a module, which a kernel test does not load.
    queue.recurring('journeys.follow_cases', hour, async () => {
      runs += 1;
    });
    const pending = async () =>
      database.db
        .select({ runAt: kernelJobs.runAt, key: kernelJobs.dedupeKey })
        .from(kernelJobs)
        .where(sql`${kernelJobs.name} = 'journeys.follow_cases' and ${kernelJobs.status} = 'pending'`);
    await expect.poll(async () => (await pending()).length).toBe(1);
    expect(await queue.runDue()).toBe(1);
    expect(runs).toBe(1);
    const [next] = await pending();
    expect(next!.runAt.getTime()).toBeGreaterThan(Date.now() + hour - 60_000);
    const slot = new Date(Math.floor(next!.runAt.getTime() / hour) * hour).toISOString();
    expect(next!.key).toBe(`journeys.follow_cases:${slot}`);
    // Queuing the same slot again (another process starting) adds nothing.
    await inTransaction(database.db, (tx) =>
      queue.enqueue(tx, 'journeys.follow_cases', {}, { runAt: next!.runAt, dedupeKey: next!.key! }),
    );
    expect(await pending()).toHaveLength(1);
  });

  it('backs off exponentially with a cap', () => {
    expect(retryDelayMs(1, 1000)).toBeGreaterThanOrEqual(750);
    expect(retryDelayMs(1, 1000)).toBeLessThanOrEqual(1250);
    expect(retryDelayMs(4, 1000)).toBeGreaterThanOrEqual(6000);
    expect(retryDelayMs(40, 1000)).toBeLessThanOrEqual(3_600_000 * 1.25);
  });
});
