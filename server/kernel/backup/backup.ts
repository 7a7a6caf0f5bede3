import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { verifyAuditChain } from '../audit/audit.js';
import type { Config } from '../config.js';
import { pgliteExtensions } from '../db/client.js';
import { DataDirLockedError, lockDirectory } from '../db/lock.js';
import type { Db } from '../db/types.js';
import { extractMember, listArchive, readMember, writeArchive, type ArchiveMember } from './archive.js';
import {
  fixOutputSettings,
  inReadSnapshot,
  knownMigrations,
  migrationLevel,
  serverVersion,
  tableChecksums,
} from './checksums.js';
import {
  BackupRefusal,
  compareTables,
  manifestName,
  masterKeyFingerprint,
  parseManifest,
  type BackupManifest,
  type DatabaseState,
  type TableDifference,
} from './manifest.js';
import {
  connect,
  connectionFor,
  contentsOf,
  ensureAppRole,
  findTool,
  runTool,
  type Tool,
} from './postgresql.js';

export { BackupRefusal };

/**
 * `cairn backup <file>` and `cairn restore <file>`, for PostgreSQL (pg_dump/pg_restore) and the embedded
 * PGlite folder (its data directory as a tarball). A backup is a tar archive: manifest.json (version,
 * migration level, per-table row counts and checksums, audit trail state, a master-key fingerprint) and the
 * payload. A restore goes only into an empty database, then recomputes every checksum and verifies the
 * audit chain against the manifest.
 * SECURITY: the master key is never in a backup. Sealed values (second-factor seeds, organisation data
 * keys) restore as ciphertext and open only with the key that sealed them, which is backed up separately.
 */

const pgliteMember = 'pglite-datadir.tar.gz';
const nothingToBackUp = 'This database has no Cairn migrations: nothing to back up.';
const postgresqlMember = 'database.pgdump';

/** What a backup run wrote. */
export interface BackupResult {
  file: string;
  manifest: BackupManifest;
}

/** What a restore found when it compared the restored database with the manifest. */
export interface RestoreResult {
  manifest: BackupManifest;
  /** Tables whose row count or checksum differs (empty when the restore is identical). */
  differences: TableDifference[];
  tablesChecked: number;
  rows: number;
  audit: DatabaseState['audit'];
  migrationsMatch: boolean;
  /** Whether the configured master key is the one the backup was made with; null when unknown. */
  masterKeyMatches: boolean | null;
  /** Whether any master key is configured for the restored database (CAIRN_MASTER_KEY or the key file). */
  masterKeyConfigured: boolean;
  /** Warnings that do not fail the restore (e.g. a backup from a newer Cairn). */
  warnings: string[];
}

/**
 * True when the restore reproduced the backup exactly, the audit chain verifies, and the configured master
 * key is not known to be the wrong one.
 */
export function restoreSucceeded(result: RestoreResult): boolean {
  return (
    result.differences.length === 0 &&
    result.audit.ok &&
    result.migrationsMatch &&
    result.masterKeyMatches !== false
  );
}

async function readState(db: Db): Promise<DatabaseState> {
  await fixOutputSettings(db);
  const version = await serverVersion(db);
  return {
    tables: await tableChecksums(db),
    migrations: await migrationLevel(db),
    audit: await verifyAuditChain(db),
    serverVersion: version.text,
    serverMajor: version.major,
  };
}

function manifestOf(
  config: Config,
  version: string,
  state: DatabaseState,
  payload: { name: string; bytes: number; sha256: string },
  dumpToolMajor: number | null,
): BackupManifest {
  if (!state.migrations) throw new BackupRefusal(nothingToBackUp);
  return {
    format: 'cairn-backup',
    formatVersion: 1,
    cairnVersion: version,
    createdAt: new Date().toISOString(),
    database: {
      kind: config.database.kind,
      serverVersion: state.serverVersion,
      serverMajor: state.serverMajor,
      dumpToolMajor,
    },
    migrations: state.migrations,
    payload,
    tables: state.tables,
    audit: { entries: state.audit.checked, verified: state.audit.ok },
    masterKeyFingerprint: masterKeyFingerprint(config.masterKey),
  };
}

async function privateTempDir(): Promise<string> {
  // mkdtemp makes the folder 0700: the dump inside holds personal data.
  return mkdtemp(path.join(tmpdir(), 'cairn-backup-'));
}

function pgliteHasDatabase(dir: string): boolean {
  return existsSync(path.join(dir, 'PG_VERSION'));
}

