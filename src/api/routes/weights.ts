import type { Hono } from 'hono';
import { API_CACHE_REFRESH_MS, API_WEIGHTS_BY_BLOCK_CACHE_SIZE } from '../../config/constants.ts';
import { getLatestWeights, getLatestWeightsHead, getWeightsByBlock } from '../../db/tables/weights.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError } from '../api-error.ts';
import { LatestCache } from '../latest-cache.ts';
import { blockParam, parseParam } from '../path-params.ts';
import { cachedBody, sendJson } from '../respond.ts';
import { weightsBody } from '../weights-body.ts';

const NO_WEIGHTS =
  'no weights have been published yet: they appear once a miner has enough coverage in every scored environment (GET /v1/status says what is missing)';

/**
 * `GET /v1/weights/latest` and `GET /v1/weights/{block}` in the validators' format
 * (`weights-body.ts`). `latest` is served from memory (see `LatestCache`); past blocks never
 * change, so the last few asked for are kept serialised too.
 */
export function registerWeightsRoutes(app: Hono, deps: ApiDeps): void {
  const logger = deps.logger.child({ component: 'api', route: 'weights' });
  const latest = new LatestCache({
    name: 'weights/latest',
    refreshMs: deps.tuning?.cacheRefreshMs ?? API_CACHE_REFRESH_MS,
    logger,
    probe: async () => {
      const head = await getLatestWeightsHead(deps.db);
      return head ? String(head.id) : null;
    },
    load: async () => {
      const row = await getLatestWeights(deps.db);
      return row ? { version: String(row.id), body: JSON.stringify(weightsBody(row)) } : { version: '', body: null };
    },
  });
  const byBlock = new Map<number, string>();

  app.get('/v1/weights/latest', async (c) => sendJson(c, await cachedBody(latest, NO_WEIGHTS)));

  app.get('/v1/weights/:block', async (c) => {
    const block = parseParam(blockParam, c.req.param('block'));
    let body = byBlock.get(block);
    if (body === undefined) {
      const row = await getWeightsByBlock(deps.db, block);
      if (!row) throw new ApiError(404, 'not_found', `no weights were published at block ${block}`);
      body = JSON.stringify(weightsBody(row));
      if (byBlock.size >= API_WEIGHTS_BY_BLOCK_CACHE_SIZE) byBlock.delete(byBlock.keys().next().value!);
    } else {
      byBlock.delete(block);
    }
    byBlock.set(block, body);
    return sendJson(c, body);
  });
}
