import { fullAndEnrolled, publicRoute, type Row } from '../../test/matrix.js';
import { importMatrix } from './directory.import.matrix.js';
import { peopleMatrix } from './directory.people.matrix.js';
import { searchMatrix } from './directory.search.matrix.js';
import { supportMatrix } from './directory.support.matrix.js';

/** Organisation A's admins (gate: org_admin; B's admin passes the gate and meets 404). */
const ownAdmins = { ...fullAndEnrolled, default: 403, org_admin: 'ok', other_admin: 404 } as const;

/** The directory's rows of the access matrix (server/access-matrix.test.ts): one per operation. */
export const directoryMatrix: Record<string, Row> = {
  ...searchMatrix,
  ...supportMatrix,
  ...peopleMatrix,
  ...importMatrix,
  // --- profiles and the gazetteer (directory.profiles.*) ---
  getProfile: { expect: publicRoute },
  saveProfile: {
    // Signed in at the gate; the service lets A's admins and platform admins edit, and hides A from others.
    expect: { ...ownAdmins, platform_admin: 'ok', moderator: 404 },
    request: () => ({ payload: { countries: ['KE'] } }),
  },
  getPartners: { expect: ownAdmins },
  setPartners: { expect: ownAdmins, request: () => ({ payload: { organisationIds: [] } }) },
  searchPlaces: { expect: publicRoute, request: () => ({ url: '/api/directory/places?q=Nairobi' }) },
  listRegions: { expect: publicRoute, request: () => ({ url: '/api/directory/regions?country=KE' }) },
};
