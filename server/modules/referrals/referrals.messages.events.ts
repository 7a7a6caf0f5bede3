import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../kernel/db/types.js';

/**
 * What happens in a thread, as announced to live streams: ids only, never a text or a name. Announced through
 * PostgreSQL's NOTIFY inside the change's transaction, so it leaves only if the change commits, and it reaches
 * every Cairn process listening on the channel (PGlite's listen, in a single process, the same way).
 */
export const threadEventSchema = z.strictObject({
  kind: z.enum(['message', 'read']),
  threadId: z.uuid(),
  /** The thread's organisations: only their people's streams are candidates. */
  parties: z.array(z.uuid()).min(1).max(8),
  messageId: z.uuid().optional(),
  /** Who wrote the message, or who read the thread. */
  personId: z.uuid(),
  organisationId: z.uuid(),
});
export type ThreadEvent = z.infer<typeof threadEventSchema>;

/**
 * A referral or transfer that changed state, announced on the same channel so the other side's open pages
 * refresh: the subject's kind, id and new state only (a state is no content; the client refetches the rest).
 */
export const subjectEventSchema = z.strictObject({
  kind: z.literal('state'),
  subjectKind: z.enum(['referral', 'transfer']),
  subjectId: z.uuid(),
  state: z.string().max(40),
  /** The subject's organisations: only their people's streams are candidates. */
  parties: z.array(z.uuid()).min(1).max(8),
});
export type SubjectEvent = z.infer<typeof subjectEventSchema>;

/** Anything a live stream may carry. */
export const streamEventSchema = z.union([threadEventSchema, subjectEventSchema]);
export type StreamEvent = z.infer<typeof streamEventSchema>;

/** The notification channel of thread events. */
export const threadEventChannel = 'referrals_threads';

/** Announces a thread event when (and only if) the caller's transaction commits. */
export async function publishThreadEvent(tx: Tx, event: ThreadEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${threadEventChannel}, ${JSON.stringify(event)})`);
}

/** Announces a referral's or transfer's new state when (and only if) the caller's transaction commits. */
export async function publishSubjectEvent(tx: Tx, event: Omit<SubjectEvent, 'kind'>): Promise<void> {
  await tx.execute(
    sql`select pg_notify(${threadEventChannel}, ${JSON.stringify({ kind: 'state', ...event })})`,
  );
}

/** A notification's payload as an event, or null when it is not one (anything may NOTIFY on a channel). */
export function parseThreadEvent(payload: string): StreamEvent | null {
  try {
    const parsed = streamEventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
