import * as v from 'valibot';
import type { NewAttempt, NewResult } from '../../db/schema.ts';
import type { TaskJobData } from '../../pool/task-job.ts';
import { isScored } from '../episode/error-class.ts';
import { type EvaluationOutcome, EvaluationOutcomeSchema } from '../evaluation/evaluator.ts';

/**
 * A finished attempt as the worker stores it: the outcome plus who ran it, which attempt it was
 * and when it ended. Plain JSON, so that it can be parked in the job while Postgres is away and
 * written later exactly as it was computed.
 */
export interface FinishedAttempt {
  readonly attempt: number;
  readonly workerId: string;
  /** When the evaluation ended (ms since epoch); becomes the rows' `created_at`. */
  readonly finishedAt: number;
  readonly outcome: EvaluationOutcome;
}

export const FinishedAttemptSchema = v.object({
  attempt: v.pipe(v.number(), v.integer(), v.minValue(1)),
  workerId: v.pipe(v.string(), v.minLength(1)),
  finishedAt: v.pipe(v.number(), v.integer()),
  outcome: EvaluationOutcomeSchema,
});

/** The rows of one finished attempt: always an attempt row, a result row for scored classes. */
export interface TaskRecord {
  readonly attempt: NewAttempt;
  readonly result?: NewResult;
}

/**
 * The attempt's message: the outcome's own, or for a played episode that simply did not succeed
 * (no error text) what it scored, so that "why is my score low" reads from the attempts alone.
 */
function attemptMessage(outcome: EvaluationOutcome): string | null {
  if (outcome.message !== undefined && outcome.message !== null) return outcome.message;
  if (outcome.errorClass !== 'failure') return null;
  const parts = [`score ${outcome.score.toFixed(3)}`];
  if (outcome.reward !== null) parts.push(`reward ${outcome.reward.toFixed(3)}`);
  if (outcome.timesteps !== null) parts.push(`${outcome.timesteps} timesteps`);
  return `episode played, task not solved: ${parts.join(', ')}`;
}

/** Builds the rows of a finished attempt of `task`. */
export function taskRecord(task: TaskJobData, finished: FinishedAttempt): TaskRecord {
  const { outcome } = finished;
  const createdAt = new Date(finished.finishedAt);
  const durationMs = Math.round(outcome.durationMs);
  const message = outcome.message ?? null;
  const attempt: NewAttempt = {
    task_uuid: task.task_uuid,
    attempt: finished.attempt,
    env_id: task.env,
    task_id: task.task_id,
    uid: task.uid,
    hotkey: task.hotkey,
    revision: task.revision,
    error_class: outcome.errorClass,
    error_message: attemptMessage(outcome),
    duration_ms: durationMs,
    worker_id: finished.workerId,
    // Read back when the task is created again (getMeasuredHistories): the measured rule must
    // not depend on the job surviving in Redis. A scored episode was played, so delivered too.
    miner_had_task: outcome.minerHadTask === true || isScored(outcome.errorClass),
    created_at: createdAt,
  };
  if (!isScored(outcome.errorClass)) return { attempt };
  const result: NewResult = {
    task_uuid: task.task_uuid,
    env_id: task.env,
    task_id: task.task_id,
    uid: task.uid,
    hotkey: task.hotkey,
    revision: task.revision,
    success: outcome.success,
    score: outcome.score,
    reward: outcome.reward,
    timesteps: outcome.timesteps,
    error_class: outcome.errorClass,
    error_message: message,
    latency_ms: outcome.latencyMs ?? null,
    duration_ms: durationMs,
    worker_id: finished.workerId,
    created_at: createdAt,
  };
  return { attempt, result };
}
