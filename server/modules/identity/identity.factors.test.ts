import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { and, eq, isNull } from 'drizzle-orm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/access/policy.js';
import { kernelAudit } from '../../kernel/db/kernel.tables.js';
import type { Ctx } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { SoftwareAuthenticator } from '../../test/authenticator.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createPerson, factoryPassword, signIn } from '../../test/factories.js';
import {
  formatRecoveryCode,
  normaliseRecoveryCode,
  requireRecentStepUp,
  totpSealAad,
} from './identity.factors.service.js';
import { sessionCookie } from './identity.sessions.js';
import {
  identityChallenges,
  identityPasskeys,
  identityRecoveryCodes,
  identitySessions,
  identitySettings,
  identityThrottles,
  identityTotpFactors,
} from './identity.tables.js';

// --- helpers -----------------------------------------------------------------------------------------------

/** The session cookie a response set, as a Cookie header value (or undefined if none was set). */
function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const cookie = all.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${sessionCookie}=`));
  return cookie && cookie !== `${sessionCookie}=` ? cookie : undefined;
}

const totpCode = (secret: string, offsetSteps = 0) =>
  TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: Date.now() + offsetSteps * 30_000,
  });

/** Every code the server could accept right now (the window is one step either side; margin for ticks). */
const codesNearNow = (secret: string) => new Set([-2, -1, 0, 1, 2].map((step) => totpCode(secret, step)));

/** A fixed base32 test seed is fine: each test person gets their own. */
const newSeed = () => new Secret({ size: 20 }).base32;

interface Harness {
  t: TestApp;
  call: (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options?: { cookie?: string; payload?: unknown; ip?: string },
  ) => Promise<LightMyRequestResponse>;
  /** The mail to `email` that contains `text` (mails sent in one job run may share a timestamp). */
  mailTo: (email: string, text: string) => Promise<string>;
  mailsTo: (email: string) => Promise<string[]>;
}

function harness(): Harness & { ready: () => Promise<void>; close: () => Promise<void> } {
  const h = {} as Harness & { ready: () => Promise<void>; close: () => Promise<void> };
  h.ready = async () => {
    h.t = await createTestApp();
  };
  h.close = () => h.t.close();
  h.call = (method, url, options = {}) =>
    h.t.app.inject({
      method,
      url: `/api${url}`,
      headers: options.cookie ? { cookie: options.cookie } : {},
      payload: options.payload as Record<string, unknown> | undefined,
      remoteAddress: options.ip ?? '10.9.0.1',
    });
  h.mailsTo = async (email) => {
    await h.t.app.kernel.jobs.runDue();
    const dir = path.join(h.t.config.dataDir, 'outbox');
    const files = (await readdir(dir).catch(() => [] as string[])).sort();
    const mails: string[] = [];
    for (const file of files) {
      const raw = await readFile(path.join(dir, file), 'utf8');
      // Undo quoted-printable soft breaks and escapes so the text reads as sent.
      const text = raw
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (text.includes(`To: ${email}`)) mails.push(text);
    }
    return mails;
  };
  h.mailTo = async (email, text) => {
    const mail = (await h.mailsTo(email)).find((m) => m.includes(text));
    if (!mail) throw new Error(`no mail to ${email} saying “${text}”`);
    return mail;
  };
  return h;
}

/** Registers a passkey through the API with a software authenticator; returns the authenticator. */
async function registerPasskey(
  h: Harness,
  cookie: string,
  authenticator = new SoftwareAuthenticator(new URL(h.t.config.publicUrl).origin),
  name = 'Work laptop',
): Promise<{ authenticator: SoftwareAuthenticator; passkeyId: string }> {
  const start = await h.call('POST', '/auth/passkeys/registration-options', { cookie });
  expect(start.statusCode).toBe(200);
  const { challengeId, options } = start.json<{
    challengeId: string;
    options: PublicKeyCredentialCreationOptionsJSON;
  }>();
  const res = await h.call('POST', '/auth/passkeys', {
    cookie,
    payload: { challengeId, response: authenticator.register(options), name },
  });
  expect(res.statusCode).toBe(201);
  return { authenticator, passkeyId: res.json<{ id: string }>().id };
}

/** Asks for sign-in options (with the given cookie, if any). */
async function signInOptions(h: Harness, cookie?: string) {
  const res = await h.call('POST', '/auth/passkey/options', { cookie });
  expect(res.statusCode).toBe(200);
  return res.json<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>();
}

/** Passes a step-up with the authenticator; returns the rotated cookie. */
async function stepUp(h: Harness, cookie: string, authenticator: SoftwareAuthenticator): Promise<string> {
  const start = await h.call('POST', '/auth/step-up/options', { cookie });
  expect(start.statusCode).toBe(200);
  const { challengeId, options } = start.json<{
    challengeId: string;
    options: PublicKeyCredentialRequestOptionsJSON;
  }>();
  const res = await h.call('POST', '/auth/step-up/verify', {
    cookie,
    payload: { challengeId, response: authenticator.authenticate(options) },
  });
  expect(res.statusCode).toBe(204);
  const rotated = sessionCookieOf(res);
  expect(rotated).toBeDefined();
  return rotated!;
}

/** Gives a person a confirmed TOTP directly (sealed exactly as the service seals it). */
async function giveTotp(t: TestApp, personId: string, secret = newSeed()): Promise<string> {
  await t.database.db.insert(identityTotpFactors).values({
    personId,
    secretSealed: t.app.kernel.seal(secret, totpSealAad(personId)),
    confirmedAt: new Date(),
  });
  return secret;
}

let ipCounter = 0;
/** A client address not used before in this file. */
const nextIp = () => {
  ipCounter++;
  return `10.200.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
};

