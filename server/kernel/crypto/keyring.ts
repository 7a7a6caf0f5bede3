import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { BlindIndexColumn, RegisteredTable } from './registry.js';
import type { Db, Queryable, Tx } from '../db/types.js';
import type { JobQueue } from '../jobs/jobs.js';
import {
  KeyringError,
  KeyStore,
  blindIndexPurposes,
  blindIndexWith,
  openSealed,
  sealWith,
  type BlindIndexPurpose,
  type FieldLocation,
  type KeyStoreOptions,
  type KeyVersion,
} from './keystore.js';
import {
  destroyRetiredKeys,
  keyStatus,
  registerRotationJob,
  rotateAllOrganisations,
  runRotation,
  startRotation,
  type DestroyReport,
  type KeyStatus,
  type RotationContext,
  type RotationProgress,
  type RotationStarted,
} from './rotation.js';

export { KeyringError, blindIndexPurposes } from './keystore.js';
export type { BlindIndexPurpose, FieldLocation, KeyringErrorReason } from './keystore.js';
export type { DestroyReport, KeyStatus, RotationProgress, RotationStarted } from './rotation.js';
export type { BlindIndexColumn, RegisteredTable } from './registry.js';

/**
 * Which key a blind index uses. `lookup` indexes are bound to one organisation (equal values at two
 * organisations give different indexes, so a leaked table links nothing); `matching` indexes compare across
 * organisations.
 */
export type BlindIndexScope = { purpose: 'lookup'; organisationId: string } | { purpose: 'matching' };

/** What a module encrypts in one table: rotation re-encrypts and re-indexes exactly this. */
export interface EncryptedTable {
  table: PgTable;
  /** The row id column; its text form is the rowId of FieldLocation. */
  id: PgColumn;
  /** The owning organisation (uuid): whose key sealed the row's values. */
  organisation: PgColumn;
  /** Columns holding sealField output. */
  encrypted: PgColumn[];
  /** Columns holding blindIndex output, recomputed from `encrypted` values of the same row. */
  blindIndexes?: BlindIndexColumn[];
}

export interface KeyringOptions extends KeyStoreOptions {
  /** Rows per rotation batch, one transaction each. Default 500. */
  rotationBatchSize?: number;
  /** How long one rotation job runs before handing over to its successor. Default 60 s. */
  rotationTimeBudgetMs?: number;
}

export interface KeyringDependencies {
  db: Db;
  jobs: JobQueue;
  log: Logger;
  /** Master-key sealing (Kernel.seal / Kernel.unseal). */
  seal: (plaintext: string, aad: string) => string;
  unseal: (sealed: string, aad: string) => string;
}

/** Combining marks attached to letters of scripts where they are accents or optional vowel signs. */
const optionalMarks =
  /(?<=[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}]\p{M}*)\p{Mn}/gu;

