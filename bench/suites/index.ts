import type { Suite } from '../lib/context.js';
import { baselineSuite } from './baseline.js';
import { casesSuite } from './cases.js';
import { directorySuite } from './directory.js';
import { identitySuite } from './identity.js';
import { journeysImportSuite } from './journeys-import.js';
import { journeysSuite } from './journeys.js';
import { matchingSuite } from './matching.js';
import { referralsSuite } from './referrals.js';

/**
 * Every suite `npm run bench -- <name>` can run. An explicit list rather than a folder scan, so a suite is
 * found the same way everywhere; modules add theirs here (directory, cases, journeys, matching, referrals).
 */
export const suites: readonly Suite[] = [
  baselineSuite,
  identitySuite,
  directorySuite,
  casesSuite,
  referralsSuite,
  journeysSuite,
  journeysImportSuite,
  matchingSuite,
];

/** The suite with this name, or undefined. */
export function findSuite(name: string): Suite | undefined {
  return suites.find((suite) => suite.name === name);
}
