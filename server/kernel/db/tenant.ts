import { sql } from 'drizzle-orm';
import type { Tx } from './types.js';

/**
 * SECURITY: scopes row-level security to one organisation for the rest of this transaction (SET LOCAL).
 * Tenant tables show the application role only that organisation's rows; without this, they show nothing.
 */
export async function setTenant(tx: Tx, organisationId: string): Promise<void> {
  await tx.execute(sql`select set_config('cairn.organisation_id', ${organisationId}, true)`);
}

/**
 * SECURITY: lifts the tenant wall for this transaction, for platform-wide use cases only (sign-in across a
 * person's organisations, moderation, platform administration). Every caller says why in a comment.
 */
export async function setPlatformScope(tx: Tx): Promise<void> {
  await tx.execute(sql`select set_config('cairn.scope', 'platform', true)`);
}