function isEmptyFolder(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/**
 * Backs up the configured database to `file` (which must not exist). PostgreSQL: consistent while Cairn
 * runs (an exported snapshot). PGlite: refused while a Cairn process holds the folder.
 */
export async function createBackup(config: Config, version: string, file: string): Promise<BackupResult> {
  const target = path.resolve(file);
  if (existsSync(target)) throw new BackupRefusal(`${target} already exists: choose a new file name.`);
  // Backups hold personal data: a folder made here is private to the operator.
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial`;
  const temp = await privateTempDir();
  try {
    let manifest: BackupManifest;
    let payloadPath: string;
    if (config.database.kind === 'postgresql') {
      payloadPath = path.join(temp, postgresqlMember);
      manifest = await dumpPostgresql(config, version, config.database.url, payloadPath);
    } else {
      payloadPath = path.join(temp, pgliteMember);
      manifest = await dumpPglite(config, version, config.database.dataDir, payloadPath);
    }
    const written = await writeArchive(partial, [
      { name: manifestName, data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
      { name: manifest.payload.name, path: payloadPath },
    ]);
    if (written.get(manifest.payload.name)?.sha256 !== manifest.payload.sha256)
      throw new Error('the payload changed while it was archived');
    await rename(partial, target);
    return { file: target, manifest };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function dumpPostgresql(
  config: Config,
  version: string,
  url: string,
  payloadPath: string,
): Promise<BackupManifest> {
  const { db, client } = await connect(url);
  try {
    const source = await serverVersion(db);
    // pg_dump refuses servers newer than itself; checked first so the message says what to install.
    const tool = await findTool('pg_dump', source.major);
    const connection = connectionFor(url);
    return await inReadSnapshot(db, async () => {
      // The dump and the checksums see the same snapshot, so the manifest describes exactly what was dumped.
      const { rows } = await client.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
      const state = await readState(db);
      // Refused before dumping anything: an empty database has nothing to back up.
      if (!state.migrations) throw new BackupRefusal(nothingToBackUp);
      await runTool(
        tool,
        [
          '--format=custom',
          '--no-owner',
          `--snapshot=${rows[0]!.snapshot}`,
          `--file=${payloadPath}`,
          `--dbname=${connection.url}`,
        ],
        connection.env,
      );
      const payload = await streamedSha256(payloadPath);
      return manifestOf(config, version, state, { name: postgresqlMember, ...payload }, tool.major);
    });
  } finally {
    await client.end();
  }
}

async function streamedSha256(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function dumpPglite(
  config: Config,
  version: string,
  dataDir: string,
  payloadPath: string,
): Promise<BackupManifest> {
  if (!pgliteHasDatabase(dataDir))
    throw new BackupRefusal(
      `There is no embedded database in ${dataDir} (set CAIRN_DATA_DIR to its folder).`,
    );
  const lock = lockOrRefuse(dataDir, 'back it up');
  try {
    // Opened as it is: a backup never migrates what it copies.
    const client = await PGlite.create(dataDir, { extensions: pgliteExtensions });
    try {
      const db = drizzle({ client }) as unknown as Db;
      const state = await inReadSnapshot(db, () => readState(db));
      const dump = await client.dumpDataDir('gzip');
      await writeFile(payloadPath, Buffer.from(await dump.arrayBuffer()), { mode: 0o600, flag: 'wx' });
      return manifestOf(
        config,
        version,
        state,
        { name: pgliteMember, ...(await streamedSha256(payloadPath)) },
        null,
      );
    } finally {
      await client.close();
    }
  } finally {
    lock.release();
  }
}

function lockOrRefuse(dataDir: string, doing: string): { release: () => void } {
  try {
    return lockDirectory(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new BackupRefusal(
        `${error.message}\nStop Cairn before you ${doing}: the embedded database allows one process at a ` +
          'time. (On PostgreSQL, backups run while Cairn serves.)',
      );
    }
    throw error;
  }
}

/** Reads and checks a backup file's manifest and payload member (no database touched). */
export async function inspectBackup(
  file: string,
): Promise<{ manifest: BackupManifest; payload: ArchiveMember }> {
  const source = path.resolve(file);
  if (!existsSync(source)) throw new BackupRefusal(`${source} does not exist.`);
  if (!(await stat(source)).isFile()) throw new BackupRefusal(`${source} is not a file.`);
  let members: ArchiveMember[];
  try {
    members = await listArchive(source);
  } catch (error) {
    throw new BackupRefusal(`${source}: ${(error as Error).message}`);
  }
  const manifestMember = members[0];
  if (manifestMember?.name !== manifestName)
    throw new BackupRefusal(`${source} is not a Cairn backup (no ${manifestName} first).`);
  let manifest: BackupManifest;
  try {
    manifest = parseManifest(await readMember(source, manifestMember, 16 * 1024 * 1024));
  } catch (error) {
    throw new BackupRefusal(`${source}: ${(error as Error).message}`);
  }
  const payload = members.find((member) => member.name === manifest.payload.name);
  if (!payload || payload.size !== manifest.payload.bytes)
    throw new BackupRefusal(`${source} is incomplete: its payload is missing or truncated.`);
  return { manifest, payload };
}

/**
 * Restores a backup into the configured database, which must be empty (PostgreSQL: no tables, functions
 * or schemas; PGlite: no folder, or an empty one). Refused otherwise, with nothing changed. Then compares
 * every table with the manifest and verifies the audit chain.
 */
export async function restoreBackup(config: Config, file: string): Promise<RestoreResult> {
  const source = path.resolve(file);
  const { manifest, payload } = await inspectBackup(source);
  if (manifest.database.kind !== config.database.kind) {
    throw new BackupRefusal(
      manifest.database.kind === 'pglite'
        ? 'This is a backup of the embedded (PGlite) database: restore it without DATABASE_URL.'
        : 'This is a backup of a PostgreSQL database: set DATABASE_URL to an empty PostgreSQL database.',
    );
  }
  const warnings: string[] = [];
  const known = knownMigrations();
  const newest = known[known.length - 1]?.when ?? 0;
  if ((manifest.migrations.latestAt ?? 0) > newest) {
    warnings.push(
      'The backup comes from a newer Cairn (migrations this version does not know): run that version on it.',
    );
  }
  const state =
    config.database.kind === 'postgresql'
      ? await restorePostgresql(config.database.url, source, manifest, payload, warnings)
      : await restorePglite(config.database.dataDir, source, manifest, payload);
  const fingerprint = masterKeyFingerprint(config.masterKey);
  const masterKeyMatches =
    manifest.masterKeyFingerprint === null || fingerprint === null
      ? null
      : manifest.masterKeyFingerprint === fingerprint;
  return {
    manifest,
    differences: compareTables(manifest.tables, state.tables),
    tablesChecked: state.tables.length,
    rows: state.tables.reduce((sum, table) => sum + table.rows, 0),
    audit: state.audit,
    migrationsMatch:
      state.migrations?.applied === manifest.migrations.applied &&
      state.migrations.latestAt === manifest.migrations.latestAt,
    masterKeyMatches,
    masterKeyConfigured: fingerprint !== null,
    warnings,
  };
}

async function extractVerified(source: string, payload: ArchiveMember, manifest: BackupManifest, to: string) {
  const sha256 = await extractMember(source, payload, to);
  if (sha256 !== manifest.payload.sha256)
    throw new BackupRefusal(`${source} is damaged: its payload does not match the manifest's SHA-256.`);
}

async function restorePostgresql(
  url: string,
  source: string,
  manifest: BackupManifest,
  payload: ArchiveMember,
  warnings: string[],
): Promise<DatabaseState> {
  const { db, client } = await connect(url);
  const temp = await privateTempDir();
  try {
    const contents = await contentsOf(db);
    if (contents.relations + contents.functions + contents.schemas > 0) {
      throw new BackupRefusal(
        `The target database is not empty (${contents.relations} tables, indexes or sequences, ` +
          `${contents.functions} functions, ${contents.schemas} extra schemas): nothing was changed. ` +
          'Restore into a new, empty database (createdb), then point DATABASE_URL at it.',
      );
    }
    const target = await serverVersion(db);
    if (target.major < manifest.database.serverMajor) {
      warnings.push(
        `The target server (PostgreSQL ${target.major}) is older than the source (${manifest.database.serverMajor}).`,
      );
    }
    const tool: Tool = await findTool(
      'pg_restore',
      Math.max(manifest.database.dumpToolMajor ?? 0, manifest.database.serverMajor),
    );
    const dumpFile = path.join(temp, postgresqlMember);
    await extractVerified(source, payload, manifest, dumpFile);
    await ensureAppRole(db);
    const connection = connectionFor(url);
    // One transaction, stopping at the first error: a failed restore leaves the database empty again.
    // Loading kernel_audit is a COPY (an insert): its append-only trigger fires on UPDATE, DELETE and
    // TRUNCATE only, so the trail loads as it was, and the trigger is restored with it.
    await runTool(
      tool,
      ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${connection.url}`, dumpFile],
      connection.env,
    );
    return await inReadSnapshot(db, () => readState(db));
  } finally {
    await client.end();
    await rm(temp, { recursive: true, force: true });
  }
}

async function restorePglite(
  dataDir: string,
  source: string,
  manifest: BackupManifest,
  payload: ArchiveMember,
): Promise<DatabaseState> {
  if (!isEmptyFolder(dataDir)) {
    throw new BackupRefusal(
      `${dataDir} already holds files: nothing was changed. Restore into a new CAIRN_DATA_DIR (or move ` +
        'the old pglite folder away first).',
    );
  }
  const lock = lockOrRefuse(dataDir, 'restore into it');
  const temp = await privateTempDir();
  const existed = existsSync(dataDir);
  let client: PGlite | undefined;
  try {
    const tarball = path.join(temp, pgliteMember);
    await extractVerified(source, payload, manifest, tarball);
    const data = await readFile(tarball);
    try {
      client = await PGlite.create(dataDir, {
        extensions: pgliteExtensions,
        loadDataDir: new Blob([data], { type: 'application/x-gzip' }),
      });
    } catch (error) {
      // Only what this restore created is removed: the folder was missing or empty before.
      await rm(dataDir, { recursive: true, force: true });
      if (existed) await mkdir(dataDir);
      throw new Error(
        `the embedded database in the backup cannot be opened by this Cairn (made with ` +
          `${manifest.database.serverVersion.split(' on ')[0]}): ${(error as Error).message}`,
      );
    }
    const db = drizzle({ client }) as unknown as Db;
    return await inReadSnapshot(db, () => readState(db));
  } finally {
    await client?.close();
    lock.release();
    await rm(temp, { recursive: true, force: true });
  }
}

const count = (n: number) => n.toLocaleString('en');

/** The terminal report of a backup. */
export function backupReport(result: BackupResult): string {
  const { manifest } = result;
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  const kind = manifest.database.kind === 'postgresql' ? 'PostgreSQL' : 'embedded PGlite';
  return [
    `Cairn: backup written to ${result.file}`,
    `  database: ${kind} ${manifest.database.serverMajor}, ${manifest.tables.length} tables, ${count(rows)} rows, ` +
      `${(manifest.payload.bytes / 1024 / 1024).toFixed(1)} MB`,
    `  migrations: ${manifest.migrations.applied} applied (latest ${manifest.migrations.latest ?? 'unknown'})`,
    `  audit trail: ${count(manifest.audit.entries)} entries, ${manifest.audit.verified ? 'verifies' : 'does NOT verify (run verify-audit): backed up as it is'}`,
    `  The master key is NOT in the backup. Keep CAIRN_MASTER_KEY (or the data folder's master.key) safe,`,
    `  apart from the backups: without it, sealed values (second-factor seeds, organisation keys) stay sealed.`,
    `  The backup holds personal data in the clear: store it encrypted and access-controlled.`,
    '',
  ].join('\n');
}

/** The terminal report of a restore: what matched, and each table that did not. */
export function restoreReport(result: RestoreResult): string {
  const { manifest } = result;
  const lines = [
    `Cairn: restored the backup of ${manifest.createdAt} (Cairn ${manifest.cairnVersion}, ` +
      `${manifest.database.kind === 'postgresql' ? 'PostgreSQL' : 'embedded PGlite'} ${manifest.database.serverMajor})`,
    result.differences.length === 0
      ? `  tables: all ${result.tablesChecked} identical to the backup (${count(result.rows)} rows, checksums match)`
      : `  tables: ${result.differences.length} of ${manifest.tables.length} DIFFER from the backup:`,
  ];
  for (const difference of result.differences) {
    const shown = (side: TableDifference['expected']) =>
      side ? `${count(side.rows)} rows, ${side.checksum.slice(0, 12)}` : 'missing';
    lines.push(
      `    ${difference.name}: expected ${shown(difference.expected)}; found ${shown(difference.actual)}`,
    );
  }
  lines.push(
    result.migrationsMatch
      ? `  migrations: ${manifest.migrations.applied} applied, as in the backup`
      : '  migrations: DIFFER from the backup',
    result.audit.ok
      ? `  audit trail: ${count(result.audit.checked)} entries, verifies`
      : `  audit trail: does NOT verify at entry ${result.audit.brokenId ?? '(head)'}: ${result.audit.reason}`,
    result.masterKeyMatches === null
      ? result.manifest.masterKeyFingerprint !== null && !result.masterKeyConfigured
        ? '  master key: none configured here yet. Put the original key in place (CAIRN_MASTER_KEY or master.key) ' +
          'BEFORE starting Cairn: otherwise Cairn makes a new key and sealed values will not open.'
        : '  master key: cannot tell whether the configured key is the one of the backup'
      : result.masterKeyMatches
        ? '  master key: the configured key is the one the backup was made with'
        : '  master key: DIFFERENT from the one the backup was made with: sealed values will not open. ' +
          'Set CAIRN_MASTER_KEY (or master.key) to the original key before starting Cairn.',
    ...result.warnings.map((warning) => `  warning: ${warning}`),
  );
  if (result.differences.length > 0 || !result.audit.ok || !result.migrationsMatch)
    lines.push(
      '  The restore does NOT match its backup: do not start Cairn on this database; keep it for inspection.',
    );
  lines.push('');
  return lines.join('\n');
}
