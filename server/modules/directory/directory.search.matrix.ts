import { publicRoute, type Row } from '../../test/matrix.js';

/** Access-matrix rows of the directory's search operations (server/access-matrix.test.ts). */
export const searchMatrix: Record<string, Row> = {
  searchDirectory: {
    expect: publicRoute,
    request: () => ({ url: '/api/directory/search?q=shelter&country=KE' }),
  },
  directoryMap: { expect: publicRoute, request: () => ({ url: '/api/directory/map?service=shelter' }) },
};
