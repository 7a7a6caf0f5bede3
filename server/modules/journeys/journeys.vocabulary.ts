import type { Role } from '../../kernel/access/roles.js';

/**
 * The journeys module's vocabulary (issue 7). Bands are deliberately coarse: every filter multiplies the cells a
 * map can be cut into, and a coarse band keeps more cells at or above the disclosure threshold k.
 */

/** Where a contribution is in moderation. Only `validated` contributions ever reach the map. */
export const routeStatuses = ['pending', 'validated', 'queried', 'rejected'] as const;
export type RouteStatus = (typeof routeStatuses)[number];

/** A contributor may change or withdraw a contribution only while it waits for (or answers) a moderator. */
export const editableStatuses: readonly RouteStatus[] = ['pending', 'queried'];

/** What a moderator decides. */
export const decisions = ['validate', 'query', 'reject'] as const;
export type Decision = (typeof decisions)[number];

/** How a contribution came in; `case` (derived from a case file) comes with the next part of issue 7. */
export const routeSources = ['form', 'import', 'case'] as const;
export type RouteSource = (typeof routeSources)[number];

/** The role a place plays in a route. */
export const placeRoles = ['origin', 'destination', 'transit', 'exploitation'] as const;
export type PlaceRole = (typeof placeRoles)[number];

/** Means of transport on the way into a transit point or a place of exploitation. */
export const transportMeans = ['road', 'rail', 'air', 'sea', 'river', 'on_foot', 'other', 'unknown'] as const;

/**
 * Gender band of the people a contribution describes: one gender, `mixed` (a group of more than one), or
 * `unknown`. Non-binary people are counted under `other`, never listed apart (a group too small to show).
 */
export const genderBands = ['female', 'male', 'other', 'mixed', 'unknown'] as const;
export type GenderBand = (typeof genderBands)[number];

/** Age band at the time of exploitation: children (under 18), adults, a group of both, or unknown. */
export const ageBands = ['minor', 'adult', 'mixed', 'unknown'] as const;
export type AgeBand = (typeof ageBands)[number];

/**
 * Nationality band: the UN M49 continent of the people's nationality, `mixed` for a group of several, or
 * `unknown`. A single nationality would split cells below k almost everywhere; a continent keeps the map usable.
 */
export const nationalityBands = [
  'africa',
  'americas',
  'asia',
  'europe',
  'oceania',
  'mixed',
  'unknown',
] as const;
export type NationalityBand = (typeof nationalityBands)[number];

/**
 * Who contributes routes for a vetted (active) organisation: the people who know its cases (caseworkers and
 * case supervisors), its analysts, and its admins. Community `member`s have no second factor; investigators
 * share law-enforcement data under other rules, so they read the map but do not contribute.
 */
export const contributorRoles: readonly Role[] = ['caseworker', 'case_supervisor', 'analyst', 'org_admin'];

/** The most people one contribution may describe: larger groups come as several contributions (or an import). */
export const maxPeoplePerRoute = 10_000;
/** The earliest year a route may be given for. */
export const earliestYear = 1990;
/** The most places of each kind a route may list. */
export const maxTransitPoints = 20;
export const maxExploitationPlaces = 10;

/** The value of a rolled-up dimension in the summary tables ("any"). */
export const anyValue = '*';

/** Whether a map area is a first-level region (`VN.44`) rather than a country (`VN`). */
export const isRegion = (area: string): boolean => area.includes('.');
/** Quarter 0 in the summary tables: the whole year (every quarter, and contributions without one). */
export const wholeYear = 0;
/** Quarter 5 in the summary tables: a contribution that gave a year but no quarter. */
export const quarterUnknown = 5;
/** The industry value of a contribution without one. */
export const noIndustry = 'none';
export const noRecruitment = 'none';
