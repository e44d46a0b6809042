import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import type { StoredScoreReport } from '../../src/scoring/stored-report.ts';

/** Whether every weights row was published from full coverage. */
export interface WeightsAudit {
  /** Weights rows audited (every row in Postgres). */
  readonly rows: number;
  /** One line per broken rule, naming the row's block. */
  readonly violations: readonly string[];
}

/**
 * Audits every weights row against its publication snapshot and the results in Postgres (docs/design.md,
 * "weights never come from partial data"):
 * - the row has its publication snapshot (the report it was computed from);
 * - a uid with weight is eligible, and the row's `eligible_uids` are the report's eligible miners;
 * - an eligible miner's coverage meets the row's `min_coverage` in every scored env, with
 *   `n / list size` as the report counted it;
 * - Postgres holds, created no later than the row, at least `n` distinct task ids of results of that
 *   miner's (hotkey, revision) in that env: the count was not made up.
 */
export async function auditWeights(db: Kysely<Database>): Promise<WeightsAudit> {
  const rows = await db
    .selectFrom('weights as w')
    .leftJoin('score_snapshots as s', 's.weights_id', 'w.id')
    .select(['w.id', 'w.block_number', 'w.created_at', 'w.weights_u16', 'w.metadata', 's.report'])
    .orderBy('w.block_number')
    .execute();
  const violations: string[] = [];
  for (const row of rows) {
    const at = `weights of block ${row.block_number}`;
    const report = row.report as unknown as StoredScoreReport | null;
    if (!report) {
      violations.push(`${at}: no publication snapshot`);
      continue;
    }
    const minCoverage = Number(row.metadata.min_coverage ?? report.params.minCoverage);
    const eligible = report.miners.filter((m) => m.eligible);
    const eligibleUids = new Set(eligible.map((m) => m.uid));
    const stated = (row.metadata.eligible_uids as number[] | undefined) ?? [];
    if (stated.length !== eligibleUids.size || stated.some((uid) => !eligibleUids.has(uid)))
      violations.push(`${at}: eligible_uids ${JSON.stringify(stated)} are not the report's eligible miners`);
    row.weights_u16.uids.forEach((uid, i) => {
      if ((row.weights_u16.values[i] ?? 0) > 0 && !eligibleUids.has(uid))
        violations.push(`${at}: uid ${uid} has weight but is not eligible`);
    });
    const listSizes = new Map(report.envs.map((e) => [e.envId, e.listSize]));
    for (const miner of eligible) {
      if (miner.envs.length !== report.envs.length)
        violations.push(`${at}: uid ${miner.uid} is eligible without a score in every scored env`);
      for (const env of miner.envs) {
        const size = listSizes.get(env.envId) ?? 0;
        if (size === 0 || env.n / size < minCoverage)
          violations.push(`${at}: uid ${miner.uid} is eligible with ${env.n}/${size} in ${env.envId} (min coverage ${minCoverage})`);
        const held = await db
          .selectFrom('results')
          .select(sql<number>`count(distinct task_id)`.as('n'))
          .where('hotkey', '=', miner.hotkey)
          .where('revision', '=', miner.revision)
          .where('env_id', '=', env.envId)
          .where('created_at', '<=', row.created_at)
          .executeTakeFirst();
        if (Number(held?.n ?? 0) < env.n)
          violations.push(`${at}: uid ${miner.uid} counted ${env.n} results in ${env.envId}, Postgres held ${Number(held?.n ?? 0)}`);
      }
    }
  }
  return { rows: rows.length, violations };
}
