import type { Ctx } from '../../kernel/context.js';
import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { searchPlaces } from '../directory/index.js';
import { demoContext } from '../identity/index.js';
import { routeInputSchema, type RouteInput } from './journeys.schemas.js';
import { contributeRoute, decideRoute } from './journeys.service.js';

/**
 * Demo routes for `npm start`, so a newcomer's journey map is not empty: invented contributions (no real
 * case's story) of the demo NGO in Kenya/Uganda and the demo research institute, made and validated through
 * the same use cases as the API, so they are counted, published and audited like any other.
 *
 * They are shaped like the patterns the field reports — recruitment in East Africa for domestic work and
 * construction in the Gulf; from Viet Nam to forced marriage in China and to scam compounds in Cambodia; from
 * Myanmar to fishing in Thailand — and spread over two years, so the timeline shows a change. Every route
 * describes at least k people in each year: a smaller one would have the disclosure control hide it and, by
 * complementary suppression, much of the rest of a map this sparse, which is right for real data and useless
 * for a first look. A route a newcomer adds below k shows that rule at work. The Mekong network contributes
 * none: its caseworker starts with an empty list, as the browser tests expect; and the demo's years stop
 * before last year, which the browser tests' routes are of.
 */

/** A place of a demo route: a gazetteer city by name, in its country. */
interface DemoPlace {
  city: string;
  country: string;
}

interface DemoStop extends DemoPlace {
  borderCrossing?: boolean;
  transport: 'road' | 'air' | 'sea';
}

interface DemoRoute {
  by: string;
  origin: DemoPlace;
  transits?: DemoStop[];
  exploitation: DemoStop;
  exploitationTypes: RouteInput['exploitationTypes'];
  industry?: RouteInput['industry'];
  genderBand: RouteInput['genderBand'];
  ageBand: RouteInput['ageBand'];
  nationalityBand: RouteInput['nationalityBand'];
  /** People per year: the years before last and two before (`yearsAgo` 2 and 3). */
  people: { yearsAgo: 2 | 3; people: number }[];
}

const tumainiWorker = 'caseworker.tumaini@demo.cairn';
const tumainiSupervisor = 'supervisor@demo.cairn';
const researcher = 'analyst@demo.cairn';
const moderator = 'moderator@demo.cairn';

const nairobi = { city: 'Nairobi', country: 'KE' };

