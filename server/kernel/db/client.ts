import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Config } from '../config.js';
import { lockDirectory } from './lock.js';
import { runMigrations } from './migrate.js';
import { prepareRepeatedStatements } from './prepared.js';
import type { DatabaseKind, Db } from './types.js';

/** A subscription to a PostgreSQL notification channel (LISTEN). */
export interface Listener {
  /**
   * Resolves once every notification committed before this call has been handed to the handler (a round trip
   * on the listening connection: the server delivers pending notifications before answering it).
   */
  sync: () => Promise<void>;
  unlisten: () => Promise<void>;
}

/** An open database: the Drizzle handle, which engine it is, notifications, and how to close it. */
export interface Database {
  db: Db;
  kind: DatabaseKind;
  /**
   * Listens on a channel (`pg_notify`). Notifications arrive after their transaction commits. `onLost` is
   * called if the listening connection breaks (notifications may have been missed; listen again).
   */
  listen: (channel: string, onMessage: (payload: string) => void, onLost?: () => void) => Promise<Listener>;
  close: () => Promise<void>;
}

const channelName = /^[a-z_][a-z0-9_]{0,62}$/;

/** Extensions Cairn needs; PGlite must be given them at creation, PostgreSQL gets them by migration. */
export const pgliteExtensions = { pg_trgm, unaccent, pgcrypto };

/** The role the application runs as: row-level security applies to it and audit rows are read-only to it. */
export const appRole = 'cairn_app';

/** Switches a PGlite session (one connection for the whole process) to the application role. */
export async function useAppRole(client: PGlite): Promise<void> {
  await client.exec(`set role ${appRole}`);
}

/** Wraps a PGlite instance (already created) as a Database. */
export function fromPglite(client: PGlite, onClose?: () => void): Database {
  return {
    db: drizzlePglite({ client }),
    kind: 'pglite',
    listen: async (channel, onMessage) => {
      if (!channelName.test(channel)) throw new Error(`bad channel name ${channel}`);
      const unsubscribe = await client.listen(channel, onMessage);
      return {
        sync: async () => {
          await client.query('select 1');
        },
        unlisten: unsubscribe,
      };
    },
    close: async () => {
      if (!client.closed) await client.close();
      onClose?.();
    },
  };
}

/** Wraps a node-postgres pool as a Database. */
export function fromPool(pool: pg.Pool): Database {
  const listening = new Set<pg.Client>();
  // Set by close(): a listener's connection ending then is no loss to report.
  let closing = false;
  return {
    db: drizzlePg({ client: pool }),
    kind: 'postgresql',
    // Each listener has a connection of its own, made with the pool's settings (so as the application role)
    // but outside it: a listener holds its connection for as long as it listens, and must not take one from
    // the requests.
    listen: async (channel, onMessage, onLost) => {
      if (!channelName.test(channel)) throw new Error(`bad channel name ${channel}`);
      const client = new pg.Client(pool.options);
      let open = true;
      const lost = () => {
        if (!open || closing) return;
        open = false;
        listening.delete(client);
        client.end().catch(() => undefined);
        onLost?.();
      };
      client.on('notification', (message) => {
        if (message.channel === channel) onMessage(message.payload ?? '');
      });
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        open = false;
        await client.end().catch(() => undefined);
        throw error;
      }
      listening.add(client);
      return {
        sync: async () => {
          if (open) await client.query('select 1');
        },
        unlisten: async () => {
          if (!open) return;
          open = false;
          listening.delete(client);
          await client.end().catch(() => undefined);
        },
      };
    },
    close: async () => {
      closing = true;
      await Promise.all([...listening].map((client) => client.end().catch(() => undefined)));
      listening.clear();
      await pool.end();
    },
  };
}

/**
 * Session settings of every connection Cairn's own queries run on (startup parameters, `-c name=value`).
 *
 * `jit=off`: PostgreSQL compiles a query to machine code once its estimated cost passes `jit_above_cost`
 * (100,000 by default), and some of Cairn's statements pass it at the benchmarks' scale. Re-screening an
 * organisation against 10M selectors compiled for about 7 ms of its 250–400 ms, and the first compiled query of a
 * connection waited about 40 ms more while the compiler loaded (docs/ARCHITECTURE.md, Data). Cairn's queries are
 * many and short: none runs long enough for compiled code to win that back.
 */
export const sessionOptions = '-c jit=off';

/**
 * A pool whose every connection acts as the application role from its first statement: the role is a
 * startup parameter (`-c role=cairn_app`), so no query can ever run before it is set.
 */
export function appRolePool(url: string, max: number, options: { prepare?: boolean } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'cairn',
    options: `-c role=${appRole} ${sessionOptions}`,
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // So must a checked-out one (PostgreSQL restarting mid-transaction): the pool stops listening to a client it
  // lends, and its 'error' event, unheard, would kill the process. The query in flight fails on its own and
  // the pool drops the broken client when it comes back (found by server/security/crash.security.ts).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    if (options.prepare ?? true) prepareRepeatedStatements(client);
  });
  return pool;
}

/**
 * Opens PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite folder (locked to this process),
 * applies pending migrations, and from then on runs every query as the application role.
 */
export async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.kind === 'postgresql') {
    // Migrations run on their own connection as the configured user; the pool only ever acts as cairn_app.
    await runMigrations({ kind: 'postgresql', url: config.url });
    return fromPool(appRolePool(config.url, config.poolMax, { prepare: config.preparedStatements }));
  }
  const lock = lockDirectory(config.dataDir);
  try {
    const client = await PGlite.create(config.dataDir, { extensions: pgliteExtensions });
    await runMigrations({ kind: 'pglite', client });
    await useAppRole(client);
    return fromPglite(client, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}
