import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStoreFor, filesFolder, localFileStore, newStorageKey, StoredFileMissing } from './storage.js';

describe('the local file store', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'cairn-files-'));
  const store = localFileStore(path.join(root, 'files'));
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('stores, reads and deletes content by an opaque key, in a private folder', async () => {
    const key = newStorageKey();
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    await store.put(key, Buffer.from('sealed bytes'));
    expect((await store.get(key)).toString()).toBe('sealed bytes');
    const file = path.join(root, 'files', key.slice(0, 2), key);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    // No temporary file is left beside it.
    expect(await readdir(path.dirname(file))).toEqual([key]);
    await store.delete(key);
    await expect(store.get(key)).rejects.toBeInstanceOf(StoredFileMissing);
    // Deleting what is not there is not an error (a rollback may delete a file twice).
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('never overwrites: a key is written once', async () => {
    const key = newStorageKey();
    await store.put(key, Buffer.from('first'));
    await expect(store.put(key, Buffer.from('second'))).rejects.toThrow();
    expect(await readFile(path.join(root, 'files', key.slice(0, 2), key), 'utf8')).toBe('first');
  });

  it('refuses anything but its own keys, so no input can name a path', async () => {
    for (const key of [
      '../../etc/passwd',
      '/etc/passwd',
      '..',
      '',
      'A'.repeat(32),
      `${newStorageKey()}/x`,
      'notes.pdf',
    ]) {
      await expect(store.put(key, Buffer.from('x')), key).rejects.toThrow('not a storage key');
      await expect(store.get(key), key).rejects.toThrow('not a storage key');
      await expect(store.delete(key), key).rejects.toThrow('not a storage key');
    }
  });

  it('is the same store for one configuration, under its data folder', () => {
    const config = { dataDir: root };
    expect(fileStoreFor(config)).toBe(fileStoreFor(config));
    expect(filesFolder(config)).toBe(path.join(root, 'files'));
  });
});
