import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { appRole } from '../db/client.js';
import { queryRows, type Db } from '../db/types.js';
import { BackupRefusal } from './manifest.js';

/**
 * PostgreSQL backups through Debian's (or any) `pg_dump` and `pg_restore`: custom format, no owners, taken
 * inside an exported snapshot so the manifest's checksums describe exactly the dumped data while Cairn keeps
 * serving. SECURITY: the password never appears on a command line (other local users can read those); it is
 * handed to the tools in PGPASSWORD.
 */

const run = promisify(execFile);

/** A PostgreSQL client program found on this machine. */
export interface Tool {
  path: string;
  major: number;
}

/** The major version a client program reports (`pg_dump (PostgreSQL) 15.20 …` → 15), or null. */
export async function toolMajor(file: string): Promise<number | null> {
  try {
    const { stdout } = await run(file, ['--version'], { timeout: 10_000 });
    const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Finds `pg_dump` or `pg_restore` of at least `minMajor`: first on PATH, then in Debian's
 * /usr/lib/postgresql/<version>/bin (newest first). Throws a message that says what to install.
 */
export async function findTool(name: 'pg_dump' | 'pg_restore', minMajor: number): Promise<Tool> {
  const candidates: string[] = [name];
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join('/usr/lib/postgresql', version, 'bin', name)));
  } catch {
    // No Debian layout: PATH only.
  }
  const found: Tool[] = [];
  for (const candidate of candidates) {
    const major = await toolMajor(candidate);
    if (major === null) continue;
    if (major >= minMajor) return { path: candidate, major };
    found.push({ path: candidate, major });
  }
  const seen = found.length
    ? `found only ${found.map((tool) => `${tool.path} (${tool.major})`).join(', ')}`
    : 'none found on PATH or in /usr/lib/postgresql';
  throw new BackupRefusal(
    `${name} of PostgreSQL ${minMajor} or newer is needed (${seen}). Install the client tools, e.g. ` +
      `"sudo apt-get install postgresql-client-${minMajor}" on Debian, or put a newer ${name} on PATH.`,
  );
}

/** The URL without its password, and the environment that carries the password instead. */
export function connectionFor(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return {
    url: parsed.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}), PGAPPNAME: 'cairn-backup' },
  };
}

/** Runs a client program, resolving on exit 0 and rejecting with its last lines of stderr otherwise. */
export async function runTool(tool: Tool, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(tool.path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.basename(tool.path)} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`,
          ),
        );
    });
  });
}

/** A dedicated connection as the configured (owner) user, with a Drizzle handle over it. */
export async function connect(url: string): Promise<{ db: Db; client: pg.Client }> {
  const client = new pg.Client({ connectionString: url, application_name: 'cairn-backup' });
  await client.connect();
  return { db: drizzle({ client }) as unknown as Db, client };
}

/**
 * What the database already holds: relations and functions outside the system schemas (extension members
 * aside) and schemas other than public. A restore goes only into a database where all of these are zero.
 */
export async function contentsOf(db: Db): Promise<{ relations: number; functions: number; schemas: number }> {
  const [row] = await queryRows<{ relations: number; functions: number; schemas: number }>(
    db,
    sql`select
          (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname not in ('pg_catalog', 'information_schema') and left(n.nspname, 3) <> 'pg_'
              and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                              and d.objid = c.oid and d.deptype = 'e')) as relations,
          (select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname not in ('pg_catalog', 'information_schema') and left(n.nspname, 3) <> 'pg_'
              and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                              and d.objid = p.oid and d.deptype = 'e')) as functions,
          (select count(*)::int from pg_namespace n
            where n.nspname not in ('pg_catalog', 'information_schema', 'public')
              and left(n.nspname, 3) <> 'pg_') as schemas`,
  );
  return row!;
}

/**
 * SECURITY: the application role is cluster-wide, so a dump does not carry it; the dump's grants and
 * row-level security policies name it. Made here exactly as migration 0003_app_role.sql makes it (no login,
 * no superuser, no RLS bypass), and granted to the restoring user so Cairn's pool can act as it.
 */
export async function ensureAppRole(db: Db): Promise<void> {
  const [row] = await queryRows<{ found: boolean }>(
    db,
    sql`select exists (select 1 from pg_roles where rolname = ${appRole}) as found`,
  );
  if (!row?.found) {
    await db.execute(
      sql`create role ${sql.identifier(appRole)} nologin nosuperuser nobypassrls nocreatedb nocreaterole`,
    );
  }
  await db.execute(sql`grant ${sql.identifier(appRole)} to current_user`);
}
