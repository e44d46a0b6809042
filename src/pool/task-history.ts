import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getMeasuredHistories } from '../db/tables/attempts.ts';
import { type ResultIdentity, resultIdentityKey } from '../db/tables/results.ts';

/**
 * A task created again continues its measured history (docs/design.md, "Once the miner has the task,
 * the episode is measured"). The rule must not live only in the job: a job leaves Redis when it is
 * trimmed over a lowered cap (which the miner controls through its declared concurrency), removed
 * and re-created, or lost with a Redis flush, and a fresh job would give a miner that declined a
 * task it had seen a clean slate, again and again. So the top-up asks the attempts table, for all
 * its candidates in one query, whether the miner already had the task:
 *
 * - never had it (no retried attempt delivered its `/reset`): nothing was measured, the job
 *   starts fresh;
 * - had it: the job carries `miner_had_task`, and its attempts are the pool's minus the
 *   non-answers (`miner_unavailable`) since the first delivery, at least one. Its last attempt
 *   then decides as the old job's would have: a non-answer is a scored failure (exhaustedOutcome).
 *   env_error and worker_error attempts are never the miner's and are not taken off; attempts
 *   before the first delivery (the task never reached the miner) are not taken off either.
 */

/** The job of a task the miner already had: its attempts and the fields its data carries. */
export interface Continuation {
  readonly attempts: number;
  readonly data: { readonly miner_had_task: true; readonly earlier_attempts: number };
}

/** How a job continues after `nonAnswers` measured non-answers, when the pool allows `maxAttempts`. */
export function continueMeasured(nonAnswers: number, maxAttempts: number): Continuation {
  return { attempts: Math.max(1, maxAttempts - nonAnswers), data: { miner_had_task: true, earlier_attempts: nonAnswers } };
}

/**
 * The continuation of each candidate the miner already had, by `resultIdentityKey`; candidates
 * it never had are absent. One query whatever the number of candidates (none for none).
 */
export async function continuationsOf(
  db: Kysely<Database>,
  candidates: readonly ResultIdentity[],
  maxAttempts: number,
): Promise<Map<string, Continuation>> {
  const histories = await getMeasuredHistories(db, candidates);
  return new Map(histories.map((h) => [resultIdentityKey(h), continueMeasured(h.non_answers, maxAttempts)]));
}
