import * as v from 'valibot';
import type { TaskJobData } from '../../pool/task-job.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { linkedAbort } from '../../runtime/linked-abort.ts';
import { type EvaluationOutcome, EvaluationOutcomeSchema, type Evaluator, storableMessage } from './evaluator.ts';

/** Why an evaluation was abandoned by the worker rather than finished by the evaluator. */
export type AbandonReason = 'shutdown' | 'timeout' | 'lock_lost';

/** An evaluation's outcome, and whether the worker abandoned it (then the class says why). */
export interface EvaluationRun {
  readonly outcome: EvaluationOutcome;
  readonly abandoned?: AbandonReason;
}

/** Options of {@link runEvaluation}. */
export interface RunEvaluationOptions {
  /** Fires when the worker shuts down: the task goes back to pending (`worker_error`). */
  readonly shutdown: AbortSignal;
  /** Longest the evaluator may run before it is abandoned as an `env_error`. */
  readonly hardTimeoutMs: number;
  /**
   * Fires when the worker lost the task's lock (another worker took it over): the evaluation is
   * abandoned as a `worker_error`, so that the miner is not played a second episode of the task.
   */
  readonly lockLost?: AbortSignal;
}

const LOCK_LOST = "the worker lost the task's lock during the evaluation (another worker took it over): stopped";

function unscored(errorClass: EvaluationOutcome['errorClass'], message: string, startedAt: number): EvaluationOutcome {
  return {
    errorClass,
    success: false,
    score: 0,
    reward: null,
    timesteps: null,
    message: storableMessage(message),
    durationMs: Date.now() - startedAt,
  };
}

/**
 * Runs an evaluator and always comes back with exactly one classified outcome, never a throw:
 * a throw or an invalid answer is an `env_error`; a shutdown or a lost lock is a `worker_error`;
 * an evaluator still running after `hardTimeoutMs` is abandoned as an `env_error`. When the worker abandons
 * an evaluation it signals the evaluator and stops waiting for it at once, so a hung evaluator
 * cannot hold a shutdown or a task; whatever the evaluator answers after that is ignored (an
 * evaluator that turns an abort into a `failure` must not score a miner for our shutdown).
 */
export async function runEvaluation(evaluator: Evaluator, task: TaskJobData, options: RunEvaluationOptions): Promise<EvaluationRun> {
  const startedAt = Date.now();
  if (options.shutdown.aborted)
    return { outcome: unscored('worker_error', 'the worker is shutting down', startedAt), abandoned: 'shutdown' };
  if (options.lockLost?.aborted === true) return { outcome: unscored('worker_error', LOCK_LOST, startedAt), abandoned: 'lock_lost' };
  // The evaluator's signal: fires on shutdown (through the link), on a lost lock or on the hard timeout.
  const link = linkedAbort(options.shutdown);
  let abandoned: AbandonReason | undefined;
  const onLockLost = (): void => {
    abandoned ??= 'lock_lost';
    link.abort(options.lockLost?.reason);
  };
  options.lockLost?.addEventListener('abort', onLockLost, { once: true });
  let wake: (() => void) | undefined;
  const gaveUp = new Promise<'abandoned'>((resolve) => {
    wake = () => resolve('abandoned');
  });
  link.signal.addEventListener(
    'abort',
    () => {
      abandoned ??= 'shutdown';
      wake?.();
    },
    { once: true },
  );
  const timer = setTimeout(() => {
    abandoned ??= 'timeout';
    link.abort(new Error(`evaluation exceeded ${options.hardTimeoutMs} ms`));
  }, options.hardTimeoutMs);
  try {
    const answer = await Promise.race([
      Promise.resolve()
        .then(() => evaluator(task, link.signal))
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      gaveUp,
    ]);
    if (abandoned === 'shutdown')
      return { outcome: unscored('worker_error', 'the worker shut down during the evaluation', startedAt), abandoned };
    if (abandoned === 'lock_lost') return { outcome: unscored('worker_error', LOCK_LOST, startedAt), abandoned };
    if (abandoned === 'timeout')
      return { outcome: unscored('env_error', `evaluation did not finish within ${options.hardTimeoutMs} ms`, startedAt), abandoned };
    if (answer === 'abandoned') throw new Error('unreachable: abandoned without a reason');
    if ('error' in answer) {
      return { outcome: unscored('env_error', `evaluator threw: ${errorMessage(answer.error)}`, startedAt) };
    }
    const parsed = v.safeParse(EvaluationOutcomeSchema, answer.value);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue.path?.map((p) => String(p.key)).join('.') ?? 'outcome';
      return { outcome: unscored('env_error', `evaluator returned an invalid outcome (${where}: ${issue.message})`, startedAt) };
    }
    return { outcome: parsed.output };
  } finally {
    clearTimeout(timer);
    options.lockLost?.removeEventListener('abort', onLockLost);
    link.dispose();
  }
}
