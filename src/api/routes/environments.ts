import type { Hono } from 'hono';
import { getSamplingListSummaries } from '../../db/tables/sampling-lists.ts';
import type { ApiDeps } from '../api-deps.ts';

/**
 * `GET /v1/environments`: each env's family, list size, rotation settings and state, whether it
 * is scored and its dataset range. The current list itself is never shown: miners must not know
 * which task ids count.
 */
export function registerEnvironmentsRoutes(app: Hono, deps: ApiDeps): void {
  app.get('/v1/environments', async (c) => {
    const lists = await getSamplingListSummaries(deps.db);
    return c.json({
      environments: lists.map((l) => ({
        env_id: l.env_id,
        family: l.family,
        scored: l.scored,
        list_size: l.list_size,
        current_size: l.current_size,
        rotation: {
          count: l.rotation_count,
          interval_seconds: l.rotation_interval_seconds,
          rotations: l.version,
          last_rotated_at: l.last_rotated_at.toISOString(),
          next_rotation_at: new Date(l.last_rotated_at.getTime() + l.rotation_interval_seconds * 1_000).toISOString(),
        },
        dataset: { start: l.dataset_start, end: l.dataset_end, size: l.dataset_end - l.dataset_start },
      })),
    });
  });
}
