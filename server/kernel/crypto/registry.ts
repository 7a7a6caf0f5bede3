import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../db/types.js';
import type { BlindIndexPurpose } from './keystore.js';

// The shapes of what modules register with the keyring, apart from keyring.ts so rotation.ts can use them
// without importing the keyring (which imports rotation).

/** One blind-index column of a registered table, recomputed from the row's opened fields on rotation. */
export interface BlindIndexColumn {
  column: PgColumn;
  purpose: BlindIndexPurpose;
  /**
   * The value to index (normalised, exactly as the module's writes compute it) from the row's opened
   * encrypted fields, keyed by property name; null empties the index.
   */
  source: (opened: Record<string, string | null>) => string | null;
  /**
   * Work that depends on the same value under the new key, done in the rotation's transaction right after the
   * row's index is recomputed (the matching module re-encodes a name's keyed Bloom filter from it). SECURITY:
   * `key` is the raw new key of the purpose: never log, store or return it.
   */
  derive?: (
    tx: Tx,
    input: { rowId: string; organisationId: string; source: string; key: { version: number; key: Buffer } },
  ) => Promise<void>;
}

/** A registered table with its property names resolved. */
export interface RegisteredTable {
  table: PgTable;
  name: string;
  id: PgColumn;
  organisation: PgColumn;
  encrypted: { property: string; column: PgColumn }[];
  blindIndexes: (BlindIndexColumn & { property: string })[];
}
