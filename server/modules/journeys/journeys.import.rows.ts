import { recruitmentMethods } from '../cases/index.js';
import { exploitationTypes, industries, placeById, regionsOf } from '../directory/index.js';
import {
  continentOfCountry,
  countryOf as countryOfText,
  foldName,
  unknownMarkers,
} from './journeys.import.countries.js';
import type { PlaceInput, RouteInput } from './journeys.schemas.js';
import {
  ageBands,
  earliestYear,
  maxPeoplePerRoute,
  genderBands,
  maxExploitationPlaces,
  maxTransitPoints,
  nationalityBands,
  type AgeBand,
  type GenderBand,
  type NationalityBand,
} from './journeys.vocabulary.js';

/**
 * Checking one row of a route spreadsheet (issue 7, "Ways in"): pure, so the dry run and the commit take the
 * very same decision on every row. Two layouts:
 *
 * - `tracker`: the Victim Journey Tracker's columns — origin, intended destination, transit points, place(s) of
 *   exploitation (a place is "Doha, Qatar", "Doha (QA)", a region, or only a country), industry, exploitation
 *   type(s), estimated number of cases, period, and bands. Several values in one cell are separated by `;`.
 * - `ctdc`: IOM CTDC's files (the synthetic v2024/v2025 data: alpha-3 codes, yes = `1`, no = empty; the older
 *   k-anonymised file: alpha-2 codes, `0`/`1`, `-99` or `00` = unknown). One row is one person, so a route of
 *   one person from the country of citizenship (CTDC has no place of origin; citizenship is its proxy, as in
 *   CTDC's own flow charts) to the country of exploitation. CTDC has no transit country.
 *
 * `-99` (and `00` in a country column) means unknown: it is taken as `unknown` where a band allows it and is a
 * problem where the route needs the value. Every problem has a stable code (`journeys.import_*`) localised in
 * the report; parameters quote at most 60 characters of a cell.
 */

export const importLayouts = ['tracker', 'ctdc'] as const;
export type ImportLayout = (typeof importLayouts)[number];

export const trackerFields = [
  'origin',
  'originCountry',
  'destination',
  'destinationCountry',
  'transit',
  'exploitation',
  'exploitationCountry',
  'exploitationType',
  'industry',
  'recruitmentMethod',
  'people',
  'year',
  'quarter',
  'period',
  'gender',
  'age',
  'nationality',
] as const;

const ctdcFlagTypes = {
  isForcedLabour: ['ForcedLabour'],
  isSexualExploit: ['SexualExploitation'],
  isSexAndLabour: ['ForcedLabour', 'SexualExploitation'],
  isForcedMarriage: ['ForcedMarriage'],
  isForcedMilitary: ['ForcedMilitaryByNonStateActors'],
  isOrganRemoval: ['OrganRemoval'],
  isOtherExploit: ['Other'],
  isSlaveryAndPractices: ['Servitude'],
  typeOfSexProstitution: ['SexualExploitation'],
  typeOfSexPornography: ['SexualExploitation'],
  typeOfSexRemoteInteractiveServices: ['SexualExploitation'],
  typeOfSexPrivateSexualServices: ['SexualExploitation'],
  typeOfLabourBegging: ['ForcedBegging'],
  typeOfLabourIllicitActivities: ['ForcedCriminality'],
} as const satisfies Record<string, readonly (typeof exploitationTypes)[number][]>;

/** CTDC's labour sectors as the ISIC sections HTCDS codes (schema file's `htcds_v2_mapping`). */
const ctdcSectors = {
  typeOfLabourAgriculture: 'A_AgricultureForestryAndFishing',
  typeOfLabourAquafarming: 'A_AgricultureForestryAndFishing',
  typeOfLabourConstruction: 'F_Construction',
  typeOfLabourDomesticWork: 'T_ActivitiesOfHouseholdsAsEmployers',
  typeOfLabourHospitality: 'I_AccommodationAndFoodServiceActivities',
  typeOfLabourManufacturing: 'C_Manufacturing',
  typeOfLabourMiningOrDrilling: 'B_MiningAndQuarrying',
  typeOfLabourTransportation: 'H_TransportationAndStorage',
  typeOfLabourPeddling: 'G_WholesaleAndRetailTradeRepairOfMotorVehicles',
} as const satisfies Record<string, (typeof industries)[number]>;

