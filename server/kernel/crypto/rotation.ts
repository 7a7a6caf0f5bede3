import { and, asc, count, desc, eq, gt, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit.js';
import { kernelBlindIndexKeys, kernelKeyRotations, kernelOrganisationKeys } from '../db/kernel.tables.js';
import { setTenant } from '../db/tenant.js';
import { inTransaction, onCommit } from '../db/transaction.js';
import type { Db, Tx } from '../db/types.js';
import type { JobQueue } from '../jobs/jobs.js';
import type { RegisteredTable } from './registry.js';
import {
  KeyringError,
  blindIndexPurposes,
  blindIndexWith,
  lockSeriesExclusive,
  openSealed,
  sealWith,
  type BlindIndexPurpose,
  type KeySeries,
  type KeyStore,
} from './keystore.js';

declare module '../jobs/jobs.js' {
  interface CairnJobs {
    /** Advances one key rotation for a while, then queues its successor until the rotation is done. */
    'kernel.key_rotation': { rotationId: number };
  }
}

/** SECURITY: key events name series, scopes (organisation ids, purposes) and versions — never key material. */
declare module '../audit/audit.js' {
  interface AuditEvents {
    'kernel.key_rotation_started': {
      kind: KeySeries;
      scope: string;
      rotationId: number;
      fromVersion: number;
      toVersion: number;
    };
    'kernel.key_rotation_finished': { kind: KeySeries; scope: string; rotationId: number; rowsDone: number };
    'kernel.key_rotation_failed': { kind: KeySeries; scope: string; rotationId: number };
    'kernel.key_destroyed': { kind: KeySeries; scope: string; version: number };
  }
}

/** What rotation needs from the keyring. */
export interface RotationContext {
  db: Db;
  jobs: JobQueue;
  log: Logger;
  store: KeyStore;
  tables: () => RegisteredTable[];
  batchSize: number;
  timeBudgetMs: number;
}

export interface RotationStarted {
  rotationId: number;
  kind: KeySeries;
  scope: string;
  fromVersion: number;
  toVersion: number;
}

export interface RotationProgress {
  rotationId: number;
  state: 'running' | 'done' | 'failed';
  rowsDone: number;
}

export interface DestroyReport {
  destroyed: { kind: KeySeries; scope: string; version: number }[];
  kept: {
    kind: KeySeries;
    scope: string;
    version: number;
    reason: 'rotation_running' | 'values_remain';
    remaining?: number;
  }[];
}

export interface KeyStatus {
  organisations: { withKeys: number; active: number; retired: number; destroyed: number };
  blindIndexKeys: { purpose: string; version: number; state: string; retiredAt: Date | null }[];
  retired: { kind: KeySeries; scope: string; version: number; retiredAt: Date | null }[];
  rotations: {
    id: number;
    kind: KeySeries;
    scope: string;
    fromVersion: number;
    toVersion: number;
    state: string;
    rowsDone: number;
    lastError: string | null;
    startedAt: Date;
    finishedAt: Date | null;
  }[];
}

type Rotation = typeof kernelKeyRotations.$inferSelect;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Below PostgreSQL's default deadlock_timeout (1 s): the exclusive series lock waits for writers that hold it
// shared; if the switch ever waits in a cycle with one, it gives up first and retries, so the writer's request
// never fails. (The audit chain's lock, once part of such a cycle, is now taken last, at COMMIT.)
const switchLockTimeout = '250ms';
const switchAttempts = 40;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isLockTimeout(error: unknown): boolean {
  const value = error as { code?: unknown; cause?: { code?: unknown } };
  return value.code === '55P03' || value.cause?.code === '55P03';
}

function assertScope(kind: KeySeries, scope: string): void {
  if (kind === 'organisation' && !uuidPattern.test(scope))
    throw new Error(`keyring: ${scope} is not an organisation id (uuid)`);
  if (kind === 'blind_index' && !blindIndexPurposes.includes(scope as BlindIndexPurpose))
    throw new Error(`keyring: ${scope} is not a blind-index purpose (${blindIndexPurposes.join(', ')})`);
}

/** The prefix every value under a version starts with: `k3.` (fields) or `b3.` (blind indexes). */
const prefixOf = (kind: KeySeries, version: number) => `${kind === 'organisation' ? 'k' : 'b'}${version}.`;

/**
 * Switches a series to a new version: under the exclusive series lock (so writers that read the old
 * version have committed), retire the active version, insert the next one, record the rotation and the
 * audit event, and queue the job — one transaction. Retries when the lock is not granted in time.
 */
export async function startRotation(
  ctx: RotationContext,
  kind: KeySeries,
  scope: string,
): Promise<RotationStarted> {
  assertScope(kind, scope);
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.db, (tx) => switchVersion(ctx, tx, kind, scope));
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      if (attempt >= switchAttempts)
        throw new KeyringError(
          'keys_busy',
          `${kind} key ${scope} stayed busy: try the rotation again`,
          error,
        );
      await sleep(Math.min(1000, 25 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
    }
  }
}

