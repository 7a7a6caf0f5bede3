import type { CairnModule } from '../kernel/kernel.js';
import { casesModule } from './cases/index.js';
import { directoryModule } from './directory/index.js';
import { identityModule } from './identity/index.js';
import { journeysModule } from './journeys/index.js';
import { matchingModule } from './matching/index.js';
import { referralsModule } from './referrals/index.js';
import { systemModule } from './system/index.js';

/** Every module of Cairn, in the order of the module graph (docs/ARCHITECTURE.md). No autoload. */
export const modules: CairnModule[] = [
  systemModule,
  identityModule,
  directoryModule,
  casesModule,
  journeysModule,
  referralsModule,
  matchingModule,
];
