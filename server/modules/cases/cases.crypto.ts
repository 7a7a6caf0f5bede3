import { normaliseForIndex } from '../../kernel/crypto/keyring.js';
import type { Queryable, Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { casesBreakGlass, casesConsents, casesEntries, casesFiles, casesLookup } from './cases.tables.js';

/**
 * SECURITY: the one place the cases module seals and opens what identifies a survivor. Every value is sealed
 * under its organisation's key, bound to its table, column and row (the keyring adds the key version), so a
 * value copied to another case, column or organisation does not open.
 */

export type SealedTable =
  'cases_files' | 'cases_entries' | 'cases_consents' | 'cases_break_glass' | 'cases_lookup';

export interface SealedPlace {
  organisationId: string;
  table: SealedTable;
  column: string;
  rowId: string;
}

/** Tells the keyring what this module encrypts, so key rotation re-encrypts (and re-indexes) all of it. */
export function registerCaseEncryption(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: casesFiles,
    id: casesFiles.id,
    organisation: casesFiles.organisationId,
    encrypted: [
      casesFiles.identitySealed,
      casesFiles.contactSealed,
      casesFiles.documentsSealed,
      casesFiles.narrativeSealed,
      casesFiles.closureReasonSealed,
    ],
  });
  kernel.keys.registerEncryptedTable({
    table: casesEntries,
    id: casesEntries.id,
    organisation: casesEntries.organisationId,
    encrypted: [casesEntries.sealed],
  });
  kernel.keys.registerEncryptedTable({
    table: casesConsents,
    id: casesConsents.id,
    organisation: casesConsents.organisationId,
    encrypted: [casesConsents.noteSealed],
  });
  kernel.keys.registerEncryptedTable({
    table: casesBreakGlass,
    id: casesBreakGlass.id,
    organisation: casesBreakGlass.organisationId,
    encrypted: [casesBreakGlass.reasonSealed],
  });
  kernel.keys.registerEncryptedTable({
    table: casesLookup,
    id: casesLookup.id,
    organisation: casesLookup.organisationId,
    encrypted: [casesLookup.valueSealed],
    blindIndexes: [
      { column: casesLookup.digest, purpose: 'lookup', source: (opened) => opened.valueSealed ?? null },
    ],
  });
}

/** Seals a JSON value (null and undefined stay null: nothing recorded). */
export async function sealJson(
  kernel: Kernel,
  tx: Tx,
  place: SealedPlace,
  value: unknown,
): Promise<string | null> {
  if (value === undefined || value === null) return null;
  return kernel.keys.sealField(tx, place, JSON.stringify(value));
}

/** Opens what sealJson stored. */
export async function openJson<T>(
  kernel: Kernel,
  db: Queryable,
  place: SealedPlace,
  sealed: string | null,
): Promise<T | null> {
  if (sealed === null) return null;
  return JSON.parse(await kernel.keys.openField(db, place, sealed)) as T;
}

export type LookupKind = 'document' | 'name_birth_year';

/**
 * What a lookup row indexes: its kind and the normalised value. The keyring's `lookup` scope binds the digest
 * to the organisation, so equal document numbers at two organisations give different digests — a leaked table
 * links nothing across organisations (cross-organisation matching is the matching module's, under its own key).
 */
export function lookupValue(kind: LookupKind, value: string): string {
  return `${kind}\u001f${normaliseForIndex(value)}`;
}

/** The digest to store for a lookup value (active key version). */
export async function lookupDigest(
  kernel: Kernel,
  tx: Tx,
  organisationId: string,
  indexed: string,
): Promise<string> {
  return kernel.keys.blindIndex(tx, { purpose: 'lookup', organisationId }, indexed);
}

/** The digests to search for a lookup value: one per live key version (a rotation may be under way). */
export async function lookupCandidates(
  kernel: Kernel,
  db: Queryable,
  organisationId: string,
  kind: LookupKind,
  value: string,
): Promise<string[]> {
  return kernel.keys.blindIndexCandidates(
    db,
    { purpose: 'lookup', organisationId },
    lookupValue(kind, value),
  );
}
