/**
 * `evalpool validator`: polls a backend's latest weights and puts them on chain whenever the
 * backend's block number increases, and again whenever its last weight setting is
 * `resubmitBlocks` old: a validator that sets no weights for the subnet's `ActivityCutoff` loses
 * its standing, and a stable ranking must not silence it. No submission is attempted before the
 * chain's `WeightsSetRateLimit` allows it (it would be refused). "Last setting" is the later of
 * this process's last submission and the chain's `LastUpdate` of the validator's uid (so a
 * restart does not set weights too fast, and a dry run, which sets nothing, keeps its cadence).
 *
 * One rule: a poll never throws out of the loop; transient failures (backend down, node slow,
 * extrinsic refused) are logged and retried at the next poll, fatal ones (a commit-reveal
 * version this client cannot build, hotkey not registered, unsignable runtime) stop the loop.
 */

import type { Logger } from 'pino';
import { VALIDATOR_POLL_INTERVAL_MS, VALIDATOR_RESUBMIT_BLOCKS } from '../config/constants.ts';
import type { U16Weights } from '../db/schema.ts';
import { errorMessage, toError } from '../runtime/error-message.ts';
import { SignedExtensionError } from './signed-extensions.ts';
import type { LatestWeights } from './weights-response.ts';
import { CommitRevealEnabledError, HotkeyNotRegisteredError, type PreparedWeights, type WeightsCadence } from './weights-submitter.ts';

/** What one poll did. */
export type PollOutcome = 'no_weights' | 'unchanged' | 'rate_limited' | 'empty' | 'submitted' | 'resubmitted' | 'dry_run' | 'failed';

/** Settings of a {@link ValidatorLoop}. */
export interface ValidatorLoopOptions {
  /** Reads the backend's latest weights; `null` when there are none yet. */
  readonly fetchWeights: (signal: AbortSignal) => Promise<LatestWeights | null>;
  readonly submitter: {
    cadence(signal?: AbortSignal): Promise<WeightsCadence>;
    prepare(weights: U16Weights, signal?: AbortSignal): Promise<PreparedWeights>;
    submit(prepared: PreparedWeights, signal?: AbortSignal): Promise<string>;
  };
  readonly logger: Logger;
  /** Period between polls (default {@link VALIDATOR_POLL_INTERVAL_MS}). */
  readonly pollIntervalMs?: number;
  /**
   * Weights are set again when the last setting is this many blocks old, even if the backend's
   * block did not grow (default {@link VALIDATOR_RESUBMIT_BLOCKS}); never faster than the
   * chain's `WeightsSetRateLimit`.
   */
  readonly resubmitBlocks?: number;
  /** Sign but do not submit: each extrinsic is handed to `onPrepared` instead. */
  readonly dryRun?: boolean;
  /** Called with every extrinsic signed (dry run or not), e.g. to print it. */
  readonly onPrepared?: (prepared: PreparedWeights, weights: LatestWeights) => void;
}

function isFatal(error: unknown): boolean {
  return error instanceof CommitRevealEnabledError || error instanceof HotkeyNotRegisteredError || error instanceof SignedExtensionError;
}

/** The validator's poll loop; `start()`/`stop()` are idempotent. */
export class ValidatorLoop {
  readonly #options: ValidatorLoopOptions;
  readonly #abort = new AbortController();
  #lastBlock = -1;
  /** Chain block of this process's last weight setting (signing, in a dry run); -1 before any. */
  #lastSetAt = -1;
  #warnedCutoff = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PollOutcome> | undefined;
  #started = false;
  #settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  readonly #done: Promise<void>;

  constructor(options: ValidatorLoopOptions) {
    this.#options = options;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#done.catch(() => undefined);
  }

  /** Resolves when the loop is stopped, rejects with the fatal error that stopped it. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** Block number of the last weights submitted (or signed, in a dry run); -1 before any. */
  get lastBlock(): number {
    return this.#lastBlock;
  }

  /** Chain block of the last weights this process submitted (signed, in a dry run); -1 before any. */
  get lastSetAt(): number {
    return this.#lastSetAt;
  }

  #warnIfPastCutoff(cadence: WeightsCadence, every: number): void {
    if (this.#warnedCutoff || every < cadence.activityCutoff) return;
    this.#warnedCutoff = true;
    this.#options.logger.warn(
      { resubmitBlocks: every, rateLimit: cadence.rateLimit, activityCutoff: cadence.activityCutoff },
      'weights are set again only every ActivityCutoff blocks or more: the validator can lose its standing between two settings',
    );
  }

  /** One poll: fetch, decide (new block, or last setting too old), sign and submit. Fatal errors are thrown. */
  async poll(): Promise<PollOutcome> {
    const { fetchWeights, submitter, logger, dryRun = false, onPrepared, resubmitBlocks = VALIDATOR_RESUBMIT_BLOCKS } = this.#options;
    const signal = this.#abort.signal;
    try {
      const latest = await fetchWeights(signal);
      if (latest === null) {
        logger.info('backend has no weights yet');
        return 'no_weights';
      }
      const isNew = latest.block_number > this.#lastBlock;
      if (isNew && latest.weights_u16.uids.length === 0) {
        logger.warn({ block: latest.block_number }, 'backend weights are empty: nothing to set');
        this.#lastBlock = latest.block_number;
        return 'empty';
      }
      if (!isNew && latest.weights_u16.uids.length === 0) return 'unchanged';
      const cadence = await submitter.cadence(signal);
      this.#warnIfPastCutoff(cadence, Math.max(resubmitBlocks, cadence.rateLimit));
      const lastSet = Math.max(this.#lastSetAt, cadence.lastUpdate ?? -1);
      const age = lastSet < 0 ? Number.POSITIVE_INFINITY : cadence.block - lastSet;
      if (!isNew && age < resubmitBlocks) return 'unchanged';
      if (age < cadence.rateLimit) {
        logger.debug({ block: cadence.block, lastSet, rateLimit: cadence.rateLimit }, "weights wait for the chain's rate limit");
        return 'rate_limited';
      }
      const prepared = await submitter.prepare(latest.weights_u16, signal);
      onPrepared?.(prepared, latest);
      if (!dryRun) await submitter.submit(prepared, signal);
      this.#lastBlock = Math.max(this.#lastBlock, latest.block_number);
      this.#lastSetAt = prepared.block;
      if (!isNew)
        logger.info(
          { backendBlock: latest.block_number, block: prepared.block, lastSet },
          `weights set again: the last setting was ${resubmitBlocks}+ blocks old`,
        );
      return dryRun ? 'dry_run' : isNew ? 'submitted' : 'resubmitted';
    } catch (error) {
      if (isFatal(error) || signal.aborted) throw error;
      logger.warn({ err: errorMessage(error) }, 'setting weights failed: retrying at the next poll');
      return 'failed';
    }
  }

  /** Polls now and then every period until stopped or a fatal error. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const run = (): void => {
      this.#timer = undefined;
      this.#running = this.poll();
      this.#running.then(
        () => {
          if (!this.#abort.signal.aborted) this.#timer = setTimeout(run, this.#options.pollIntervalMs ?? VALIDATOR_POLL_INTERVAL_MS);
        },
        (error: unknown) => {
          if (this.#abort.signal.aborted) return;
          this.#options.logger.error({ err: errorMessage(error) }, 'validator stopped');
          this.#abort.abort(error);
          this.#settle?.reject(toError(error));
        },
      );
    };
    run();
  }

  /** Stops polling and aborts a poll in progress; idempotent. */
  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error('validator stopped'));
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    this.#settle?.resolve();
  }
}
