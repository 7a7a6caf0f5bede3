import type { TestApp } from './app.js';

/**
 * The access matrix (server/access-matrix.test.ts), its callers and outcomes; each module adds its rows in
 * `<module>.matrix.ts` beside its routes. The access matrix: every API operation × every kind of caller, compared with the policy table below.
 * A new operation without a row fails this suite. An outcome is:
 *   'ok'  — the caller got past authorisation (any status but 401, 403 and 404; 5xx always fails),
 *   401 / 403 / 404 — refused that way (404: "what you may not see does not exist for you").
 */
export type Outcome = 'ok' | 401 | 403 | 404;

/** The callers every operation is tried with. "own" roles belong to organisation A; "other_admin" to B. */
export const callers = [
  'anonymous',
  'partial',
  'unenrolled',
  'member',
  'caseworker',
  'case_supervisor',
  'org_admin',
  'analyst',
  'investigator',
  'other_admin',
  'moderator',
  'platform_admin',
] as const;
export type Caller = (typeof callers)[number];

export interface Fixture {
  db: TestApp['database']['db'];
  /** The app's kernel, for rows that need sealed values (keys.sealField). */
  kernel: TestApp['app']['kernel'];
  orgA: string;
  orgB: string;
  /** Person id of each caller. */
  people: Record<Caller, string | null>;
  memberships: Partial<Record<Caller, string>>;
}

export interface Row {
  expect: Partial<Record<Caller, Outcome>> & { default: Outcome };
  /** Builds the request for one call: fresh resources, so calls cannot disturb each other. */
  request?: (
    f: Fixture,
    caller: Caller,
  ) => Promise<{ url?: string; payload?: unknown }> | { url?: string; payload?: unknown };
}

export const signedIn = { anonymous: 401, partial: 401, default: 'ok' } as const;
export const signedInOrPartial = { anonymous: 401, default: 'ok' } as const;
export const enrolling = { anonymous: 401, partial: 401, default: 'ok' } as const;
export const publicRoute = { default: 'ok' } as const;
export const platformAdminOnly = {
  anonymous: 401,
  partial: 401,
  platform_admin: 'ok',
  default: 403,
} as const;
/** A full session whose person holds the factor their role needs. */
export const fullAndEnrolled = { ...signedIn, unenrolled: 403 } as const;
/** Platform staff (moderators and platform admins) only. */
export const staffOnly = {
  anonymous: 401,
  partial: 401,
  default: 403,
  moderator: 'ok',
  platform_admin: 'ok',
} as const;
/** Organisation A's admins and platform admins; A's other members and moderators see A but not this (403). */
export const organisationAdminsAndPlatformAdmins = {
  ...fullAndEnrolled,
  default: 403,
  org_admin: 'ok',
  platform_admin: 'ok',
  other_admin: 404,
} as const;
