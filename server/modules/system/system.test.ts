import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createTestDatabase } from '../../test/db.js';

describe('GET /api/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database: await createTestDatabase() });
  });
  afterAll(async () => {
    await t.close();
  });

  it('says ok, which engine, and the version, to anyone', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ status: string; version: string }>()).toMatchObject({ status: 'ok' });
    expect(res.json<{ version: string }>().version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers 503 unavailable, as a localised problem, when the database is gone', async () => {
    await t.database.close();
    const res = await t.app.inject({ url: '/api/health', headers: { 'accept-language': 'es' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'unavailable', title: 'Servicio no disponible' });
  });
});