async function switchVersion(
  ctx: RotationContext,
  tx: Tx,
  kind: KeySeries,
  scope: string,
): Promise<RotationStarted> {
  await tx.execute(sql`select set_config('lock_timeout', ${switchLockTimeout}, true)`);
  await lockSeriesExclusive(tx, kind, scope);
  const [running] = await tx
    .select({ id: kernelKeyRotations.id })
    .from(kernelKeyRotations)
    .where(
      and(
        eq(kernelKeyRotations.kind, kind),
        eq(kernelKeyRotations.scope, scope),
        eq(kernelKeyRotations.state, 'running'),
      ),
    );
  if (running)
    throw new KeyringError(
      'rotation_running',
      `rotation ${running.id} of ${kind} key ${scope} is still running`,
    );
  let fromVersion: number | undefined;
  if (kind === 'organisation') {
    const [retired] = await tx
      .update(kernelOrganisationKeys)
      .set({ state: 'retired', retiredAt: new Date() })
      .where(
        and(eq(kernelOrganisationKeys.organisationId, scope), eq(kernelOrganisationKeys.state, 'active')),
      )
      .returning({ version: kernelOrganisationKeys.version });
    fromVersion = retired?.version;
  } else {
    const [retired] = await tx
      .update(kernelBlindIndexKeys)
      .set({ state: 'retired', retiredAt: new Date() })
      .where(and(eq(kernelBlindIndexKeys.purpose, scope), eq(kernelBlindIndexKeys.state, 'active')))
      .returning({ version: kernelBlindIndexKeys.version });
    fromVersion = retired?.version;
  }
  if (fromVersion === undefined)
    throw new KeyringError('no_active_key', `${kind} key ${scope} has no active version: nothing to rotate`);
  const toVersion = await nextVersion(tx, kind, scope);
  const sealedKey = ctx.store.newSealedKey(kind, scope, toVersion);
  if (kind === 'organisation') {
    await tx.insert(kernelOrganisationKeys).values({ organisationId: scope, version: toVersion, sealedKey });
  } else {
    await tx.insert(kernelBlindIndexKeys).values({ purpose: scope, version: toVersion, sealedKey });
  }
  const [rotation] = await tx
    .insert(kernelKeyRotations)
    .values({ kind, scope, fromVersion, toVersion })
    .returning({ id: kernelKeyRotations.id });
  const rotationId = Number(rotation!.id);
  await recordAudit(tx, {
    action: 'kernel.key_rotation_started',
    objectType: kind === 'organisation' ? 'organisation_key' : 'blind_index_key',
    objectId: `${scope}:v${toVersion}`,
    organisationId: kind === 'organisation' ? scope : null,
    details: { kind, scope, rotationId, fromVersion, toVersion },
  });
  await ctx.jobs.enqueue(tx, 'kernel.key_rotation', { rotationId });
  return { rotationId, kind, scope, fromVersion, toVersion };
}

/** One above the highest version ever used (destroyed ones included: versions are never reused). */
async function nextVersion(tx: Tx, kind: KeySeries, scope: string): Promise<number> {
  const [row] =
    kind === 'organisation'
      ? await tx
          .select({ max: sql<number>`max(${kernelOrganisationKeys.version})` })
          .from(kernelOrganisationKeys)
          .where(eq(kernelOrganisationKeys.organisationId, scope))
      : await tx
          .select({ max: sql<number>`max(${kernelBlindIndexKeys.version})` })
          .from(kernelBlindIndexKeys)
          .where(eq(kernelBlindIndexKeys.purpose, scope));
  return Number(row?.max ?? 0) + 1;
}

