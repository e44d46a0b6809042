import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now, for a container's server: with host networking every
 * container shares the host's ports, so each gets its own. Another process may take it before
 * the container binds it; the container then fails to start and the next start picks another.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}
