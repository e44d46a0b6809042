import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { getLatestScoreSnapshot, getLatestScoreSnapshotHead } from '../db/tables/score-snapshots.ts';
import { getLatestWeights, getLatestWeightsHead } from '../db/tables/weights.ts';
import type { EvalpoolMetrics, MetricsSource } from '../runtime/metrics.ts';
import type { StoredScoreReport } from '../scoring/stored-report.ts';

/**
 * Per-miner gauges at each scrape: `evalpool_miner_weight{uid}` from the latest published weights,
 * `evalpool_miner_coverage{uid,env}` and `evalpool_miner_success_rate{uid,env}` from the latest
 * scoring pass. Each scrape reads two heads (indexed probes); the weights row and the report (a
 * large JSON) are read again only when their head changed. A miner that left disappears with the
 * next pass.
 */
export function scoresMetricsSource(metrics: EvalpoolMetrics, db: Kysely<Database>): MetricsSource {
  let weightsShown: number | undefined;
  let reportShown: string | undefined;
  const clear = (): void => {
    metrics.minerWeight.reset();
    metrics.minerCoverage.reset();
    metrics.minerSuccessRate.reset();
    weightsShown = undefined;
    reportShown = undefined;
  };
  return {
    name: 'scores',
    async refresh() {
      const [weightsHead, reportHead] = await Promise.all([getLatestWeightsHead(db), getLatestScoreSnapshotHead(db)]);
      if (weightsHead?.id !== weightsShown) {
        const row = await getLatestWeights(db);
        metrics.minerWeight.reset();
        for (const [uid, weight] of Object.entries(row?.weights ?? {})) metrics.minerWeight.set({ uid }, weight);
        weightsShown = row?.id;
      }
      const reportKey = reportHead && `${reportHead.id}:${reportHead.version}`;
      if (reportKey !== reportShown) {
        const snapshot = await getLatestScoreSnapshot(db);
        const report = snapshot?.report as StoredScoreReport | undefined;
        metrics.minerCoverage.reset();
        metrics.minerSuccessRate.reset();
        for (const miner of report?.miners ?? []) {
          for (const e of miner.envs) {
            const labels = { uid: String(miner.uid), env: e.envId };
            metrics.minerCoverage.set(labels, e.coverage);
            if (e.successRate !== null) metrics.minerSuccessRate.set(labels, e.successRate);
          }
        }
        reportShown = snapshot ? `${snapshot.id}:${reportHead?.version}` : undefined;
      }
    },
    clear,
  };
}
