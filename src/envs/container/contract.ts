/**
 * The environment container contract (docs/design.md, "Contracts with the outside"), compatible with affinetes images,
 * as valibot schemas and the types inferred from them. Both sides use this file: the host
 * (`ContainerManager`, the container evaluator) and the test image's server
 * (`containers/env-mujoco/`).
 *
 * - `GET /health` → `{"status": "ok"}`.
 * - `POST /call` `{"method": "evaluate", "args": [], "kwargs": {task_id, base_url, env_id,
 *   max_timesteps, action_timeout, use_images, timeout, episode_id}}` (durations in seconds, as affinetes
 *   passes them) → `{"status": "success", "result": {success, score, extra: {timesteps,
 *   total_reward}, error?}}`, or affinetes' `{"status": "failed", "result": {error}}`.
 * - Images also take the calls of affinetes' client and of the subnet's executor
 *   ({@link EvaluateCallKwargsSchema}: only `task_id` and `base_url` required).
 *
 * Unknown keys are accepted and dropped, so images may add fields without breaking us.
 * `extra.error_class` is this project's optional addition: an image that knows why an episode
 * failed says so in one word instead of prose (see `containerOutcome` in the worker).
 */
import * as v from 'valibot';
import { EpisodeIdSchema } from '../policy-contract.ts';

const finite = v.pipe(v.number('must be a number'), v.finite('must be finite'));
const positiveSeconds = v.pipe(finite, v.gtValue(0, 'must be more than 0 seconds'));
const count = (min: number) =>
  v.pipe(v.number('must be a number'), v.safeInteger('must be an integer'), v.minValue(min, `must be at least ${min}`));

/** The arguments of `evaluate`: one episode of `env_id`'s task `task_id` against the miner at `base_url`. */
export const EvaluateKwargsSchema = v.object({
  /** The task id: the episode seed for robotics envs. */
  task_id: count(0),
  /** The miner's policy endpoint. */
  base_url: v.pipe(v.string('must be a string'), v.url('must be a URL')),
  /** The env id the image expects: the sampling list's own id (e.g. `metaworld/reach-v3`). */
  env_id: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  /** Stop after this many steps at the latest (the env may stop earlier). */
  max_timesteps: count(1),
  /** Read timeout of each `/act`, in seconds. */
  action_timeout: positiveSeconds,
  /** Whether the miner gets camera images (envs without cameras ignore it). */
  use_images: v.boolean('must be true or false'),
  /** The whole evaluation must end within this many seconds: the env stops its own work then. */
  timeout: positiveSeconds,
  /**
   * The episode's id for the miner (`episode_id`, `X-Episode-Id`): the task uuid, as on the
   * in-process path. The subnet's Actors take `**kwargs` and ignore it.
   */
  episode_id: EpisodeIdSchema,
});
export type EvaluateKwargs = v.InferOutput<typeof EvaluateKwargsSchema>;

/**
 * The kwargs of `evaluate` as an image accepts them from any caller: evalpool sends every one,
 * affinetes' client and the subnet's executor only some (the executor sends no `timeout`, and
 * `seed` and `model`). Only `task_id` and `base_url` are required; the others get the subnet's
 * Actors' defaults; `env_id` defaults to the image's own (absent here).
 */
export const EvaluateCallKwargsSchema = v.object({
  task_id: count(0),
  base_url: EvaluateKwargsSchema.entries.base_url,
  env_id: v.optional(EvaluateKwargsSchema.entries.env_id),
  /** The episode seed; defaults to `task_id`. */
  seed: v.optional(v.nullable(count(0))),
  /** The miner's model name (the executor's `miner-<uid>`): for logs only. */
  model: v.optional(v.nullable(v.string('must be a string'))),
  max_timesteps: v.optional(count(1), 500),
  action_timeout: v.optional(positiveSeconds, 0.5),
  use_images: v.optional(v.boolean('must be true or false'), true),
  timeout: v.optional(positiveSeconds, 300),
  /** Absent (affinetes' client, the executor): the image names the episode itself. */
  episode_id: v.optional(EpisodeIdSchema),
});
export type EvaluateCallKwargs = v.InferOutput<typeof EvaluateCallKwargsSchema>;

/** The body of `POST /call`. */
export const CallRequestSchema = v.object({
  method: v.string('must be a string'),
  args: v.optional(v.array(v.unknown(), 'must be an array'), []),
  kwargs: v.optional(v.record(v.string(), v.unknown(), 'must be an object'), {}),
});
export type CallRequest = v.InferOutput<typeof CallRequestSchema>;

/** What the env knows about the failure of an episode, when it knows it (this project's addition). */
export const CONTAINER_ERROR_CLASSES = ['failure', 'miner_unavailable', 'env_error'] as const;
export type ContainerErrorClass = (typeof CONTAINER_ERROR_CLASSES)[number];

/** The result of `evaluate`. */
export const EvaluateResultSchema = v.object({
  success: v.boolean('must be true or false'),
  score: finite,
  extra: v.optional(
    v.object({
      timesteps: v.optional(v.nullable(count(0))),
      /** Set by the subnet's Actors when an episode ended early at a step: the step reached. */
      timesteps_completed: v.optional(v.nullable(count(0))),
      total_reward: v.optional(v.nullable(finite)),
      error_class: v.optional(v.picklist(CONTAINER_ERROR_CLASSES, `must be one of ${CONTAINER_ERROR_CLASSES.join(', ')}`)),
      /** This project's addition, with `error_class: miner_unavailable`: the miner had received the task (see exhausted-outcome.ts). */
      miner_had_task: v.optional(v.boolean('must be true or false')),
    }),
    {},
  ),
  error: v.optional(v.nullable(v.string('must be a string'))),
});
export type EvaluateResult = v.InferOutput<typeof EvaluateResultSchema>;

/** The answer of `POST /call` for `evaluate`. */
export const CallResponseSchema = v.object({
  status: v.literal('success', 'must be "success"'),
  result: EvaluateResultSchema,
});
export type CallResponse = v.InferOutput<typeof CallResponseSchema>;

/**
 * affinetes' answer when the call did not complete (its own timeout, an invalid `timeout`):
 * `{"status": "failed", "result": {"error": "..."}}`, or a top-level `error`.
 */
export const CallFailedSchema = v.object({
  status: v.literal('failed'),
  result: v.optional(v.nullable(v.object({ error: v.optional(v.nullable(v.unknown())) }))),
  error: v.optional(v.nullable(v.unknown())),
});

/** The answer of `GET /health` of a container ready for work. */
export const HealthResponseSchema = v.object({ status: v.literal('ok', 'must be "ok"') });

/** The body of a `POST /call` for one episode. */
export function evaluateCall(kwargs: EvaluateKwargs): { method: 'evaluate'; args: []; kwargs: EvaluateKwargs } {
  return { method: 'evaluate', args: [], kwargs };
}
