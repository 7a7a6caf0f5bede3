import type { OrganisationStatus, OrganisationType, QueueStatus, RequiredFactor, Role, Tier } from './api';

/**
 * Builds a list of every value of a union, in the order people should see them. The server owns the values;
 * through the generated API types the compiler rejects a list that invents a value or misses one (the error
 * names the missing values), so a new server value cannot silently go unshown.
 */
function allOf<Union extends string>() {
  return <const List extends readonly Union[]>(
    list: List &
      ([Exclude<Union, List[number]>] extends [never] ? unknown : { missing: Exclude<Union, List[number]> }),
  ): List => list;
}

/** Organisation types, roughly from the most to the least common applicant. */
export const ORGANISATION_TYPES = allOf<OrganisationType>()([
  'ngo',
  'survivor_led',
  'faith_based',
  'legal',
  'health',
  'law_enforcement',
  'immigration',
  'central_government',
  'local_government',
  'igo',
  'academic',
  'corporate',
]);

/** Vetting tiers, from the most common to the most restricted. */
export const TIERS = allOf<Tier>()(['verified', 'verified_frontline', 'law_enforcement_verified']);

/** Roles within an organisation, from the least to the most access. */
export const ROLES = allOf<Role>()([
  'member',
  'caseworker',
  'case_supervisor',
  'analyst',
  'investigator',
  'org_admin',
]);

/** Organisation statuses, in the order vetting moves through them. */
export const STATUSES = allOf<OrganisationStatus>()([
  'pending',
  'info_requested',
  'active',
  'suspended',
  'rejected',
]);

/** The vetting queue's tabs. */
export const QUEUE_STATUSES = allOf<QueueStatus>()(['pending', 'info_requested', 'rejected']);

/** The choices of the required-factor setting, the safer first. */
export const REQUIRED_FACTORS = allOf<RequiredFactor>()(['passkey', 'passkey_or_totp']);

/** Whether a string is one of a list's values (for reading URL parameters safely). */
export function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (list as readonly string[]).includes(value);
}