export const ctdcFields = [
  'yearOfRegistration',
  'gender',
  'ageBroad',
  'citizenship',
  'CountryOfExploitation',
  'typeOfExploitConcatenated',
  ...(Object.keys(ctdcFlagTypes) as (keyof typeof ctdcFlagTypes)[]),
  ...(Object.keys(ctdcSectors) as (keyof typeof ctdcSectors)[]),
] as const;

export type ImportField = (typeof trackerFields)[number] | (typeof ctdcFields)[number];
export const fieldsOf = (layout: ImportLayout): readonly ImportField[] =>
  layout === 'tracker' ? trackerFields : ctdcFields;

/** Columns a file must map, per layout. */
export const requiredFields: Record<ImportLayout, readonly ImportField[]> = {
  tracker: ['origin', 'exploitation', 'exploitationType', 'people'],
  ctdc: ['yearOfRegistration', 'citizenship', 'CountryOfExploitation'],
};

/** One problem of a row (row 1 is the header), before it is put into the reader's language. */
export interface ImportIssue {
  row: number;
  column: string | null;
  code: string;
  params?: Record<string, string | number>;
}

/** Header names (folded) that propose each tracker field; English, then common Spanish and French ones. */
const trackerHeaders: Record<(typeof trackerFields)[number], string[]> = {
  origin: ['origin', 'placeoforigin', 'originplace', 'origincity', 'from', 'origen', 'lugardeorigen'],
  originCountry: ['origincountry', 'countryoforigin', 'sourcecountry', 'paisdeorigen', 'paysdorigine'],
  destination: ['intendeddestination', 'destination', 'promiseddestination', 'destinoprevisto', 'destino'],
  destinationCountry: ['intendeddestinationcountry', 'destinationcountry', 'countryofintendeddestination'],
  transit: ['transitpoints', 'transitpoint', 'transit', 'transitplaces', 'transitcountries', 'transito'],
  exploitation: [
    'placeofexploitation',
    'placesofexploitation',
    'exploitationplace',
    'locationofexploitation',
    'exploitationlocation',
    'lugardeexplotacion',
    'lieudexploitation',
  ],
  exploitationCountry: ['countryofexploitation', 'exploitationcountry', 'paisdeexplotacion'],
  exploitationType: [
    'exploitationtype',
    'exploitationtypes',
    'typeofexploitation',
    'typesofexploitation',
    'formofexploitation',
    'tipodeexplotacion',
  ],
  industry: ['industry', 'industries', 'sector', 'isic', 'industria'],
  recruitmentMethod: ['recruitmentmethod', 'methodofrecruitment', 'recruitment', 'reclutamiento'],
  people: [
    'estimatednumberofcases',
    'numberofcases',
    'estimatedcases',
    'cases',
    'people',
    'numberofpeople',
    'estimatednumberofpeople',
    'numberofvictims',
    'victims',
    'casos',
  ],
  year: ['year', 'ano', 'annee'],
  quarter: ['quarter', 'trimestre'],
  period: ['period', 'date', 'periodo', 'periode'],
  gender: ['gender', 'sex', 'genderband', 'genero', 'sexe'],
  age: ['age', 'agegroup', 'ageband', 'edad'],
  nationality: [
    'nationality',
    'nationalities',
    'citizenship',
    'nationalityband',
    'nacionalidad',
    'nationalite',
  ],
};

