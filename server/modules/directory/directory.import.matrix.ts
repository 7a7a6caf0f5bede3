import { fullAndEnrolled, staffOnly, type Caller, type Fixture, type Row } from '../../test/matrix.js';
import { directoryImports } from './directory.tables.js';

/**
 * A committed import owned by the caller (imports are their uploader's own: anyone else meets 404), so
 * staff pass the gate and meet a 200 (read) or a 409 (commit again).
 */
async function ownImportUrl(f: Fixture, caller: Caller, suffix = ''): Promise<{ url: string }> {
  const personId = f.people[caller];
  if (!personId) return { url: `/api/directory/imports/00000000-0000-4000-8000-000000000000${suffix}` };
  const [row] = await f.db
    .insert(directoryImports)
    .values({
      personId,
      fileName: 'matrix.csv',
      status: 'committed',
      report: {
        format: 'csv',
        columns: [],
        counts: { rows: 0, valid: 0, invalid: 0, issues: 0, created: 0 },
        issues: [],
        truncated: false,
      },
      expiresAt: new Date(Date.now() + 3_600_000),
    })
    .returning({ id: directoryImports.id });
  return { url: `/api/directory/imports/${row!.id}${suffix}` };
}

/** Access-matrix rows of the directory's import operations (server/access-matrix.test.ts). */
export const importMatrix: Record<string, Row> = {
  // Staff pass the gate (checked before the body is read) and meet 400: no file name, no file.
  checkImport: { expect: staffOnly },
  getImport: { expect: staffOnly, request: (f, caller) => ownImportUrl(f, caller) },
  commitImport: { expect: staffOnly, request: (f, caller) => ownImportUrl(f, caller, '/commit') },
  // Members of any organisation and platform staff; the export holds what they could see in search.
  exportDirectory: { expect: fullAndEnrolled },
};
