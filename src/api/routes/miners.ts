import type { Hono } from 'hono';
import { API_CACHE_REFRESH_MS, API_READER_TIMEOUT_MS, MINER_RECENT_ATTEMPTS } from '../../config/constants.ts';
import type { Miner } from '../../db/schema.ts';
import { getLastAttemptsByClass, getRecentAttempts, type LastAttemptOfClass, type RecentAttempt } from '../../db/tables/attempts.ts';
import { effectiveSlots, getMinerSlots, type MinerSlotsRow } from '../../db/tables/miner-slots.ts';
import { getActiveMiners } from '../../db/tables/miners.ts';
import { getLastResults, type LastResult } from '../../db/tables/results.ts';
import { getLatestScoreSnapshotVersion, getLatestScoreSnapshotVersioned, type ScoreSnapshotRow } from '../../db/tables/score-snapshots.ts';
import { explainScore } from '../../scoring/explain-score.ts';
import type { StoredScoreReport } from '../../scoring/stored-report.ts';
import type { ApiDeps } from '../api-deps.ts';
import { ApiError } from '../api-error.ts';
import { LatestCache } from '../latest-cache.ts';
import { parseParam, uidParam } from '../path-params.ts';
import { type MinerCircuit, type ReaderResult, readWithin } from '../readers.ts';

const attemptView = (a: LastAttemptOfClass) => ({
  error_class: a.error_class,
  message: a.error_message,
  env_id: a.env_id,
  task_id: a.task_id,
  revision: a.revision,
  at: a.created_at.toISOString(),
});
const recentView = (a: RecentAttempt) => ({ ...attemptView(a), attempt: a.attempt, duration_ms: a.duration_ms, worker_id: a.worker_id });

/**
 * The miner's outcome in the latest scoring pass, explained (scoring/explain-score.ts); null when
 * no pass has run or the latest one did not score this hotkey at this uid (new, or registered since).
 */
function scoreView(row: ScoreSnapshotRow | undefined, miner: Miner) {
  if (!row) return null;
  const report = row.report as unknown as StoredScoreReport;
  if (report.miners.find((m) => m.uid === miner.uid)?.hotkey !== miner.hotkey) return null;
  const x = explainScore(report, miner.uid)!;
  return {
    pass_id: row.id,
    block_number: row.block_number,
    computed_at: report.computedAt,
    summary: x.summary,
    eligible: x.eligible,
    weight: x.weight,
    points: x.points,
    subsets_won: x.subsetsWon,
    subsets: x.subsets,
    min_coverage: x.minCoverage,
    coverage_shortfalls: x.shortfalls.map((f) => ({
      env_id: f.envId,
      n: f.n,
      list_size: f.listSize,
      coverage: f.coverage,
      missing: f.missing,
    })),
    contests: x.contests.map((c) => ({
      env_id: c.envId,
      success_rate: c.successRate,
      threshold: c.threshold,
      outcome: c.outcome,
      winner_uid: c.winnerUid,
      rival: c.rival && {
        uid: c.rival.uid,
        committed_block: c.rival.committedBlock,
        success_rate: c.rival.successRate,
        threshold: c.rival.threshold,
      },
    })),
  };
}

interface Context {
  readonly slots: ReadonlyMap<string, MinerSlotsRow>;
  readonly last: ReadonlyMap<string, LastResult>;
  readonly inFlight: ReaderResult<ReadonlyMap<string, number>>;
  readonly circuits: ReaderResult<ReadonlyMap<string, MinerCircuit>>;
  readonly defaultSlots: number;
}

/**
 * A miner's public view. The endpoint is left out on purpose: miners may commit it encrypted so
 * that only the backend knows it.
 */
