import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem';
import { retryDelay, shouldRetry } from './queryClient';

describe('shouldRetry', () => {
  it('retries network failures and server errors a few times', () => {
    expect(shouldRetry(0, new TypeError('Failed to fetch'))).toBe(true);
    expect(shouldRetry(1, new ApiError(503, undefined))).toBe(true);
    expect(shouldRetry(0, new ApiError(429, undefined))).toBe(true);
    expect(shouldRetry(4, new TypeError('Failed to fetch'))).toBe(false);
  });

  it('does not retry client errors', () => {
    expect(shouldRetry(0, new ApiError(400, undefined))).toBe(false);
    expect(shouldRetry(0, new ApiError(404, undefined))).toBe(false);
    expect(shouldRetry(0, new ApiError(422, undefined))).toBe(false);
  });
});

describe('retryDelay', () => {
  it('grows exponentially within jitter bounds and is capped', () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const base = Math.min(1000 * 2 ** attempt, 30_000);
      const delay = retryDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(base * 0.75);
      expect(delay).toBeLessThanOrEqual(base * 1.25);
    }
  });
});
