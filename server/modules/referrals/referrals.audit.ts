/**
 * The audit events of the referrals module (the referral part). SECURITY: details carry ids, section names,
 * state and outcome codes and counts — never a note, a reason or anything from the case (those are sealed).
 * Each event is written to the trail of the organisation that acted; the recipient's reads of the case are
 * written to the owner's trail by the cases module (`cases.case_read_shared`).
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'referrals.referral_created': {
      caseId: string;
      recipientOrganisationId: string;
      sections: string[];
      supportRequestId: string | null;
    };
    /** A draft was edited: the names of the fields given (never their values) and the sections now shared. */
    'referrals.referral_edited': { caseId: string; fields: string[]; sections: string[] };
    /** A case supervisor shared sections the survivor's consent does not cover (the reason is sealed). */
    'referrals.consent_overridden': { caseId: string; sections: string[] };
    'referrals.referral_sent': {
      recipientOrganisationId: string;
      sections: string[];
      newPartner: boolean;
      acknowledgeDueAt: string;
    };
    'referrals.referral_transitioned': {
      from: string;
      to: string;
      side: string;
      outcome: string | null;
    };
  }
}

export {};
