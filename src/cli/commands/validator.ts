import type { Command } from 'commander';
import { SubtensorConnection, wsProviderFactory } from '../../chain/subtensor-connection.ts';
import { CHAIN_CALL_TIMEOUT_MS, VALIDATOR_POLL_INTERVAL_MS } from '../../chain/defaults.ts';
import { loadValidatorKeypair } from '../../chain/validator-seed.ts';
import { ValidatorLoop } from '../../chain/validator-loop.ts';
import { fetchLatestWeights, type LatestWeights } from '../../chain/weights-response.ts';
import { WeightsSubmitter, type PreparedWeights } from '../../chain/weights-submitter.ts';
import { formatTable } from '../format-table.ts';
import { chainCommandDeps, parseNetuid, parseSeconds, runChainCommand, type ChainCommandDeps } from './chain-command-deps.ts';

interface ValidatorOptions {
  backend: string;
  chainEndpoint: string;
  netuid: number;
  seedFile: string;
  pollInterval?: number;
  timeout?: number;
  dryRun?: boolean;
}

/** What a dry run prints: the uids and u16 values, then the signed extrinsic and its length. */
export function describePrepared(prepared: PreparedWeights, weights: LatestWeights): string[] {
  return [
    `backend weights of block ${weights.block_number} → set_weights on netuid ${prepared.netuid}, version_key ${prepared.versionKey}, signer ${prepared.signer}, nonce ${prepared.nonce}, mortal from block ${prepared.block}`,
    formatTable(['uid', 'weight_u16'], prepared.uids.map((uid, i) => [uid, prepared.values[i]])),
    `extrinsic (${prepared.length} bytes): ${prepared.hex}`,
  ];
}

/**
 * `evalpool validator`: polls a backend's `GET /v1/weights/latest` and sets the weights on chain
 * whenever the block number increases, signed by the validator's hotkey. `--dry-run` polls once
 * and prints what it would submit.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const deps = chainCommandDeps(overrides);
  program.command('validator')
    .description("poll a backend's weights and set them on chain")
    .requiredOption('--backend <url>', 'evalpool backend base URL (serves /v1/weights/latest)')
    .requiredOption('--chain-endpoint <url>', 'subtensor WebSocket endpoint (EVALPOOL_CHAIN_ENDPOINT)')
    .requiredOption('--netuid <n>', 'subnet id (EVALPOOL_NETUID)', parseNetuid)
    .requiredOption('--seed-file <path>', 'file with the hotkey mnemonic, secret URI or Bittensor hotkey JSON (EVALPOOL_VALIDATOR_SEED_FILE)')
    .option('--poll-interval <seconds>', `seconds between polls (default ${VALIDATOR_POLL_INTERVAL_MS / 1000})`, parseSeconds)
    .option('--timeout <seconds>', `per-call chain timeout (default ${CHAIN_CALL_TIMEOUT_MS / 1000})`, parseSeconds)
    .option('--dry-run', 'poll once, sign, print what would be submitted, submit nothing')
    .action(async (options: ValidatorOptions) => {
      await runChainCommand(deps, async () => {
        const logger = deps.logger().child({ component: 'validator' });
        const pair = await loadValidatorKeypair({ file: options.seedFile });
        const callTimeoutMs = options.timeout ?? CHAIN_CALL_TIMEOUT_MS;
        const createProvider = deps.createProvider;
        const connection = new SubtensorConnection({
          createProvider: createProvider === undefined ? wsProviderFactory(options.chainEndpoint, callTimeoutMs) : () => createProvider(options.chainEndpoint),
          label: options.chainEndpoint,
          logger,
        });
        const submitter = new WeightsSubmitter({ connection, netuid: options.netuid, pair, logger, callTimeoutMs });
        const loop = new ValidatorLoop({
          fetchWeights: (signal) => fetchLatestWeights(options.backend, { signal }),
          submitter,
          logger,
          pollIntervalMs: options.pollInterval,
          dryRun: options.dryRun === true,
          onPrepared: (prepared, weights) => {
            if (options.dryRun === true) for (const line of describePrepared(prepared, weights)) deps.out(line);
          },
        });
        try {
          if (options.dryRun === true) {
            const outcome = await loop.poll();
            if (outcome === 'no_weights') deps.out('the backend has no weights yet: nothing to sign');
            else if (outcome === 'empty') deps.out('the backend weights are empty: nothing to sign');
            else if (outcome !== 'dry_run') throw new Error('could not prepare the extrinsic (see the log above)');
            return;
          }
          logger.info({ hotkey: pair.address, netuid: options.netuid, backend: options.backend }, 'validator started');
          const stop = (): void => void loop.stop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          try {
            loop.start();
            await loop.done;
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
        } finally {
          await loop.stop();
          await connection.close();
        }
      });
    });
}
