import { describe, expect, it } from 'vitest';
import { cairnNodeFlags, startScriptFlags } from './cairn.js';

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

describe('startScriptFlags', () => {
  it('takes the node flags of the start script, up to the script it runs', () => {
    expect(startScriptFlags('node dist/server/main.js start')).toEqual([]);
    expect(
      startScriptFlags('node --max-semi-space-size=64 --trace-warnings dist/server/main.js --x start'),
    ).toEqual(['--max-semi-space-size=64', '--trace-warnings']);
  });

  it("reads package.json's own start script, which sizes the young generation", () => {
    expect(startScriptFlags()).toContain('--max-semi-space-size=64');
  });

  it('refuses a start script that does not run node: the bench could not start Cairn as it does', () => {
    expect(() => startScriptFlags('tsx server/main.ts start')).toThrow(/does not run node/);
  });
});
