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

export { consentedSections } from './cases.entries.service.js';
export { caseSections, consentPurposes, type CaseSection, type ConsentPurpose } from './cases.vocabulary.js';
