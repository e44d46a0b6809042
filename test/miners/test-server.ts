import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A plain Node HTTP server on 127.0.0.1 for client tests, counting connections and requests. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  connections: number;
  requests: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

export async function startTestServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, requests: [] as TestServer['requests'] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ method: request.method ?? '', url: request.url ?? '', body, headers: request.headers });
      handler(request, response, body);
    });
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    set connections(n: number) {
      state.connections = n;
    },
    get requests() {
      return state.requests;
    },
    set requests(r) {
      state.requests = r;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** A port on 127.0.0.1 where nothing listens (bound then released). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const GOOD_ACTION = JSON.stringify({ action: { continuous: { joint_torque: [0.1, -0.2] }, discrete: {}, extra: {} } });

/** Answers every request with a fixed action. */
export const answerAction: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(GOOD_ACTION);
};
