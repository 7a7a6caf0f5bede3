import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/** Thrown when another live process already holds the embedded database folder. */
export class DataDirLockedError extends Error {
  constructor(
    public readonly dir: string,
    public readonly holderPid: number,
  ) {
    super(
      `The embedded database at ${dir} is already in use by another Cairn process (pid ${holderPid}). ` +
        'PGlite allows one process at a time: stop the other one, or set CAIRN_DATA_DIR to another folder, ' +
        'or use PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock on a folder with an O_EXCL lock file (`<dir>.lock`) holding our pid.
 * PGlite has no multi-process locking of its own; two writers would silently lose data.
 * A lock left by a crashed process (pid no longer alive on this host) is taken over.
 */
export function lockDirectory(dir: string): { release: () => void } {
  // The lock file sits beside the folder, not in it, so PGlite's data directory holds only its own files.
  mkdirSync(path.dirname(dir), { recursive: true });
  const file = `${dir}.lock`;
  const me = `${process.pid}\n${hostname()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, me);
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8') === me) unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, host] = readFileSync(file, 'utf8').split('\n');
      const pid = Number(pidText);
      const stale = host === hostname() && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
      if (!stale || attempt > 0) throw new DataDirLockedError(dir, pid);
      unlinkSync(file);
    }
  }
  throw new DataDirLockedError(dir, -1);
}
