import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on 127.0.0.1 (port 0) answering with `handler`; `close()` ends every connection. */
export async function startWeightsServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A `/v1/weights/latest` body as the backend serves it. */
export function weightsBody(
  block: number,
  uids: number[],
  values: number[],
): {
  block_number: number;
  timestamp: string;
  weights: Record<string, number>;
  weights_u16: { uids: number[]; values: number[] };
  metadata: unknown;
} {
  const total = values.reduce((a, b) => a + b, 0);
  return {
    block_number: block,
    timestamp: '2026-11-23T06:00:00Z',
    weights: Object.fromEntries(uids.map((uid, i) => [String(uid), values[i]! / total])),
    weights_u16: { uids, values },
    metadata: { scheme: 'pareto' },
  };
}
