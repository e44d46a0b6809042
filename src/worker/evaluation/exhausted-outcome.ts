import type { EvaluationOutcome } from './evaluator.ts';
import { storableMessage } from './evaluator.ts';

/**
 * What a retryable attempt becomes when it was the task's last one (docs/design.md, "Once the miner has
 * the task, the episode is measured"): a `miner_unavailable` attempt, or an unattributed env fault
 * (container-outcome.ts, rule 3: one the miner can provoke), of a task the miner had received, in
 * this attempt or an earlier one (`minerHadTask`), is a scored failure with score 0; anything else
 * is left as it is (undefined: the task is paused, never scored, or settled by evidence). Checking
 * earlier attempts too means that a miner cannot receive a task, decline it, and then refuse
 * connections, or make the Actor raise, until the task's attempts are spent.
 */
export function exhaustedOutcome(outcome: EvaluationOutcome, attempts: number, minerHadTask: boolean): EvaluationOutcome | undefined {
  const nonAnswer = outcome.errorClass === 'miner_unavailable' || outcome.unattributedFault === true;
  if (!nonAnswer || !minerHadTask) return undefined;
  return scoredFailure(outcome, `the miner received this task and gave no answer in ${attempts} attempt(s)`);
}

/**
 * What the last attempt of a task with an unattributed env fault becomes when other miners
 * recently played the same task out (container-outcome.ts, rule 3): the env works for this task,
 * so the fault followed this miner's answers, and the task is a scored failure with score 0.
 * The caller decides that the evidence exists (`playedByAnotherMiner`).
 */
export function attributedOutcome(outcome: EvaluationOutcome, attempts: number): EvaluationOutcome {
  return scoredFailure(
    outcome,
    `the env failed in this miner's episodes of this task (${attempts} attempt(s)) while other miners played it out`,
  );
}

/** The attempt as a scored failure (score 0) saying why; the circuit and the fault flag are spent. */
function scoredFailure(outcome: EvaluationOutcome, why: string): EvaluationOutcome {
  const { circuitOpenUntilMs: _published, unattributedFault: _settled, ...rest } = outcome;
  return {
    ...rest,
    errorClass: 'failure',
    success: false,
    score: 0,
    minerHadTask: true,
    message: storableMessage(`scored as a failure: ${why}; last: ${outcome.message ?? 'no detail'}`),
  };
}