const passwordSignIn = (h: Harness, email: string, ip: string) =>
  h.call('POST', '/auth/sign-in', { payload: { email, password: factoryPassword }, ip });

// --- step-up guard (pure) ----------------------------------------------------------------------------------

describe('requireRecentStepUp', () => {
  const ctxWith = (actor: Partial<Extract<Actor, { kind: 'person' }>>): Ctx =>
    ({
      actor: {
        kind: 'person',
        personId: 'p',
        sessionId: 's',
        level: 'full',
        platformRole: null,
        membership: null,
        hasRequiredFactor: true,
        stepUpAt: null,
        ...actor,
      },
    }) as Ctx;
  const code = (ctx: Ctx) => {
    try {
      requireRecentStepUp(ctx);
      return 'allowed';
    } catch (error) {
      return error instanceof AppError ? error.code : 'other';
    }
  };

  it('admits a full session that stepped up in the last five minutes, and nothing else', () => {
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    expect(code(ctxWith({ stepUpAt: ago(10) }))).toBe('allowed');
    expect(code(ctxWith({ stepUpAt: ago(299) }))).toBe('allowed');
    expect(code(ctxWith({ stepUpAt: ago(301) }))).toBe('step_up_required');
    expect(code(ctxWith({ stepUpAt: null }))).toBe('step_up_required');
    expect(code(ctxWith({ stepUpAt: ago(10), level: 'partial' }))).toBe('step_up_required');
    expect(code({ actor: { kind: 'anonymous' } } as Ctx)).toBe('step_up_required');
  });
});

// --- recovery code format (pure properties) ----------------------------------------------------------------

describe('recovery code format', () => {
  it('carries 80 random bits in four groups, and reads back however a person types it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.boolean(),
        fc.constantFrom('', ' ', '-'),
        (bytes, lower, separator) => {
          const code = formatRecoveryCode(bytes);
          expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
          const typed = code.split('-').join(separator);
          const canonical = normaliseRecoveryCode(lower ? typed.toLowerCase() : typed);
          expect(canonical).toBe(code.replace(/-/g, ''));
        },
      ),
    );
  });

  it('gives different bytes different codes (no entropy lost in formatting)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (a, b) => {
          const same = Buffer.from(a).equals(Buffer.from(b));
          expect(formatRecoveryCode(a) === formatRecoveryCode(b)).toBe(same);
        },
      ),
    );
  });

  it('refuses anything that cannot be a code', () => {
    for (const input of ['', 'ABCD-EFGH-JKMN', 'ABCD-EFGH-JKMN-PQRS-TVWX', 'ABCD-EFGH-JKMN-PQRU', '!!!!'])
      expect(normaliseRecoveryCode(input), input).toBeNull();
  });
});

// --- TOTP --------------------------------------------------------------------------------------------------

