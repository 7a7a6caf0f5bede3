import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { rebuildAggregates } from '../../server/modules/journeys/journeys.aggregates.js';
import { exploitationTypes, industries } from '../../server/modules/directory/index.js';
import { nationalityBands } from '../../server/modules/journeys/journeys.vocabulary.js';
import { startCairn } from '../lib/cairn.js';
import type { BenchContext, Suite } from '../lib/context.js';
import { runLoad, type LoadResult } from '../lib/load.js';
import { txOver } from '../lib/tx.js';
import { loadRows, measure } from '../lib/measure.js';
import type { Service } from '../lib/service.js';
import { makeRow, type ResultRow } from '../lib/results.js';
import { median, percentile, timeOnce } from '../lib/timing.js';
import { benchPlaces, generateJourneys, journeyLegsByPreset } from '../scale/journeys.js';
import { createRng, deriveSeed, type Rng } from '../scale/prng.js';
import { signInOrThrow } from './identity.js';

/**
 * The journey map's budgets (issue 7): with 10M route legs, any filtered member-map query answers in ≤ 50 ms
 * median and ≤ 150 ms p99 at 20 connections, and ≥ 20× faster than a plain GROUP BY over the legs for the
 * same filters, measured in the same run.
 */
export const mapP50Target = '<= 50';
export const mapP99Target = '<= 150';
export const vsGroupByTarget = '>= 20';
/** The load: 20 connections. */
const mapConnections = 20;
/** Questions timed one by one, on the API and as a plain GROUP BY. */
const sequentialFilters = 30;
/** Different published answers cycled under load (none repeats often enough to be all cache). */
const loadFilters = 2_000;

/** One filtered question, as the GROUP BY baseline asks it: a span of years and the map's filters. */
export interface MapFilter {
  fromYear: number;
  toYear: number;
  exploitationType?: string;
  industry?: string;
  nationalityBand?: string;
  area?: string;
}

/** A random element of `values`. */
const pickFrom = <T>(rng: Rng, values: readonly T[]): T => values[Math.floor(rng.float() * values.length)]!;

/** What a member chooses besides the period: often a type, sometimes a band, an industry or an area. */
function memberChoices(rng: Rng, places: readonly string[]): Omit<MapFilter, 'fromYear' | 'toYear'> {
  const choices: Omit<MapFilter, 'fromYear' | 'toYear'> = {};
  if (rng.float() < 0.6) choices.exploitationType = pickFrom(rng, exploitationTypes.slice(0, 4));
  if (rng.float() < 0.3) choices.nationalityBand = pickFrom(rng, nationalityBands);
  if (rng.float() < 0.2) choices.industry = pickFrom(rng, industries);
  if (rng.float() < 0.4) {
    const place = pickFrom(rng, places);
    choices.area = rng.float() < 0.5 ? place.slice(0, 2) : place;
  }
  return choices;
}

/** A period the publication offers (the world answer's `periods`). */
export interface PublishedPeriod {
  id: string;
  from: number;
  to: number;
}

/** One published answer: a period of the publication, filters as a member's, and sometimes an area. */
export interface PublishedFilter {
  period: PublishedPeriod;
  exploitationType?: string;
  industry?: string;
  nationalityBand?: string;
  area?: string;
}

/** Random published answers: a period of the publication, and what a member chooses besides. */
export function publishedFilters(
  rng: Rng,
  count: number,
  places: readonly string[],
  periods: readonly PublishedPeriod[],
): PublishedFilter[] {
  return Array.from({ length: count }, () => {
    const period = pickFrom(rng, periods);
    return { period, ...memberChoices(rng, places) };
  });
}

/** The member map's published answer: the world's, or what an area adds (the browser keeps the world's). */
export const publishedPath = ({ period, area, ...rest }: PublishedFilter): string => {
  const query = new URLSearchParams({ period: period.id, ...rest, ...(area ? { area } : {}) }).toString();
  return area ? `/api/journeys/map/area?${query}` : `/api/journeys/map/world?${query}`;
};

/** The GROUP BY question of a published answer: the period's years, the same filters. */
export const asMapFilter = ({ period, ...rest }: PublishedFilter): MapFilter => ({
  fromYear: period.from,
  toYear: period.to,
  ...rest,
});

/** Times the plain GROUP BY over the legs for each filter, one by one, after one discarded run. */
async function timeGroupBy(context: BenchContext, filters: readonly MapFilter[]): Promise<number[]> {
  const db = await context.database.connect();
  try {
    const first = groupBySql(filters[0]!);
    await db.query(first.text, first.params);
    const times: number[] = [];
    for (const filter of filters) {
      const query = groupBySql(filter);
      times.push(await timeOnce(() => db.query(query.text, query.params)));
    }
    return times;
  } finally {
    await db.close();
  }
}

