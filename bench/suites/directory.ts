import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { startCairn } from '../lib/cairn.js';
import type { BenchContext, Suite } from '../lib/context.js';
import { fillDatabase } from '../lib/fill.js';
import { runLoad } from '../lib/load.js';
import type { LoadResult } from '../lib/load.js';
import { loadRows, measure } from '../lib/measure.js';
import { makeRow } from '../lib/results.js';
import type { ResultRow } from '../lib/results.js';
import type { Service } from '../lib/service.js';
import { median, percentile, timeOnce } from '../lib/timing.js';
import { countrySpecs } from '../../server/modules/directory/directory.synthetic.text.js';
import { createRng, deriveSeed } from '../scale/prng.js';
import type { Rng } from '../scale/prng.js';
import { measureIndexedQuery } from './baseline.js';
import { signInOrThrow } from './identity.js';

/**
 * The directory's budgets (issue 4): a faceted search with text and two filters keeps at least 40 % of the
 * one-indexed-query baseline's throughput with p99 ≤ 100 ms at 50 connections, and the map's counts answer
 * in ≤ 20 ms median.
 */
export const searchVsIndexedTarget = '>= 0.4';
export const searchP99Target = '<= 100';
export const mapMedianTarget = '<= 20';

/**
 * What members type, by the service they filter on and the language they search in (the words their
 * country's organisations write), plus a few names and typos.
 */
const termsByService: Record<string, Record<string, readonly string[]>> = {
  legal_aid: {
    en: ['legal', 'legal aid', 'lawyers'],
    fr: ['juridique', 'avocats'],
    es: ['jurídica', 'abogados'],
    pt: ['jurídica', 'advogados'],
    sw: ['kisheria'],
    id: ['bantuan hukum'],
    vi: ['pháp lý'],
  },
  shelter: {
    en: ['shelter', 'safe homes'],
    fr: ['hébergement', 'maisons d’accueil'],
    es: ['albergue', 'casas de acogida'],
    pt: ['acolhimento'],
    sw: ['makazi salama', 'nyumba salama'],
    id: ['rumah aman'],
    vi: ['tạm lánh'],
  },
  psychosocial: {
    en: ['psychosocial', 'counselling'],
    fr: ['psychosociaux', 'écoute'],
    es: ['psicosocial'],
    pt: ['psicossocial'],
    sw: ['kisaikolojia'],
    id: ['psikososial'],
    vi: ['tâm lý'],
  },
  victim_identification: {
    en: ['victim identification', 'police'],
    fr: ['identification des victimes', 'brigade'],
    es: ['identificación de víctimas'],
    pt: ['identificação de vítimas'],
    sw: ['waathirika'],
    id: ['identifikasi korban'],
    vi: ['nhận diện nạn nhân'],
  },
  reintegration: {
    en: ['reintegration', 'vocational training'],
    fr: ['réinsertion', 'formation professionnelle'],
    es: ['reintegración', 'formación profesional'],
    pt: ['reintegração'],
    sw: ['mafunzo ya ufundi'],
    id: ['reintegrasi'],
    vi: ['tái hòa nhập'],
  },
  hotline: {
    en: ['helpline', 'hotline'],
    fr: ['ligne d’écoute'],
    es: ['línea de ayuda'],
    pt: ['linha de apoio'],
    sw: ['simu ya msaada'],
    id: ['pengaduan'],
    vi: ['đường dây nóng'],
  },
  medical: {
    en: ['medical', 'health'],
    fr: ['soins médicaux', 'santé'],
    es: ['atención médica', 'salud'],
    pt: ['saúde'],
    sw: ['matibabu'],
    id: ['layanan medis'],
    vi: ['y tế'],
  },
  case_management: {
    en: ['survivors', 'support'],
    fr: ['accompagnement'],
    es: ['sobrevivientes'],
    pt: ['sobreviventes'],
    sw: ['manusura'],
    id: ['penyintas'],
    vi: ['người sống sót'],
  },
  outreach: {
    en: ['outreach', 'community'],
    fr: ['proximité'],
    es: ['trabajo de calle'],
    pt: ['busca ativa'],
    sw: ['hatarini'],
    id: ['penjangkauan'],
    vi: ['cộng đồng'],
  },
  training_for_professionals: {
    en: ['training', 'prevention'],
    fr: ['prévention', 'formations'],
    es: ['capacitación', 'prevención'],
    pt: ['capacitação', 'prevenção'],
    sw: ['mafunzo'],
    id: ['pelatihan', 'pencegahan'],
    vi: ['tập huấn'],
  },
};
/** Names people remember (in part), and typos the trigram match forgives. */
const otherTerms = [
  'hope',
  'dignity',
  'esperanza',
  'foundation',
  'fondation',
  'leagl aid',
  'sheltr',
  'helpine',
];
const services = Object.keys(termsByService);
const countryWeight = countrySpecs.reduce((sum, c) => sum + c.weight, 0);

