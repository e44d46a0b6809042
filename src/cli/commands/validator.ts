import { InvalidArgumentError, type Command } from 'commander';
import { SubtensorConnection, wsProviderFactory } from '../../chain/subtensor-connection.ts';
import { loadValidatorKeypair } from '../../chain/validator-seed.ts';
import { ValidatorLoop } from '../../chain/validator-loop.ts';
import { fetchLatestWeights, type LatestWeights } from '../../chain/weights-response.ts';
import { WeightsSubmitter, type PreparedWeights } from '../../chain/weights-submitter.ts';
import { formatTable } from '../format-table.ts';
import { chainCommandDeps, chainFlags, parseSeconds, replacedProvider, runChainCommand, type ChainCommandDeps, type ChainFlags } from './chain-command-deps.ts';

interface ValidatorOptions extends ChainFlags {
  backend?: string;
  seedFile?: string;
  pollInterval?: number;
  resubmitBlocks?: number;
  dryRun?: boolean;
  once?: boolean;
}

/** What a dry run prints: the uids and u16 values, then the signed extrinsic and its length. */
function describePrepared(prepared: PreparedWeights, weights: LatestWeights): string[] {
  return [
    `backend weights of block ${weights.block_number} → ${prepared.call} on netuid ${prepared.netuid}, version_key ${prepared.versionKey}, signer ${prepared.signer}, nonce ${prepared.nonce}, mortal from block ${prepared.block}` +
      (prepared.commit === undefined ? '' : ` (commit-reveal v${prepared.commit.version}: ${prepared.commit.bytes}-byte commit timelocked to drand round ${prepared.commit.revealRound})`),
    formatTable(['uid', 'weight_u16'], prepared.uids.map((uid, i) => [uid, prepared.values[i]])),
    `extrinsic (${prepared.length} bytes): ${prepared.hex}`,
  ];
}

function parseBlocks(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of blocks >= 1, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * `evalpool validator`: polls a backend's `GET /v1/weights/latest` and sets the weights on chain
 * whenever the block number increases or the last setting is `--resubmit-blocks` old (see
 * `ValidatorLoop`), signed by the validator's hotkey. `--dry-run` keeps the same cadence but
 * prints each extrinsic instead of submitting it; `--once` polls once and exits.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const deps = chainCommandDeps(overrides);
  chainFlags(program.command('validator'))
    .description("poll a backend's weights and set them on chain")
    .option('--backend <url>', 'evalpool backend base URL serving /v1/weights/latest (default EVALPOOL_VALIDATOR_BACKEND_URL)')
    .option('--seed-file <path>', 'file with the hotkey mnemonic, secret URI or Bittensor hotkey JSON (default EVALPOOL_VALIDATOR_SEED or _FILE)')
    .option('--poll-interval <seconds>', 'seconds between polls (default EVALPOOL_VALIDATOR_POLL_SECONDS)', parseSeconds)
    .option('--resubmit-blocks <blocks>', "set the latest weights again when the last setting is this many blocks old (default EVALPOOL_VALIDATOR_RESUBMIT_BLOCKS)", parseBlocks)
    .option('--dry-run', 'sign and print what would be submitted, at the same cadence; submit nothing')
    .option('--once', 'poll once (with --dry-run: print the extrinsic) and exit')
    .action(async (options: ValidatorOptions) => {
      await runChainCommand(deps, async () => {
        const logger = deps.logger().child({ component: 'validator' });
        // Flags win over the configuration (EVALPOOL_CHAIN_ENDPOINT, EVALPOOL_NETUID, ...).
        const { chain } = deps.config();
        const chainEndpoint = options.chainEndpoint ?? chain.endpoint;
        const netuid = options.netuid ?? chain.netuid;
        const backend = options.backend ?? chain.validatorBackendUrl;
        if (chainEndpoint === undefined) throw new Error('no chain endpoint: give --chain-endpoint or set EVALPOOL_CHAIN_ENDPOINT');
        if (netuid === undefined) throw new Error('no subnet id: give --netuid or set EVALPOOL_NETUID');
        const seed = options.seedFile !== undefined ? { file: options.seedFile } : chain.validatorSeed !== undefined ? { seed: chain.validatorSeed } : undefined;
        if (seed === undefined) throw new Error('no validator hotkey: give --seed-file or set EVALPOOL_VALIDATOR_SEED (or EVALPOOL_VALIDATOR_SEED_FILE)');
        const pair = await loadValidatorKeypair(seed);
        const callTimeoutMs = options.timeout ?? chain.timeoutMs;
        const connection = new SubtensorConnection({
          createProvider: replacedProvider(deps, chainEndpoint) ?? wsProviderFactory(chainEndpoint, callTimeoutMs),
          label: chainEndpoint,
          logger,
          connectTimeoutMs: chain.connectTimeoutMs,
        });
        const submitter = new WeightsSubmitter({ connection, netuid, pair, logger, callTimeoutMs });
        const loop = new ValidatorLoop({
          fetchWeights: (signal) => fetchLatestWeights(backend, { signal, timeoutMs: chain.validatorHttpTimeoutMs }),
          submitter,
          logger,
          pollIntervalMs: options.pollInterval ?? chain.validatorPollSeconds * 1_000,
          resubmitBlocks: options.resubmitBlocks ?? chain.validatorResubmitBlocks,
          dryRun: options.dryRun === true,
          onPrepared: (prepared, weights) => {
            if (options.dryRun === true) for (const line of describePrepared(prepared, weights)) deps.out(line);
          },
        });
        try {
          if (options.once === true) {
            const outcome = await loop.poll();
            if (outcome === 'no_weights') deps.out('the backend has no weights yet: nothing to sign');
            else if (outcome === 'empty') deps.out('the backend weights are empty: nothing to sign');
            else if (outcome === 'rate_limited') deps.out("the chain's WeightsSetRateLimit does not allow setting weights yet: nothing signed");
            else if (outcome === 'failed') throw new Error('could not set the weights (see the log above)');
            return;
          }
          logger.info({ hotkey: pair.address, netuid, backend, dryRun: options.dryRun === true }, 'validator started');
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