describe('authenticator apps (TOTP)', () => {
  const h = harness();
  beforeAll(() => h.ready());
  afterAll(() => h.close());
  const db = () => h.t.database.db;
  /** Values that must never reach a log line; checked by the last test. */
  const canaries: string[] = [];

  it('enrols, confirms, finishes a sign-in, and never takes the same code twice', async () => {
    const person = await createPerson(db());
    const { cookie } = await signIn(db(), person.id);

    const setup = await h.call('POST', '/auth/totp/setup', { cookie });
    expect(setup.statusCode).toBe(200);
    expect(setup.headers['cache-control']).toBe('no-store');
    const { secret, otpauthUri } = setup.json<{ secret: string; otpauthUri: string }>();
    canaries.push(secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('issuer')).toBe('Cairn');

    // SECURITY: stored sealed under the documented AAD, never in clear.
    const [stored] = await db()
      .select()
      .from(identityTotpFactors)
      .where(eq(identityTotpFactors.personId, person.id));
    expect(stored!.secretSealed).not.toContain(secret);
    expect(stored!.confirmedAt).toBeNull();
    expect(
      h.t.app.kernel.unseal(stored!.secretSealed, `identity_totp_factors.secret_sealed.${person.id}`),
    ).toBe(secret);

    // Not a factor until confirmed: the password alone still signs in fully.
    expect((await passwordSignIn(h, person.email, '10.9.1.1')).json()).toMatchObject({ status: 'signed_in' });

    const wrong = [...Array(20).keys()]
      .map((i) => String(i * 49_999).padStart(6, '0'))
      .find((c) => !codesNearNow(secret).has(c))!;
    const refused = await h.call('POST', '/auth/totp/confirm', { cookie, payload: { code: wrong } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      errors: [{ path: 'body.code', code: 'identity.totp_code_wrong' }],
    });
    const malformed = await h.call('POST', '/auth/totp/confirm', { cookie, payload: { code: '12ab56' } });
    expect(malformed.json()).toMatchObject({
      errors: [{ path: 'body.code', code: 'identity.totp_code_format' }],
    });

    const firstCode = totpCode(secret);
    canaries.push(firstCode);
    const confirmed = await h.call('POST', '/auth/totp/confirm', { cookie, payload: { code: firstCode } });
    expect(confirmed.statusCode).toBe(204);
    const mail = await h.mailTo(person.email, 'An authenticator app was just added');
    expect(mail).not.toContain(secret);
    expect(mail).not.toContain(firstCode);
    expect((await h.call('GET', '/auth/me', { cookie })).json()).toMatchObject({ factors: { totp: true } });
    // A confirmed TOTP cannot be silently replaced by a new setup.
    expect((await h.call('POST', '/auth/totp/setup', { cookie })).statusCode).toBe(409);

    const first = await passwordSignIn(h, person.email, '10.9.1.2');
    expect(first.json()).toEqual({ status: 'second_factor_required', factors: ['totp'] });
    const partial = sessionCookieOf(first)!;
    // The code used to confirm is spent.
    const replayed = await h.call('POST', '/auth/sign-in/totp', {
      cookie: partial,
      payload: { code: firstCode },
    });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toMatchObject({ code: 'invalid_credentials' });

    const nextCode = totpCode(secret, 1);
    canaries.push(nextCode);
    const done = await h.call('POST', '/auth/sign-in/totp', {
      cookie: partial,
      payload: { code: `${nextCode.slice(0, 3)} ${nextCode.slice(3)}` },
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ status: 'signed_in' });
    const full = sessionCookieOf(done)!;
    expect(full).not.toBe(partial);
    expect((await h.call('GET', '/auth/me', { cookie: full })).json()).toMatchObject({ level: 'full' });
    // The token seen while partial is worthless after completion.
    expect((await h.call('GET', '/auth/me', { cookie: partial })).statusCode).toBe(401);
    // Finishing an already full session makes no sense.
    expect(
      (await h.call('POST', '/auth/sign-in/totp', { cookie: full, payload: { code: nextCode } })).statusCode,
    ).toBe(409);

    // The same code, in another sign-in, is refused.
    const second = sessionCookieOf(await passwordSignIn(h, person.email, '10.9.1.3'))!;
    const again = await h.call('POST', '/auth/sign-in/totp', { cookie: second, payload: { code: nextCode } });
    expect(again.statusCode).toBe(401);
    const audit = await h.t.database.asOwner((owner) =>
      owner.select().from(kernelAudit).where(eq(kernelAudit.action, 'identity.second_factor_passed')),
    );
    expect(audit.map((row) => row.details)).toContainEqual({ method: 'totp' });
  });

  it('refuses wrong codes and slows down guessing, even of the right code', async () => {
    const person = await createPerson(db());
    const secret = await giveTotp(h.t, person.id);
    canaries.push(secret);
    const { cookie } = await signIn(db(), person.id, { level: 'partial' });
    const valid = codesNearNow(secret);
    const wrongCodes = [...Array(40).keys()]
      .map((i) => String(123_457 + i * 7919).padStart(6, '0'))
      .filter((c) => !valid.has(c))
      .slice(0, 6);
    for (const [i, code] of wrongCodes.entries()) {
      const res = await h.call('POST', '/auth/sign-in/totp', {
        cookie,
        payload: { code },
        ip: `10.9.2.${i}`,
      });
      expect(res.statusCode).toBe(401);
    }
    const right = totpCode(secret);
    const blocked = await h.call('POST', '/auth/sign-in/totp', { cookie, payload: { code: right } });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A correct password must not reset the guess budget for the second factor.
    expect((await passwordSignIn(h, person.email, '10.9.2.50')).statusCode).toBe(200);
    expect(
      (await h.call('POST', '/auth/sign-in/totp', { cookie, payload: { code: right } })).statusCode,
    ).toBe(429);
    await db()
      .delete(identityThrottles)
      .where(eq(identityThrottles.key, `factor:${person.id}`));
    expect(
      (await h.call('POST', '/auth/sign-in/totp', { cookie, payload: { code: right } })).statusCode,
    ).toBe(200);
  });

  it('refuses any code other than the current ones (property)', async () => {
    const person = await createPerson(db());
    const secret = await giveTotp(h.t, person.id);
    canaries.push(secret);
    const { cookie } = await signIn(db(), person.id, { level: 'partial' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^\d{6}$/),
          fc.string({ maxLength: 12 }),
          fc.integer({ min: 0, max: 5 }).map((i) => {
            // A near miss: the right code with one digit changed.
            const code = totpCode(secret).split('');
            code[i] = String((Number(code[i]) + 1) % 10);
            return code.join('');
          }),
        ),
        async (guess) => {
          fc.pre(!codesNearNow(secret).has(guess.replace(/\s/g, '')));
          await db()
            .delete(identityThrottles)
            .where(eq(identityThrottles.key, `factor:${person.id}`));
          // A fresh address per run keeps the per-address route rate limit out of the way.
          const res = await h.call('POST', '/auth/sign-in/totp', {
            cookie,
            payload: { code: guess },
            ip: nextIp(),
          });
          expect([400, 401]).toContain(res.statusCode);
          expect(sessionCookieOf(res)).toBeUndefined();
        },
      ),
      { numRuns: 25 },
    );
    expect((await h.call('GET', '/auth/me', { cookie })).json()).toMatchObject({ level: 'partial' });
  });

  it('removes TOTP with the password when there is no passkey, and emails the person', async () => {
    const person = await createPerson(db());
    canaries.push(await giveTotp(h.t, person.id));
    const { cookie } = await signIn(db(), person.id);
    const without = await h.call('DELETE', '/auth/totp', { cookie });
    expect(without.statusCode).toBe(401);
    const wrong = await h.call('DELETE', '/auth/totp', {
      cookie,
      payload: { currentPassword: 'not my password at all' },
    });
    expect(wrong.statusCode).toBe(401);
    const removed = await h.call('DELETE', '/auth/totp', {
      cookie,
      payload: { currentPassword: factoryPassword },
    });
    expect(removed.statusCode).toBe(204);
    await h.mailTo(person.email, 'The authenticator app was just removed');
    expect((await h.call('GET', '/auth/me', { cookie })).json()).toMatchObject({ factors: { totp: false } });
    expect((await passwordSignIn(h, person.email, '10.9.3.1')).json()).toMatchObject({ status: 'signed_in' });
  });

  it('asks for a step-up, not the password, to remove TOTP when the person has a passkey', async () => {
    const person = await createPerson(db());
    canaries.push(await giveTotp(h.t, person.id));
    const { cookie } = await signIn(db(), person.id);
    const { authenticator } = await registerPasskey(h, cookie);
    const withPassword = await h.call('DELETE', '/auth/totp', {
      cookie,
      payload: { currentPassword: factoryPassword },
    });
    expect(withPassword.statusCode).toBe(403);
    expect(withPassword.json()).toMatchObject({ code: 'step_up_required' });
    const stepped = await stepUp(h, cookie, authenticator);
    expect((await h.call('DELETE', '/auth/totp', { cookie: stepped })).statusCode).toBe(204);
  });

  it('lets a partial session add no factor', async () => {
    const person = await createPerson(db(), { passkey: true });
    const { cookie } = await signIn(db(), person.id, { level: 'partial' });
    for (const url of ['/auth/totp/setup', '/auth/passkeys/registration-options', '/auth/recovery-codes']) {
      const res = await h.call('POST', url, { cookie });
      expect(res.statusCode, url).toBe(401);
      expect(res.json(), url).toMatchObject({ code: 'second_factor_required' });
    }
  });

  it('writes no TOTP secret or code to the logs', () => {
    expect(canaries.length).toBeGreaterThan(5);
    const logs = h.t.rawLogs();
    expect(logs.length).toBeGreaterThan(0);
    for (const canary of canaries) expect(logs).not.toContain(canary);
  });
});

