import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import {
  publicRoute,
  staffOnly,
  platformAdminOnly,
  type Caller,
  type Fixture,
  type Row,
} from '../../test/matrix.js';
import { casesAssignments, casesConsents, casesFiles } from '../cases/index.js';
import { journeysImports, journeysLegs, journeysRoutes } from './journeys.tables.js';

/** Contributors: organisation A's (and B's admin, for its own organisation) caseworkers, supervisors, analysts, admins. */
const contributors = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
  org_admin: 'ok',
  analyst: 'ok',
  other_admin: 'ok',
} as const;
/** A contribution of organisation A: B's admin passes the gate but the route does not exist for it. */
const contributorsOfA = { ...contributors, other_admin: 404 } as const;
/** Anyone acting for a vetted organisation (platform staff act for none). */
const members = {
  anonymous: 401,
  partial: 401,
  unenrolled: 403,
  moderator: 403,
  platform_admin: 403,
  default: 'ok',
} as const;

/** A fresh pending route of organisation A (Nairobi → Doha). */
async function routeOfA(f: Fixture): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(journeysRoutes).values({
      id,
      organisationId: f.orgA,
      year: 2024,
      exploitationTypes: ['ForcedLabour'],
      people: 3,
      genderBand: 'female',
      ageBand: 'adult',
      nationalityBand: 'africa',
    });
    await tx.insert(journeysLegs).values([
      { routeId: id, organisationId: f.orgA, position: 0, role: 'origin', country: 'KE' },
      { routeId: id, organisationId: f.orgA, position: 1, role: 'exploitation', country: 'QA' },
    ]);
  });
  return id;
}

/** Deriving a route from a case: organisation A's case staff (everyone else is refused at the gate). */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;

/** A fresh case of A, assigned to its caseworker, whose survivor consented to the journey map. */
async function consentedCaseOfA(f: Fixture): Promise<string> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesFiles).values({
      id,
      organisationId: f.orgA,
      reference: `J-${id.slice(0, 8)}`,
      status: 'Active',
      openedOn: '2026-01-01',
      profile: { gender: 'Masculine', citizenships: [] },
      victim: {
        traffickingStatus: 'PossibleVictimOfTrafficking',
        exploitationTypes: ['ForcedLabour'],
        recruitmentCountry: 'KE',
        exploitationCountry: 'QA',
      },
    });
    await tx
      .insert(casesAssignments)
      .values({ caseId: id, organisationId: f.orgA, membershipId: f.memberships.caseworker!, primary: true });
    await tx.insert(casesConsents).values({
      caseId: id,
      organisationId: f.orgA,
      purpose: 'JourneyMap',
      sections: ['events', 'victim'],
      givenOn: '2026-01-01',
    });
  });
  return id;
}

const onRoute =
  (path: string, payload?: unknown) =>
  async (f: Fixture): Promise<{ url: string; payload?: unknown }> => ({
    url: `/api/journeys/routes/${await routeOfA(f)}${path}`,
    ...(payload !== undefined ? { payload } : {}),
  });

const validRoute = {
  origin: { country: 'KE' },
  exploitation: [{ country: 'QA', borderCrossing: true, transport: 'air' }],
  year: 2024,
  exploitationTypes: ['ForcedLabour'],
  people: 2,
  genderBand: 'male',
  ageBand: 'adult',
  nationalityBand: 'africa',
};

/**
 * A finished import of organisation A owned by the caller: anyone else's import does not exist for them, so B's
 * admin (a contributor, but of another organisation) meets 404.
 */
async function importOf(f: Fixture, caller: Caller, suffix = ''): Promise<{ url: string }> {
  const id = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(journeysImports).values({
      id,
      organisationId: f.orgA,
      personId: f.people[caller] ?? f.people.caseworker!,
      layout: 'tracker',
      format: 'csv',
      status: 'committed',
      counts: { rows: 0, valid: 0, invalid: 0, issues: 0, created: 0 },
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  });
  return { url: `/api/journeys/imports/${id}${suffix}` };
}

/** Access-matrix rows of the journeys operations. */
export const journeysMatrix: Record<string, Row> = {
  contributeRoute: { expect: contributors, request: () => ({ payload: validRoute }) },
  listRoutes: { expect: contributors },
  deriveCaseRoute: {
    expect: caseStaff,
    request: async (f) => ({ url: `/api/journeys/cases/${await consentedCaseOfA(f)}/route` }),
  },
  getRoute: { expect: contributorsOfA, request: onRoute('') },
  updateRoute: { expect: contributorsOfA, request: onRoute('', { version: 1, people: 4 }) },
  deleteRoute: { expect: contributorsOfA, request: onRoute('') },
  listRouteModeration: { expect: staffOnly },
  decideRoute: { expect: staffOnly, request: onRoute('/decision', { decision: 'validate', version: 1 }) },
  rebuildJourneyMap: { expect: platformAdminOnly },
  getPublicJourneyWorld: { expect: publicRoute },
  getJourneyWorld: { expect: members },
  getJourneyArea: { expect: members, request: () => ({ url: '/api/journeys/map/area?area=VN' }) },
  // Contributors pass the gate (checked before the body is read) and meet 400: no layout, no file name.
  startJourneyImport: { expect: contributors },
  getJourneyImport: { expect: contributorsOfA, request: (f, caller) => importOf(f, caller) },
  // The owner meets 409: a committed import cannot be committed again.
  commitJourneyImport: { expect: contributorsOfA, request: (f, caller) => importOf(f, caller, '/commit') },
};
