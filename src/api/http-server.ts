import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

/** A listening HTTP server for a Hono app; `stop()` is idempotent and closes idle keep-alive sockets. */
export interface HttpServer {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** Listens on `host:port` (port 0 = any free port) and resolves once the socket is bound. */
export async function startHttpServer(app: Hono, host: string, port: number): Promise<HttpServer> {
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host, port }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    name: 'http-server',
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment; then their sockets go too.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return stopping;
    },
  };
}