/** Starts a rotation for every organisation that has a key; organisations already rotating are skipped. */
export async function rotateAllOrganisations(
  ctx: RotationContext,
): Promise<{ started: RotationStarted[]; skipped: { organisationId: string; reason: string }[] }> {
  const organisations = await ctx.db
    .select({ organisationId: kernelOrganisationKeys.organisationId })
    .from(kernelOrganisationKeys)
    .where(eq(kernelOrganisationKeys.state, 'active'))
    .orderBy(asc(kernelOrganisationKeys.organisationId));
  const started: RotationStarted[] = [];
  const skipped: { organisationId: string; reason: string }[] = [];
  for (const { organisationId } of organisations) {
    try {
      started.push(await startRotation(ctx, 'organisation', organisationId));
    } catch (error) {
      if (!(error instanceof KeyringError)) throw error;
      skipped.push({ organisationId, reason: error.reason });
    }
  }
  return { started, skipped };
}

/** The registered tables a rotation (or destruction) of this series and scope goes through. */
function targetsOf(ctx: RotationContext, kind: KeySeries, scope: string): RegisteredTable[] {
  return kind === 'organisation'
    ? ctx.tables()
    : ctx.tables().filter((table) => table.blindIndexes.some((index) => index.purpose === scope));
}

/** The columns of a table that hold values of this series and scope. */
function columnsOf(table: RegisteredTable, kind: KeySeries, scope: string): PgColumn[] {
  return kind === 'organisation'
    ? table.encrypted.map(({ column }) => column)
    : table.blindIndexes.filter((index) => index.purpose === scope).map(({ column }) => column);
}

/**
 * SECURITY: rotation reads and rewrites tenant rows, so it sets the tenant like any use case: the one
 * organisation for its key; for a blind-index key, whose indexes span every organisation, each organisation in
 * turn — some tenant tables (the case store) have no platform scope at all, and under one they would look empty,
 * so a rotation would "finish" without touching them and a destroy would find nothing left. Values are opened in
 * this process only to be re-indexed, and never leave it.
 */
async function enterScope(tx: Tx, kind: KeySeries, scope: string, tenant: string): Promise<void> {
  await setTenant(tx, kind === 'organisation' ? scope : tenant);
}

/**
 * The organisations a rotation walks: the key's own, or — for a blind-index key — every organisation that has a
 * data key (an indexed value is computed from sealed fields, so its organisation has one).
 */
async function tenantsOf(db: Db | Tx, kind: KeySeries, scope: string): Promise<string[]> {
  if (kind === 'organisation') return [scope];
  const rows = await db
    .selectDistinct({ id: kernelOrganisationKeys.organisationId })
    .from(kernelOrganisationKeys)
    .orderBy(asc(kernelOrganisationKeys.organisationId));
  return rows.map((row) => row.id);
}

/** Counts the rows of the scope matching a values condition, organisation by organisation. */
async function countEverywhere(
  ctx: RotationContext,
  tx: Tx,
  kind: KeySeries,
  scope: string,
  version: number,
  exactly: boolean,
): Promise<number> {
  let total = 0;
  for (const tenant of await tenantsOf(tx, kind, scope)) {
    await enterScope(tx, kind, scope, tenant);
    for (const table of targetsOf(ctx, kind, scope)) {
      total += await countRows(tx, table, valuesCondition(table, kind, scope, version, exactly, tenant));
    }
  }
  return total;
}

/** Rows of the scope holding any value NOT under `version` (stale) or, with `exactly`, under it. */
function valuesCondition(
  table: RegisteredTable,
  kind: KeySeries,
  scope: string,
  version: number,
  exactly: boolean,
  tenant: string,
): SQL {
  const prefix = prefixOf(kind, version);
  const tests = columnsOf(table, kind, scope).map((column) =>
    exactly
      ? sql`starts_with(${column}, ${prefix})`
      : and(isNotNull(column), sql`not starts_with(${column}, ${prefix})`)!,
  );
  const any = or(...tests)!;
  return and(eq(table.organisation, kind === 'organisation' ? scope : tenant), any)!;
}

