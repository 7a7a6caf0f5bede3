import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The memory of a server the benchmark started (a child process), read from Linux's `/proc/<pid>/status`:
 * `VmRSS` (resident now) and `VmHWM` (the resident peak, the "high-water mark"). Linux only: a suite that
 * reports memory refuses to run without it rather than report nothing.
 */

/** Resident memory of a process, in kB as the kernel reports it. */
export interface MemoryReading {
  rssKb: number;
  hwmKb: number;
}

/** Reads `VmRSS` and `VmHWM` from the text of `/proc/<pid>/status`; null when either is missing. */
export function parseProcStatus(text: string): MemoryReading | null {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB\\s*$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  const rssKb = field('VmRSS');
  const hwmKb = field('VmHWM');
  return rssKb === null || hwmKb === null ? null : { rssKb, hwmKb };
}

/** The process's memory now, or null when it cannot be read (no /proc, or the process has exited). */
export function readMemory(pid: number): MemoryReading | null {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Resets the process's `VmHWM` to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+; allowed for
 * our own children), so the next peak read is the peak since now. False when the kernel refused.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export const kbToMb = (kb: number): number => kb / 1024;

/** What a sampler saw, in MiB ("MB" in the rows, as `ps` and `top` say). */
export interface MemorySummary {
  /** The largest RSS sampled, or the kernel's peak since the reset when that is larger (it misses nothing). */
  peakMb: number;
  samples: number;
  /** Whether the peak includes the kernel's high-water mark since the reset (else: the samples only). */
  kernelPeak: boolean;
}

/**
 * Samples a process's RSS every `intervalMs` until stopped. With `resetHighWaterMark`, the kernel's own peak is
 * reset first and read at the end, so a spike between two samples still counts.
 */
export function sampleMemory(
  pid: number,
  options: { intervalMs?: number; resetHighWaterMark?: boolean } = {},
): { stop(): MemorySummary } {
  const kernelPeak = options.resetHighWaterMark === true && resetPeak(pid);
  let peakKb = 0;
  let samples = 0;
  const sample = () => {
    const reading = readMemory(pid);
    if (!reading) return;
    samples += 1;
    peakKb = Math.max(peakKb, reading.rssKb);
  };
  sample();
  const timer = setInterval(sample, options.intervalMs ?? 200);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const hwm = kernelPeak ? (readMemory(pid)?.hwmKb ?? 0) : 0;
      return { peakMb: kbToMb(Math.max(peakKb, hwm)), samples, kernelPeak };
    },
  };
}
