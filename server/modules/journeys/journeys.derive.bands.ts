import type { CaseJourneyFacts, JourneyEvent } from '../cases/index.js';
import { regionName } from '../directory/index.js';
import type { RouteInput } from './journeys.schemas.js';
import {
  maxExploitationPlaces,
  maxTransitPoints,
  type AgeBand,
  type GenderBand,
  type NationalityBand,
} from './journeys.vocabulary.js';

/**
 * A route derived from a case's facts (issue 7, "from a case"), pure. SECURITY: the result is coarse by
 * construction — places are countries or admin-1 regions (never a city, never a street), the period a year and
 * a quarter (never a day), the people one, and gender, age and nationality bands; nothing else of the case.
 */

/** UN M49 continents by ISO 3166-1 alpha-2 code (Antarctica and unknown codes: `unknown`). */
const continents: Record<Exclude<NationalityBand, 'mixed' | 'unknown'>, string> = {
  africa:
    'DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU YT ' +
    'MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW IO TF',
  americas:
    'AI AG AR AW BS BB BZ BM BO BQ BV BR CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD GP GT GY HT HN JM MQ MX ' +
    'MS NI PA PY PE PR BL KN LC MF PM VC SX GS SR TT TC US UM UY VE VG VI',
  asia:
    'AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP KP OM PK PS PH ' +
    'QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE',
  europe:
    'AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE XK LV LI LT LU MT MD MC ME ' +
    'NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB',
  oceania: 'AS AU CX CC CK FJ PF GU HM KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF',
};
const continentOf = new Map<string, NationalityBand>(
  Object.entries(continents).flatMap(([band, codes]) =>
    codes.split(' ').map((code) => [code, band as NationalityBand] as const),
  ),
);

/** The continent of the survivor's first citizenship (the one recorded first), or `unknown`. */
export function nationalityBandOf(citizenships: readonly string[]): NationalityBand {
  const first = citizenships[0];
  return (first && continentOf.get(first)) || 'unknown';
}

/**
 * HTCDS `prs_Gender` to a band. Transgender women and men are counted with women and men — the larger group
 * hides them better than a band of their own would; non-conforming people go under `other`.
 */
export function genderBandOf(gender: string | null): GenderBand {
  if (gender === 'Feminine' || gender === 'TransgenderFeminine') return 'female';
  if (gender === 'Masculine' || gender === 'TransgenderMasculine') return 'male';
  if (gender === 'NonConforming') return 'other';
  return 'unknown';
}

/** Age when trafficked to a band (children are under 18). */
export function ageBandOf(age: number | null): AgeBand {
  if (age === null) return 'unknown';
  return age < 18 ? 'minor' : 'adult';
}

/** Why a case gives no route yet (a localised field code under `validation.journeys`). */
export type DeriveProblem = 'case_without_origin' | 'case_without_exploitation' | 'case_without_type';

type Place = { country: string; region?: string };

/** A country and, when the gazetteer knows it inside that country, its admin-1 region: nothing finer. */
function placeOf(event: { country: string; region: string | null }): Place {
  const region = event.region;
  return region && region.startsWith(`${event.country}.`) && regionName(region) !== null
    ? { country: event.country, region }
    : { country: event.country };
}

/** Events by date (undated ones after the dated, in the order recorded). */
function ordered(events: readonly JourneyEvent[]): JourneyEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => {
      if (a.event.date && b.event.date && a.event.date !== b.event.date)
        return a.event.date < b.event.date ? -1 : 1;
      if (a.event.date && !b.event.date) return -1;
      if (!a.event.date && b.event.date) return 1;
      return a.index - b.index;
    })
    .map(({ event }) => event);
}

const samePlace = (a: Place, b: Place) => a.country === b.country && a.region === b.region;

/**
 * The route a case describes: origin = the first recruitment event (or the victim context's recruitment
 * country), transit points = the transit events in order, places of exploitation = the exploitation events
 * (or the exploitation country); the period is the quarter of the earliest dated event (or the year the case
 * was opened). `withProfile`: the survivor's consent covers the profile section (gender, citizenship);
 * otherwise those bands are `unknown`.
 */
export function deriveRouteInput(
  facts: CaseJourneyFacts,
  withProfile: boolean,
): { input: RouteInput } | { problem: DeriveProblem } {
  const events = ordered(facts.events);
  const recruitment = events.find((event) => event.type === 'Recruitment');
  const origin: Place | null = recruitment
    ? placeOf(recruitment)
    : facts.victim.recruitmentCountry
      ? { country: facts.victim.recruitmentCountry }
      : null;
  if (!origin) return { problem: 'case_without_origin' };
  const exploitationEvents = events.filter((event) => event.type === 'Exploitation').map(placeOf);
  const exploitationPlaces: Place[] =
    exploitationEvents.length > 0
      ? exploitationEvents
      : facts.victim.exploitationCountry
        ? [{ country: facts.victim.exploitationCountry }]
        : [];
  if (exploitationPlaces.length === 0) return { problem: 'case_without_exploitation' };
  if (facts.victim.exploitationTypes.length === 0) return { problem: 'case_without_type' };

  // Consecutive repeats of one place say nothing about movement: one stop each.
  let previous = origin;
  // A place of exploitation is kept even where the survivor was recruited (internal trafficking).
  const stops = (places: Place[], max: number, keepFirst: boolean) => {
    const kept: Array<Place & { borderCrossing: boolean }> = [];
    for (const place of places) {
      if (samePlace(place, previous) && (kept.length > 0 || !keepFirst)) continue;
      kept.push({ ...place, borderCrossing: place.country !== previous.country });
      previous = place;
    }
    return kept.slice(0, max);
  };
  const transits = stops(
    events.filter((event) => event.type === 'Transit').map(placeOf),
    maxTransitPoints,
    false,
  );
  const exploitation = stops(exploitationPlaces, maxExploitationPlaces, true);

  const dated = events.map((event) => event.date).filter((date): date is string => date !== null);
  const first = dated.sort()[0];
  const period = first
    ? { year: Number(first.slice(0, 4)), quarter: Math.floor((Number(first.slice(5, 7)) - 1) / 3) + 1 }
    : { year: Number(facts.openedOn.slice(0, 4)) };
  return {
    input: {
      origin,
      transits,
      exploitation,
      ...period,
      exploitationTypes: facts.victim.exploitationTypes as RouteInput['exploitationTypes'],
      ...(facts.victim.industry ? { industry: facts.victim.industry as RouteInput['industry'] } : {}),
      ...(facts.victim.recruitmentMethods[0]
        ? { recruitmentMethod: facts.victim.recruitmentMethods[0] as RouteInput['recruitmentMethod'] }
        : {}),
      people: 1,
      genderBand: withProfile ? genderBandOf(facts.profile.gender) : 'unknown',
      ageBand: ageBandOf(facts.victim.ageWhenTrafficked),
      nationalityBand: withProfile ? nationalityBandOf(facts.profile.citizenships) : 'unknown',
    } as RouteInput,
  };
}
