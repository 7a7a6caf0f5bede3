import type { ListedOrganisation, OrganisationType, Tier } from '../identity/index.js';
import { centreOf, distanceKm, fold, regionsOf, searchPlaces, type Place } from './directory.gazetteer.js';
import type { ProfileInput } from './directory.profiles.schemas.js';
import {
  countrySpecs,
  globalNetworks,
  inCountry,
  languagePacks,
  placedName,
  placedKinds,
  regionalNetworks,
  serviceForms,
  themes,
  type CountrySpec,
  type LanguagePack,
  type PlacedKind,
  type PopulationTheme,
  type ServiceTheme,
  type ThemedKind,
  type WorldRegion,
} from './directory.synthetic.text.js';
import type {
  ExploitationType,
  FocusArea,
  HotlineChannel,
  Industry,
  Population,
  ProfileField,
  Service,
  Visibility,
} from './directory.vocabulary.js';

/**
 * Realistic synthetic organisations for the demo and the benchmarks: deterministic (the same seed and index
 * always give the same organisation, whatever else is generated), spread over 180 countries with more
 * where anti-trafficking work concentrates, named and described in the languages of their country. Every
 * organisation is invented; its offices are on real gazetteer places; its phone numbers cannot be dialled
 * (a double zero follows the country code).
 */

/** One generated organisation: what identity lists, and the profile the directory stores. */
export interface SyntheticOrganisation {
  organisation: ListedOrganisation;
  profile: ProfileInput;
  /** How many days before "now" its profile was last updated, so some profiles are stale. */
  updatedDaysAgo: number;
}

