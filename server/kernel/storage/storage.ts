import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * Where files live (ARCHITECTURE §9): an object store addressed by opaque keys. The default is a local
 * folder (`CAIRN_DATA_DIR/files`); an S3-compatible store can implement the same three calls. SECURITY:
 * keys are random and made here, never from a user's file name, so nothing a user sends can name a path;
 * and the store only ever holds what modules encrypted before calling put().
 */
export interface FileStore {
  /** Stores new content under a key from newStorageKey(). Never overwrites: an existing key is an error. */
  put(key: string, content: Buffer): Promise<void>;
  /** The content stored under a key; throws StoredFileMissing when there is none. */
  get(key: string): Promise<Buffer>;
  /** Removes a key's content; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** What a store answers for a key it does not hold. */
export class StoredFileMissing extends Error {
  constructor() {
    super('no stored file under this key');
    this.name = 'StoredFileMissing';
  }
}

/** 128 random bits in lower-case hex: the only shape of key a store accepts. */
const keyShape = /^[0-9a-f]{32}$/;

/** A fresh, unguessable storage key. */
export function newStorageKey(): string {
  return randomBytes(16).toString('hex');
}

/**
 * SECURITY: refuses anything but a key made by newStorageKey(), so even a bug that passed user input here
 * could not reach outside the store's folder (no separators, no dots, fixed length).
 */
function checkedKey(key: string): string {
  if (!keyShape.test(key)) throw new Error('storage: not a storage key');
  return key;
}

/**
 * A store in a local folder: `<root>/<first two hex digits>/<key>`, folders 0700 and files 0600. A put is
 * durable when it returns (written to a temporary name, flushed, then linked into place and the folder
 * flushed), and atomic: a reader sees the whole file or none.
 */
export function localFileStore(root: string): FileStore {
  const base = path.resolve(root);
  const locate = (key: string) => {
    const checked = checkedKey(key);
    const dir = path.join(base, checked.slice(0, 2));
    return { dir, file: path.join(dir, checked) };
  };

  async function flushFolder(dir: string): Promise<void> {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  return {
    async put(key, content) {
      const { dir, file } = locate(key);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const temporary = path.join(dir, `.${checkedKey(key)}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        // link() fails when the key exists, where rename() would silently replace it.
        await link(temporary, file);
      } finally {
        await unlink(temporary);
      }
      await flushFolder(dir);
    },

    async get(key) {
      const { file } = locate(key);
      try {
        return await readFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredFileMissing();
        throw error;
      }
    },

    async delete(key) {
      const { file } = locate(key);
      try {
        await unlink(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
  };
}

/** The folder of the default local store. */
export function filesFolder(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'files');
}

const stores = new WeakMap<object, FileStore>();

/**
 * The process's file store for a configuration (one per config object, made on first use): today always the
 * local folder under CAIRN_DATA_DIR. An S3-compatible store would be chosen here from configuration.
 */
export function fileStoreFor(config: Pick<Config, 'dataDir'>): FileStore {
  let store = stores.get(config);
  if (!store) {
    store = localFileStore(filesFolder(config));
    stores.set(config, store);
  }
  return store;
}
