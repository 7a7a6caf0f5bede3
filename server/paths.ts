import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, found by walking up to package.json, so the same code works from server/ (tsx) and
 * from dist/server/ (compiled).
 */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const migrationsFolder = path.join(projectRoot, 'server', 'kernel', 'db', 'migrations');
export const webDistFolder = path.join(projectRoot, 'dist', 'web');
export const localesFolder = path.join(projectRoot, 'server', 'kernel', 'i18n', 'locales');
