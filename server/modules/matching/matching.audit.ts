/**
 * The audit events of the matching module. SECURITY: details carry ids, selector types and counts — never a
 * selector, a title or anything a subject says.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'matching.lookup': { types: string[]; selectors: number; hits: number };
    'matching.subject_registered': { kind: string; types: string[]; selectors: number; matches: number };
    'matching.subject_viewed': Record<string, never>;
    'matching.subject_closed': Record<string, never>;
    'matching.match_found': { types: string[] };
    'matching.match_updated': { action: string; from: string; to: string };
    'matching.lookup_spike': { lookups: number; threshold: number };
    'matching.rescreened': { selectors: number; names: number; matches: number };
    'matching.participation_changed': { off: string[]; on: string[] };
    'matching.case_screened': {
      caseId: string;
      types: string[];
      selectors: number;
      victim: boolean;
      matches: number;
    };
    'matching.quota_changed': {
      from: { perPerson: number | null; perOrganisation: number | null };
      to: { perPerson: number | null; perOrganisation: number | null };
    };
    'matching.focal_point_changed': { personId: string | null };
    'matching.focal_point_contacted': Record<string, never>;
    'matching.case_subject_closed': { reason: 'transferred' | 'case_closed' | 'nothing_to_match' };
  }
}

export {};
