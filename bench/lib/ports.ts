import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1. Another process could take it before the server binds,
 * which on a benchmark machine is rare enough to accept (the server then fails to start, loudly).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a listening socket'));
      });
    });
  });
}
