import * as v from 'valibot';
import { MAX_OUTCOME_MESSAGE_CHARS } from '../../config/constants.ts';
import type { TaskJobData } from '../../pool/task-job.ts';
import { ERROR_CLASSES, type ErrorClass } from '../episode/error-class.ts';

/**
 * What one evaluation of a task produced. Exactly one class (docs/design.md, "Error classes"):
 * `success`/`failure` are scored and become a result row; the other classes never do.
 */
export interface EvaluationOutcome {
  readonly errorClass: ErrorClass;
  /** Whether the task was solved; true exactly when `errorClass` is `success`. */
  readonly success: boolean;
  /** The env's score of the episode, in [0, 1] (1/0 for plain success); 0 when not scored. */
  readonly score: number;
  /** Total reward of the episode, when the env has one. */
  readonly reward: number | null;
  /** Steps taken, when the episode ran. */
  readonly timesteps: number | null;
  /** Why the attempt ended as it did (error text for non-success classes). */
  readonly message?: string;
  /** Mean latency of the miner's actions over the episode. */
  readonly latencyMs?: number;
  /** Wall time of the whole evaluation. */
  readonly durationMs: number;
  /**
   * Set with `miner_unavailable` when the miner's circuit breaker is open (or just opened): until
   * when (ms since epoch). The worker publishes it so that the scheduler skips the miner.
   */
  readonly circuitOpenUntilMs?: number;
  /**
   * The miner had the task (its `/reset`, or the container's first call to it, was delivered). With
   * `miner_unavailable` this makes the attempt a measured non-answer: retried like a blip, and a
   * scored `failure` once the task's attempts run out (see `exhaustedOutcome`). Any evaluator,
   * the container family's included, sets it when it knows.
   */
  readonly minerHadTask?: boolean;
  /**
   * Set with `env_error` when the env raised and nothing says whether before the miner was called
   * or because of its answers (container-outcome.ts, rule 3). At the task's last attempt the
   * worker settles it by evidence across miners (see `attributedOutcome`).
   */
  readonly unattributedFault?: boolean;
}

/**
 * Runs one task. Must honour `signal` (shutdown, hard timeout) by returning soon after it fires;
 * the worker stops waiting for it anyway. May throw: a throw is recorded as an `env_error`.
 */
export type Evaluator = (task: TaskJobData, signal: AbortSignal) => Promise<EvaluationOutcome>;

const finite = v.pipe(v.number(), v.finite());

/**
 * A message as it is stored: NUL characters replaced (Postgres text refuses them, and a miner
 * could put one in an action key to make its failed episode unstorable, hence unscored) and cut
 * to {@link MAX_OUTCOME_MESSAGE_CHARS}.
 */
export function storableMessage(message: string): string {
  const clean = message.replaceAll('\u0000', '\uFFFD');
  return clean.length <= MAX_OUTCOME_MESSAGE_CHARS ? clean : `${clean.slice(0, MAX_OUTCOME_MESSAGE_CHARS - 1)}…`;
}

/**
 * Scores are in [0, 1]: scoring reads `Σ score / n` as a success rate, and one score outside would
 * make every weights pass refuse its input until the task id rotates out.
 */
const unitScore = v.pipe(v.number(), v.finite(), v.minValue(0, 'must be in [0, 1]'), v.maxValue(1, 'must be in [0, 1]'));

/** An evaluator's answer, checked before it is trusted (a buggy evaluator must not store junk). */
export const EvaluationOutcomeSchema = v.pipe(
  v.object({
    errorClass: v.picklist(ERROR_CLASSES),
    success: v.boolean(),
    score: unitScore,
    reward: v.nullable(finite),
    timesteps: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
    message: v.optional(v.pipe(v.string(), v.transform(storableMessage))),
    latencyMs: v.optional(v.pipe(finite, v.minValue(0))),
    durationMs: v.pipe(finite, v.minValue(0)),
    circuitOpenUntilMs: v.optional(finite),
    minerHadTask: v.optional(v.boolean()),
    unattributedFault: v.optional(v.boolean()),
  }),
  v.check((o) => o.success === (o.errorClass === 'success'), 'success must be true exactly when errorClass is "success"'),
);
