import { sql } from 'drizzle-orm';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Db, type Queryable, type Tx } from '../../kernel/db/types.js';
import type { JobQueue } from '../../kernel/jobs/jobs.js';
import type { Kernel } from '../../kernel/kernel.js';
import { mapPeriods, type MapPeriod, type YearFlow, type YearHotspot } from './journeys.publish.js';
import { inThisThread, type SliceDocumentsOf } from './journeys.publish.slice.js';
import { PublishThread } from './journeys.publish.thread.js';
import {
  journeysDocuments,
  journeysFlows,
  journeysHotspots,
  journeysPublication,
  journeysRoutes,
  journeysStaleSlices,
} from './journeys.tables.js';
import { anyValue, noIndustry, wholeYear } from './journeys.vocabulary.js';

/**
 * The publication of the map (docs/decisions/0011-journeys.md, "The read path"): the summary tables protected
 * ahead of time, slice by slice, into documents the map sends as stored bytes.
 *
 * - A change marks the slices it touches (`markRoutes`, called by `applyRoutes` in the change's transaction)
 *   and queues a publication a moment later: a burst of decisions, or an import, gives one run.
 * - The job publishes each marked slice in its own transaction: it reads the slice's whole years, protects them
 *   over every period at once (`publishSlice`), builds the documents (`sliceDocuments`) and replaces the
 *   slice's documents, so a reader sees one whole publication of each slice, never half of one.
 * - Every slice has the same periods, set by the first and last years of all validated contributions; when
 *   they change (or k does), every slice is published again in one transaction, so no two slices are ever
 *   shown with different periods.
 * - One publisher at a time (a transaction-level advisory lock): two runs take turns, slice by slice.
 */

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'journeys.publish': Record<string, never>;
  }
}

const publishJob = 'journeys.publish';
/** A change is published within this long: changes in the same window share one run. */
const publishWindowMs = 2_000;
/** A sweep publishes what a failed run left marked, and a first publication of a database that has none. */
const sweepIntervalMs = 10 * 60_000;
/** The advisory lock of the publisher (any constant number, unique among Cairn's advisory locks). */
const publisherLock = 7_011_001;

/** A slice of the summary: an exploitation type, an industry and a nationality band, each given or `*`. */
export interface SliceKey {
  exploitationType: string;
  industry: string;
  nationalityBand: string;
}

/**
 * Marks the slices these contributions are counted in: each of their exploitation types and `*`, each with the
 * industry given or `*` and the nationality band given or `*` (journeys.aggregates.ts: the slices a route
 * has cells in). Call it in the change's transaction; `schedulePublication` then queues the job.
 */
export async function markRoutes(tx: Tx, routeIds: readonly string[]): Promise<void> {
  if (routeIds.length === 0) return;
  await tx.execute(
    sql`insert into ${journeysStaleSlices} as s (exploitation_type, industry, nationality_band)
      select distinct t.exploitation_type, i.industry, n.nationality_band
      from ${journeysRoutes} r
      cross join lateral (select unnest(r.exploitation_types) as exploitation_type
        union all select ${anyValue}) t
      cross join lateral (select coalesce(r.industry, ${noIndustry}) as industry
        union all select ${anyValue}) i
      cross join lateral (select r.nationality_band union all select ${anyValue}) n
      where r.id = any(${`{${routeIds.join(',')}}`}::uuid[])
      -- One lock order for every writer, as the summary's cells.
      order by 1, 2, 3
      on conflict (exploitation_type, industry, nationality_band)
      do update set generation = s.generation + 1`,
  );
}

/** Marks every slice: those the summary has and those with documents (a slice may have emptied). */
export async function markAllSlices(tx: Tx): Promise<void> {
  await tx.execute(
    sql`insert into ${journeysStaleSlices} as s (exploitation_type, industry, nationality_band)
      select exploitation_type, industry, nationality_band from ${journeysHotspots}
        where level = 'world' and quarter = ${wholeYear}
      union select exploitation_type, industry, nationality_band from ${journeysDocuments}
      order by 1, 2, 3
      on conflict (exploitation_type, industry, nationality_band)
      do update set generation = s.generation + 1`,
  );
}

/** Queues the publication of what this transaction marked, in the window it falls in. */
export async function schedulePublication(tx: Tx, jobs: JobQueue): Promise<void> {
  const due = Math.ceil((Date.now() + 1) / publishWindowMs) * publishWindowMs;
  const runAt = new Date(due);
  await jobs.enqueue(tx, publishJob, {}, { runAt, dedupeKey: `${publishJob}:${runAt.toISOString()}` });
}

