import type { KeyObject } from 'node:crypto';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Logger } from 'pino';
import { CHAIN_CALL_TIMEOUT_MS } from '../config/constants.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { resolveCommitment } from './commitment.ts';
import { CommitmentError } from './commitment-error.ts';
import type { DiscoveredMiner, ExcludedMiner, MinerSnapshot, MinerSource } from './miner-source.ts';
import { SubtensorConnection } from './subtensor-connection.ts';
import { atBlock, type ReadLimits, readBestBlock, readCommitments, readNeurons, subnetExists } from './subtensor-reads.ts';
import { CallTimeoutError } from './with-timeout.ts';

/** Settings of a {@link SubtensorMinerSource}. */
export interface SubtensorMinerSourceOptions {
  /** Fresh provider per connection attempt (see `wsProviderFactory` for `EVALPOOL_CHAIN_ENDPOINT`). */
  readonly createProvider: () => ProviderInterface;
  /** Names the node in logs and errors (the endpoint URL). */
  readonly label: string;
  /** The subnet (`EVALPOOL_NETUID`). */
  readonly netuid: number;
  readonly logger: Logger;
  /** Backend private key for encrypted commitments; without it those miners are excluded. */
  readonly backendKey?: KeyObject;
  /** Timeout of each chain call (default {@link CHAIN_CALL_TIMEOUT_MS}). */
  readonly callTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** Clock in ms (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Miners of a subnet read from subtensor: neurons (uid, hotkey) and their
 * `Commitments.CommitmentOf` entries at the best block. Neurons without a commitment are not
 * miners (validators, idle keys) and are left out silently; a commitment that does not parse or
 * decrypt excludes its miner with a reason (logged when it first appears or changes).
 * A failed refresh returns the last known miners marked `stale`; the first one rejects.
 */
export class SubtensorMinerSource implements MinerSource {
  readonly #options: SubtensorMinerSourceOptions;
  readonly #connection: SubtensorConnection;
  readonly #closing = new AbortController();
  readonly #now: () => number;
  #last: MinerSnapshot | undefined;
  #staleSince: Date | undefined;
  #inflight: Promise<MinerSnapshot> | undefined;
  #reasons = new Map<string, string>();

  constructor(options: SubtensorMinerSourceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#connection = new SubtensorConnection({
      createProvider: options.createProvider,
      label: options.label,
      logger: options.logger,
      connectTimeoutMs: options.connectTimeoutMs,
      reconnectMinMs: options.reconnectMinMs,
      reconnectMaxMs: options.reconnectMaxMs,
      now: this.#now,
    });
  }

  /** Reads the miners; concurrent calls share one read (the first caller's signal governs it). */
  refresh(signal?: AbortSignal): Promise<MinerSnapshot> {
    if (this.#closing.signal.aborted) return Promise.reject(new Error('subtensor miner source is closed'));
    this.#inflight ??= this.#refresh(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refresh(signal?: AbortSignal): Promise<MinerSnapshot> {
    const combined = signal === undefined ? this.#closing.signal : AbortSignal.any([signal, this.#closing.signal]);
    try {
      const snapshot = await this.#read({ timeoutMs: this.#options.callTimeoutMs ?? CHAIN_CALL_TIMEOUT_MS, signal: combined });
      this.#connection.markHealthy();
      if (this.#staleSince !== undefined) this.#options.logger.info({ node: this.#options.label }, 'subtensor reads work again');
      this.#staleSince = undefined;
      this.#last = snapshot;
      return snapshot;
    } catch (error) {
      if (combined.aborted) throw error;
      // A node that stops answering gets a fresh connection (after the backoff); connection
      // failures are already counted by the connection, other errors leave it open.
      if (error instanceof CallTimeoutError) this.#connection.markBroken(error);
      const message = errorMessage(error);
      if (this.#last === undefined)
        throw new Error(`cannot read miners from subtensor ${this.#options.label}: ${message}`, { cause: error });
      this.#staleSince ??= new Date(this.#now());
      this.#options.logger.warn(
        { node: this.#options.label, err: message, since: this.#staleSince },
        'miner refresh failed: keeping the last known miners',
      );
      return { ...this.#last, stale: { since: this.#staleSince, error: message } };
    }
  }

  async #read(limits: ReadLimits): Promise<MinerSnapshot> {
    const { netuid } = this.#options;
    const api = await this.#connection.api(limits.signal);
    const best = await readBestBlock(api, limits);
    const at = await atBlock(api, best.hash, limits);
    if (!(await subnetExists(at, netuid, limits))) throw new Error(`subnet ${netuid} does not exist at block ${best.number}`);
    const neurons = await readNeurons(at, netuid, limits);
    const commitments = await readCommitments(
      at,
      netuid,
      neurons.map((n) => n.hotkey),
      limits,
    );
    const miners: DiscoveredMiner[] = [];
    const excluded: ExcludedMiner[] = [];
    const reasons = new Map<string, string>();
    neurons.forEach(({ uid, hotkey }, index) => {
      const stored = commitments[index];
      if (stored === undefined) return;
      try {
        if (stored.text instanceof CommitmentError) throw stored.text;
        const resolved = resolveCommitment(stored.text, this.#options.backendKey);
        miners.push({
          uid,
          hotkey,
          revision: resolved.revision,
          endpoint: resolved.endpoint,
          committed_block: stored.block,
          form: resolved.form,
        });
      } catch (error) {
        if (!(error instanceof CommitmentError)) throw error;
        const reason = `${error.code}: ${error.message}`;
        excluded.push({ uid, hotkey, reason });
        reasons.set(hotkey, reason);
        if (this.#reasons.get(hotkey) !== reason) {
          this.#options.logger.warn(
            { netuid, uid, hotkey, code: error.code, reason: error.message },
            'miner excluded: unusable commitment',
          );
        }
      }
    });
    this.#reasons = reasons;
    return { miners, excluded, block: best.number, source: 'subtensor', fetchedAt: new Date(this.#now()) };
  }

  /** Closes the connection and aborts a refresh in progress; idempotent. */
  async close(): Promise<void> {
    this.#closing.abort(new Error('subtensor miner source is closed'));
    await this.#connection.close();
  }
}
