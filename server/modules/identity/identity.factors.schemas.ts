import { z } from 'zod';

/** A base64url string as WebAuthn's JSON encoding uses (no padding), bounded so no field can be huge. */
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);

// Message keys under validation.* in the server locales.
const totpFormat = 'identity.totp_code_format';
const recoveryFormat = 'identity.recovery_code_format';

/** A six-digit authenticator code; people may type it with a space in the middle. */
export const totpCodeSchema = z
  .string()
  .max(16)
  .superRefine((value, ctx) => {
    if (!/^\s*\d{3}\s?\d{3}\s*$/.test(value))
      ctx.addIssue({ code: 'custom', message: totpFormat, params: { i18n: totpFormat } });
  });

/** A recovery code as a person types it: letters and digits in groups; case, spaces and dashes do not matter. */
export const recoveryCodeSchema = z
  .string()
  .max(64)
  .superRefine((value, ctx) => {
    if (!/^[A-Za-z0-9\s-]+$/.test(value))
      ctx.addIssue({ code: 'custom', message: recoveryFormat, params: { i18n: recoveryFormat } });
  });

export const totpSetupSchema = z
  .object({
    secret: z.string().describe('The TOTP seed in base32, for typing into an authenticator app'),
    otpauthUri: z.string().describe('The otpauth:// URI, for a QR code'),
  })
  .meta({ id: 'TotpSetup' });

export const totpCodeBodySchema = z.strictObject({ code: totpCodeSchema });

export const removeTotpBodySchema = z
  .strictObject({
    currentPassword: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('Required when the person has no passkey (otherwise a recent step-up is required)'),
  })
  // A DELETE may come without a body at all (Fastify then validates null).
  .nullish();

export const recoveryCodeBodySchema = z.strictObject({ code: recoveryCodeSchema });

export const recoveryCodesSchema = z
  .object({
    codes: z
      .array(z.string())
      .describe('Ten single-use codes, shown this once; each finishes one sign-in without the usual factor'),
  })
  .meta({ id: 'RecoveryCodes' });

export const secondFactorResultSchema = z
  .object({
    status: z.literal('signed_in'),
    recoveryCodesLeft: z
      .number()
      .int()
      .optional()
      .describe('After a recovery code: how many unused codes remain'),
  })
  .meta({ id: 'SecondFactorResult' });

const descriptorSchema = z.object({
  id: z.string(),
  type: z.string(),
  transports: z.array(z.string()).optional(),
});

/** PublicKeyCredentialCreationOptionsJSON, for @simplewebauthn/browser's startRegistration(). */
export const creationOptionsSchema = z
  .object({
    challenge: z.string(),
    rp: z.object({ id: z.string().optional(), name: z.string() }),
    user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.string() })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(descriptorSchema).optional(),
    authenticatorSelection: z
      .object({
        authenticatorAttachment: z.string().optional(),
        residentKey: z.string().optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.string().optional(),
      })
      .optional(),
    attestation: z.string().optional(),
    extensions: z.object({ credProps: z.boolean().optional() }).optional(),
    hints: z.array(z.string()).optional(),
  })
  .meta({ id: 'PasskeyCreationOptions' });

/** PublicKeyCredentialRequestOptionsJSON, for @simplewebauthn/browser's startAuthentication(). */
export const requestOptionsSchema = z
  .object({
    challenge: z.string(),
    timeout: z.number().int().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(descriptorSchema).optional(),
    userVerification: z.string().optional(),
    hints: z.array(z.string()).optional(),
  })
  .meta({ id: 'PasskeyRequestOptions' });

export const registrationOptionsResultSchema = z
  .object({
    challengeId: z.uuid().describe('Send back with the response; valid for five minutes, once'),
    options: creationOptionsSchema,
  })
  .meta({ id: 'PasskeyRegistrationOptions' });

export const authenticationOptionsResultSchema = z
  .object({
    challengeId: z.uuid().describe('Send back with the response; valid for five minutes, once'),
    options: requestOptionsSchema,
  })
  .meta({ id: 'PasskeyAuthenticationOptions' });

const clientExtensionResults = z.record(z.string(), z.unknown());

/** RegistrationResponseJSON, as @simplewebauthn/browser's startRegistration() returns it. */
export const registrationResponseSchema = z
  .object({
    id: base64url(1400),
    rawId: base64url(1400),
    type: z.string(),
    response: z.object({
      clientDataJSON: base64url(8192),
      attestationObject: base64url(65536),
      authenticatorData: base64url(65536).optional(),
      transports: z.array(z.string().max(32)).max(16).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: base64url(8192).optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults,
  })
  .meta({ id: 'PasskeyRegistrationResponse' });

/** AuthenticationResponseJSON, as @simplewebauthn/browser's startAuthentication() returns it. */
export const authenticationResponseSchema = z
  .object({
    id: base64url(1400),
    rawId: base64url(1400),
    type: z.string(),
    response: z.object({
      clientDataJSON: base64url(8192),
      authenticatorData: base64url(8192),
      signature: base64url(2048),
      userHandle: base64url(128).optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults,
  })
  .meta({ id: 'PasskeyAuthenticationResponse' });

export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .describe('A name the person recognises, such as “Work laptop”');

export const addPasskeyBodySchema = z.strictObject({
  challengeId: z.uuid(),
  response: registrationResponseSchema,
  name: passkeyNameSchema,
});

export const verifyPasskeyBodySchema = z.strictObject({
  challengeId: z.uuid(),
  response: authenticationResponseSchema,
});

export const passkeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    backedUp: z.boolean().describe('Synced by its provider (usable on several devices)'),
  })
  .meta({ id: 'Passkey' });

export const passkeyIdParamsSchema = z.object({ passkeyId: z.uuid() });

export const requiredFactorSchema = z
  .enum(['passkey', 'passkey_or_totp'])
  .describe('The second factor sensitive roles must use');

/** The i18n key of the warning the admin page shows while TOTP is allowed for sensitive roles. */
export const totpAllowedWarning = 'identity.settings.totp_allowed_warning';

export const identitySettingsSchema = z
  .object({
    requiredFactor: requiredFactorSchema,
    warning: z
      .enum([totpAllowedWarning])
      .nullable()
      .describe('A text key the admin page shows (null when nothing needs saying)'),
  })
  .meta({ id: 'IdentitySettings' });

export const identitySettingsBodySchema = z.strictObject({ requiredFactor: requiredFactorSchema });

export const passkeySignInResultSchema = z
  .object({ status: z.literal('signed_in') })
  .meta({ id: 'PasskeySignInResult' });
