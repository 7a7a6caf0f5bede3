import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { importRoutes } from './directory.import.routes.js';
import { setupProfileNudges } from './directory.nudges.js';
import { peopleRoutes } from './directory.people.routes.js';
import { profileRoutes } from './directory.profiles.routes.js';
import { closeDirectorySearch, directorySearchOf } from './directory.search.engine.js';
import { searchRoutes } from './directory.search.routes.js';
import { seedDirectory } from './directory.seed.js';
import { supportRoutes } from './directory.support.routes.js';
import './directory.audit.js';

/** The directory module: organisation profiles, people, search and the map, find support, import and export. */
export const directoryModule: CairnModule = {
  name: 'directory',
  description:
    'Organisation and professional profiles, search and the map, find support for a case, import and export.',
  seed: seedDirectory,
  setup: (kernel) => {
    setupProfileNudges(kernel);
    // A suspension or a new tier reaches this process's search index before the answer to the change is sent;
    // other processes learn it from the database's notification a moment later.
    kernel.bus.on('identity.organisation_vetting_changed', ({ organisationId }) => {
      directorySearchOf(kernel).invalidate([organisationId]);
    });
  },
  // The search index loads while the server already answers (a first search would otherwise wait for it).
  warmUp: (kernel) => directorySearchOf(kernel).ready(),
  routes: async (app: FastifyInstance, kernel) => {
    // Before the database closes: the index stops listening (and the search thread, if any, stops).
    app.addHook('onClose', () => closeDirectorySearch(kernel));
    await app.register(profileRoutes);
    await app.register(searchRoutes);
    await app.register(supportRoutes);
    await app.register(peopleRoutes);
    await app.register(importRoutes);
  },
};

export { rebuildSearchEntries } from './directory.profiles.service.js';
export { exploitationTypes, industries } from './directory.vocabulary.js';
// For the referrals module: the services a referral asks for are the directory's.
export { services, type Service } from './directory.vocabulary.js';
export { placeById, regionName } from './directory.gazetteer.js';
export { languageCodeSchema, regionCodeSchema } from './directory.profiles.schemas.js';

// For the cases module's HTCDS import (cases.exchange.*): gazetteer look-ups by name and region, and the
// upload checks (zip inspection before any reader runs, the size limit, file-name rule) it shares.
export { fold, regionsOf, searchPlaces } from './directory.gazetteer.js';
export { inspectZip, maxImportBytes } from './directory.import.files.js';
export { isPlainFileName } from './directory.import.schemas.js';
export { directorySupportRequests, directorySupportRecipients } from './directory.tables.js';

// For the referrals module's message threads about a support request: who its two sides are, by the directory's rules.
export { supportRequestSidesFor, type SupportRequestSides } from './directory.support.parties.js';

// For the matching module: a member writes to another organisation's matching focal point through Cairn (no
// email address shown), with the directory's own rules for messages (limits, mail, audit).
export { sendContactMessage, type ContactReach } from './directory.people.service.js';
export {
  contactMessageInputSchema,
  contactMessageSchema,
  type ContactMessage,
  type ContactMessageInput,
} from './directory.people.schemas.js';
