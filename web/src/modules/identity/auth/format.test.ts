import { describe, expect, it } from 'vitest';
import { formatDateTime, groupSecret, recoveryCodesFile } from './format';

describe('groupSecret', () => {
  it('groups a base32 secret in fours for reading and typing', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
    expect(groupSecret(' AB CD ')).toBe('ABCD');
  });
});

describe('recoveryCodesFile', () => {
  it('is a heading, the date and one code a line, with Windows line ends', () => {
    expect(recoveryCodesFile('Codes for a@b.org', '1 Mar 2025', ['AAAA-BBBB', 'CCCC-DDDD'])).toBe(
      'Codes for a@b.org\r\n1 Mar 2025\r\n\r\nAAAA-BBBB\r\nCCCC-DDDD\r\n',
    );
  });
});

describe('formatDateTime', () => {
  it('formats in the reader’s language and leaves unreadable values as they are', () => {
    const iso = '2025-03-01T14:05:00.000Z';
    expect(formatDateTime(iso, 'en')).toMatch(/2025/);
    expect(formatDateTime(iso, 'ar')).not.toBe(formatDateTime(iso, 'en'));
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
  });
});