function weightedCountry(rng: Rng): (typeof countrySpecs)[number] {
  let roll = rng.float() * countryWeight;
  for (const country of countrySpecs) {
    roll -= country.weight;
    if (roll < 0) return country;
  }
  return countrySpecs[0]!;
}

/**
 * `count` searches with text and two filters (a country, weighted like the data, and a service) as members type
 * them, mostly in a language the country's organisations write:
 * `/api/directory/search?q=legal&country=TH&service=legal_aid`. Searches repeat, as members' do: keeping only
 * different ones asked about the busiest countries a third as often as their share of the data (each country has
 * only so many different searches), and so made the average search cheaper.
 */
export function searchPaths(rng: Rng, count: number): string[] {
  const paths: string[] = [];
  while (paths.length < count) {
    const service = rng.pick(services);
    const country = weightedCountry(rng);
    const terms = termsByService[service]!;
    const written = country.written.filter((language) => terms[language]);
    const language = written.length > 0 && rng.chance(0.7) ? rng.pick(written) : 'en';
    const q = rng.chance(0.9) ? rng.pick(terms[language]!) : rng.pick(otherTerms);
    const query = new URLSearchParams({ q, country: country.code, service });
    paths.push(`/api/directory/search?${query.toString()}`);
  }
  return paths;
}

export const mapPath = '/api/directory/map?service=shelter';

/**
 * How many searches each run cycles through, drawn like the data (so some repeat). Cairn keeps no answer; it keeps
 * the facet counts of results of 2,000 organisations or more, which a search with a country, a service and text
 * hardly ever has.
 */
const measuredSearches = 20_000;
/** Searches timed one by one first: whether they find something, and which is slowest. */
const sampleSearches = 100;
/** How many searches the "popular" run repeats: few enough that every one is asked many times. */
const popularSearches = 100;
const mapWarmups = 20;
const mapCalls = 200;

interface SequentialTiming {
  latencies: number[];
  slowest: { path: string; ms: number };
  withResults: number;
  failures: number;
}

