import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../paths.js';

/**
 * docs/SECURITY.md names, for each promise, where it lives and which test proves it. This keeps the page
 * honest: every file it names exists, and every promise said to be in place (or partly) names a test.
 */

interface Row {
  table: string;
  cells: Record<string, string>;
}

/** The rows of every Markdown table in a document, keyed by their (lower-case) column headers. */
function tablesOf(markdown: string): Row[] {
  const rows: Row[] = [];
  let header: string[] | null = null;
  const split = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
  for (const line of markdown.split('\n')) {
    if (!line.trim().startsWith('|')) {
      header = null;
      continue;
    }
    const cells = split(line);
    if (!header) header = cells.map((c) => c.toLowerCase());
    else if (!cells.every((c) => /^:?-+:?$/.test(c))) {
      rows.push({
        table: header.join(' | '),
        cells: Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])),
      });
    }
  }
  return rows;
}

/** Backticked names that are files: they contain a slash or end with a file extension. */
function filesIn(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1]!)
    .filter((name) => /\//.test(name) || /\.(ts|js|cjs|mjs|json|sql|md)$/.test(name))
    .filter((name) => !name.startsWith('<'));
}

/** True when a path (which may hold `*` in its segments) names at least one file of the repository. */
function exists(pattern: string): boolean {
  if (!pattern.includes('*')) return existsSync(path.join(projectRoot, pattern));
  let candidates = [projectRoot];
  for (const segment of pattern.split('/')) {
    const match = new RegExp(`^${segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    candidates = candidates.flatMap((dir) =>
      existsSync(dir) && statSync(dir).isDirectory()
        ? readdirSync(dir)
            .filter((entry) => match.test(entry))
            .map((entry) => path.join(dir, entry))
        : [],
    );
  }
  return candidates.length > 0;
}

const isTest = (file: string) => /\.(test|e2e|security)\.ts$/.test(file);

const doc = readFileSync(path.join(projectRoot, 'docs/SECURITY.md'), 'utf8');
const rows = tablesOf(doc);

describe('docs/SECURITY.md', () => {
  it('has the tables it promises', () => {
    const tables = new Set(rows.map((r) => r.table));
    expect([...tables].some((t) => t.startsWith('asvs 5.0'))).toBe(true);
    expect([...tables].some((t) => t.startsWith('risk'))).toBe(true);
    expect([...tables].some((t) => t.startsWith('key or secret'))).toBe(true);
    expect([...tables].some((t) => t.startsWith('class'))).toBe(true);
    expect([...tables].some((t) => t.startsWith('who'))).toBe(true);
  });

  it('names only files that exist', () => {
    const missing = rows.flatMap((row) =>
      Object.values(row.cells)
        .flatMap(filesIn)
        .filter((file) => !exists(file))
        .map((file) => `${file} (in a row of "${row.table}")`),
    );
    expect(missing).toEqual([]);
  });

  it('proves every promise in place or partly in place with a test', () => {
    const unproven = rows
      .filter((row) => 'proven by' in row.cells && /^(in place|partial)/.test(row.cells.status ?? ''))
      .filter((row) => !filesIn(row.cells['proven by']!).some(isTest))
      .map((row) => Object.values(row.cells)[0]);
    expect(unproven).toEqual([]);
  });

  it('covers every OWASP API Security Top 10 (2023) risk and the Level 3 areas', () => {
    const risks = rows
      .filter((row) => 'risk' in row.cells)
      .map((row) => /^API(\d+)/.exec(row.cells.risk!)?.[1]);
    expect(risks).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const levels = rows
      .filter((row) => 'asvs 5.0' in row.cells)
      .map((row) => row.cells.level!)
      .join(' ');
    for (const area of ['case store', 'matching', 'audit', 'keys', 'exports', 'administration']) {
      expect(levels, `a Level 3 row for ${area}`).toContain(area);
    }
  });

  it('detects a missing file and an unproven row', () => {
    const sample = [
      '| asvs 5.0 | where | proven by | status |',
      '|---|---|---|---|',
      '| V1 | `server/nowhere.ts` | — | in place |',
    ].join('\n');
    const [row] = tablesOf(sample);
    expect(filesIn(row!.cells.where!).map(exists)).toEqual([false]);
    expect(filesIn(row!.cells['proven by']!).some(isTest)).toBe(false);
    expect(exists('server/modules/*/index.ts')).toBe(true);
    expect(exists('server/modules/*/nothing-*.ts')).toBe(false);
  });
});
