import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../app.js';
import { recordAudit, verifyAuditChain } from '../kernel/audit/audit.js';
import {
  createBackup,
  inspectBackup,
  restoreBackup,
  restoreReport,
  restoreSucceeded,
} from '../kernel/backup/backup.js';
import {
  fixOutputSettings,
  inReadSnapshot,
  tableChecksums,
  type TableChecksum,
} from '../kernel/backup/checksums.js';
import { BackupRefusal, compareTables, masterKeyFingerprint } from '../kernel/backup/manifest.js';
import { contentsOf } from '../kernel/backup/postgresql.js';
import { loadConfig, type Config } from '../kernel/config.js';
import { decrypt } from '../kernel/crypto/crypto.js';
import type { FieldLocation } from '../kernel/crypto/keyring.js';
import { openDatabase, pgliteExtensions, type Database } from '../kernel/db/client.js';
import { inTransaction } from '../kernel/db/transaction.js';
import { queryRows, type Db } from '../kernel/db/types.js';
import { createLogger } from '../kernel/logging.js';
import { createOutboxMailer } from '../kernel/mail/mail.js';
import { ensureDemoData } from '../kernel/seed.js';
import { modules } from '../modules/index.js';
import { totpSealAad } from '../modules/identity/identity.factors.service.js';
import { projectRoot } from '../paths.js';
import { testDatabaseKind } from '../test/db.js';
import { withDatabase } from '../test/global-setup.js';
import { report } from './support.js';

/**
 * The backup/restore drill (issue "Security and reliability, proven"): a database with demo data is backed
 * up through the real `backup` command, restored through the real `restore` command into a fresh empty
 * database, and then every table must have the same checksum as the source, the audit chain must verify,
 * and sealed values (second-factor seeds under the master key; a field under an organisation data key that
 * is itself sealed under the master key) must open with the right master key and with no other. Restores
 * into a non-empty database and from a damaged file are refused and change nothing. Runs on the engine of
 * the test run: PGlite folders by default, PostgreSQL databases with TEST_DATABASE_URL.
 */

declare module '../kernel/audit/audit.js' {
  interface AuditEvents {
    'test.backup_drill': { n: number };
  }
}

const kind = testDatabaseKind();
const info = inject('testDb');
const work = await mkdtemp(path.join(tmpdir(), 'cairn-drill-'));
const masterKey = randomBytes(32);
const otherKey = randomBytes(32);
const created: string[] = [];
const started = Date.now();

