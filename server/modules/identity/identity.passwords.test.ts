import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './identity.passwords.js';

describe('passwords', () => {
  it('accepts long passphrases in any script, without composition rules', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('ស្រឡាញ់ភ្នំពេញខ្លាំងណាស់')).toBeNull();
    expect(passwordProblem('كلمة مرور طويلة جدا')).toBeNull();
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    // 14 emoji are 28 UTF-16 units but 14 characters: too short.
    expect(passwordProblem('🙂'.repeat(14))).toBe('identity.password_too_short');
    expect(passwordProblem('a'.repeat(129))).toBe('identity.password_too_long');
    expect(passwordProblem('x'.repeat(14))).toBe('identity.password_too_short');
  });

  it('refuses common and breached passwords, repeats and the account name', () => {
    expect(passwordProblem('123456789012345')).toBe('identity.password_too_common');
    expect(passwordProblem('1qaz2wsx3edc4rfv')).toBe('identity.password_too_common');
    expect(passwordProblem('password123456789!')).toBe('identity.password_too_common');
    expect(passwordProblem('abcdefghijklmnopq')).toBe('identity.password_too_common');
    expect(passwordProblem('passwordpasswordpassword')).toBe('identity.password_too_common');
    expect(passwordProblem('aaaaaaaaaaaaaaaaaa')).toBe('identity.password_too_common');
    expect(passwordProblem('my name is nguyenvan and more', { email: 'nguyenvan@ngo.org' })).toBe(
      'identity.password_contains_identity',
    );
  });

  it('hashes with argon2id at the OWASP baseline and verifies', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapl')).toBe(false);
    expect(await verifyPassword(null, 'anything at all here')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything at all here')).toBe(false);
  });
});
