import type { Hono } from 'hono';
import { API_CACHE_REFRESH_MS } from '../../config/constants.ts';
import { getLatestScoreSnapshotVersion, getLatestScoreSnapshotVersioned, getScoreSnapshot } from '../../db/tables/score-snapshots.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError } from '../api-error.ts';
import { LatestCache } from '../latest-cache.ts';
import { idParam, parseParam } from '../path-params.ts';
import { cachedBody, sendJson } from '../respond.ts';
import { scoresBody } from '../scores-body.ts';

const NO_SCORES = 'no scoring pass has run yet: the scheduler leader scores every EVALPOOL_WEIGHTS_INTERVAL_SECONDS';

/**
 * `GET /v1/scores/latest` (the newest pass, cached like the weights; the live snapshot changes
 * in place, so its version includes the row's `xmin`) and `GET /v1/scores/{id}`.
 */
export function registerScoresRoutes(app: Hono, deps: ApiDeps): void {
  const logger = deps.logger.child({ component: 'api', route: 'scores' });
  const latest = new LatestCache({
    name: 'scores/latest',
    refreshMs: deps.tuning?.cacheRefreshMs ?? API_CACHE_REFRESH_MS,
    logger,
    probe: () => getLatestScoreSnapshotVersion(deps.db),
    load: async () => {
      const latest = await getLatestScoreSnapshotVersioned(deps.db);
      return latest ? { version: latest.version, body: JSON.stringify(scoresBody(latest.row)) } : { version: '', body: null };
    },
  });

  app.get('/v1/scores/latest', async (c) => sendJson(c, await cachedBody(latest, NO_SCORES)));

  app.get('/v1/scores/:id', async (c) => {
    const id = parseParam(idParam, c.req.param('id'));
    const row = await getScoreSnapshot(deps.db, id);
    if (!row) throw new ApiError(404, 'not_found', `no score snapshot has id ${id}`);
    return c.json(scoresBody(row));
  });
}
