import type { Row } from '../../test/matrix.js';

/** Access-matrix rows of the directory's search operations (server/access-matrix.test.ts). */
export const searchMatrix: Record<string, Row> = {};
