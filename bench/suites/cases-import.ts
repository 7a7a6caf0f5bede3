import { toHtcdsTables, type ExchangeCase } from '../../server/modules/cases/cases.htcds.js';
import { csvFiles, csvMediaType, maxImportRows } from '../../server/modules/cases/cases.htcds.files.js';
import type {
  EventRecord,
  PerpetratorRecord,
  SupportPlanRecord,
} from '../../server/modules/cases/cases.htcds.js';
import { maxImportBytes } from '../../server/modules/directory/index.js';
import type { Service } from '../lib/service.js';
import { timeOnce } from '../lib/timing.js';
import {
  planCaseOrganisations,
  syntheticCase,
  type CaseOrganisation,
  type CasePlan,
  type SyntheticCase,
} from '../scale/cases.js';
import { deriveSeed } from '../scale/prng.js';

/**
 * The HTCDS import budget of issue 5 (10,000 cases in ≤ 60 s), measured through the API: a dry run
 * (`POST /api/cases/imports`, the file as the body) and its commit (`POST /api/cases/imports/:id/commit`).
 * The file is the `cases` table of an HTCDS export — official column names, one row per case — written by
 * the cases module's own export code from synthetic cases.
 */
export const importTotalTarget = '<= 60';
export const importCases = 10_000;

/** A synthetic case in the exchange form the HTCDS export writes. */
export function exchangeCaseOf(c: SyntheticCase): ExchangeCase {
  const fields = (kind: string) =>
    c.entries.filter((e) => e.kind === kind).map((e) => ({ ...e.attributes, ...(e.sealed ?? {}) }));
  const open = c.status === 'Active' || c.status === 'FollowUp';
  return {
    key: c.reference,
    case: {
      status: c.status,
      draft: c.draft,
      openedOn: c.openedOn,
      ...(c.closedOn ? { closedOn: c.closedOn } : {}),
      ...(!open && c.closureReason ? { closureReason: c.closureReason } : {}),
    },
    identity: c.identity,
    ...(c.contact ? { contact: c.contact } : {}),
    ...(c.documents ? { documents: c.documents } : {}),
    ...(c.narrative ? { narrative: c.narrative } : {}),
    profile: c.profile,
    victim: c.victim,
    perpetrators: fields('perpetrator') as PerpetratorRecord[],
    events: fields('event') as EventRecord[],
    supportPlan: fields('supportPlan') as SupportPlanRecord[],
    followUps: fields('followUp').map((f) => ({
      dueOn: String(f.dueOn),
      done: f.done === true,
      ...(typeof f.note === 'string' ? { note: f.note } : {}),
    })),
    comments: fields('comment').map((f) => ({ body: String(f.body) })),
    consents: c.consents.map((consent) => ({
      purpose: consent.purpose,
      sections: consent.sections as ExchangeCase['consents'][number]['sections'],
      givenOn: consent.givenOn,
      ...(consent.expiresOn ? { expiresOn: consent.expiresOn } : {}),
      ...(consent.note ? { note: consent.note } : {}),
      ...(consent.revokedAt ? { revokedAt: consent.revokedAt } : {}),
      ...(consent.recipientOrganisationId
        ? { recipientOrganisationId: consent.recipientOrganisationId }
        : {}),
    })),
  };
}

/**
 * `count` new synthetic cases for `organisation` to import, as the cases table of an HTCDS CSV export. A clean
 * file, as one worth committing is: complete cases only, and none that the duplicate check would stop — none
 * sharing a document number or name + birth year with another case in the file or with one the organisation
 * already holds (the plan recomputes those).
 */
