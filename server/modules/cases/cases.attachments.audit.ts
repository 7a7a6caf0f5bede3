/**
 * The audit events of case attachments. SECURITY: details carry ids, kinds, media types, sizes and counts —
 * never a file name or anything from a file's content.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'cases.attachment_added': { attachmentId: string; kind: string; mediaType: string; sizeBytes: number };
    'cases.attachments_listed': { count: number; revealed: boolean; via: string };
    'cases.attachment_downloaded': { attachmentId: string; kind: string; via: string };
  }
}

export {};
