import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/types.js';
import { identityThrottles } from './identity.tables.js';

/** Failures allowed before back-off starts, per account and per client address. */
const freeFailures = { account: 5, address: 20 } as const;
const maxDelaySeconds = 15 * 60;

export type ThrottleKind = keyof typeof freeFailures;

/**
 * Seconds the caller must still wait, or 0. Counters live in PostgreSQL so every app process sees them.
 * There is no permanent lockout: an attacker must not be able to lock a real person out.
 */
export async function throttleWait(tx: Tx, key: string): Promise<number> {
  const [row] = await tx.select().from(identityThrottles).where(eq(identityThrottles.key, key));
  if (!row?.blockedUntil) return 0;
  return Math.max(0, Math.ceil((row.blockedUntil.getTime() - Date.now()) / 1000));
}

/** Records a failure: after the free ones, each further failure doubles the wait (capped at 15 minutes). */
export async function recordFailure(tx: Tx, kind: ThrottleKind, key: string): Promise<void> {
  const free = freeFailures[kind];
  await tx
    .insert(identityThrottles)
    .values({ key, failures: 1 })
    .onConflictDoUpdate({
      target: identityThrottles.key,
      set: {
        failures: sql`${identityThrottles.failures} + 1`,
        updatedAt: new Date(),
        blockedUntil: sql`case when ${identityThrottles.failures} + 1 > ${free}
          then now() + make_interval(secs => least(${maxDelaySeconds}, power(2, ${identityThrottles.failures} + 1 - ${free})))
          else null end`,
      },
    });
}

/** Clears an account's counter after a successful sign-in. */
export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.delete(identityThrottles).where(eq(identityThrottles.key, key));
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `address:${ip}`;
