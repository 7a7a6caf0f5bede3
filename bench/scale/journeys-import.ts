import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { placeById } from '../../server/modules/directory/index.js';
import { continentOfCountry } from '../../server/modules/journeys/journeys.import.countries.js';
import {
  checkRow,
  proposeMapping,
  type ImportField,
} from '../../server/modules/journeys/journeys.import.rows.js';
import { journeyCountries } from './journeys.js';
import type { PresetName } from './presets.js';
import { createRng, deriveSeed, type Rng } from './prng.js';

/**
 * A synthetic route spreadsheet for the `journeys-import` benchmark (issue 7, "Ways in": a file of 1M rows
 * imported in ≤ 90 s with bounded memory), in the **Victim Journey Tracker** layout (`layout=tracker`).
 *
 * Why the tracker layout: it is the one that carries routes (places of origin, transit and exploitation, people
 * counts, periods), and it fits the upload limit — `maxCsvBytes` is 96 MiB = 100,663,296 bytes, so a file of
 * 1,000,000 rows may average at most ~100.6 bytes a row, header included. The cells below are written the
 * compact ways the importer documents and spreadsheets use: a city as `Name (CC)`, a country by its English
 * name or alpha-3 code, several values separated by `;`. A CTDC file would be smaller still (~30 bytes a row)
 * but holds one person and two countries a row, without places or counts: it measures less of the importer.
 *
 * Every row is valid: the places and country names are taken only when the importer's own row check
 * (`checkRow`) resolves them to the intended country, and the other cells come from the importer's vocabularies.
 * The file is written in chunks as it is generated (never whole in memory), LF line ends, UTF-8, no BOM; the
 * same seed and row count give byte-identical files (on the same gazetteer and ICU country names).
 */

/** Rows of the imported file by preset: a quick run, and the figure. */
export const journeyImportRowsByPreset: Record<PresetName, number> = { small: 20_000, large: 1_000_000 };

/** The Victim Journey Tracker's columns, as its export names them (the importer recognises each header). */
export const trackerImportHeader = [
  'Origin',
  'Intended destination',
  'Transit points',
  'Place of exploitation',
  'Industry',
  'Exploitation type',
  'Estimated number of cases',
  'Period',
  'Gender',
  'Age',
  'Nationality',
] as const;

/** Cities routes run through and end in, most often (a field team writes these far more than villages). */
const hubs: Record<string, readonly string[]> = {
  VN: ['Hanoi', 'Ho Chi Minh City', 'Lao Cai', 'Hai Phong'],
  TH: ['Bangkok', 'Pattaya', 'Chiang Mai', 'Mae Sot'],
  KH: ['Phnom Penh', 'Poipet', 'Siem Reap'],
  LA: ['Vientiane', 'Savannakhet'],
  MM: ['Yangon', 'Mandalay', 'Myawaddy'],
  CN: ['Shanghai', 'Guangzhou', 'Shenzhen', 'Nanning', 'Kunming'],
  MY: ['Kuala Lumpur', 'Johor Bahru', 'Penang', 'Kota Kinabalu'],
  ID: ['Jakarta', 'Batam', 'Surabaya', 'Medan'],
  PH: ['Manila', 'Cebu City', 'Zamboanga'],
  IN: ['Delhi', 'Mumbai', 'Kolkata', 'Chennai'],
  NP: ['Kathmandu', 'Birgunj', 'Pokhara'],
  BD: ['Dhaka', 'Chittagong', 'Khulna'],
  PK: ['Karachi', 'Lahore', 'Islamabad'],
  QA: ['Doha', 'Al Wakrah', 'Lusail'],
  AE: ['Dubai', 'Abu Dhabi', 'Sharjah'],
  SA: ['Riyadh', 'Jeddah', 'Dammam'],
  KW: ['Kuwait City', 'Hawalli'],
  OM: ['Muscat', 'Sohar'],
  NG: ['Lagos', 'Benin City', 'Abuja', 'Kano'],
  GH: ['Accra', 'Kumasi'],
  KE: ['Nairobi', 'Mombasa', 'Kisumu'],
  ET: ['Addis Ababa', 'Dire Dawa'],
  UG: ['Kampala', 'Gulu'],
  LY: ['Tripoli', 'Benghazi', 'Sabha'],
  IT: ['Rome', 'Milan', 'Naples', 'Palermo'],
  ES: ['Madrid', 'Barcelona', 'Almería'],
  FR: ['Paris', 'Marseille', 'Lyon', 'Calais'],
  DE: ['Berlin', 'Hamburg', 'Munich', 'Frankfurt am Main'],
  GB: ['London', 'Manchester', 'Birmingham'],
  NL: ['Amsterdam', 'Rotterdam'],
  PL: ['Warsaw', 'Kraków'],
  RO: ['Bucharest', 'Iaşi'],
  UA: ['Kyiv', 'Odesa', 'Kharkiv'],
  RU: ['Moscow', 'Saint Petersburg'],
  TR: ['Istanbul', 'Ankara', 'Izmir'],
  MX: ['Mexico City', 'Tijuana', 'Tapachula', 'Ciudad Juárez'],
  US: ['Houston', 'Los Angeles', 'New York City', 'Miami', 'Atlanta'],
  GT: ['Guatemala City', 'Tecún Umán'],
  HN: ['Tegucigalpa', 'San Pedro Sula'],
  SV: ['San Salvador'],
  CO: ['Bogotá', 'Medellín', 'Cali'],
  VE: ['Caracas', 'Maracaibo'],
  BR: ['São Paulo', 'Rio de Janeiro', 'Manaus'],
  AR: ['Buenos Aires', 'Córdoba'],
  PE: ['Lima', 'Cusco'],
  AU: ['Sydney', 'Melbourne', 'Perth'],
  JP: ['Tokyo', 'Osaka'],
  KR: ['Seoul', 'Busan', 'Incheon'],
};

