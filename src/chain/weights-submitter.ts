/**
 * Puts a backend's u16 weights on chain, signed by the validator's hotkey:
 * - commit-reveal off: `SubtensorModule.set_weights(netuid, dests, weights, version_key)`;
 * - commit-reveal on (`CommitRevealWeightsEnabled(netuid)`, the runtime's default):
 *   `commit_timelocked_weights(netuid, commit, reveal_round, commit_reveal_version)`, the weights
 *   encrypted to a future drand Quicknet round (see `commit-reveal.ts` and `timelock.ts`); the
 *   chain decrypts and sets them itself at the start of the reveal epoch. Only the version this
 *   client builds ({@link SUPPORTED_COMMIT_REVEAL_VERSION}, read from `CommitRevealWeightsVersion`)
 *   is submitted; another version is refused with {@link CommitRevealEnabledError} and the
 *   validator stops, instead of submitting commits the chain would reject or could not decrypt.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { bool, Option, u16, u64, Vec } from '@polkadot/types';
import type { Codec, ISubmittableResult } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import type { Logger } from 'pino';
import {
  BLOCK_TIME_MS,
  CHAIN_CALL_TIMEOUT_MS,
  MAX_TIMELOCKED_COMMIT_BYTES,
  VALIDATOR_ERA_PERIOD,
  VALIDATOR_INCLUSION_TIMEOUT_MS,
} from '../config/constants.ts';
import type { U16Weights } from '../db/schema.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { buildTimelockedCommit, encodeWeightsPayload, revealRound, SUPPORTED_COMMIT_REVEAL_VERSION } from './commit-reveal.ts';
import { assertSignableExtensions } from './signed-extensions.ts';
import type { SubtensorConnection } from './subtensor-connection.ts';
import { atBlock, type ReadLimits, readBestBlock, storageItem } from './subtensor-reads.ts';
import { CallTimeoutError, withTimeout } from './with-timeout.ts';

/** Commit-reveal is on with a version this client cannot build, or the runtime lacks the call. Fatal for the validator. */
export class CommitRevealEnabledError extends Error {
  override readonly name = 'CommitRevealEnabledError';
}

/** The validator's hotkey has no uid on the subnet. Fatal for the validator. */
export class HotkeyNotRegisteredError extends Error {
  override readonly name = 'HotkeyNotRegisteredError';
}

/** The chain refused or dropped the extrinsic. */
export class WeightsRejectedError extends Error {
  override readonly name = 'WeightsRejectedError';
}

/** A signed `set_weights` or `commit_timelocked_weights` extrinsic, ready to be printed (dry run) or submitted. */
export interface PreparedWeights {
  /** The call: plain weights, or a timelocked commit (commit-reveal on). */
  readonly call: 'set_weights' | 'commit_timelocked_weights';
  /** For a commit: the drand round it is encrypted to, and the commit-reveal version. */
  readonly commit?: { readonly revealRound: bigint; readonly version: number; readonly bytes: number };
  readonly netuid: number;
  readonly uids: readonly number[];
  readonly values: readonly number[];
  readonly versionKey: bigint;
  readonly signer: string;
  readonly nonce: number;
  /** Best block the extrinsic's mortality starts at. */
  readonly block: number;
  readonly hex: string;
  /** Encoded length in bytes. */
  readonly length: number;
  readonly extrinsic: SubmittableExtrinsic<'promise'>;
}

/** What the validator's cadence needs from the chain, read at the best block. */
export interface WeightsCadence {
  /** The best block. */
  readonly block: number;
  /** `WeightsSetRateLimit(netuid)`: blocks the chain wants between two weight settings of a uid. */
  readonly rateLimit: number;
  /** `ActivityCutoff(netuid)`: a validator silent this many blocks loses its standing. */
  readonly activityCutoff: number;
  /** `LastUpdate(netuid)[uid]` of the validator's uid: the block it last set weights; null if never or unregistered. */
  readonly lastUpdate: number | null;
}

/** Settings of a {@link WeightsSubmitter}. */
export interface WeightsSubmitterOptions {
  readonly connection: SubtensorConnection;
  readonly netuid: number;
  readonly pair: KeyringPair;
  readonly logger: Logger;
  readonly callTimeoutMs?: number;
  readonly inclusionTimeoutMs?: number;
  /** Wall-clock seconds since the epoch, for the reveal round (default `Date.now() / 1000`). */
  readonly nowSeconds?: () => number;
  /** Beacon public key to encrypt commits to (default Quicknet's; tests use their own). */
  readonly beaconPublicKey?: string;
}

function sortedByUid(weights: U16Weights): U16Weights {
  const order = weights.uids.map((uid, i) => [uid, weights.values[i] ?? 0] as const).sort((a, b) => a[0] - b[0]);
  return { uids: order.map(([uid]) => uid), values: order.map(([, value]) => value) };
}

/** Builds, signs and submits `set_weights` extrinsics for one subnet and one hotkey. */
export class WeightsSubmitter {
  readonly #options: WeightsSubmitterOptions;