/** Proposes a field for each header of a file in this layout (each field once, the first column wins). */
export function proposeMapping(layout: ImportLayout, headers: readonly string[]): (ImportField | null)[] {
  const byHeader = new Map<string, ImportField>();
  if (layout === 'tracker') {
    for (const field of trackerFields) for (const name of trackerHeaders[field]) byHeader.set(name, field);
  } else {
    for (const field of ctdcFields) byHeader.set(foldName(field), field);
  }
  const taken = new Set<ImportField>();
  return headers.map((header) => {
    const field = byHeader.get(foldName(header));
    if (!field || taken.has(field)) return null;
    taken.add(field);
    return field;
  });
}

/**
 * Reads `mapping` (one entry per column, comma-separated; empty = ignore the column) for a layout, or null when
 * it names an unknown field or a field twice.
 */
export function parseMapping(layout: ImportLayout, text: string): (ImportField | null)[] | null {
  const fields = fieldsOf(layout) as readonly string[];
  const seen = new Set<string>();
  const mapping: (ImportField | null)[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') mapping.push(null);
    else if (!fields.includes(entry) || seen.has(entry)) return null;
    else {
      seen.add(entry);
      mapping.push(entry as ImportField);
    }
  }
  return mapping;
}

/** Problems of the mapping itself (reported on row 1): a required column is missing. */
export function mappingIssues(layout: ImportLayout, mapping: readonly (ImportField | null)[]): ImportIssue[] {
  return requiredFields[layout]
    .filter((field) => !mapping.includes(field))
    .map((field) => ({ row: 1, column: field, code: 'journeys.import_missing_column', params: { field } }));
}

/**
 * Remembers the answers of a look-up by the exact text asked: a file repeats its places and codes on many rows.
 * Bounded, so a file of a million different junk values cannot grow it without end.
 */
function remembered<T>(lookup: (text: string) => T, limit = 50_000): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    const known = answers.get(text);
    if (known !== undefined || answers.has(text)) return known as T;
    if (answers.size >= limit) answers.clear();
    const answer = lookup(text);
    answers.set(text, answer);
    return answer;
  };
}

// --- places -------------------------------------------------------------------------------------------------

let cityIndex: Map<string, number[]> | null = null;

/** Gazetteer ids by folded name, built once from the directory's gazetteer (exact-name look-ups in O(1)). */
function citiesNamed(name: string): number[] {
  if (!cityIndex) {
    cityIndex = new Map();
    for (let id = 0; ; id++) {
      const place = placeById(id);
      if (!place) break;
      const key = foldName(place.name);
      const ids = cityIndex.get(key);
      if (ids) ids.push(id);
      else cityIndex.set(key, [id]);
    }
  }
  return cityIndex.get(foldName(name)) ?? [];
}

const regionIndex = new Map<string, Map<string, string>>();

/** A first-level region of a country by its (folded) name or code. */
function regionNamed(country: string, name: string): string | null {
  let regions = regionIndex.get(country);
  if (!regions) {
    regions = new Map();
    for (const region of regionsOf(country)) {
      regions.set(foldName(region.name), region.code);
      regions.set(foldName(region.code), region.code);
    }
    regionIndex.set(country, regions);
  }
  return regions.get(foldName(name)) ?? null;
}

type PlaceResult = { place: PlaceInput } | { code: string; params: Record<string, string | number> };

/** Quotes a cell in a report: at most 60 characters. */
const quote = (value: string) => (value.length > 60 ? `${value.slice(0, 59)}…` : value);

/**
 * A place as a cell writes it: "City, Country", "City (CC)", a region name with its country, or a country. A
 * name without a country is taken only when the gazetteer knows it in one country ("Doha": Qatar or India?).
 */
const resolvePlace = (() => {
  const answers = remembered((key: string) => {
    const bar = key.indexOf('|');
    return findPlace(key.slice(bar + 1), bar > 0 ? key.slice(0, bar) : null);
  });
  return (text: string, countryHint: string | null) => answers(`${countryHint ?? ''}|${text}`);
})();

