import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { openJson } from './cases.crypto.js';
import { coveredSections, entryPlace, isActive } from './cases.entries.service.js';
import { openSections } from './cases.service.js';
import { casesConsents, casesEntries, casesFiles } from './cases.tables.js';
import { openStatuses, type CaseStatus } from './cases.vocabulary.js';

/**
 * What the overlap-detection module may learn about a case (issue 8, "selectors taken from case files").
 * SECURITY: the values returned here are plaintext selectors, opened in memory for the matching module to
 * normalise and turn into keyed blind indexes in the same transaction; they are never stored, logged or sent.
 * Perpetrators' selectors always take part; the survivor's own only as far as a live `Matching` consent covers
 * their sections (identity → names, contact → phones and email, documents → document numbers). The caller must
 * have set the case's tenant.
 */

export interface CasePerpetratorSelectors {
  names: string[];
  nationality: string | null;
  phone: string | null;
}

export interface CaseVictimSelectors {
  names: string[];
  birthYear: number | null;
  citizenships: string[];
  phones: string[];
  email: string | null;
  documents: { number: string; issuingCountry: string }[];
}

export interface CaseMatchingFacts {
  organisationId: string;
  reference: string;
  /** Active or follow-up (a draft intake included: an overlap is worth knowing early). */
  open: boolean;
  /** A country for numbers written in national form: the exploitation or recruitment country (codes only). */
  countryHint: string | null;
  perpetrators: CasePerpetratorSelectors[];
  /** Null unless a live Matching consent covers at least one of identity, contact, documents. */
  victim: CaseVictimSelectors | null;
  /**
   * The next day the Matching consents change by themselves (one expires, or one given for a later day starts),
   * or null: the day the case must be looked at again without any event.
   */
  reviewOn: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

/** The selectors of a case of this organisation, or null when it holds no such case (or not any more). */
export async function caseMatchingFacts(
  kernel: Kernel,
  tx: Tx,
  caseId: string,
  organisationId: string,
): Promise<CaseMatchingFacts | null> {
  const [row] = await tx
    .select()
    .from(casesFiles)
    .where(and(eq(casesFiles.id, caseId), eq(casesFiles.organisationId, organisationId)));
  if (!row) return null;
  const perpetratorRows = await tx
    .select({ id: casesEntries.id, attributes: casesEntries.attributes, sealed: casesEntries.sealed })
    .from(casesEntries)
    .where(and(eq(casesEntries.caseId, caseId), eq(casesEntries.kind, 'perpetrator')))
    .orderBy(asc(casesEntries.createdAt), asc(casesEntries.id));
  const perpetrators: CasePerpetratorSelectors[] = [];
  for (const entry of perpetratorRows) {
    const sealed = await openJson<{ name?: string; aliases?: string[]; phone?: string }>(
      kernel,
      tx,
      entryPlace(row, entry.id),
      entry.sealed,
    );
    perpetrators.push({
      names: [str(sealed?.name), ...(sealed?.aliases ?? [])].filter((name): name is string => !!str(name)),
      nationality: str(entry.attributes.nationality),
      phone: str(sealed?.phone),
    });
  }
  const consents = await tx
    .select()
    .from(casesConsents)
    .where(and(eq(casesConsents.caseId, caseId), eq(casesConsents.purpose, 'Matching')));
  const upcoming = consents.flatMap((consent) =>
    consent.revokedAt !== null
      ? []
      : isActive(consent)
        ? consent.expiresOn
          ? [consent.expiresOn]
          : []
        : consent.expiresOn === null || consent.givenOn < consent.expiresOn
          ? [consent.givenOn]
          : [],
  );
  const covered = coveredSections(consents, 'Matching', ['identity', 'contact', 'documents']);
  const today = new Date().toISOString().slice(0, 10);
  const reviewOn = upcoming.filter((day) => day > today).sort()[0] ?? null;
  let victim: CaseVictimSelectors | null = null;
  if (covered.length > 0) {
    // Only the sections the consent covers are opened.
    const { identity, contact, documents } = await openSections({ kernel }, tx, row, covered);
    const fullName = [identity?.firstName, identity?.middleName, identity?.secondName]
      .map(str)
      .filter((part): part is string => part !== null)
      .join(' ');
    const birthYear =
      identity?.birthYear ?? (identity?.birthDate ? Number(identity.birthDate.slice(0, 4)) : null);
    const citizenships = Array.isArray(row.profile.citizenships)
      ? row.profile.citizenships.filter((code): code is string => typeof code === 'string')
      : [];
    victim = {
      names: [fullName, ...(identity?.aliases ?? [])].filter((name) => !!str(name)),
      birthYear,
      citizenships,
      phones: [contact?.mobilePhone, contact?.homePhone].map(str).filter((phone): phone is string => !!phone),
      email: str(contact?.email),
      documents: (documents ?? []).flatMap((document) =>
        document.issuingCountry ? [{ number: document.number, issuingCountry: document.issuingCountry }] : [],
      ),
    };
  }
  const countryHint = str(row.victim.exploitationCountry) ?? str(row.victim.recruitmentCountry) ?? null;
  return {
    organisationId,
    reference: row.reference,
    open: openStatuses.includes(row.status as CaseStatus),
    countryHint,
    perpetrators,
    victim,
    reviewOn,
  };
}
