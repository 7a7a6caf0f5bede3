import type { ScalePreset } from '../scale/presets.js';
import type { Cleanup } from './cleanup.js';
import type { BenchDatabase } from './database.js';
import type { ResultRow } from './results.js';

/** The command line, parsed. */
export interface RunOptions {
  suite: string;
  pglite: boolean;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  preset: ScalePreset;
  seed: number;
}

/** What a suite gets: the options, this run's database, the cleanup list, and somewhere to write notes. */
export interface BenchContext {
  readonly options: RunOptions;
  readonly database: BenchDatabase;
  readonly cleanup: Cleanup;
  /** Progress for the person at the terminal (stderr, so stdout stays the table). */
  log(message: string): void;
  /** A line for the markdown report (e.g. the Cairn version measured). */
  note(text: string): void;
}

/** A benchmark suite: `npm run bench -- <name>`. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<ResultRow[]>;
}
