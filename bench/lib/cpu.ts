/**
 * Where a measurement's CPU went, read from Linux's /proc: the whole machine's busy time, one process's (Cairn's,
 * the load generator's) and every PostgreSQL process's. On a machine where the load generator, Cairn and the
 * database share the cores, latency at N connections is bounded by what the machine's CPU allows (Little's law):
 * these readings say how much each party spends per request, so a result can be explained, not just reported.
 *
 * Everything is in milliseconds of CPU time; a reading that /proc cannot give (not Linux, a process gone) is null.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { makeRow } from './results.js';
import type { ResultRow } from './results.js';

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (USER_HZ), in which /proc reports CPU time; 100 on Linux in practice. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

const ticksToMs = (ticks: number) => (ticks * 1000) / clockTicks();

/**
 * Busy CPU time of the whole machine since boot, over all cores: every column of /proc/stat's `cpu` line but
 * idle and iowait (guest time is already counted in user and nice, so it is left out too).
 */
export function machineBusyMs(stat?: string): number | null {
  let text = stat;
  try {
    text ??= readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ticksToMs(user + nice + system + irq + softirq + steal);
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(text: string): { comm: string; rest: string[] } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return {
    comm: text.slice(open + 1, close),
    rest: text
      .slice(close + 2)
      .trim()
      .split(/\s+/),
  };
}

/** User plus system CPU time of one process (all its threads), or null if it cannot be read. */
export function processCpuMs(pid: number, stat?: string): number | null {
  let text = stat;
  try {
    text ??= readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const parsed = statFields(text);
  if (!parsed) return null;
  // After the name: state is field 3, utime 14 and stime 15 (proc(5)), so indexes 11 and 12 here.
  const utime = Number(parsed.rest[11]);
  const stime = Number(parsed.rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ticksToMs(utime + stime);
}

/**
 * CPU time of every process named `postgres` on this machine (the server, its backends and helpers), keyed by
 * pid: a delta between two readings must only count processes present in both, or a backend that started in
 * between would add its whole life. Null if /proc cannot be listed.
 */
export function postgresCpuByPid(): Map<number, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const byPid = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    if (statFields(text)?.comm !== 'postgres') continue;
    const ms = processCpuMs(Number(entry), text);
    if (ms !== null) byPid.set(Number(entry), ms);
  }
  return byPid;
}

/** One reading of everything a CPU account needs. */
export interface CpuReading {
  wallMs: number;
  machineMs: number | null;
  serverMs: number | null;
  selfMs: number;
  postgres: Map<number, number> | null;
}

export function readCpu(serverPid: number | undefined): CpuReading {
  const self = process.cpuUsage();
  return {
    wallMs: performance.now(),
    machineMs: machineBusyMs(),
    serverMs: serverPid === undefined ? null : processCpuMs(serverPid),
    selfMs: (self.user + self.system) / 1000,
    postgres: postgresCpuByPid(),
  };
}

/** CPU spent between two readings, in milliseconds; null where a reading was missing. */
export interface CpuAccount {
  wallMs: number;
  cores: number;
  /** The whole machine, all cores. */
  machineMs: number | null;
  /** The server process (Cairn). */
  serverMs: number | null;
  /** The process that took the readings (the load generator). */
  loadMs: number;
  /** PostgreSQL processes alive at both readings (a local server only; 0 with PGlite, which runs inside Cairn). */
  postgresMs: number | null;
}

export function cpuBetween(before: CpuReading, after: CpuReading): CpuAccount {
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, b - a));
  let postgresMs: number | null = null;
  if (before.postgres && after.postgres) {
    postgresMs = 0;
    for (const [pid, ms] of after.postgres) {
      const was = before.postgres.get(pid);
      if (was !== undefined) postgresMs += Math.max(0, ms - was);
    }
  }
  return {
    wallMs: after.wallMs - before.wallMs,
    cores: os.availableParallelism(),
    machineMs: diff(before.machineMs, after.machineMs),
    serverMs: diff(before.serverMs, after.serverMs),
    loadMs: Math.max(0, after.selfMs - before.selfMs),
    postgresMs,
  };
}

/**
 * A load measurement's CPU rows, per answered request: the machine's, the server's, PostgreSQL's and the load
 * generator's, how busy the machine was, and the median the machine's CPU allows at this many connections.
 * That last one is Little's law: with every connection waiting on the server, the median latency is about the
 * connections over the throughput, and the throughput cannot pass the cores' time over the CPU per request.
 * Nothing is reported without a reading or an answer.
 */
export function cpuRows(
  prefix: string,
  account: CpuAccount | null,
  requests: number,
  connections: number,
): ResultRow[] {
  if (!account || account.machineMs === null || requests <= 0 || account.wallMs <= 0) return [];
  const per = (ms: number) => ms / requests;
  const machine = per(account.machineMs);
  const rows = [
    makeRow(`${prefix}_cpu_ms_per_request`, machine, 'ms'),
    makeRow(`${prefix}_machine_busy_pct`, (account.machineMs / (account.wallMs * account.cores)) * 100, '%'),
    makeRow(`${prefix}_cpu_bound_p50_ms`, (connections * machine) / account.cores, 'ms'),
  ];
  if (account.serverMs !== null)
    rows.push(makeRow(`${prefix}_cairn_cpu_ms_per_request`, per(account.serverMs), 'ms'));
  if (account.postgresMs !== null)
    rows.push(makeRow(`${prefix}_postgres_cpu_ms_per_request`, per(account.postgresMs), 'ms'));
  rows.push(makeRow(`${prefix}_load_cpu_ms_per_request`, per(account.loadMs), 'ms'));
  return rows;
}

/** One line for the log: where each request's CPU went. */
export function cpuSummary(account: CpuAccount | null, requests: number): string {
  if (!account || account.machineMs === null || requests <= 0) return 'CPU not measured';
  const f = (ms: number | null) => (ms === null ? '?' : (ms / requests).toFixed(2));
  const busy = (account.machineMs / (account.wallMs * account.cores)) * 100;
  return (
    `CPU per request ${f(account.machineMs)} ms (Cairn ${f(account.serverMs)}, PostgreSQL ${f(account.postgresMs)}, ` +
    `load ${f(account.loadMs)}); machine ${busy.toFixed(0)} % busy over ${account.cores} cores`
  );
}
