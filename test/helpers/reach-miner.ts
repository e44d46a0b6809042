// A miner for the affinetes double's `reach-v3` (containers/env-affinetes-double/): a real HTTP
// server that moves the point towards its target (`proprio.pos`, `proprio.target`), the way a
// template-based miner answers: `POST /reset` → 200, `POST /act` → `{"action": {"continuous": {"delta": [d]}}}`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the miner misbehaves: `reset-500` answers /reset with HTTP 500. */
export type ReachMinerMode = 'ok' | 'reset-500';

export interface ReachMiner {
  readonly url: string;
  readonly counts: { reset: number; act: number };
  /** The env ids of the /reset calls, in order. */
  readonly resetEnvIds: string[];
  mode: ReachMinerMode;
  /** Added before every /act answer (a miner's network and inference time). */
  actDelayMs: number;
  close(): Promise<void>;
}

export async function startReachMiner(): Promise<ReachMiner> {
  const counts = { reset: 0, act: 0 };
  const resetEnvIds: string[] = [];
  const miner = { counts, resetEnvIds, mode: 'ok' as ReachMinerMode, actDelayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { task_config?: { env_id?: string }; obs?: { proprio?: { pos?: number[]; target?: number[] } } };
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/reset') {
        counts.reset++;
        resetEnvIds.push(body.task_config?.env_id ?? '');
        return miner.mode === 'reset-500' ? json(500, { detail: 'policy crashed' }) : json(200, { ok: true });
      }
      if (req.url === '/act') {
        counts.act++;
        const pos = body.obs?.proprio?.pos?.[0] ?? 0;
        const target = body.obs?.proprio?.target?.[0] ?? 0;
        const answer = (): void => json(200, { action: { continuous: { delta: [target - pos] }, discrete: {}, extra: {} } });
        if (miner.actDelayMs > 0) setTimeout(answer, miner.actDelayMs);
        else answer();
        return;
      }
      json(404, { detail: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(miner, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
