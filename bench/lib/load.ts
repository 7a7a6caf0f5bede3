import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
  /**
   * How many answers had each HTTP status (`{ "200": 9000, "429": 12 }`), when autocannon reported it; tells
   * a rate limiter's 429 apart from a server error among the non-2xx.
   */
  statusCodes?: Record<string, number>;
}

/** What each request sends; the default is a bare GET. The same request is repeated for the whole run. */
export interface RequestOptions {
  /** HTTP method, e.g. `POST` (default GET). */
  method?: string;
  /** The request body, sent as is; name its content-type in `headers`. */
  body?: string;
  /** Extra request headers, e.g. `{ 'content-type': 'application/json', cookie: 'a=b' }`. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Paths (with their query strings) to take in turn, one per request, instead of the URL's own path:
   * run by `load-paths-worker.ts`, since autocannon's CLI can only repeat one request.
   */
  paths?: readonly string[];
}

export interface LoadOptions extends RequestOptions {
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
  const args = options.paths ? pathsWorkerArgs(options) : [autocannonCli, ...autocannonArgs(options)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    // Thousands of paths are too long for a command line: the worker reads them from its stdin.
    child.stdin.end(options.paths ? pathsWorkerInput(options) : undefined);
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

const pathsWorker = fileURLToPath(new URL('./load-paths-worker.ts', import.meta.url));

/** The worker's arguments for a run over several paths (its options go to its stdin). */
export function pathsWorkerArgs(options: LoadOptions): string[] {
  pathsWorkerInput(options);
  return ['--import', 'tsx', pathsWorker];
}

/** The worker's options, as JSON, after the same checks as the CLI's arguments. */
export function pathsWorkerInput(options: LoadOptions): string {
  autocannonArgs(options);
  const paths = options.paths ?? [];
  if (paths.length === 0) throw new Error('a run over paths needs at least one path');
  for (const path of paths) {
    if (!path.startsWith('/') || /[\s]/.test(path)) throw new Error(`not a request path: "${path}"`);
  }
  return JSON.stringify({
    url: options.url,
    paths,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    method: options.method,
    headers: options.headers,
    body: options.body,
  });
}

const token = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/**
 * autocannon's command-line arguments for one run (without the script itself). Headers go as `-H name=value`
 * (autocannon splits at the first `=` or `:`, so the value may contain either); a header name that is not an
 * HTTP token or a value with a line break is refused rather than passed on mangled.
 */
export function autocannonArgs(options: LoadOptions): string[] {
  const args = [
    '--json',
    '--connections',
    String(options.connections),
    '--duration',
    String(options.durationSeconds),
    '--timeout',
    '10',
  ];
  if (options.method !== undefined) {
    if (!token.test(options.method)) throw new Error(`not an HTTP method: "${options.method}"`);
    args.push('--method', options.method.toUpperCase());
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!token.test(name)) throw new Error(`not an HTTP header name: "${name}"`);
    if (/[\r\n]/.test(value)) throw new Error(`header ${name} has a line break in its value`);
    args.push('--headers', `${name}=${value}`);
  }
  if (options.body !== undefined) args.push('--body', options.body);
  args.push(options.url);
  return args;
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
    ...statusCodesOf(result),
  };
}

/** `statusCodeStats` (`{ "200": { "count": 9 } }`) as `{ statusCodes: { "200": 9 } }`, or nothing if absent. */
function statusCodesOf(result: unknown): Pick<LoadResult, 'statusCodes'> {
  const stats =
    result !== null && typeof result === 'object'
      ? (result as Record<string, unknown>).statusCodeStats
      : undefined;
  if (stats === null || typeof stats !== 'object') return {};
  const statusCodes: Record<string, number> = {};
  for (const code of Object.keys(stats)) {
    statusCodes[code] = numberAt(stats, code, 'count');
  }
  return { statusCodes };
}

/** How many answers had this HTTP status (0 when autocannon reported none, or no breakdown at all). */
export function countStatus(result: LoadResult, status: number): number {
  return result.statusCodes?.[String(status)] ?? 0;
}
