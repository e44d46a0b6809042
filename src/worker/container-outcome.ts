/**
 * Turns an env container's `evaluate` result into the worker's outcome. The rule, in order:
 *
 * 1. `extra.error_class` (this project's addition to the contract; our images set it) is
 *    trusted when the episode was not solved: `failure`, `miner_unavailable` or `env_error`.
 *    With `success: true` it contradicts the answer: `env_error`.
 * 2. `success: true` → `success`, with the env's `score`.
 * 3. Prose only (affinetes images): `miner_unavailable` when the episode never took a step
 *    (`extra.timesteps` is 0) and `error` names a connection failure (ECONNREFUSED, ENOTFOUND,
 *    "connection refused", "cannot connect", a connect timeout...). A miner that could not be
 *    reached before its first action never started the episode, which is what a failed `/reset`
 *    is for the built-in family. Anything else, with or without `error` → `failure` (score 0):
 *    the episode ran and was not solved, or the image does not say why.
 *
 * Failures of the container itself (crash, 5xx, unparseable answer, overrun) never reach here:
 * they are `env_error` (see `containerEvaluator`).
 */
import type { EvaluateResult } from '../envs/container/contract.ts';
import type { EvaluationOutcome } from './evaluator.ts';

/** Connection failures as Node, Python (requests, httpx, aiohttp) and curl word them. */
const UNREACHABLE =
  /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b|connection refused|cannot connect|could not connect|couldn't connect|failed to connect|failed to establish a new connection|name or service not known|connecterror|connecttimeout|connect timeout/i;

/** Whether a prose error says the miner could not be reached (rule 3 above). */
export function namesUnreachableMiner(error: string): boolean {
  return UNREACHABLE.test(error);
}

/** The outcome of a container's result (see the rule at the top of this file). */
export function containerOutcome(result: EvaluateResult, durationMs: number): EvaluationOutcome {
  const timesteps = result.extra.timesteps ?? null;
  const reward = result.extra.total_reward ?? null;
  const message = result.error ?? undefined;
  const base = { reward, timesteps, durationMs, ...(message === undefined ? {} : { message }) };
  const declared = result.extra.error_class;
  if (result.success) {
    if (declared !== undefined) {
      return { ...base, errorClass: 'env_error', success: false, score: 0, message: `the env answered success with error_class "${declared}"${message ? `: ${message}` : ''}` };
    }
    return { ...base, errorClass: 'success', success: true, score: result.score };
  }
  if (declared !== undefined) return { ...base, errorClass: declared, success: false, score: 0 };
  if (timesteps === 0 && message !== undefined && namesUnreachableMiner(message)) return { ...base, errorClass: 'miner_unavailable', success: false, score: 0 };
  return { ...base, errorClass: 'failure', success: false, score: 0 };
}
