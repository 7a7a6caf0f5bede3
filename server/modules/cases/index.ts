import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { attachmentRoutes } from './cases.attachments.routes.js';
import { registerAttachmentEncryption } from './cases.attachments.service.js';
import { registerCaseEncryption } from './cases.crypto.js';
import { registerExchangeEncryption } from './cases.exchange.import.js';
import { exchangeRoutes } from './cases.exchange.routes.js';
import { setupFollowUpReminders } from './cases.notifications.js';
import { caseRoutes } from './cases.routes.js';
import { seedCases } from './cases.seed.js';
import './cases.audit.js';
import './cases.attachments.audit.js';

/** The cases module: survivor case files on HTCDS v2, encrypted at rest, with consent and supervision. */
export const casesModule: CairnModule = {
  name: 'cases',
  description:
    'Survivor case files on the HTCDS v2 standard: intake, sections, support plan, follow-ups, consent, closure.',
  seed: seedCases,
  setup: (kernel) => {
    registerCaseEncryption(kernel);
    registerAttachmentEncryption(kernel);
    registerExchangeEncryption(kernel);
    setupFollowUpReminders(kernel);
  },
  routes: async (app: FastifyInstance) => {
    await app.register(caseRoutes);
    await app.register(attachmentRoutes);
    await app.register(exchangeRoutes);
  },
};

export { consentedSections, recordConsent } from './cases.entries.service.js';
// For the journeys module: a case's journey facts (codes only) and the event that says they changed.
export { caseJourneyFacts, type CaseJourneyFacts, type JourneyEvent } from './cases.journey.js';
// For the matching module: a case's selectors, opened in memory (perpetrators always; the survivor's by consent).
export { caseMatchingFacts, type CaseMatchingFacts } from './cases.matching.js';
export {
  caseSections,
  consentPurposes,
  recruitmentMethods,
  type CaseSection,
  type ConsentPurpose,
} from './cases.vocabulary.js';
export { casesAssignments, casesConsents, casesFiles } from './cases.tables.js';
export type { CaseFile } from './cases.schemas.js';
// For the referrals module: the sender's access to a case (this module's rules, and the same rule for lists),
// and the recipient's live read of exactly the shared sections (cases.shared.ts).
export { reachCase, type ReachedCase } from './cases.access.js';
export { visibleCases } from './cases.service.js';
export { readSharedCase, sharedCaseFileSchema, type SharedCaseFile } from './cases.shared.js';
export { closedStatuses } from './cases.vocabulary.js';

// For the referrals module's message attachments: the same content checks, encrypted storage and download headers.
export {
  acceptedMediaTypes,
  checkAttachment,
  contentDisposition,
  declaredFormat,
  downloadName,
  fileNameHeader,
  fileNameOf,
  maxAttachmentBytes,
  servedMediaTypes,
  attachmentKinds,
} from './cases.attachments.content.js';
export { decryptContent, encryptContent } from './cases.attachments.service.js';
export {
  downloadPolicy as attachmentDownloadPolicy,
  uploadHeadersSchema,
} from './cases.attachments.routes.js';

// For the referrals module's transfers: moving a case file to its new owner (cases.transfer.ts).
export {
  caseFileForTransfer,
  caseFileRecord,
  caseFileRecordSchema,
  moveCaseFile,
  transferConsentGiven,
  type CaseFileMove,
  type CaseFileRecord,
  type TransferableCase,
} from './cases.transfer.js';