// --- recovery codes ----------------------------------------------------------------------------------------

describe('recovery codes', () => {
  const h = harness();
  beforeAll(() => h.ready());
  afterAll(() => h.close());
  const db = () => h.t.database.db;
  const canaries: string[] = [];

  const generate = async (cookie: string) => {
    const res = await h.call('POST', '/auth/recovery-codes', { cookie });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { codes } = res.json<{ codes: string[] }>();
    canaries.push(...codes);
    return codes;
  };

  it('are only for a person with another factor', async () => {
    const person = await createPerson(db());
    const { cookie } = await signIn(db(), person.id);
    const res = await h.call('POST', '/auth/recovery-codes', { cookie });
    expect(res.statusCode).toBe(409);
  });

  it('are ten distinct high-entropy codes, stored hashed, replaced as a set', async () => {
    const person = await createPerson(db());
    canaries.push(await giveTotp(h.t, person.id));
    const { cookie } = await signIn(db(), person.id);
    const codes = await generate(cookie);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    const stored = await db()
      .select()
      .from(identityRecoveryCodes)
      .where(eq(identityRecoveryCodes.personId, person.id));
    expect(stored).toHaveLength(10);
    const dump = JSON.stringify(stored);
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }
    const mail = await h.mailTo(person.email, 'New recovery codes were just made');
    for (const code of codes) expect(mail).not.toContain(code);

    const replaced = await generate(cookie);
    const partial = await signIn(db(), person.id, { level: 'partial' });
    const old = await h.call('POST', '/auth/sign-in/recovery-code', {
      cookie: partial.cookie,
      payload: { code: codes[0] },
    });
    expect(old.statusCode).toBe(401);
    const fresh = await h.call('POST', '/auth/sign-in/recovery-code', {
      cookie: partial.cookie,
      payload: { code: replaced[0] },
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('finishes a sign-in exactly once per code, however it is typed, and tells the person', async () => {
    const person = await createPerson(db());
    canaries.push(await giveTotp(h.t, person.id));
    const codes = await generate((await signIn(db(), person.id)).cookie);
    const signInResult = await passwordSignIn(h, person.email, '10.9.4.1');
    expect(signInResult.json()).toEqual({
      status: 'second_factor_required',
      factors: ['totp', 'recovery_code'],
    });
    const partial = sessionCookieOf(signInResult)!;
    const typed = codes[3]!.toLowerCase().replace(/-/g, ' ');
    const used = await h.call('POST', '/auth/sign-in/recovery-code', {
      cookie: partial,
      payload: { code: typed },
    });
    expect(used.statusCode).toBe(200);
    expect(used.json()).toEqual({ status: 'signed_in', recoveryCodesLeft: 9 });
    const full = sessionCookieOf(used)!;
    expect((await h.call('GET', '/auth/me', { cookie: full })).json()).toMatchObject({
      level: 'full',
      factors: { recoveryCodesLeft: 9 },
    });
    const mail = await h.mailTo(person.email, 'You have 9 recovery codes left');
    expect(mail).not.toContain(codes[3]);

    const again = await signIn(db(), person.id, { level: 'partial' });
    const reused = await h.call('POST', '/auth/sign-in/recovery-code', {
      cookie: again.cookie,
      payload: { code: codes[3] },
    });
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('refuses every string but an issued code, and each issued code works exactly once (property)', async () => {
    const person = await createPerson(db());
    canaries.push(await giveTotp(h.t, person.id));
    const codes = await generate((await signIn(db(), person.id)).cookie);
    const issued = new Set(codes.map((code) => normaliseRecoveryCode(code)));
    const { cookie } = await signIn(db(), person.id, { level: 'partial' });
    const resetThrottle = () =>
      db()
        .delete(identityThrottles)
        .where(eq(identityThrottles.key, `factor:${person.id}`));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.uint8Array({ minLength: 10, maxLength: 10 }).map(formatRecoveryCode),
          // Near misses: an issued code with one symbol changed.
          fc
            .tuple(fc.constantFrom(...codes), fc.integer({ min: 0, max: 18 }), fc.constantFrom('0', 'Z', '7'))
            .map(([code, i, symbol]) => code.slice(0, i) + symbol + code.slice(i + 1)),
        ),
        async (guess) => {
          fc.pre(!issued.has(normaliseRecoveryCode(guess)));
          await resetThrottle();
          const res = await h.call('POST', '/auth/sign-in/recovery-code', {
            cookie,
            payload: { code: guess },
            ip: nextIp(),
          });
          expect([400, 401]).toContain(res.statusCode);
          expect(sessionCookieOf(res)).toBeUndefined();
        },
      ),
      { numRuns: 30 },
    );
    await resetThrottle();
    for (const [i, code] of codes.entries()) {
      const first = await signIn(db(), person.id, { level: 'partial' });
      const ok = await h.call('POST', '/auth/sign-in/recovery-code', {
        cookie: first.cookie,
        payload: { code },
        ip: nextIp(),
      });
      expect(ok.statusCode, code).toBe(200);
      expect(ok.json()).toMatchObject({ recoveryCodesLeft: codes.length - i - 1 });
      const second = await signIn(db(), person.id, { level: 'partial' });
      const twice = await h.call('POST', '/auth/sign-in/recovery-code', {
        cookie: second.cookie,
        payload: { code },
        ip: nextIp(),
      });
      expect(twice.statusCode, code).toBe(401);
      await resetThrottle();
    }
  });

  it('writes no recovery code to the logs', () => {
    expect(canaries.length).toBeGreaterThan(20);
    const logs = h.t.rawLogs();
    for (const canary of canaries) {
      expect(logs).not.toContain(canary);
      expect(logs).not.toContain(canary.replace(/-/g, ''));
    }
  });
});

// --- passkeys ----------------------------------------------------------------------------------------------

describe('passkeys', () => {
  const h = harness();
  beforeAll(() => h.ready());
  afterAll(() => h.close());
  const db = () => h.t.database.db;
  const origin = () => new URL(h.t.config.publicUrl).origin;
  const challenges: string[] = [];

  /** Signs in with a passkey alone; returns the response. */
  const passkeySignIn = async (
    authenticator: SoftwareAuthenticator,
    options: { cookie?: string; origin?: string } = {},
  ) => {
    const start = await signInOptions(h, options.cookie);
    challenges.push(start.options.challenge);
    return h.call('POST', '/auth/passkey/verify', {
      cookie: options.cookie,
      payload: {
        challengeId: start.challengeId,
        response: authenticator.authenticate(start.options, { origin: options.origin }),
      },
    });
  };

  it('registers a passkey, signs in with it alone, steps up and removes it', async () => {
    const { personId, membership } = await createMember(db(), { role: 'member' });
    const { cookie } = await signIn(db(), personId, { membershipId: membership.id });
    const start = await h.call('POST', '/auth/passkeys/registration-options', { cookie });
    const { options } = start.json<{ options: PublicKeyCredentialCreationOptionsJSON }>();
    challenges.push(options.challenge);
    expect(options.rp).toEqual({ id: new URL(h.t.config.publicUrl).hostname, name: 'Cairn' });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.attestation).toBe('none');
    // SECURITY: only the challenge's hash is stored.
    const stored = await db().select().from(identityChallenges);
    expect(JSON.stringify(stored)).not.toContain(options.challenge);

    const { authenticator, passkeyId } = await registerPasskey(h, cookie);
    const list = await h.call('GET', '/auth/passkeys', { cookie });
    expect(list.json()).toEqual([
      expect.objectContaining({ id: passkeyId, name: 'Work laptop', lastUsedAt: null }),
    ]);
    const email = (await h.call('GET', '/auth/me', { cookie })).json<{ person: { email: string } }>().person
      .email;
    await h.mailTo(email, 'A passkey was just added');

    expect((await h.call('POST', '/auth/sign-out', { cookie })).statusCode).toBe(204);

    const signedIn = await passkeySignIn(authenticator);
    expect(signedIn.statusCode).toBe(200);
    const passkeyCookie = sessionCookieOf(signedIn)!;
    const me = (await h.call('GET', '/auth/me', { cookie: passkeyCookie })).json<unknown>();
    // The default membership is chosen as for a password sign-in.
    expect(me).toMatchObject({ level: 'full', activeMembershipId: membership.id });
    const [used] = await db().select().from(identityPasskeys).where(eq(identityPasskeys.id, passkeyId));
    expect(used!.counter).toBe(1);
    expect(used!.lastUsedAt).not.toBeNull();

    const early = await h.call('DELETE', `/auth/passkeys/${passkeyId}`, { cookie: passkeyCookie });
    expect(early.statusCode).toBe(403);
    expect(early.json()).toMatchObject({ code: 'step_up_required' });

    const stepped = await stepUp(h, passkeyCookie, authenticator);
    // The step-up rotated the token: the one before it no longer works.
    expect((await h.call('GET', '/auth/me', { cookie: passkeyCookie })).statusCode).toBe(401);
    const removed = await h.call('DELETE', `/auth/passkeys/${passkeyId}`, { cookie: stepped });
    expect(removed.statusCode).toBe(204);
    await h.mailTo(email, 'A passkey was just removed');
    expect((await h.call('GET', '/auth/passkeys', { cookie: stepped })).json()).toEqual([]);
    // Gone for sign-in too.
    expect((await passkeySignIn(authenticator)).statusCode).toBe(401);
  });

  it('completes a partial session with the person’s own passkey only', async () => {
    const person = await createPerson(db());
    const other = await createPerson(db());
    const { authenticator } = await registerPasskey(h, (await signIn(db(), person.id)).cookie);
    const { authenticator: theirs } = await registerPasskey(h, (await signIn(db(), other.id)).cookie);

    const first = await passwordSignIn(h, person.email, '10.9.5.1');
    expect(first.json()).toEqual({ status: 'second_factor_required', factors: ['passkey'] });
    const partial = sessionCookieOf(first)!;
    const start = await signInOptions(h, partial);
    challenges.push(start.options.challenge);
    expect(start.options.allowCredentials?.map((c) => c.id)).toEqual(authenticator.credentialIds);
    // Someone else's passkey cannot answer a challenge bound to this person's partial session.
    const wrongPerson = await h.call('POST', '/auth/passkey/verify', {
      cookie: partial,
      payload: {
        challengeId: start.challengeId,
        response: theirs.authenticate(start.options, { credentialId: theirs.credentialIds[0] }),
      },
    });
    expect(wrongPerson.statusCode).toBe(401);

    const done = await passkeySignIn(authenticator, { cookie: partial });
    expect(done.statusCode).toBe(200);
    const full = sessionCookieOf(done)!;
    expect((await h.call('GET', '/auth/me', { cookie: full })).json()).toMatchObject({ level: 'full' });
    expect((await h.call('GET', '/auth/me', { cookie: partial })).statusCode).toBe(401);
    // The same session was completed (rotated), not a second one made.
    const sessions = await db()
      .select()
      .from(identitySessions)
      .where(and(eq(identitySessions.personId, person.id), isNull(identitySessions.revokedAt)));
    expect(sessions.filter((s) => s.level === 'full' && s.ip === '10.9.5.1')).toHaveLength(1);
  });

  it('refuses a wrong origin, a reused, misused or expired challenge, no user verification, and a clone', async () => {
    const person = await createPerson(db());
    const { cookie } = await signIn(db(), person.id);

    // Registration from a look-alike site.
    const reg = (await h.call('POST', '/auth/passkeys/registration-options', { cookie })).json<{
      challengeId: string;
      options: PublicKeyCredentialCreationOptionsJSON;
    }>();
    const phished = await h.call('POST', '/auth/passkeys', {
      cookie,
      payload: {
        challengeId: reg.challengeId,
        response: new SoftwareAuthenticator('https://cairn-login.example').register(reg.options),
        name: 'Phished',
      },
    });
    expect(phished.statusCode).toBe(401);
    // That challenge is spent even though verification failed.
    const retry = await h.call('POST', '/auth/passkeys', {
      cookie,
      payload: {
        challengeId: reg.challengeId,
        response: new SoftwareAuthenticator(origin()).register(reg.options),
        name: 'Retry',
      },
    });
    expect(retry.statusCode).toBe(401);

    const { authenticator } = await registerPasskey(h, cookie);
    expect((await passkeySignIn(authenticator, { origin: 'https://cairn-login.example' })).statusCode).toBe(
      401,
    );

    // A challenge works once.
    const start = await signInOptions(h);
    challenges.push(start.options.challenge);
    const once = await h.call('POST', '/auth/passkey/verify', {
      payload: { challengeId: start.challengeId, response: authenticator.authenticate(start.options) },
    });
    expect(once.statusCode).toBe(200);
    const twice = await h.call('POST', '/auth/passkey/verify', {
      payload: { challengeId: start.challengeId, response: authenticator.authenticate(start.options) },
    });
    expect(twice.statusCode).toBe(401);

    // A challenge expires after five minutes.
    const stale = await signInOptions(h);
    challenges.push(stale.options.challenge);
    await db()
      .update(identityChallenges)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(identityChallenges.id, stale.challengeId));
    const expired = await h.call('POST', '/auth/passkey/verify', {
      payload: { challengeId: stale.challengeId, response: authenticator.authenticate(stale.options) },
    });
    expect(expired.statusCode).toBe(401);

    // A step-up challenge is not a sign-in challenge.
    const stepStart = (await h.call('POST', '/auth/step-up/options', { cookie })).json<{
      challengeId: string;
      options: PublicKeyCredentialRequestOptionsJSON;
    }>();
    challenges.push(stepStart.options.challenge);
    const misused = await h.call('POST', '/auth/passkey/verify', {
      payload: {
        challengeId: stepStart.challengeId,
        response: authenticator.authenticate(stepStart.options),
      },
    });
    expect(misused.statusCode).toBe(401);

    // An answer for another challenge than the one issued.
    const swapped = await signInOptions(h);
    const other = await signInOptions(h);
    challenges.push(swapped.options.challenge, other.options.challenge);
    const mismatch = await h.call('POST', '/auth/passkey/verify', {
      payload: { challengeId: swapped.challengeId, response: authenticator.authenticate(other.options) },
    });
    expect(mismatch.statusCode).toBe(401);

    // Presence without verification (no PIN or biometric) is not enough.
    const noUv = await signInOptions(h);
    challenges.push(noUv.options.challenge);
    const unverified = await h.call('POST', '/auth/passkey/verify', {
      payload: {
        challengeId: noUv.challengeId,
        response: authenticator.authenticate(noUv.options, { userVerified: false }),
      },
    });
    expect(unverified.statusCode).toBe(401);

    // A cloned authenticator: once the original moves the counter on, the copy's counter lags behind.
    const clone = authenticator.clone();
    expect((await passkeySignIn(authenticator)).statusCode).toBe(200);
    expect((await passkeySignIn(clone)).statusCode).toBe(401);
    const failures = await h.t.database.asOwner((owner) =>
      owner.select().from(kernelAudit).where(eq(kernelAudit.action, 'identity.sign_in_failed')),
    );
    expect(failures.length).toBeGreaterThanOrEqual(6);
  });

  it('enrols a sensitive role by its first passkey, and will not remove the last one', async () => {
    const { personId, membership } = await createMember(db(), { role: 'caseworker', passkey: false });
    const { cookie } = await signIn(db(), personId, { membershipId: membership.id });
    expect((await h.call('GET', '/auth/me', { cookie })).json()).toMatchObject({ hasRequiredFactor: false });
    const { authenticator, passkeyId } = await registerPasskey(h, cookie);
    expect((await h.call('GET', '/auth/me', { cookie })).json()).toMatchObject({
      hasRequiredFactor: true,
      factors: { passkeys: 1 },
    });
    const stepped = await stepUp(h, cookie, authenticator);
    const last = await h.call('DELETE', `/auth/passkeys/${passkeyId}`, { cookie: stepped });
    expect(last.statusCode).toBe(409);
    // With a second passkey, the first can go.
    const { passkeyId: second } = await registerPasskey(
      h,
      stepped,
      new SoftwareAuthenticator(origin()),
      'Security key',
    );
    expect((await h.call('DELETE', `/auth/passkeys/${passkeyId}`, { cookie: stepped })).statusCode).toBe(204);
    // Someone else's passkey does not exist for this caller.
    const stranger = await createPerson(db(), { passkey: true });
    const [theirs] = await db()
      .select()
      .from(identityPasskeys)
      .where(eq(identityPasskeys.personId, stranger.id));
    expect((await h.call('DELETE', `/auth/passkeys/${theirs!.id}`, { cookie: stepped })).statusCode).toBe(
      404,
    );
    const left = (await h.call('GET', '/auth/passkeys', { cookie: stepped })).json<{ id: string }[]>();
    expect(left.map((passkey) => passkey.id)).toEqual([second]);
  });

  it('writes no challenge to the logs', () => {
    expect(challenges.length).toBeGreaterThan(5);
    const logs = h.t.rawLogs();
    for (const challenge of challenges) expect(logs).not.toContain(challenge);
  });
});

