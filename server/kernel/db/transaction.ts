import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Tx } from './types.js';

type AfterCommit = () => void | Promise<void>;

// Callbacks registered on a transaction run only once it has committed; a rollback drops them.
const pending = new WeakMap<Tx, AfterCommit[]>();
// Work registered to run last inside a transaction, just before COMMIT (the audit chain's append).
const finishing = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Work that must be part of the same transaction as a change, run at its start and just before COMMIT. The
 * HTTP layer uses it for Idempotency-Key claims (server/kernel/http/idempotency.ts): the claim and the
 * change it protects commit together or not at all.
 */
export interface TransactionGuard {
  /** Runs first in the transaction; throwing rolls it back before the use case runs. */
  begin: (tx: Tx) => Promise<void>;
  /** Runs after the use case, with its result, before COMMIT; throwing rolls everything back. */
  beforeCommit: (tx: Tx, result: unknown) => Promise<void>;
}

interface GuardSlot {
  guard: TransactionGuard;
  taken: boolean;
}

const guards = new AsyncLocalStorage<GuardSlot>();

/**
 * Runs fn with a guard that the first transaction opened inside it (by inTransaction) takes on, and only that
 * one: a later transaction of the same use case (a read after the change, a failure report) runs unguarded.
 */
export async function withTransactionGuard<T>(guard: TransactionGuard, fn: () => Promise<T>): Promise<T> {
  const slot: GuardSlot = { guard, taken: false };
  try {
    return await guards.run(slot, fn);
  } finally {
    // Timers and callbacks started inside fn keep its async context: none of them may take the guard later.
    slot.taken = true;
  }
}

/**
 * Runs one use case in one transaction. Everything it registers with onCommit (events, job nudges)
 * runs after COMMIT, so nothing reacts to a change that was rolled back.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const callbacks: AfterCommit[] = [];
  const slot = guards.getStore();
  const guard = slot && !slot.taken ? slot.guard : undefined;
  if (slot && guard) slot.taken = true;
  const result = await db.transaction(async (tx) => {
    pending.set(tx, callbacks);
    const last: (() => Promise<void>)[] = [];
    finishing.set(tx, last);
    if (guard) await guard.begin(tx);
    const value = await work(tx);
    if (guard) await guard.beforeCommit(tx, value);
    for (const step of last) await step();
    return value;
  });
  // Callbacks own their errors (the bus logs them): the change is committed whatever they do.
  await Promise.allSettled(callbacks.map(async (callback) => callback()));
  return result;
}

/**
 * Registers work to run inside the transaction after everything else, just before COMMIT; false (and nothing
 * registered) if tx was not opened by inTransaction, so the caller does the work at once instead.
 */
export function beforeCommit(tx: Tx, step: () => Promise<void>): boolean {
  const steps = finishing.get(tx);
  if (!steps) return false;
  steps.push(step);
  return true;
}

/** Registers work to run after the transaction commits; throws if tx was not opened by inTransaction. */
export function onCommit(tx: Tx, callback: AfterCommit): void {
  const callbacks = pending.get(tx);
  if (!callbacks) throw new Error('onCommit needs a transaction opened by inTransaction()');
  callbacks.push(callback);
}