function findPlace(text: string, countryHint: string | null): PlaceResult {
  let name = text.trim();
  let country: string | null = null;
  const bracket = /^(.*?)\s*\(([^()]+)\)$/.exec(name);
  const comma = name.lastIndexOf(',');
  if (bracket && countryOf(bracket[2]!)) {
    name = bracket[1]!.trim();
    country = countryOf(bracket[2]!);
  } else if (comma > 0 && countryOf(name.slice(comma + 1))) {
    country = countryOf(name.slice(comma + 1));
    name = name.slice(0, comma).trim();
  } else if (countryOf(name)) {
    return { place: { country: countryOf(name) as PlaceInput['country'] } };
  }
  if (unknownMarkers.has(name)) return { code: 'journeys.import_unknown_marker', params: { value: name } };
  country ??= countryHint;
  const cities = citiesNamed(name);
  if (country) {
    const id = cities.find((city) => placeById(city)!.country === country);
    if (id !== undefined) return { place: { placeId: id, country: country as PlaceInput['country'] } };
    const region = regionNamed(country, name);
    if (region) return { place: { country: country as PlaceInput['country'], region } };
    return { code: 'journeys.import_unknown_place', params: { value: quote(text.trim()) } };
  }
  const countries = [...new Set(cities.map((id) => placeById(id)!.country))];
  if (countries.length === 1)
    return { place: { placeId: cities[0]!, country: countries[0] as PlaceInput['country'] } };
  if (countries.length > 1)
    return {
      code: 'journeys.import_ambiguous_place',
      params: { value: quote(text.trim()), countries: countries.slice(0, 5).join(', ') },
    };
  return { code: 'journeys.import_unknown_place', params: { value: quote(text.trim()) } };
}

const countryOf = remembered(countryOfText, 10_000);

// --- vocabularies -------------------------------------------------------------------------------------------

/** A vocabulary by folded code and by folded words people write for it. */
function vocabulary<T extends string>(
  codes: readonly T[],
  words: Record<string, T>,
): (text: string) => T | null {
  const map = new Map<string, T>();
  for (const code of codes) {
    map.set(foldName(code), code);
    // `A_AgricultureForestryAndFishing` is also `A` and `AgricultureForestryAndFishing`.
    const section = /^([A-Z])_(.+)$/.exec(code);
    if (section) {
      map.set(foldName(section[1]!), code);
      map.set(foldName(section[2]!), code);
    }
  }
  for (const [word, code] of Object.entries(words)) map.set(foldName(word), code);
  return remembered((text) => map.get(foldName(text)) ?? null, 10_000);
}

const exploitationTypeOf = vocabulary(exploitationTypes, {
  'forced labour': 'ForcedLabour',
  'forced labor': 'ForcedLabour',
  'labour trafficking': 'ForcedLabour',
  'labor trafficking': 'ForcedLabour',
  'labour exploitation': 'ForcedLabour',
  'sexual exploitation': 'SexualExploitation',
  'sex trafficking': 'SexualExploitation',
  prostitution: 'SexualExploitation',
  'child labour': 'ChildLabour',
  'child labor': 'ChildLabour',
  'forced marriage': 'ForcedMarriage',
  'domestic servitude': 'Servitude',
  slavery: 'Servitude',
  'slavery and similar practices': 'Servitude',
  'forced military': 'ForcedMilitaryByNonStateActors',
  'organ removal': 'OrganRemoval',
  'forced begging': 'ForcedBegging',
  begging: 'ForcedBegging',
  'forced criminality': 'ForcedCriminality',
  'forced criminal activities': 'ForcedCriminality',
  'illicit activities': 'ForcedCriminality',
  'forced adoption': 'ForcedAdoption',
  other: 'Other',
  'other exploitation': 'Other',
});

