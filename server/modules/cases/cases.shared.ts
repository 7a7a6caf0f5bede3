import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import type { Tx } from '../../kernel/db/types.js';
import { requireRecentStepUp } from '../identity/index.js';
import { presentConsents, presentEntries, sectionOfEntry } from './cases.entries.service.js';
import {
  consentSchema,
  contactSectionSchema,
  documentsSectionSchema,
  entrySchema,
  identitySectionSchema,
  narrativeSectionSchema,
  profileSectionSchema,
  victimSectionSchema,
  type EntryKind,
} from './cases.schemas.js';
import { openSections } from './cases.service.js';
import { casesFiles } from './cases.tables.js';
import { caseSections, identifyingSections, type CaseSection } from './cases.vocabulary.js';

/**
 * A case read by another organisation through a referral (issue 6). SECURITY: the reader never gets a copy —
 * this reads the owner's case, under the owner's tenant scope, and shows exactly the sections it is given
 * (the referrals module decides which: those the survivor's consent, or a supervisor's override, still
 * covers, re-checked on every request). Identifying sections need `reveal` and a recent step-up, as in the
 * owner's own reads, and every read is written to the OWNER's audit trail.
 */

declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'cases.case_read_shared': { referralId: string; sections: string[]; revealed: boolean };
  }
}

/** The shared sections of a case as the recipient of a referral sees them (not even the case's id or reference). */
export const sharedCaseFileSchema = z.object({
  /** The sections shown in this answer. */
  sections: z.array(z.enum(caseSections)),
  /** Shared sections not shown because they identify the survivor: ask again with `reveal=true`. */
  needsReveal: z.array(z.enum(caseSections)),
  revealed: z.boolean(),
  identity: identitySectionSchema.nullable(),
  contact: contactSectionSchema.nullable(),
  documents: documentsSectionSchema.nullable(),
  narrative: narrativeSectionSchema.nullable(),
  profile: profileSectionSchema.nullable(),
  victim: victimSectionSchema.nullable(),
  /** Entries of the shared kinds only (perpetrators, events, support plan, follow-ups; comments when revealed). */
  entries: z.array(entrySchema),
  consents: z.array(consentSchema).nullable(),
});
export type SharedCaseFile = z.infer<typeof sharedCaseFileSchema>;

/** Sections whose content is sealed free text: shown only on reveal. */
const revealOnly: readonly CaseSection[] = [...identifyingSections, 'comments'];

/**
 * Reads exactly `sections` of the owner's case for a referral's recipient; null when the owner no longer holds
 * the case. The transaction is left in the owner's tenant scope.
 */
export async function readSharedCase(
  ctx: Ctx,
  tx: Tx,
  input: {
    ownerOrganisationId: string;
    caseId: string;
    referralId: string;
    sections: readonly CaseSection[];
    reveal: boolean;
  },
): Promise<SharedCaseFile | null> {
  if (input.reveal) requireRecentStepUp(ctx);
  // SECURITY: the owner's scope, for this read only; the query names the owner as well as the case.
  await setTenant(tx, input.ownerOrganisationId);
  const [row] = await tx
    .select()
    .from(casesFiles)
    .where(and(eq(casesFiles.id, input.caseId), eq(casesFiles.organisationId, input.ownerOrganisationId)));
  if (!row) return null;
  const shared = caseSections.filter((section) => input.sections.includes(section));
  const shown = shared.filter((section) => input.reveal || !revealOnly.includes(section));
  const kinds = (Object.keys(sectionOfEntry) as EntryKind[]).filter((kind) =>
    shown.includes(sectionOfEntry[kind]),
  );
  const opened = await openSections(ctx, tx, row, shown);
  const file: SharedCaseFile = {
    sections: shown,
    needsReveal: shared.filter((section) => !shown.includes(section)),
    revealed: input.reveal,
    ...opened,
    profile: shown.includes('profile') ? profileSectionSchema.parse(row.profile) : null,
    victim: shown.includes('victim') ? victimSectionSchema.parse(row.victim) : null,
    entries: await presentEntries(ctx, tx, row, input.reveal, kinds),
    consents: shown.includes('consents') ? await presentConsents(ctx, tx, row, input.reveal) : null,
  };
  // Audited last, like the owner's own reads (the audit lock is held from here to COMMIT).
  await recordAudit(
    tx,
    {
      action: 'cases.case_read_shared',
      organisationId: row.organisationId,
      objectType: 'case_file',
      objectId: row.id,
      details: { referralId: input.referralId, sections: shown, revealed: input.reveal },
    },
    ctx.audit,
  );
  return file;
}
