import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { operations } from '../../api/schema';
import { required } from '../identity/organisations/queries';

export { casePaths } from './paths';

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

/** A case file as the server shows it to the caller (identifying sections only when `revealed`). */
export type CaseFile = JsonOf<'getCaseFile', 200>;
/** A case in a list: nothing that identifies the survivor. */
export type CaseSummary = JsonOf<'listCases', 200>['items'][number];
/** One page of the case list. */
export type CasePage = JsonOf<'listCases', 200>;
/** The caseworker's dashboard. */
export type Dashboard = JsonOf<'getCaseDashboard', 200>;
/** An entry of a case: perpetrator, trafficking event, support-plan item, follow-up or comment. */
export type Entry = CaseFile['entries'][number];
/** The kind of an entry. */
export type EntryKind = Entry['kind'];
/** A consent record of a case. */
export type Consent = CaseFile['consents'][number];
/** A caseworker or case supervisor of the organisation. */
export type Staff = JsonOf<'listCaseStaff', 200>['items'][number];
/** What opening a case sends. */
export type CaseCreate = BodyOf<'createCaseFile'>;
/** What saving sections of a case sends. */
export type CaseUpdate = BodyOf<'updateCaseFile'>;
/** What adding an entry sends. */
export type EntryInput = BodyOf<'addCaseEntry'>;
/** What replacing an entry sends (comments are never edited). */
export type EntryUpdate = BodyOf<'updateCaseEntry'>;
/** What recording a consent sends. */
export type ConsentInput = BodyOf<'recordCaseConsent'>;
/** What a duplicate check sends. */
export type DuplicateCheckInput = BodyOf<'checkCaseDuplicates'>;
/** The organisation's cases that may be the same person. */
export type DuplicateMatch = JsonOf<'checkCaseDuplicates', 200>['matches'][number];
/** De-identified counts of the organisation's cases. */
export type Statistics = JsonOf<'getCaseStatistics', 200>;
/** One page of a case's access history. */
export type HistoryPage = JsonOf<'getCaseHistory', 200>;
/** A case's status (HTCDS `cas_Status`). */
export type CaseStatus = CaseFile['status'];
/** Filters of the case list. */
export type CaseListFilters = NonNullable<operations['listCases']['parameters']['query']>;
/** Which entries of a case's history to show. */
export type HistoryKind = NonNullable<
  NonNullable<operations['getCaseHistory']['parameters']['query']>['kind']
>;

/**
 * Query keys of the case pages. Everything starts with 'cases', so one invalidation refreshes every list
 * after a change, and signing out or switching organisation drops them with everything else.
 *
 * SECURITY: only answers WITHOUT identifying sections are cached under these keys. A revealed case file is
 * held in the case page's own state (see useCaseFile), so it disappears when the page closes instead of
 * lingering in the shared cache for half an hour.
 */
export const caseKeys = {
  all: ['cases'] as const,
  dashboard: ['cases', 'dashboard'] as const,
  list: (filters: CaseListFilters) => ['cases', 'list', filters] as const,
  staff: ['cases', 'staff'] as const,
  statistics: ['cases', 'statistics'] as const,
  file: (caseId: string) => ['cases', 'file', caseId] as const,
  history: (caseId: string, kind: HistoryKind, cursor: string | undefined) =>
    ['cases', 'history', caseId, kind, cursor ?? ''] as const,
};

/** A fresh key for one logical write, so a retry after a dropped connection cannot act twice. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

const idempotent = (key: string | undefined) => (key ? { headers: { 'Idempotency-Key': key } } : {});

/** The dashboard: my open cases, due follow-ups, recently updated cases, closures waiting for me. */
export function useDashboard() {
  return useQuery({
    queryKey: caseKeys.dashboard,
    queryFn: ({ signal }) => required(api.GET('/api/cases/dashboard', { signal })),
  });
}

