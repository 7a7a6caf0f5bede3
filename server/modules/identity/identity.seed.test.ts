import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, platformRoles } from '../../kernel/access/roles.js';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { ensureDemoData } from '../../kernel/seed.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { identityModule } from './index.js';
import { demoPassword } from './identity.seed.js';

describe('identity demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates a person for every role once, and remembers them on the next start', async () => {
    const first = await ensureDemoData(t.app.kernel, [identityModule]);
    expect(first.created).toBe(true);
    const shown = new Set(first.accounts.map((a) => a.role));
    for (const role of [...roles, ...platformRoles]) expect(shown.has(role), role).toBe(true);
    const again = await ensureDemoData(t.app.kernel, [identityModule]);
    expect(again).toEqual({ accounts: first.accounts, created: false });
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
  });

  it('lets a newcomer sign in with the printed password (and second factor for case roles)', async () => {
    const signIn = (email: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password: demoPassword } });
    expect((await signIn('member@demo.cairn')).json()).toEqual({ status: 'signed_in', factors: [] });
    expect((await signIn('caseworker@demo.cairn')).json()).toEqual({
      status: 'second_factor_required',
      factors: ['totp'],
    });
  });
});