/**
 * The baseline: the same filtered question answered live, as a plain GROUP BY over the legs — each pair of
 * consecutive stops of the matching validated routes, people summed per country pair.
 */
export function groupBySql(filter: MapFilter): { text: string; params: unknown[] } {
  const params: unknown[] = [filter.fromYear, filter.toYear];
  const where = ['r.status = $3', 'r.year between $1 and $2'];
  params.push('validated');
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (filter.exploitationType) add((n) => `$${n} = any(r.exploitation_types)`, filter.exploitationType);
  if (filter.nationalityBand) add((n) => `r.nationality_band = $${n}`, filter.nationalityBand);
  if (filter.industry) add((n) => `r.industry = $${n}`, filter.industry);
  if (filter.area) {
    const column = filter.area.includes('.') ? 'region' : 'country';
    add((n) => `($${n} in (a.${column}, b.${column}))`, filter.area);
  }
  return {
    text: `select a.country as from_country, b.country as to_country, sum(r.people)::int as people
      from journeys_legs a
      join journeys_legs b on b.route_id = a.route_id and b.position = a.position + 1
      join journeys_routes r on r.id = a.route_id
      where ${where.join(' and ')}
      group by a.country, b.country`,
    params,
  };
}

/** Generates the legs and builds the summary tables. */
async function prepare(
  context: BenchContext,
): Promise<{ routes: number; legs: number; flows: number; hotspots: number }> {
  const { preset, seed } = context.options;
  let generated = { routes: 0, legs: 0 };
  let built = { flows: 0, hotspots: 0 };
  const db = await context.database.connect();
  try {
    const [organisation] = await db.query<{ id: string }>(
      `select id from identity_organisations where status = 'active' order by created_at, id limit 1`,
    );
    if (!organisation) throw new Error('the demo data has no active organisation');
    const legsWanted = journeyLegsByPreset[preset.name];
    context.log(`generating ${legsWanted} route legs (${preset.name} preset)`);
    const generateMs = await timeOnce(async () => {
      generated = await generateJourneys(db, { legs: legsWanted, seed, organisationId: organisation.id });
    });
    context.log(
      `  ${generated.routes} routes, ${generated.legs} legs in ${(generateMs / 1000).toFixed(1)} s`,
    );
    context.log('building the summary tables (journeys rebuild)');
    const rebuildMs = await timeOnce(async () => {
      await db.query('begin');
      try {
        built = await rebuildAggregates(txOver(db));
        await db.query('commit');
      } catch (error) {
        await db.query('rollback');
        throw error;
      }
    });
    context.log(
      `  ${built.flows} flow cells, ${built.hotspots} hotspot cells in ${(rebuildMs / 1000).toFixed(1)} s`,
    );
    context.note(
      `${generated.legs} legs in ${generated.routes} routes generated in ${(generateMs / 1000).toFixed(1)} s; ` +
        `summary tables rebuilt in ${(rebuildMs / 1000).toFixed(1)} s (${built.flows} flow and ${built.hotspots} hotspot cells)`,
    );
    // What autovacuum does within a minute of the rebuild's inserts (autovacuum_vacuum_insert_threshold), done
    // at once so the run does not depend on its timing: statistics for the planner, and the visibility map
    // that lets the publication read its cells from the covering key indexes alone (migration 0029). Both sides
    // get it: the GROUP BY baseline reads the same freshly written legs.
    await db.query('vacuum analyze journeys_routes, journeys_legs, journeys_flows, journeys_hotspots');
  } finally {
    await db.close();
  }
  return { ...generated, ...built };
}

/**
 * Waits for Cairn's publication job to publish every slice the rebuild marked (journeys.publication.ts: the
 * first run after start-up), so that it does not share the machine with the measured requests, and notes how
 * long that took. PostgreSQL only: PGlite's folder is Cairn's alone while it runs.
 */
