import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  autocannonArgs,
  countStatus,
  parseAutocannonJson,
  pathsWorkerArgs,
  pathsWorkerInput,
  runLoad,
} from './load.js';

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

describe('parseAutocannonJson status codes', () => {
  it('reads the count of each HTTP status when autocannon reports them', () => {
    const withStatus = JSON.stringify({
      ...(JSON.parse(sample) as object),
      statusCodeStats: { '200': { count: 30 }, '429': { count: 412 } },
    });
    const result = parseAutocannonJson(withStatus);
    expect(result.statusCodes).toEqual({ '200': 30, '429': 412 });
    expect(countStatus(result, 429)).toBe(412);
    expect(countStatus(result, 500)).toBe(0);
    expect(countStatus(parseAutocannonJson(sample), 429)).toBe(0);
  });

  it('fails loudly on a status breakdown it does not understand', () => {
    const broken = JSON.stringify({ ...(JSON.parse(sample) as object), statusCodeStats: { '200': {} } });
    expect(() => parseAutocannonJson(broken)).toThrow(/200\.count/);
  });
});

describe('autocannonArgs', () => {
  const base = { url: 'http://127.0.0.1:1234/api/x', connections: 4, durationSeconds: 5 };

  it('keeps a plain GET exactly as before', () => {
    expect(autocannonArgs(base)).toEqual([
      '--json',
      '--connections',
      '4',
      '--duration',
      '5',
      '--timeout',
      '10',
      'http://127.0.0.1:1234/api/x',
    ]);
  });

  it('adds the method, each header as name=value, and the body, before the URL', () => {
    const args = autocannonArgs({
      ...base,
      method: 'post',
      headers: { 'content-type': 'application/json', cookie: '__Host-s=a=b:c' },
      body: '{"email":"a@b.c","password":"x y, z"}',
    });
    expect(args.slice(7)).toEqual([
      '--method',
      'POST',
      '--headers',
      'content-type=application/json',
      '--headers',
      'cookie=__Host-s=a=b:c',
      '--body',
      '{"email":"a@b.c","password":"x y, z"}',
      'http://127.0.0.1:1234/api/x',
    ]);
  });

  it('refuses what autocannon would mangle', () => {
    expect(() => autocannonArgs({ ...base, method: 'GET /x' })).toThrow(/method/);
    expect(() => autocannonArgs({ ...base, headers: { 'a=b': 'c' } })).toThrow(/header name/);
    expect(() => autocannonArgs({ ...base, headers: { 'x-a': 'b\r\nx-evil: 1' } })).toThrow(/line break/);
  });
});

describe('runLoad over several paths', () => {
  it('refuses paths that are not request paths', () => {
    const base = { url: 'http://127.0.0.1:1234', connections: 1, durationSeconds: 1 };
    expect(() => pathsWorkerArgs({ ...base, paths: [] })).toThrow(/at least one path/);
    expect(JSON.parse(pathsWorkerInput({ ...base, paths: ['/a'] }))).toMatchObject({
      paths: ['/a'],
      connections: 1,
    });
    expect(() => pathsWorkerArgs({ ...base, paths: ['no-slash'] })).toThrow(/not a request path/);
    expect(() => pathsWorkerArgs({ ...base, paths: ['/a b'] })).toThrow(/not a request path/);
  });

  it('takes every path in turn and reports like the CLI', async () => {
    const seen = new Map<string, number>();
    const server = createServer((request, response) => {
      seen.set(request.url ?? '', (seen.get(request.url ?? '') ?? 0) + 1);
      response.end(request.headers.cookie === 'session=x' ? 'ok' : 'no cookie');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const paths = ['/search?q=a', '/search?q=b&country=TH', '/map?service=shelter'];
      const result = await runLoad({
        url: `http://127.0.0.1:${port}`,
        paths,
        connections: 2,
        durationSeconds: 1,
        headers: { cookie: 'session=x' },
      });
      expect(result.totalRequests).toBeGreaterThan(30);
      expect(result.errors + result.non2xx).toBe(0);
      expect([...seen.keys()].sort()).toEqual([...paths].sort());
      // Spread evenly: no path gets more than half again its share.
      for (const count of seen.values()) expect(count).toBeGreaterThan(result.totalRequests / 3 / 1.5);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});
