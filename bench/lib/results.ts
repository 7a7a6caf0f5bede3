import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A budget: `'>= 5000'`, `'> 0.5'`, `'<= 25'`, `'< 1'` or `'== 0'`; a bare number means "at least".
 * Null means the metric is reported without a budget.
 */
export type Target = string | number | null;

/** One measured metric, as written to `bench/results/<suite>.json`. */
export interface ResultRow {
  metric: string;
  value: number;
  unit: string;
  /** The baseline's value for the same quantity, measured in the same run; null when there is none. */
  baseline: number | null;
  /** value / baseline, null without a usable baseline. */
  ratio: number | null;
  target: Target;
}

/** value / baseline, or null when either is missing or the baseline is zero (no meaningful ratio). */
export function ratio(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline))
    return null;
  if (baseline === 0) return null;
  return value / baseline;
}

/** Rounds for the result file: three decimals keeps ratios and sub-millisecond latencies readable. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Builds a row; the ratio is computed from the unrounded numbers, then everything is rounded. */
export function makeRow(
  metric: string,
  value: number,
  unit: string,
  options: { baseline?: number | null; target?: Target } = {},
): ResultRow {
  const baseline = options.baseline ?? null;
  const r = ratio(value, baseline);
  return {
    metric,
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio: r === null ? null : round(r),
    target: options.target ?? null,
  };
}

type Operator = '>=' | '>' | '<=' | '<' | '==';

/** A target read into its comparison. */
export interface ParsedTarget {
  operator: Operator;
  bound: number;
}

/** Reads a target; throws on a malformed one so a typo in a suite cannot silently disable a budget. */
export function parseTarget(target: string | number): ParsedTarget {
  if (typeof target === 'number') {
    if (!Number.isFinite(target)) throw new Error(`target must be finite, got ${target}`);
    return { operator: '>=', bound: target };
  }
  const match = /^\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(target);
  if (!match) throw new Error(`target "${target}" is not like ">= 100", "< 2.5" or "== 0"`);
  return { operator: match[1] as Operator, bound: Number(match[2]) };
}

/** Whether the row meets its target; null when it has none. */
export function meetsTarget(row: Pick<ResultRow, 'value' | 'target'>): boolean | null {
  if (row.target === null) return null;
  const { operator, bound } = parseTarget(row.target);
  switch (operator) {
    case '>=':
      return row.value >= bound;
    case '>':
      return row.value > bound;
    case '<=':
      return row.value <= bound;
    case '<':
      return row.value < bound;
    case '==':
      return row.value === bound;
  }
}

/** The rows that miss their target. */
export function missedTargets(rows: readonly ResultRow[]): ResultRow[] {
  return rows.filter((row) => meetsTarget(row) === false);
}

/** How a number is shown in the tables: no trailing zeros, no exponent, no thousands separators. */
export function formatNumber(value: number | null): string {
  if (value === null) return '-';
  return String(round(value));
}

function formatTarget(target: Target): string {
  if (target === null) return '-';
  return typeof target === 'number' ? `>= ${target}` : target.trim();
}

function verdict(row: ResultRow): string {
  const met = meetsTarget(row);
  return met === null ? '-' : met ? 'ok' : 'MISSED';
}

const headers = ['metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'result'] as const;
// Numbers are right-aligned so magnitudes line up; text is left-aligned.
const rightAligned = new Set(['value', 'baseline', 'ratio']);

function cells(row: ResultRow): string[] {
  return [
    row.metric,
    formatNumber(row.value),
    row.unit,
    formatNumber(row.baseline),
    formatNumber(row.ratio),
    formatTarget(row.target),
    verdict(row),
  ];
}

/** A plain-text table with aligned columns, for the terminal. */
export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return rightAligned.has(headers[i] ?? '') ? v.padStart(width) : v.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Facts about the run, printed above the markdown table so a result file explains itself. */
export interface RunMeta {
  suite: string;
  startedAt: string;
  database: string;
  durationSeconds: number;
  connections: number;
  preset: string;
  seed: number;
  node: string;
  cpus: string;
  notes: string[];
}

/** The markdown report: the run's facts, then the rows as a table. */
export function formatMarkdown(rows: readonly ResultRow[], meta: RunMeta): string {
  const escape = (text: string): string => text.replaceAll('|', '\\|');
  const table = [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((h) => (rightAligned.has(h) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ];
  return [
    `# Benchmark: ${meta.suite}`,
    '',
    `- started: ${meta.startedAt}`,
    `- database: ${meta.database}`,
    `- load: ${meta.connections} connections for ${meta.durationSeconds} s per measurement, after a warm-up`,
    `- scale preset: ${meta.preset} (seed ${meta.seed})`,
    `- machine: ${meta.cpus}; Node ${meta.node}`,
    ...meta.notes.map((note) => `- ${note}`),
    '',
    ...table,
    '',
    'ratio = value / baseline, both measured in this run. For throughput (req/s) a ratio below 1 is the',
    'fraction of the baseline achieved; for latency (ms) a ratio above 1 is how many times slower.',
    '',
  ].join('\n');
}

/** Writes `<dir>/<suite>.json` (the rows) and `<dir>/<suite>.md`; returns both paths. */
export async function writeResults(
  dir: string,
  rows: readonly ResultRow[],
  meta: RunMeta,
): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, `${meta.suite}.json`);
  const markdown = path.join(dir, `${meta.suite}.md`);
  await writeFile(json, JSON.stringify(rows, null, 2) + '\n');
  await writeFile(markdown, formatMarkdown(rows, meta));
  return { json, markdown };
}
