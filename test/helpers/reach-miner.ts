// A miner for the affinetes double's `reach-v3` (containers/env-affinetes-double/): a real HTTP
// server that moves the point towards its target (`proprio.pos`, `proprio.target`), the way a
// template-based miner answers: `POST /reset` → 200, `POST /act` → `{"action": {"continuous": {"delta": [d]}}}`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the miner misbehaves: `reset-500` answers /reset with HTTP 500; the others answer /act
 * with an action meant to make the Actor raise (an adversary turning its episode into an env
 * fault): `act-empty` an empty channel, `act-nan` a NaN component (Python's `NaN` token, which
 * `json.loads` reads), `act-huge` `1e999` (inf), `act-not-a-list` a channel that is a number,
 * `act-500` HTTP 500.
 */
export type ReachMinerMode = 'ok' | 'reset-500' | 'act-empty' | 'act-nan' | 'act-huge' | 'act-not-a-list' | 'act-500';

/** The raw /act body of each misbehaving mode (raw: JSON.stringify cannot write NaN or 1e999). */
const BAD_ACTIONS: Partial<Record<ReachMinerMode, string>> = {
  'act-empty': '{"action": {"continuous": {"delta": []}}}',
  'act-nan': '{"action": {"continuous": {"delta": [NaN]}}}',
  'act-huge': '{"action": {"continuous": {"delta": [1e999]}}}',
  'act-not-a-list': '{"action": {"continuous": {"delta": 0.5}}}',
};

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
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        task_config?: { env_id?: string };
        obs?: { proprio?: { pos?: number[]; target?: number[] } };
      };
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
        const bad = BAD_ACTIONS[miner.mode];
        const answer = (): void => {
          if (miner.mode === 'act-500') return json(500, { detail: 'policy crashed' });
          if (bad === undefined) return json(200, { action: { continuous: { delta: [target - pos] }, discrete: {}, extra: {} } });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(bad);
        };
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
