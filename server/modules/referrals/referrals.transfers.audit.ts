/**
 * The audit events of transfers. SECURITY: details carry ids, states, flags and counts — never a note, a
 * reason or anything from the case (those are sealed). Each transition is written to the trail of the
 * organisation that took it; the move of the case itself is written to both organisations' trails by the cases
 * module (`cases.case_transferred_out`, `cases.case_transferred_in`).
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'referrals.transfer_requested': {
      caseId: string;
      recipientOrganisationId: string;
      keepRecord: boolean;
      newPartner: boolean;
    };
    'referrals.transfer_accepted': {
      caseId: string;
      senderOrganisationId: string;
      recordKept: boolean;
      reference: string;
    };
    'referrals.transfer_rejected': { caseId: string; senderOrganisationId: string };
    'referrals.transfer_revoked': { caseId: string; recipientOrganisationId: string };
    /** A case supervisor of the sender opened its read-only record of a transferred case. */
    'referrals.transfer_record_read': { caseId: string };
  }
}

export {};
