import { describe, expect, it } from 'vitest';
import { authPaths, safeNextPath, signInPathFor, tokenFromHash } from './navigation';

describe('safeNextPath', () => {
  it('keeps plain paths on this site, with their query and fragment', () => {
    expect(safeNextPath('/account/security')).toBe('/account/security');
    expect(safeNextPath('/cases?page=2#notes')).toBe('/cases?page=2#notes');
  });

  it('falls back to the home page for anything that could leave the site or run script', () => {
    for (const next of [
      null,
      undefined,
      '',
      'account',
      '//evil.example/path',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/\t/evil.example',
      '/%0a/evil',
      '/\u0000x',
    ]) {
      const result = safeNextPath(next);
      expect(result.startsWith('/') && !result.startsWith('//'), String(next)).toBe(true);
      if (next === '/%0a/evil') expect(result).toBe('/%0a/evil');
      else expect(result, String(next)).toBe('/');
    }
  });
});

describe('signInPathFor', () => {
  it('remembers where to come back to, except the home page', () => {
    expect(signInPathFor('/account/sessions')).toBe(`${authPaths.signIn}?next=%2Faccount%2Fsessions`);
    expect(signInPathFor('/')).toBe(authPaths.signIn);
    expect(signInPathFor('//evil.example')).toBe(authPaths.signIn);
  });
});

describe('tokenFromHash', () => {
  it('reads the token of a reset or invitation link', () => {
    expect(tokenFromHash('#token=abc123-_XYZ')).toBe('abc123-_XYZ');
    expect(tokenFromHash('#other=1&token=t0k3n')).toBe('t0k3n');
  });

  it('answers null when there is no usable token', () => {
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('#tokens=abc')).toBeNull();
  });
});
