import type { Kysely } from 'kysely';
import { SAMPLING_LIST_WRITE_ATTEMPTS } from '../config/constants.ts';
import type { Database } from '../db/schema.ts';
import { insertRotation } from '../db/tables/rotations.ts';
import {
  getSamplingList,
  getSamplingLists,
  insertSamplingList,
  replaceTaskIds,
  type SamplingListRow,
  updateSamplingListSettings,
} from '../db/tables/sampling-lists.ts';
import type { Logger } from '../runtime/logger.ts';
import { drawTaskIds } from './draw-task-ids.ts';
import type { SamplingDefinition } from './sampling-definition.ts';
import { DatasetTooSmallError, SamplingError } from './sampling-error.ts';

/** Options of {@link ensureSamplingLists}. */
export interface EnsureSamplingListsOptions {
  /** Replace lists whose dataset or size changed with a fresh list (recorded as reason `definition`). */
  readonly force?: boolean;
  /** Time of creations and replacements (default: now). */
  readonly now?: Date;
}

/** What {@link ensureSamplingLists} did, by env id. */
export interface SamplingListsSync {
  readonly created: string[];
  /** Settings taken from the file (rotation, scored, family); the ids did not change. */
  readonly updated: { readonly envId: string; readonly changes: readonly string[] }[];
  /** Dataset or size changed and `force` was given: a new list replaced the old one. */
  readonly replaced: { readonly envId: string; readonly changes: readonly string[] }[];
  /** Dataset or size changed without `force`: nothing applied, the stored list stays in use. */
  readonly refused: { readonly envId: string; readonly changes: readonly string[]; readonly message: string }[];
  readonly unchanged: string[];
  /** Stored lists that no file defines any more (left as they are). */
  readonly withoutDefinition: string[];
}

function checkCapacity(def: SamplingDefinition): void {
  const size = def.dataset.end - def.dataset.start;
  const needed = def.listSize + def.rotation.count;
  if (size < needed) {
    throw new DatasetTooSmallError(
      def.envId,
      size,
      needed,
      size,
      `a list of ${def.listSize} plus one rotation of ${def.rotation.count} new ids`,
    );
  }
}

function firstIds(def: SamplingDefinition): readonly number[] {
  return def.initialList ?? drawTaskIds(def.envId, def.dataset, def.listSize);
}

function settingChanges(def: SamplingDefinition, row: SamplingListRow): string[] {
  const changes: string[] = [];
  const diff = (name: string, stored: unknown, wanted: unknown): void => {
    if (stored !== wanted) changes.push(`${name} ${String(stored)} → ${String(wanted)}`);
  };
  diff('family', row.family, def.family);
  diff('rotation.count', row.rotation_count, def.rotation.count);
  diff('rotation.interval_seconds', row.rotation_interval_seconds, def.rotation.intervalSeconds);
  diff('scored', row.scored, def.scored);
  return changes;
}

function structuralChanges(def: SamplingDefinition, row: SamplingListRow): string[] {
  const changes: string[] = [];
  if (row.dataset_start !== def.dataset.start || row.dataset_end !== def.dataset.end) {
    changes.push(`dataset [${row.dataset_start}, ${row.dataset_end}) → [${def.dataset.start}, ${def.dataset.end})`);
  }
  if (row.list_size !== def.listSize) changes.push(`list_size ${row.list_size} → ${def.listSize}`);
  return changes;
}

function settingsOf(def: SamplingDefinition) {
  return {
    family: def.family,
    rotation_count: def.rotation.count,
    rotation_interval_seconds: def.rotation.intervalSeconds,
    scored: def.scored,
  };
}

async function create(db: Kysely<Database>, def: SamplingDefinition, now: Date): Promise<boolean> {
  const ids = firstIds(def);
  return db.transaction().execute(async (trx) => {
    const created = await insertSamplingList(trx, {
      env_id: def.envId,
      ...settingsOf(def),
      task_ids: [...ids],
      dataset_start: def.dataset.start,
      dataset_end: def.dataset.end,
      list_size: def.listSize,
      version: 0,
      created_at: now,
      last_rotated_at: now,
    });
    if (created) await insertRotation(trx, { envId: def.envId, version: 0, at: now, idsOut: [], idsIn: ids, reason: 'created' });
    return created;
  });
}

