/**
 * The audit events of route imports. SECURITY: ids, codes and counts only — never a cell of the file.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'journeys.import_checked': {
      importId: string;
      layout: string;
      format: string;
      rows: number;
      issues: number;
    };
    'journeys.import_commit_requested': { importId: string; rows: number };
    'journeys.routes_imported': { importId: string; layout: string; routes: number; legs: number };
  }
}

export {};