/** One page of cases with these filters. */
export function useCaseList(filters: CaseListFilters) {
  return useQuery({
    queryKey: caseKeys.list(filters),
    queryFn: ({ signal }) => required(api.GET('/api/cases', { params: { query: filters }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** The organisation's caseworkers and supervisors (to assign, restrict, or give a follow-up to). */
export function useCaseStaff(enabled = true) {
  return useQuery({
    queryKey: caseKeys.staff,
    queryFn: ({ signal }) => required(api.GET('/api/cases/staff', { signal })),
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** The organisation's de-identified statistics. */
export function useStatistics() {
  return useQuery({
    queryKey: caseKeys.statistics,
    queryFn: ({ signal }) => required(api.GET('/api/cases/statistics', { signal })),
  });
}

/** One page of a case's access history (supervisors). */
export function useCaseHistory(caseId: string, kind: HistoryKind, cursor: string | undefined) {
  return useQuery({
    queryKey: caseKeys.history(caseId, kind, cursor),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/cases/{caseId}/history', {
          params: { path: { caseId }, query: { kind, cursor } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    // Every read of the history is itself audited: asking again on each focus would fill the trail.
    staleTime: Infinity,
  });
}

/** A case file; with `reveal`, its identifying sections too (the server wants a recent step-up for that). */
export function fetchCaseFile(caseId: string, reveal: boolean, signal?: AbortSignal): Promise<CaseFile> {
  return required(
    api.GET('/api/cases/{caseId}', {
      params: { path: { caseId }, query: { reveal: reveal ? 'true' : 'false' } },
      signal,
    }),
  );
}

/** Opens a case (an intake, or a draft of one). */
export function createCaseFile(body: CaseCreate, idempotencyKey?: string): Promise<CaseFile> {
  return required(api.POST('/api/cases', { body, ...idempotent(idempotencyKey) }));
}

/** Saves sections of a case; `version` is the one the editor started from (409 when stale). */
export function updateCaseFile(caseId: string, body: CaseUpdate): Promise<CaseFile> {
  return required(api.PATCH('/api/cases/{caseId}', { params: { path: { caseId } }, body }));
}

/** Adds an entry to a case. */
export function addEntry(caseId: string, body: EntryInput, idempotencyKey?: string): Promise<Entry> {
  return required(
    api.POST('/api/cases/{caseId}/entries', {
      params: { path: { caseId } },
      body,
      ...idempotent(idempotencyKey),
    }),
  );
}

/** Replaces an entry. */
export function updateEntry(caseId: string, entryId: string, body: EntryUpdate): Promise<Entry> {
  return required(
    api.PUT('/api/cases/{caseId}/entries/{entryId}', { params: { path: { caseId, entryId } }, body }),
  );
}

/** Records a consent. */
export function recordConsent(caseId: string, body: ConsentInput, idempotencyKey?: string): Promise<Consent> {
  return required(
    api.POST('/api/cases/{caseId}/consents', {
      params: { path: { caseId } },
      body,
      ...idempotent(idempotencyKey),
    }),
  );
}

/** Revokes a consent. */
export function revokeConsent(caseId: string, consentId: string): Promise<Consent> {
  return required(
    api.POST('/api/cases/{caseId}/consents/{consentId}/revoke', { params: { path: { caseId, consentId } } }),
  );
}

/** Sets who works on a case (supervisors). */
export function setAssignments(caseId: string, body: BodyOf<'setCaseAssignments'>): Promise<CaseFile> {
  return required(api.PUT('/api/cases/{caseId}/assignments', { params: { path: { caseId } }, body }));
}

/** Restricts a case to named staff, or lifts it (supervisors). */
export function setRestriction(caseId: string, body: BodyOf<'setCaseRestriction'>): Promise<CaseFile> {
  return required(api.PUT('/api/cases/{caseId}/restriction', { params: { path: { caseId } }, body }));
}

/** Asks for a case to be closed. */
export function requestClosure(caseId: string, body: BodyOf<'requestCaseClosure'>): Promise<CaseFile> {
  return required(api.POST('/api/cases/{caseId}/closure-request', { params: { path: { caseId } }, body }));
}

/** Approves or rejects a pending closure (supervisors). */
export function decideClosure(caseId: string, decision: 'approve' | 'reject'): Promise<CaseFile> {
  return required(
    api.POST('/api/cases/{caseId}/closure-decision', { params: { path: { caseId } }, body: { decision } }),
  );
}

/** Reopens a closed case (supervisors). */
export function reopenCase(caseId: string, reason: string): Promise<CaseFile> {
  return required(api.POST('/api/cases/{caseId}/reopen', { params: { path: { caseId } }, body: { reason } }));
}

/** Opens a case outside the supervisor's scope for an hour (needs a step-up and a written reason). */
export function breakGlass(caseId: string, reason: string) {
  return required(
    api.POST('/api/cases/{caseId}/break-glass', { params: { path: { caseId } }, body: { reason } }),
  );
}

/** Asks whether the organisation already has a case for this person (compared as keyed digests only). */
export function checkDuplicates(body: DuplicateCheckInput, signal?: AbortSignal) {
  return required(api.POST('/api/cases/duplicate-checks', { body, signal }));
}