function normaliseOnce(value: string): string {
  // lower → upper → lower folds ß and ẞ to "ss" and sigma forms the way full case folding does.
  const folded = value.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase();
  return folded
    .normalize('NFD')
    .replace(optionalMarks, '')
    .replace(/\u0640/gu, '') // Arabic tatweel only stretches a word
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The form of a value before blind indexing: NFKC, case folded, accents and optional vowel marks removed
 * (Latin, Greek, Cyrillic, Arabic, Hebrew; the marks that spell vowels in Indic or Thai script are kept),
 * whitespace collapsed and trimmed. Idempotent.
 */
export function normaliseForIndex(value: string): string {
  let current = value;
  // Compatibility forms can expose new marks or spaces: a few passes reach the fixed point.
  for (let pass = 0; pass < 8; pass++) {
    const next = normaliseOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The keyring (kernel.keys): envelope encryption of identifying fields with a key per organisation, keyed
 * HMAC blind indexes, and their rotation and destruction. See docs/decisions/0008-keyring.md.
 */
export class Keyring {
  private readonly store: KeyStore;
  private readonly tables = new Map<string, RegisteredTable>();
  private readonly context: RotationContext;

  constructor(deps: KeyringDependencies, options: KeyringOptions = {}) {
    this.store = new KeyStore(deps.seal, deps.unseal, options);
    this.context = {
      db: deps.db,
      jobs: deps.jobs,
      log: deps.log.child({ component: 'keys' }),
      store: this.store,
      tables: () => [...this.tables.values()],
      batchSize: options.rotationBatchSize ?? 500,
      timeBudgetMs: options.rotationTimeBudgetMs ?? 60_000,
    };
    registerRotationJob(this.context);
  }

  /**
   * Declares what a module encrypts and indexes in one table (call it from the module's setup). Rotation
   * and destruction cover exactly what is registered, so sealing an unregistered column throws.
   */
  registerEncryptedTable(registration: EncryptedTable): void {
    const name = getTableName(registration.table as Table);
    if (this.tables.has(name)) throw new Error(`keyring: table ${name} is already registered`);
    if (registration.encrypted.length === 0)
      throw new Error(`keyring: ${name} registers no encrypted column`);
    const properties = new Map<PgColumn, string>(
      Object.entries(getTableColumns(registration.table as Table)).map(([property, column]) => [
        column as PgColumn,
        property,
      ]),
    );
    const property = (column: PgColumn) => {
      const found = properties.get(column);
      if (!found) throw new Error(`keyring: ${column.name} is not a column of ${name}`);
      return found;
    };
    property(registration.id);
    property(registration.organisation);
    for (const index of registration.blindIndexes ?? [])
      if (!blindIndexPurposes.includes(index.purpose))
        throw new Error(`keyring: unknown blind-index purpose ${String(index.purpose)}`);
    this.tables.set(name, {
      table: registration.table,
      name,
      id: registration.id,
      organisation: registration.organisation,
      encrypted: registration.encrypted.map((column) => ({ property: property(column), column })),
      blindIndexes: (registration.blindIndexes ?? []).map((index) => ({
        ...index,
        property: property(index.column),
      })),
    });
  }

  /**
   * Seals one field under the organisation's active key (version 1 is created on first use). The value is
   * bound to its location and version: opened anywhere else, or relabelled, it fails.
   */
  async sealField(tx: Tx, at: FieldLocation, plaintext: string): Promise<string> {
    if (!this.tables.get(at.table)?.encrypted.some(({ column }) => column.name === at.column)) {
      // SECURITY: rotation and destroy's "still in use" check would both miss an unregistered column.
      throw new KeyringError(
        'not_registered',
        `${at.table}.${at.column} is not registered with keys.registerEncryptedTable(): rotation would miss it`,
      );
    }
    const { version, key } = await this.store.active(tx, 'organisation', at.organisationId);
    return sealWith(key, version, at, plaintext);
  }

  /**
   * Opens what sealField wrote at the same location. Throws KeyringError if the key version is destroyed
   * or unknown, or the value was moved or altered. Data keys are cached by (organisation, version), so
   * opening every field of a case costs at most one key query.
   */
  async openField(db: Queryable, at: FieldLocation, sealed: string): Promise<string> {
    return openSealed(this.store, db, at, sealed);
  }

  /**
   * The blind index of a (normalised) value under the active key of its purpose, for writing
   * (`b<version>.<hex>`). Takes the transaction so a rotation's version switch waits for it.
   */
  async blindIndex(tx: Tx, scope: BlindIndexScope, value: string): Promise<string> {
    const { version, key } = await this.store.active(tx, 'blind_index', scope.purpose);
    return blindIndexWith(key, version, scope.purpose, organisationOf(scope), value);
  }

  /**
   * Every blind index a stored row may carry for a value: one per version not destroyed (two during a
   * rotation), newest first. Search with `inArray(column, candidates)`; empty before the first key exists.
   */
  async blindIndexCandidates(db: Queryable, scope: BlindIndexScope, value: string): Promise<string[]> {
    const keys = await this.store.usable(db, 'blind_index', scope.purpose);
    return keys.map(({ version, key }) =>
      blindIndexWith(key, version, scope.purpose, organisationOf(scope), value),
    );
  }

  /**
   * SECURITY: the raw matching keys, newest (active) first, for encodings that need many HMACs per value —
   * the matching module's keyed Bloom filters of names (matching.blind.ts). Never log, store or return them;
   * the first entry is the active key, created on first use. Takes the transaction like blindIndex.
   */
  async matchingKeys(tx: Tx): Promise<KeyVersion[]> {
    const active = await this.store.active(tx, 'blind_index', 'matching');
    const usable = await this.store.usable(tx, 'blind_index', 'matching');
    return [active, ...usable.filter((key) => key.version !== active.version)];
  }

  /** normaliseForIndex, at hand on the service. */
  normaliseForIndex(value: string): string {
    return normaliseForIndex(value);
  }

  /**
   * Retires an organisation's active key for a new version, records the rotation and queues the job that
   * re-encrypts the organisation's registered columns in the background.
   */
  async rotateOrganisationKey(organisationId: string): Promise<RotationStarted> {
    return startRotation(this.context, 'organisation', organisationId);
  }

  /** Starts a rotation for every organisation that has a key (those already rotating are skipped). */
  async rotateAllOrganisationKeys(): Promise<{
    started: RotationStarted[];
    skipped: { organisationId: string; reason: string }[];
  }> {
    return rotateAllOrganisations(this.context);
  }

  /** Same for a blind-index key: the job recomputes every registered index of that purpose. */
  async rotateBlindIndexKey(purpose: BlindIndexPurpose): Promise<RotationStarted> {
    return startRotation(this.context, 'blind_index', purpose);
  }

  /**
   * Advances a rotation for up to the time budget (what its job does on each run; the CLI calls it to wait).
   * `done` once no registered value is left under another version.
   */
  async runRotation(rotationId: number): Promise<RotationProgress> {
    return runRotation(this.context, rotationId);
  }

  /**
   * Destroys retired key versions (key material removed, row kept), each only when no rotation of its
   * series is running and no registered value uses it; the others are reported with the reason.
   */
  async destroyRetiredKeys(
    filter: { organisationId?: string; purpose?: BlindIndexPurpose } = {},
  ): Promise<DestroyReport> {
    return destroyRetiredKeys(this.context, filter);
  }

  /** Key versions by state and recent rotations, for `keys status`. */
  async status(): Promise<KeyStatus> {
    return keyStatus(this.context.db);
  }
}

function organisationOf(scope: BlindIndexScope): string | null {
  if (scope.purpose !== 'lookup') return null;
  // SECURITY: a lookup index without its organisation would link equal values across organisations.
  if (!scope.organisationId) throw new Error('keyring: a lookup index needs its organisation');
  return scope.organisationId;
}
