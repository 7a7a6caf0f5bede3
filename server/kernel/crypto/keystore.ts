import { createHash, createHmac, randomBytes } from 'node:crypto';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { kernelBlindIndexKeys, kernelOrganisationKeys } from '../db/kernel.tables.js';
import type { Queryable, Tx } from '../db/types.js';
import { AppError } from '../http/errors.js';
import { decrypt, encrypt } from './crypto.js';

/**
 * The key material of the keyring (docs/decisions/0008-keyring.md): organisation data keys and blind-index
 * keys, each a random 256-bit key stored only sealed under the master key, unsealed on use and cached in
 * process memory by (series, version). The public face is keyring.ts; this file is shared with rotation.ts.
 */

/** The purposes of blind indexes: `lookup` (equality search inside one organisation), `matching` (across). */
export type BlindIndexPurpose = 'lookup' | 'matching';
export const blindIndexPurposes: readonly BlindIndexPurpose[] = ['lookup', 'matching'];

/** Why the keyring refused: stable reasons for logs, tests and the CLI. */
export type KeyringErrorReason =
  | 'key_destroyed'
  | 'unknown_key'
  | 'cannot_open'
  | 'malformed'
  | 'no_active_key'
  | 'not_registered'
  | 'invalid_plaintext'
  | 'rotation_running'
  | 'keys_busy';

/**
 * An internal error of the keyring (HTTP answer: a generic 500). SECURITY: messages name tables, columns,
 * row ids and key versions — never a value, sealed or plain.
 */
export class KeyringError extends AppError {
  constructor(
    readonly reason: KeyringErrorReason,
    message: string,
    cause?: unknown,
  ) {
    super('internal', { cause });
    this.name = 'KeyringError';
    this.message = message;
  }
}

/** Where a sealed field lives; every part is bound into the AAD, so a value moved anywhere else fails. */
export interface FieldLocation {
  organisationId: string;
  /** SQL name of the table. */
  table: string;
  /** SQL name of the column. */
  column: string;
  /** The row's id as text, as the database returns it (lower-case uuid). */
  rowId: string;
}

const fieldFormat = /^k([1-9][0-9]{0,8})\.(v1\..+)$/s;

/**
 * The AAD of a sealed field: a JSON array, so no choice of organisation, table, column or row id can make
 * two different locations produce the same bytes (unlike a plain separator).
 */
function fieldAad(at: FieldLocation, version: number): string {
  return JSON.stringify(['cairn.field', at.organisationId, at.table, at.column, at.rowId, version]);
}

/** Seals a field under one version of its organisation's key: `k<version>.` + crypto.ts's v1 format. */
export function sealWith(key: Buffer, version: number, at: FieldLocation, plaintext: string): string {
  // A lone surrogate would be replaced on the way to UTF-8 and come back different: refuse, never mangle.
  if (/\p{Cs}/u.test(plaintext))
    throw new KeyringError('invalid_plaintext', 'plaintext is not well-formed Unicode (lone surrogate)');
  return `k${version}.${encrypt(key, plaintext, fieldAad(at, version))}`;
}

/** The key version a sealed field was written with; throws if it is not a sealed field. */
function fieldVersion(sealed: string, at: FieldLocation): { version: number; body: string } {
  const match = fieldFormat.exec(sealed);
  if (!match) throw new KeyringError('malformed', `${where(at)} does not hold a sealed field`);
  return { version: Number(match[1]), body: match[2]! };
}

/** A blind index under one version of a purpose's key: `b<version>.<hex HMAC-SHA-256>`. */
export function blindIndexWith(
  key: Buffer,
  version: number,
  purpose: BlindIndexPurpose,
  organisationId: string | null,
  value: string,
): string {
  // Domain-separated, unambiguous input; `lookup` indexes include their organisation (see BlindIndexScope).
  const message = JSON.stringify(['cairn.blind_index', purpose, organisationId, value]);
  return `b${version}.${createHmac('sha256', key).update(message, 'utf8').digest('hex')}`;
}

