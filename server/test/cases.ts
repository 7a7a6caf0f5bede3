import { eq } from 'drizzle-orm';
import type { Db } from '../kernel/db/types.js';
import { identitySessions } from '../modules/identity/identity.tables.js';

/** Marks a session as stepped up just now (what a passkey or TOTP step-up does), without the ceremony. */
export async function stepUp(db: Db, sessionId: string, at = new Date()): Promise<void> {
  await db.update(identitySessions).set({ stepUpAt: at }).where(eq(identitySessions.id, sessionId));
}
