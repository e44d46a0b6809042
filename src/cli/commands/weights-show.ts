import type { Command } from 'commander';
import * as v from 'valibot';
import { blockParam } from '../../api/path-params.ts';
import { getScoreSnapshotOfWeights } from '../../db/tables/score-snapshots.ts';
import { getLatestWeights, getLatestWeightsHead, getWeightsByBlock, type WeightsRow } from '../../db/tables/weights.ts';
import { type Cell, formatTable } from '../../runtime/format-table.ts';
import { formatTime } from '../../runtime/format-time.ts';
import type { StoredScoreReport } from '../../scoring/stored-report.ts';
import { loadPrintingContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import type { OutputOptions } from '../output.ts';
import { printJson, rowsAsJson } from '../output.ts';
import { runCommand } from '../run-command.ts';

/** Flags of `weights show`. */
export interface WeightsShowOptions extends OutputOptions {
  block?: string;
}

const HEADERS = ['uid', 'hotkey', 'weight', 'u16', 'points', 'eligible'];

/** Rows of the weights table: one per uid of the u16 vector, with what the snapshot knows of it. */
function rows(weights: WeightsRow, report: StoredScoreReport | undefined): Cell[][] {
  const miners = new Map((report?.miners ?? []).map((m) => [m.uid, m]));
  return weights.weights_u16.uids.map((uid, i) => {
    const m = miners.get(uid);
    return [
      uid,
      m?.hotkey,
      weights.weights[String(uid)] ?? null,
      weights.weights_u16.values[i] ?? null,
      m?.points,
      m === undefined ? null : m.eligible ? 'yes' : 'no',
    ];
  });
}

/** `evalpool weights show` (loaded when it runs: see main.ts). */
export async function weightsShow(program: Command, options: WeightsShowOptions): Promise<void> {
  let block: number | undefined;
  if (options.block !== undefined) {
    const parsed = v.safeParse(blockParam, options.block);
    if (!parsed.success)
      program.error(`evalpool: --block ${parsed.issues[0].message}, got ${JSON.stringify(options.block)}`, { exitCode: 2 });
    block = parsed.output;
  }
  const context = loadPrintingContext();
  // A missing or unmigrated database is one sentence, not a stack trace.
  await runCommand(context.config, () =>
    withExistingDatabase(context, async (db) => {
      const row = block === undefined ? await getLatestWeights(db) : await getWeightsByBlock(db, block);
      if (!row) {
        const latest = block === undefined ? undefined : await getLatestWeightsHead(db);
        const why =
          block === undefined
            ? 'no weights have been published yet (see GET /v1/status for why)'
            : `no weights were published at block ${block}${latest ? `; the latest are at block ${latest.block_number}` : '; none have been published yet'}`;
        process.stderr.write(`evalpool: ${why}\n`);
        process.exitCode = 1;
        return;
      }
      const snapshot = await getScoreSnapshotOfWeights(db, row.id);
      const report = snapshot?.report as StoredScoreReport | undefined;
      if (options.json) {
        printJson({
          block_number: row.block_number,
          cycle: row.id,
          created_at: row.created_at,
          eligible_count: report?.eligibleCount ?? null,
          miner_count: report?.miners.length ?? null,
          weights: rowsAsJson(HEADERS, rows(row, report)).map((r) => ({
            ...r,
            eligible: r.eligible === null ? null : r.eligible === 'yes',
          })),
        });
        return;
      }
      const eligible = report ? `, ${report.eligibleCount} of ${report.miners.length} miners eligible` : '';
      console.log(`weights of block ${row.block_number} (cycle ${row.id}), published ${formatTime(row.created_at)}${eligible}`);
      console.log(formatTable(HEADERS, rows(row, report), { fractionDigits: 6, wide: options.wide }));
    }),
  );
}