/** Runs the real CLI through tsx, as `npm run backup -- <file>` does, with only the given environment. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'server', 'main.ts'), ...args],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** A new PostgreSQL database on the test server (from the migrated template, or empty). */
async function createPgDatabase(role: string, fromTemplate: boolean): Promise<string> {
  if (info.kind !== 'postgresql') throw new Error('PostgreSQL runs only');
  const name = `${info.runId}_drill_${role}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: info.serverUrl });
  await admin.connect();
  try {
    const db = drizzle({ client: admin });
    await db.execute(
      fromTemplate
        ? sql`create database ${sql.identifier(name)} template ${sql.identifier(info.template)}`
        : sql`create database ${sql.identifier(name)}`,
    );
  } finally {
    await admin.end();
  }
  created.push(name);
  return withDatabase(info.serverUrl, name);
}

/** A configuration for one database of the drill: a PostgreSQL URL, or a data folder for PGlite. */
function configFor(
  target: { url?: string; dataDir: string },
  key: Buffer | null,
): { config: Config; env: Record<string, string> } {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    CAIRN_DATA_DIR: target.dataDir,
    CAIRN_RUN_JOBS: 'false',
    ...(target.url ? { DATABASE_URL: target.url } : {}),
    ...(key ? { CAIRN_MASTER_KEY: key.toString('base64') } : {}),
  };
  return { config: loadConfig(env), env };
}

/** Runs fn as the database's owner (PGlite: its superuser; PostgreSQL: the URL's user), on one connection. */
async function asOwner<T>(target: { url?: string; dataDir: string }, fn: (db: Db) => Promise<T>): Promise<T> {
  if (target.url) {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      return await fn(drizzle({ client }));
    } finally {
      await client.end();
    }
  }
  const client = await PGlite.create(path.join(target.dataDir, 'pglite'), { extensions: pgliteExtensions });
  try {
    return await fn(drizzlePglite({ client }));
  } finally {
    await client.close();
  }
}

/** Checksums of every table, as the backup computes them. */
function checksumsOf(target: { url?: string; dataDir: string }): Promise<TableChecksum[]> {
  return asOwner(target, (db) =>
    inReadSnapshot(db, async () => {
      await fixOutputSettings(db);
      return tableChecksums(db);
    }),
  );
}

/** Runs fn with the real app over a database (opened as Cairn opens it: migrations, application role). */
async function withApp<T>(
  config: Config,
  fn: (app: Awaited<ReturnType<typeof buildApp>>, database: Database) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(config.database);
  const mailer = createOutboxMailer(path.join(work, 'outbox'), config.mail.from);
  const app = await buildApp({ config, database, mailer, logger: createLogger('silent') });
  await app.ready();
  try {
    return await fn(app, database);
  } finally {
    await app.close();
    mailer.close();
    await database.close();
  }
}

/** A value sealed by the keyring (organisation data key, itself sealed under the master key). */
interface SealedField {
  at: FieldLocation;
  sealed: string;
}

/**
 * Every module's keyring-sealed columns, found by convention (text columns named `*sealed` in tables with
 * `id` and `organisation_id`), and up to 20 values of each, read as the owner past row-level security.
 */
async function keyringSealedFields(db: Db): Promise<SealedField[]> {
  const columns = await queryRows<{ table: string; column: string }>(
    db,
    sql`select c.table_name as table, c.column_name as column from information_schema.columns c
        where c.table_schema = 'public' and c.data_type = 'text' and c.column_name like '%sealed'
          and exists (select 1 from information_schema.columns o where o.table_schema = 'public'
                      and o.table_name = c.table_name and o.column_name = 'organisation_id')
          and exists (select 1 from information_schema.columns i where i.table_schema = 'public'
                      and i.table_name = c.table_name and i.column_name = 'id')
        order by 1, 2`,
  );
  const fields: SealedField[] = [];
  for (const { table, column } of columns) {
    const rows = await queryRows<{ id: string; organisation: string; sealed: string }>(
      db,
      sql`select id::text as id, organisation_id::text as organisation, ${sql.identifier(column)} as sealed
          from ${sql.identifier(table)} where ${sql.identifier(column)} is not null order by id limit 20`,
    );
    for (const row of rows)
      fields.push({
        at: { organisationId: row.organisation, table, column, rowId: row.id },
        sealed: row.sealed,
      });
  }
  return fields;
}

/** Opens keyring-sealed fields through the keyring of the real app over a database (null: did not open). */
async function openFields(config: Config, fields: SealedField[]): Promise<Array<string | null>> {
  return withApp(config, async (app, database) => {
    const opened: Array<string | null> = [];
    for (const field of fields)
      opened.push(await app.kernel.keys.openField(database.db, field.at, field.sealed).catch(() => null));
    return opened;
  });
}

/** The TOTP seeds of a database as stored (sealed under the master key), by person. */
function sealedSeeds(db: Db): Promise<Array<{ personId: string; sealed: string }>> {
  return queryRows<{ personId: string; sealed: string }>(
    db,
    sql`select person_id::text as "personId", secret_sealed as sealed from identity_totp_factors order by person_id`,
  );
}

const source = { dataDir: path.join(work, 'source'), url: undefined as string | undefined };
const restored = { dataDir: path.join(work, 'restored'), url: undefined as string | undefined };
const backupFile = path.join(work, 'cairn.backup.tar');
let sourceChecksums: TableChecksum[] = [];
let sourceSeeds: Array<{ personId: string; sealed: string; plain: string }> = [];
let sourceFields: Array<SealedField & { plain: string }> = [];
let auditEntries = 0;

beforeAll(async () => {
  if (kind === 'postgresql') {
    source.url = await createPgDatabase('src', true);
    restored.url = await createPgDatabase('dst', false);
  }
  // PGlite keeps its master key in the data folder (development); PostgreSQL gets it from the environment.
  const { config } = configFor(source, kind === 'postgresql' ? masterKey : null);
  if (kind === 'pglite') {
    mkdirSync(source.dataDir, { recursive: true });
    writeFileSync(path.join(source.dataDir, 'master.key'), masterKey.toString('base64') + '\n', {
      mode: 0o600,
    });
  }
  await withApp(config, async (app, database) => {
    // Every module's demo data: organisations, people with sealed second-factor seeds, case files with
    // fields sealed under organisation keys.
    await ensureDemoData(app.kernel, modules);
    await inTransaction(database.db, async (tx) => {
      for (let n = 0; n < 3; n++)
        await recordAudit(tx, { action: 'test.backup_drill', objectType: 'drill', details: { n } });
    });
    auditEntries = (await verifyAuditChain(database.db)).checked;
  });
  const { seeds, fields } = await asOwner(source, async (db) => ({
    seeds: await sealedSeeds(db),
    fields: await keyringSealedFields(db),
  }));
  sourceSeeds = seeds.map((seed) => ({
    ...seed,
    plain: decrypt(masterKey, seed.sealed, totpSealAad(seed.personId)),
  }));
  const opened = await openFields(config, fields);
  sourceFields = fields.map((field, i) => ({ ...field, plain: opened[i]! }));
  sourceChecksums = await checksumsOf(source);
}, 240_000);

afterAll(async () => {
  report(
    `backup drill (${kind}): ${sourceChecksums.length} tables, ` +
      `${sourceChecksums.reduce((sum, t) => sum + t.rows, 0)} rows, ${auditEntries} audit entries, ` +
      `${sourceSeeds.length} second-factor seeds and ${sourceFields.length} keyring fields sealed; ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  if (info.kind === 'postgresql' && created.length > 0) {
    const admin = new pg.Client({ connectionString: info.serverUrl });
    await admin.connect();
    const db = drizzle({ client: admin });
    for (const name of created)
      await db.execute(sql`drop database if exists ${sql.identifier(name)} with (force)`);
    await admin.end();
  }
  await rm(work, { recursive: true, force: true });
});

