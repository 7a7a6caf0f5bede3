import { EXPLOITATION_TYPES, INDUSTRIES, isOneOf } from '../directory/vocabulary';
import type { DecisionInput, Route, RouteInput } from './api';
import type { ShownHotspot } from './published';

type ItemOf<T> = T extends readonly (infer Item)[] ? Item : never;
/** Lists every value of a union exactly once (a missing or extra value is a type error). */
const allOf =
  <T extends string>() =>
  <L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)) =>
    list;

export type RouteStatus = Route['status'];
export type GenderBand = Route['genderBand'];
export type AgeBand = Route['ageBand'];
export type NationalityBand = Route['nationalityBand'];
export type Transport = NonNullable<ItemOf<Route['transits']>['transport']>;
export type PlaceRole = ShownHotspot['role'];
export type Decision = DecisionInput['decision'];
export type RecruitmentMethod = NonNullable<RouteInput['recruitmentMethod']>;

/** The server's vocabularies (server/modules/journeys/journeys.vocabulary.ts), in its order. */
export const ROUTE_STATUSES = allOf<RouteStatus>()(['pending', 'validated', 'queried', 'rejected']);
export const GENDER_BANDS = allOf<GenderBand>()(['female', 'male', 'other', 'mixed', 'unknown']);
export const AGE_BANDS = allOf<AgeBand>()(['minor', 'adult', 'mixed', 'unknown']);
export const NATIONALITY_BANDS = allOf<NationalityBand>()([
  'africa',
  'americas',
  'asia',
  'europe',
  'oceania',
  'mixed',
  'unknown',
]);
export const TRANSPORT_MEANS = allOf<Transport>()([
  'road',
  'rail',
  'air',
  'sea',
  'river',
  'on_foot',
  'other',
  'unknown',
]);
export const PLACE_ROLES = allOf<PlaceRole>()(['origin', 'destination', 'transit', 'exploitation']);
export const DECISIONS = allOf<Decision>()(['validate', 'query', 'reject']);

/** The earliest year a route may be given for (the server's earliestYear). */
export const EARLIEST_YEAR = 1990;
/** The most people one contribution may describe, and the most places of each kind. */
export const MAX_PEOPLE = 10_000;
export const MAX_TRANSITS = 20;
export const MAX_EXPLOITATION = 10;

export { EXPLOITATION_TYPES, INDUSTRIES, isOneOf };

/** Translation keys of the journeys vocabularies: `journeys.vocabulary.<name>.<code>`. */
export function journeyVocabularyKey(
  vocabulary: 'statuses' | 'genderBands' | 'ageBands' | 'nationalityBands' | 'transport' | 'roles',
  code: string,
): string {
  return `journeys.vocabulary.${vocabulary}.${code}`;
}