/** Country spellings spreadsheets use besides ICU's English name (each kept only if the importer reads it). */
const fieldCountryNames: Record<string, readonly string[]> = {
  VN: ['Vietnam'],
  MM: ['Myanmar'],
  LA: ['Laos'],
  TR: ['Turkey'],
  US: ['USA'],
  GB: ['UK'],
  KR: ['South Korea'],
  RU: ['Russia'],
};

/** Other gazetteer places per country (villages and towns), spread over the country's list. */
const otherPlacesPerCountry = 12;
/** Gazetteer names longer than this (UTF-8 bytes) are left out: the file must stay under the upload limit. */
const maxPlaceNameBytes = 16;

/** What a country can be written as in a cell, each form checked against the importer. */
export interface CountryForms {
  code: string;
  /** The country alone: English names and the alpha-3 code. */
  names: string[];
  /** An English name for the `City, Country` form (the first of `names`). */
  englishName: string;
  /** City names (without the country), hubs first. */
  hubs: string[];
  others: string[];
}

/** The row check the importer applies, on a one-place row: the place's country, or null when refused. */
const placeMapping: (ImportField | null)[] = [
  'origin',
  'exploitation',
  'exploitationType',
  'people',
  'period',
];
function importedCountry(cell: string): { country: string; city: boolean } | null {
  const { route } = checkRow('tracker', 2, [cell, cell, 'Forced labour', '1', '2020'], placeMapping);
  if (!route) return null;
  return { country: route.origin.country, city: route.origin.placeId !== undefined };
}

/** ISO alpha-3 codes of the benchmark's countries (checked against the importer's table). */
const alpha3: Record<string, string> = {
  VN: 'VNM', TH: 'THA', KH: 'KHM', LA: 'LAO', MM: 'MMR', CN: 'CHN', MY: 'MYS', ID: 'IDN', PH: 'PHL', IN: 'IND',
  NP: 'NPL', BD: 'BGD', PK: 'PAK', QA: 'QAT', AE: 'ARE', SA: 'SAU', KW: 'KWT', OM: 'OMN', NG: 'NGA', GH: 'GHA',
  KE: 'KEN', ET: 'ETH', UG: 'UGA', LY: 'LBY', IT: 'ITA', ES: 'ESP', FR: 'FRA', DE: 'DEU', GB: 'GBR', NL: 'NLD',
  PL: 'POL', RO: 'ROU', UA: 'UKR', RU: 'RUS', TR: 'TUR', MX: 'MEX', US: 'USA', GT: 'GTM', HN: 'HND', SV: 'SLV',
  CO: 'COL', VE: 'VEN', BR: 'BRA', AR: 'ARG', PE: 'PER', AU: 'AUS', JP: 'JPN', KR: 'KOR',
}; // prettier-ignore