const industryOf = vocabulary(industries, {
  agriculture: 'A_AgricultureForestryAndFishing',
  fishing: 'A_AgricultureForestryAndFishing',
  aquafarming: 'A_AgricultureForestryAndFishing',
  mining: 'B_MiningAndQuarrying',
  manufacturing: 'C_Manufacturing',
  construction: 'F_Construction',
  retail: 'G_WholesaleAndRetailTradeRepairOfMotorVehicles',
  transport: 'H_TransportationAndStorage',
  transportation: 'H_TransportationAndStorage',
  hospitality: 'I_AccommodationAndFoodServiceActivities',
  'domestic work': 'T_ActivitiesOfHouseholdsAsEmployers',
  entertainment: 'R_ArtsEntertainmentAndRecreation',
});

const recruitmentOf = vocabulary(recruitmentMethods, {});

const genderOf = vocabulary(genderBands, {
  woman: 'female',
  women: 'female',
  feminine: 'female',
  f: 'female',
  girl: 'female',
  man: 'male',
  men: 'male',
  masculine: 'male',
  m: 'male',
  boy: 'male',
  'trans/transgender/nonconforming': 'other',
  transgender: 'other',
  nonconforming: 'other',
  'non-binary': 'other',
  both: 'mixed',
});

const ageOf = vocabulary(ageBands, {
  child: 'minor',
  children: 'minor',
  'under 18': 'minor',
  '0--8': 'minor',
  '9--17': 'minor',
  '09--17': 'minor',
  '0-17': 'minor',
  adults: 'adult',
  '18+': 'adult',
  '18--20': 'adult',
  '21--23': 'adult',
  '24--26': 'adult',
  '27--29': 'adult',
  '30--38': 'adult',
  '39--47': 'adult',
  '48+': 'adult',
  both: 'mixed',
});

const bandOf = vocabulary(nationalityBands, {});

// --- rows ---------------------------------------------------------------------------------------------------

/** What one row gave: the route (as the form would give it) or the reasons it cannot be one. */
export interface CheckedRow {
  route: RouteInput | null;
  issues: ImportIssue[];
}

