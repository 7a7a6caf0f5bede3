import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging.js';
import { createTestDatabase } from '../../test/db.js';
import type { Database } from '../db/client.js';
import { inTransaction, onCommit } from '../db/transaction.js';
import { queryRows } from '../db/types.js';
import { EventBus } from './bus.js';

describe('transactions and the event bus', () => {
  let database: Database;
  let bus: EventBus;
  beforeAll(async () => {
    database = await createTestDatabase();
    bus = new EventBus(createLogger('silent'));
  });
  afterAll(() => database.close());

  it('delivers events only after the transaction commits', async () => {
    const seen: number[] = [];
    let seenDuringTransaction = -1;
    const off = bus.on('kernel.job_failed', (payload) => {
      seen.push(payload.jobId);
    });
    await inTransaction(database.db, async (tx) => {
      bus.publish(tx, 'kernel.job_failed', { jobId: 1, name: 'x', attempts: 1 });
      seenDuringTransaction = seen.length;
    });
    off();
    expect(seenDuringTransaction).toBe(0);
    expect(seen).toEqual([1]);
  });

  it('drops events and after-commit work of a rolled-back transaction', async () => {
    const seen: number[] = [];
    const off = bus.on('kernel.job_failed', (payload) => {
      seen.push(payload.jobId);
    });
    let afterCommitRan = false;
    await expect(
      inTransaction(database.db, async (tx) => {
        await tx.execute(sql`insert into kernel_meta (key, value) values ('rolled-back', '1')`);
        bus.publish(tx, 'kernel.job_failed', { jobId: 2, name: 'x', attempts: 1 });
        onCommit(tx, () => {
          afterCommitRan = true;
        });
        throw new Error('use case failed');
      }),
    ).rejects.toThrow('use case failed');
    off();
    expect(seen).toEqual([]);
    expect(afterCommitRan).toBe(false);
    const rows = await queryRows(database.db, sql`select 1 from kernel_meta where key = 'rolled-back'`);
    expect(rows).toHaveLength(0);
  });

  it('keeps going when one handler throws', async () => {
    const seen: string[] = [];
    const offA = bus.on('kernel.job_failed', () => {
      throw new Error('handler A broke');
    });
    const offB = bus.on('kernel.job_failed', () => {
      seen.push('B');
    });
    await inTransaction(database.db, async (tx) => {
      bus.publish(tx, 'kernel.job_failed', { jobId: 3, name: 'x', attempts: 1 });
    });
    offA();
    offB();
    expect(seen).toEqual(['B']);
  });

  it('refuses onCommit outside a kernel transaction', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        onCommit(tx, () => undefined);
      }),
    ).rejects.toThrow(/inTransaction/);
  });
});
