import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CairnModule } from '../kernel.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { AppError, errorCodes } from './errors.js';

// A module made for this test: routes that fail in each of the ways the HTTP layer must translate.
const probeModule: CairnModule = {
  name: 'probe',
  description: 'Routes that fail on purpose.',
  routes: async (scope: FastifyInstance) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const base = { tags: ['probe'], security: [] };
    app.post(
      '/probe/validate',
      {
        config: { policy: { access: 'public' } },
        schema: {
          ...base,
          operationId: 'probeValidate',
          body: z.strictObject({
            name: z.string().min(3),
            email: z.email(),
            age: z.number().int().max(150),
            tags: z.array(z.string()).min(1),
          }),
          querystring: z.object({ page: z.coerce.number().int().min(1).optional() }),
          response: { 200: z.object({ ok: z.boolean() }) },
        },
      },
      () => ({ ok: true }),
    );
    app.get(
      '/probe/conflict',
      { config: { policy: { access: 'public' } }, schema: { ...base, operationId: 'probeConflict' } },
      () => {
        throw new AppError('conflict');
      },
    );
    app.get(
      '/probe/crash',
      { config: { policy: { access: 'public' } }, schema: { ...base, operationId: 'probeCrash' } },
      () => {
        throw new Error('secret internal detail CANARY-7f3a at /srv/cairn/thing.ts');
      },
    );
    app.get(
      '/probe/bad-response',
      {
        config: { policy: { access: 'public' } },
        schema: { ...base, operationId: 'probeBadResponse', response: { 200: z.object({ n: z.number() }) } },
      },
      () => ({ n: 'not a number' }) as unknown as { n: number },
    );
  },
};

describe('problem+json errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ modules: [probeModule], env: { CAIRN_BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => t.close());

  it('reports each invalid field with its path and a localised message', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'accept-language': 'es-MX,es;q=0.9' },
      payload: { name: 'ab', email: 'nope', age: 1.5, tags: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['content-language']).toBe('es');
    const body = res.json<{
      code: string;
      title: string;
      errors: { path: string; code: string; message: string }[];
    }>();
    expect(body.code).toBe('validation_failed');
    expect(body.title).toBe('Algunos campos necesitan atención');
    const byPath = Object.fromEntries(body.errors.map((e) => [e.path, e]));
    expect(byPath['body.name']).toMatchObject({
      code: 'too_small',
      message: 'Debe tener al menos 3 caracteres.',
    });
    expect(byPath['body.email']).toMatchObject({
      code: 'invalid_format',
      message: 'Debe ser una dirección de correo electrónico válida.',
    });
    expect(byPath['body.age']?.code).toBe('invalid_type');
    expect(byPath['body.tags']).toMatchObject({
      code: 'too_small',
      message: 'Debe tener al menos 1 elemento.',
    });
  });

  it('names unknown fields and bad query parameters', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate?page=0',
      payload: { name: 'abc', email: 'a@b.org', age: 3, tags: ['x'] },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ errors: { path: string; message: string }[] }>();
    expect(body.errors).toEqual([{ path: 'query.page', code: 'too_small', message: 'Must be at least 1.' }]);

    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      payload: { name: 'abc', email: 'a@b.org', age: 3, tags: ['x'], role: 'admin' },
    });
    expect(extra.json<{ errors: { code: string; message: string }[] }>().errors[0]).toMatchObject({
      code: 'unrecognized_keys',
      message: 'Unknown fields: role.',
    });
  });

  it('answers malformed JSON, poisoned prototypes, huge bodies and wrong content types with problems', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'content-type': 'application/json', 'accept-language': 'fr' },
      payload: '{"name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'malformed_json', title: 'JSON mal formé' });

    const poisoned = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"abc","__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.headers['content-type']).toMatch(/problem\+json/);

    const constructorPoisoned = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'content-type': 'application/json' },
      payload: '{"constructor":{"prototype":{"admin":true}}}',
    });
    expect(constructorPoisoned.statusCode).toBe(400);

    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(10_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'payload_too_large' });

    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/probe/validate',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'hello',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('sends AppErrors with their status and localised title (Arabic)', async () => {
    const res = await t.app.inject({ url: '/api/probe/conflict', headers: { 'accept-language': 'ar' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      type: 'urn:cairn:problem:conflict',
      status: 409,
      code: 'conflict',
      title: 'تعارض',
      instance: '/api/probe/conflict',
    });
  });

  it('hides unknown errors behind a generic 500 with a request id, and logs them under that id', async () => {
    const res = await t.app.inject({
      url: '/api/probe/crash',
      headers: { 'x-request-id': 'trace-abc-12345' },
    });
    expect(res.statusCode).toBe(500);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ code: 'internal', requestId: 'trace-abc-12345' });
    expect(res.body).not.toContain('CANARY-7f3a');
    expect(res.body).not.toContain('/srv/cairn');
    expect(res.headers['x-request-id']).toBe('trace-abc-12345');
    const logged = t.logs.find((line) => line.reqId === 'trace-abc-12345' && line.level === 50);
    expect(logged?.msg).toBe('unhandled error');
  });

  it('treats a response that breaks its own schema as an internal error', async () => {
    const res = await t.app.inject({ url: '/api/probe/bad-response' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'internal' });
  });

  it('replaces an unsafe incoming request id with its own', async () => {
    const res = await t.app.inject({ url: '/api/probe/conflict', headers: { 'x-request-id': '<script>' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown API paths with a 404 problem', async () => {
    const res = await t.app.inject({ url: '/api/no/such/thing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', instance: '/api/no/such/thing' });
  });

  it('has a status for every error code', () => {
    for (const code of errorCodes) expect(new AppError(code).status).toBeGreaterThanOrEqual(400);
  });
});

describe('findNul', () => {
  it('names the first string or key holding U+0000, and ignores buffers', async () => {
    const { findNul } = await import('./problem.js');
    expect(findNul({ a: ['ok', { b: 'x\u0000y' }] }, 'body')).toBe('body.a.1.b');
    expect(findNul({ 'k\u0000': 1 }, 'query')).toBe('query.k');
    expect(findNul({ a: 'fine', n: 3, z: null }, 'body')).toBeNull();
    expect(findNul({ h: [{ n: 'lone \udc00 surrogate' }] }, 'body')).toBe('body.h.0.n');
    expect(findNul(Buffer.from([0, 0, 0]), 'body')).toBeNull();
  });

  it('walks only what a parser makes: plain and prototype-less objects and arrays, not a stream', async () => {
    const { findNul } = await import('./problem.js');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { q: 'a\u0000' });
    expect(findNul(bare, 'query')).toBe('query.q');
    // A request stream taken as the body: its object graph is endless and it holds no field of the request.
    const stream = new PassThrough();
    Object.assign(stream, { marker: 'x\u0000' });
    expect(findNul(stream, 'body')).toBeNull();
    expect(findNul({ wrapped: stream }, 'body')).toBeNull();
    class Shaped {
      text = 'y\u0000';
    }
    expect(findNul([new Shaped()], 'body')).toBeNull();
  });
});
