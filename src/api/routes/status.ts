import type { Hono } from 'hono';
import { API_READER_TIMEOUT_MS } from '../../config/constants.ts';
import type { SamplingListSummary } from '../../db/tables/sampling-lists.ts';
import { getSamplingListSummaries } from '../../db/tables/sampling-lists.ts';
import { getLatestScoringPass, type ScoringPassSummary } from '../../db/tables/score-snapshots.ts';
import { getLatestWeightsHead, type WeightsHead } from '../../db/tables/weights.ts';
import { formatTime } from '../../runtime/format-time.ts';
import type { ApiDeps } from '../api-deps.ts';
import { type ReaderResult, readWithin, type SchedulerStatus, type TaskStats, type WorkerStatus } from '../readers.ts';
import { unconsumedEnvs, unconsumedSentence } from '../unconsumed-envs.ts';
import { unconsumedView } from './workers.ts';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function schedulerView(s: SchedulerStatus | null) {
  if (!s) return null;
  return {
    leader_id: s.leaderId,
    last_tick_at: iso(s.lastTickAt),
    tasks: (s.tasks ?? []).map((t) => ({
      name: t.name,
      last_run_at: iso(t.lastRunAt),
      last_duration_ms: t.lastDurationMs,
      last_error: t.lastError,
    })),
    miner_discovery: s.minerDiscovery
      ? {
          at: iso(s.minerDiscovery.at),
          block: s.minerDiscovery.block,
          active: s.minerDiscovery.active,
          excluded: s.minerDiscovery.excluded,
          stale: s.minerDiscovery.stale ? { since: iso(s.minerDiscovery.stale.since), error: s.minerDiscovery.stale.error } : null,
        }
      : null,
  };
}

function rotationView(l: SamplingListSummary) {
  return {
    env_id: l.env_id,
    scored: l.scored,
    rotations: l.version,
    last_rotated_at: l.last_rotated_at.toISOString(),
    next_rotation_at: new Date(l.last_rotated_at.getTime() + l.rotation_interval_seconds * 1_000).toISOString(),
  };
}

/** One sentence on why validators have no (new) weights, or null when the last pass had some. */
function whyNoWeights(pass: ScoringPassSummary | undefined, weights: WeightsHead | undefined, intervalSeconds: number): string | null {
  if (!pass) {
    return weights ? null : `no scoring pass has run yet: the scheduler leader computes weights every ${intervalSeconds} s`;
  }
  if (pass.reason === null) return null;
  return weights ? `${pass.reason} (the weights of block ${weights.block_number} stand)` : pass.reason;
}

/**
 * The miner source failing (a missing or unreadable miners file, a chain that does not answer):
 * from the leader's first discovery on, so it is never silent.
 */
function minersWarning(s: SchedulerStatus | null): string | null {
  const failing = s?.tasks?.find((t) => t.name === 'miners' && t.lastError);
  if (failing) return `miner discovery fails, so no miner is evaluated: ${failing.lastError}`;
  const stale = s?.minerDiscovery?.stale;
  if (stale) return `miner discovery fails since ${formatTime(stale.since)}; the last known miners are kept: ${stale.error}`;
  return null;
}

/** The workers part of the status: counts by state and the envs nobody consumes (null when unreadable). */
function workersView(workers: ReaderResult<readonly WorkerStatus[]>, stats: ReaderResult<TaskStats>) {
  if (!workers.ok) return { summary: null, warning: null };
  const unconsumed = stats.ok ? unconsumedEnvs(workers.value, stats.value.byEnv) : null;
  const count = (state: WorkerStatus['state']) => workers.value.filter((w) => w.state === state).length;
  return {
    summary: {
      live: count('live'),
      stale: count('stale'),
      gone: count('gone'),
      envs_without_consumer: unconsumed && unconsumedView(unconsumed),
    },
    warning: unconsumed && unconsumedSentence(unconsumed),
  };
}

/**
 * `GET /v1/status`: the scheduler leader (injected reader), each env's last and next rotation,
 * the latest weights and their age, the latest scoring pass, and why there are no weights; the
 * workers by state and the envs whose pending tasks no live worker consumes; `warnings`, one
 * sentence per condition an operator must act on.
 * Postgres parts are always there; the scheduler part is null with `scheduler_error` when its
 * reader is missing or fails.
 */
export function registerStatusRoutes(app: Hono, deps: ApiDeps): void {
  const timeoutMs = deps.tuning?.readerTimeoutMs ?? API_READER_TIMEOUT_MS;
  app.get('/v1/status', async (c) => {
    const [scheduler, lists, weights, pass, workerList, stats] = await Promise.all([
      readWithin('scheduler status', deps.readers?.schedulerStatus, timeoutMs, deps.logger),
      getSamplingListSummaries(deps.db),
      getLatestWeightsHead(deps.db),
      getLatestScoringPass(deps.db),
      readWithin('worker registry', deps.readers?.workers, timeoutMs, deps.logger),
      readWithin('task statistics', deps.readers?.taskStats, timeoutMs, deps.logger),
    ]);
    const now = new Date();
    const workers = workersView(workerList, stats);
    // Plain sentences for conditions that need an operator: the dashboard shows each as a banner.
    const warnings = [minersWarning(scheduler.ok ? scheduler.value : null), workers.warning].filter((w): w is string => w !== null);
    return c.json({
      time: now.toISOString(),
      scheduler: scheduler.ok ? schedulerView(scheduler.value) : null,
      scheduler_error: scheduler.ok ? null : scheduler.error,
      weights: weights
        ? {
            cycle_id: weights.id,
            block_number: weights.block_number,
            timestamp: weights.created_at.toISOString(),
            age_seconds: Math.max(0, Math.round((now.getTime() - weights.created_at.getTime()) / 1_000)),
          }
        : null,
      last_scoring: pass
        ? {
            snapshot_id: pass.id,
            computed_at: pass.computed_at,
            block_number: pass.block_number,
            eligible_count: pass.eligible_count,
            published: pass.weights_id !== null,
            reason: pass.reason,
          }
        : null,
      why_no_weights: whyNoWeights(pass, weights, deps.config.scoring.weightsIntervalSeconds),
      environments: lists.map(rotationView),
      workers: workers.summary,
      workers_error: workerList.ok ? null : workerList.error,
      warnings,
    });
  });
}
