import { z } from 'zod';
import { platformRoles, roles } from '../../kernel/access/roles.js';
import { passwordMaxLength, passwordProblem } from './identity.passwords.js';
import { organisationStatuses, organisationTypes, tiers } from './identity.vocabulary.js';

export const emailSchema = z.email().max(320);

/** A new password: checked for length, commonness and closeness to the account (message keys in i18n). */
export const newPasswordSchema = z
  .string()
  .max(passwordMaxLength * 4)
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { i18n: problem } });
  });

export const signInBodySchema = z.strictObject({
  email: emailSchema,
  // Any existing password is accepted for checking, however it was chosen; only new ones are judged.
  password: z.string().min(1).max(1024),
});

export const factorKindSchema = z.enum(['passkey', 'totp', 'recovery_code']);

export const signInResultSchema = z
  .object({
    status: z.enum(['signed_in', 'second_factor_required']),
    factors: z.array(factorKindSchema).describe('Second factors the person can use to finish signing in'),
  })
  .meta({ id: 'SignInResult' });

export const membershipSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(roles),
    organisation: z.object({
      id: z.uuid(),
      name: z.string(),
      type: z.enum(organisationTypes),
      status: z.enum(organisationStatuses),
      tier: z.enum(tiers).nullable(),
    }),
  })
  .meta({ id: 'Membership' });

export const meSchema = z
  .object({
    person: z.object({
      id: z.uuid(),
      email: z.string(),
      displayName: z.string(),
      platformRole: z.enum(platformRoles).nullable(),
      language: z.string(),
    }),
    level: z.enum(['partial', 'full']),
    memberships: z.array(membershipSchema),
    activeMembershipId: z.uuid().nullable(),
    factors: z.object({ passkeys: z.number().int(), totp: z.boolean(), recoveryCodesLeft: z.number().int() }),
    requiredFactor: z.enum(['passkey', 'passkey_or_totp']),
    hasRequiredFactor: z.boolean(),
    abilities: z.object({
      moderate: z.boolean(),
      administerPlatform: z.boolean(),
      administerOrganisation: z.boolean(),
    }),
  })
  .meta({ id: 'Me' });

export const activeMembershipBodySchema = z.strictObject({ membershipId: z.uuid() });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    current: z.boolean(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'Session' });

export const sessionIdParamsSchema = z.object({ sessionId: z.uuid() });

export const changePasswordBodySchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: newPasswordSchema,
});

export const resetRequestBodySchema = z.strictObject({ email: emailSchema });
export const resetCompleteBodySchema = z.strictObject({
  token: z.string().min(20).max(100),
  newPassword: newPasswordSchema,
});

export const acceptedSchema = z.object({ status: z.literal('accepted') }).meta({ id: 'Accepted' });
