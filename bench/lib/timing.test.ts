import { describe, expect, it } from 'vitest';
import { median, percentile, timeCalls, timedLoadResult } from './timing.js';

describe('percentile and median', () => {
  it('takes the nearest rank, whatever the order of the samples', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 99)).toBe(5);
    expect(percentile(samples, 0)).toBe(1);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => 100 - i),
        99,
      ),
    ).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('averages the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([9, 1, 5])).toBe(5);
  });

  it('refuses what has no answer', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => median([])).toThrow(/no samples/);
    expect(() => percentile([1], 101)).toThrow(/0 to 100/);
    expect(() => percentile([1], Number.NaN)).toThrow(/0 to 100/);
  });
});

describe('timeCalls', () => {
  it('makes exactly `total` calls, at most `concurrency` at a time', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const timed = await timeCalls(
      async () => {
        calls += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        return true;
      },
      { total: 10, concurrency: 4 },
    );
    expect(calls).toBe(10);
    expect(most).toBe(4);
    expect(timed.latenciesMs).toHaveLength(10);
    expect(timed.failures).toBe(0);
    expect(timed.firstFailure).toBeNull();
    expect(timed.wallMs).toBeGreaterThan(0);
  });

  it('counts false and throws as failures, without their latencies, and keeps the first reason', async () => {
    let n = 0;
    const timed = await timeCalls(
      () => {
        n += 1;
        if (n === 2) return Promise.reject(new Error('HTTP 429'));
        return Promise.resolve(n !== 3);
      },
      { total: 4, concurrency: 1 },
    );
    expect(timed.latenciesMs).toHaveLength(2);
    expect(timed.failures).toBe(2);
    expect(timed.firstFailure).toBe('HTTP 429');
  });

  it('refuses a nonsensical plan', async () => {
    await expect(timeCalls(() => Promise.resolve(true), { total: 0, concurrency: 1 })).rejects.toThrow(
      /total/,
    );
    await expect(timeCalls(() => Promise.resolve(true), { total: 3, concurrency: 0 })).rejects.toThrow(
      /concurrency/,
    );
  });
});

describe('timedLoadResult', () => {
  it('reads timed calls like an autocannon result', () => {
    const latenciesMs = [10, 30, 20, 40];
    expect(timedLoadResult({ latenciesMs, failures: 1, firstFailure: 'x', wallMs: 2000 })).toEqual({
      requestsPerSecond: 2,
      latencyP50Ms: 20,
      latencyP99Ms: 40,
      latencyMeanMs: 25,
      totalRequests: 5,
      errors: 1,
      non2xx: 0,
      durationSeconds: 2,
    });
  });

  it('reports zeros rather than NaN when nothing succeeded', () => {
    const result = timedLoadResult({ latenciesMs: [], failures: 3, firstFailure: 'x', wallMs: 0 });
    expect(result).toMatchObject({ requestsPerSecond: 0, latencyP50Ms: 0, latencyP99Ms: 0, errors: 3 });
  });
});
