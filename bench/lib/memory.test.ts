import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProcStatus, readMemory, sampleMemory } from './memory.js';

const status = `Name:\tnode
VmPeak:\t 1234567 kB
VmHWM:\t  204800 kB
VmRSS:\t  102400 kB
Threads:\t11
`;

describe('memory of a child process', () => {
  it('reads VmRSS and VmHWM from /proc/<pid>/status', () => {
    expect(parseProcStatus(status)).toEqual({ rssKb: 102_400, hwmKb: 204_800 });
    expect(parseProcStatus('Name:\tnode\nVmRSS:\t 5 kB\n')).toBeNull();
    expect(parseProcStatus('')).toBeNull();
  });

  it.runIf(existsSync('/proc/self/status'))(
    'samples a live process, and nothing of a missing one',
    async () => {
      const now = readMemory(process.pid);
      expect(now!.rssKb).toBeGreaterThan(1_000);
      expect(now!.hwmKb).toBeGreaterThanOrEqual(now!.rssKb);
      expect(readMemory(2 ** 30)).toBeNull();
      const sampler = sampleMemory(process.pid, { intervalMs: 10 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const summary = sampler.stop();
      expect(summary.samples).toBeGreaterThanOrEqual(2);
      expect(summary.peakMb).toBeGreaterThan(1);
    },
  );
});
