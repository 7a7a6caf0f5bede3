import { z } from 'zod';
import { roles } from '../../kernel/access/roles.js';
import { emailSchema, newPasswordSchema } from './identity.auth.schemas.js';

export const memberSchema = z
  .object({
    id: z.uuid().describe('The membership id'),
    personId: z.uuid(),
    displayName: z.string(),
    email: z.string(),
    role: z.enum(roles),
    joinedAt: z.iso.datetime(),
    abilities: z.object({ changeRole: z.boolean(), remove: z.boolean() }),
  })
  .meta({ id: 'Member' });

export const invitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(roles),
    expiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    invitedBy: z.string().nullable().describe('Display name of the admin who invited'),
    abilities: z.object({ revoke: z.boolean() }),
  })
  .meta({ id: 'Invitation' });

export const inviteBodySchema = z.strictObject({ email: emailSchema, role: z.enum(roles) });

export const invitationParamsSchema = z.object({ id: z.uuid(), invitationId: z.uuid() });

export const acceptInvitationBodySchema = z.strictObject({
  // 32 random bytes in base64url are 43 characters.
  token: z.string().min(20).max(100),
  displayName: z.string().trim().min(1).max(100).optional().describe('Only when creating an account'),
  password: newPasswordSchema.optional().describe('Only when creating an account'),
});

export const acceptedInvitationSchema = z
  .object({
    membershipId: z.uuid(),
    organisation: z.object({ id: z.uuid(), name: z.string() }),
    accountCreated: z.boolean().describe('True when the invitation created the account (sign in next)'),
  })
  .meta({ id: 'AcceptedInvitation' });

export const membershipParamsSchema = z.object({ membershipId: z.uuid() });
export const changeRoleBodySchema = z.strictObject({ role: z.enum(roles) });
