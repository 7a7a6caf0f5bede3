import { spawn } from 'node:child_process';
import type { Cleanup } from './cleanup.js';
import { projectRoot } from './paths.js';

/** A server running in a child process, reachable at `baseUrl`. */
export interface Service {
  readonly name: string;
  readonly baseUrl: string;
  readonly pid: number;
  /** The last lines it wrote to stdout/stderr, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  /** Arguments to this Node binary (a loader flag and a script); the service runs from the project root. */
  nodeArgs: string[];
  env: Record<string, string | undefined>;
  port: number;
  /** A path answering 200 once the service is ready. */
  healthPath: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  cleanup: Cleanup;
}

const keptLines = 60;

/** This process's environment with `overrides` applied; an undefined value removes the variable. */
export function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * Starts a Node script as a child process and waits until its health path answers 200. The child is a
 * plain `node --import tsx …`, not `npx tsx …`: one process, so the pid we signal is the server itself and
 * no wrapper shares the two CPU cores.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { name, port, cleanup } = options;
  const child = spawn(process.execPath, options.nodeArgs, {
    cwd: projectRoot,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // spawn reports a missing binary asynchronously; wait for that error to have something useful to say.
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`could not start ${name}: ${error.message}`);
  }
  const pid = child.pid;

  // Keep only a tail of the output: enough to explain a crash, bounded however chatty the server is.
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > keptLines) lines.splice(0, lines.length - keptLines);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  let exitCode: number | string | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve();
    });
  });

  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        console.error(`${name} (pid ${pid}) ignored SIGTERM for ${stopTimeoutMs / 1000} s; killing it`);
        child.kill('SIGKILL');
      }, stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const unregister = cleanup.add(`stop ${name}`, stop);

  const service: Service = {
    name,
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => lines.join('\n'),
    stop: async () => {
      await stop();
      unregister();
    },
  };

  try {
    await waitUntilHealthy(service, options.healthPath, options.startTimeoutMs ?? 60_000, () => exitCode);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

async function waitUntilHealthy(
  service: Service,
  healthPath: string,
  timeoutMs: number,
  exitCode: () => number | string | null | undefined,
): Promise<void> {
  const url = service.baseUrl + healthPath;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const code = exitCode();
    if (code !== undefined) {
      throw new Error(
        `${service.name} exited (${code}) before it was ready. Its last output:\n${service.output()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${service.name} was not ready at ${url} within ${timeoutMs / 1000} s (${last}). Its last output:\n${service.output()}`,
  );
}
