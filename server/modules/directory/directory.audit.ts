/**
 * The audit events of the directory module. SECURITY: details carry ids, counts and codes — never the text
 * of a support request or a message.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'directory.profile_updated': { offices: number; listed: boolean; hideExactLocation: boolean };
    'directory.partners_changed': { count: number };
    'directory.person_profile_updated': { published: boolean };
    'directory.contact_message_sent': { messageId: string };
    'directory.support_requested': { requestId: string; recipients: number };
    'directory.support_accepted': { requestId: string };
    'directory.support_declined': { requestId: string; reason: string };
    'directory.support_closed': { requestId: string };
    'directory.organisation_imported': { importId: string; countries: string[] };
    'directory.organisations_imported': { importId: string; created: number };
    'directory.results_exported': { format: string; count: number };
  }
}

export {};