describe(`backup and restore drill (${kind})`, () => {
  it('has a source worth backing up', () => {
    expect(sourceSeeds.length).toBeGreaterThan(0);
    expect(auditEntries).toBeGreaterThan(3);
    expect(sourceChecksums.find((t) => t.name === 'public.identity_organisations')!.rows).toBeGreaterThan(
      100,
    );
    expect(sourceChecksums.find((t) => t.name === 'public.kernel_organisation_keys')!.rows).toBeGreaterThan(
      0,
    );
  });

  if (kind === 'pglite') {
    it('refuses to back up an embedded database that a running Cairn holds', async () => {
      const { config } = configFor(source, null);
      const database = await openDatabase(config.database);
      try {
        const refused = createBackup(config, 'test', path.join(work, 'while-running.tar'));
        await expect(refused).rejects.toThrow(BackupRefusal);
        await expect(refused).rejects.toThrow(/Stop Cairn/);
      } finally {
        await database.close();
      }
      expect(existsSync(path.join(work, 'while-running.tar'))).toBe(false);
    });
  } else {
    it('backs up PostgreSQL consistently while Cairn keeps writing', async () => {
      const { config } = configFor(source, masterKey);
      const database = await openDatabase(config.database);
      let writing = true;
      let written = 0;
      const writer = (async () => {
        while (writing) {
          await inTransaction(database.db, (tx) =>
            recordAudit(tx, { action: 'test.backup_drill', objectType: 'drill', details: { n: written } }),
          );
          written++;
        }
      })();
      const file = path.join(work, 'while-writing.tar');
      try {
        await createBackup(config, 'test', file);
      } finally {
        writing = false;
        await writer;
        await database.close();
      }
      expect(written).toBeGreaterThan(0);
      const target = { url: await createPgDatabase('live', false), dataDir: path.join(work, 'live') };
      const result = await restoreBackup(configFor(target, masterKey).config, file);
      // The manifest was computed in the dump's own snapshot: the restore matches it exactly.
      expect(result.differences).toEqual([]);
      expect(result.audit.ok).toBe(true);
      sourceChecksums = await checksumsOf(source);
      auditEntries += written;
    });
  }

  it('backs up through the real command', async () => {
    const { env } = configFor(source, kind === 'postgresql' ? masterKey : null);
    const run = await cli(['backup', backupFile], env);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('backup written');
    expect(run.out).toContain('The master key is NOT in the backup');
    const { manifest } = await inspectBackup(backupFile);
    expect(manifest.database.kind).toBe(kind);
    expect(manifest.tables).toEqual(sourceChecksums);
    expect(manifest.audit).toEqual({ entries: auditEntries, verified: true });
    expect(manifest.masterKeyFingerprint).toBe(masterKeyFingerprint({ kind: 'env', key: masterKey }));
    // SECURITY: nothing in the file is the master key, in any encoding.
    const bytes = await readFile(backupFile);
    for (const form of [
      masterKey,
      Buffer.from(masterKey.toString('base64')),
      Buffer.from(masterKey.toString('hex')),
    ])
      expect(bytes.includes(form)).toBe(false);
  });

  it('refuses to restore into a database that is not empty, and changes nothing', async () => {
    const { config } = configFor(source, masterKey);
    await expect(restoreBackup(config, backupFile)).rejects.toThrow(
      kind === 'postgresql' ? /not empty/ : /already holds files/,
    );
    expect(await checksumsOf(source)).toEqual(sourceChecksums);
  });

  it('refuses a damaged backup before touching the target', async () => {
    const damaged = path.join(work, 'damaged.tar');
    await copyFile(backupFile, damaged);
    const { payload } = await inspectBackup(damaged);
    const handle = await open(damaged, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, payload.offset + Math.floor(payload.size / 2));
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, payload.offset + Math.floor(payload.size / 2));
    await handle.close();
    const target =
      kind === 'postgresql'
        ? { url: await createPgDatabase('dmg', false), dataDir: path.join(work, 'damaged-target') }
        : { dataDir: path.join(work, 'damaged-target') };
    await expect(restoreBackup(configFor(target, masterKey).config, damaged)).rejects.toThrow(/damaged/);
    if (target.url) {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      expect(await contentsOf(drizzle({ client }) as unknown as Db)).toEqual({
        relations: 0,
        functions: 0,
        schemas: 0,
      });
      await client.end();
    } else {
      const folder = path.join(target.dataDir, 'pglite');
      expect(!existsSync(folder) || readdirSync(folder).length === 0).toBe(true);
    }
    // Not a backup at all.
    const junk = path.join(work, 'junk.tar');
    writeFileSync(junk, randomBytes(4096));
    await expect(restoreBackup(configFor(target, masterKey).config, junk)).rejects.toThrow(
      /not a Cairn backup/,
    );
  });

  it('restores through the real command into an empty database: identical tables, a verifying audit chain', async () => {
    if (kind === 'pglite') {
      // The master key is backed up separately: the operator puts it in place before restoring.
      mkdirSync(restored.dataDir, { recursive: true });
      await copyFile(path.join(source.dataDir, 'master.key'), path.join(restored.dataDir, 'master.key'));
    }
    const { env } = configFor(restored, kind === 'postgresql' ? masterKey : null);
    const run = await cli(['restore', backupFile], env);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`all ${sourceChecksums.length} identical`);
    expect(run.out).toContain('audit trail');
    expect(run.out).toContain('the configured key is the one the backup was made with');
    // Checked here too, independently of the command's own report.
    expect(await checksumsOf(restored)).toEqual(sourceChecksums);
  });

  it('opens sealed values with the right master key, and with no other', async () => {
    const { seeds, fields } = await asOwner(restored, async (db) => ({
      seeds: await sealedSeeds(db),
      fields: await keyringSealedFields(db),
    }));
    // The ciphertexts came back unchanged ...
    expect(seeds).toEqual(sourceSeeds.map(({ personId, sealed }) => ({ personId, sealed })));
    expect(fields).toEqual(sourceFields.map(({ at, sealed }) => ({ at, sealed })));
    // ... second-factor seeds open with the master key and with no other ...
    for (const seed of sourceSeeds) {
      expect(decrypt(masterKey, seed.sealed, totpSealAad(seed.personId))).toBe(seed.plain);
      expect(() => decrypt(otherKey, seed.sealed, totpSealAad(seed.personId))).toThrow();
    }
    // ... and fields under organisation keys open through the real app with the right master key only:
    // under another key the organisation keys stay sealed, so not one field opens.
    const right = configFor(restored, kind === 'postgresql' ? masterKey : null).config;
    expect(await openFields(right, fields)).toEqual(sourceFields.map((field) => field.plain));
    const wrong = configFor(restored, otherKey).config;
    expect(await openFields(wrong, fields)).toEqual(fields.map(() => null));
    expect(masterKeyFingerprint(wrong.masterKey)).not.toBe(
      (await inspectBackup(backupFile)).manifest.masterKeyFingerprint,
    );
  });

  it('serves from the restored database as the application role, and keeps the chain going', async () => {
    const { config } = configFor(restored, kind === 'postgresql' ? masterKey : null);
    await withApp(config, async (app, database) => {
      // Row-level security came back with the data: without a tenant, the app role sees no memberships.
      const [seen] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from identity_memberships`,
      );
      expect(seen!.n).toBe(0);
      expect(sourceChecksums.find((t) => t.name === 'public.identity_memberships')!.rows).toBeGreaterThan(0);
      // The audit trail is still append-only for the app role, and new entries chain onto the restored head.
      await expect(database.db.execute(sql`delete from kernel_audit`)).rejects.toThrow();
      await inTransaction(database.db, (tx) =>
        recordAudit(tx, { action: 'test.backup_drill', objectType: 'drill', details: { n: -1 } }),
      );
      const chain = await verifyAuditChain(database.db);
      expect(chain).toEqual({ ok: true, checked: auditEntries + 1 });
      void app;
    });
  });

  it('reports a wrong master key as a failed restore, and notices a table changed afterwards', async () => {
    const target =
      kind === 'postgresql'
        ? { url: await createPgDatabase('chk', false), dataDir: path.join(work, 'check-target') }
        : { dataDir: path.join(work, 'check-target') };
    const result = await restoreBackup(configFor(target, otherKey).config, backupFile);
    expect(result.differences).toEqual([]);
    expect(result.masterKeyMatches).toBe(false);
    expect(restoreSucceeded(result)).toBe(false);
    expect(restoreReport(result)).toContain('DIFFERENT from the one the backup was made with');
    // One row more after the restore: the comparison names that table and no other.
    await asOwner(target, (db) =>
      db.execute(sql`insert into kernel_meta (key, value) values ('drill_tamper', '1'::jsonb)`),
    );
    const { manifest } = await inspectBackup(backupFile);
    const differences = compareTables(manifest.tables, await checksumsOf(target));
    expect(differences.map((d) => d.name)).toEqual(['public.kernel_meta']);
    expect(restoreReport({ ...result, differences })).toContain('do not start Cairn on this database');
  });
});