/** A small seeded stream (splitmix32): enough for synthetic data, never for anything secret. */
interface Stream {
  float(): number;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

function mix(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function streamFor(seed: number, index: number): Stream {
  // Each organisation has its own stream, so organisation n is the same however many come before it.
  let state = mix(mix(seed ^ 0x5bd1e995) + Math.imul(index, 0x9e3779b9));
  const float = () => {
    state = (state + 0x9e3779b9) | 0;
    return mix(state) / 0x1_0000_0000;
  };
  return {
    float,
    int: (min, max) => min + Math.floor(float() * (max - min + 1)),
    chance: (probability) => float() < probability,
    pick: <T>(items: readonly T[]) => items[Math.floor(float() * items.length)] as T,
  };
}

/** Picks one key by weight. */
function weighted<K extends string>(rng: Stream, weights: Partial<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng.float() * total;
  for (const [key, w] of entries) {
    roll -= w;
    if (roll < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** Picks up to `count` distinct keys by weight. */
function weightedSet<K extends string>(rng: Stream, weights: Partial<Record<K, number>>, count: number): K[] {
  const remaining: Partial<Record<K, number>> = { ...weights };
  const chosen: K[] = [];
  while (chosen.length < count && Object.values(remaining).some((w) => (w as number) > 0)) {
    const key = weighted(rng, remaining);
    chosen.push(key);
    delete remaining[key];
  }
  return chosen;
}

const typeWeights: Record<OrganisationType, number> = {
  ngo: 52,
  faith_based: 7,
  survivor_led: 5,
  legal: 7,
  health: 4,
  law_enforcement: 6,
  central_government: 4,
  local_government: 4,
  immigration: 2,
  academic: 4,
  igo: 2,
  corporate: 3,
};

/** How organisations of each type are named: after a theme ("Hope Foundation") or a place. */
const kindsOf: Record<OrganisationType, { themed?: ThemedKind[]; placed?: PlacedKind[] }> = {
  ngo: { themed: ['foundation', 'association', 'centre', 'network', 'initiative', 'shelter', 'project'] },
  faith_based: { themed: ['mission', 'shelter', 'foundation'] },
  survivor_led: { themed: ['collective', 'network', 'association'] },
  legal: { placed: ['legal_clinic', 'lawyers'] },
  health: { placed: ['health_clinic', 'counselling'] },
  law_enforcement: { placed: ['police_unit'] },
  central_government: { placed: ['taskforce'] },
  local_government: { placed: ['welfare_office'] },
  immigration: { placed: ['migrant_centre'] },
  academic: { placed: ['institute'] },
  igo: { placed: ['partnership'] },
  corporate: { placed: ['fair_labour'] },
};

const serviceWeights: Record<OrganisationType, Partial<Record<Service, number>>> = {
  ngo: {
    shelter: 3,
    emergency_accommodation: 2,
    case_management: 3,
    psychosocial: 3,
    mental_health: 1,
    reintegration: 3,
    vocational_training: 2,
    livelihoods: 2,
    education: 2,
    family_tracing: 1,
    outreach: 3,
    hotline: 2,
    legal_aid: 2,
    medical: 1,
    financial_support: 1,
    repatriation: 1,
    interpretation: 1,
    victim_identification: 2,
    training_for_professionals: 2,
    immigration_advice: 1,
  },
  faith_based: {
    shelter: 5,
    emergency_accommodation: 4,
    psychosocial: 3,
    reintegration: 3,
    education: 2,
    livelihoods: 2,
    outreach: 2,
    case_management: 1,
  },
  survivor_led: {
    psychosocial: 4,
    reintegration: 4,
    livelihoods: 3,
    outreach: 3,
    training_for_professionals: 3,
    hotline: 2,
    case_management: 1,
  },
  legal: {
    legal_aid: 10,
    immigration_advice: 4,
    case_management: 2,
    training_for_professionals: 2,
    interpretation: 1,
    victim_identification: 1,
  },
  health: { medical: 10, mental_health: 5, psychosocial: 4, case_management: 1, outreach: 1 },
  law_enforcement: {
    victim_identification: 10,
    hotline: 4,
    training_for_professionals: 2,
    case_management: 1,
  },
  central_government: {
    training_for_professionals: 4,
    victim_identification: 3,
    hotline: 3,
    repatriation: 3,
    case_management: 2,
    shelter: 2,
    financial_support: 1,
  },
  local_government: {
    case_management: 4,
    shelter: 3,
    financial_support: 2,
    education: 2,
    reintegration: 2,
    emergency_accommodation: 1,
  },
  immigration: { immigration_advice: 6, repatriation: 4, interpretation: 3, victim_identification: 3 },
  academic: { training_for_professionals: 6, education: 3 },
  igo: {
    repatriation: 4,
    reintegration: 4,
    training_for_professionals: 4,
    case_management: 2,
    family_tracing: 2,
    emergency_accommodation: 1,
  },
  corporate: { training_for_professionals: 5, livelihoods: 3, financial_support: 2, vocational_training: 2 },
};

const serviceCounts: Record<OrganisationType, [number, number]> = {
  ngo: [2, 6],
  faith_based: [2, 5],
  survivor_led: [2, 5],
  legal: [1, 3],
  health: [1, 3],
  law_enforcement: [1, 3],
  central_government: [2, 4],
  local_government: [2, 4],
  immigration: [1, 3],
  academic: [1, 2],
  igo: [2, 4],
  corporate: [1, 2],
};

const seafaring = new Set<WorldRegion>(['mekong', 'sea', 'pacific']);
const domesticWork = new Set<WorldRegion>(['gulf', 'mena']);
const scamCompounds = new Set<WorldRegion>(['mekong', 'sea']);
const indigenous = new Set<WorldRegion>(['south_america', 'central_america', 'pacific', 'north_america']);

function populationWeights(region: WorldRegion): Partial<Record<Population, number>> {
  return {
    women: 4,
    girls: 3,
    men: 2,
    boys: 2,
    children_0_5: 0.5,
    children_6_11: 1,
    children_12_17: 2,
    young_adults_18_24: 1.5,
    lgbtqi: 1,
    migrant_workers: seafaring.has(region) || domesticWork.has(region) ? 6 : 3,
    fishers: seafaring.has(region) ? 3 : region === 'west_africa' ? 1 : 0.2,
    domestic_workers: domesticWork.has(region) ? 4 : 1,
    refugees_asylum_seekers: region === 'mena' || region === 'europe_west' ? 2 : 1,
    stateless_people: region === 'mekong' || region === 'sea' ? 1 : 0.2,
    people_with_disabilities: 0.5,
    indigenous_peoples: indigenous.has(region) ? 2 : 0.2,
    sex_workers: 0.5,
  };
}

function exploitationWeights(region: WorldRegion): Partial<Record<ExploitationType, number>> {
  const africaOrSouthAsia = ['south_asia', 'east_africa', 'west_africa'].includes(region);
  return {
    ForcedLabour: 5,
    SexualExploitation: 5,
    ChildLabour: 2,
    ForcedMarriage: africaOrSouthAsia ? 3 : 1,
    Servitude: domesticWork.has(region) ? 4 : 1.5,
    ForcedMilitaryByNonStateActors: region === 'central_africa' || region === 'east_africa' ? 1 : 0.1,
    OrganRemoval: 0.2,
    ForcedBegging: africaOrSouthAsia || region === 'europe_east' ? 2 : 0.5,
    ForcedAdoption: 0.2,
    Surrogacy: 0.2,
    ForcedCriminality: scamCompounds.has(region) ? 5 : 0.7,
    Other: 0.2,
  };
}

function industryWeights(region: WorldRegion): Partial<Record<Industry, number>> {
  return {
    A_AgricultureForestryAndFishing: seafaring.has(region) ? 6 : 4,
    B_MiningAndQuarrying: ['west_africa', 'central_africa', 'south_america'].includes(region) ? 3 : 0.5,
    C_Manufacturing: 3,
    F_Construction: domesticWork.has(region) ? 5 : 3,
    G_WholesaleAndRetailTradeRepairOfMotorVehicles: 1,
    H_TransportationAndStorage: 1,
    I_AccommodationAndFoodServiceActivities: 2,
    J_InformationAndCommunication: scamCompounds.has(region) ? 3 : 0.3,
    S_OtherServiceActivities: 1,
    T_ActivitiesOfHouseholdsAsEmployers: domesticWork.has(region) ? 5 : 1.5,
  };
}

function focusWeights(type: OrganisationType): Partial<Record<FocusArea, number>> {
  return {
    protection: type === 'academic' || type === 'corporate' ? 1 : 5,
    prevention: 4,
    partnership: 2,
    advocacy: 2,
    prosecution: type === 'law_enforcement' ? 12 : type === 'legal' ? 5 : 0.5,
    research: type === 'academic' ? 12 : 0.5,
  };
}

const themeOfService: Record<Service, ServiceTheme> = {
  shelter: 'shelter',
  emergency_accommodation: 'shelter',
  legal_aid: 'legal',
  immigration_advice: 'legal',
  medical: 'health',
  mental_health: 'health',
  psychosocial: 'health',
  reintegration: 'reintegration',
  vocational_training: 'reintegration',
  livelihoods: 'reintegration',
  education: 'reintegration',
  financial_support: 'reintegration',
  family_tracing: 'reintegration',
  repatriation: 'reintegration',
  case_management: 'outreach',
  hotline: 'outreach',
  outreach: 'outreach',
  victim_identification: 'outreach',
  interpretation: 'outreach',
  training_for_professionals: 'prevention',
};

function populationTheme(populations: readonly Population[]): PopulationTheme {
  for (const p of populations) {
    if (p === 'women' || p === 'girls') return 'women';
    if (p === 'boys' || p.startsWith('children_')) return 'children';
    if (p === 'migrant_workers') return 'migrants';
    if (p === 'fishers') return 'fishers';
    if (p === 'domestic_workers') return 'domestic';
  }
  return 'survivors';
}

const totalWeight = countrySpecs.reduce((sum, c) => sum + c.weight, 0);

/**
 * The home country of organisation `index`: every fifth organisation goes round all the countries in
 * turn (so the first thousand cover every one of them), the others follow the weights.
 */
function homeCountry(rng: Stream, index: number): CountrySpec {
  if (index % 5 === 0) return countrySpecs[(index / 5) % countrySpecs.length]!;
  let roll = rng.float() * totalWeight;
  for (const country of countrySpecs) {
    roll -= country.weight;
    if (roll < 0) return country;
  }
  return countrySpecs[countrySpecs.length - 1]!;
}

const citiesCache = new Map<string, Place[]>();

/** The country's cities, as gazetteer places (resolved once per country; unknown names are skipped). */
function citiesOf(country: CountrySpec): Place[] {
  let places = citiesCache.get(country.code);
  if (!places) {
    places = country.cities.flatMap((entry) => {
      const [city, region] = entry.split('@') as [string, string | undefined];
      const hit = searchPlaces(city, { country: country.code, limit: region ? 20 : 1 }).find(
        (place) => fold(place.name) === fold(city) && (!region || place.region === region),
      );
      return hit ? [hit] : [];
    });
    citiesCache.set(country.code, places);
  }
  return places;
}

let neighboursCache: Map<string, string[]> | null = null;

/** The three countries whose centres are nearest this one's: where an organisation also works. */
function neighboursOf(code: string): string[] {
  if (!neighboursCache) {
    const centres = countrySpecs.flatMap((c) => {
      const centre = centreOf({ country: c.code });
      return centre ? [{ code: c.code, centre }] : [];
    });
    neighboursCache = new Map(
      centres.map(({ code: from, centre }) => [
        from,
        centres
          .filter((other) => other.code !== from)
          .map((other) => ({ code: other.code, km: distanceKm(centre, other.centre) }))
          .sort((a, b) => a.km - b.km || a.code.localeCompare(b.code))
          .slice(0, 3)
          .map((other) => other.code),
      ]),
    );
  }
  return neighboursCache.get(code) ?? [];
}

const regionsCache = new Map<string, string[]>();

/** The region codes of a country (regionsOf sorts all regions by name: too slow per organisation). */
function regionsCached(country: string): string[] {
  let codes = regionsCache.get(country);
  if (!codes) {
    codes = regionsOf(country).map((r) => r.code);
    regionsCache.set(country, codes);
  }
  return codes;
}

const displayNames = new Map<string, Intl.DisplayNames>();

/** The country's name in a language ("កម្ពុជា"), for sentences in scripts gazetteer names are not in. */
function countryName(language: string, code: string): string {
  let names = displayNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' });
    displayNames.set(language, names);
  }
  return names.of(code) ?? code;
}

function packOf(language: string): LanguagePack {
  return languagePacks[language] ?? languagePacks.en!;
}

/** "in Mombasa" in languages written in Latin script, "in Kenya" in the others. */
function inPlace(language: string, country: string, city: string | undefined): string {
  const pack = packOf(language);
  const special = inCountry[language]?.[country];
  if (special) return special;
  return pack.inPlace(pack.latin && city ? city : countryName(language, country));
}

function nameIn(
  language: string,
  kind: { themed: ThemedKind; theme: (typeof themes)[number] } | { placed: PlacedKind },
  city: string,
): string | null {
  const pack = packOf(language);
  if ('themed' in kind) return pack.themed[kind.themed].replace('{t}', pack.themes[kind.theme]);
  const template = pack.placed?.[kind.placed];
  return template ? placedName(language, template, city) : null;
}

/** "MLAC" for "Mombasa Legal Aid Clinic": only for names of three or more capitalised Latin words. */
function acronymOf(name: string): string | null {
  const words = name.split(/[\s–-]+/).filter((w) => /^[A-ZÀ-Ý]/.test(w));
  return words.length >= 3 ? words.map((w) => w[0]).join('') : null;
}

/** A host name under example.org (reserved for examples), from the Latin letters of a name. */
function slugOf(name: string, index: number): string {
  const slug = fold(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug.length >= 3 ? slug : `organisation-${index}`;
}

/** A number no one answers: the country code followed by 00, which no numbering plan uses. */
function undialable(rng: Stream, country: CountrySpec): string {
  return `+${country.callingCode}00${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
}

function description(
  rng: Stream,
  founded: number,
  language: string,
  home: CountrySpec,
  city: string | undefined,
  services: readonly Service[],
  populations: readonly Population[],
) {
  const pack = packOf(language);
  const where = inPlace(language, home.code, city);
  const themesOffered = [...new Set(services.map((s) => themeOfService[s]))];
  const first = themesOffered[0] ?? 'outreach';
  const second = themesOffered[1] ?? (first === 'prevention' ? 'outreach' : 'prevention');
  const people = populationTheme(populations);
  const short = pack.short(serviceForms(pack, first).start, pack.forPopulation[people], where);
  const sentences = [...pack.sentences];
  const a = sentences.splice(rng.int(0, sentences.length - 1), 1)[0]!;
  const b = sentences.splice(rng.int(0, sentences.length - 1), 1)[0]!;
  const long = [
    pack.founded(founded, where),
    pack.offers(
      pack.withPopulation[people],
      serviceForms(pack, first).object,
      serviceForms(pack, second).object,
    ),
    a,
    b,
  ].join(' ');
  return { language, short, long };
}

const hotlineChannelWeights: Partial<Record<HotlineChannel, number>> = {
  phone: 5,
  whatsapp: 4,
  sms: 2,
  signal: 1,
  telegram: 1,
  chat: 1,
  email: 0.5,
};

const hours = ['24/7', 'Mon–Fri 08:00–17:00', 'Mon–Sat 08:00–20:00', 'Daily 07:00–22:00'] as const;

/** Generates organisation number `index` (from 0) of the synthetic directory for `seed`. */
export function syntheticOrganisation(seed: number, index: number): SyntheticOrganisation {
  const rng = streamFor(seed, index);
  const home = homeCountry(rng, index);
  const type = weighted(rng, typeWeights);
  const cities = citiesOf(home);
  const officeCount =
    cities.length === 0 ? 0 : Math.min(cities.length, Number(weighted(rng, { '1': 6, '2': 3, '3': 1 })));
  const firstCity = cities.length > 0 ? rng.int(0, cities.length - 1) : 0;
  const officePlaces = Array.from(
    { length: officeCount },
    (_, i) => cities[(firstCity + i) % cities.length]!,
  );
  const mainCity = officePlaces[0]?.name ?? home.cities[0]!.split('@')[0]!;

  // The name, in the language organisations of the country are named in, and in the local language.
  const kinds = kindsOf[type];
  const kind = kinds.themed
    ? { themed: rng.pick(kinds.themed), theme: rng.pick(themes) }
    : { placed: rng.pick(kinds.placed ?? placedKinds) };
  let name = nameIn(home.nameLanguage, kind, mainCity) ?? nameIn('en', kind, mainCity)!;
  if ('themed' in kind && packOf(home.nameLanguage).latin && rng.chance(0.35)) name = `${name} ${mainCity}`;
  const otherNames: string[] = [];
  const local = home.written[0]!;
  if (local !== home.nameLanguage) {
    const localName = nameIn(local, kind, mainCity);
    if (localName) otherNames.push(localName);
  }
  if (home.nameLanguage !== 'en' && rng.chance(0.3)) {
    const english = nameIn('en', kind, mainCity);
    if (english) otherNames.push(english);
  }
  const acronym = acronymOf(name);
  if (acronym && rng.chance(0.3)) otherNames.push(acronym);

  // What it does, for whom, where.
  const [minServices, maxServices] = serviceCounts[type];
  const services = weightedSet(rng, serviceWeights[type], rng.int(minServices, maxServices));
  // A name that promises safe homes comes with the service.
  if ('themed' in kind && kind.themed === 'shelter' && !services.includes('shelter'))
    services.unshift('shelter');
  const populations = weightedSet(rng, populationWeights(home.region), rng.int(1, 5));
  const exploitationTypes = weightedSet(rng, exploitationWeights(home.region), rng.int(1, 4));
  const industries = weightedSet(
    rng,
    industryWeights(home.region),
    type === 'corporate' ? rng.int(1, 3) : rng.int(0, 2),
  );
  const focus = weightedSet(rng, focusWeights(type), rng.int(1, 3));
  const countries = [home.code];
  const neighbours = neighboursOf(home.code);
  if (neighbours.length > 0 && rng.chance(0.25)) {
    countries.push(rng.pick(neighbours));
    if (rng.chance(0.25)) {
      const another = rng.pick(neighbours);
      if (!countries.includes(another)) countries.push(another);
    }
  }
  const regions = [...new Set(officePlaces.flatMap((p) => (p.region ? [p.region] : [])))];
  const homeRegions = regionsCached(home.code);
  if (homeRegions.length > 0 && rng.chance(0.2)) {
    const extra = rng.pick(homeRegions);
    if (!regions.includes(extra)) regions.push(extra);
  }

  const languages = home.spoken.slice(0, rng.int(1, home.spoken.length));
  if (!languages.includes('en') && rng.chance(0.75)) languages.push('en');
  const extraLanguage = rng.pick(['fr', 'es', 'pt', 'ar', 'sw', 'ru'] as const);
  if (!languages.includes(extraLanguage) && rng.chance(0.08)) languages.push(extraLanguage);

  // Descriptions: always in the country's main written language, often in its second and third.
  const written = home.written.filter((language, i) => i === 0 || rng.chance(i === 1 ? 0.6 : 0.4));
  const founded = rng.int(1985, 2022);
  const descriptions = written.map((language) =>
    description(rng, founded, language, home, mainCity, services, populations),
  );

  const namePack = packOf(home.nameLanguage);
  const labelPack = namePack.contacts ? namePack : languagePacks.en!;
  const slug = slugOf(packOf(home.nameLanguage).latin ? name : (nameIn('en', kind, mainCity) ?? name), index);
  const offices = officePlaces.map((place, i) => ({
    label: i === 0 ? labelPack.headOffice : `${labelPack.fieldOffice} ${place.name}`,
    placeId: place.id,
    street: null,
    postalCode: null,
    phone: rng.chance(0.4) ? undialable(rng, home) : null,
    isMain: i === 0,
  }));

  const hotlines = rng.chance(type === 'law_enforcement' ? 0.7 : 0.35)
    ? Array.from({ length: rng.chance(0.2) ? 2 : 1 }, () => {
        const channel = weighted(rng, hotlineChannelWeights);
        const number =
          channel === 'email'
            ? `help@${slug}.example.org`
            : channel === 'chat'
              ? `https://${slug}.example.org/chat`
              : undialable(rng, home);
        return {
          channel,
          number,
          hours: rng.pick(hours),
          languages: languages.slice(0, rng.int(1, Math.min(2, languages.length))),
        };
      })
    : [];

  const networks: string[] = [];
  if (rng.chance(0.5)) networks.push(rng.pick(regionalNetworks[home.region]));
  if (rng.chance(0.15)) {
    const global = rng.pick(globalNetworks);
    if (!networks.includes(global)) networks.push(global);
  }

  const contactLabels = labelPack.contacts!;
  const contacts = rng.chance(0.6)
    ? [
        {
          label: contactLabels[0],
          email: `intake@${slug}.example.org`,
          phone: rng.chance(0.5) ? undialable(rng, home) : null,
        },
        ...(rng.chance(0.4)
          ? [
              {
                label: rng.pick([contactLabels[1], contactLabels[2]]),
                email: `info@${slug}.example.org`,
                phone: null,
              },
            ]
          : []),
      ]
    : [];

  // Most profiles keep the defaults; some show more, some hide more (members-only, partners-only).
  const visibility: Partial<Record<ProfileField, Visibility>> = {};
  if (rng.chance(0.2)) visibility.offices = 'public';
  if (rng.chance(0.1)) visibility.hotlines = 'members';
  if (rng.chance(0.15)) visibility.contacts = 'partners';
  if (rng.chance(0.1)) visibility.networks = 'public';
  else if (rng.chance(0.05)) visibility.networks = 'partners';
  if (rng.chance(0.05)) visibility.populations = 'members';
  if (rng.chance(0.03)) visibility.descriptions = 'members';

  const shelters = services.includes('shelter') || services.includes('emergency_accommodation');
  let tier: Tier | null = null;
  if (type === 'law_enforcement') tier = rng.chance(0.6) ? 'law_enforcement_verified' : null;
  else if (shelters && rng.chance(0.15)) tier = 'verified_frontline';
  else if (rng.chance(0.3)) tier = 'verified';

  const website = rng.chance(0.7) ? `https://${slug}.example.org` : null;
  return {
    organisation: { name, type, countries, website, tier },
    profile: {
      otherNames: [...new Set(otherNames)].filter((n) => n !== name),
      descriptions,
      focus,
      services,
      populations,
      exploitationTypes,
      industries,
      // The country codes come from countrySpecs, which the tests check against ISO 3166.
      countries: countries as ProfileInput['countries'],
      regions,
      offices,
      languages,
      hotlines,
      networks,
      website,
      contacts,
      visibility,
      listed: !rng.chance(0.03),
      hideExactLocation: rng.chance(0.05),
    },
    updatedDaysAgo: rng.int(0, 540),
  };
}

/** Organisations `start` to `start + count - 1` of the synthetic directory for `seed`. */
export function syntheticOrganisations(seed: number, count: number, start = 0): SyntheticOrganisation[] {
  return Array.from({ length: count }, (_, i) => syntheticOrganisation(seed, start + i));
}
