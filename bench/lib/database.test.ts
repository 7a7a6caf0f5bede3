import { describe, expect, it } from 'vitest';
import { benchDatabaseName, redactPassword, withDatabase } from './database.js';

describe('benchDatabaseName', () => {
  it('is cairn_bench_<UTC timestamp>_<random>', () => {
    expect(benchDatabaseName(new Date('2026-03-04T05:06:07.890Z'), 'a1b2c3')).toBe(
      'cairn_bench_20260304050607_a1b2c3',
    );
    expect(benchDatabaseName()).toMatch(/^cairn_bench_\d{14}_[0-9a-f]{6}$/);
    expect(benchDatabaseName()).not.toBe(benchDatabaseName());
  });
});

describe('withDatabase', () => {
  it('swaps only the database of a URL', () => {
    expect(withDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'cairn_bench_1_a')).toBe(
      'postgres://postgres@127.0.0.1:5432/cairn_bench_1_a',
    );
    expect(withDatabase('postgresql://u:p%40ss@db:6543/x?sslmode=require', 'y')).toBe(
      'postgresql://u:p%40ss@db:6543/y?sslmode=require',
    );
  });
});

describe('redactPassword', () => {
  it('hides only the password', () => {
    expect(redactPassword('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(redactPassword('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/postgres',
    );
  });
});
