/**
 * The roles of Cairn's security model (ARCHITECTURE §5). They live in the kernel because route policies and
 * every module's rules speak of them; the identity module manages who holds them.
 */
export const roles = [
  'member',
  'caseworker',
  'case_supervisor',
  'org_admin',
  'analyst',
  'investigator',
] as const;
export type Role = (typeof roles)[number];

export const platformRoles = ['moderator', 'platform_admin'] as const;
export type PlatformRole = (typeof platformRoles)[number];

/**
 * Roles that can see case data, referrals, match results, exports or administration: they must have the
 * platform's required second factor (a passkey unless a platform admin also allows TOTP).
 */
export const sensitiveRoles: readonly Role[] = [
  'caseworker',
  'case_supervisor',
  'org_admin',
  'analyst',
  'investigator',
];

export const isSensitiveRole = (role: Role): boolean => sensitiveRoles.includes(role);