/** A name safe in an unquoted cell and in the importer's `Name (CC)` form: letters, spaces, `'`, `.`, `-`. */
const safeName = /^\p{L}[\p{L}\p{M} '.-]*$/u;
const fitsCell = (name: string) =>
  safeName.test(name) && Buffer.byteLength(name) <= maxPlaceNameBytes && !/\s{2}/.test(name);

let formsCache: CountryForms[] | null = null;

/**
 * The benchmark's countries with every spelling and city the importer resolves to them. Built once from the
 * gazetteer (one pass over its ~171,000 places) and checked cell by cell with the importer's row check; a
 * spelling the importer would refuse, or read as another country, is left out.
 */
export function importCountryForms(): CountryForms[] {
  if (formsCache) return formsCache;
  const wanted = new Set(journeyCountries);
  const byCountry = new Map<string, string[]>();
  for (let id = 0; ; id++) {
    const place = placeById(id);
    if (!place) break;
    if (!wanted.has(place.country) || !fitsCell(place.name)) continue;
    const names = byCountry.get(place.country) ?? [];
    names.push(place.name);
    byCountry.set(place.country, names);
  }
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  const isCountry = (cell: string, code: string) => {
    const found = importedCountry(cell);
    return found !== null && found.country === code && !found.city;
  };
  const isCity = (name: string, code: string) => {
    const found = importedCountry(`${name} (${code})`);
    return found !== null && found.country === code && found.city;
  };
  formsCache = journeyCountries.map((code) => {
    const english = [...(fieldCountryNames[code] ?? []), display.of(code) ?? '']
      .filter((name) => name !== '' && safeName.test(name) && isCountry(name, code))
      .filter((name, index, all) => all.indexOf(name) === index);
    const three = alpha3[code];
    const names = [...new Set([...english, ...(three && isCountry(three, code) ? [three] : [])])];
    const hubNames = (hubs[code] ?? []).filter((name) => isCity(name, code));
    const candidates = [...new Set(byCountry.get(code) ?? [])].filter((name) => !hubNames.includes(name));
    const others: string[] = [];
    // Evenly spread over the country's places (the gazetteer lists them by region, not by size), with room for
    // names the importer reads otherwise (the same name earlier in the country, a name that is a country).
    const tries = otherPlacesPerCountry * 4;
    for (let k = 0; k < tries && others.length < otherPlacesPerCountry; k++) {
      const name = candidates[Math.floor(((k + 0.5) * candidates.length) / tries)];
      if (name !== undefined && !others.includes(name) && isCity(name, code)) others.push(name);
    }
    if (english.length === 0 || names.length === 0)
      throw new Error(`the importer reads no English name of ${code}: the benchmark's country list is stale`);
    return { code, names, englishName: english[0]!, hubs: hubNames, others };
  });
  return formsCache;
}

/** Exploitation types as the tracker writes them, with how often (weights). */
const exploitationWords: readonly [string, number][] = [
  ['Forced labour', 40],
  ['Sexual exploitation', 24],
  ['Domestic servitude', 9],
  ['Forced criminality', 6],
  ['Forced begging', 4],
  ['Child labour', 5],
  ['Forced marriage', 4],
  ['Organ removal', 1],
  ['Other', 3],
  ['ForcedLabour', 3],
  ['SexualExploitation', 1],
];
/** Industries as the tracker writes them (empty in a quarter of the rows). */
const industryWords: readonly [string, number][] = [
  ['Construction', 18],
  ['Agriculture', 14],
  ['Fishing', 10],
  ['Domestic work', 14],
  ['Hospitality', 12],
  ['Manufacturing', 12],
  ['Entertainment', 8],
  ['Mining', 4],
  ['Retail', 4],
  ['Transport', 4],
];

function weighted(table: readonly [string, number][]): (rng: Rng) => string {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  return (rng) => {
    let draw = rng.float() * total;
    for (const [value, weight] of table) {
      draw -= weight;
      if (draw < 0) return value;
    }
    return table[table.length - 1]![0];
  };
}
const exploitationOf = weighted(exploitationWords);
const industryOf = weighted(industryWords);
const genderOf = weighted([
  ['female', 38],
  ['male', 34],
  ['mixed', 14],
  ['F', 2],
  ['M', 2],
  ['', 10],
]);
const ageOf = weighted([
  ['adult', 62],
  ['minor', 16],
  ['mixed', 10],
  ['', 12],
]);

/** Earliest and latest year of the generated periods (none in the future). */
export const importYears = { from: 2015, to: 2025 } as const;

/** A CSV cell: quoted when it holds a comma or quote (the `City, Country` form). */
const cell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * The generator of the file's data rows for a seed: each call gives the next line, without its line end.
 * A row is one group of people on one route: an origin, sometimes an intended destination, zero to three
 * transit points, one or two places of exploitation, the type(s), an industry, a count, a period and bands.
 */
export function trackerRowSource(seed: number): () => string {
  const rng = createRng(deriveSeed(seed, 'journeys-import'));
  const forms = importCountryForms();
  // Popular countries far more often (a squared uniform draw), like real flows.
  const popular = () => forms[Math.floor(rng.float() ** 2 * forms.length)]!;
  const city = (c: CountryForms, hubShare: number) =>
    c.hubs.length > 0 && (c.others.length === 0 || rng.chance(hubShare))
      ? rng.pick(c.hubs)
      : rng.pick(c.others);
  /** A place in country `c`: a city (`Name (CC)`, sometimes `Name, Country`) or the country alone. */
  const place = (c: CountryForms, cityShare: number, hubShare: number) => {
    if (!rng.chance(cityShare) || (c.hubs.length === 0 && c.others.length === 0)) return rng.pick(c.names);
    const name = city(c, hubShare);
    return rng.chance(0.1) ? `${name}, ${c.englishName}` : `${name} (${c.code})`;
  };
  return () => {
    const from = popular();
    let to = popular();
    // Most routes cross a border; some stay in the country (internal trafficking).
    if (to === from && rng.chance(0.6)) to = popular();
    const origin = place(from, 0.65, 0.35);
    const destination = rng.chance(0.3) ? place(rng.chance(0.85) ? to : popular(), 0.5, 0.9) : '';
    const stops = rng.chance(0.5) ? 0 : rng.chance(0.65) ? 1 : rng.chance(0.8) ? 2 : 3;
    const transits: string[] = [];
    for (let i = 0; i < stops; i++) {
      const c = popular();
      transits.push(rng.chance(0.6) ? `${city(c, 0.7)} (${c.code})` : rng.pick(c.names));
    }
    const exploitation = [place(to, 0.7, 0.75)];
    if (rng.chance(0.08)) exploitation.push(place(rng.chance(0.5) ? to : popular(), 0.7, 0.75));
    const types = [exploitationOf(rng)];
    if (rng.chance(0.15)) {
      const second = exploitationOf(rng);
      if (second !== types[0]) types.push(second);
    }
    const industry = rng.chance(0.75) ? industryOf(rng) : '';
    // Mostly one to a few people; now and then a large group (a raid, a factory).
    const people = rng.chance(0.02) ? rng.int(100, 2_000) : 1 + Math.floor(rng.float() ** 3 * 40);
    const year = rng.int(importYears.from, importYears.to);
    const period = rng.chance(0.45) ? `${year}-Q${rng.int(1, 4)}` : String(year);
    // The nationality as the origin's alpha-3 code, sometimes only its continent band, sometimes not known.
    const nationality = rng.chance(0.8)
      ? (alpha3[from.code] ?? '')
      : rng.chance(0.5)
        ? continentOfCountry(from.code)
        : '';
    return [
      cell(origin),
      cell(destination),
      cell(transits.join(';')),
      cell(exploitation.join(';')),
      industry,
      types.join(';'),
      String(people),
      period,
      genderOf(rng),
      ageOf(rng),
      nationality,
    ].join(',');
  };
}

/** The file's text in chunks of about `chunkBytes`, header first; never more than one chunk at a time. */
export function* trackerImportChunks(seed: number, rows: number, chunkBytes = 256 * 1024): Generator<string> {
  const next = trackerRowSource(seed);
  let chunk = `${trackerImportHeader.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${next()}\n`;
    if (chunk.length >= chunkBytes) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** What was written. */
export interface ImportFile {
  path: string;
  rows: number;
  bytes: number;
}

/** Writes the file for a seed to `path` as it is generated (streamed, with back-pressure). */
export async function writeTrackerImportFile(path: string, seed: number, rows: number): Promise<ImportFile> {
  let bytes = 0;
  const counted = function* () {
    for (const chunk of trackerImportChunks(seed, rows)) {
      const buffer = Buffer.from(chunk, 'utf8');
      bytes += buffer.length;
      yield buffer;
    }
  };
  await pipeline(Readable.from(counted()), createWriteStream(path));
  return { path, rows, bytes };
}

/** The importer's mapping of the header: every column recognised (a test keeps this true). */
export const trackerImportMapping = () => proposeMapping('tracker', [...trackerImportHeader]);
