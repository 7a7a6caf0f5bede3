/**
 * The referral's vocabularies and its state machine, as data. The policy (referrals.policy.ts) reads the
 * transition table; nothing else decides which state may follow which.
 */

/** Where a referral stands (issue 6): draft → sent → acknowledged → accepted | declined → in_progress → … */
export const referralStates = [
  'draft',
  'sent',
  'acknowledged',
  'accepted',
  'declined',
  'in_progress',
  'completed',
  'closed',
  'cancelled',
] as const;
export type ReferralState = (typeof referralStates)[number];

/** States a referral never leaves. */
export const endStates: readonly ReferralState[] = ['declined', 'completed', 'closed', 'cancelled'];

/**
 * SECURITY: the only states in which the recipient may read the shared sections of the case (and only while
 * the survivor's consent, or a supervisor's override, still covers them).
 */
export const caseReadableStates: readonly ReferralState[] = ['acknowledged', 'accepted', 'in_progress'];

/** How a completed referral ended, so the sender learns what happened. */
export const referralOutcomes = [
  'services_delivered',
  'survivor_declined',
  'could_not_contact',
  'other',
] as const;
export type ReferralOutcome = (typeof referralOutcomes)[number];

/** How soon the recipient should act. */
export const referralUrgencies = ['normal', 'urgent', 'emergency'] as const;
export type ReferralUrgency = (typeof referralUrgencies)[number];

/** A support request's urgency (directory vocabulary) as a referral's. */
export const urgencyOfSupportRequest: Record<string, ReferralUrgency> = {
  emergency: 'emergency',
  within_days: 'urgent',
  within_weeks: 'normal',
};

/** The two parties of a referral. */
export const referralSides = ['sender', 'recipient'] as const;
export type ReferralSide = (typeof referralSides)[number];

/** What a transition must carry: a written reason (sealed), or an outcome. */
export type TransitionNeed = 'reason' | 'outcome' | null;

/** One allowed step of the state machine. */
export interface ReferralTransition {
  from: ReferralState;
  to: ReferralState;
  side: ReferralSide;
  needs: TransitionNeed;
}

const cancellable: readonly ReferralState[] = ['sent', 'acknowledged', 'accepted', 'in_progress'];

/**
 * Every allowed transition; anything not listed is impossible. `closed` is how either side ends a referral in
 * progress without completing it; `cancelled` ends it earlier (or discards the sender's draft).
 */
export const referralTransitions: readonly ReferralTransition[] = [
  { from: 'draft', to: 'sent', side: 'sender', needs: null },
  { from: 'draft', to: 'cancelled', side: 'sender', needs: null },
  { from: 'sent', to: 'acknowledged', side: 'recipient', needs: null },
  { from: 'acknowledged', to: 'accepted', side: 'recipient', needs: null },
  { from: 'acknowledged', to: 'declined', side: 'recipient', needs: 'reason' },
  { from: 'accepted', to: 'in_progress', side: 'recipient', needs: null },
  { from: 'in_progress', to: 'completed', side: 'recipient', needs: 'outcome' },
  { from: 'in_progress', to: 'closed', side: 'sender', needs: 'reason' },
  { from: 'in_progress', to: 'closed', side: 'recipient', needs: 'reason' },
  ...cancellable.flatMap((from) =>
    referralSides.map((side) => ({ from, to: 'cancelled' as const, side, needs: 'reason' as const })),
  ),
];

/** Hours the recipient has to acknowledge, when the sender does not say. */
export const defaultAcknowledgeHours = 48;
export const minAcknowledgeHours = 4;
/** A month: a longer deadline is no deadline. */
export const maxAcknowledgeHours = 720;

/** The reminder goes out once this share of the acknowledgement window is left. */
export const reminderShareOfWindow = 0.25;
/** How often the deadline sweep runs. */
export const deadlineSweepMinutes = 15;

/** Platform statistics: a cell below this is shown as suppressed (a small count can point at a person). */
export const platformStatisticsThreshold = 5;
