import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { caseMatchingFacts, type CaseMatchingFacts } from '../cases/index.js';
import { encodeSelectors, participationOf, type Encoded } from './matching.encode.js';
import { canonicalSelectors, type SelectorInput } from './matching.selectors.js';
import {
  announceMatches,
  optedOut,
  recordHits,
  screen,
  titlePlace,
  writeSelectors,
} from './matching.service.js';
import { matchingNames, matchingSelectors, matchingSubjects } from './matching.tables.js';

/**
 * Case files as subjects (issue 8, "selectors taken from case files"). Each open case of an organisation is one
 * subject of kind `case`, kept in step with its case after every change the cases module announces
 * (`cases.case_changed`): perpetrators' and recruiters' names (with their nationality) and phones always; the
 * survivor's names (with birth year or citizenship), phones, email and documents only while a live `Matching`
 * consent covers those sections. A closed case, a revoked consent or a transfer removes what no longer
 * applies — the selectors are deleted, not just hidden — and the matches already found stay in both inboxes.
 * SECURITY: the plaintext selectors live in memory only, for the length of this transaction.
 */

/** The selector inputs a case gives (before normalisation; one that does not normalise is left out). */
export function caseSelectorInputs(facts: CaseMatchingFacts): SelectorInput[] {
  const inputs: SelectorInput[] = [];
  for (const perpetrator of facts.perpetrators) {
    // A name alone is too weak to compare across organisations: it needs its nationality.
    if (perpetrator.nationality)
      for (const name of perpetrator.names)
        inputs.push({ type: 'person', name, nationality: perpetrator.nationality });
    const country = perpetrator.nationality ?? facts.countryHint;
    if (perpetrator.phone)
      inputs.push({
        type: 'phone',
        number: perpetrator.phone,
        ...(country ? { defaultCountry: country } : {}),
      });
  }
  const victim = facts.victim;
  if (victim) {
    for (const name of victim.names) {
      const [first, ...others] = victim.citizenships;
      if (victim.birthYear !== null || first)
        inputs.push({
          type: 'person',
          name,
          ...(victim.birthYear !== null ? { birthYear: victim.birthYear } : {}),
          ...(first ? { nationality: first } : {}),
        });
      for (const nationality of others) inputs.push({ type: 'person', name, nationality });
    }
    const country = victim.citizenships[0] ?? facts.countryHint;
    for (const phone of victim.phones)
      inputs.push({ type: 'phone', number: phone, ...(country ? { defaultCountry: country } : {}) });
    if (victim.email) inputs.push({ type: 'email', address: victim.email });
    for (const document of victim.documents)
      inputs.push({
        type: 'identity_document',
        number: document.number,
        issuingCountry: document.issuingCountry,
      });
  }
  return inputs;
}

/** What a case's subject is made of, as a comparable set (blind indexes under the active key, name filters). */
function fingerprintOf(encoded: Encoded): string[] {
  return [
    ...encoded.selectors.map((s) => `s:${s.selector.type}:${s.indexes[0]}`),
    ...encoded.names.map(
      ({ encodings: [active] }) => `n:${active!.version}:${active!.block}:${active!.filter}`,
    ),
  ].sort();
}

async function storedFingerprint(tx: Tx, subjectId: string): Promise<string[]> {
  const rows = await queryRows<{ entry: string }>(
    tx,
    sql`select 's:' || selector_type || ':' || blind_index as entry from ${matchingSelectors} where subject_id = ${subjectId}
        union all
        select 'n:' || key_version || ':' || block || ':' || filter::text from ${matchingNames} where subject_id = ${subjectId}`,
  );
  return rows.map((row) => row.entry).sort();
}

async function clearSelectors(tx: Tx, subjectId: string): Promise<void> {
  await tx.delete(matchingSelectors).where(eq(matchingSelectors.subjectId, subjectId));
  await tx.delete(matchingNames).where(eq(matchingNames.subjectId, subjectId));
}

export type CaseFollowOutcome = 'none' | 'registered' | 'updated' | 'kept' | 'closed';

/**
 * Brings the subject of a case in line with it. `organisationId` is the case's owner now (after a transfer,
 * the previous owner's subject is closed and emptied). Returns what happened.
 */
