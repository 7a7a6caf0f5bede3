import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { isCrossSiteWrite } from './csrf.js';

const request = (method: string, headers: Record<string, string>) =>
  ({ method, headers, protocol: 'http', host: 'localhost:3000' }) as unknown as FastifyRequest;

describe('isCrossSiteWrite', () => {
  const url = 'https://cairn.example.org';

  it('refuses writes a browser marks as cross-site or same-site', () => {
    expect(isCrossSiteWrite(request('POST', { 'sec-fetch-site': 'cross-site' }), url)).toBe(true);
    expect(isCrossSiteWrite(request('DELETE', { 'sec-fetch-site': 'same-site' }), url)).toBe(true);
    expect(isCrossSiteWrite(request('POST', { 'sec-fetch-site': 'same-origin' }), url)).toBe(false);
    expect(isCrossSiteWrite(request('POST', { 'sec-fetch-site': 'none' }), url)).toBe(false);
  });

  it('falls back to Origin when Sec-Fetch-Site is missing', () => {
    expect(isCrossSiteWrite(request('PATCH', { origin: 'https://evil.example' }), url)).toBe(true);
    expect(isCrossSiteWrite(request('PATCH', { origin: 'https://cairn.example.org' }), url)).toBe(false);
    expect(isCrossSiteWrite(request('PATCH', { origin: 'http://localhost:3000' }), url)).toBe(false);
  });

  it('lets reads and header-less clients through', () => {
    expect(isCrossSiteWrite(request('GET', { 'sec-fetch-site': 'cross-site' }), url)).toBe(false);
    expect(isCrossSiteWrite(request('POST', {}), url)).toBe(false);
  });
});
