import { describe, expect, it } from 'vitest';
import {
  judgeFlatness,
  linearFit,
  percentileOfSorted,
  rssFromProcStatus,
  summarise,
  type FlatnessRule,
  type MemorySample,
} from './load-stats.js';
import { assetsOfPage, badRateLimitAnswer, sessionFromSetCookie } from './load-traffic.js';

/** The load suite's arithmetic and parsing, checked apart from its ten-minute run (load.security.ts). */

const mib = 1024 * 1024;
const rule: FlatnessRule = { warmUpSeconds: 120, maxGrowth: 0.05, segments: 4, minStepGrowth: 0.01 };

/** Samples every 5 s for 10 minutes: a base, a linear trend, a sawtooth like a garbage collector's. */
function series(base: number, perSecond: number, sawtooth = 0, periodSeconds = 90): MemorySample[] {
  return Array.from({ length: 121 }, (_, i) => {
    const t = i * 5;
    return { t, bytes: base + perSecond * t + sawtooth * ((t % periodSeconds) / periodSeconds) };
  });
}

describe('load suite: statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted(sorted, 100)).toBe(100);
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
    expect(summarise([5, 1, 3])).toEqual({ count: 3, p50: 3, p95: 5, p99: 5, max: 5 });
  });

  it('fits a line by least squares', () => {
    const fit = linearFit([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 5 },
    ]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(1);
    expect(() => linearFit([{ x: 1, y: 1 }])).toThrow();
    expect(() =>
      linearFit([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toThrow();
  });

  it('calls memory flat when it only saws up and down after the warm-up', () => {
    const verdict = judgeFlatness(series(330 * mib, 0, 40 * mib), rule);
    expect(verdict.reasons).toEqual([]);
    expect(verdict.flat).toBe(true);
    expect(Math.abs(verdict.growth)).toBeLessThan(0.05);
    expect(verdict.samples).toBe(97);
  });

  it('ignores the climb of the warm-up', () => {
    const warming = series(330 * mib, 0).map((s) => ({
      t: s.t,
      bytes: s.t < 120 ? 200 * mib + s.t * mib : s.bytes,
    }));
    expect(judgeFlatness(warming, rule).flat).toBe(true);
  });

  it('fails a leak that grows the fitted line by 5 % or more', () => {
    // 330 MiB growing 40 KiB a second: ~19 MiB (5.7 %) over the 8 judged minutes.
    const verdict = judgeFlatness(series(330 * mib, 40 * 1024, 20 * mib), rule);
    expect(verdict.flat).toBe(false);
    expect(verdict.growth).toBeGreaterThan(0.05);
    expect(verdict.reasons.join()).toMatch(/grows/);
  });

  it('fails a steady climb even under the 5 % bound', () => {
    // 4.5 % over the judged window, quarter after quarter.
    const verdict = judgeFlatness(series(330 * mib, (0.045 * 330 * mib) / 480), rule);
    expect(verdict.growth).toBeLessThan(0.05);
    expect(verdict.monotonicClimb).toBe(true);
    expect(verdict.flat).toBe(false);
  });

  it('judges a part of the whole against the whole: the same leak in bytes fails, a smaller drift passes', () => {
    // Memory outside V8's heap, 140 MiB of a 350 MiB RSS. A leak of 40 KiB a second (~19 MiB over the judged
    // minutes) is 5.4 % of RSS: it fails either way. A drift of 10 KiB a second (~4.7 MiB, 3.4 % of the part's
    // own level, 1.3 % of RSS) is within the whole's budget.
    const leak = judgeFlatness(series(140 * mib, 40 * 1024, 5 * mib), rule, 350 * mib);
    expect(leak.flat).toBe(false);
    expect(leak.growth).toBeGreaterThan(0.05);
    const drift = series(140 * mib, 10 * 1024, 5 * mib);
    expect(judgeFlatness(drift, rule, 350 * mib).reasons).toEqual([]);
    expect(judgeFlatness(drift, rule, 350 * mib).growth).toBeLessThan(0.02);
    // Without a whole, the part's own level is the base.
    expect(judgeFlatness(drift, rule).growth).toBeGreaterThan(0.03);
  });

  it('never passes a series too short to judge', () => {
    const verdict = judgeFlatness(series(330 * mib, 0).slice(0, 28), rule);
    expect(verdict.flat).toBe(false);
    expect(verdict.reasons.join()).toMatch(/only 4 samples/);
  });

  it('reads VmRSS from /proc/<pid>/status', () => {
    expect(rssFromProcStatus('Name:\tnode\nVmHWM:\t  400000 kB\nVmRSS:\t  338912 kB\nThreads:\t11\n')).toBe(
      338_912 * 1024,
    );
    expect(rssFromProcStatus('Name:\tzombie\n')).toBeNull();
  });
});

describe('load suite: answers', () => {
  const problem = (body: object, headers: Record<string, string> = {}) =>
    badRateLimitAnswer(
      new Headers({ 'content-type': 'application/problem+json; charset=utf-8', ...headers }),
      JSON.stringify(body),
    );

  it('accepts only the product’s 429: problem+json rate_limited with Retry-After', () => {
    expect(problem({ code: 'rate_limited', status: 429 }, { 'retry-after': '12' })).toBeNull();
    expect(problem({ code: 'rate_limited', status: 429 })).toMatch(/Retry-After/);
    expect(problem({ code: 'internal', status: 429 }, { 'retry-after': '1' })).toMatch(/code internal/);
    expect(problem({ code: 'rate_limited', status: 500 }, { 'retry-after': '1' })).toMatch(/status 500/);
    expect(
      badRateLimitAnswer(new Headers({ 'content-type': 'application/json', 'retry-after': '1' }), '{}'),
    ).toMatch(/sent as/);
  });

  it('follows the session cookie a response sets, rotates or clears', () => {
    const set = (value: string) => {
      const headers = new Headers();
      headers.append('set-cookie', value);
      return headers;
    };
    expect(sessionFromSetCookie(set('__Host-cairn_session=abc; Path=/; HttpOnly; Secure'))).toBe(
      '__Host-cairn_session=abc',
    );
    expect(sessionFromSetCookie(set('__Host-cairn_session=; Max-Age=0; Path=/'))).toBe('');
    expect(
      sessionFromSetCookie(set('__Host-cairn_session=old; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/')),
    ).toBe('');
    expect(sessionFromSetCookie(set('other=1; Path=/'))).toBeUndefined();
    expect(sessionFromSetCookie(new Headers())).toBeUndefined();
  });

  it('finds the assets a page of the web app loads', () => {
    const html =
      '<link rel="icon" href="/favicon.svg"><script type="module" src="/assets/index-1.js"></script>' +
      '<link rel="modulepreload" href="/assets/react-2.js"><link rel="stylesheet" href="/assets/index-3.css">' +
      '<a href="/directory">x</a><link href="https://elsewhere.example/x.js">';
    expect(assetsOfPage(html)).toEqual([
      '/favicon.svg',
      '/assets/index-1.js',
      '/assets/react-2.js',
      '/assets/index-3.css',
    ]);
  });
});
