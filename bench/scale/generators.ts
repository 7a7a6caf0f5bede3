import { benchItemsGenerator } from './bench-items.js';
import { casesGenerator } from './cases.js';
import { directoryOrganisationsGenerator } from './directory-organisations.js';
import type { ScalePreset } from './presets.js';
import { referralsGenerator } from './referrals.js';
import { createRng, deriveSeed } from './prng.js';
import type { Rng } from './prng.js';
import type { SqlClient } from './sql.js';

/** One module's synthetic data. `create` must be deterministic given the preset and the random stream. */
export interface ScaleGenerator {
  /** Unique, snake_case; also the label its random stream is derived from, so renaming changes its data. */
  readonly name: string;
  readonly description: string;
  /** Names of generators whose rows this one refers to; they must come earlier in the list. */
  readonly dependsOn?: readonly string[];
  create(db: SqlClient, preset: ScalePreset, rng: Rng): Promise<{ rows: number }>;
}

/**
 * Every generator, in the order they run. An explicit list (no discovery) so the order, and so the data, is
 * the same everywhere; modules append their generator here.
 */
export const generators: readonly ScaleGenerator[] = [
  benchItemsGenerator,
  directoryOrganisationsGenerator,
  casesGenerator,
  referralsGenerator,
];

/** What one generator did, for the log. */
export interface GeneratorReport {
  name: string;
  rows: number;
  milliseconds: number;
}

/**
 * Runs the named generators (all when `only` is omitted), in list order, each with its own random stream
 * derived from `seed` and its name. Dependencies are added automatically.
 */
export async function generateScaleData(
  db: SqlClient,
  preset: ScalePreset,
  seed: number,
  options: { only?: readonly string[]; onProgress?: (report: GeneratorReport) => void } = {},
): Promise<GeneratorReport[]> {
  const wanted = selectGenerators(options.only);
  const reports: GeneratorReport[] = [];
  for (const generator of wanted) {
    const started = performance.now();
    const { rows } = await generator.create(db, preset, createRng(deriveSeed(seed, generator.name)));
    const report = { name: generator.name, rows, milliseconds: Math.round(performance.now() - started) };
    reports.push(report);
    options.onProgress?.(report);
  }
  return reports;
}

/** The generators to run for the requested names, with their dependencies, in registry order. */
export function selectGenerators(
  only?: readonly string[],
  registry: readonly ScaleGenerator[] = generators,
): ScaleGenerator[] {
  if (only === undefined) return [...registry];
  const byName = new Map(registry.map((g) => [g.name, g]));
  const chosen = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    const generator = byName.get(name);
    if (!generator) {
      const from = path.length > 0 ? ` (needed by ${path.join(' -> ')})` : '';
      throw new Error(`unknown scale generator "${name}"${from}; known: ${[...byName.keys()].join(', ')}`);
    }
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const dependency of generator.dependsOn ?? []) visit(dependency, [...path, name]);
  };
  for (const name of only) visit(name, []);
  return registry.filter((g) => chosen.has(g.name));
}
