/**
 * The one seeding vocabulary of the tests: rows as the running system would have left them
 * (miners, slots, sampling lists, results), written straight to the tables. Pool-specific list
 * state (rotations) lives in test/pool/pool-fixture.ts; months of history in seed-history.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { saveMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { SLOTS_PIN_MAX } from '../../src/db/tables/miner-slots.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';

/** A miner row as tests want it; hotkey `hk<uid>` and revision `r1` unless given. */
export interface SeedMiner {
  readonly uid: number;
  readonly hotkey?: string;
  readonly revision?: string;
  readonly committedBlock?: number;
  readonly active?: boolean;
  readonly endpoint?: string;
}

/**
 * Inserts a miner and returns its row id. A duplicate (hotkey, revision) is an error unless
 * `moveEndpoint` is set: then the known miner moves to `endpoint`, as a re-commit would.
 */
export async function seedMiner(db: Kysely<Database>, m: SeedMiner & { readonly moveEndpoint?: boolean }): Promise<number> {
  const endpoint = m.endpoint ?? `http://127.0.0.1:1/miner-${m.uid}`;
  const insert = db.insertInto('miners').values({
    uid: m.uid,
    hotkey: m.hotkey ?? `hk${m.uid}`,
    revision: m.revision ?? 'r1',
    endpoint,
    committed_block: m.committedBlock ?? 1_000 + m.uid,
    active: m.active ?? true,
  });
  const row = await (m.moveEndpoint ? insert.onConflict((oc) => oc.columns(['hotkey', 'revision']).doUpdateSet({ endpoint })) : insert)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The endpoint {@link seedActiveMiners} gives a miner (nothing listens there). */
export const minerEndpoint = (hotkey: string): string => `http://127.0.0.1:9/${hotkey}`;

/**
 * Makes `miners` the active set (inserting identities as needed); others become inactive. Each is
 * stored as having declared `declared` concurrent episodes (default: more than any slots, so that
 * slots alone decide, as these tests mean); `null` stores no declaration (one episode at a time).
 */
export async function seedActiveMiners(
  db: Kysely<Database>,
  miners: { uid: number; hotkey: string; revision: string }[],
  options: { declared?: number | null } = {},
): Promise<void> {
  await db.updateTable('miners').set({ active: false }).execute();
  for (const m of miners) {
    const row = { ...m, endpoint: minerEndpoint(m.hotkey), committed_block: 100 + m.uid, active: true };
    await db
      .insertInto('miners')
      .values(row)
      .onConflict((oc) => oc.columns(['hotkey', 'revision']).doUpdateSet({ active: true, uid: m.uid }))
      .execute();
  }
  const declared = options.declared === undefined ? SLOTS_PIN_MAX : options.declared;
  if (declared !== null)
    await saveMinerDeclarations(
      db,
      miners.map((m) => ({ hotkey: m.hotkey, endpoint: minerEndpoint(m.hotkey), episodes: declared })),
      new Date(),
    );
}

/** Sets (or replaces) a miner's slots row. */
export async function seedSlots(
  db: Kysely<Database>,
  hotkey: string,
  slots: number,
  extra: { pinned?: number | null; scheduling_paused?: boolean } = {},
): Promise<void> {
  const row = { hotkey, slots, pinned: extra.pinned ?? null, scheduling_paused: extra.scheduling_paused ?? false };
  await db
    .insertInto('miner_slots')
    .values(row)
    .onConflict((oc) => oc.column('hotkey').doUpdateSet(row))
    .execute();
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

/** Writes a successful result row for a task, as a worker would (once per task uuid). */
export async function seedResult(
  db: Kysely<Database>,
  task: Pick<TaskJobData, 'env' | 'task_id' | 'uid' | 'hotkey' | 'revision'>,
  taskUuid: string = randomUUID(),
): Promise<void> {
  await db
    .insertInto('results')
    .values({
      task_uuid: taskUuid,
      env_id: task.env,
      task_id: task.task_id,
      uid: task.uid,
      hotkey: task.hotkey,
      revision: task.revision,
      success: true,
      score: 1,
      error_class: 'success',
      worker_id: 'test',
    })
    .onConflict((oc) => oc.doNothing())
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
