/** HTCDS organisation types, plus the kinds of members the anti-trafficking field also has. */
export const organisationTypes = [
  'ngo',
  'law_enforcement',
  'central_government',
  'local_government',
  'health',
  'immigration',
  'legal',
  'corporate',
  'igo',
  'academic',
  'survivor_led',
  'faith_based',
] as const;
export type OrganisationType = (typeof organisationTypes)[number];

/** Where an organisation is in vetting. Only `active` organisations act on the platform. */
export const organisationStatuses = ['pending', 'info_requested', 'active', 'rejected', 'suspended'] as const;
export type OrganisationStatus = (typeof organisationStatuses)[number];

/** Vetting tiers granted by moderators; each expires and must be renewed. */
export const tiers = ['verified', 'verified_frontline', 'law_enforcement_verified'] as const;
export type Tier = (typeof tiers)[number];

/** How long a tier lasts before it must be renewed. */
export const tierValidityDays = 365;

// Roles belong to the security model shared by every module: they live in the kernel.
export {
  platformRoles,
  roles,
  sensitiveRoles,
  type PlatformRole,
  type Role,
} from '../../kernel/access/roles.js';

/** Session idle timeouts (ARCHITECTURE §5): short for anyone who can reach sensitive data. */
export const idleTimeoutSeconds = { sensitive: 15 * 60, community: 8 * 60 * 60 } as const;
export const absoluteTimeoutSeconds = 12 * 60 * 60;
/** A step-up (fresh passkey check) is valid this long. */
export const stepUpValiditySeconds = 5 * 60;