async function replace(db: Kysely<Database>, def: SamplingDefinition, row: SamplingListRow, now: Date): Promise<boolean> {
  const ids = firstIds(def);
  return db.transaction().execute(async (trx) => {
    const version = await replaceTaskIds(trx, {
      envId: def.envId,
      readVersion: row.version,
      taskIds: ids,
      at: now,
      dataset: def.dataset,
      listSize: def.listSize,
    });
    if (version === undefined) return false;
    await updateSamplingListSettings(trx, def.envId, settingsOf(def));
    await insertRotation(trx, { envId: def.envId, version, at: now, idsOut: row.task_ids, idsIn: ids, reason: 'definition' });
    return true;
  });
}

/**
 * Brings the stored lists in line with the definition files (at leader start, and by
 * `evalpool sampling sync`). Postgres holds the lists; the files say how they are made:
 * - a missing list is created from `initial_list` or a random draw (`crypto.randomInt`), and
 *   recorded as rotation version 0 (reason `created`), so replaying `rotations` gives the list;
 * - rotation settings, `scored` and `family` are taken from the file (the ids stay);
 * - a changed `dataset` or `list_size` would invalidate the ids, so it is refused (logged as an
 *   error, nothing of that file applied, the stored list stays in use) unless `force`, which
 *   replaces the whole list with a new one (reason `definition`);
 * - `initial_list` only matters at creation; lists without a file are reported, not deleted.
 * Throws {@link DatasetTooSmallError} (before changing anything) when a dataset cannot hold its
 * list plus one rotation. Safe to run concurrently: creation and replacement are guarded.
 */
export async function ensureSamplingLists(
  db: Kysely<Database>,
  definitions: readonly SamplingDefinition[],
  logger: Logger,
  options: EnsureSamplingListsOptions = {},
): Promise<SamplingListsSync> {
  for (const def of definitions) checkCapacity(def);
  const now = options.now ?? new Date();
  const sync: SamplingListsSync = { created: [], updated: [], replaced: [], refused: [], unchanged: [], withoutDefinition: [] };

  for (const def of definitions) {
    let done = false;
    for (let attempt = 0; attempt < SAMPLING_LIST_WRITE_ATTEMPTS && !done; attempt++) {
      const row = await getSamplingList(db, def.envId);
      if (!row) {
        done = await create(db, def, now);
        if (done) {
          sync.created.push(def.envId);
          logger.info(
            { env: def.envId, size: def.listSize, from: def.initialList ? 'initial_list' : 'random draw' },
            'created sampling list',
          );
        }
        continue;
      }
      const structural = structuralChanges(def, row);
      if (structural.length > 0 && !options.force) {
        const message =
          `sampling list of ${def.envId}: ${def.source} changes ${structural.join(' and ')}, which would invalidate the stored ids; ` +
          'nothing of this file was applied and the stored list stays in use. To replace the list with a new one, run `evalpool sampling sync --force`.';
        sync.refused.push({ envId: def.envId, changes: structural, message });
        logger.error({ env: def.envId, changes: structural }, message);
        done = true;
        continue;
      }
      if (structural.length > 0) {
        done = await replace(db, def, row, now);
        if (done) {
          const changes = [...structural, ...settingChanges(def, row)];
          sync.replaced.push({ envId: def.envId, changes });
          logger.warn({ env: def.envId, changes }, 'replaced sampling list with a new one (forced)');
        }
        continue;
      }
      const changes = settingChanges(def, row);
      if (changes.length > 0) {
        await updateSamplingListSettings(db, def.envId, settingsOf(def));
        sync.updated.push({ envId: def.envId, changes });
        logger.info({ env: def.envId, changes }, 'updated sampling list settings from its definition');
      } else {
        sync.unchanged.push(def.envId);
      }
      done = true;
    }
    if (!done)
      throw new SamplingError(
        `sampling list of ${def.envId} kept changing during the sync (${SAMPLING_LIST_WRITE_ATTEMPTS} tries); run it again`,
      );
  }

  const defined = new Set(definitions.map((d) => d.envId));
  for (const row of await getSamplingLists(db)) {
    if (defined.has(row.env_id)) continue;
    sync.withoutDefinition.push(row.env_id);
    logger.warn({ env: row.env_id }, 'stored sampling list has no definition file (kept as it is)');
  }
  return sync;
}