/** The first and last years of all validated contributions (the world's cells of the unfiltered slice). */
async function contributionYears(db: Queryable): Promise<{ earliest: number; latest: number } | null> {
  const [row] = await queryRows<{ earliest: number | null; latest: number | null }>(
    db,
    sql`select min(year)::int as earliest, max(year)::int as latest from ${journeysHotspots}
      where level = 'world' and quarter = ${wholeYear} and exploitation_type = ${anyValue}
        and industry = ${anyValue} and nationality_band = ${anyValue}`,
  );
  return row?.earliest != null && row.latest != null ? { earliest: row.earliest, latest: row.latest } : null;
}

interface PublicationState {
  k: number;
  earliest: number | null;
  latest: number | null;
}

async function publicationState(db: Queryable): Promise<PublicationState | null> {
  const [row] = await queryRows<PublicationState>(
    db,
    sql`select k, earliest_year as earliest, latest_year as latest from ${journeysPublication} where id = 1`,
  );
  return row ?? null;
}

/** The periods every slice offers now (none before anything is published or validated). */
export async function publishedPeriods(db: Queryable): Promise<{ k: number; periods: MapPeriod[] } | null> {
  const state = await publicationState(db);
  if (!state) return null;
  return {
    k: state.k,
    periods: state.earliest !== null && state.latest !== null ? mapPeriods(state.earliest, state.latest) : [],
  };
}

/** A slice's whole years, as the summary holds them: what the publication protects. */
export async function readSlice(
  db: Queryable,
  slice: SliceKey,
): Promise<{ flows: YearFlow[]; hotspots: YearHotspot[] }> {
  // `level = any(…)` keeps each read on the summary's key (level first), a walk of the slice's own cells.
  const where = sql`quarter = ${wholeYear} and exploitation_type = ${slice.exploitationType}
    and industry = ${slice.industry} and nationality_band = ${slice.nationalityBand}`;
  const flows = await queryRows<YearFlow>(
    db,
    sql`select level, from_area as "from", to_area as "to", from_country as "fromCountry",
        to_country as "toCountry", year::int as year, people
      from ${journeysFlows} where level = any(${'{country,region}'}::text[]) and ${where}`,
  );
  const hotspots = await queryRows<YearHotspot>(
    db,
    sql`select level, area, country, role, year::int as year, people
      from ${journeysHotspots} where level = any(${'{world,country,region}'}::text[]) and ${where}`,
  );
  return { flows, hotspots };
}

/** Rows of the documents table, for one insert. */
type DocumentRow = typeof journeysDocuments.$inferInsert;

/** Replaces the documents of one slice with its publication over these periods. Returns how many it wrote. */
async function publishOne(
  tx: Tx,
  slice: SliceKey,
  periods: readonly MapPeriod[],
  k: number,
  documentsOf: SliceDocumentsOf,
): Promise<number> {
  await tx.execute(
    sql`delete from ${journeysDocuments} where exploitation_type = ${slice.exploitationType}
      and industry = ${slice.industry} and nationality_band = ${slice.nationalityBand}`,
  );
  if (periods.length === 0) return 0;
  const { flows, hotspots } = await readSlice(tx, slice);
  if (flows.length === 0 && hotspots.length === 0) return 0;
  const documents = await documentsOf({ flows, hotspots, periods: [...periods], k });
  const rows: DocumentRow[] = documents.map((document) => ({ ...slice, ...document }));
  // In batches: each row is seven parameters, and PostgreSQL takes at most 65,535 in a statement.
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.insert(journeysDocuments).values(rows.slice(i, i + 1000));
  }
  return rows.length;
}

interface StaleSlice extends SliceKey {
  generation: number;
}

const staleColumns = sql`exploitation_type as "exploitationType", industry, nationality_band as "nationalityBand",
  generation`;

/** Clears a slice's mark if no change marked it again since it was read. */
async function clearMark(tx: Tx, slice: StaleSlice): Promise<void> {
  await tx.execute(
    sql`delete from ${journeysStaleSlices} where exploitation_type = ${slice.exploitationType}
      and industry = ${slice.industry} and nationality_band = ${slice.nationalityBand}
      and generation = ${slice.generation}`,
  );
}

