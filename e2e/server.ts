import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * The Cairn servers of the browser tests: the built server (`npm run build` first), each with a data folder
 * (and, with E2E_POSTGRES_URL, a PostgreSQL database) of its own. A first start migrates and loads the demo
 * data, which takes a server tens of seconds; so the global setup (e2e/global-setup.ts) starts one server
 * once, stops it, and every test's server then starts from a copy of what it left: its folder copied, its
 * database cloned (CREATE DATABASE … TEMPLATE). Each server still has its own copy, so spec files cannot see
 * each other's changes.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const HEALTH_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 20_000;

/** A Cairn server started for a test file, with its own data folder. */
export interface RunningServer {
  baseUrl: string;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/** What the global setup leaves for every server to start from. */
export interface ServerTemplate {
  /** The master key the template's data is sealed with: every copy needs it. */
  masterKey: string;
  /** The stopped server's data folder. */
  dataDir: string;
  /** Its database on E2E_POSTGRES_URL's server, when there is one. */
  database?: string;
}

/** Asks the OS for a port nobody is listening on. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the probe port'));
      });
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /**
   * The host name the browser uses for the server (default 127.0.0.1). Passkey tests need `localhost`:
   * WebAuthn binds passkeys to a domain, and Chromium refuses an IP address as the relying party.
   */
  hostname?: string;
}

/** A URL of the PostgreSQL server at `serverUrl`, naming another database. */
function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** A name for a throwaway database, unique to this run. */
export const throwawayDatabaseName = () =>
  `cairn_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Drops a throwaway database on E2E_POSTGRES_URL's server. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `drop database if exists "${name}" with (force)`);
}

interface LaunchOptions extends ServerOptions {
  dataDir: string;
  masterKey: string;
  databaseUrl?: string;
  /** Also run when the server stops (after the process has exited). */
  cleanUp?: () => Promise<void>;
}

/** Starts the built server on a free port over these data and waits until GET /api/health answers 200. */
export async function launchServer(options: LaunchOptions): Promise<RunningServer> {
  const entry = path.join(repoRoot, 'dist/server/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);

  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // Production refuses to start without a master key; a throwaway one per run suits throwaway databases.
    CAIRN_MASTER_KEY: options.masterKey,
    HOST: '127.0.0.1',
    PORT: String(port),
    CAIRN_DATA_DIR: options.dataDir,
    LOG_LEVEL: 'warn',
    // Every page load fetches a dozen files; the tests measure pages, not the rate limiter.
    CAIRN_RATE_LIMIT_MAX: '100000',
  };
  // The server derives its WebAuthn relying party and email links from its public address.
  if (options.hostname) env.PUBLIC_URL = `http://${options.hostname}:${port}`;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;

  const child = spawn(process.execPath, [entry, 'start'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const baseUrl = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  // Health is checked on the address the server listens on, whatever name the browser will use.
  const healthUrl = `http://127.0.0.1:${port}/api/health`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    }
    await options.cleanUp?.();
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`The server exited before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(healthUrl);
      if (response.status === 200) return { baseUrl, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`The server did not answer /api/health within ${HEALTH_TIMEOUT_MS / 1000}s:\n${output}`);
}

/**
 * Makes the template every test's server starts from: a server started once over an empty folder (and
 * database), which migrates and loads the demo data, then stopped.
 */
export async function makeTemplate(): Promise<ServerTemplate> {
  const masterKey = randomBytes(32).toString('base64');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cairn-e2e-template-'));
  const serverUrl = process.env.E2E_POSTGRES_URL;
  const database = serverUrl ? `${throwawayDatabaseName()}_tpl` : undefined;
  if (serverUrl && database) await onServer(serverUrl, `create database "${database}"`);
  const server = await launchServer({
    dataDir,
    masterKey,
    ...(serverUrl && database ? { databaseUrl: databaseUrl(serverUrl, database) } : {}),
  });
  await server.stop();
  return { masterKey, dataDir, ...(database ? { database } : {}) };
}

/**
 * Starts a server from a copy of the template (or, without one, from an empty folder and database, as the
 * template itself was), and waits until it answers.
 */
export async function startServer(
  template: ServerTemplate | undefined,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cairn-e2e-'));
  if (template) {
    // The template's own lock files (PGlite's `<folder>.lock`) stay behind: the copy is not in use.
    await cp(template.dataDir, dataDir, {
      recursive: true,
      filter: (source) => !source.endsWith('.lock'),
    });
  }
  const serverUrl = process.env.E2E_POSTGRES_URL;
  const database = serverUrl ? throwawayDatabaseName() : undefined;
  if (serverUrl && database) {
    await onServer(
      serverUrl,
      template?.database
        ? `create database "${database}" template "${template.database}"`
        : `create database "${database}"`,
    );
  }
  return launchServer({
    ...options,
    dataDir,
    masterKey: template?.masterKey ?? randomBytes(32).toString('base64'),
    ...(serverUrl && database ? { databaseUrl: databaseUrl(serverUrl, database) } : {}),
    cleanUp: async () => {
      await rm(dataDir, { recursive: true, force: true });
      if (serverUrl && database) await dropDatabase(serverUrl, database);
    },
  });
}
