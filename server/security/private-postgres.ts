import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../bench/lib/ports.js';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the suite's own, in a temporary folder, on a free port, with trust authentication
 * for local TCP connections only. The crash suite stops it abruptly; it must never touch the shared server
 * on 127.0.0.1:5432 that other work runs on.
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: (database: string) => string;
  port: number;
  /** `pg_ctl stop -m immediate`: every backend is killed, nothing is checkpointed (a crash, recovered from WAL). */
  crash: () => Promise<void>;
  /** Starts the server again (recovery included); resolves once it accepts connections. */
  start: () => Promise<void>;
  /** Stops it for good and deletes its folder. */
  dispose: () => Promise<void>;
  /** The last lines of the server's log, for failure messages. */
  logTail: () => Promise<string>;
}

/** The newest Debian PostgreSQL binaries (PG_BIN overrides), or null if none are installed. */
export function postgresBinaries(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

/**
 * PostgreSQL refuses to run as root: as root, the server's folder is given to the `postgres` OS user and
 * every command runs as that user (runuser); as anyone else, commands run as is.
 */
async function ownerOf(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Creates, configures and starts a private PostgreSQL server. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinaries();
  if (!bin)
    throw new Error(
      'no PostgreSQL binaries in /usr/lib/postgresql/*/bin (install postgresql, or set PG_BIN)',
    );
  const owner = await ownerOf();
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-crash-pg-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  const port = await freePort();

  const exec = async (tool: string, args: string[]) => {
    const file = path.join(bin, tool);
    const [command, argv] = owner ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    try {
      return await run(command, argv, { cwd: dir, timeout: 120_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`);
    }
  };

  // fsync stays on (the default): the suite is about what a crash keeps.
  await exec('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=60',
    '-c logging_collector=off',
  ].join(' ');
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '120', 'start']);
  };
  await start();
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    await admin.query('create database cairn');
  } finally {
    await admin.end();
  }

  let disposed = false;
  return {
    url,
    port,
    crash: async () => {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    logTail: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n'),
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