async function countRows(tx: Tx, table: RegisteredTable, condition: SQL): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(table.table).where(condition);
  return Number(row?.n ?? 0);
}

async function loadRotation(db: Db | Tx, rotationId: number): Promise<Rotation | undefined> {
  const [row] = await db.select().from(kernelKeyRotations).where(eq(kernelKeyRotations.id, rotationId));
  return row;
}

const progressOf = (rotation: Rotation): RotationProgress => ({
  rotationId: Number(rotation.id),
  state: rotation.state,
  rowsDone: rotation.rowsDone,
});

/**
 * Advances a rotation table by table, in id order, one transaction per batch: rows holding a value under
 * another version are locked, re-encrypted (organisation key) or re-indexed from their opened fields
 * (blind-index key) under the new version, and written. When the time budget is spent it returns `running`;
 * once a final count finds nothing stale, it marks the rotation done.
 */
export async function runRotation(ctx: RotationContext, rotationId: number): Promise<RotationProgress> {
  const deadline = Date.now() + ctx.timeBudgetMs;
  const rotation = await loadRotation(ctx.db, rotationId);
  if (!rotation) throw new Error(`keyring: rotation ${rotationId} does not exist`);
  if (rotation.state !== 'running') return progressOf(rotation);
  const tenants = await tenantsOf(ctx.db, rotation.kind, rotation.scope);
  for (const table of targetsOf(ctx, rotation.kind, rotation.scope)) {
    for (const tenant of tenants) {
      let after: unknown;
      for (;;) {
        if (Date.now() >= deadline) return progressOf((await loadRotation(ctx.db, rotationId))!);
        const batch = await inTransaction(ctx.db, (tx) =>
          rotateBatch(ctx, tx, rotation, table, tenant, after),
        );
        if (batch === 'stopped') return progressOf((await loadRotation(ctx.db, rotationId))!);
        if (batch.count < ctx.batchSize) break;
        after = batch.last;
      }
    }
  }
  return inTransaction(ctx.db, (tx) => finishIfComplete(ctx, tx, rotation));
}

async function lockRunning(tx: Tx, rotationId: number): Promise<Rotation | undefined> {
  // Batches of one rotation serialise on its row (two workers may briefly run the same job after a crash).
  const [row] = await tx
    .select()
    .from(kernelKeyRotations)
    .where(eq(kernelKeyRotations.id, rotationId))
    .for('update');
  return row?.state === 'running' ? row : undefined;
}

