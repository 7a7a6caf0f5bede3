import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { queryRows } from '../../kernel/db/types.js';
import { ensureDemoData } from '../../kernel/seed.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { identityModule } from '../identity/index.js';
import { casesModule } from './index.js';

describe('cases demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    await ensureDemoData(t.app.kernel, [identityModule, casesModule]);
  }, 300_000);
  afterAll(() => t.close());

  it('opens demo cases for the demo caseworkers, sealed like any other, with a closed one and a draft', async () => {
    // The owner connection: the demo spans organisations, and row-level security would show none of them.
    const rows = await t.database.asOwner((owner) =>
      queryRows<{ status: string; draft: boolean; identity_sealed: string | null; entries: number }>(
        owner,
        sql`select f.status, f.draft, f.identity_sealed,
              (select count(*)::int from cases_entries e where e.case_id = f.id) as entries
            from cases_files f`,
      ),
    );
    expect(rows.length).toBe(5);
    expect(rows.filter((r) => r.status === 'Closed')).toHaveLength(1);
    expect(rows.filter((r) => r.draft)).toHaveLength(1);
    expect(rows.every((r) => r.identity_sealed?.startsWith('k1.v1.'))).toBe(true);
    expect(rows.reduce((sum, r) => sum + r.entries, 0)).toBeGreaterThanOrEqual(10);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain('Mwakyusa');
    expect(raw).not.toContain('DEMO-TZ-0001');
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
  });
});
