import type { Hono } from 'hono';
import * as v from 'valibot';
import { rotateNow } from '../../sampling/rotate-now.ts';
import { SamplingError, UnknownSamplingListError } from '../../sampling/sampling-error.ts';
import { ApiError } from '../api-error.ts';
import { type AdminContext, audit, withinDeadline } from './admin-context.ts';
import { envInput, parseJsonBody } from './admin-input.ts';

const RotationBody = v.strictObject({ env: envInput });

/**
 * `POST /v1/admin/rotations` `{"env": "<env id>"}` rotates that env's sampling list now, whether
 * due or not (FIFO: the oldest ids leave, new random ids join; recorded with reason `ops`), as
 * `evalpool sampling rotate <env>` does. The answer counts the ids that moved but never lists
 * them: the list stays secret even here. The scheduler drops pending tasks of the ids that left
 * on its next tick. 404 for an env without a list, 409 when the dataset is too small or other
 * rotations keep landing.
 */
export function registerRotationRoutes(admin: Hono, ctx: AdminContext): void {
  admin.post('/rotations', async (c) => {
    const { env } = await parseJsonBody(c, RotationBody);
    let rotation;
    try {
      rotation = await withinDeadline(ctx, 'the rotation', rotateNow(ctx.db, env, 'ops', new Date(ctx.now())));
    } catch (error) {
      if (error instanceof UnknownSamplingListError) throw new ApiError(404, 'not_found', error.message);
      if (error instanceof SamplingError) throw new ApiError(409, 'conflict', error.message);
      throw error;
    }
    const answer = {
      env,
      version_before: rotation.version - 1,
      version: rotation.version,
      ids_out: rotation.idsOut.length,
      ids_in: rotation.idsIn.length,
      rotated_at: rotation.rotatedAt.toISOString(),
      reason: rotation.reason,
    };
    audit(ctx, c, 'sampling.rotate', answer, `rotated the sampling list of ${env}`);
    return c.json(answer);
  });
}
