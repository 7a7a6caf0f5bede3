/**
 * The audit events of the cases module. SECURITY: details carry ids, section names, codes and counts — never
 * a value from a case file, a reason or a note (those are sealed in the case's own tables).
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'cases.case_created': { reference: string; draft: boolean; sections: string[] };
    'cases.case_updated': { version: number; sections: string[]; completed: boolean };
    'cases.case_read': { sections: string[]; revealed: boolean; via: string };
    'cases.entry_added': { entryId: string; kind: string };
    'cases.entry_updated': { entryId: string; kind: string };
    'cases.consent_recorded': { consentId: string; purpose: string; sections: string[] };
    'cases.consent_revoked': { consentId: string; purpose: string };
    'cases.assignments_changed': { count: number };
    'cases.restriction_changed': { restricted: boolean; named: number };
    'cases.closure_requested': { status: string };
    'cases.closure_approved': { status: string };
    'cases.closure_rejected': { status: string };
    'cases.reopened': Record<string, never>;
    'cases.break_glass_opened': { until: string };
    'cases.duplicates_checked': { matches: number };
    'cases.access_history_viewed': Record<string, never>;
  }
}

export {};
