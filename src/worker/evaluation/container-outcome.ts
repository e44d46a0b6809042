/**
 * Turns an env container's `evaluate` result into the worker's outcome, by what happened to the
 * episode ({@link episodeStage}), then the class of that stage ({@link containerOutcome}).
 *
 * The subnet's Actors (affinetes images: kinitro's `metaworld`, `genesis`, `_template`) answer
 * every failure as `{success: false, score: 0, error, extra}` and say where it happened only in
 * prose and in which `extra` keys they set:
 * - a refused configuration: `Invalid env_id ...`, no `timesteps`;
 * - the miner's `/reset` failed: `Miner reset failed: <ExceptionType>: ...`, no `timesteps`;
 * - a step failed: `Miner action failed at step t: ...`, `Miner action timeout at step t`,
 *   `Miner returned no action at step t`, `Evaluation timeout after Ns`, with
 *   `extra.timesteps_completed`;
 * - an exception of the Actor: `<ExceptionType>: message\n<traceback>`, no `timesteps`. In
 *   `metaworld` it is the task's generation (before `/reset`), the simulator's reset, or the
 *   simulator's step on the miner's action (outside the `/act` try: an action of the wrong
 *   shape raises a numpy error, a NaN or inf one can make MuJoCo raise); in `_template`, which
 *   wraps everything in one try, also any miner call;
 * - a played episode: `extra.timesteps`, `extra.total_reward`, no `error`.
 * Our own images also set `extra.error_class` (this project's addition), which is trusted.
 *
 * Who caused a failure, and the rule (docs/design.md, "Unattributed env-container faults"; docs/containers.md):
 * 1. The answer places it after the miner had the task (a step reached, `Miner action ...`, a
 *    delivered `/reset` that failed, an exception type of a miner call: httpx, pydantic, json):
 *    the measured rule, retried, then a scored failure (`miner_had_task`).
 * 2. It places it before the miner was called (`Invalid env_id`; affinetes' `Failed to initialize
 *    Actor`; any failure of the container itself, see `containerEvaluator`): `env_error`, retried,
 *    paused, never scored (`env_fault`).
 * 3. Neither: a bare Actor exception that no miner call raises, or affinetes' HTTP 500 (the
 *    Actor's method raised, or its result did not serialize: a NaN reward). Both the env and a
 *    miner can cause these, the miner on purpose, so they cannot be classed by their text:
 *    `unattributed`, an `env_error` that the worker settles at the task's last attempt
 *    (exhausted-outcome.ts): if the miner had the task in this or an earlier attempt, a measured
 *    non-answer (scored failure). Else by evidence across miners: if at least two other hotkeys
 *    played the same env and task id out recently (`playedByAnotherMiner`), the env works for
 *    that task and the fault followed this miner's answers: a scored failure. Otherwise it stays
 *    an env fault (paused, never scored; the paused task is created again after its TTL, and
 *    decided again).
 *    Tracebacks are not parsed: file names and source lines are an image's, not a contract, and
 *    a miner can put newlines into a message (pydantic prints an action's raw keys).
 * A miner's best response: answer every task properly. Provoking an exception makes the task a
 * scored failure as soon as two other miners have played it out (at once if the miner had
 * declined it before), and until then only delays it; being
 * unreachable on the last attempt after an unattributed fault counts the same (`unattributed_fault`
 * in the job), and costs slots besides. What is left unscored: a task on which every miner's
 * episodes raise, which is an env fault, or no other miner's evidence yet.
 */
import type { EvaluateResult } from '../../envs/container/contract.ts';
import type { ErrorClass } from '../episode/error-class.ts';
import { nonAnswerClass } from '../episode/non-answer.ts';
import type { EvaluationOutcome } from './evaluator.ts';

/**
 * What happened to the episode, as far as the result tells:
 * - `played`: the episode ran (steps were taken or the miner's actions were asked for); scored
 *   at once, a miner that stopped answering mid-way included (non-answer.ts);
 * - `miner_never_reached`: the miner never received the task (its `/reset` could not connect);
 * - `miner_had_task`: the miner received `/reset` and did not answer it properly (or an Actor's
 *   prose does not say which call failed): retried, then scored (non-answer.ts);
 * - `env_fault`: the env refused its configuration before the miner was called;
 * - `unattributed`: the Actor raised and nothing says whether before or after the miner's answer
 *   (settled by evidence across miners at the last attempt, see the header).
 */
export type EpisodeStage = 'played' | 'miner_never_reached' | 'miner_had_task' | 'env_fault' | 'unattributed';

/** Connection failures as Node, Python (requests, httpx, aiohttp) and curl word them. */
const UNREACHABLE =
  /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b|connection refused|cannot connect|could not connect|couldn't connect|failed to connect|failed to establish a new connection|name or service not known|connecterror|connecttimeout|connect timeout|all connection attempts failed|clientconnectorerror/i;

/**
 * Exceptions of a miner call that was delivered (a connection was made) and not answered
 * properly: read/write timeouts and errors, HTTP errors, bad JSON, an invalid action.
 */
const MINER_ANSWER_EXCEPTION =
  /^(?:httpx\.)?(ReadTimeout|WriteTimeout|PoolTimeout|TimeoutException|ReadError|WriteError|RemoteProtocolError|HTTPStatusError|JSONDecodeError|ValidationError|ServerDisconnectedError|ClientResponseError)\b/;

