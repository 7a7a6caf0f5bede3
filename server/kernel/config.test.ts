import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../paths.js';
import { ConfigError, configVariables, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database on localhost:3000 with a local data folder', () => {
    const config = loadConfig({}, '/srv/cairn');
    expect(config).toMatchObject({
      host: 'localhost',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      database: { kind: 'pglite', dataDir: '/srv/cairn/data/pglite' },
      mail: { kind: 'outbox', dir: '/srv/cairn/data/outbox' },
      demoData: true,
    });
  });

  it('uses PostgreSQL and SMTP when their URLs are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://cairn:pw@db:5432/cairn',
      SMTP_URL: 'smtp://mail:25',
      PORT: '8080',
      HOST: '0.0.0.0',
      CAIRN_DATA_DIR: '/var/lib/cairn',
    });
    expect(config.database).toEqual({
      kind: 'postgresql',
      url: 'postgres://cairn:pw@db:5432/cairn',
      poolMax: 10,
      preparedStatements: true,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/cairn', DB_PREPARED_STATEMENTS: 'false' }).database,
    ).toMatchObject({ preparedStatements: false });
    expect(config.mail).toMatchObject({ kind: 'smtp', url: 'smtp://mail:25' });
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.dataDir).toBe('/var/lib/cairn');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).database.kind).toBe('pglite');
  });

  it('stops with a message naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', CAIRN_DEMO_DATA: 'maybe', DATABASE_URL: 'mysql://root:hunter2@x/y' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('(got "eighty")');
    expect(message).toContain('CAIRN_DEMO_DATA');
    expect(message).toContain('DATABASE_URL: must start with postgres://');
    // A database URL can carry a password: it is never echoed.
    expect(message).not.toContain('hunter2');
  });

  it('requires a master key in production and never echoes one', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/CAIRN_MASTER_KEY: required/);
    expect(() => loadConfig({ CAIRN_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 random bytes/);
    expect(() => loadConfig({ CAIRN_MASTER_KEY: 'c2hvcnQ=' })).not.toThrow(/c2hvcnQ/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ NODE_ENV: 'production', CAIRN_MASTER_KEY: key }).masterKey).toEqual({
      kind: 'env',
      key: Buffer.alloc(32, 7),
    });
  });

  it('rejects out-of-range ports', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });

  it('is documented: the README table lists every variable', () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    for (const name of configVariables) expect(readme, name).toContain(`| \`${name}\``);
    expect(readme).toContain('| `TEST_DATABASE_URL`');
  });
});
