import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './kernel/config.js';
import { createLogger } from './kernel/logging.js';
import { createOutboxMailer } from './kernel/mail/mail.js';
import type { CairnModule } from './kernel/kernel.js';
import { projectRoot } from './paths.js';
import { createTestApp, type TestApp } from './test/app.js';
import { createTestDatabase, testDatabaseKind } from './test/db.js';

interface OpenApiOperation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, unknown>;
}
type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>>; tags: { name: string }[] };

describe('the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '5' } });
  });
  afterAll(() => t.close());

  it('reports health and the database engine', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      database: testDatabaseKind(),
      version: expect.any(String) as string,
    });
  });

  it('sends security headers on every response, errors included', async () => {
    for (const url of ['/api/health', '/api/missing']) {
      const res = await t.app.inject({ url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('rate-limits with a localised 429 problem and Retry-After', async () => {
    let last;
    for (let i = 0; i < 7; i++) {
      last = await t.app.inject({ url: '/api/openapi.json', headers: { 'accept-language': 'fr' } });
    }
    expect(last?.statusCode).toBe(429);
    expect(last?.headers['retry-after']).toMatch(/^\d+$/);
    expect(last?.json()).toMatchObject({ code: 'rate_limited', title: 'Trop de requêtes' });
    expect(last?.json<{ detail: string }>().detail).toMatch(
      /^Trop de requêtes\. Réessayez dans \d+ secondes?\.$/,
    );
  });
});

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.app.inject({ url: '/api/openapi.json' })).json<OpenApiDocument>();
  });
  afterAll(() => t.close());

  it('gives every operation a module tag, an operationId, security and problem responses', () => {
    const operations = Object.entries(doc.paths).flatMap(([url, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${url}`, op })),
    );
    expect(operations.length).toBeGreaterThan(0);
    const tags = new Set(doc.tags.map((tag) => tag.name));
    const ids = new Set<string>();
    for (const { name, op } of operations) {
      expect(op.operationId, name).toBeTruthy();
      expect(ids.has(op.operationId!), `${name} duplicates an operationId`).toBe(false);
      ids.add(op.operationId!);
      expect(op.tags?.length, name).toBe(1);
      expect(tags.has(op.tags![0]!), `${name} uses an undeclared tag`).toBe(true);
      expect(Array.isArray(op.security), `${name} must declare security`).toBe(true);
      expect(Object.keys(op.responses ?? {}), name).toEqual(expect.arrayContaining(['4XX', '5XX']));
    }
    expect(doc.paths['/api/health']?.get?.security).toEqual([]);
  });

  it('is committed, current, as docs/openapi.json (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(
      await readFile(path.join(projectRoot, 'docs', 'openapi.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(doc);
  });

  it('compresses large responses for slow connections', async () => {
    const res = await t.app.inject({ url: '/api/docs/json', headers: { 'accept-encoding': 'br' } });
    expect(res.headers['content-encoding']).toBe('br');
  });

  it('is browsable at /api/docs with its own CSP hashes and no unsafe-inline', async () => {
    const res = await t.app.inject({ url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-inline');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});

describe('route declarations', () => {
  it('refuses to boot when a route has no policy', async () => {
    const database = await createTestDatabase();
    const rogue: CairnModule = {
      name: 'rogue',
      description: 'A route without a policy.',
      routes: async (app: FastifyInstance) => {
        app.get('/rogue', { schema: { tags: ['rogue'], operationId: 'rogue', security: [] } }, () => 'x');
      },
    };
    const config = loadConfig({ NODE_ENV: 'test', CAIRN_RUN_JOBS: 'false', LOG_LEVEL: 'silent' });
    await expect(
      buildApp({
        config,
        database,
        mailer: createOutboxMailer('/tmp/cairn-unused', 'x@y.z'),
        logger: createLogger('silent'),
        modules: [rogue],
      }).then((app) => app.ready()),
    ).rejects.toThrow(/GET \/api\/rogue has no policy/);
    await database.close();
  });
});
