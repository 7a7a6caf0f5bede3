import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * The master key. In development it is created once in the data folder (mode 0600) so `npm start` needs no
 * setup; in production it comes from CAIRN_MASTER_KEY (config refuses to start without it).
 */
export function loadMasterKey(source: Config['masterKey']): Buffer {
  if (source.kind === 'env') return source.key;
  if (!existsSync(source.path)) {
    mkdirSync(path.dirname(source.path), { recursive: true });
    writeFileSync(source.path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const key = Buffer.from(readFileSync(source.path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${source.path} does not hold a 32-byte base64 key`);
  return key;
}
