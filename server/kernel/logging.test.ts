import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { createLogger, serializeError } from './logging.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

describe('logging', () => {
  it('redacts cookies, authorization and sensitive fields', () => {
    const { logger, text } = capture();
    logger.info(
      {
        req: {
          headers: { cookie: '__Host-cairn_session=SESSION-CANARY', authorization: 'Bearer TOKEN-CANARY' },
        },
        password: 'PASSWORD-CANARY',
        user: { email: 'EMAIL-CANARY@x.test', token: 'NESTED-CANARY' },
        ok: 'visible',
      },
      'request',
    );
    const out = text();
    for (const canary of [
      'SESSION-CANARY',
      'TOKEN-CANARY',
      'PASSWORD-CANARY',
      'EMAIL-CANARY',
      'NESTED-CANARY',
    ]) {
      expect(out).not.toContain(canary);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('visible');
  });

  it('logs database errors without the values they carry', () => {
    const pgError = Object.assign(
      new Error('duplicate key value violates unique constraint "people_email_key"'),
      {
        severity: 'ERROR',
        code: '23505',
        detail: 'Key (email)=(VALUE-CANARY@x.test) already exists.',
        constraint: 'people_email_key',
        table: 'people',
      },
    );
    const error = new DrizzleQueryError(
      'insert into people (email) values ($1)',
      ['VALUE-CANARY@x.test'],
      pgError,
    );
    const { logger, text } = capture();
    logger.error({ err: error }, 'failed');
    const out = text();
    expect(out).not.toContain('VALUE-CANARY');
    expect(out).toContain('insert into people (email) values ($1)');
    expect(out).toContain('people_email_key');
    expect(out).toContain('23505');
  });

  it('keeps the frames of a stack but not its first line (which repeats the message)', () => {
    const serialized = serializeError(new DrizzleQueryError('select $1', ['PARAM-CANARY'], new Error('x')));
    expect(JSON.stringify(serialized)).not.toContain('PARAM-CANARY');
    expect(String(serialized?.stack)).toMatch(/^\s+at /);
  });
});
