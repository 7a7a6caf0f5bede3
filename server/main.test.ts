import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordAudit } from './kernel/audit/audit.js';
import { openDatabase } from './kernel/db/client.js';
import { inTransaction } from './kernel/db/transaction.js';
import { projectRoot } from './paths.js';

declare module './kernel/audit/audit.js' {
  interface AuditEvents {
    'test.cli_event': { n: number };
  }
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs the real CLI (`server/main.ts` through tsx) as a newcomer would, with only the given environment. */
function cli(args: string[], env: Record<string, string>): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'server', 'main.ts'), ...args],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the cairn command', () => {
  it('stops at start-up naming a bad configuration value', async () => {
    const run = cli(['start'], { PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('PORT');
    expect(run.stderr()).toContain('invalid configuration');
  });

  it('starts on the embedded database, refuses a second process, and shuts down gracefully', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cairn-cli-'));
    const port = await freePort();
    const env = { CAIRN_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    const first = cli(['start'], env);
    try {
      await waitFor(() => first.stdout().includes('is running at'), 60_000);
      expect(first.stdout()).toContain(`http://127.0.0.1:${port}`);
      expect(first.stdout()).toContain('not for production');
      expect(first.stdout()).toMatch(/Demo/);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });

      const second = cli(['start'], { ...env, PORT: String(await freePort()) });
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toMatch(/already in use by another Cairn process \(pid \d+\)/);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    } finally {
      first.child.kill('SIGKILL');
    }

    // The folder survives a restart: migrations are not re-applied and demo data is not loaded twice.
    const again = cli(['start'], env);
    try {
      await waitFor(() => again.stdout().includes('is running at'), 60_000);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 120_000);

  it('verify-audit passes on an intact trail and names the first tampered entry', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cairn-audit-'));
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
    for (let n = 1; n <= 4; n++) {
      await inTransaction(database.db, (tx) =>
        recordAudit(tx, {
          action: 'test.cli_event',
          objectType: 'thing',
          objectId: String(n),
          details: { n },
        }),
      );
    }
    await database.close();

    const intact = cli(['verify-audit'], { CAIRN_DATA_DIR: dataDir });
    expect(await intact.exited).toBe(0);
    expect(intact.stdout()).toContain('verifies (4 entries)');

    // Tamper as the database owner would: triggers off, change a row, triggers on.
    const { PGlite } = await import('@electric-sql/pglite');
    const { pgliteExtensions } = await import('./kernel/db/client.js');
    const raw = await PGlite.create(path.join(dataDir, 'pglite'), { extensions: pgliteExtensions });
    await raw.exec(`alter table kernel_audit disable trigger user;
      update kernel_audit set details = '{"n": 20}' where id = 2;
      alter table kernel_audit enable trigger user;`);
    await raw.close();

    const broken = cli(['verify-audit'], { CAIRN_DATA_DIR: dataDir });
    expect(await broken.exited).toBe(2);
    expect(broken.stderr()).toContain('entry 2');
  }, 60_000);
});
