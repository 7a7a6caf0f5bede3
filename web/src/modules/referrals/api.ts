import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { operations } from '../../api/schema';
import { required } from '../identity/organisations/queries';

type JsonOf<Op extends keyof operations, Status extends 200 | 201> = operations[Op]['responses'] extends {
  [S in Status]: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
type BodyOf<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : operations[Op] extends { requestBody?: { content: { 'application/json': infer Body } } }
    ? Body
    : never;

/** A referral as one party sees it: state, timeline, outcome, abilities (nothing from the case). */
export type Referral = JsonOf<'getReferral', 200>;
/** A referral in the sent or received list. */
export type ReferralSummary = JsonOf<'listReferrals', 200>['items'][number];
/** Where a referral stands. */
export type ReferralState = Referral['state'];
/** How a completed referral ended. */
export type ReferralOutcome = NonNullable<Referral['outcome']>;
/** How soon the recipient should act. */
export type ReferralUrgency = Referral['urgency'];
/** A case section, the unit of what a referral shares. */
export type CaseSection = Referral['sections'][number];
/** A service the directory knows. */
export type ReferralService = Referral['services'][number];
/** What creating a referral sends. */
export type ReferralCreate = BodyOf<'createReferral'>;
/** What editing a draft sends. */
export type ReferralUpdate = BodyOf<'updateReferral'>;
/** One step of a referral's state machine. */
export type ReferralTransition = BodyOf<'transitionReferral'>;
/** The shared sections of a referred case, as the recipient reads them. */
export type ReferralCase = JsonOf<'getReferralCase', 200>;
/** An organisation's referral statistics. */
export type ReferralStatistics = JsonOf<'getReferralStatistics', 200>;
/** Platform-wide referral counts for staff (null below the threshold). */
export type PlatformReferralStatistics = JsonOf<'getPlatformReferralStatistics', 200>;
/** Filters of the sent and received lists. */
export type ReferralListFilters = NonNullable<operations['listReferrals']['parameters']['query']>;
/** A transfer as one party sees it. */
export type Transfer = JsonOf<'getTransfer', 200>;
/** A transfer in a list. */
export type TransferSummary = JsonOf<'listTransfers', 200>['items'][number];
/** Where a transfer stands. */
export type TransferState = Transfer['state'];
/** What requesting a transfer sends. */
export type TransferCreate = BodyOf<'createTransfer'>;
/** Filters of the transfer lists. */
export type TransferListFilters = NonNullable<operations['listTransfers']['parameters']['query']>;
/** The sender's read-only record of a transferred case. */
export type TransferRecord = JsonOf<'getTransferRecord', 200>;
/** A message thread with a page of its messages. */
export type Thread = JsonOf<'getThread', 200>;
/** A thread without its messages. */
export type ThreadSummary = JsonOf<'listThreads', 200>['items'][number];
/** What a thread is about. */
export type ThreadSubjectKind = ThreadSummary['subjectKind'];
/** One message of a thread. */
export type Message = Thread['messages'][number];
/** Someone who may read a thread (and so be mentioned in it). */
export type ThreadParticipant = JsonOf<'listThreadParticipants', 200>['people'][number];
/** Unread messages per thread. */
export type UnreadCounts = JsonOf<'getUnreadThreadCounts', 200>;

/** Every referral state, in the order of the state machine. */
export const REFERRAL_STATES: readonly ReferralState[] = [
  'draft',
  'sent',
  'acknowledged',
  'accepted',
  'declined',
  'in_progress',
  'completed',
  'closed',
  'cancelled',
];
/** How a completed referral can end. */
export const REFERRAL_OUTCOMES: readonly ReferralOutcome[] = [
  'services_delivered',
  'survivor_declined',
  'could_not_contact',
  'other',
];
/** How urgent a referral is. */
export const REFERRAL_URGENCIES: readonly ReferralUrgency[] = ['normal', 'urgent', 'emergency'];
/** Every transfer state. */
export const TRANSFER_STATES: readonly TransferState[] = ['requested', 'accepted', 'rejected', 'revoked'];
/** The hours the recipient has to acknowledge, unless the sender says otherwise (as the server). */
export const DEFAULT_ACKNOWLEDGE_HOURS = 48;
export const MIN_ACKNOWLEDGE_HOURS = 4;
export const MAX_ACKNOWLEDGE_HOURS = 720;

/**
 * Query keys. Referral and transfer pages hold no survivor data except the recipient's shared case, which is
 * kept in the page's own state when revealed (as the case page does), never under these keys.
 */
export const referralKeys = {
  all: ['referrals'] as const,
  list: (filters: ReferralListFilters) => ['referrals', 'list', filters] as const,
  one: (id: string) => ['referrals', 'one', id] as const,
  sharedCase: (id: string) => ['referrals', 'case', id] as const,
  statistics: ['referrals', 'statistics'] as const,
  platformStatistics: ['referrals', 'platformStatistics'] as const,
  transfers: ['transfers'] as const,
  transferList: (filters: TransferListFilters) => ['transfers', 'list', filters] as const,
  transfer: (id: string) => ['transfers', 'one', id] as const,
  caseReferrals: (caseId: string) => ['referrals', 'ofCase', caseId] as const,
};

/** Keys of the message threads; every live event invalidates under 'threads'. */
export const threadKeys = {
  all: ['threads'] as const,
  unread: ['threads', 'unread'] as const,
  one: (id: string) => ['threads', 'one', id] as const,
  participants: (id: string) => ['threads', 'participants', id] as const,
  subjects: ['threads', 'subject'] as const,
  ofSubject: (kind: ThreadSubjectKind, id: string) => ['threads', 'subject', kind, id] as const,
};

/** A fresh key for one logical write, so a retry after a dropped connection cannot act twice. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
const idempotent = (key: string | undefined) => (key ? { headers: { 'Idempotency-Key': key } } : {});

/** One page of sent or received referrals. */
export function useReferralList(filters: ReferralListFilters, enabled = true) {
  return useQuery({
    queryKey: referralKeys.list(filters),
    queryFn: ({ signal }) => required(api.GET('/api/referrals', { params: { query: filters }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** One referral. */
export function useReferral(id: string) {
  return useQuery({
    queryKey: referralKeys.one(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/referrals/{referralId}', { params: { path: { referralId: id } }, signal })),
  });
}

/** The organisation's referral statistics. */
export function useReferralStatistics() {
  return useQuery({
    queryKey: referralKeys.statistics,
    queryFn: ({ signal }) => required(api.GET('/api/referrals/statistics', { signal })),
  });
}

/** The platform-wide referral counts (platform staff). */
export function usePlatformReferralStatistics() {
  return useQuery({
    queryKey: referralKeys.platformStatistics,
    queryFn: ({ signal }) => required(api.GET('/api/referrals/platform-statistics', { signal })),
  });
}

/** Creates a draft referral. */
export function createReferral(body: ReferralCreate, idempotencyKey?: string): Promise<Referral> {
  return required(api.POST('/api/referrals', { body, ...idempotent(idempotencyKey) }));
}

/** Edits a draft (the server refuses past draft, or a stale version). */
export function updateReferral(referralId: string, body: ReferralUpdate): Promise<Referral> {
  return required(api.PATCH('/api/referrals/{referralId}', { params: { path: { referralId } }, body }));
}

/** Takes one step of a referral's state machine (sending included). */
export function transitionReferral(
  referralId: string,
  body: ReferralTransition,
  idempotencyKey?: string,
): Promise<Referral> {
  return required(
    api.POST('/api/referrals/{referralId}/transitions', {
      params: { path: { referralId } },
      body,
      ...idempotent(idempotencyKey),
    }),
  );
}

/** The shared sections of a referred case; with `reveal`, the identifying ones too (needs a step-up). */
export function fetchReferralCase(referralId: string, reveal: boolean, signal?: AbortSignal) {
  return required(
    api.GET('/api/referrals/{referralId}/case', {
      params: { path: { referralId }, query: { reveal: reveal ? 'true' : 'false' } },
      signal,
    }),
  );
}

/** One page of sent or received transfers. */
export function useTransferList(filters: TransferListFilters, enabled = true) {
  return useQuery({
    queryKey: referralKeys.transferList(filters),
    queryFn: ({ signal }) => required(api.GET('/api/transfers', { params: { query: filters }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** One transfer. */
export function useTransfer(id: string) {
  return useQuery({
    queryKey: referralKeys.transfer(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/transfers/{transferId}', { params: { path: { transferId: id } }, signal })),
  });
}

/** Asks another organisation to take a case over. */
export function createTransfer(body: TransferCreate, idempotencyKey?: string): Promise<Transfer> {
  return required(api.POST('/api/transfers', { body, ...idempotent(idempotencyKey) }));
}

/** Accepts, rejects or revokes a transfer. */
export function decideTransfer(
  transferId: string,
  decision: 'accept' | 'reject' | 'revoke',
  reason?: string,
): Promise<Transfer> {
  const params = { path: { transferId } };
  if (decision === 'accept') return required(api.POST('/api/transfers/{transferId}/accept', { params }));
  if (decision === 'reject')
    return required(
      api.POST('/api/transfers/{transferId}/reject', { params, body: { reason: reason ?? '' } }),
    );
  return required(api.POST('/api/transfers/{transferId}/revoke', { params, body: { reason: reason ?? '' } }));
}

/** The sender's read-only record of a transferred case (case supervisors, after a step-up). */
export function fetchTransferRecord(transferId: string): Promise<TransferRecord> {
  return required(api.GET('/api/transfers/{transferId}/record', { params: { path: { transferId } } }));
}

/** A thread with its latest page of messages. */
export function useThread(threadId: string | undefined) {
  return useQuery({
    queryKey: threadKeys.one(threadId ?? ''),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/threads/{threadId}', { params: { path: { threadId: threadId ?? '' } }, signal }),
      ),
    enabled: Boolean(threadId),
  });
}

/** The people who may read a thread, for the mention picker (names only; kept a few minutes). */
export function useThreadParticipants(threadId: string) {
  return useQuery({
    queryKey: threadKeys.participants(threadId),
    queryFn: ({ signal }) =>
      required(api.GET('/api/threads/{threadId}/participants', { params: { path: { threadId } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** Opens (or finds) the thread about a subject with its other party. */
export function openThread(subjectKind: ThreadSubjectKind, subjectId: string, withOrganisationId?: string) {
  return required(api.POST('/api/threads', { body: { subjectKind, subjectId, withOrganisationId } }));
}

/** Writes a message. */
export function postMessage(threadId: string, text: string, mentions: string[], idempotencyKey?: string) {
  return required(
    api.POST('/api/threads/{threadId}/messages', {
      params: { path: { threadId } },
      body: { text, mentions },
      ...idempotent(idempotencyKey),
    }),
  );
}

/** Marks a thread read up to its latest message. */
export function markThreadRead(threadId: string) {
  return required(api.PUT('/api/threads/{threadId}/read', { params: { path: { threadId } } }));
}

/** Unread messages per thread, for the navigation. */
export function useUnreadCounts(enabled: boolean) {
  return useQuery({
    queryKey: threadKeys.unread,
    queryFn: ({ signal }) => required(api.GET('/api/threads/unread', { signal })),
    enabled,
    // The live stream invalidates this when a message arrives; no polling on a slow connection.
    staleTime: Infinity,
  });
}
