import { describe, expect, it } from 'vitest';
import { cairnNodeFlags } from './cairn.js';

describe('cairnNodeFlags', () => {
  it('passes the flags of BENCH_CAIRN_NODE_FLAGS on, split at any whitespace', () => {
    expect(cairnNodeFlags(undefined)).toEqual([]);
    expect(cairnNodeFlags('  ')).toEqual([]);
    expect(cairnNodeFlags(' --cpu-prof\t--cpu-prof-dir=/tmp/prof ')).toEqual([
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/prof',
    ]);
  });

  it('refuses anything that is not a flag, which would change what is started', () => {
    expect(() => cairnNodeFlags('--cpu-prof other.js')).toThrow(/"other\.js", which is not a --flag/);
  });
});