async function awaitPublication(
  context: BenchContext,
  service: Service,
): Promise<JourneysMeasurements['responsiveness']> {
  if (context.database.kind !== 'postgresql') {
    context.note(
      'the map publication was not awaited (PGlite: the runner cannot read the database Cairn holds)',
    );
    return null;
  }
  const db = await context.database.connect();
  const probe = probeMainThread(service.baseUrl);
  try {
    context.log('waiting for the map publication (every slice the rebuild marked), probing /api/health');
    const started = performance.now();
    for (;;) {
      const [state] = await db.query<{ published: boolean; marked: number }>(
        `select exists (select 1 from journeys_publication) as published,
          (select count(*)::int from journeys_stale_slices) as marked`,
      );
      if (state?.published && state.marked === 0) break;
      if (performance.now() - started > 3_600_000) throw new Error('the map publication took over an hour');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const [counts] = await db.query<{ documents: number; megabytes: number }>(
      `select count(*)::int as documents, round(sum(octet_length(body)) / 1048576.0, 1)::float as megabytes
        from journeys_documents`,
    );
    const seconds = (performance.now() - started) / 1000;
    context.log(
      `  published in ${seconds.toFixed(1)} s: ${counts?.documents} documents, ${counts?.megabytes} MB`,
    );
    context.note(
      `map publication after the rebuild (Cairn's job, every slice): about ${seconds.toFixed(0)} s (polled ` +
        `each second), ${counts?.documents} documents, ${counts?.megabytes} MB gzipped`,
    );
    const during = await probe.stop();
    context.log(
      `  /api/health while publishing: ${during.length} probes, p99 ${percentile(during, 99).toFixed(1)} ms`,
    );
    context.log(`probing /api/health with nothing to publish (${idleProbeSeconds} s)`);
    const idleProbe = probeMainThread(service.baseUrl);
    await new Promise((resolve) => setTimeout(resolve, idleProbeSeconds * 1000));
    const idle = await idleProbe.stop();
    context.note(
      `journeys_publication_health: GET /api/health (it asks the database too) one at a time every ` +
        `${probeIntervalMs} ms while Cairn published (${during.length} probes), against the same probe for ` +
        `${idleProbeSeconds} s after, with nothing to publish (${idle.length} probes)`,
    );
    return { during, idle };
  } finally {
    await probe.stop();
    await db.close();
  }
}

/** The main thread's probe: one request at a time, this long apart. */
const probeIntervalMs = 250;
/** How long the probe runs after the publication, as the baseline. */
const idleProbeSeconds = 10;

/**
 * Probes Cairn's main thread while it publishes: `GET /api/health`, one at a time, `probeIntervalMs` apart,
 * each timed to its whole answer (a failure counts as its time to fail). A publication that held the main
 * thread would show here as the longest probes. `stop` ends it and gives the times, at least one.
 */
export function probeMainThread(baseUrl: string): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let stopped = false;
  const running = (async () => {
    do {
      times.push(
        await timeOnce(() =>
          fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(60_000) })
            .then((response) => response.arrayBuffer())
            .catch(() => undefined),
        ),
      );
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, probeIntervalMs));
    } while (!stopped);
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      return times;
    },
  };
}

/**
 * The published answers, as the member map asks for them (gzip accepted, as every browser does): the periods
 * the publication offers; 30 answers as a plain GROUP BY over the legs, then, after a warm-up on 500 others,
 * by Cairn one by one; then 2,000 different answers at 20 connections.
 */
async function measurePublished(
  context: BenchContext,
  service: Service,
  cookie: string,
  places: readonly string[],
): Promise<JourneysMeasurements['published']> {
  const { seed } = context.options;
  const headers = { cookie, 'accept-encoding': 'gzip' };
  const world = await fetch(`${service.baseUrl}/api/journeys/map/world`, { headers: { cookie } });
  const { periods } = (await world.json()) as { periods: PublishedPeriod[] };
  if (periods.length === 0) throw new Error('the publication offers no period');
  const sample = publishedFilters(
    createRng(deriveSeed(seed, 'published-sample')),
    sequentialFilters,
    places,
    periods,
  );
  const paths = publishedFilters(
    createRng(deriveSeed(seed, 'published-load')),
    loadFilters,
    places,
    periods,
  ).map(publishedPath);
  context.log(
    `plain GROUP BY over the legs: the ${sample.length} published questions one by one (1 discarded)`,
  );
  const groupBy = await timeGroupBy(context, sample.map(asMapFilter));
  context.log(`  median ${median(groupBy).toFixed(1)} ms`);
  // One by one after a warm-up on other answers, as the GROUP BY ran on a database its own first query had
  // warmed: a fresh server's first requests also pay for V8's first compilations.
  const warmup = publishedFilters(createRng(deriveSeed(seed, 'published-warmup')), 500, places, periods);
  context.log(`  warm-up over ${warmup.length} other answers (${context.options.warmupSeconds} s)`);
  await runLoad({
    url: service.baseUrl,
    paths: warmup.map(publishedPath),
    headers,
    connections: mapConnections,
    durationSeconds: context.options.warmupSeconds,
    cleanup: context.cleanup,
  });
  context.log(`Cairn's published answers: the same ${sample.length} one by one (1 discarded)`);
  await timeSequentially(service.baseUrl, [publishedPath(sample[0]!)], headers);
  const sequential = await timeSequentially(service.baseUrl, sample.map(publishedPath), headers);
  context.log(`  median ${median(sequential.latencies).toFixed(1)} ms`);
  context.log(`Cairn's published answers over ${paths.length} questions at ${mapConnections} connections`);
  const load = await measure(context, service, paths[0]!, {
    paths,
    headers,
    connections: mapConnections,
    warmupSeconds: context.options.warmupSeconds,
  });
  context.note(
    `journeys_published_c20: ${paths.length} different published answers (a period the publication offers — ` +
      `${periods.length} of them — and often a type, a band or an area) cycled over ${mapConnections} ` +
      `connections as the demo member, gzip accepted; an area's answer is what it adds to the world's, which ` +
      `the browser keeps. The sequential rows and their GROUP BY use the same ${sample.length} questions.`,
  );
  return { groupBy, sequential: sequential.latencies, sequentialFailures: sequential.failures, load };
}

