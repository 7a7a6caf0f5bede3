/**
 * The audit events of message threads. SECURITY: details carry ids, kinds, codes and counts — never a message's
 * text, an attachment's name, or who was mentioned by name (those are sealed in referrals_messages).
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'referrals.message_thread_opened': { threadId: string; subjectKind: string; subjectId: string };
    'referrals.message_thread_read': {
      threadId: string;
      subjectKind: string;
      subjectId: string;
      messages: number;
    };
    'referrals.message_posted': {
      threadId: string;
      messageId: string;
      subjectKind: string;
      mentions: number;
      attachment: { kind: string; mediaType: string; sizeBytes: number } | null;
    };
    'referrals.message_read_marked': { threadId: string };
    'referrals.message_attachment_downloaded': {
      threadId: string;
      messageId: string;
      subjectKind: string;
      kind: string;
    };
  }
}

export {};
