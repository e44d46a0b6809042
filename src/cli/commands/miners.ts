import type { Command } from 'commander';
import { loadBackendPrivateKey, parseBackendPrivateKey } from '../../chain/backend-key.ts';
import { createMinerSource, type MinerSourceSettings } from '../../chain/create-miner-source.ts';
import type { MinerSnapshot } from '../../chain/miner-source.ts';
import { formatTable, type Cell } from '../format-table.ts';
import { chainCommandDeps, chainFlags, replacedProvider, runChainCommand, type ChainCommandDeps, type ChainFlags } from './chain-command-deps.ts';

interface ShowOptions extends ChainFlags {
  minersFile?: string;
  backendKeyFile?: string;
}

/** The snapshot as a table: usable miners, then excluded ones with their reason. */
function minersTable(snapshot: MinerSnapshot): string {
  const rows: Cell[][] = [
    ...snapshot.miners.map((m): Cell[] => [m.uid, m.hotkey, m.revision, m.endpoint, m.committed_block, m.form, 'ok']),
    ...snapshot.excluded.map((e): Cell[] => [e.uid, e.hotkey, null, null, null, null, `excluded: ${e.reason}`]),
  ].sort((a, b) => (a[0] as number) - (b[0] as number));
  return formatTable(['uid', 'hotkey', 'revision', 'endpoint', 'committed_block', 'form', 'status'], rows);
}

/**
 * `evalpool miners show`: reads the configured miner source once and prints its miners,
 * including the excluded ones and why. A chain endpoint wins over a miners file.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const deps = chainCommandDeps(overrides);
  const miners = program.command('miners').description('miners as the scheduler sees them');

  chainFlags(miners.command('show'))
    .description('read the miner source once (the configured one unless flags say otherwise) and print a table, with excluded miners and reasons')
    .option('--miners-file <path>', 'static miners file (EVALPOOL_MINERS_FILE)')
    .option('--backend-key-file <path>', 'backend private key for encrypted commitments (EVALPOOL_BACKEND_PRIVATE_KEY_FILE)')
    .action(async (options: ShowOptions) => {
      await runChainCommand(deps, async () => {
        // Flags win; without them the configured source is used, as `serve` would.
        const config = options.chainEndpoint === undefined && options.minersFile === undefined ? deps.config() : undefined;
        const chainEndpoint = options.chainEndpoint ?? config?.chain.endpoint;
        const netuid = options.netuid ?? config?.chain.netuid;
        let settings: MinerSourceSettings;
        if (chainEndpoint !== undefined) {
          if (netuid === undefined) throw new Error('--netuid is required with --chain-endpoint');
          settings = { kind: 'subtensor', endpoint: chainEndpoint, netuid, callTimeoutMs: options.timeout ?? config?.chain.timeoutMs, createProvider: replacedProvider(deps, chainEndpoint) };
        } else {
          const file = options.minersFile ?? config?.chain.minersFile;
          if (file === undefined) throw new Error('give --miners-file <path>, or --chain-endpoint <url> with --netuid <n>');
          settings = { kind: 'static', file };
        }
        const configuredKey = config?.chain.backendPrivateKey;
        const backendKey =
          options.backendKeyFile !== undefined
            ? (await loadBackendPrivateKey({ file: options.backendKeyFile })).privateKey
            : configuredKey !== undefined
              ? parseBackendPrivateKey(configuredKey, 'EVALPOOL_BACKEND_PRIVATE_KEY').privateKey
              : undefined;
        const source = createMinerSource(settings, { logger: deps.logger(), backendKey });
        try {
          const snapshot = await source.refresh();
          deps.out(`source: ${snapshot.source}, block ${snapshot.block}, read at ${snapshot.fetchedAt.toISOString()}`);
          deps.out(`${snapshot.miners.length} miners, ${snapshot.excluded.length} excluded`);
          deps.out(minersTable(snapshot));
        } finally {
          await source.close();
        }
      });
    });
}
