/**
 * The audit events of the identity module. SECURITY: details carry ids, roles, tiers and reasons' presence —
 * never passwords, codes, tokens or email addresses.
 */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'identity.signed_in': { level: 'partial' | 'full'; method: 'password' | 'passkey' };
    'identity.sign_in_failed': { reason: 'credentials' | 'throttled' };
    'identity.second_factor_passed': { method: 'passkey' | 'totp' | 'recovery_code' };
    'identity.signed_out': Record<string, never>;
    'identity.session_revoked': { count: number };
    'identity.active_membership_changed': { membershipId: string };
    'identity.password_changed': { via: 'change' | 'reset' };
    'identity.password_reset_requested': Record<string, never>;
    'identity.totp_enrolled': Record<string, never>;
    'identity.totp_removed': Record<string, never>;
    'identity.passkey_added': { passkeyId: string };
    'identity.passkey_removed': { passkeyId: string };
    'identity.recovery_codes_generated': { count: number };
    'identity.step_up_passed': Record<string, never>;
    'identity.organisation_applied': { type: string; countries: string[] };
    'identity.organisation_listed': { type: string; countries: string[] };
    'identity.organisation_approved': { tier: string; expiresAt: string };
    'identity.organisation_info_requested': Record<string, never>;
    'identity.organisation_info_provided': Record<string, never>;
    'identity.organisation_rejected': Record<string, never>;
    'identity.organisation_suspended': { sessionsEnded: number };
    'identity.organisation_reinstated': Record<string, never>;
    'identity.organisation_tier_renewed': { tier: string; expiresAt: string };
    'identity.member_invited': { role: string; invitationId: string };
    'identity.invitation_revoked': { invitationId: string };
    'identity.invitation_accepted': { invitationId: string; membershipId: string };
    'identity.member_role_changed': { membershipId: string; from: string; to: string };
    'identity.member_removed': { membershipId: string };
    'identity.settings_changed': { key: string; value: string };
  }
}

declare module '../../kernel/bus/bus.js' {
  interface CairnEvents {
    /** An organisation's status or tier changed (approved, suspended, reinstated, renewed, …). */
    'identity.organisation_vetting_changed': { organisationId: string };
  }
}

export {};