/** Where a field is, for error messages: ids and names only, never values. */
function where(at: FieldLocation): string {
  return `${at.table}.${at.column} of row ${at.rowId} (organisation ${at.organisationId})`;
}

/** Two-int advisory lock classes (a separate key space from the single-bigint lock of the audit trail). */
const lockClass = { organisation: 0x6b657931, blind_index: 0x6b657932 } as const;
export type KeySeries = keyof typeof lockClass;

/** A stable 32-bit lock key for a scope (organisation id or purpose); a collision only costs some waiting. */
function lockKey(scope: string): number {
  return createHash('sha256').update(scope, 'utf8').digest().readInt32BE(0);
}

/**
 * SECURITY: taken (shared) by every transaction that writes under the active version, held until it ends;
 * rotation takes it exclusively to switch versions. So the switch waits for writers that read the old
 * version, and writers after it read the new one: nothing is written under a retired key once the switch
 * has committed (decision 0008).
 */
export async function lockSeriesShared(tx: Tx, series: KeySeries, scope: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock_shared(${lockClass[series]}::int4, ${lockKey(scope)}::int4)`,
  );
}

/** The exclusive side of lockSeriesShared, for rotation's version switch. */
export async function lockSeriesExclusive(tx: Tx, series: KeySeries, scope: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${lockClass[series]}::int4, ${lockKey(scope)}::int4)`);
}

/**
 * The master-key AAD of a stored data key: a sealed key copied to another row does not unseal. Exported for
 * the scale generator (bench/scale/cases.ts), which stores keys exactly as this file does.
 */
export function keyAad(series: KeySeries, scope: string, version: number): string {
  return JSON.stringify([
    series === 'organisation' ? 'kernel_organisation_keys' : 'kernel_blind_index_keys',
    scope,
    version,
  ]);
}

interface CacheEntry {
  key: Buffer;
  sealed: string;
  expires: number;
}

export interface KeyStoreOptions {
  /** Unsealed keys kept in memory at most (least recently used go first). Default 2,048. */
  cacheSize?: number;
  /**
   * How long an unsealed key is trusted without re-reading its row. Bounds how long another process can
   * still open values under a key this process destroyed. Default 60 s.
   */
  cacheTtlMs?: number;
}

/** A key version in hand. */
export interface KeyVersion {
  version: number;
  key: Buffer;
}

/**
 * Loads, creates and caches key material. SECURITY: only keys of committed rows enter the shared cache
 * (a key created by a transaction stays in that transaction's memo until it commits and is read again),
 * and a cached key is re-checked against the stored sealed key whenever the row is at hand.
 */
