import { describe, expect, it, vi } from 'vitest';
import { Cleanup } from './cleanup.js';

describe('Cleanup', () => {
  it('runs actions newest first, once, even when one fails or two callers race', async () => {
    const order: string[] = [];
    const cleanup = new Cleanup();
    cleanup.add('drop database', () => Promise.resolve(void order.push('database')));
    cleanup.add('broken', () => Promise.reject(new Error('nope')));
    cleanup.add('stop server', () => Promise.resolve(void order.push('server')));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await Promise.all([cleanup.runAll(), cleanup.runAll()]);
    await cleanup.runAll();
    expect(order).toEqual(['server', 'database']);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it('forgets an action that was unregistered and runs ones added after a pass', async () => {
    const done: string[] = [];
    const cleanup = new Cleanup();
    const remove = cleanup.add('a', () => Promise.resolve(void done.push('a')));
    remove();
    await cleanup.runAll();
    cleanup.add('b', () => Promise.resolve(void done.push('b')));
    await cleanup.runAll();
    expect(done).toEqual(['b']);
  });
});