/** Calls each path once, in turn; every answer must be a 200. */
async function timeSequentially(baseUrl: string, paths: string[], headers: Record<string, string>) {
  const latencies: number[] = [];
  let failures = 0;
  for (const path of paths) {
    latencies.push(
      await timeOnce(async () => {
        const response = await fetch(baseUrl + path, {
          headers,
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        if (response.status !== 200) failures += 1;
      }),
    );
  }
  return { latencies, failures };
}

/** What the suite measured. */
export interface JourneysMeasurements {
  legs: number;
  routes: number;
  /** The published answers (journeys.answers.ts), and the GROUP BY over the legs for the same questions. */
  published: {
    groupBy: number[];
    sequential: number[];
    sequentialFailures: number;
    load: LoadResult;
  };
  /**
   * `/api/health` probed while Cairn published the map, and for a while after with nothing to publish; null
   * where the publication is not awaited (PGlite).
   */
  responsiveness: { during: number[]; idle: number[] } | null;
}

/** The suite's rows. */
export function journeysRows(m: JourneysMeasurements): ResultRow[] {
  return [
    makeRow('journeys_route_legs', m.legs, 'legs'),
    makeRow('journeys_routes', m.routes, 'routes'),
    makeRow('journeys_published_group_by_median_ms', median(m.published.groupBy), 'ms'),
    makeRow('journeys_published_group_by_p99_ms', percentile(m.published.groupBy, 99), 'ms'),
    makeRow('journeys_published_sequential_median_ms', median(m.published.sequential), 'ms', {
      baseline: median(m.published.groupBy),
    }),
    makeRow('journeys_published_sequential_p99_ms', percentile(m.published.sequential, 99), 'ms'),
    makeRow(
      'journeys_published_vs_group_by_speedup',
      median(m.published.groupBy) / median(m.published.sequential),
      'x',
      { target: vsGroupByTarget },
    ),
    makeRow('journeys_published_failed_sequential_requests', m.published.sequentialFailures, 'requests', {
      target: '== 0',
    }),
    ...loadRows('journeys_published_c20', m.published.load, {
      targets: { p50: mapP50Target, p99: mapP99Target },
    }),
    ...(m.responsiveness ? responsivenessRows(m.responsiveness) : []),
  ];
}

/** The main thread's answers during the publication, each against the same probe with nothing to publish. */
function responsivenessRows({ during, idle }: { during: number[]; idle: number[] }): ResultRow[] {
  return [
    makeRow('journeys_publication_health_probes', during.length, 'requests'),
    makeRow('journeys_publication_health_median_ms', median(during), 'ms', { baseline: median(idle) }),
    makeRow('journeys_publication_health_p99_ms', percentile(during, 99), 'ms', {
      baseline: percentile(idle, 99),
    }),
    makeRow('journeys_publication_health_max_ms', Math.max(...during), 'ms', { baseline: Math.max(...idle) }),
  ];
}

export const journeysSuite: Suite = {
  name: 'journeys',
  description: 'the member map’s published answers over the preset’s route legs, vs a GROUP BY over the legs',
  async run(context: BenchContext) {
    // Cairn migrates its database and loads the demo (the member who signs in, its organisation).
    {
      const { service } = await startCairn(context, { demoData: true });
      await service.stop();
    }
    const places = benchPlaces();
    const prepared = await prepare(context);

    const { service } = await startCairn(context, { demoData: true });
    try {
      const responsiveness = await awaitPublication(context, service);
      const cookie = `${sessionCookie}=${await signInOrThrow(service)}`;
      const published = await measurePublished(context, service, cookie, places);
      return journeysRows({ legs: prepared.legs, routes: prepared.routes, published, responsiveness });
    } finally {
      await service.stop();
    }
  },
};
