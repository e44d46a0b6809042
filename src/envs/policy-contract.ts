/**
 * The policy contract (docs/design.md, "Contracts with the outside"): what an environment shows a policy and what a
 * policy answers, as valibot schemas and the types inferred from them. Both sides of an episode
 * speak it: the envs produce observations and validate actions, the miner client carries them
 * (its HTTP requests are in miners/endpoint-contract.ts). The shapes follow the subnet's existing
 * miners. Unknown keys are accepted and dropped, so miners may add fields without breaking us.
 */
import * as v from 'valibot';

/** One encoded camera image: raw bytes in base64 with numpy-style shape and dtype. */
export const ImageSchema = v.object({
  data: v.string(),
  shape: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
  dtype: v.string(),
});
export type Image = v.InferOutput<typeof ImageSchema>;

const FiniteNumber = v.pipe(v.number(), v.finite());

/** What a policy sees at each step. Images may be empty; `proprio` holds named vectors. */
export const ObservationSchema = v.object({
  rgb: v.record(v.string(), ImageSchema),
  depth: v.record(v.string(), ImageSchema),
  proprio: v.record(v.string(), v.array(FiniteNumber)),
  cam_intrinsics: v.record(v.string(), v.unknown()),
  cam_extrinsics: v.record(v.string(), v.unknown()),
  extra: v.record(v.string(), v.unknown()),
});
export type Observation = v.InferOutput<typeof ObservationSchema>;

/** The task a miner is told about at `/reset`; the seed is the task id for robotics envs. */
export const TaskConfigSchema = v.object({
  env_id: v.pipe(v.string(), v.minLength(1)),
  env_name: v.string(),
  task_name: v.string(),
  seed: v.pipe(v.number(), v.safeInteger()),
  task_id: v.pipe(v.number(), v.safeInteger()),
});
export type TaskConfig = v.InferOutput<typeof TaskConfigSchema>;

/** An episode id: evalpool sends the task uuid; miners must not rely on more than a short token. */
export const EpisodeIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 letters, digits, . _ -'));

/**
 * A policy's action. Non-finite numbers cannot travel in JSON, so the schema only asks for
 * numbers here; finiteness, lengths and bounds are the environment's business (its action spec).
 */
export const ActionSchema = v.object({
  continuous: v.optional(v.record(v.string(), v.array(v.number())), {}),
  discrete: v.optional(v.record(v.string(), v.pipe(v.number(), v.integer())), {}),
  extra: v.optional(v.record(v.string(), v.unknown()), {}),
});
export type Action = v.InferOutput<typeof ActionSchema>;

/** An observation with no images and no camera data: what the built-in envs produce. */
export function proprioObservation(proprio: Record<string, number[]>): Observation {
  return { rgb: {}, depth: {}, proprio, cam_intrinsics: {}, cam_extrinsics: {}, extra: {} };
}
