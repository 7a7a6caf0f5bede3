import { parseArgs } from 'node:util';
import { isPresetName, presetNames, presets } from '../scale/presets.js';
import type { RunOptions } from './context.js';
import { UsageError, parseIntegerOption } from './errors.js';

export const usage = `usage: npm run bench -- <suite> [options]

  --pglite              run on embedded PGlite in a temporary folder (default: PostgreSQL at
                        BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --duration <s>        seconds of load per measurement (default 10)
  --connections <n>     concurrent connections (default 50)
  --warmup <s>          seconds of discarded load before each measurement (default 2)
  --preset <name>       scale data: ${presetNames.join(' | ')} (default small)
  --seed <n>            seed of the synthetic data (default 1)
  --help                this text`;

/** Parses the runner's arguments (without node and the script); throws UsageError on any mistake. */
export function parseRunArgs(argv: readonly string[]): RunOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        pglite: { type: 'boolean', default: false },
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '50' },
        warmup: { type: 'string', default: '2' },
        preset: { type: 'string', default: 'small' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // parseArgs throws a TypeError for unknown options or missing values; its message is already clear.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'name a suite' : `one suite at a time, got ${positionals.join(' ')}`,
    );
  }
  const preset = values.preset;
  if (!isPresetName(preset))
    throw new UsageError(`--preset must be ${presetNames.join(' or ')}, got "${preset}"`);
  return {
    suite: positionals[0] as string,
    pglite: values.pglite,
    durationSeconds: parseIntegerOption('duration', values.duration, 1, 3600),
    connections: parseIntegerOption('connections', values.connections, 1, 10_000),
    warmupSeconds: parseIntegerOption('warmup', values.warmup, 0, 600),
    preset: presets[preset],
    seed: parseIntegerOption('seed', values.seed, 0, 0xffff_ffff),
  };
}
