import { describe, expect, it } from 'vitest';
import { tierValidity } from './tier';

const now = new Date('2025-06-01T12:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

describe('tierValidity', () => {
  it('has nothing to say without a tier', () => {
    expect(tierValidity({ tier: null, tierExpiresAt: null, tierExpired: false }, now)).toEqual({
      state: 'none',
    });
  });

  it('is valid while more than 30 days remain', () => {
    expect(tierValidity({ tier: 'verified', tierExpiresAt: inDays(31), tierExpired: false }, now).state).toBe(
      'valid',
    );
  });

  it('warns within 30 days, counting partial days up', () => {
    expect(
      tierValidity({ tier: 'verified', tierExpiresAt: inDays(30), tierExpired: false }, now),
    ).toMatchObject({
      state: 'expiring',
      daysLeft: 30,
    });
    expect(
      tierValidity({ tier: 'verified', tierExpiresAt: inDays(0.2), tierExpired: false }, now),
    ).toMatchObject({
      state: 'expiring',
      daysLeft: 1,
    });
  });

  it('follows the server on expiry, even if the clocks disagree', () => {
    expect(tierValidity({ tier: 'verified', tierExpiresAt: inDays(2), tierExpired: true }, now).state).toBe(
      'expired',
    );
    expect(
      tierValidity({ tier: 'verified', tierExpiresAt: inDays(-1), tierExpired: false }, now),
    ).toMatchObject({
      state: 'expiring',
      daysLeft: 1,
    });
  });
});
