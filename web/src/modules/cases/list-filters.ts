import type { CaseListFilters } from './api';
import { CASE_STATUSES, isOneOf } from './vocabulary';

/** Reads the case list's filters from the address, so a filtered list can be bookmarked and shared. */
export function filtersOf(params: URLSearchParams, supervisor: boolean): CaseListFilters {
  const scope = params.get('scope');
  const status = params.get('status');
  const closurePending = params.get('closurePending');
  return {
    // Only supervisors see the organisation's cases; anyone else asking for them would get their own.
    scope: supervisor && scope === 'organisation' ? 'organisation' : 'mine',
    status: isOneOf(CASE_STATUSES, status) ? status : undefined,
    closurePending: closurePending === 'true' || closurePending === 'false' ? closurePending : undefined,
  };
}
