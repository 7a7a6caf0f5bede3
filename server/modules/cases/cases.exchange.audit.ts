/**
 * The audit events of HTCDS exchange. SECURITY: details carry ids, counts, formats and flags — never a value
 * from a case file, a file name (it may name a survivor) or an archive password.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'cases.export_requested': {
      requestId: string;
      scope: string;
      cases: number;
      format: string;
      identifying: boolean;
    };
    'cases.export_decided': { requestId: string; decision: string; cases: number };
    'cases.cases_exported': {
      requestId: string | null;
      cases: number;
      skipped: number;
      format: string;
      identifying: boolean;
    };
    'cases.import_checked': { importId: string; format: string; cases: number; issues: number };
    'cases.cases_imported': { importId: string; format: string; created: number };
  }
}

export {};
