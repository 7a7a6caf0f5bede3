import { randomUUID } from 'node:crypto';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { newStorageKey } from '../../kernel/storage/storage.js';
import type { Fixture, Row } from '../../test/matrix.js';
import { casesAttachments } from './cases.attachments.tables.js';
import { casesAssignments, casesFiles } from './cases.tables.js';

/**
 * Case attachments: organisation A's caseworkers and case supervisors pass the gate; everyone else is refused
 * there (403), before anything about the case is looked up. A download without a recent step-up answers
 * step_up_required, which the matrix counts as past authorisation.
 */
const caseStaff = {
  anonymous: 401,
  partial: 401,
  default: 403,
  caseworker: 'ok',
  case_supervisor: 'ok',
} as const;

/** A fresh case of organisation A assigned to A's caseworker, and (optionally) an attachment row on it. */
async function caseOfA(
  f: Fixture,
  withAttachment: boolean,
): Promise<{ caseId: string; attachmentId: string }> {
  const caseId = randomUUID();
  const attachmentId = randomUUID();
  await inTransaction(f.db, async (tx) => {
    await setTenant(tx, f.orgA);
    await tx.insert(casesFiles).values({
      id: caseId,
      organisationId: f.orgA,
      reference: `A-${caseId.slice(0, 8)}`,
      openedOn: '2026-01-01',
      profile: { gender: 'Feminine', citizenships: [] },
      victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
    });
    await tx.insert(casesAssignments).values({
      caseId,
      organisationId: f.orgA,
      membershipId: f.memberships.caseworker!,
      primary: true,
    });
    if (withAttachment) {
      // No file behind it: every caller is stopped (gate, case rules or step-up) before it would be read.
      await tx.insert(casesAttachments).values({
        id: attachmentId,
        caseId,
        organisationId: f.orgA,
        kind: 'document',
        mediaType: 'application/pdf',
        sizeBytes: 1,
        storageKey: newStorageKey(),
        keySealed: 'k1.unused',
        nameSealed: 'k1.unused',
      });
    }
  });
  return { caseId, attachmentId };
}

/** Access-matrix rows of case attachments (server/access-matrix.test.ts). */
export const casesAttachmentsMatrix: Record<string, Row> = {
  // Past the gate, an upload without a file is refused as an unsupported media type (415).
  uploadCaseAttachment: {
    expect: caseStaff,
    request: async (f) => ({ url: `/api/cases/${(await caseOfA(f, false)).caseId}/attachments` }),
  },
  listCaseAttachments: {
    expect: caseStaff,
    request: async (f) => ({ url: `/api/cases/${(await caseOfA(f, true)).caseId}/attachments` }),
  },
  downloadCaseAttachment: {
    expect: caseStaff,
    request: async (f) => {
      const { caseId, attachmentId } = await caseOfA(f, true);
      return { url: `/api/cases/${caseId}/attachments/${attachmentId}/content` };
    },
  },
};
