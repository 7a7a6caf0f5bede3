import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../lib/load.js';
import { signInRows } from './identity.js';
import type { SignInMeasurement } from './identity.js';

const result: LoadResult = {
  requestsPerSecond: 20,
  latencyP50Ms: 45,
  latencyP99Ms: 90,
  latencyMeanMs: 50,
  totalRequests: 25,
  errors: 0,
  non2xx: 0,
  durationSeconds: 1.25,
};

describe('signInRows', () => {
  it('compares latencies with the hash and puts the sanity target on one connection only', () => {
    const measured: SignInMeasurement = {
      connections: 1,
      result,
      rateLimited: 0,
      probeFailures: 0,
      method: 'autocannon',
    };
    const rows = signInRows(measured, 15);
    expect(rows.map((r) => r.metric)).toEqual([
      'sign_in_c1_rps',
      'sign_in_c1_p50_ms',
      'sign_in_c1_p99_ms',
      'sign_in_c1_failed_requests',
      'sign_in_c1_rate_limited_requests',
      'sign_in_c1_measured_requests',
    ]);
    expect(rows[1]).toMatchObject({ value: 45, baseline: 15, ratio: 3, target: '<= 500' });
    expect(rows[2]).toMatchObject({ baseline: 15, ratio: 6, target: null });
    expect(signInRows({ ...measured, connections: 4 }, 15)[1]?.target).toBeNull();
  });

  it('keeps 429s out of the failures but counts any other failure of the throttled run', () => {
    const rows = signInRows(
      { connections: 4, result, rateLimited: 400, probeFailures: 2, method: 'timed' },
      15,
    );
    const value = (metric: string) => rows.find((r) => r.metric === metric)?.value;
    expect(value('sign_in_c4_failed_requests')).toBe(2);
    expect(value('sign_in_c4_rate_limited_requests')).toBe(400);
    expect(value('sign_in_c4_measured_requests')).toBe(25);
  });
});