/** Whether a prose error says the miner could not be reached. */
export function namesUnreachableMiner(error: string): boolean {
  // Quoted text and URLs are the miner's words (a reason phrase "503 Connection refused", an
  // endpoint path /ECONNREFUSED): only the client's own prose may say the miner was not reached.
  return UNREACHABLE.test(error.replace(/'[^']*'|"[^"]*"|\bhttps?:\/\/\S+/g, ' '));
}

/** Where the episode of `result` ended (see {@link EpisodeStage}). */
export function episodeStage(result: EvaluateResult): EpisodeStage {
  if (result.success) return 'played';
  const error = result.error ?? '';
  const timesteps = result.extra.timesteps ?? undefined;
  const stepReached = (result.extra.timesteps_completed ?? undefined) !== undefined || (timesteps !== undefined && timesteps > 0);
  if (error === '') return 'played';
  if (/^Invalid env_id\b/i.test(error)) return 'env_fault';
  if (stepReached) return 'played';
  if (/^Miner (action|returned no action)\b|^Evaluation timeout after\b/.test(error)) return 'played';
  // The miner writes part of these texts (an HTTP reason phrase, its URL): an answer's exception
  // type is read first, and quoted text and URLs never say "unreachable" (namesUnreachableMiner).
  const reset = /^Miner reset failed: ([\s\S]*)$/.exec(error);
  if (reset) return !MINER_ANSWER_EXCEPTION.test(reset[1]!) && namesUnreachableMiner(reset[1]!) ? 'miner_never_reached' : 'miner_had_task';
  // Prose without a stage: the `_template` Actor's form (`<ExceptionType>: ...`), or an image of
  // this project's first contract (`timesteps: 0` and a connection failure).
  if (MINER_ANSWER_EXCEPTION.test(error)) return 'miner_had_task';
  if (namesUnreachableMiner(error)) return 'miner_never_reached';
  // An image that counted its steps (0) and failed without saying why: the episode started.
  if (timesteps === 0) return 'played';
  return 'unattributed';
}

/**
 * The class of an unsolved episode's stage, by the one rule of miners' non-answers
 * (non-answer.ts): a played episode is scored now (lost, or its miner stopped answering mid-way);
 * a task the miner had but did not start is measured (retried, then scored); one that never
 * reached it is retried.
 */
export function stageClass(stage: EpisodeStage): { readonly errorClass: ErrorClass; readonly minerHadTask: boolean } {
  switch (stage) {
    case 'miner_never_reached':
      return nonAnswerClass('not_delivered');
    case 'miner_had_task':
      // The Actors' prose does not always say whether it was `/reset` or an `/act` (the
      // `_template` form): then the milder rule of the two, measured after the attempts.
      return nonAnswerClass('task_received');
    case 'played':
      return nonAnswerClass('under_way');
    case 'env_fault':
    case 'unattributed':
      return { errorClass: 'env_error', minerHadTask: false };
  }
}

/** The outcome of a container's result. */
export function containerOutcome(result: EvaluateResult, durationMs: number): EvaluationOutcome {
  const timesteps = result.extra.timesteps ?? result.extra.timesteps_completed ?? null;
  const reward = result.extra.total_reward ?? null;
  const message = result.error ?? undefined;
  const base = { reward, timesteps, durationMs, ...(message === undefined ? {} : { message }) };
  const declared = result.extra.error_class;
  if (result.success) {
    if (declared !== undefined) {
      return {
        ...base,
        errorClass: 'env_error',
        success: false,
        score: 0,
        message: `the env answered success with error_class "${declared}"${message ? `: ${message}` : ''}`,
      };
    }
    return { ...base, errorClass: 'success', success: true, score: result.score };
  }
  if (declared === 'miner_unavailable') {
    // Our own images say whether the miner had the task; steps taken say the episode was under
    // way, whatever an image built before that rule declares.
    const stage =
      timesteps !== null && timesteps > 0 ? 'under_way' : result.extra.miner_had_task === true ? 'task_received' : 'not_delivered';
    const rule = nonAnswerClass(stage);
    return { ...base, errorClass: rule.errorClass, success: false, score: 0, ...(rule.minerHadTask ? { minerHadTask: true } : {}) };
  }
  if (declared !== undefined) return { ...base, errorClass: declared, success: false, score: 0 };
  const stage = episodeStage(result);
  const rule = stageClass(stage);
  const flag =
    rule.errorClass === 'miner_unavailable' && rule.minerHadTask
      ? { minerHadTask: true }
      : stage === 'unattributed'
        ? { unattributedFault: true }
        : {};
  return { ...base, errorClass: rule.errorClass, success: false, score: 0, ...flag };
}

/**
 * Whether a non-2xx answer of the container's `POST /call` is affinetes' answer to an Actor
 * method that raised, or to a result that did not serialize (FastAPI's bare 500): `unattributed`
 * like a bare Actor exception. `Failed to initialize Actor: ...` (no traceback: the server's own
 * words, before any method ran) is before the miner; so is every other status.
 */
export function unattributedHttpFailure(status: number, detail: string): boolean {
  if (status !== 500) return false;
  if (/\nTraceback \(most recent call last\):/.test(detail)) return true;
  return !/^\s*Failed to initialize Actor\b/.test(detail);
}
