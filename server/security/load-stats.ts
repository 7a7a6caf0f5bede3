/**
 * The arithmetic of the load suite (server/security/load.security.ts): latency percentiles, and whether a
 * process's memory stayed flat. Pure functions, so the verdicts are unit-tested (load-stats.test.ts) apart
 * from the ten-minute run that applies them.
 */

/** The nearest-rank percentile (p from 0 to 100) of samples already sorted ascending; NaN when empty. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** p50, p95, p99 and the maximum of a set of latencies in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Summarises latencies (the array is not changed). */
export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentileOfSorted(list, 50),
    p95: percentileOfSorted(list, 95),
    p99: percentileOfSorted(list, 99),
    max: list.length > 0 ? list[list.length - 1]! : Number.NaN,
  };
}

/** A least-squares line y = intercept + slope · x. */
export interface LinearFit {
  slope: number;
  intercept: number;
}

/** Ordinary least squares over (x, y) points; needs at least two distinct x values. */
export function linearFit(points: readonly { x: number; y: number }[]): LinearFit {
  const n = points.length;
  if (n < 2) throw new Error(`a linear fit needs at least 2 points, got ${n}`);
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) throw new Error('a linear fit needs at least two distinct x values');
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

/** One memory sample of the server process: seconds since the load started, and bytes. */
export interface MemorySample {
  t: number;
  bytes: number;
}

/** The rules "memory flat" is judged by. */
export interface FlatnessRule {
  /** Samples before this many seconds are the warm-up and are not judged. */
  warmUpSeconds: number;
  /** The fitted line may grow by less than this fraction of its value at the end of the warm-up. */
  maxGrowth: number;
  /**
   * A monotonic climb: the judged window cut into `segments` equal parts, each part's median above the one
   * before by at least this fraction (of the first part's median). Fails even when the total stays under
   * `maxGrowth`, because a steady climb is a leak that a longer run would show.
   */
  segments: number;
  minStepGrowth: number;
}

/** What was found about one memory series. */
export interface FlatnessVerdict {
  flat: boolean;
  samples: number;
  /** The fitted value at the start and at the end of the judged window, in bytes. */
  fittedStart: number;
  fittedEnd: number;
  /** (fittedEnd − fittedStart) / fittedStart. */
  growth: number;
  /** Median of each segment of the judged window, in bytes. */
  segmentMedians: number[];
  monotonicClimb: boolean;
  /** Why it is not flat, in words (empty when flat). */
  reasons: string[];
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Judges whether a memory series stayed flat after its warm-up: the least-squares line over the judged
 * samples must grow by less than `maxGrowth`, and the segment medians must not climb step by step.
 * Too few samples to judge (fewer than two per segment) is itself a failure, never a pass.
 */
/**
 * `relativeTo`: judge growth and steps as fractions of this many bytes instead of the samples' own level — for
 * one part of a whole (the memory outside V8's heap, a part of RSS), so the part gets the whole's budget in bytes.
 */
export function judgeFlatness(
  samples: readonly MemorySample[],
  rule: FlatnessRule,
  relativeTo?: number,
): FlatnessVerdict {
  const judged = samples.filter((s) => s.t >= rule.warmUpSeconds);
  const reasons: string[] = [];
  if (judged.length < rule.segments * 2) {
    return {
      flat: false,
      samples: judged.length,
      fittedStart: Number.NaN,
      fittedEnd: Number.NaN,
      growth: Number.NaN,
      segmentMedians: [],
      monotonicClimb: false,
      reasons: [`only ${judged.length} samples after the warm-up (need ${rule.segments * 2})`],
    };
  }
  const fit = linearFit(judged.map((s) => ({ x: s.t, y: s.bytes })));
  const start = judged[0]!.t;
  const end = judged[judged.length - 1]!.t;
  const fittedStart = fit.intercept + fit.slope * start;
  const fittedEnd = fit.intercept + fit.slope * end;
  const base =
    relativeTo !== undefined && Number.isFinite(relativeTo) && relativeTo > 0 ? relativeTo : fittedStart;
  const growth = (fittedEnd - fittedStart) / base;
  if (growth >= rule.maxGrowth) {
    reasons.push(
      `the fitted line grows ${(growth * 100).toFixed(1)} % over the judged window ` +
        `(bound ${(rule.maxGrowth * 100).toFixed(1)} %)`,
    );
  }
  const segmentMedians: number[] = [];
  for (let i = 0; i < rule.segments; i++) {
    const from = Math.floor((i * judged.length) / rule.segments);
    const to = Math.floor(((i + 1) * judged.length) / rule.segments);
    segmentMedians.push(medianOf(judged.slice(from, to).map((s) => s.bytes)));
  }
  const step = rule.minStepGrowth * (base === fittedStart ? segmentMedians[0]! : base);
  const monotonicClimb = segmentMedians.every((m, i) => i === 0 || m - segmentMedians[i - 1]! >= step);
  if (monotonicClimb) {
    reasons.push(
      `every segment's median is at least ${(rule.minStepGrowth * 100).toFixed(1)} % above the one before ` +
        `(${segmentMedians.map((m) => mib(m)).join(' → ')})`,
    );
  }
  return {
    flat: reasons.length === 0,
    samples: judged.length,
    fittedStart,
    fittedEnd,
    growth,
    segmentMedians,
    monotonicClimb,
    reasons,
  };
}

/** Bytes as mebibytes with one decimal, e.g. "183.4 MiB". */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Milliseconds with one decimal below 100 and none above, e.g. "7.4" or "312". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** The VmRSS line of /proc/<pid>/status, in bytes, or null when the file has none (the process is gone). */
export function rssFromProcStatus(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}