/** Calls each path once, one after another, timing each and counting answers with at least one result. */
async function timeSequentially(
  service: Service,
  paths: string[],
  cookie: string,
): Promise<SequentialTiming> {
  const latencies: number[] = [];
  let slowest = { path: '', ms: -1 };
  let withResults = 0;
  let failures = 0;
  for (const path of paths) {
    let total = 0;
    let ok = false;
    const ms = await timeOnce(async () => {
      const response = await fetch(service.baseUrl + path, {
        headers: { cookie },
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { total?: number };
      ok = response.status === 200;
      total = body.total ?? 0;
    });
    if (!ok) failures += 1;
    latencies.push(ms);
    if (total > 0) withResults += 1;
    if (ms > slowest.ms) slowest = { path, ms };
  }
  return { latencies, slowest, withResults, failures };
}

/** What the suite measured, for its rows. */
export interface DirectoryMeasurements {
  indexed: LoadResult;
  search: LoadResult;
  popular: LoadResult;
  sample: SequentialTiming;
  map: SequentialTiming;
  organisations: number;
}

/** The suite's rows: the baseline, the search under load (vs the baseline), the sample, the map. */
export function directoryRows(m: DirectoryMeasurements): ResultRow[] {
  return [
    ...loadRows('indexed_query', m.indexed),
    ...loadRows('directory_search', m.search, { baseline: m.indexed, targets: { p99: searchP99Target } }),
    makeRow(
      'directory_search_vs_indexed_query_ratio',
      m.search.requestsPerSecond / m.indexed.requestsPerSecond,
      'x',
      { target: searchVsIndexedTarget },
    ),
    ...loadRows('directory_search_popular', m.popular, { baseline: m.indexed }),
    makeRow(
      'directory_search_popular_vs_indexed_query_ratio',
      m.popular.requestsPerSecond / m.indexed.requestsPerSecond,
      'x',
    ),
    makeRow('directory_search_sequential_p50_ms', median(m.sample.latencies), 'ms'),
    makeRow('directory_search_sequential_max_ms', Math.max(...m.sample.latencies), 'ms'),
    // A search that finds nothing is cheap: most of the measured ones must find something.
    makeRow('directory_search_with_results_share', m.sample.withResults / m.sample.latencies.length, 'x', {
      target: '>= 0.5',
    }),
    makeRow('directory_map_median_ms', median(m.map.latencies), 'ms', { target: mapMedianTarget }),
    makeRow('directory_map_p99_ms', percentile(m.map.latencies, 99), 'ms'),
    makeRow('directory_failed_sequential_requests', m.sample.failures + m.map.failures, 'requests', {
      target: '== 0',
    }),
    makeRow('directory_organisations_searched', m.organisations, 'organisations'),
  ];
}

export const directorySuite: Suite = {
  name: 'directory',
  description: 'faceted search (text + two filters) and map counts over the preset’s organisations',
  async run(context: BenchContext) {
    const { preset, seed } = context.options;
    context.log(`generating bench_items (${preset.name} preset)`);
    await fillDatabase(context, ['bench_items']);
    const indexed = await measureIndexedQuery(context);

    // Cairn migrates its database and loads the demo (the member who signs in, a thousand organisations);
    // the preset's organisations go in once it has stopped.
    {
      const { service } = await startCairn(context, { demoData: true });
      await service.stop();
    }
    context.log(`generating directory_organisations (${preset.directoryOrganisations})`);
    await fillDatabase(context, ['directory_organisations']);

    const { service } = await startCairn(context, { demoData: true });
    try {
      const cookie = `${sessionCookie}=${await signInOrThrow(service)}`;
      const rng = createRng(deriveSeed(seed, 'directory-searches'));
      const paths = searchPaths(rng, measuredSearches);
      const warmupPaths = searchPaths(createRng(deriveSeed(seed, 'directory-warmup')), 2_000);

      const everything = await fetch(`${service.baseUrl}/api/directory/search?pageSize=1`, {
        headers: { cookie },
      });
      if (everything.status !== 200) {
        throw new Error(
          `GET /api/directory/search answered ${everything.status}: ${await everything.text()}`,
        );
      }
      const organisations = ((await everything.json()) as { total: number }).total;
      context.log(`  ${organisations} organisations searchable by a member`);

      context.log(`Cairn GET /api/directory/search: ${sampleSearches} searches one by one`);
      const samplePaths = searchPaths(createRng(deriveSeed(seed, 'directory-sample')), sampleSearches);
      const sample = await timeSequentially(service, samplePaths, cookie);
      context.log(
        `  ${sample.withResults} found something; slowest ${sample.slowest.ms.toFixed(1)} ms: ${sample.slowest.path}`,
      );
      context.note(`slowest of ${sampleSearches} sequential searches: ${sample.slowest.path}`);

      // The warm-up uses other searches than the measurement, so no measured answer was computed before.
      context.log(`  warm-up over ${warmupPaths.length} other searches (${context.options.warmupSeconds} s)`);
      await runLoad({
        url: service.baseUrl,
        paths: warmupPaths,
        headers: { cookie },
        connections: context.options.connections,
        durationSeconds: context.options.warmupSeconds,
        cleanup: context.cleanup,
      });
      const different = new Set(paths).size;
      context.log(
        `Cairn GET /api/directory/search over ${paths.length} searches (${different} different), as a member`,
      );
      const search = await measure(context, service, paths[0]!, {
        paths,
        headers: { cookie },
        warmupSeconds: 0,
      });

      // The same few searches over and over: what Cairn's caches (facet counts of large results) make of popular ones.
      const popularPaths = searchPaths(createRng(deriveSeed(seed, 'directory-popular')), popularSearches);
      context.log(
        `Cairn GET /api/directory/search over ${popularPaths.length} popular searches, as a member`,
      );
      const popular = await measure(context, service, popularPaths[0]!, {
        paths: popularPaths,
        headers: { cookie },
      });

      context.log(`Cairn GET ${mapPath}: ${mapWarmups} discarded, then ${mapCalls} one by one`);
      await timeSequentially(service, Array<string>(mapWarmups).fill(mapPath), cookie);
      const map = await timeSequentially(service, Array<string>(mapCalls).fill(mapPath), cookie);
      context.log(`  median ${median(map.latencies).toFixed(1)} ms`);
      context.note(
        `directory_search: ${paths.length} searches (${different} different) with text, a country and a service, as a signed-in ` +
          `member, cycled over ${context.options.connections} connections (warm-up and the sequential sample on others); ` +
          `directory_search_popular: the same ${popularSearches} searches repeated (warm caches); ` +
          `directory_map: ${mapPath}, ${mapCalls} sequential calls after ${mapWarmups}`,
      );
      return directoryRows({ indexed, search, popular, sample, map, organisations });
    } finally {
      await service.stop();
    }
  },
};