/** A cell a spreadsheet would run as a formula is a problem, not data (the directory import's rule). */
const looksLikeFormula = (value: string) =>
  /^[=@]/.test(value) || (/^[+-]/.test(value) && /[(!]/.test(value));

/** Splits a multi-value cell on `;` (and `|` or line breaks); empty parts are dropped. */
const splitValues = (value: string) =>
  value
    .split(/[;|\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** A period cell: `2021`, `2021-Q3`, `Q3 2021`, `2021 Q3`, or a date (`2021-07-15`: its year and quarter). */
function periodOf(text: string): { year: number; quarter?: number } | null {
  const value = text.trim();
  let match = /^(\d{4})$/.exec(value);
  if (match) return { year: Number(match[1]) };
  match = /^(\d{4})\s*[-/ ]?\s*Q([1-4])$/i.exec(value) ?? null;
  if (match) return { year: Number(match[1]), quarter: Number(match[2]) };
  match = /^Q([1-4])\s*[-/ ]?\s*(\d{4})$/i.exec(value);
  if (match) return { year: Number(match[2]), quarter: Number(match[1]) };
  match = /^(\d{4})-(\d{2})(-\d{2})?$/.exec(value);
  if (match && Number(match[2]) >= 1 && Number(match[2]) <= 12)
    return { year: Number(match[1]), quarter: Math.floor((Number(match[2]) - 1) / 3) + 1 };
  return null;
}

/** Checks one data row (`row` is its line number in the file, the header being 1). */
export function checkRow(
  layout: ImportLayout,
  row: number,
  cells: readonly string[],
  mapping: readonly (ImportField | null)[],
): CheckedRow {
  const issues: ImportIssue[] = [];
  const problem = (column: string, code: string, params?: Record<string, string | number>) =>
    issues.push({ row, column, code: `journeys.${code}`, ...(params ? { params } : {}) });
  const value: Partial<Record<ImportField, string>> = {};
  mapping.forEach((field, index) => {
    const cell = cells[index] ?? '';
    if (!field || cell === '') return;
    if (looksLikeFormula(cell)) problem(field, 'import_formula');
    else value[field] = cell;
  });
  const route = layout === 'tracker' ? trackerRoute(value, problem) : ctdcRoute(value, problem);
  if (route)
    checkPeriod(
      route,
      layout === 'tracker' ? (value.period ? 'period' : 'year') : 'yearOfRegistration',
      problem,
    );
  if (issues.length > 0 || !route) return { route: null, issues };
  return { route, issues };
}

/**
 * The form's rules on the period (routeInputSchema): not before the earliest year, not in the future. The rows
 * are built from the form's vocabularies and the gazetteer, so the other rules hold by construction; a test
 * puts every route an import accepts through routeInputSchema. (The schema itself costs more per row than the
 * whole check, which a file of a million rows cannot afford twice.)
 */
function checkPeriod(route: RouteInput, column: string, problem: Problem, now = new Date()): void {
  const year = now.getUTCFullYear();
  const quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  if (route.year < earliestYear) problem(column, 'import_period_too_early', { minimum: earliestYear });
  else if (
    route.year > year ||
    (route.year === year && route.quarter !== undefined && route.quarter > quarter)
  )
    problem(column, 'import_period_in_future');
}

type Problem = (column: string, code: string, params?: Record<string, string | number>) => void;
type Values = Partial<Record<ImportField, string>>;

/** A one-value cell: `;` in it is a problem (it would be read as several values). */
function single(values: Values, field: ImportField, problem: Problem): string | undefined {
  const text = values[field];
  if (text === undefined) return undefined;
  if (splitValues(text).length > 1) {
    problem(field, 'import_single_value', { value: quote(text) });
    return undefined;
  }
  return text;
}

function countryHint(values: Values, field: ImportField, problem: Problem): string | null {
  const text = single(values, field, problem);
  if (text === undefined) return null;
  const country = countryOf(text);
  if (!country)
    problem(field, unknownMarkers.has(text) ? 'import_unknown_marker' : 'import_bad_country', {
      value: quote(text),
    });
  return country;
}

function trackerRoute(values: Values, problem: Problem): RouteInput | null {
  const place = (field: ImportField, text: string, hint: string | null): PlaceInput | null => {
    const result = resolvePlace(text, hint);
    if ('place' in result) return result.place;
    problem(field, result.code.slice('journeys.'.length), result.params);
    return null;
  };
  const places = (field: ImportField, hint: string | null, maximum: number) => {
    const parts = splitValues(values[field] ?? '');
    if (parts.length > maximum) problem(field, 'import_too_many_values', { maximum });
    return parts.map((part) => place(field, part, hint)).filter((p): p is PlaceInput => p !== null);
  };

  const originText = single(values, 'origin', problem);
  const originHint = countryHint(values, 'originCountry', problem);
  const destinationText = single(values, 'destination', problem);
  const destinationHint = countryHint(values, 'destinationCountry', problem);
  const exploitationHint = countryHint(values, 'exploitationCountry', problem);
  if (originText === undefined && values.origin === undefined) {
    if (originHint === null) problem('origin', 'import_required');
  }
  const origin =
    originText !== undefined
      ? place('origin', originText, originHint)
      : originHint
        ? ({ country: originHint } as PlaceInput)
        : null;
  const destination =
    destinationText !== undefined
      ? place('destination', destinationText, destinationHint)
      : destinationHint
        ? ({ country: destinationHint } as PlaceInput)
        : undefined;
  const transits = places('transit', null, maxTransitPoints);
  let exploitation = places('exploitation', exploitationHint, maxExploitationPlaces);
  if (values.exploitation === undefined) {
    if (exploitationHint) exploitation = [{ country: exploitationHint } as PlaceInput];
    else problem('exploitation', 'import_required');
  }

  const types: RouteInput['exploitationTypes'] = [];
  if (values.exploitationType === undefined) problem('exploitationType', 'import_required');
  for (const part of splitValues(values.exploitationType ?? '')) {
    const code = exploitationTypeOf(part);
    if (!code)
      problem(
        'exploitationType',
        unknownMarkers.has(part) ? 'import_unknown_marker' : 'import_unknown_value',
        { value: quote(part) },
      );
    else if (!types.includes(code)) types.push(code);
  }

  const code = <T extends string>(field: ImportField, lookup: (text: string) => T | null): T | undefined => {
    const text = single(values, field, problem);
    if (text === undefined || unknownMarkers.has(text)) return undefined;
    const found = lookup(text);
    if (!found) problem(field, 'import_unknown_value', { value: quote(text) });
    return found ?? undefined;
  };
  const industry = code('industry', industryOf);
  const recruitmentMethod = code('recruitmentMethod', recruitmentOf);

  let people: number | undefined;
  const peopleText = single(values, 'people', problem);
  if (values.people === undefined) problem('people', 'import_required');
  else if (peopleText !== undefined) {
    if (unknownMarkers.has(peopleText)) problem('people', 'import_unknown_marker', { value: peopleText });
    else if (!/^\d{1,9}$/.test(peopleText))
      problem('people', 'import_bad_number', { value: quote(peopleText) });
    else if (Number(peopleText) < 1 || Number(peopleText) > maxPeoplePerRoute)
      problem('people', 'import_people_range', { minimum: 1, maximum: maxPeoplePerRoute });
    else people = Number(peopleText);
  }

  let period: { year: number; quarter?: number } | null = null;
  const periodText = single(values, 'period', problem);
  const yearText = single(values, 'year', problem);
  const quarterText = single(values, 'quarter', problem);
  if (periodText !== undefined) {
    period = periodOf(periodText);
    if (!period) problem('period', 'import_bad_period', { value: quote(periodText) });
  } else if (yearText !== undefined) {
    period = periodOf(yearText);
    if (!period || period.quarter) {
      problem('year', 'import_bad_period', { value: quote(yearText) });
      period = null;
    } else if (quarterText !== undefined) {
      const quarter = /^Q?([1-4])$/i.exec(quarterText);
      if (!quarter) problem('quarter', 'import_bad_period', { value: quote(quarterText) });
      else period.quarter = Number(quarter[1]);
    }
  } else if (values.period === undefined && values.year === undefined) problem('period', 'import_required');

  const gender = bandFrom(values, 'gender', genderOf, problem) as GenderBand;
  const age = bandFrom(values, 'age', ageOf, problem) as AgeBand;
  const nationality = nationalityFrom(values, 'nationality', problem);

  if (!origin || !period || people === undefined || types.length === 0) return null;
  return {
    origin,
    ...(destination ? { destination } : {}),
    transits: withCrossings(origin, transits),
    exploitation: withCrossings(transits.at(-1) ?? origin, exploitation),
    year: period.year,
    ...(period.quarter ? { quarter: period.quarter } : {}),
    exploitationTypes: types,
    ...(industry ? { industry } : {}),
    ...(recruitmentMethod ? { recruitmentMethod } : {}),
    people,
    genderBand: gender,
    ageBand: age,
    nationalityBand: nationality,
  };
}

/** Stops with a border crossing wherever the country changes from the stop before. */
function withCrossings(before: PlaceInput, stops: PlaceInput[]) {
  let previous = before.country;
  return stops.map((stop) => {
    const crossing = stop.country !== previous;
    previous = stop.country;
    return { ...stop, borderCrossing: crossing };
  });
}

/** A band from one or several values: several different ones make `mixed`; empty or `-99` is `unknown`. */
function bandFrom(
  values: Values,
  field: ImportField,
  lookup: (text: string) => string | null,
  problem: Problem,
): string {
  const found = new Set<string>();
  for (const part of splitValues(values[field] ?? '')) {
    if (unknownMarkers.has(part)) continue;
    const band = lookup(part);
    if (!band) problem(field, 'import_unknown_value', { value: quote(part) });
    else found.add(band);
  }
  if (found.size === 0) return 'unknown';
  return found.size === 1 ? [...found][0]! : 'mixed';
}

/** Nationality: a band, or countries (their continent; several continents make `mixed`). */
function nationalityFrom(values: Values, field: ImportField, problem: Problem): NationalityBand {
  return bandFrom(
    values,
    field,
    (text) => bandOf(text) ?? (countryOf(text) ? continentOfCountry(countryOf(text)!) : null),
    problem,
  ) as NationalityBand;
}

/** A CTDC yes/no cell: `1` yes; empty or `0` no; `-99` unknown (not yes); anything else is a problem. */
function flag(values: Values, field: ImportField, problem: Problem): boolean {
  const text = values[field];
  if (text === undefined || text === '0' || unknownMarkers.has(text)) return false;
  if (text === '1' || /^(true|yes)$/i.test(text)) return true;
  problem(field, 'import_bad_flag', { value: quote(text) });
  return false;
}

function ctdcRoute(values: Values, report: Problem): RouteInput | null {
  let reported = 0;
  const problem: Problem = (...args) => {
    reported += 1;
    report(...args);
  };
  const country = (field: ImportField): string | null => {
    const text = single(values, field, problem);
    if (values[field] === undefined) {
      problem(field, 'import_required');
      return null;
    }
    if (text === undefined) return null;
    if (unknownMarkers.has(text)) {
      problem(field, 'import_unknown_marker', { value: text });
      return null;
    }
    const code = countryOf(text);
    if (!code) problem(field, 'import_bad_country', { value: quote(text) });
    return code;
  };
  const origin = country('citizenship');
  const exploitation = country('CountryOfExploitation');

  let year: number | null = null;
  const yearText = single(values, 'yearOfRegistration', problem);
  if (values.yearOfRegistration === undefined) problem('yearOfRegistration', 'import_required');
  else if (yearText !== undefined) {
    if (unknownMarkers.has(yearText))
      problem('yearOfRegistration', 'import_unknown_marker', { value: yearText });
    else if (!/^\d{4}$/.test(yearText))
      problem('yearOfRegistration', 'import_bad_period', { value: quote(yearText) });
    else year = Number(yearText);
  }

  const types = new Set<RouteInput['exploitationTypes'][number]>();
  for (const [field, codes] of Object.entries(ctdcFlagTypes))
    if (flag(values, field as ImportField, problem)) for (const code of codes) types.add(code);
  for (const part of splitValues(values.typeOfExploitConcatenated ?? '')) {
    if (unknownMarkers.has(part)) continue;
    const code = exploitationTypeOf(part);
    if (!code) problem('typeOfExploitConcatenated', 'import_unknown_value', { value: quote(part) });
    else types.add(code);
  }
  // "Other" stands for a type the file does not name; with a named one beside it, it adds nothing.
  if (types.size > 1) types.delete('Other');
  // Said only when nothing else is wrong with the row: a bad yes/no cell already explains a missing type.
  if (types.size === 0 && reported === 0) problem('isForcedLabour', 'import_no_exploitation_type');

  // A route has one industry: several labour sectors on one row leave it unstated rather than pick one.
  const sectors = new Set<NonNullable<RouteInput['industry']>>();
  for (const [field, code] of Object.entries(ctdcSectors))
    if (flag(values, field as ImportField, problem)) sectors.add(code);

  const gender = bandFrom(values, 'gender', genderOf, problem) as GenderBand;
  const age = bandFrom(values, 'ageBroad', ageOf, problem) as AgeBand;
  const nationality = origin ? continentOfCountry(origin) : 'unknown';

  if (!origin || !exploitation || year === null || types.size === 0) return null;
  return {
    origin: { country: origin as PlaceInput['country'] },
    transits: [],
    exploitation: [
      { country: exploitation as PlaceInput['country'], borderCrossing: exploitation !== origin },
    ],
    year,
    exploitationTypes: [...types],
    ...(sectors.size === 1 ? { industry: [...sectors][0] } : {}),
    people: 1,
    genderBand: gender,
    ageBand: age,
    nationalityBand: nationality,
  };
}
