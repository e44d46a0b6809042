import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

/** A miner row as tests want it; hotkey `hk<uid>` and revision `r1` unless given. */
export interface SeedMiner {
  readonly uid: number;
  readonly hotkey?: string;
  readonly revision?: string;
  readonly committedBlock?: number;
  readonly active?: boolean;
}

/** Inserts a miner and returns its row id. */
export async function seedMiner(db: Kysely<Database>, m: SeedMiner): Promise<number> {
  const row = await db
    .insertInto('miners')
    .values({
      uid: m.uid,
      hotkey: m.hotkey ?? `hk${m.uid}`,
      revision: m.revision ?? 'r1',
      endpoint: `http://127.0.0.1:1/miner-${m.uid}`,
      committed_block: m.committedBlock ?? 1_000 + m.uid,
      active: m.active ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts (or replaces) a sampling list holding exactly `taskIds` (oldest first). */
export async function seedList(
  db: Kysely<Database>,
  envId: string,
  taskIds: readonly number[],
  options: { scored?: boolean; family?: string } = {},
): Promise<void> {
  const row = {
    env_id: envId,
    family: options.family ?? 'builtin',
    task_ids: [...taskIds],
    dataset_start: 0,
    dataset_end: Math.max(1_000, ...taskIds.map((t) => t + 1)),
    list_size: taskIds.length,
    rotation_count: Math.max(1, Math.floor(taskIds.length / 10)),
    rotation_interval_seconds: 3_600,
    scored: options.scored ?? true,
  };
  await db
    .insertInto('sampling_lists')
    .values(row)
    .onConflict((oc) => oc.column('env_id').doUpdateSet(row))
    .execute();
}

/** Results of one miner in one env: `outcomes[i]` is the score of `taskIds[i]` (1 = success). */
export async function seedResults(
  db: Kysely<Database>,
  miner: { uid: number; hotkey?: string; revision?: string },
  envId: string,
  taskIds: readonly number[],
  outcomes: readonly number[] | ((taskId: number, index: number) => number),
): Promise<void> {
  if (taskIds.length === 0) return;
  const scoreOf = typeof outcomes === 'function' ? outcomes : (_: number, i: number) => outcomes[i] ?? 0;
  const rows = taskIds.map((taskId, i) => {
    const score = scoreOf(taskId, i);
    return {
      task_uuid: randomUUID(),
      env_id: envId,
      task_id: taskId,
      uid: miner.uid,
      hotkey: miner.hotkey ?? `hk${miner.uid}`,
      revision: miner.revision ?? 'r1',
      success: score >= 1,
      score,
      error_class: score >= 1 ? ('success' as const) : ('failure' as const),
      worker_id: 'test-worker',
    };
  });
  for (let i = 0; i < rows.length; i += 1_000)
    await db
      .insertInto('results')
      .values(rows.slice(i, i + 1_000))
      .execute();
}

/** `[from, from + count)` as an array. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}
