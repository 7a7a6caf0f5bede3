import { describe, expect, it } from 'vitest';
import { cpuBetween, cpuRows, machineBusyMs, postgresCpuByPid, processCpuMs, readCpu } from './cpu.js';
import type { CpuReading } from './cpu.js';

/** Keeps this process busy until it has spent `ms` milliseconds of CPU (not wall time: a loaded machine stretches that). */
function spin(ms: number): number {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10_000; i++) x += Math.sqrt(x + i);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return x;
  }
}

const reading = (over: Partial<CpuReading>): CpuReading => ({
  wallMs: 0,
  machineMs: 0,
  serverMs: 0,
  selfMs: 0,
  postgres: new Map(),
  ...over,
});

describe('bench cpu accounting', () => {
  it('reads /proc/stat: every busy column, not idle, iowait or guest time', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks (100 per second)
    const stat = 'cpu  1000 20 300 90000 500 7 3 10 400 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
    expect(machineBusyMs(stat)).toBe((1000 + 20 + 300 + 7 + 3 + 10) * 10);
    expect(machineBusyMs('intr 1 2 3\n')).toBeNull();
  });

  it("reads a process's user and system time, whatever its name holds", () => {
    const fields = Array.from({ length: 40 }, (_, i) => String(i + 3));
    fields[11] = '250'; // utime (field 14)
    fields[12] = '50'; // stime (field 15)
    fields[0] = 'S';
    expect(processCpuMs(1, `42 (a (b) c) ${fields.join(' ')}`)).toBe(3000);
    expect(processCpuMs(1, 'garbage')).toBeNull();
    expect(processCpuMs(2 ** 30)).toBeNull(); // no such process
  });

  it('sees this process and the machine spend the CPU it burns', () => {
    const before = readCpu(process.pid);
    spin(400);
    const account = cpuBetween(before, readCpu(process.pid));
    // /proc counts in clock ticks (10 ms): allow a few of them.
    expect(account.serverMs).toBeGreaterThanOrEqual(370);
    expect(account.loadMs).toBeGreaterThanOrEqual(400);
    expect(account.machineMs).toBeGreaterThanOrEqual(370);
    expect(account.wallMs).toBeGreaterThanOrEqual(300); // one busy thread: wall time at least about its CPU time
    expect(account.cores).toBeGreaterThan(0);
    // A map wherever /proc can be listed: empty where no PostgreSQL runs.
    expect(postgresCpuByPid()).toBeInstanceOf(Map);
  });

  it('counts only PostgreSQL processes alive at both readings', () => {
    const account = cpuBetween(
      reading({
        postgres: new Map([
          [10, 100],
          [11, 50],
        ]),
      }),
      reading({
        wallMs: 1000,
        postgres: new Map([
          [10, 130],
          [12, 9_000],
        ]),
      }),
    );
    expect(account.postgresMs).toBe(30);
    expect(cpuBetween(reading({ postgres: null }), reading({})).postgresMs).toBeNull();
    expect(cpuBetween(reading({ serverMs: null }), reading({ serverMs: 5 })).serverMs).toBeNull();
  });

  it('turns an account into CPU per request and the median the machine allows', () => {
    const rows = cpuRows(
      'x',
      { wallMs: 10_000, cores: 2, machineMs: 16_000, serverMs: 8_000, loadMs: 2_000, postgresMs: 5_000 },
      2_000,
      20,
    );
    const value = (metric: string) => rows.find((r) => r.metric === metric)?.value;
    expect(value('x_cpu_ms_per_request')).toBe(8);
    expect(value('x_cairn_cpu_ms_per_request')).toBe(4);
    expect(value('x_postgres_cpu_ms_per_request')).toBe(2.5);
    expect(value('x_load_cpu_ms_per_request')).toBe(1);
    expect(value('x_machine_busy_pct')).toBe(80);
    // 20 connections × 8 ms of CPU per request over 2 cores.
    expect(value('x_cpu_bound_p50_ms')).toBe(80);
    expect(cpuRows('x', null, 2_000, 20)).toEqual([]);
    expect(
      cpuRows('x', { wallMs: 1, cores: 2, machineMs: 1, serverMs: 1, loadMs: 1, postgresMs: 1 }, 0, 20),
    ).toEqual([]);
  });
});
