import * as v from 'valibot';
import { type FinishedAttempt, FinishedAttemptSchema } from './task-record.ts';

/**
 * What the worker keeps in a task's job data between deliveries, next to the scheduler's
 * `TaskJobData` fields (which `parseTaskJobData` reads; `miner_had_task` is one of them, since
 * the scheduler sets it too when it creates a task the miner already had):
 * - `pending_result`: a scored outcome whose write failed, to be written (not re-run) next time;
 * - `result_write_failures`: how many writes of it failed (drives the backoff);
 * - `worker_errors`: consecutive `worker_error` releases outside a shutdown;
 * - `unattributed_fault`: an earlier attempt ended in an unattributed env fault
 *   (container-outcome.ts, rule 3): a last attempt the miner does not answer is settled by
 *   evidence like the fault itself (see `attributedOutcome`);
 * - `pending_decision`: a last attempt's outcome whose evidence lookup failed (Postgres away), to
 *   be decided (not re-run) next time; `evidence_lookup_failures` drives its backoff.
 */
export interface WorkerJobState {
  readonly pending_result?: FinishedAttempt;
  readonly result_write_failures?: number;
  readonly worker_errors?: number;
  readonly unattributed_fault?: boolean;
  readonly pending_decision?: FinishedAttempt;
  readonly evidence_lookup_failures?: number;
}

const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)));

const WorkerJobStateSchema = v.object({
  pending_result: v.optional(FinishedAttemptSchema),
  result_write_failures: count,
  worker_errors: count,
  unattributed_fault: v.optional(v.boolean()),
  pending_decision: v.optional(FinishedAttemptSchema),
  evidence_lookup_failures: count,
});

/** Reads the worker's fields of a job's data; throws a valibot error naming a bad field. */
export function parseWorkerJobState(data: unknown): WorkerJobState {
  return v.parse(WorkerJobStateSchema, data);
}
