import { and, asc, eq } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { casesFiles, closedStatuses, recordConsent, type CaseSection } from '../cases/index.js';
import type { Service } from '../directory/index.js';
import { demoContext } from '../identity/index.js';
import { openThread, postMessage } from './referrals.messages.service.js';
import type { Referral, ReferralTransitionInput } from './referrals.schemas.js';
import { createReferral, transitionReferral } from './referrals.service.js';
import { requestTransfer } from './referrals.transfers.service.js';

/**
 * Demo referrals for `npm start`, from the demo NGO in Kenya/Uganda to the one in the Mekong region: one in
 * each stage a newcomer should see (sent, acknowledged, accepted with a conversation, completed with an
 * outcome), and a transfer the other way waiting for Tumaini's case supervisor to decide (once accepted, Mekong's
 * case supervisor opens the record it kept). Invented, like the demo cases they refer; made through the same
 * use cases as the API, so consent is checked, text sealed and every step audited.
 */

const tumainiWorker = 'caseworker.tumaini@demo.cairn';
const mekongWorker = 'caseworker@demo.cairn';

type Step = Omit<ReferralTransitionInput, 'version'>;

interface DemoReferral {
  from: 'tumaini' | 'mekong';
  /** Which open demo case of the sender, in the order the cases seed made them. */
  caseIndex: number;
  services: Service[];
  sections: CaseSection[];
  note: string;
  /** Steps after sending, each taken by the side the state machine gives it. */
  steps: Step[];
  messages?: { from: 'tumaini' | 'mekong'; text: string }[];
}

const demoReferrals: DemoReferral[] = [
  {
    from: 'tumaini',
    caseIndex: 0,
    services: ['medical', 'shelter'],
    sections: ['profile', 'supportPlan'],
    note: 'Counselling done; she wants a safe place while her return is arranged. (Demo referral.)',
    steps: [
      { to: 'acknowledged' },
      { to: 'accepted' },
      { to: 'in_progress' },
      { to: 'completed', outcome: 'services_delivered', outcomeNote: 'Stayed four weeks; went home safely.' },
    ],
  },
  {
    from: 'tumaini',
    caseIndex: 0,
    services: ['legal_aid'],
    sections: ['profile', 'victim'],
    note: 'Help with a claim for the withheld wages, please. (Demo referral.)',
    steps: [{ to: 'acknowledged' }, { to: 'accepted' }],
    messages: [
      { from: 'mekong', text: 'We accepted. Is there a good time of day to call her?' },
      { from: 'tumaini', text: 'Mornings, through our office. We will join the first call.' },
      { from: 'mekong', text: 'Thank you. We have booked Thursday at 9:00.' },
    ],
  },
  {
    from: 'tumaini',
    caseIndex: 0,
    services: ['vocational_training'],
    sections: ['profile'],
    note: 'She would like to finish the tailoring course near her family. (Demo referral.)',
    steps: [],
  },
  {
    from: 'tumaini',
    caseIndex: 1,
    services: ['shelter'],
    sections: ['profile'],
    note: 'A school place near a shelter is what matters most. (Demo referral.)',
    steps: [{ to: 'acknowledged' }],
  },
];

interface Side {
  ctx: Ctx;
  organisationId: string;
  /** The side's open (not draft, not closed) demo cases, oldest first. */
  cases: string[];
}

async function sideOf(kernel: Kernel, email: string): Promise<Side> {
  const ctx = await demoContext(kernel, email);
  if (ctx.actor.kind !== 'person' || !ctx.actor.membership) throw new Error(`${email} has no membership`);
  const organisationId = ctx.actor.membership.organisationId;
  const rows = await inTransaction(kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    return tx
      .select({ id: casesFiles.id, status: casesFiles.status })
      .from(casesFiles)
      .where(and(eq(casesFiles.organisationId, organisationId), eq(casesFiles.draft, false)))
      .orderBy(asc(casesFiles.createdAt), asc(casesFiles.reference));
  });
  const open = rows.filter((row) => !(closedStatuses as readonly string[]).includes(row.status));
  return { ctx, organisationId, cases: open.map((row) => row.id) };
}

const today = () => new Date().toISOString().slice(0, 10);

/** Seeds the demo referrals and transfer (after the cases module: it refers the demo cases). */
export async function seedReferrals(kernel: Kernel): Promise<DemoAccount[]> {
  const sides = { tumaini: await sideOf(kernel, tumainiWorker), mekong: await sideOf(kernel, mekongWorker) };
  const other = (from: keyof typeof sides) => sides[from === 'tumaini' ? 'mekong' : 'tumaini'];
  // The survivors' recorded consent to each referral's recipient comes first, as the API demands.
  const consented = new Set<string>();
  for (const demo of demoReferrals) {
    const sender = sides[demo.from];
    const caseId = sender.cases[demo.caseIndex]!;
    if (consented.has(caseId)) continue;
    consented.add(caseId);
    await recordConsent(sender.ctx, caseId, {
      purpose: 'Referral',
      recipientOrganisationId: other(demo.from).organisationId,
      sections: ['profile', 'victim', 'supportPlan'],
      givenOn: today(),
    });
  }
  for (const [index, demo] of demoReferrals.entries()) {
    const sender = sides[demo.from];
    const recipient = other(demo.from);
    let referral: Referral = await createReferral(sender.ctx, {
      caseId: sender.cases[demo.caseIndex]!,
      recipientOrganisationId: recipient.organisationId,
      services: demo.services,
      sections: demo.sections,
      overrideSections: [],
      note: demo.note,
      acknowledgeWithinHours: 48,
    });
    // Only the first referral between the two organisations asks to confirm the new partner.
    referral = await transitionReferral(sender.ctx, referral.id, {
      to: 'sent',
      version: referral.version,
      ...(index === 0 ? { confirmNewPartner: true } : {}),
    });
    for (const step of demo.steps)
      referral = await transitionReferral(recipient.ctx, referral.id, { ...step, version: referral.version });
    if (demo.messages) {
      const { thread } = await openThread(recipient.ctx, { subjectKind: 'referral', subjectId: referral.id });
      for (const message of demo.messages)
        await postMessage(sides[message.from].ctx, thread.id, { text: message.text, mentions: [] });
    }
  }
  // A transfer waiting for Tumaini's case supervisor: Mekong's case (no open referral: such a case cannot
  // move), with the survivor's consent to it.
  const mekong = sides.mekong;
  await recordConsent(mekong.ctx, mekong.cases[0]!, {
    purpose: 'Transfer',
    recipientOrganisationId: sides.tumaini.organisationId,
    sections: ['profile', 'victim', 'supportPlan'],
    givenOn: today(),
  });
  await requestTransfer(mekong.ctx, {
    caseId: mekong.cases[0]!,
    recipientOrganisationId: sides.tumaini.organisationId,
    keepRecord: true,
    note: 'He has moved to Nairobi and asked to be followed there. (Demo transfer.)',
    confirmNewPartner: false,
  });
  return [];
}