export async function followCaseForMatching(
  kernel: Kernel,
  caseId: string,
  organisationId: string,
): Promise<CaseFollowOutcome> {
  return inTransaction(kernel.database.db, async (tx) => {
    // A previous owner's subject (a transfer) is found across organisations.
    await setPlatformScope(tx);
    const subjects = await tx
      .select()
      .from(matchingSubjects)
      .where(eq(matchingSubjects.caseId, caseId))
      .for('update');
    let outcome: CaseFollowOutcome = 'none';
    for (const stale of subjects.filter((s) => s.organisationId !== organisationId && s.status === 'open')) {
      await setTenant(tx, stale.organisationId);
      await closeCaseSubject(tx, stale.id, stale.organisationId, 'transferred');
      outcome = 'closed';
    }
    await setTenant(tx, organisationId);
    const own = subjects.find((s) => s.organisationId === organisationId) ?? null;
    // SECURITY: the case is read as its owner, and only if this organisation holds it.
    const facts = await caseMatchingFacts(kernel, tx, caseId, organisationId);
    const out = await optedOut(tx, organisationId);
    const inputs =
      facts?.open === true
        ? caseSelectorInputs(facts).filter(
            (input) => canonicalSelectors(input).ok && !out.has(participationOf(input.type)),
          )
        : [];
    const reviewOn = facts?.open ? facts.reviewOn : null;
    if (inputs.length === 0) {
      if (own) {
        await tx.update(matchingSubjects).set({ reviewOn }).where(eq(matchingSubjects.id, own.id));
        if (own.status === 'open') {
          await closeCaseSubject(
            tx,
            own.id,
            organisationId,
            facts?.open ? 'nothing_to_match' : 'case_closed',
          );
          return 'closed';
        }
      } else if (reviewOn) {
        // Nothing to match yet, but a consent starts later: a closed subject remembers when to look again.
        const id = randomUUID();
        await tx.insert(matchingSubjects).values({
          id,
          organisationId,
          kind: 'case',
          caseId,
          status: 'closed',
          reviewOn,
          titleSealed: await kernel.keys.sealField(tx, titlePlace({ id, organisationId }), facts!.reference),
        });
      }
      return outcome;
    }
    const encoded = encodeSelectors(inputs, await kernel.keys.matchingKeys(tx), 'case', { allowWeak: true });
    if (!encoded.ok) throw new Error('followCaseForMatching: a checked selector did not encode');
    const fingerprint = fingerprintOf(encoded.value);
    if (own?.status === 'open' && sameList(fingerprint, await storedFingerprint(tx, own.id))) {
      if (own.reviewOn !== reviewOn)
        await tx.update(matchingSubjects).set({ reviewOn }).where(eq(matchingSubjects.id, own.id));
      return 'kept';
    }
    let subjectId: string;
    if (own) {
      subjectId = own.id;
      await clearSelectors(tx, subjectId);
      await tx
        .update(matchingSubjects)
        .set({
          status: 'open',
          reviewOn,
          titleSealed: await kernel.keys.sealField(tx, titlePlace(own), facts!.reference),
          updatedAt: new Date(),
        })
        .where(eq(matchingSubjects.id, subjectId));
    } else {
      subjectId = randomUUID();
      await tx.insert(matchingSubjects).values({
        id: subjectId,
        organisationId,
        kind: 'case',
        caseId,
        reviewOn,
        titleSealed: await kernel.keys.sealField(
          tx,
          titlePlace({ id: subjectId, organisationId }),
          facts!.reference,
        ),
      });
    }
    await writeSelectors(kernel, tx, subjectId, organisationId, encoded.value);
    const hits = await recordHits(
      tx,
      subjectId,
      organisationId,
      await screen(tx, organisationId, encoded.value, null),
    );
    await setTenant(tx, organisationId);
    await recordAudit(tx, {
      action: 'matching.case_screened',
      organisationId,
      objectType: 'matching_subject',
      objectId: subjectId,
      details: {
        caseId,
        types: encoded.value.types,
        selectors: encoded.value.selectors.length,
        victim: facts!.victim !== null,
        matches: hits.length,
      },
    });
    await announceMatches(kernel, tx, organisationId, hits);
    return own ? 'updated' : 'registered';
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** Closes a case's subject and deletes its selectors (a closed subject keeps only its matches). */
async function closeCaseSubject(
  tx: Tx,
  subjectId: string,
  organisationId: string,
  reason: 'transferred' | 'case_closed' | 'nothing_to_match',
): Promise<void> {
  await clearSelectors(tx, subjectId);
  await tx
    .update(matchingSubjects)
    .set({ status: 'closed', updatedAt: new Date() })
    .where(and(eq(matchingSubjects.id, subjectId), eq(matchingSubjects.organisationId, organisationId)));
  await recordAudit(tx, {
    action: 'matching.case_subject_closed',
    organisationId,
    objectType: 'matching_subject',
    objectId: subjectId,
    details: { reason },
  });
}

/** Follows the cases whose Matching consents changed by themselves (expired, or began) by today. */
export async function followDueCases(kernel: Kernel): Promise<{ cases: number }> {
  const due = await inTransaction(kernel.database.db, async (tx) => {
    await setPlatformScope(tx);
    return tx
      .select({ caseId: matchingSubjects.caseId, organisationId: matchingSubjects.organisationId })
      .from(matchingSubjects)
      .where(sql`${matchingSubjects.reviewOn} <= current_date and ${matchingSubjects.caseId} is not null`);
  });
  for (const { caseId, organisationId } of due) await followCaseForMatching(kernel, caseId!, organisationId);
  return { cases: due.length };
}

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'matching.follow_due_cases': Record<string, never>;
    'matching.follow_imported_cases': { organisationId: string; caseFileIds: string[] };
  }
}

const importedJob = 'matching.follow_imported_cases';

const sweepJob = 'matching.follow_due_cases';
const sweepIntervalMs = 60 * 60 * 1000;

/** Follows every case change (after its transaction commits), and the hourly sweep of consents that changed by date. */
export function setupCaseFollowing(kernel: Kernel): void {
  kernel.bus.on('cases.case_changed', async ({ caseFileId, organisationId }) => {
    await followCaseForMatching(kernel, caseFileId, organisationId);
  });
  // An import of thousands of cases is screened by a job, not while its request waits.
  kernel.bus.on('cases.cases_imported', async (payload) => {
    await inTransaction(kernel.database.db, (tx) => kernel.jobs.enqueue(tx, importedJob, payload));
  });
  kernel.jobs.register(importedJob, async ({ organisationId, caseFileIds }, run) => {
    const outcomes: Record<string, number> = {};
    for (const caseFileId of caseFileIds) {
      const outcome = await followCaseForMatching(kernel, caseFileId, organisationId);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    run.log.info(
      { organisationId, cases: caseFileIds.length, ...outcomes },
      'matching: imported cases followed',
    );
  });
  kernel.jobs.recurring(sweepJob, sweepIntervalMs, async (run) => {
    run.log.info(await followDueCases(kernel), 'matching: cases with consents due followed');
  });
}
