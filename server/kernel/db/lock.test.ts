import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDirectory } from './lock.js';

const freshDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'cairn-lock-')), 'pglite');

describe('lockDirectory', () => {
  it('lets one holder in and refuses the next with a clear message', () => {
    const dir = freshDir();
    const lock = lockDirectory(dir);
    expect(() => lockDirectory(dir)).toThrow(DataDirLockedError);
    expect(() => lockDirectory(dir)).toThrow(/already in use by another Cairn process \(pid \d+\)/);
    lock.release();
    const again = lockDirectory(dir);
    again.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that died', () => {
    const dir = freshDir();
    // A pid that surely ran and exited: a child we waited for.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(`${dir}.lock`, `${dead}\n${hostname()}\n`);
    const lock = lockDirectory(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
    lock.release();
  });

  it('does not take over a lock held by a live process', () => {
    const dir = freshDir();
    writeFileSync(`${dir}.lock`, `1\n${hostname()}\n`);
    expect(() => lockDirectory(dir)).toThrow(DataDirLockedError);
  });
});