function minerView(m: Miner, ctx: Context) {
  const slots = ctx.slots.get(m.hotkey);
  const last = ctx.last.get(m.hotkey);
  const circuit = ctx.circuits.ok ? (ctx.circuits.value.get(m.hotkey) ?? { state: 'closed' as const }) : null;
  return {
    uid: m.uid,
    hotkey: m.hotkey,
    revision: m.revision,
    committed_block: m.committed_block,
    first_seen_at: m.first_seen_at.toISOString(),
    last_seen_at: m.last_seen_at.toISOString(),
    slots: {
      effective: effectiveSlots(slots, ctx.defaultSlots),
      adjusted: slots?.slots ?? null,
      pinned: slots?.pinned ?? null,
      scheduling_paused: slots?.scheduling_paused ?? false,
    },
    in_flight: ctx.inFlight.ok ? (ctx.inFlight.value.get(m.hotkey) ?? 0) : null,
    circuit: circuit && {
      state: circuit.state,
      retry_at: circuit.retryAt ? circuit.retryAt.toISOString() : null,
      consecutive_failures: circuit.consecutiveFailures ?? null,
    },
    last_result: last
      ? {
          env_id: last.envId,
          task_id: last.taskId,
          revision: last.revision,
          success: last.success,
          score: last.score,
          created_at: last.createdAt.toISOString(),
        }
      : null,
  };
}

/**
 * `GET /v1/miners` (active miners by uid) and `GET /v1/miners/{uid}`: identity, slots and last
 * result from Postgres (for one miner also its outcome in the latest scoring pass explained, its
 * last attempt of each unscored or failed class and its latest attempts, bounded); in-flight count and circuit state from the injected readers (null, with
 * the reason in `unavailable`, when a reader is missing or fails).
 */
export function registerMinersRoutes(app: Hono, deps: ApiDeps): void {
  const timeoutMs = deps.tuning?.readerTimeoutMs ?? API_READER_TIMEOUT_MS;

  async function context(miners: readonly Miner[]): Promise<Context> {
    const [slots, last, inFlight, circuits] = await Promise.all([
      getMinerSlots(deps.db),
      getLastResults(deps.db, [...new Set(miners.map((m) => m.hotkey))]),
      readWithin('in-flight counts', deps.readers?.inFlight, timeoutMs, deps.logger),
      readWithin('circuit states', deps.readers?.circuits, timeoutMs, deps.logger),
    ]);
    return { slots, last, inFlight, circuits, defaultSlots: deps.config.slots.default };
  }
  const unavailable = (ctx: Context) => ({
    in_flight: ctx.inFlight.ok ? null : ctx.inFlight.error,
    circuit: ctx.circuits.ok ? null : ctx.circuits.error,
  });

  // The latest pass, parsed once per version and probed at most once per refresh period (single
  // flight): the route is public and may be polled hard, so a request reads no report.
  const latestScores = new LatestCache<ScoreSnapshotRow>({
    name: 'miners/score',
    refreshMs: deps.tuning?.cacheRefreshMs ?? API_CACHE_REFRESH_MS,
    logger: deps.logger.child({ component: 'api', route: 'miners' }),
    probe: () => getLatestScoreSnapshotVersion(deps.db),
    load: async () => {
      const latest = await getLatestScoreSnapshotVersioned(deps.db);
      return latest ? { version: latest.version, body: latest.row } : { version: '', body: null };
    },
  });

  app.get('/v1/miners', async (c) => {
    const miners = await getActiveMiners(deps.db);
    const ctx = await context(miners);
    return c.json({ miners: miners.map((m) => minerView(m, ctx)), unavailable: unavailable(ctx) });
  });

  app.get('/v1/miners/:uid', async (c) => {
    const uid = parseParam(uidParam, c.req.param('uid'));
    // Should two active rows share the uid (a discovery bug), show the newest commitment, as scoring does.
    const miner = (await getActiveMiners(deps.db))
      .filter((m) => m.uid === uid)
      .sort((a, b) => b.committed_block - a.committed_block || b.id - a.id)[0];
    if (!miner) throw new ApiError(404, 'not_found', `no active miner has uid ${uid}`);
    const [ctx, lastErrors, recent, latest] = await Promise.all([
      context([miner]),
      getLastAttemptsByClass(deps.db, miner.hotkey),
      getRecentAttempts(deps.db, miner.hotkey, MINER_RECENT_ATTEMPTS),
      latestScores.get(),
    ]);
    return c.json({
      miner: {
        ...minerView(miner, ctx),
        // Why its score is what it is: its outcome in the latest pass explained, the last attempt
        // of each class that is not a success, and its latest attempts.
        score: scoreView(latest.body ?? undefined, miner),
        last_errors: Object.fromEntries(lastErrors.map((a) => [a.error_class, attemptView(a)])),
        recent_attempts: recent.map(recentView),
      },
      unavailable: unavailable(ctx),
    });
  });
}
