import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { placeById } from '../directory/index.js';
import { casesEntries, casesFiles } from './cases.tables.js';
import type { traffickingEventTypes } from './cases.vocabulary.js';

type TraffickingEventType = (typeof traffickingEventTypes)[number];

/**
 * What the journeys module may learn about a case, and when to look again (issue 7, "from a case"). SECURITY:
 * codes only — picklist values, countries, admin-1 regions and dates — never a sealed field (street,
 * description, names), never a gazetteer city. The caller checks the survivor's JourneyMap consent
 * (`consentedSections`) before it uses any of it, and must have set the case's tenant.
 */

declare module '../../kernel/bus/bus.js' {
  interface CairnEvents {
    /**
     * Something a module that follows a case may depend on changed: its sections, entries, consent, status or
     * owner. `organisationId` is the case's owner after the change.
     */
    'cases.case_changed': { caseFileId: string; organisationId: string };
    /** Cases created together by an HTCDS import (one event for all: a follower queues its own work). */
    'cases.cases_imported': { caseFileIds: string[]; organisationId: string };
  }
}

/**
 * Tells the modules that follow a case (the journey map, overlap detection) to look at it again, after this
 * transaction. `organisationId`: the case's owner after the change.
 */
export function publishCaseChanged(kernel: Kernel, tx: Tx, caseFileId: string, organisationId: string): void {
  kernel.bus.publish(tx, 'cases.case_changed', { caseFileId, organisationId });
}

/** Tells the modules that follow cases that an import created these, after this transaction. */
export function publishCasesImported(
  kernel: Kernel,
  tx: Tx,
  caseFileIds: string[],
  organisationId: string,
): void {
  if (caseFileIds.length > 0) kernel.bus.publish(tx, 'cases.cases_imported', { caseFileIds, organisationId });
}

/** One HTCDS historic trafficking event (`hte_`), coarsened: country and admin-1 region, no city, no street. */
export interface JourneyEvent {
  type: TraffickingEventType;
  country: string;
  region: string | null;
  date: string | null;
}

/** The codes of a case a journey route is derived from. */
export interface CaseJourneyFacts {
  organisationId: string;
  openedOn: string;
  profile: { gender: string | null; citizenships: string[] };
  victim: {
    exploitationTypes: string[];
    industry: string | null;
    recruitmentMethods: string[];
    ageWhenTrafficked: number | null;
    recruitmentCountry: string | null;
    exploitationCountry: string | null;
  };
  /** In the order they were recorded. */
  events: JourneyEvent[];
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** The journey facts of a case of this organisation, or null when it has no such case (or not any more). */
export async function caseJourneyFacts(
  tx: Tx,
  caseId: string,
  organisationId: string,
): Promise<CaseJourneyFacts | null> {
  const [row] = await tx
    .select({
      organisationId: casesFiles.organisationId,
      openedOn: casesFiles.openedOn,
      profile: casesFiles.profile,
      victim: casesFiles.victim,
    })
    .from(casesFiles)
    .where(and(eq(casesFiles.id, caseId), eq(casesFiles.organisationId, organisationId)));
  if (!row) return null;
  // SECURITY: attributes only (the sealed column is never read here).
  const entries = await tx
    .select({ attributes: casesEntries.attributes })
    .from(casesEntries)
    .where(and(eq(casesEntries.caseId, caseId), eq(casesEntries.kind, 'event')))
    .orderBy(asc(casesEntries.createdAt), asc(casesEntries.id));
  const events = entries.flatMap(({ attributes }): JourneyEvent[] => {
    const type = str(attributes.type) as TraffickingEventType | null;
    const country = str(attributes.country);
    if (!type || !country) return [];
    const placeId = attributes.placeId;
    const city = typeof placeId === 'number' ? placeById(placeId) : null;
    return [
      { type, country, region: str(attributes.region) ?? city?.region ?? null, date: str(attributes.date) },
    ];
  });
  const { profile, victim } = row;
  return {
    organisationId: row.organisationId,
    openedOn: row.openedOn,
    profile: { gender: str(profile.gender), citizenships: strings(profile.citizenships) },
    victim: {
      exploitationTypes: strings(victim.exploitationTypes),
      industry: str(victim.forcedLabourIndustry),
      recruitmentMethods: strings(victim.recruitmentMethods),
      ageWhenTrafficked: typeof victim.ageWhenTrafficked === 'number' ? victim.ageWhenTrafficked : null,
      recruitmentCountry: str(victim.recruitmentCountry),
      exploitationCountry: str(victim.exploitationCountry),
    },
    events,
  };
}
