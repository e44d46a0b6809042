import { SubtensorConnection, wsProviderFactory } from '../../chain/subtensor-connection.ts';
import { ValidatorLoop } from '../../chain/validator-loop.ts';
import { loadValidatorKeypair } from '../../chain/validator-seed.ts';
import { fetchLatestWeights, type LatestWeights } from '../../chain/weights-response.ts';
import { type PreparedWeights, WeightsSubmitter } from '../../chain/weights-submitter.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { type ChainCommandDeps, chainCommandDeps, replacedProvider, runChainCommand } from './chain-command-deps.ts';
import type { ChainFlags } from './chain-flags.ts';

/** Flags of `evalpool validator`. */
export interface ValidatorOptions extends ChainFlags {
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
      (prepared.commit === undefined
        ? ''
        : ` (commit-reveal v${prepared.commit.version}: ${prepared.commit.bytes}-byte commit timelocked to drand round ${prepared.commit.revealRound})`),
    formatTable(
      ['uid', 'weight_u16'],
      prepared.uids.map((uid, i) => [uid, prepared.values[i]]),
    ),
    `extrinsic (${prepared.length} bytes): ${prepared.hex}`,
  ];
}

/** The body of `evalpool validator` (loaded when it runs: see main.ts). */
export async function validator(options: ValidatorOptions, overrides: Partial<ChainCommandDeps>): Promise<void> {
  const deps = chainCommandDeps(overrides);
  await runChainCommand(deps, async () => {
    const logger = deps.logger().child({ component: 'validator' });
    // Flags win over the configuration (EVALPOOL_CHAIN_ENDPOINT, EVALPOOL_NETUID, ...).
    const { chain } = deps.config();
    const chainEndpoint = options.chainEndpoint ?? chain.endpoint;
    const netuid = options.netuid ?? chain.netuid;
    const backend = options.backend ?? chain.validatorBackendUrl;
    if (chainEndpoint === undefined) throw new Error('no chain endpoint: give --chain-endpoint or set EVALPOOL_CHAIN_ENDPOINT');
    if (netuid === undefined) throw new Error('no subnet id: give --netuid or set EVALPOOL_NETUID');
    const seed =
      options.seedFile !== undefined
        ? { file: options.seedFile }
        : chain.validatorSeed !== undefined
          ? { seed: chain.validatorSeed }
          : undefined;
    if (seed === undefined)
      throw new Error('no validator hotkey: give --seed-file or set EVALPOOL_VALIDATOR_SEED (or EVALPOOL_VALIDATOR_SEED_FILE)');
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
}
