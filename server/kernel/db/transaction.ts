import type { Db, Tx } from './types.js';

type AfterCommit = () => void | Promise<void>;

// Callbacks registered on a transaction run only once it has committed; a rollback drops them.
const pending = new WeakMap<Tx, AfterCommit[]>();

/**
 * Runs one use case in one transaction. Everything it registers with onCommit (events, job nudges)
 * runs after COMMIT, so nothing reacts to a change that was rolled back.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const callbacks: AfterCommit[] = [];
  const result = await db.transaction(async (tx) => {
    pending.set(tx, callbacks);
    return work(tx);
  });
  // Callbacks own their errors (the bus logs them): the change is committed whatever they do.
  await Promise.allSettled(callbacks.map(async (callback) => callback()));
  return result;
}

/** Registers work to run after the transaction commits; throws if tx was not opened by inTransaction. */
export function onCommit(tx: Tx, callback: AfterCommit): void {
  const callbacks = pending.get(tx);
  if (!callbacks) throw new Error('onCommit needs a transaction opened by inTransaction()');
  callbacks.push(callback);
}
