import { hash, verify, type Options } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/** NIST SP 800-63B lengths: at least 15 characters, at most 128 accepted, no composition rules. */
export const passwordMinLength = 15;
export const passwordMaxLength = 128;

// OWASP's argon2id baseline: 19 MiB, two passes, one lane.
// `algorithm: 2` is Algorithm.Argon2id (a const enum, which isolated modules cannot import).
const argonOptions: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// The common-password list of zxcvbn-ts (≈49k passwords seen in breaches), as a set for O(1) checks.
const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/** True for runs like 123456789012345 or abcdefghijklmnop, forwards or backwards. */
function isSequence(text: string): boolean {
  const codes = [...text].map((ch) => ch.codePointAt(0)!);
  const step = (a: number, b: number) => (/\d/.test(String.fromCodePoint(a)) ? (b - a + 10) % 10 : b - a);
  const first = step(codes[0]!, codes[1]!);
  return (
    (first === 1 || first === -1 || first === 9) &&
    codes.slice(1).every((c, i) => step(codes[i]!, c) === first)
  );
}

/** Length in characters as people count them (code points), not UTF-16 units. */
export const passwordLength = (password: string) => [...password].length;

/** Why a new password is refused, as an i18n key under `validation.`, or null if it is acceptable. */
export function passwordProblem(
  password: string,
  context: { email?: string; displayName?: string } = {},
): string | null {
  const length = passwordLength(password);
  if (length < passwordMinLength) return 'identity.password_too_short';
  if (length > passwordMaxLength) return 'identity.password_too_long';
  const folded = password.toLowerCase();
  // Repeating one short common word ("passwordpassword…") is as weak as the word.
  const repeated = /^(.{1,8}?)\1+$/.exec(folded)?.[1];
  // A common password padded with digits or symbols ("password123456789!") is still that password.
  const base = /^(.*?)[\d\W_]*$/u.exec(folded)?.[1] ?? folded;
  if (
    common.has(folded) ||
    (repeated && common.has(repeated)) ||
    (base.length >= 4 && common.has(base)) ||
    /^(.)\1+$/.test(folded) ||
    isSequence(folded)
  ) {
    return 'identity.password_too_common';
  }
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (
    (local && local.length >= 4 && folded.includes(local)) ||
    folded === context.displayName?.toLowerCase()
  ) {
    return 'identity.password_contains_identity';
  }
  return null;
}

/** Hashes a password with argon2id (salt and parameters are inside the result). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, argonOptions);
}

// SECURITY: compared against when the account does not exist, so the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

/** Checks a password against a stored hash; with no hash, spends the same time and says no. */
export async function verifyPassword(
  storedHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hashPassword('cairn-timing-equaliser-not-a-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
