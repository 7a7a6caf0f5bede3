import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { AuditVerification } from '../audit/audit.js';
import type { MigrationLevel, TableChecksum } from './checksums.js';

/** Thrown for a refusal the operator can act on (not empty, locked, wrong kind, missing tool): exit 1, no stack. */
export class BackupRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusal';
  }
}

/** The archive member that describes a backup; always the first member. */
export const manifestName = 'manifest.json';

const tableSchema = z.object({
  name: z.string().min(1),
  rows: z.number().int().min(0),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What `manifest.json` holds: enough to check a restore without trusting the payload. */
export const manifestSchema = z.object({
  format: z.literal('cairn-backup'),
  formatVersion: z.literal(1),
  cairnVersion: z.string(),
  createdAt: z.iso.datetime(),
  database: z.object({
    kind: z.enum(['postgresql', 'pglite']),
    /** `select version()` of the source. */
    serverVersion: z.string(),
    serverMajor: z.number().int(),
    /** The pg_dump that wrote a PostgreSQL payload (its major version bounds the pg_restore that can read it). */
    dumpToolMajor: z.number().int().nullable(),
  }),
  migrations: z.object({
    applied: z.number().int(),
    latest: z.string().nullable(),
    latestAt: z.number().nullable(),
  }),
  payload: z.object({
    name: z.string().min(1),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  tables: z.array(tableSchema),
  audit: z.object({
    entries: z.number().int().min(0),
    /** Whether the chain verified when the backup was made (a broken chain is still backed up: it is evidence). */
    verified: z.boolean(),
  }),
  /**
   * A fingerprint of the master key in use when the backup was made (HMAC-SHA-256 of a fixed label under
   * the key, shortened), so a restore can say whether the configured key is the right one. It reveals
   * nothing about the key; null when no key existed yet.
   */
  masterKeyFingerprint: z.string().nullable(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** Parses and checks a manifest; throws a plain message when it is not one this Cairn understands. */
export function parseManifest(bytes: Buffer): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('not a Cairn backup: manifest.json is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `not a Cairn backup this version understands: manifest.json is invalid (${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')})`,
    );
  }
  return parsed.data;
}

/**
 * The master key's fingerprint, without ever creating a key (unlike loadMasterKey, which makes one in
 * development): null when CAIRN_MASTER_KEY is unset and no key file exists.
 */
export function masterKeyFingerprint(source: Config['masterKey']): string | null {
  let key: Buffer;
  if (source.kind === 'env') key = source.key;
  else if (existsSync(source.path)) key = Buffer.from(readFileSync(source.path, 'utf8').trim(), 'base64');
  else return null;
  return createHmac('sha256', key)
    .update('cairn backup: master key fingerprint v1')
    .digest('hex')
    .slice(0, 16);
}

/** One table that differs between the manifest and the restored database. */
export interface TableDifference {
  name: string;
  expected: { rows: number; checksum: string } | null;
  actual: { rows: number; checksum: string } | null;
}

/** The tables whose rows or checksum differ, including tables missing on either side. */
export function compareTables(expected: TableChecksum[], actual: TableChecksum[]): TableDifference[] {
  const before = new Map(expected.map((t) => [t.name, t]));
  const after = new Map(actual.map((t) => [t.name, t]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const differences: TableDifference[] = [];
  for (const name of names) {
    const e = before.get(name);
    const a = after.get(name);
    if (e && a && e.rows === a.rows && e.checksum === a.checksum) continue;
    differences.push({
      name,
      expected: e ? { rows: e.rows, checksum: e.checksum } : null,
      actual: a ? { rows: a.rows, checksum: a.checksum } : null,
    });
  }
  return differences;
}

/** What a database looks like to a backup or a restore check. */
export interface DatabaseState {
  tables: TableChecksum[];
  migrations: MigrationLevel | null;
  audit: AuditVerification;
  serverVersion: string;
  serverMajor: number;
}