// --- platform setting --------------------------------------------------------------------------------------

describe('the required-factor setting', () => {
  const h = harness();
  beforeAll(() => h.ready());
  afterAll(() => h.close());
  const db = () => h.t.database.db;

  it('is read and changed by platform admins only, after a step-up, and applies at once', async () => {
    const admin = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    const moderator = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const member = await createMember(db(), { role: 'member' });
    const adminCookie = (await signIn(db(), admin.id)).cookie;
    const moderatorCookie = (await signIn(db(), moderator.id)).cookie;
    const memberCookie = (await signIn(db(), member.personId, { membershipId: member.membership.id })).cookie;

    const read = await h.call('GET', '/identity/settings', { cookie: adminCookie });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ requiredFactor: 'passkey', warning: null });
    for (const cookie of [moderatorCookie, memberCookie]) {
      expect((await h.call('GET', '/identity/settings', { cookie })).statusCode).toBe(403);
      const put = await h.call('PUT', '/identity/settings', {
        cookie,
        payload: { requiredFactor: 'passkey_or_totp' },
      });
      expect(put.statusCode).toBe(403);
      expect(put.json()).toMatchObject({ code: 'forbidden' });
    }
    expect((await h.call('GET', '/identity/settings')).statusCode).toBe(401);

    const noStepUp = await h.call('PUT', '/identity/settings', {
      cookie: adminCookie,
      payload: { requiredFactor: 'passkey_or_totp' },
    });
    expect(noStepUp.statusCode).toBe(403);
    expect(noStepUp.json()).toMatchObject({ code: 'step_up_required' });

    // A caseworker with only TOTP is held to enrolment while passkeys are required.
    const caseworker = await createMember(db(), { role: 'caseworker', passkey: false });
    await giveTotp(h.t, caseworker.personId);
    const caseworkerCookie = (
      await signIn(db(), caseworker.personId, { membershipId: caseworker.membership.id })
    ).cookie;
    expect((await h.call('GET', '/auth/me', { cookie: caseworkerCookie })).json()).toMatchObject({
      hasRequiredFactor: false,
    });

    const { authenticator } = await registerPasskey(h, adminCookie);
    const stepped = await stepUp(h, adminCookie, authenticator);
    const changed = await h.call('PUT', '/identity/settings', {
      cookie: stepped,
      payload: { requiredFactor: 'passkey_or_totp' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({
      requiredFactor: 'passkey_or_totp',
      warning: 'identity.settings.totp_allowed_warning',
    });
    const [setting] = await db()
      .select()
      .from(identitySettings)
      .where(eq(identitySettings.key, 'required_factor'));
    expect(setting!.value).toBe('passkey_or_totp');
    expect((await h.call('GET', '/auth/me', { cookie: caseworkerCookie })).json()).toMatchObject({
      hasRequiredFactor: true,
      requiredFactor: 'passkey_or_totp',
    });
    // Now TOTP is the caseworker's required factor: it cannot be removed, even with the password.
    const remove = await h.call('DELETE', '/auth/totp', {
      cookie: caseworkerCookie,
      payload: { currentPassword: factoryPassword },
    });
    expect(remove.statusCode).toBe(409);

    const audit = await h.t.database.asOwner((owner) =>
      owner.select().from(kernelAudit).where(eq(kernelAudit.action, 'identity.settings_changed')),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorPersonId: admin.id,
      details: { key: 'required_factor', value: 'passkey_or_totp' },
    });
    const invalid = await h.call('PUT', '/identity/settings', {
      cookie: stepped,
      payload: { requiredFactor: 'password' },
    });
    expect(invalid.statusCode).toBe(400);
  });
});