export class KeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly activeByTx = new WeakMap<Tx, Map<string, KeyVersion>>();
  private readonly loading = new WeakMap<object, Map<string, Promise<KeyVersion>>>();
  private readonly cacheSize: number;
  private readonly cacheTtlMs: number;

  constructor(
    private readonly seal: (plaintext: string, aad: string) => string,
    private readonly unseal: (sealed: string, aad: string) => string,
    options: KeyStoreOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 2048;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
  }

  /** A fresh random data key, sealed for its row. */
  newSealedKey(series: KeySeries, scope: string, version: number): string {
    return this.seal(randomBytes(32).toString('base64'), keyAad(series, scope, version));
  }

  /** Forgets a version (after it was destroyed, or when a cached key failed to open a value). */
  evict(series: KeySeries, scope: string, version: number): void {
    this.cache.delete(cacheKey(series, scope, version));
  }

  /**
   * The active version of a series for a writing transaction, created as version 1 on first use. Read once
   * per transaction and scope, under the shared series lock (see lockSeriesShared).
   */
  async active(tx: Tx, series: KeySeries, scope: string): Promise<KeyVersion> {
    let memo = this.activeByTx.get(tx);
    const memoKey = `${series}:${scope}`;
    const known = memo?.get(memoKey);
    if (known) return known;
    await lockSeriesShared(tx, series, scope);
    let row = await readActive(tx, series, scope);
    let createdHere = false;
    if (!row) {
      // First use. Concurrent first uses race on the primary key; the losers wait for the winner's commit,
      // insert nothing, and read its key.
      const sealedKey = this.newSealedKey(series, scope, 1);
      const inserted =
        series === 'organisation'
          ? await tx
              .insert(kernelOrganisationKeys)
              .values({ organisationId: scope, version: 1, sealedKey, state: 'active' })
              .onConflictDoNothing()
              .returning({ version: kernelOrganisationKeys.version })
          : await tx
              .insert(kernelBlindIndexKeys)
              .values({ purpose: scope, version: 1, sealedKey, state: 'active' })
              .onConflictDoNothing()
              .returning({ version: kernelBlindIndexKeys.version });
      createdHere = inserted.length > 0;
      row = await readActive(tx, series, scope);
      if (!row)
        throw new KeyringError(
          'no_active_key',
          `no active ${series} key for ${scope} (all versions retired)`,
        );
    }
    const current: KeyVersion = {
      version: row.version,
      key: createdHere
        ? this.unsealRow(series, scope, row.version, row.sealedKey)
        : this.material(series, scope, row.version, row.sealedKey),
    };
    if (!memo) {
      memo = new Map();
      this.activeByTx.set(tx, memo);
    }
    memo.set(memoKey, current);
    return current;
  }

  /**
   * One version of a series, for opening: from this transaction's memo, the cache, or its row. Throws if
   * the version is destroyed or unknown. `fresh` skips the cache (used once after a failed open).
   */
  async version(
    db: Queryable,
    series: KeySeries,
    scope: string,
    version: number,
    fresh = false,
  ): Promise<Buffer> {
    const mine = this.activeByTx.get(db as Tx)?.get(`${series}:${scope}`);
    if (mine?.version === version) return mine.key;
    if (!fresh) {
      const cached = this.cached(series, scope, version);
      if (cached) return cached;
    }
    // Loads are shared only within one handle: on PGlite a query of another handle can wait on this
    // transaction, and sharing its promise would deadlock.
    let loads = this.loading.get(db);
    if (!loads) {
      loads = new Map();
      this.loading.set(db, loads);
    }
    const id = cacheKey(series, scope, version);
    let load = loads.get(id);
    if (!load) {
      load = this.load(db, series, scope, version).finally(() => loads.delete(id));
      loads.set(id, load);
    }
    return (await load).key;
  }

  /** Every version of a series that still has key material (active first), for blind-index lookups. */
  async usable(db: Queryable, series: 'blind_index', scope: string): Promise<KeyVersion[]> {
    const rows = await db
      .select({ version: kernelBlindIndexKeys.version, sealedKey: kernelBlindIndexKeys.sealedKey })
      .from(kernelBlindIndexKeys)
      .where(and(eq(kernelBlindIndexKeys.purpose, scope), ne(kernelBlindIndexKeys.state, 'destroyed')))
      .orderBy(desc(kernelBlindIndexKeys.version));
    return rows.map((row) => ({
      version: row.version,
      key: this.material(series, scope, row.version, row.sealedKey!),
    }));
  }

  private async load(db: Queryable, series: KeySeries, scope: string, version: number): Promise<KeyVersion> {
    const rows =
      series === 'organisation'
        ? await db
            .select({ state: kernelOrganisationKeys.state, sealedKey: kernelOrganisationKeys.sealedKey })
            .from(kernelOrganisationKeys)
            .where(
              and(
                eq(kernelOrganisationKeys.organisationId, scope),
                eq(kernelOrganisationKeys.version, version),
              ),
            )
        : await db
            .select({ state: kernelBlindIndexKeys.state, sealedKey: kernelBlindIndexKeys.sealedKey })
            .from(kernelBlindIndexKeys)
            .where(and(eq(kernelBlindIndexKeys.purpose, scope), eq(kernelBlindIndexKeys.version, version)));
    const row = rows[0];
    if (!row) throw new KeyringError('unknown_key', `${series} key ${scope} v${version} does not exist`);
    if (row.state === 'destroyed' || !row.sealedKey) {
      this.evict(series, scope, version);
      throw new KeyringError('key_destroyed', `${series} key ${scope} v${version} was destroyed`);
    }
    return { version, key: this.material(series, scope, version, row.sealedKey) };
  }

  private cached(series: KeySeries, scope: string, version: number): Buffer | undefined {
    const id = cacheKey(series, scope, version);
    const entry = this.cache.get(id);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.cache.delete(id);
      return undefined;
    }
    // Least recently used goes first: re-inserting moves the entry to the end of the Map's order.
    this.cache.delete(id);
    this.cache.set(id, entry);
    return entry.key;
  }

  /** The unsealed key of a committed row, from the cache when its sealed form is the same. */
  private material(series: KeySeries, scope: string, version: number, sealedKey: string): Buffer {
    const id = cacheKey(series, scope, version);
    const entry = this.cache.get(id);
    if (entry && entry.sealed === sealedKey && entry.expires > Date.now()) return entry.key;
    const key = this.unsealRow(series, scope, version, sealedKey);
    this.cache.delete(id);
    this.cache.set(id, { key, sealed: sealedKey, expires: Date.now() + this.cacheTtlMs });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return key;
  }

  private unsealRow(series: KeySeries, scope: string, version: number, sealedKey: string): Buffer {
    const key = Buffer.from(this.unseal(sealedKey, keyAad(series, scope, version)), 'base64');
    if (key.length !== 32)
      throw new KeyringError('malformed', `${series} key ${scope} v${version} is not 32 bytes`);
    return key;
  }
}