async function rotateBatch(
  ctx: RotationContext,
  tx: Tx,
  rotation: Rotation,
  table: RegisteredTable,
  tenant: string,
  after: unknown,
): Promise<{ count: number; last: unknown } | 'stopped'> {
  if (!(await lockRunning(tx, Number(rotation.id)))) return 'stopped';
  const { kind, scope, toVersion } = rotation;
  await enterScope(tx, kind, scope, tenant);
  const fields: Record<string, PgColumn> = { id: table.id, organisation: table.organisation };
  for (const { property, column } of table.encrypted) fields[`e:${property}`] = column;
  for (const { property, column } of table.blindIndexes) fields[`i:${property}`] = column;
  const rows = (await tx
    .select(fields)
    .from(table.table)
    .where(
      and(
        valuesCondition(table, kind, scope, toVersion, false, tenant),
        after === undefined ? undefined : gt(table.id, after),
      ),
    )
    .orderBy(asc(table.id))
    .limit(ctx.batchSize)
    // SECURITY (integrity): a row a writer holds is skipped, never waited for nor overwritten with values
    // read before its change; a later pass meets it again.
    .for('update', { skipLocked: true })) as Record<string, unknown>[];
  if (rows.length === 0) return { count: 0, last: after };
  const key = await ctx.store.version(tx, kind, scope, toVersion);
  const prefix = prefixOf(kind, toVersion);
  const stale = (value: unknown): value is string => typeof value === 'string' && !value.startsWith(prefix);
  for (const row of rows) {
    const organisationId = String(row.organisation);
    const place = (column: PgColumn) => ({
      organisationId,
      table: table.name,
      column: column.name,
      rowId: String(row.id),
    });
    const updates: Record<string, string | null> = {};
    if (kind === 'organisation') {
      for (const { property, column } of table.encrypted) {
        const value = row[`e:${property}`];
        if (!stale(value)) continue;
        const at = place(column);
        updates[property] = sealWith(key, toVersion, at, await openSealed(ctx.store, tx, at, value));
      }
    } else {
      const opened: Record<string, string | null> = {};
      for (const { property, column } of table.encrypted) {
        const value = row[`e:${property}`];
        opened[property] =
          typeof value === 'string' ? await openSealed(ctx.store, tx, place(column), value) : null;
      }
      for (const index of table.blindIndexes) {
        if (index.purpose !== scope || !stale(row[`i:${index.property}`])) continue;
        const source = index.source(opened);
        const organisation = index.purpose === 'lookup' ? organisationId : null;
        updates[index.property] =
          source === null ? null : blindIndexWith(key, toVersion, index.purpose, organisation, source);
        if (source !== null && index.derive)
          await index.derive(tx, {
            rowId: String(row.id),
            organisationId,
            source,
            key: { version: toVersion, key },
          });
      }
    }
    if (Object.keys(updates).length === 0) continue;
    await tx.update(table.table).set(updates).where(eq(table.id, row.id));
  }
  await tx
    .update(kernelKeyRotations)
    .set({ rowsDone: sql`${kernelKeyRotations.rowsDone} + ${rows.length}` })
    .where(eq(kernelKeyRotations.id, rotation.id));
  return { count: rows.length, last: rows.at(-1)!.id };
}

async function finishIfComplete(ctx: RotationContext, tx: Tx, rotation: Rotation): Promise<RotationProgress> {
  const current = await lockRunning(tx, Number(rotation.id));
  if (!current) return progressOf((await loadRotation(tx, Number(rotation.id)))!);
  const { kind, scope, toVersion } = current;
  const remaining = await countEverywhere(ctx, tx, kind, scope, toVersion, false);
  if (remaining > 0) return progressOf(current);
  const [done] = await tx
    .update(kernelKeyRotations)
    .set({ state: 'done', finishedAt: new Date(), lastError: null })
    .where(eq(kernelKeyRotations.id, current.id))
    .returning();
  await recordAudit(tx, {
    action: 'kernel.key_rotation_finished',
    objectType: kind === 'organisation' ? 'organisation_key' : 'blind_index_key',
    objectId: `${scope}:v${toVersion}`,
    organisationId: kind === 'organisation' ? scope : null,
    details: { kind, scope, rotationId: Number(current.id), rowsDone: current.rowsDone },
  });
  ctx.log.info({ rotationId: Number(current.id), kind, rowsDone: current.rowsDone }, 'key rotation done');
  return progressOf(done!);
}

/** A message safe to store and log: keyring errors name places; anything else only its class and code. */
function safeMessage(error: unknown): string {
  if (error instanceof KeyringError) return error.message.slice(0, 1000);
  const value = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
  const code = value.code ?? value.cause?.code;
  return `${typeof value.name === 'string' ? value.name : 'Error'}${typeof code === 'string' ? ` (${code})` : ''}`;
}

/** Registers the rotation job: run for a while, queue the successor while work remains, record failures. */
export function registerRotationJob(ctx: RotationContext): void {
  ctx.jobs.register('kernel.key_rotation', async ({ rotationId }, run) => {
    let progress: RotationProgress;
    try {
      progress = await runRotation(ctx, rotationId);
    } catch (error) {
      const message = safeMessage(error);
      const final = run.attempt >= run.maxAttempts;
      await inTransaction(ctx.db, async (tx) => {
        const [failed] = await tx
          .update(kernelKeyRotations)
          .set(
            final ? { lastError: message, state: 'failed', finishedAt: new Date() } : { lastError: message },
          )
          .where(and(eq(kernelKeyRotations.id, rotationId), eq(kernelKeyRotations.state, 'running')))
          .returning();
        if (final && failed) {
          await recordAudit(tx, {
            action: 'kernel.key_rotation_failed',
            objectType: failed.kind === 'organisation' ? 'organisation_key' : 'blind_index_key',
            objectId: `${failed.scope}:v${failed.toVersion}`,
            organisationId: failed.kind === 'organisation' ? failed.scope : null,
            details: { kind: failed.kind, scope: failed.scope, rotationId },
          });
        }
      });
      // The job queue stores this message: only the safe form, the original stays the (serialised) cause.
      throw new Error(`key rotation ${rotationId} failed: ${message}`, { cause: error });
    }
    if (progress.state === 'running') {
      // Handing over keeps each run well inside the job lock; the successor also retries skipped rows.
      await inTransaction(ctx.db, (tx) =>
        ctx.jobs.enqueue(tx, 'kernel.key_rotation', { rotationId }, { runAt: new Date(Date.now() + 250) }),
      );
    }
  });
}

