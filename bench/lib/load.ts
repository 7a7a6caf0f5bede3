import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Cleanup } from './cleanup.js';
import { projectRoot } from './paths.js';

/** What one load run measured. */
export interface LoadResult {
  /** Mean of autocannon's per-second request counts. */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  totalRequests: number;
  /** Connection errors and timeouts: requests that got no answer. */
  errors: number;
  /** Answers outside 2xx (a 429 would make a server look fast, so these invalidate a measurement). */
  non2xx: number;
  durationSeconds: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** When given, an interrupted run also stops the load generator instead of leaving it running. */
  cleanup?: Cleanup;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Runs autocannon's CLI in its own process, so generating load never competes with the measured server for
 * an event loop (it still competes for the machine's two cores, which is why only one server runs at a time).
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonCli,
    '--json',
    '--connections',
    String(options.connections),
    '--duration',
    String(options.durationSeconds),
    '--timeout',
    '10',
    options.url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const unregister = options.cleanup?.add('stop autocannon', () => {
      child.kill('SIGTERM');
      return Promise.resolve();
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      unregister?.();
      if (code !== 0) {
        reject(new Error(`autocannon failed (${code ?? signal}) for ${options.url}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(parseAutocannonJson(stdout));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

function numberAt(source: unknown, ...keys: string[]): number {
  let value: unknown = source;
  for (const key of keys) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`autocannon output has no number at ${keys.join('.')}`);
  }
  return value;
}

/** Reads the result object autocannon prints with `--json` (the last JSON line of its output). */
export function parseAutocannonJson(stdout: string): LoadResult {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (line === undefined) throw new Error(`autocannon printed no JSON result: ${stdout.slice(0, 200)}`);
  const result: unknown = JSON.parse(line);
  return {
    requestsPerSecond: numberAt(result, 'requests', 'average'),
    latencyP50Ms: numberAt(result, 'latency', 'p50'),
    latencyP99Ms: numberAt(result, 'latency', 'p99'),
    latencyMeanMs: numberAt(result, 'latency', 'mean'),
    totalRequests: numberAt(result, 'requests', 'total'),
    errors: numberAt(result, 'errors'),
    non2xx: numberAt(result, 'non2xx'),
    durationSeconds: numberAt(result, 'duration'),
  };
}
