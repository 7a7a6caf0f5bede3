import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatMarkdown,
  formatTable,
  makeRow,
  meetsTarget,
  missedTargets,
  parseTarget,
  ratio,
  writeResults,
} from './results.js';
import type { ResultRow, RunMeta } from './results.js';

const meta: RunMeta = {
  suite: 'probe',
  startedAt: '2026-01-01T00:00:00.000Z',
  database: 'PostgreSQL',
  durationSeconds: 5,
  connections: 50,
  preset: 'small',
  seed: 1,
  node: 'v20.0.0',
  cpus: '2 × test CPU',
  notes: ['Cairn 0.1.0 on postgresql'],
};

describe('ratio', () => {
  it('is value / baseline', () => {
    expect(ratio(7400, 34000)).toBeCloseTo(0.2176, 4);
    expect(ratio(20, 4)).toBe(5);
  });

  it('is null without a usable baseline', () => {
    expect(ratio(5, null)).toBeNull();
    expect(ratio(null, 5)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(5, Number.NaN)).toBeNull();
  });
});

describe('makeRow', () => {
  it('computes the ratio before rounding', () => {
    expect(makeRow('x_rps', 1000.12345, 'req/s', { baseline: 3000 })).toEqual({
      metric: 'x_rps',
      value: 1000.123,
      unit: 'req/s',
      baseline: 3000,
      ratio: 0.333,
      target: null,
    });
  });
});

describe('targets', () => {
  it('reads every operator, and a bare number as a floor', () => {
    expect(parseTarget('>= 5000')).toEqual({ operator: '>=', bound: 5000 });
    expect(parseTarget('<2.5')).toEqual({ operator: '<', bound: 2.5 });
    expect(parseTarget(' == 0 ')).toEqual({ operator: '==', bound: 0 });
    expect(parseTarget(0.5)).toEqual({ operator: '>=', bound: 0.5 });
  });

  it('rejects malformed targets instead of ignoring them', () => {
    expect(() => parseTarget('fast')).toThrow(/not like/);
    expect(() => parseTarget('=> 3')).toThrow(/not like/);
  });

  it('checks values against them', () => {
    expect(meetsTarget({ value: 10, target: null })).toBeNull();
    expect(meetsTarget({ value: 10, target: '>= 10' })).toBe(true);
    expect(meetsTarget({ value: 10, target: '> 10' })).toBe(false);
    expect(meetsTarget({ value: 10, target: '<= 9' })).toBe(false);
    expect(meetsTarget({ value: 1, target: '== 0' })).toBe(false);
    expect(meetsTarget({ value: 12, target: 11 })).toBe(true);
  });

  it('lists the misses', () => {
    const rows: ResultRow[] = [
      makeRow('a', 1, 'x', { target: '>= 2' }),
      makeRow('b', 3, 'x', { target: '>= 2' }),
      makeRow('c', 3, 'x'),
    ];
    expect(missedTargets(rows).map((r) => r.metric)).toEqual(['a']);
  });
});

const rows: ResultRow[] = [
  makeRow('hello_world_rps', 34000, 'req/s'),
  makeRow('indexed_query_rps', 7400.5, 'req/s', { baseline: 34000 }),
  makeRow('indexed_query_failed_requests', 2, 'requests', { target: '== 0' }),
];

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers and marks misses', () => {
    expect(formatTable(rows)).toBe(
      [
        'metric                          value  unit      baseline  ratio  target  result',
        '-----------------------------  ------  --------  --------  -----  ------  ------',
        'hello_world_rps                 34000  req/s            -      -  -       -',
        'indexed_query_rps              7400.5  req/s        34000  0.218  -       -',
        'indexed_query_failed_requests       2  requests         -      -  == 0    MISSED',
      ].join('\n'),
    );
  });
});

describe('formatMarkdown and writeResults', () => {
  it('describes the run above a markdown table', () => {
    const markdown = formatMarkdown(rows, meta);
    expect(markdown).toContain('# Benchmark: probe');
    expect(markdown).toContain('- Cairn 0.1.0 on postgresql');
    expect(markdown).toContain('| metric | value | unit | baseline | ratio | target | result |');
    expect(markdown).toContain('| indexed_query_rps | 7400.5 | req/s | 34000 | 0.218 | - | - |');
  });

  it('writes the rows as the JSON array and the markdown beside it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-results-'));
    try {
      const files = await writeResults(dir, rows, meta);
      expect(files.json).toBe(path.join(dir, 'probe.json'));
      expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(rows);
      expect(await readFile(files.markdown, 'utf8')).toBe(formatMarkdown(rows, meta));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
