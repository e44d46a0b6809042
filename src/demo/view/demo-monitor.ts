import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { DistinctMessages } from '../../runtime/distinct-messages.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Stoppable } from '../../runtime/lifecycle.ts';
import type { Logger } from '../../runtime/logger.ts';
import { type DemoProgress, readDemoProgress } from '../demo-progress.ts';
import { formatElapsed, weightsLine, weightsReport } from './demo-format.ts';
import type { DemoView } from './demo-view.ts';

/** What the monitor reads and where it shows it. */
export interface DemoMonitorOptions {
  readonly db: Kysely<Database>;
  readonly view: DemoView;
  readonly logger: Logger;
  /** Weights count only when confirmed by a scoring pass at or after this time. */
  readonly since: Date;
  /** Seconds since the process started, for the time stamps shown. */
  readonly elapsedSeconds: () => number;
  /** Demo hotkeys → policy, to name the leading policy. */
  readonly policies: ReadonlyMap<string, string>;
  /** The dashboard's URL, repeated under the weights. */
  readonly dashboardUrl: string;
  /** Poll period until the first weights (default 1 s). */
  readonly pollMs?: number;
  /** Poll period afterwards, watching for newer weights (default 5 s). */
  readonly watchMs?: number;
}

/**
 * Whether the weights rank every miner that has results: weights are published as soon as one
 * miner is eligible, and a fast miner (random's episodes of one env end early) can get there first;
 * a table with the others still at 0 would say nothing about the policies. Miners without any
 * result (an entry of the file that is not running) do not hold the table back.
 */
export function everyStartedMinerEligible(progress: DemoProgress): boolean {
  const eligible = new Set(progress.weights?.eligibleUids ?? []);
  return progress.miners.every((m) => eligible.has(m.uid) || m.envs.every((e) => e.done === 0));
}

/**
 * Polls Postgres for the demo's progress and shows it: coverage until the first weights that
 * rank every miner with results, then the weights table once, then one line per newer weights
 * row. A failed read is logged (once per distinct message) and retried at the next poll.
 */
export class DemoMonitor implements Stoppable {
  readonly name = 'demo-monitor';
  readonly #options: DemoMonitorOptions;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  #shownWeightsId: number | undefined;
  readonly #readErrors = new DistinctMessages();

  constructor(options: DemoMonitorOptions) {
    this.#options = options;
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.#timer !== undefined || this.#polling !== undefined || this.#stopped) return;
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        this.#schedule(this.#shownWeightsId === undefined ? (this.#options.pollMs ?? 1_000) : (this.#options.watchMs ?? 5_000));
      });
    }, ms);
  }

  async #poll(): Promise<void> {
    const { db, view, since, elapsedSeconds, policies, dashboardUrl, logger } = this.#options;
    try {
      const progress = await readDemoProgress(db, since);
      this.#readErrors.reset();
      if (this.#stopped) return;
      const weights = progress.weights;
      if (weights === null || (this.#shownWeightsId === undefined && !everyStartedMinerEligible(progress))) {
        view.progress(progress, elapsedSeconds());
        return;
      }
      if (this.#shownWeightsId === undefined) {
        view.progress(progress, elapsedSeconds());
        view.finishProgress();
        const earlier = weights.createdAt.getTime() < since.getTime() ? ' (published by an earlier run and still current)' : '';
        view.print(
          `\nweights at block ${weights.blockNumber}${earlier}, ${formatElapsed(elapsedSeconds())} after start:\n${weightsReport(progress, weights, policies)}`,
        );
        view.print(
          `\nThe system keeps evaluating (lists rotate, weights are recomputed). Dashboard: ${dashboardUrl}  ·  Ctrl-C stops everything.`,
        );
      } else if (weights.id !== this.#shownWeightsId) {
        view.print(weightsLine(progress, weights, elapsedSeconds()));
      }
      this.#shownWeightsId = weights.id;
    } catch (error) {
      const message = errorMessage(error);
      if (this.#readErrors.changed(message)) logger.warn({ err: message }, 'demo: cannot read the progress from Postgres; retrying');
    }
  }

  /** Stops polling and the live display; waits for a poll in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#polling;
    this.#options.view.finishProgress();
  }
}