/** Destroys the retired versions that are safe to destroy; see Keyring.destroyRetiredKeys. */
export async function destroyRetiredKeys(
  ctx: RotationContext,
  filter: { organisationId?: string; purpose?: BlindIndexPurpose },
): Promise<DestroyReport> {
  const candidates: { kind: KeySeries; scope: string; version: number }[] = [];
  const both = filter.organisationId === undefined && filter.purpose === undefined;
  if (filter.organisationId !== undefined) assertScope('organisation', filter.organisationId);
  if (filter.purpose !== undefined) assertScope('blind_index', filter.purpose);
  if (both || filter.organisationId !== undefined) {
    const rows = await ctx.db
      .select({ scope: kernelOrganisationKeys.organisationId, version: kernelOrganisationKeys.version })
      .from(kernelOrganisationKeys)
      .where(
        and(
          eq(kernelOrganisationKeys.state, 'retired'),
          filter.organisationId === undefined
            ? undefined
            : eq(kernelOrganisationKeys.organisationId, filter.organisationId),
        ),
      )
      .orderBy(asc(kernelOrganisationKeys.organisationId), asc(kernelOrganisationKeys.version));
    candidates.push(...rows.map((row) => ({ kind: 'organisation' as const, ...row })));
  }
  if (both || filter.purpose !== undefined) {
    const rows = await ctx.db
      .select({ scope: kernelBlindIndexKeys.purpose, version: kernelBlindIndexKeys.version })
      .from(kernelBlindIndexKeys)
      .where(
        and(
          eq(kernelBlindIndexKeys.state, 'retired'),
          filter.purpose === undefined ? undefined : eq(kernelBlindIndexKeys.purpose, filter.purpose),
        ),
      )
      .orderBy(asc(kernelBlindIndexKeys.purpose), asc(kernelBlindIndexKeys.version));
    candidates.push(...rows.map((row) => ({ kind: 'blind_index' as const, ...row })));
  }
  const report: DestroyReport = { destroyed: [], kept: [] };
  for (const candidate of candidates) {
    const outcome = await inTransaction(ctx.db, (tx) => destroyOne(ctx, tx, candidate));
    if (outcome === 'destroyed') report.destroyed.push(candidate);
    else if (outcome) report.kept.push({ ...candidate, ...outcome });
  }
  return report;
}