export function htcdsImportFile(
  plan: CasePlan,
  organisation: CaseOrganisation,
  count: number,
): { body: Buffer; cases: number; skipped: number } {
  const taken = new Set<string>();
  for (let k = 0; k < organisation.caseCount; k++)
    for (const lookup of syntheticCase(plan, organisation, k).lookups) taken.add(lookup.indexed);
  // Other cases than any generated (another seed), gathered from several organisations' records, as a
  // network merging its files would import them. Referral consents name those organisations: only the
  // cases table travels here, so they do not reach the import.
  const seed = deriveSeed(plan.seed, 'cases-import');
  const sources = planCaseOrganisations(seed, count * 2, 10);
  const sourcePlan: CasePlan = { seed, asOf: plan.asOf, organisations: sources };
  const chosen: ExchangeCase[] = [];
  let skipped = 0;
  for (let k = 0; chosen.length < count && k < count * 2; k++) {
    const source = sources[k % sources.length]!;
    const number = Math.floor(k / sources.length);
    if (number >= source.caseCount) continue;
    const c = syntheticCase(sourcePlan, source, number);
    if (c.draft || c.lookups.some((lookup) => taken.has(lookup.indexed))) {
      skipped += 1;
      continue;
    }
    for (const lookup of c.lookups) taken.add(lookup.indexed);
    // Keys must be unique in the file; references repeat across the source organisations.
    chosen.push({ ...exchangeCaseOf(c), key: `import-${String(chosen.length + 1).padStart(5, '0')}` });
  }
  if (chosen.length < count) throw new Error(`only ${chosen.length} clean cases to import, wanted ${count}`);
  const file = csvFiles(toHtcdsTables(chosen)).find((f) => f.name === 'cases.csv');
  if (!file) throw new Error('the HTCDS export wrote no cases.csv');
  if (chosen.length > maxImportRows || file.data.length > maxImportBytes)
    throw new Error(
      `the import file (${chosen.length} rows, ${file.data.length} bytes) is over Cairn's limits`,
    );
  return { body: file.data, cases: chosen.length, skipped };
}

/** What the import measured. */
export interface ImportTiming {
  /** Null when the server has no import route (a 404 on the upload). */
  dryRunSeconds: number | null;
  commitSeconds: number | null;
  cases: number;
  created: number;
  /** Why it did not complete, without anything from the file. */
  problem: string | null;
}

interface CaseImportAnswer {
  id?: string;
  status?: string;
  canCommit?: boolean;
  counts?: { cases: number; valid: number; invalid: number; issues: number; created: number };
  report?: { row: number; column: string | null; code: string }[];
  code?: string;
}

/** Uploads the file for a dry run, then commits it, timing each (the caller must be stepped up). */
export async function measureImport(
  service: Service,
  cookie: string,
  file: { body: Buffer; cases: number },
): Promise<ImportTiming> {
  const timing: ImportTiming = {
    dryRunSeconds: null,
    commitSeconds: null,
    cases: file.cases,
    created: 0,
    problem: null,
  };
  let checked: CaseImportAnswer = {};
  let status = 0;
  const dryRunMs = await timeOnce(async () => {
    const response = await fetch(`${service.baseUrl}/api/cases/imports?fileName=htcds-cases.csv`, {
      method: 'POST',
      headers: { cookie, 'content-type': `${csvMediaType}; charset=utf-8` },
      body: file.body,
      signal: AbortSignal.timeout(15 * 60_000),
    });
    status = response.status;
    checked = (await response.json()) as CaseImportAnswer;
  });
  if (status === 404 && checked.code === 'not_found') return { ...timing, problem: 'no import route' };
  timing.dryRunSeconds = dryRunMs / 1000;
  if (status !== 201 || !checked.id || !checked.canCommit) {
    // Codes, rows and columns only: never a cell of the file.
    const first = checked.report?.[0];
    return {
      ...timing,
      problem:
        `dry run answered ${status} (${checked.code ?? checked.status ?? '?'}), ${checked.counts?.issues ?? '?'} ` +
        `issues${first ? `; first: row ${first.row} ${first.column ?? ''} ${first.code}` : ''}`,
    };
  }
  let committed: CaseImportAnswer = {};
  let commitStatus = 0;
  const commitMs = await timeOnce(async () => {
    const response = await fetch(`${service.baseUrl}/api/cases/imports/${checked.id}/commit`, {
      method: 'POST',
      headers: { cookie },
      signal: AbortSignal.timeout(15 * 60_000),
    });
    commitStatus = response.status;
    committed = (await response.json()) as CaseImportAnswer;
  });
  timing.commitSeconds = commitMs / 1000;
  timing.created = committed.counts?.created ?? 0;
  if (commitStatus !== 200 || committed.status !== 'committed')
    timing.problem = `commit answered ${commitStatus} (${committed.code ?? committed.status ?? '?'})`;
  return timing;
}