  constructor(options: WeightsSubmitterOptions) {
    this.#options = options;
  }

  #limits(signal?: AbortSignal): ReadLimits {
    return { timeoutMs: this.#options.callTimeoutMs ?? CHAIN_CALL_TIMEOUT_MS, signal };
  }

  /** Reads the best block, the rate limit, the activity cutoff and the validator's last update (one snapshot). */
  async cadence(signal?: AbortSignal): Promise<WeightsCadence> {
    const { connection, netuid, pair } = this.#options;
    const limits = this.#limits(signal);
    try {
      const api = await connection.api(signal);
      const best = await readBestBlock(api, limits);
      const at = await atBlock(api, best.hash, limits);
      const read = <T>(item: string, ...args: unknown[]): Promise<T> =>
        withTimeout(
          storageItem(at, 'subtensorModule', item)<T & Codec>(...args) as Promise<T>,
          limits.timeoutMs,
          `SubtensorModule.${item}`,
          signal,
        );
      const [rateLimit, activityCutoff, uid] = await Promise.all([
        read<u64>('weightsSetRateLimit', netuid),
        read<u16>('activityCutoff', netuid),
        read<Option<u16>>('uids', netuid, pair.address),
      ]);
      // LastUpdate is indexed by NetUidStorageIndex, which is the netuid for the main mechanism.
      const lastUpdate = uid.isNone ? undefined : (await read<Vec<u64>>('lastUpdate', netuid))[uid.unwrap().toNumber()]?.toNumber();
      return {
        block: best.number,
        rateLimit: rateLimit.toNumber(),
        activityCutoff: activityCutoff.toNumber(),
        lastUpdate: lastUpdate === undefined || lastUpdate === 0 ? null : lastUpdate,
      };
    } catch (error) {
      if (error instanceof CallTimeoutError) connection.markBroken(error);
      throw error;
    }
  }

  /**
   * Checks the subnet (exists, commit-reveal off, hotkey registered, uids in range), reads the
   * version key and the nonce, and signs the extrinsic. Nothing is sent.
   */
  async prepare(weights: U16Weights, signal?: AbortSignal): Promise<PreparedWeights> {
    const { connection, netuid, pair } = this.#options;
    const limits = this.#limits(signal);
    try {
      const api = await connection.api(signal);
      assertSignableExtensions(api.registry);
      const best = await readBestBlock(api, limits);
      const at = await atBlock(api, best.hash, limits);
      const read = <T>(item: string, ...args: unknown[]): Promise<T> =>
        withTimeout(
          storageItem(at, 'subtensorModule', item)<T & Codec>(...args) as Promise<T>,
          limits.timeoutMs,
          `SubtensorModule.${item}`,
          signal,
        );
      if (!(await read<bool>('networksAdded', netuid)).isTrue) throw new Error(`subnet ${netuid} does not exist at block ${best.number}`);
      const commitReveal =
        at.query.subtensorModule?.commitRevealWeightsEnabled !== undefined &&
        (await read<bool>('commitRevealWeightsEnabled', netuid)).isTrue;
      const uid = await read<Option<u16>>('uids', netuid, pair.address);
      if (uid.isNone) throw new HotkeyNotRegisteredError(`validator hotkey ${pair.address} is not registered on netuid ${netuid}`);
      const neurons = (await read<u16>('subnetworkN', netuid)).toNumber();
      const { uids, values } = sortedByUid(weights);
      const outOfRange = uids.filter((u) => u >= neurons);
      if (outOfRange.length > 0) throw new Error(`uids ${outOfRange.join(', ')} are not on netuid ${netuid} (it has ${neurons} neurons)`);
      const versionKey = (await read<u64>('weightsVersionKey', netuid)).toBigInt();
      const nonce = (
        await withTimeout(api.rpc.system.accountNextIndex(pair.address), limits.timeoutMs, 'system_accountNextIndex', signal)
      ).toNumber();
      // What both calls report of the signed extrinsic.
      const signed = (extrinsic: SubmittableExtrinsic<'promise'>) => ({
        netuid,
        uids,
        values,
        versionKey,
        signer: pair.address,
        nonce,
        block: best.number,
        hex: extrinsic.toHex(),
        length: extrinsic.encodedLength,
        extrinsic,
      });
      if (!commitReveal) {
        const extrinsic = this.#sign(api, this.#setWeightsCall(api, { uids, values }, versionKey), nonce, best);
        return { call: 'set_weights', ...signed(extrinsic) };
      }
      const version =
        at.query.subtensorModule?.commitRevealWeightsVersion === undefined
          ? undefined
          : (await read<u16>('commitRevealWeightsVersion')).toNumber();
      const commitCall = api.tx.subtensorModule?.commitTimelockedWeights;
      if (version !== SUPPORTED_COMMIT_REVEAL_VERSION || commitCall === undefined) {
        throw new CommitRevealEnabledError(
          `commit-reveal is on for netuid ${netuid}: plain set_weights would be refused, and ` +
            (commitCall === undefined
              ? 'this runtime has no SubtensorModule.commit_timelocked_weights call'
              : `the chain's CommitRevealWeightsVersion is ${version ?? '(not in this runtime)'}, while this client builds version ${SUPPORTED_COMMIT_REVEAL_VERSION} commits only`) +
            '. Set weights with a client that supports it, or ask the subnet owner to turn commit-reveal off.',
        );
      }
      const tempo = (await read<u16>('tempo', netuid)).toNumber();
      const revealPeriodEpochs = (await read<u64>('revealPeriodEpochs', netuid)).toNumber();
      const payload = encodeWeightsPayload(pair.publicKey, uids, values, versionKey);
      const round = revealRound({
        currentBlock: best.number,
        netuid,
        tempo,
        revealPeriodEpochs,
        nowSeconds: (this.#options.nowSeconds ?? (() => Date.now() / 1_000))(),
        blockTimeSeconds: BLOCK_TIME_MS / 1_000,
      });
      const { commit } = buildTimelockedCommit(payload, round, this.#options.beaconPublicKey);
      if (commit.length > MAX_TIMELOCKED_COMMIT_BYTES)
        throw new Error(
          `the encrypted commit is ${commit.length} bytes, above the chain's limit of ${MAX_TIMELOCKED_COMMIT_BYTES} (${uids.length} uids)`,
        );
      // Hex, not bytes: polkadot-js reads a Uint8Array given for `Bytes` as already length-prefixed.
      const extrinsic = this.#sign(api, commitCall(netuid, u8aToHex(commit), round, version), nonce, best);
      return { call: 'commit_timelocked_weights', commit: { revealRound: round, version, bytes: commit.length }, ...signed(extrinsic) };
    } catch (error) {
      if (error instanceof CallTimeoutError) connection.markBroken(error);
      throw error;
    }
  }

  #setWeightsCall(api: ApiPromise, weights: U16Weights, versionKey: bigint): SubmittableExtrinsic<'promise'> {
    const setWeights = api.tx.subtensorModule?.setWeights;
    if (setWeights === undefined) throw new Error('this runtime has no SubtensorModule.set_weights call');
    return setWeights(this.#options.netuid, weights.uids, weights.values, versionKey);
  }

  #sign(
    api: ApiPromise,
    extrinsic: SubmittableExtrinsic<'promise'>,
    nonce: number,
    best: { number: number; hash: string },
  ): SubmittableExtrinsic<'promise'> {
    // Signed offline from what was read above: no further RPC, so a dry run shows exactly this.
    extrinsic.sign(this.#options.pair, {
      blockHash: best.hash,
      era: api.registry.createType('ExtrinsicEra', { current: best.number, period: VALIDATOR_ERA_PERIOD }),
      genesisHash: api.genesisHash,
      nonce,
      runtimeVersion: api.runtimeVersion,
      signedExtensions: api.registry.signedExtensions,
    });
    return extrinsic;
  }

