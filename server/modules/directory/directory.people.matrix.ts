import type { Row } from '../../test/matrix.js';

/** Access-matrix rows of the directory's people operations (server/access-matrix.test.ts). */
export const peopleMatrix: Record<string, Row> = {};
