import type { components } from '../../../api/schema';

type Schemas = components['schemas'];

/** An organisation as the API presents it to the caller, with the caller's abilities. */
export type Organisation = Schemas['Organisation'];
/** One of the caller's own applications. */
export type MyApplication = Schemas['MyApplication'];
/** A member of an organisation (a membership, with the person's name and address). */
export type Member = Schemas['Member'];
/** A pending invitation. */
export type Invitation = Schemas['Invitation'];
/** One entry of an audit trail. */
export type AuditEntry = Schemas['AuditEntry'];
/** The platform's identity settings. */
export type IdentitySettings = Schemas['IdentitySettings'];
/** What an application says about the organisation. */
export type OrganisationApplication = Schemas['OrganisationApplication'];

export type OrganisationType = Organisation['type'];
export type OrganisationStatus = Organisation['status'];
export type Tier = NonNullable<Organisation['tier']>;
export type Role = Member['role'];
export type RequiredFactor = IdentitySettings['requiredFactor'];
/** The statuses the vetting queue can be filtered by. */
export type QueueStatus = 'pending' | 'info_requested' | 'rejected';

/**
 * Query keys of this module, in one place so a change can invalidate exactly what it affects. Everything
 * starts with 'identity' so a sign-out elsewhere can drop it all with one prefix.
 */
export const orgKeys = {
  all: ['identity', 'organisations'] as const,
  organisation: (id: string) => ['identity', 'organisations', 'one', id] as const,
  list: (filters: Record<string, string | undefined>) =>
    ['identity', 'organisations', 'list', filters] as const,
  queue: (status: QueueStatus) => ['identity', 'organisations', 'queue', status] as const,
  myApplications: ['identity', 'organisations', 'mine'] as const,
  members: (id: string) => ['identity', 'organisations', 'members', id] as const,
  invitations: (id: string) => ['identity', 'organisations', 'invitations', id] as const,
  audit: (id: string, cursor: string | undefined) =>
    ['identity', 'organisations', 'audit', id, cursor ?? 'first'] as const,
  settings: ['identity', 'settings'] as const,
};
