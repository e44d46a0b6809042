import type { Kysely, Selectable } from 'kysely';
import type { Database, RotationsTable } from '../schema.ts';

/**
 * Why a list's ids changed: `created` (version 0, the first list), `schedule` (the interval
 * passed), `ops` (`evalpool sampling rotate`), `definition` (a forced redefinition replaced the
 * whole list).
 */
export type RotationReason = 'created' | 'schedule' | 'ops' | 'definition';

/** One recorded change of a list: replaying every row in version order from `[]` gives the list. */
export type RotationRow = Selectable<RotationsTable>;

/** Records a change of a list's ids (unique per env and version). */
export async function insertRotation(
  db: Kysely<Database>,
  row: {
    readonly envId: string;
    readonly version: number;
    readonly at: Date;
    readonly idsOut: readonly number[];
    readonly idsIn: readonly number[];
    readonly reason: RotationReason;
  },
): Promise<void> {
  await db
    .insertInto('rotations')
    .values({
      env_id: row.envId,
      version: row.version,
      rotated_at: row.at,
      ids_out: [...row.idsOut],
      ids_in: [...row.idsIn],
      reason: row.reason,
    })
    .execute();
}

/** An env's rotations, newest first (at most `limit`). */
export async function getRecentRotations(db: Kysely<Database>, envId: string, limit: number): Promise<RotationRow[]> {
  return db.selectFrom('rotations').selectAll().where('env_id', '=', envId).orderBy('version', 'desc').limit(limit).execute();
}

/** An env's whole history, oldest first (for audits and replay). */
export async function getRotationHistory(db: Kysely<Database>, envId: string): Promise<RotationRow[]> {
  return db.selectFrom('rotations').selectAll().where('env_id', '=', envId).orderBy('version', 'asc').execute();
}
