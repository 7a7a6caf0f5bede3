import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { messageRoutes } from './referrals.messages.routes.js';
import { setupMessages } from './referrals.messages.service.js';
import { referralRoutes } from './referrals.routes.js';
import { seedReferrals } from './referrals.seed.js';
import { setupReferrals } from './referrals.service.js';
import { transferRoutes } from './referrals.transfers.routes.js';
import { setupTransfers } from './referrals.transfers.service.js';

/** The referrals module: referrals and transfers of case files across organisations, and their message threads. */
export const referralsModule: CairnModule = {
  name: 'referrals',
  description:
    'Referrals and transfers of case files to other organisations, with only what the survivor consented to share; secure message threads.',
  seed: seedReferrals,
  setup: (kernel) => {
    setupReferrals(kernel);
    setupTransfers(kernel);
    setupMessages(kernel);
  },
  routes: async (app: FastifyInstance) => {
    await app.register(referralRoutes);
    await app.register(transferRoutes);
    await app.register(messageRoutes);
  },
};

// For modules that build on referrals: making their subjects something a message thread can be about.
export { registerThreadSubject } from './referrals.threads.js';
export type { ThreadParties, ThreadSubjectResolver } from './referrals.subjects.js';
