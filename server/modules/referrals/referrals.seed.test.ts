import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit/audit.js';
import { queryRows } from '../../kernel/db/types.js';
import { ensureDemoData } from '../../kernel/seed.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { casesModule } from '../cases/index.js';
import { identityModule } from '../identity/index.js';
import { referralsModule } from './index.js';

describe('referrals demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    await ensureDemoData(t.app.kernel, [identityModule, casesModule, referralsModule]);
  }, 300_000);
  afterAll(() => t.close());

  it('refers demo cases between the demo organisations in several states, with a conversation and a transfer', async () => {
    // The owner connection: the demo spans organisations, and row-level security would show none of them.
    const { referrals, messages, transfers, consents } = await t.database.asOwner(async (owner) => ({
      referrals: await queryRows<{
        state: string;
        outcome: string | null;
        sender: string;
        recipient: string;
        note_sealed: string | null;
        threads: number;
      }>(
        owner,
        sql`select r.state, r.outcome, s.name as sender, c.name as recipient, r.note_sealed,
              (select count(*)::int from referrals_threads t
                where t.subject_kind = 'referral' and t.subject_id = r.id) as threads
            from referrals_referrals r
            join identity_organisations s on s.id = r.sender_organisation_id
            join identity_organisations c on c.id = r.recipient_organisation_id
            order by r.created_at`,
      ),
      messages: await queryRows<{ body: string }>(
        owner,
        sql`select row_to_json(m)::text as body from referrals_messages m`,
      ),
      transfers: await queryRows<{ state: string; keep_record: boolean; recipient: string }>(
        owner,
        sql`select t.state, t.keep_record, o.name as recipient from referrals_transfers t
            join identity_organisations o on o.id = t.recipient_organisation_id`,
      ),
      consents: await queryRows<{ purpose: string }>(
        owner,
        sql`select purpose from cases_consents where purpose in ('Referral', 'Transfer') order by purpose`,
      ),
    }));
    expect(referrals.map((r) => r.state).sort()).toEqual(['accepted', 'acknowledged', 'completed', 'sent']);
    expect(referrals.find((r) => r.state === 'completed')!.outcome).toBe('services_delivered');
    // Between two organisations in different countries, each referral past draft (sent and due).
    expect(new Set(referrals.map((r) => `${r.sender} → ${r.recipient}`))).toEqual(
      new Set(['Tumaini Safe Homes (demo) → Mekong Legal Aid Network (demo)']),
    );
    const accepted = referrals.find((r) => r.state === 'accepted')!;
    expect(accepted.threads).toBe(1);
    expect(messages.length).toBe(3);
    // Sealed at rest like any other referral: no demo sentence appears in a row.
    expect(referrals.every((r) => r.note_sealed?.startsWith('k1.v1.'))).toBe(true);
    const raw = JSON.stringify([referrals, messages]);
    expect(raw).not.toContain('Demo referral');
    expect(raw).not.toContain('Thursday');
    expect(transfers).toEqual([
      { state: 'requested', keep_record: true, recipient: 'Tumaini Safe Homes (demo)' },
    ]);
    expect(consents.map((c) => c.purpose)).toEqual(['Referral', 'Referral', 'Transfer']);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true });
  });
});
