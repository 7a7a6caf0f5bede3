import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RoutePolicy } from '../../kernel/access/policy.js';
import { contextOf } from '../../kernel/context.js';
import {
  addPasskeyBodySchema,
  authenticationOptionsResultSchema,
  identitySettingsBodySchema,
  identitySettingsSchema,
  passkeyIdParamsSchema,
  passkeySchema,
  passkeySignInResultSchema,
  recoveryCodeBodySchema,
  recoveryCodesSchema,
  registrationOptionsResultSchema,
  removeTotpBodySchema,
  secondFactorResultSchema,
  totpCodeBodySchema,
  totpSetupSchema,
  verifyPasskeyBodySchema,
} from './identity.factors.schemas.js';
import {
  addPasskey,
  completeSignInWithRecoveryCode,
  completeSignInWithTotp,
  confirmTotp,
  generateRecoveryCodes,
  getIdentitySettings,
  listPasskeys,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  removePasskey,
  removeTotp,
  setRequiredFactor,
  setupTotp,
  signInWithPasskey,
  stepUp,
  stepUpOptions,
} from './identity.factors.service.js';
import { setSessionCookie } from './identity.sessions.js';

const tags = ['identity'];
const open: RoutePolicy = { access: 'public' };
/** Finishing a sign-in: the session is still partial. */
const finishing: RoutePolicy = { access: 'signed_in', partial: true };
/**
 * Managing one's own factors: a full session, even before a required factor is enrolled (that is how one
 * gets enrolled). SECURITY: a partial session is not admitted, so a stolen password cannot add a factor.
 */
const enrolling: RoutePolicy = { access: 'signed_in', unenrolled: true };
const fullSession: RoutePolicy = { access: 'signed_in' };
const platformAdmin: RoutePolicy = { access: 'platform', roles: ['platform_admin'] };
const session = { security: [{ session: [] }] };
const noContent = { 204: z.null().describe('Done') };
/** Sign-in ceremonies are cheap to ask for and costly to check: keep each address to a few a minute. */
const signInRateLimit = { max: 30, timeWindow: 60_000 };

/** SECURITY: secrets and codes shown once must not stay in any cache along the way. */
const noStore = (reply: FastifyReply) => void reply.header('cache-control', 'no-store');