  /** Submits a prepared extrinsic and waits until it is in a block; returns that block's hash. */
  async submit(prepared: PreparedWeights, signal?: AbortSignal): Promise<string> {
    const { connection, logger, inclusionTimeoutMs = VALIDATOR_INCLUSION_TIMEOUT_MS } = this.#options;
    const api = await connection.api(signal);
    let unsubscribe: (() => void) | undefined;
    const included = new Promise<string>((resolve, reject) => {
      prepared.extrinsic
        .send((result: ISubmittableResult) => {
          if (result.dispatchError !== undefined) {
            const error = result.dispatchError;
            const detail = error.isModule
              ? (({ section, name, docs }) => `${section}.${name}: ${docs.join(' ')}`)(api.registry.findMetaError(error.asModule))
              : error.toString();
            reject(
              new WeightsRejectedError(
                `${prepared.call} failed in block ${result.status.isInBlock ? result.status.asInBlock.toHex() : '?'}: ${detail}`,
              ),
            );
          } else if (result.status.isInBlock || result.status.isFinalized) {
            resolve((result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).toHex());
          } else if (result.isError) {
            reject(new WeightsRejectedError(`${prepared.call} not included: ${result.status.type}`));
          }
        })
        .then(
          (unsub) => {
            unsubscribe = unsub;
          },
          (error: unknown) =>
            reject(new WeightsRejectedError(`${prepared.call} refused by the node: ${errorMessage(error)}`, { cause: error })),
        );
    });
    try {
      const blockHash = await withTimeout(included, inclusionTimeoutMs, `${prepared.call} inclusion`, signal);
      logger.info(
        {
          netuid: prepared.netuid,
          blockHash,
          uids: prepared.uids.length,
          nonce: prepared.nonce,
          call: prepared.call,
          revealRound: prepared.commit?.revealRound.toString(),
        },
        prepared.call === 'set_weights' ? 'weights set on chain' : 'weights committed on chain (timelocked)',
      );
      return blockHash;
    } finally {
      unsubscribe?.();
    }
  }
}
