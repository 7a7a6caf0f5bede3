import type { Logger } from 'pino';
import type { Database, Listener } from '../../kernel/db/client.js';

/**
 * Session rows held briefly in memory for the few routes that ask for it (`config.cachedActor`: the directory's
 * search and map, which only need to know whether the caller is a member). Every other route resolves its caller
 * from the database on every request.
 *
 * SECURITY: an entry is used only while this process listens to `identity_actor`. Triggers (migration 0028)
 * notify that channel, once per transaction, whenever anything a session row is made of changes: a session
 * revoked, stepped up or moved to another membership (not the once-a-minute `last_seen_at` touch), a person, a
 * membership, an organisation, a factor or the required-factor setting. The notification arrives after the
 * commit and empties the whole cache, so a change reaches these routes a few milliseconds after it commits, in
 * every process. If the listening connection is lost, the cache is emptied and not used until it listens again.
 * Entries also expire after `ttlMs` whatever happens. Expiry and the idle timeout are still checked on every
 * request, from the row's own times. Unknown tokens are never cached, so random cookies cannot fill the memory.
 */

/** How long an entry may be used, notifications or not. */
const ttlMs = 10_000;
/** At most this many sessions are held; the oldest entry makes room. */
const maxEntries = 10_000;

export class ActorRowCache<Row> {
  private readonly rows = new Map<string, { row: Row; at: number }>();
  private listener: Listener | null = null;
  private listening: Promise<void> | null = null;
  /** Bumped by every flush: a row read before a flush is not stored after it. */
  private generation = 0;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
  ) {}

  /** The row for a token hash: from the cache while it is trusted and fresh, else loaded (and kept if found). */
  async get(tokenHash: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    if (!this.listener) {
      this.startListening();
      return load();
    }
    const now = Date.now();
    const entry = this.rows.get(tokenHash);
    if (entry && now - entry.at < ttlMs) return entry.row;
    const generation = this.generation;
    const row = await load();
    if (row !== undefined && this.listener && generation === this.generation) {
      this.rows.delete(tokenHash);
      if (this.rows.size >= maxEntries) this.rows.delete(this.rows.keys().next().value!);
      this.rows.set(tokenHash, { row, at: now });
    }
    return row;
  }

  /** Replaces a cached row (after this process wrote it, e.g. the idle timeout's touch). */
  update(tokenHash: string, row: Row): void {
    const entry = this.rows.get(tokenHash);
    if (entry) entry.row = row;
  }

  /** Forgets every row (a change was announced, or notifications may have been missed). */
  flush(): void {
    this.generation++;
    this.rows.clear();
  }

  private startListening(): void {
    if (this.listening) return;
    this.listening = this.database
      .listen(
        'identity_actor',
        () => this.flush(),
        () => {
          this.listener = null;
          this.listening = null;
          this.flush();
          this.log.warn('session cache lost its notifications; sessions are read from the database');
        },
      )
      .then((listener) => {
        // Whatever changed before LISTEN took effect was read from the database anyway (nothing was cached).
        this.flush();
        this.listener = listener;
      })
      .catch((error: unknown) => {
        this.listening = null;
        this.log.warn({ err: error }, 'session cache could not listen; sessions are read from the database');
      });
  }

  /** How many sessions are held (tests). */
  get size(): number {
    return this.rows.size;
  }

  /** Resolves once every notification committed before the call has been handled (tests). */
  async sync(): Promise<void> {
    await this.listening;
    await this.listener?.sync();
  }

  /** Stops listening and forgets everything. */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    this.listening = null;
    this.flush();
    await listener?.unlisten();
  }
}

const caches = new WeakMap<Database, ActorRowCache<unknown>>();

/** The session cache of a database in this process. */
export function actorRowCacheOf<Row>(database: Database, log: Logger): ActorRowCache<Row> {
  let cache = caches.get(database);
  if (!cache) {
    cache = new ActorRowCache<unknown>(database, log);
    caches.set(database, cache);
  }
  return cache as ActorRowCache<Row>;
}