/** Second factors (TOTP, recovery codes, passkeys), finishing sign-in, step-up and the factor setting. */
export async function factorRoutes(scope: FastifyInstance): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  // --- TOTP -------------------------------------------------------------------------------------------

  app.post(
    '/auth/totp/setup',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'setupTotp',
        summary: 'Start adding an authenticator app (TOTP): a new, unconfirmed secret',
        description:
          'Replaces an unconfirmed secret; answers conflict if TOTP is already confirmed (remove it first).',
        ...session,
        response: { 200: totpSetupSchema },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return setupTotp(contextOf(request));
    },
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'confirmTotp',
        summary: 'Confirm the authenticator app with a first code',
        ...session,
        body: totpCodeBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await confirmTotp(contextOf(request), request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/auth/totp',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'removeTotp',
        summary: 'Remove the authenticator app',
        description:
          'Needs a recent step-up if the person has a passkey, otherwise the current password in the body. ' +
          'Answers conflict if the person’s role would be left without its required factor.',
        ...session,
        body: removeTotpBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await removeTotp(contextOf(request), request.body ?? {});
      return reply.code(204).send(null);
    },
  );

  // --- Recovery codes ---------------------------------------------------------------------------------

  app.post(
    '/auth/recovery-codes',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'generateRecoveryCodes',
        summary: 'Make ten new single-use recovery codes (earlier ones stop working)',
        description: 'Shown once. Only for a person who already has a passkey or an authenticator app.',
        ...session,
        response: { 200: recoveryCodesSchema },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return { codes: await generateRecoveryCodes(contextOf(request)) };
    },
  );

  // --- Finishing a sign-in ----------------------------------------------------------------------------

  app.post(
    '/auth/sign-in/totp',
    {
      config: { policy: finishing, rateLimit: signInRateLimit },
      schema: {
        tags,
        operationId: 'signInWithTotp',
        summary: 'Finish signing in with an authenticator code',
        description: 'Each code works once. Failures slow down further attempts, as for passwords.',
        ...session,
        body: totpCodeBodySchema,
        response: { 200: secondFactorResultSchema },
      },
    },
    async (request, reply) => {
      const { token } = await completeSignInWithTotp(contextOf(request), request.body.code);
      setSessionCookie(reply, token);
      return { status: 'signed_in' as const };
    },
  );

  app.post(
    '/auth/sign-in/recovery-code',
    {
      config: { policy: finishing, rateLimit: signInRateLimit },
      schema: {
        tags,
        operationId: 'signInWithRecoveryCode',
        summary: 'Finish signing in with a recovery code (each works once)',
        ...session,
        body: recoveryCodeBodySchema,
        response: { 200: secondFactorResultSchema },
      },
    },
    async (request, reply) => {
      const result = await completeSignInWithRecoveryCode(contextOf(request), request.body.code);
      setSessionCookie(reply, result.token);
      return { status: 'signed_in' as const, recoveryCodesLeft: result.recoveryCodesLeft };
    },
  );

  // --- Passkeys: adding and removing ------------------------------------------------------------------

  app.post(
    '/auth/passkeys/registration-options',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'passkeyRegistrationOptions',
        summary: 'Start adding a passkey: options for navigator.credentials.create()',
        ...session,
        response: { 200: registrationOptionsResultSchema },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return passkeyRegistrationOptions(contextOf(request));
    },
  );

  app.post(
    '/auth/passkeys',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'addPasskey',
        summary: 'Add a passkey from the authenticator’s response',
        ...session,
        body: addPasskeyBodySchema,
        response: { 201: passkeySchema },
      },
    },
    async (request, reply) => {
      const passkey = await addPasskey(contextOf(request), {
        challengeId: request.body.challengeId,
        // The schema checked the shape and bounds; the library checks the content.
        response: request.body.response as RegistrationResponseJSON,
        name: request.body.name,
      });
      return reply.code(201).send(passkey);
    },
  );

  app.get(
    '/auth/passkeys',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'listPasskeys',
        summary: 'My passkeys',
        ...session,
        response: { 200: z.array(passkeySchema) },
      },
    },
    (request) => listPasskeys(contextOf(request)),
  );

  app.delete(
    '/auth/passkeys/:passkeyId',
    {
      config: { policy: enrolling },
      schema: {
        tags,
        operationId: 'removePasskey',
        summary: 'Remove one of my passkeys (needs a recent step-up)',
        description: 'Answers conflict if the person’s role would be left without its required factor.',
        ...session,
        params: passkeyIdParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      await removePasskey(contextOf(request), request.params.passkeyId);
      return reply.code(204).send(null);
    },
  );

  // --- Passkeys: signing in ---------------------------------------------------------------------------

  app.post(
    '/auth/passkey/options',
    {
      config: { policy: open, rateLimit: signInRateLimit },
      schema: {
        tags,
        operationId: 'passkeySignInOptions',
        summary: 'Start signing in with a passkey: options for navigator.credentials.get()',
        description:
          'With a partial session (after the password), only that person’s passkeys are asked for; ' +
          'otherwise any passkey of this site (passkey-only sign-in).',
        security: [],
        response: { 200: authenticationOptionsResultSchema },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return passkeySignInOptions(contextOf(request));
    },
  );

  app.post(
    '/auth/passkey/verify',
    {
      config: { policy: open, rateLimit: signInRateLimit },
      schema: {
        tags,
        operationId: 'signInWithPasskey',
        summary: 'Sign in with a passkey, or finish a partial sign-in with one',
        security: [],
        body: verifyPasskeyBodySchema,
        response: { 200: passkeySignInResultSchema },
      },
    },
    async (request, reply) => {
      const { token } = await signInWithPasskey(contextOf(request), {
        challengeId: request.body.challengeId,
        response: request.body.response as AuthenticationResponseJSON,
      });
      setSessionCookie(reply, token);
      return { status: 'signed_in' as const };
    },
  );

  // --- Step-up ----------------------------------------------------------------------------------------

  app.post(
    '/auth/step-up/options',
    {
      config: { policy: fullSession },
      schema: {
        tags,
        operationId: 'stepUpOptions',
        summary: 'Start a step-up (a fresh passkey check before a sensitive action)',
        ...session,
        response: { 200: authenticationOptionsResultSchema },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return stepUpOptions(contextOf(request));
    },
  );

  app.post(
    '/auth/step-up/verify',
    {
      config: { policy: fullSession, rateLimit: signInRateLimit },
      schema: {
        tags,
        operationId: 'stepUp',
        summary: 'Pass a step-up with one of my passkeys (valid for five minutes)',
        ...session,
        body: verifyPasskeyBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      const { token } = await stepUp(contextOf(request), {
        challengeId: request.body.challengeId,
        response: request.body.response as AuthenticationResponseJSON,
      });
      setSessionCookie(reply, token);
      return reply.code(204).send(null);
    },
  );

  // --- Platform setting -------------------------------------------------------------------------------

  app.get(
    '/identity/settings',
    {
      config: { policy: platformAdmin },
      schema: {
        tags,
        operationId: 'getIdentitySettings',
        summary: 'Which second factor sensitive roles need',
        ...session,
        response: { 200: identitySettingsSchema },
      },
    },
    (request) => getIdentitySettings(contextOf(request)),
  );

  app.put(
    '/identity/settings',
    {
      config: { policy: platformAdmin },
      schema: {
        tags,
        operationId: 'setIdentitySettings',
        summary: 'Set which second factor sensitive roles need (needs a recent step-up)',
        ...session,
        body: identitySettingsBodySchema,
        response: { 200: identitySettingsSchema },
      },
    },
    (request) => setRequiredFactor(contextOf(request), request.body.requiredFactor),
  );
}
