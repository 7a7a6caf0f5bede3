import { describe, expect, it } from 'vitest';
import { presets } from '../scale/presets.js';
import { parseRunArgs } from './args.js';
import { UsageError } from './errors.js';

describe('parseRunArgs', () => {
  it('applies the documented defaults', () => {
    expect(parseRunArgs(['baseline'])).toEqual({
      suite: 'baseline',
      pglite: false,
      durationSeconds: 10,
      connections: 50,
      warmupSeconds: 2,
      preset: presets.small,
      seed: 1,
    });
  });

  it('reads every option, in both --name value and --name=value forms', () => {
    expect(
      parseRunArgs([
        'baseline',
        '--pglite',
        '--duration',
        '5',
        '--connections=20',
        '--preset',
        'large',
        '--seed=9',
      ]),
    ).toMatchObject({ pglite: true, durationSeconds: 5, connections: 20, preset: presets.large, seed: 9 });
    expect(parseRunArgs(['--help'])).toBe('help');
  });

  it('explains mistakes as usage errors', () => {
    expect(() => parseRunArgs([])).toThrow(UsageError);
    expect(() => parseRunArgs(['a', 'b'])).toThrow(/one suite at a time/);
    expect(() => parseRunArgs(['baseline', '--duration', '0'])).toThrow(/--duration must be a whole number/);
    expect(() => parseRunArgs(['baseline', '--connections', '5x'])).toThrow(/--connections/);
    expect(() => parseRunArgs(['baseline', '--preset', 'huge'])).toThrow(/--preset must be small or large/);
    expect(() => parseRunArgs(['baseline', '--fast'])).toThrow(UsageError);
  });
});