function cacheKey(series: KeySeries, scope: string, version: number): string {
  return `${series}:${scope}:${version}`;
}

async function readActive(
  tx: Tx,
  series: KeySeries,
  scope: string,
): Promise<{ version: number; sealedKey: string } | undefined> {
  const rows =
    series === 'organisation'
      ? await tx
          .select({ version: kernelOrganisationKeys.version, sealedKey: kernelOrganisationKeys.sealedKey })
          .from(kernelOrganisationKeys)
          .where(
            and(eq(kernelOrganisationKeys.organisationId, scope), eq(kernelOrganisationKeys.state, 'active')),
          )
      : await tx
          .select({ version: kernelBlindIndexKeys.version, sealedKey: kernelBlindIndexKeys.sealedKey })
          .from(kernelBlindIndexKeys)
          .where(and(eq(kernelBlindIndexKeys.purpose, scope), eq(kernelBlindIndexKeys.state, 'active')));
  const row = rows[0];
  return row ? { version: row.version, sealedKey: row.sealedKey! } : undefined;
}

/** Opens a sealed field body with a key of the given version (throws on any mismatch). */
function openWith(key: Buffer, version: number, at: FieldLocation, body: string): string {
  return decrypt(key, body, fieldAad(at, version));
}

/**
 * Opens a sealed field at its location. Throws KeyringError if its key version is destroyed or unknown, or
 * the value was moved or altered.
 */
export async function openSealed(
  store: KeyStore,
  db: Queryable,
  at: FieldLocation,
  sealed: string,
): Promise<string> {
  const { version, body } = fieldVersion(sealed, at);
  const key = await store.version(db, 'organisation', at.organisationId, version);
  try {
    return openWith(key, version, at, body);
  } catch (first) {
    // A cached key can be stale (its row was rolled back, or destroyed by another process): read it again.
    store.evict('organisation', at.organisationId, version);
    const fresh = await store.version(db, 'organisation', at.organisationId, version, true);
    if (!fresh.equals(key)) {
      try {
        return openWith(fresh, version, at, body);
      } catch {
        // the value itself is wrong: reported below
      }
    }
    throw new KeyringError(
      'cannot_open',
      `${where(at)} does not open with key v${version}: moved or altered`,
      first,
    );
  }
}