export interface PublicationRun {
  /** Whether every slice was published again (new periods or a new k). */
  full: boolean;
  slices: number;
  documents: number;
}

/**
 * Publishes what is marked, until nothing is: first, if the periods or k changed, every slice in one
 * transaction; then each marked slice in its own.
 */
export async function publishMarked(
  db: Db,
  k: number,
  documentsOf: SliceDocumentsOf = inThisThread,
): Promise<PublicationRun> {
  const run: PublicationRun = { full: false, slices: 0, documents: 0 };
  for (;;) {
    const step = await inTransaction(db, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${publisherLock})`);
      const years = await contributionYears(tx);
      const state = await publicationState(tx);
      const earliest = years?.earliest ?? null;
      const latest = years?.latest ?? null;
      const periods = years ? mapPeriods(years.earliest, years.latest) : [];
      if (!state || state.k !== k || state.earliest !== earliest || state.latest !== latest) {
        // Everything again, in this one transaction: readers keep the whole previous publication until it
        // commits.
        await markAllSlices(tx);
        const stale = await queryRows<StaleSlice>(
          tx,
          sql`select ${staleColumns} from ${journeysStaleSlices}`,
        );
        let documents = 0;
        await tx.execute(sql`delete from ${journeysDocuments}`);
        for (const slice of stale) {
          documents += await publishOne(tx, slice, periods, k, documentsOf);
          await clearMark(tx, slice);
        }
        await tx.execute(
          sql`insert into ${journeysPublication} (id, k, earliest_year, latest_year, published_at)
            values (1, ${k}, ${earliest}, ${latest}, now())
            on conflict (id) do update set k = excluded.k, earliest_year = excluded.earliest_year,
              latest_year = excluded.latest_year, published_at = excluded.published_at`,
        );
        return { full: true, slices: stale.length, documents };
      }
      const [slice] = await queryRows<StaleSlice>(
        tx,
        sql`select ${staleColumns} from ${journeysStaleSlices}
          order by exploitation_type, industry, nationality_band limit 1`,
      );
      if (!slice) return null;
      const documents = await publishOne(tx, slice, periods, k, documentsOf);
      await clearMark(tx, slice);
      await tx.execute(sql`update ${journeysPublication} set published_at = now() where id = 1`);
      return { full: false, slices: 1, documents };
    });
    if (!step) return run;
    run.full ||= step.full;
    run.slices += step.slices;
    run.documents += step.documents;
  }
}

const threads = new WeakMap<object, PublishThread>();

/**
 * Registers the publication job, and its sweep. With `CAIRN_PUBLISH_THREAD` (the default), a slice's
 * protection and documents are computed in a worker thread of their own, so a large slice's seconds of CPU do
 * not hold up the requests this process serves.
 */
export function setupPublication(kernel: Kernel): void {
  const thread = kernel.config.publishThread ? new PublishThread(kernel.log) : null;
  if (thread) threads.set(kernel.database, thread);
  kernel.jobs.recurring(publishJob, sweepIntervalMs, async (run) => {
    const result = await publishMarked(
      kernel.database.db,
      kernel.config.journeysK,
      thread?.documents ?? inThisThread,
    );
    if (result.slices > 0) run.log.info(result, 'journey map published');
  });
}

/** Stops this kernel's publication thread, if it has one (the server is closing). */
export async function closePublication(kernel: Pick<Kernel, 'database'>): Promise<void> {
  const thread = threads.get(kernel.database);
  threads.delete(kernel.database);
  await thread?.close();
}

/** A stored document, as bytes. */
export interface StoredDocument {
  body: Buffer;
  etag: string;
}

/** One stored document, or null when the slice has none for this period and area. */
export async function readDocument(
  db: Queryable,
  slice: SliceKey,
  period: string,
  area: string,
): Promise<StoredDocument | null> {
  const [row] = await queryRows<{ body: Uint8Array; etag: string }>(
    db,
    sql`select body, etag from ${journeysDocuments}
      where exploitation_type = ${slice.exploitationType} and industry = ${slice.industry}
        and nationality_band = ${slice.nationalityBand} and period = ${period} and area = ${area}`,
  );
  return row ? { body: bytesOf(row.body), etag: row.etag } : null;
}

/** A `bytea` value as a Buffer, without a copy: node-postgres gives a Buffer, PGlite a Uint8Array. */
export const bytesOf = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
