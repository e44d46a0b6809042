// A recording front for a miner: a real HTTP server that forwards each call (`POST /reset`,
// `POST /act`) to the miner behind it and passes its answer back, counting the calls it received
// by episode id (the `X-Episode-Id` header), and that can hold calls (neither forwarded nor
// answered) until released: a caller waiting on a held call has nothing to read, however long it
// waits, which pins down the moment it sends its next call.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EPISODE_ID_HEADER } from '../../src/miners/endpoint-contract.ts';

export interface RecordingMiner {
  readonly url: string;
  /** Calls received for this episode id so far (held ones included). */
  calls(episodeId: string): number;
  /** Calls held now whose caller is still waiting. */
  readonly held: number;
  /** From the first call that makes one episode's count exceed `n` on, every call is held (until `release`). */
  holdAfter(n: number): void;
  /** Stops holding: the held calls whose callers still wait are forwarded. */
  release(): void;
  close(): Promise<void>;
}

interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: Buffer;
}

export async function startRecordingMiner(target: string): Promise<RecordingMiner> {
  const counts = new Map<string, number>();
  let holding = false;
  let holdAbove = Number.POSITIVE_INFINITY;
  let heldCalls: Call[] = [];
  const sockets = new Set<Socket>();

  const forward = async ({ req, res, body }: Call): Promise<void> => {
    if (res.destroyed) return;
    try {
      const answer = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          [EPISODE_ID_HEADER]: String(req.headers[EPISODE_ID_HEADER.toLowerCase()] ?? ''),
        },
        body,
      });
      const text = Buffer.from(await answer.arrayBuffer());
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    } catch (error) {
      if (!res.destroyed) res.writeHead(502).end(String(error));
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const episode = String(req.headers[EPISODE_ID_HEADER.toLowerCase()] ?? '');
      const count = (counts.get(episode) ?? 0) + 1;
      counts.set(episode, count);
      if (count > holdAbove) holding = true;
      const call = { req, res, body: Buffer.concat(chunks) };
      if (holding) heldCalls.push(call);
      else void forward(call);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (episodeId) => counts.get(episodeId) ?? 0,
    get held() {
      // A caller that gave up closed its socket: its call no longer waits.
      return heldCalls.filter((c) => !c.res.destroyed && !c.req.socket.destroyed).length;
    },
    holdAfter(n) {
      holdAbove = n;
    },
    release() {
      holding = false;
      holdAbove = Number.POSITIVE_INFINITY;
      const calls = heldCalls;
      heldCalls = [];
      for (const call of calls) void forward(call);
    },
    close: () =>
      new Promise<void>((resolve) => {
        heldCalls = [];
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