export const demoRoutes: DemoRoute[] = [
  {
    by: tumainiWorker,
    origin: { city: 'Mombasa', country: 'KE' },
    exploitation: { city: 'Riyadh', country: 'SA', borderCrossing: true, transport: 'air' },
    exploitationTypes: ['ForcedLabour', 'Servitude'],
    industry: 'T_ActivitiesOfHouseholdsAsEmployers',
    genderBand: 'female',
    ageBand: 'adult',
    nationalityBand: 'africa',
    people: [
      { yearsAgo: 3, people: 12 },
      { yearsAgo: 2, people: 15 },
    ],
  },
  {
    by: tumainiWorker,
    origin: { city: 'Kampala', country: 'UG' },
    transits: [{ ...nairobi, borderCrossing: true, transport: 'road' }],
    exploitation: { city: 'Dubai', country: 'AE', borderCrossing: true, transport: 'air' },
    exploitationTypes: ['ForcedLabour'],
    industry: 'T_ActivitiesOfHouseholdsAsEmployers',
    genderBand: 'female',
    ageBand: 'adult',
    nationalityBand: 'africa',
    people: [
      { yearsAgo: 3, people: 11 },
      { yearsAgo: 2, people: 14 },
    ],
  },
  {
    by: tumainiSupervisor,
    origin: { city: 'Kampala', country: 'UG' },
    transits: [{ ...nairobi, borderCrossing: true, transport: 'road' }],
    // Doha in Qatar, not the village of the same name in India.
    exploitation: { city: 'Doha', country: 'QA', borderCrossing: true, transport: 'air' },
    exploitationTypes: ['ForcedLabour'],
    industry: 'F_Construction',
    genderBand: 'male',
    ageBand: 'adult',
    nationalityBand: 'africa',
    people: [
      { yearsAgo: 3, people: 13 },
      { yearsAgo: 2, people: 12 },
    ],
  },
  {
    by: researcher,
    origin: { city: 'Vinh', country: 'VN' },
    transits: [{ city: 'Lạng Sơn', country: 'VN', transport: 'road' }],
    exploitation: { city: 'Nanning', country: 'CN', borderCrossing: true, transport: 'road' },
    exploitationTypes: ['ForcedMarriage'],
    genderBand: 'female',
    ageBand: 'mixed',
    nationalityBand: 'asia',
    people: [
      { yearsAgo: 3, people: 16 },
      { yearsAgo: 2, people: 19 },
    ],
  },
  {
    by: researcher,
    origin: { city: 'Ho Chi Minh City', country: 'VN' },
    transits: [{ city: 'Phnom Penh', country: 'KH', borderCrossing: true, transport: 'road' }],
    exploitation: { city: 'Sihanoukville', country: 'KH', transport: 'road' },
    exploitationTypes: ['ForcedCriminality', 'ForcedLabour'],
    industry: 'J_InformationAndCommunication',
    genderBand: 'mixed',
    ageBand: 'adult',
    nationalityBand: 'asia',
    people: [
      { yearsAgo: 3, people: 11 },
      { yearsAgo: 2, people: 27 },
    ],
  },
  {
    by: researcher,
    origin: { city: 'Yangon', country: 'MM' },
    transits: [{ city: 'Myawaddy', country: 'MM', transport: 'road' }],
    exploitation: { city: 'Samut Sakhon', country: 'TH', borderCrossing: true, transport: 'road' },
    exploitationTypes: ['ForcedLabour'],
    industry: 'A_AgricultureForestryAndFishing',
    genderBand: 'male',
    ageBand: 'adult',
    nationalityBand: 'asia',
    people: [
      { yearsAgo: 3, people: 18 },
      { yearsAgo: 2, people: 13 },
    ],
  },
  {
    by: researcher,
    origin: { city: 'Can Tho', country: 'VN' },
    exploitation: { city: 'Kuala Lumpur', country: 'MY', borderCrossing: true, transport: 'air' },
    exploitationTypes: ['SexualExploitation'],
    industry: 'I_AccommodationAndFoodServiceActivities',
    genderBand: 'female',
    ageBand: 'adult',
    nationalityBand: 'asia',
    people: [
      { yearsAgo: 3, people: 13 },
      { yearsAgo: 2, people: 12 },
    ],
  },
];

/** The gazetteer place of a demo place; throws if the gazetteer does not have it. */
function resolve(place: DemoPlace): { placeId: number; country: string } {
  const [found] = searchPlaces(place.city, { country: place.country, limit: 1 });
  if (!found) throw new Error(`the gazetteer has no ${place.city} in ${place.country}`);
  return { placeId: found.id, country: place.country };
}

const stop = (s: DemoStop) => ({
  ...resolve(s),
  borderCrossing: s.borderCrossing ?? false,
  transport: s.transport,
});

/** The contributions of the demo routes, as the form would send them, for years counted back from `now`. */
export function demoRouteInputs(now = new Date()): Array<{ by: string; input: RouteInput }> {
  const year = now.getUTCFullYear();
  return demoRoutes.flatMap((route) => {
    // Each place looked up once a route, whatever its years.
    const places = {
      origin: resolve(route.origin),
      transits: (route.transits ?? []).map(stop),
      exploitation: [stop(route.exploitation)],
    };
    return route.people.map(({ yearsAgo, people }) => ({
      by: route.by,
      input: routeInputSchema.parse({
        ...places,
        year: year - yearsAgo,
        exploitationTypes: route.exploitationTypes,
        ...(route.industry ? { industry: route.industry } : {}),
        people,
        genderBand: route.genderBand,
        ageBand: route.ageBand,
        nationalityBand: route.nationalityBand,
      }),
    }));
  });
}

/** Seeds the demo routes, each validated by the demo moderator (after identity: it needs the demo people). */
export async function seedJourneys(kernel: Kernel): Promise<DemoAccount[]> {
  const decider = await demoContext(kernel, moderator);
  const contributors = new Map<string, Ctx>();
  for (const { by, input } of demoRouteInputs()) {
    let ctx = contributors.get(by);
    if (!ctx) contributors.set(by, (ctx = await demoContext(kernel, by)));
    const route = await contributeRoute(ctx, input);
    await decideRoute(decider, route.id, { decision: 'validate', version: route.version });
  }
  return [];
}
