import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, decrypt, encrypt, hashToken, randomToken } from './crypto.js';

describe('crypto', () => {
  const key = randomBytes(32);

  it('round-trips any text, bound to its aad', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), (text, aad) => {
        const sealed = encrypt(key, text, aad);
        expect(decrypt(key, sealed, aad)).toBe(text);
        expect(() => decrypt(key, sealed, `${aad}!`)).toThrow();
      }),
    );
  });

  it('refuses a changed ciphertext, a wrong key and garbage', () => {
    const sealed = encrypt(key, 'secret', 'table.column.1');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    expect(() => decrypt(key, parts.join('.'), 'table.column.1')).toThrow();
    expect(() => decrypt(randomBytes(32), sealed, 'table.column.1')).toThrow();
    expect(() => decrypt(key, 'nonsense', 'x')).toThrow('not a sealed value');
  });

  it('never produces the same ciphertext twice', () => {
    expect(encrypt(key, 'same', 'a')).not.toBe(encrypt(key, 'same', 'a'));
  });

  it('makes unique 256-bit tokens and stores only their hash', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
    const token = randomToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });

  it('compares in constant time but correctly', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => constantTimeEqual(a, b) === (a === b)));
  });
});
