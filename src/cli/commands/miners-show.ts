import { loadBackendPrivateKey, parseBackendPrivateKey } from '../../chain/backend-key.ts';
import type { MinerSnapshot, MinerSource } from '../../chain/miner-source.ts';
import { StaticMinerSource } from '../../chain/static-miner-source.ts';
import { type Cell, formatTable } from '../../runtime/format-table.ts';
import { formatTime } from '../../runtime/format-time.ts';
import type { OutputOptions } from '../output.ts';
import { rowsAsJson } from '../output.ts';
import { type ChainCommandDeps, chainCommandDeps, replacedProvider, runChainCommand } from './chain-command-deps.ts';
import type { ChainFlags } from './chain-flags.ts';

/** Flags of `miners show`. */
export interface ShowOptions extends ChainFlags, OutputOptions {
  minersFile?: string;
  backendKeyFile?: string;
}

const HEADERS = ['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'form', 'status'];

/** The snapshot's rows: usable miners, then excluded ones with their reason, by uid. */
function minerRows(snapshot: MinerSnapshot): Cell[][] {
  return [
    ...snapshot.miners.map((m): Cell[] => [m.uid, m.hotkey, m.revision, m.endpoint, m.committed_block, m.form, 'ok']),
    ...snapshot.excluded.map((e): Cell[] => [e.uid, e.hotkey, null, null, null, null, `excluded: ${e.reason}`]),
  ].sort((a, b) => (a[0] as number) - (b[0] as number));
}

/** `evalpool miners show` (loaded when it runs: see main.ts). */
export async function minersShow(options: ShowOptions, overrides: Partial<ChainCommandDeps>): Promise<void> {
  const deps = chainCommandDeps(overrides, true);
  await runChainCommand(deps, async () => {
    // Flags win; without them the configured source is used, as `serve` would.
    const config = options.chainEndpoint === undefined && options.minersFile === undefined ? deps.config() : undefined;
    const chainEndpoint = options.chainEndpoint ?? config?.chain.endpoint;
    const netuid = options.netuid ?? config?.chain.netuid;
    const configuredKey = config?.chain.backendPrivateKey;
    const backendKey =
      options.backendKeyFile !== undefined
        ? (await loadBackendPrivateKey({ file: options.backendKeyFile })).privateKey
        : configuredKey !== undefined
          ? parseBackendPrivateKey(configuredKey, 'EVALPOOL_BACKEND_PRIVATE_KEY').privateKey
          : undefined;
    let source: MinerSource;
    if (chainEndpoint !== undefined) {
      if (netuid === undefined) throw new Error('--netuid is required with --chain-endpoint');
      // The chain client is loaded only for a chain: a miners file is read in a blink.
      const { createMinerSource } = await import('../../chain/create-miner-source.ts');
      const settings = {
        kind: 'subtensor',
        endpoint: chainEndpoint,
        netuid,
        callTimeoutMs: options.timeout ?? config?.chain.timeoutMs,
        createProvider: replacedProvider(deps, chainEndpoint),
      } as const;
      source = createMinerSource(settings, { logger: deps.logger(), backendKey });
    } else {
      const file = options.minersFile ?? config?.chain.minersFile;
      if (file === undefined) throw new Error('give --miners-file <path>, or --chain-endpoint <url> with --netuid <n>');
      source = new StaticMinerSource({ file, logger: deps.logger().child({ component: 'miner-source' }), backendKey });
    }
    try {
      const snapshot = await source.refresh();
      const rows = minerRows(snapshot);
      if (options.json === true) {
        deps.out(
          JSON.stringify(
            {
              source: snapshot.source,
              block: snapshot.block,
              fetched_at: snapshot.fetchedAt.toISOString(),
              miners: rowsAsJson(HEADERS, rows),
            },
            null,
            2,
          ),
        );
        return;
      }
      deps.out(`source: ${snapshot.source}, block ${snapshot.block}, read at ${formatTime(snapshot.fetchedAt)}`);
      deps.out(`${snapshot.miners.length} miners, ${snapshot.excluded.length} excluded`);
      deps.out(formatTable(HEADERS, rows, { wide: options.wide }));
    } finally {
      await source.close();
    }
  });
}
