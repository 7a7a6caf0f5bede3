import { describe, expect, it } from 'vitest';
import { parseAutocannonJson } from './load.js';

// The shape autocannon 9 prints with --json, trimmed to the fields the harness reads plus a few others.
const sample = JSON.stringify({
  url: 'http://127.0.0.1:1234/',
  duration: 5.02,
  errors: 1,
  timeouts: 1,
  non2xx: 3,
  latency: { average: 1.2, mean: 1.2, p50: 1, p99: 4 },
  requests: { average: 34012.4, mean: 34012.4, total: 170062 },
});

describe('parseAutocannonJson', () => {
  it('reads the numbers the rows are made of', () => {
    expect(parseAutocannonJson(`${sample}\n`)).toEqual({
      requestsPerSecond: 34012.4,
      latencyP50Ms: 1,
      latencyP99Ms: 4,
      latencyMeanMs: 1.2,
      totalRequests: 170062,
      errors: 1,
      non2xx: 3,
      durationSeconds: 5.02,
    });
  });

  it('takes the last JSON line when something else was printed first', () => {
    expect(parseAutocannonJson(`Running 5s test\n{"not":"it"}\n${sample}`).totalRequests).toBe(170062);
  });

  it('fails loudly on output it does not understand', () => {
    expect(() => parseAutocannonJson('boom')).toThrow(/no JSON result/);
    expect(() => parseAutocannonJson('{"requests":{}}')).toThrow(/requests\.average/);
  });
});
