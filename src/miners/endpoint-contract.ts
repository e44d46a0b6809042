/**
 * The miner policy endpoint's requests and answers (docs/design.md, "Contracts with the outside"), built from the policy
 * contract of envs/policy-contract.ts:
 *
 * - `POST /reset` `{task_config: {env_id, env_name, task_name, seed, task_id}, episode_id}` → any 2xx.
 * - `POST /act` `{obs: {rgb, depth, proprio, cam_intrinsics, cam_extrinsics, extra}, episode_id}`
 *   → `{action: {continuous: {key: [float]}, discrete: {key: int}, extra: {}}}`.
 * - `GET /health` may answer `{max_concurrent_episodes: N}` (see declared-concurrency.ts).
 *
 * Both POSTs also carry the episode id in the {@link EPISODE_ID_HEADER} header. It is a top-level
 * field, never a key of `obs`: the subnet's template ignores unknown top-level fields but its
 * observation model forbids extra keys.
 */
import * as v from 'valibot';
import { ActionSchema, EpisodeIdSchema, ObservationSchema, TaskConfigSchema } from '../envs/policy-contract.ts';

/** The header naming the episode of a `/reset` or `/act`; the same id as the body's `episode_id`. */
export const EPISODE_ID_HEADER = 'x-episode-id';

/**
 * `episode_id` is optional here so that this schema also reads the requests of callers that
 * predate it (the subnet's own executor sends none); evalpool always sends it.
 */
export const ResetRequestSchema = v.object({ task_config: TaskConfigSchema, episode_id: v.optional(EpisodeIdSchema) });
export type ResetRequest = v.InferOutput<typeof ResetRequestSchema>;

export const ActRequestSchema = v.object({ obs: v.strictObject(ObservationSchema.entries), episode_id: v.optional(EpisodeIdSchema) });
export type ActRequest = v.InferOutput<typeof ActRequestSchema>;

export const ActResponseSchema = v.object({ action: ActionSchema });
export type ActResponse = v.InferOutput<typeof ActResponseSchema>;
