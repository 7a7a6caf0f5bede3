import type { Row } from '../../test/matrix.js';

/** Access-matrix rows of the directory's import operations (server/access-matrix.test.ts). */
export const importMatrix: Record<string, Row> = {};
