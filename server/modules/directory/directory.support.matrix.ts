import type { Row } from '../../test/matrix.js';

/** Access-matrix rows of the directory's support operations (server/access-matrix.test.ts). */
export const supportMatrix: Record<string, Row> = {};