async function destroyOne(
  ctx: RotationContext,
  tx: Tx,
  { kind, scope, version }: { kind: KeySeries; scope: string; version: number },
): Promise<'destroyed' | { reason: 'rotation_running' | 'values_remain'; remaining?: number } | null> {
  // Lock the key row so two destroyers (or a destroyer and a rotation's retire) do not cross.
  const [row] =
    kind === 'organisation'
      ? await tx
          .select({ state: kernelOrganisationKeys.state })
          .from(kernelOrganisationKeys)
          .where(
            and(
              eq(kernelOrganisationKeys.organisationId, scope),
              eq(kernelOrganisationKeys.version, version),
            ),
          )
          .for('update')
      : await tx
          .select({ state: kernelBlindIndexKeys.state })
          .from(kernelBlindIndexKeys)
          .where(and(eq(kernelBlindIndexKeys.purpose, scope), eq(kernelBlindIndexKeys.version, version)))
          .for('update');
  if (row?.state !== 'retired') return null;
  const [running] = await tx
    .select({ id: kernelKeyRotations.id })
    .from(kernelKeyRotations)
    .where(
      and(
        eq(kernelKeyRotations.kind, kind),
        eq(kernelKeyRotations.scope, scope),
        eq(kernelKeyRotations.state, 'running'),
      ),
    );
  if (running) return { reason: 'rotation_running' };
  const remaining = await countEverywhere(ctx, tx, kind, scope, version, true);
  // SECURITY: destroying a key still in use would lose those values for good; refuse instead.
  if (remaining > 0) return { reason: 'values_remain', remaining };
  const now = new Date();
  if (kind === 'organisation') {
    await tx
      .update(kernelOrganisationKeys)
      .set({ state: 'destroyed', sealedKey: null, destroyedAt: now })
      .where(
        and(eq(kernelOrganisationKeys.organisationId, scope), eq(kernelOrganisationKeys.version, version)),
      );
  } else {
    await tx
      .update(kernelBlindIndexKeys)
      .set({ state: 'destroyed', sealedKey: null, destroyedAt: now })
      .where(and(eq(kernelBlindIndexKeys.purpose, scope), eq(kernelBlindIndexKeys.version, version)));
  }
  await recordAudit(tx, {
    action: 'kernel.key_destroyed',
    objectType: kind === 'organisation' ? 'organisation_key' : 'blind_index_key',
    objectId: `${scope}:v${version}`,
    organisationId: kind === 'organisation' ? scope : null,
    details: { kind, scope, version },
  });
  // This process forgets the key at once; others within the cache's time to live (decision 0008).
  onCommit(tx, () => ctx.store.evict(kind, scope, version));
  return 'destroyed';
}

/** Key versions by state, retired versions, and the 20 latest rotations (running ones first). */
export async function keyStatus(db: Db): Promise<KeyStatus> {
  const [organisations] = await db
    .select({
      withKeys: sql<number>`count(distinct ${kernelOrganisationKeys.organisationId})`,
      active: sql<number>`count(*) filter (where ${kernelOrganisationKeys.state} = 'active')`,
      retired: sql<number>`count(*) filter (where ${kernelOrganisationKeys.state} = 'retired')`,
      destroyed: sql<number>`count(*) filter (where ${kernelOrganisationKeys.state} = 'destroyed')`,
    })
    .from(kernelOrganisationKeys);
  const blindIndexKeys = await db
    .select({
      purpose: kernelBlindIndexKeys.purpose,
      version: kernelBlindIndexKeys.version,
      state: kernelBlindIndexKeys.state,
      retiredAt: kernelBlindIndexKeys.retiredAt,
    })
    .from(kernelBlindIndexKeys)
    .orderBy(asc(kernelBlindIndexKeys.purpose), asc(kernelBlindIndexKeys.version));
  const retiredOrganisationKeys = await db
    .select({
      scope: kernelOrganisationKeys.organisationId,
      version: kernelOrganisationKeys.version,
      retiredAt: kernelOrganisationKeys.retiredAt,
    })
    .from(kernelOrganisationKeys)
    .where(eq(kernelOrganisationKeys.state, 'retired'))
    .orderBy(asc(kernelOrganisationKeys.organisationId), asc(kernelOrganisationKeys.version))
    .limit(200);
  const rotations = await db
    .select()
    .from(kernelKeyRotations)
    .orderBy(sql`${kernelKeyRotations.state} = 'running' desc`, desc(kernelKeyRotations.id))
    .limit(20);
  return {
    organisations: {
      withKeys: Number(organisations?.withKeys ?? 0),
      active: Number(organisations?.active ?? 0),
      retired: Number(organisations?.retired ?? 0),
      destroyed: Number(organisations?.destroyed ?? 0),
    },
    blindIndexKeys,
    retired: [
      ...retiredOrganisationKeys.map((row) => ({ kind: 'organisation' as const, ...row })),
      ...blindIndexKeys
        .filter((row) => row.state === 'retired')
        .map((row) => ({
          kind: 'blind_index' as const,
          scope: row.purpose,
          version: row.version,
          retiredAt: row.retiredAt,
        })),
    ],
    rotations: rotations.map((row) => ({ ...row, id: Number(row.id) })),
  };
}
