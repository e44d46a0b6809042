import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../runtime/logger.ts';
import { getCurrentLists } from './current-list.ts';
import { type Rotation, rotateList } from './rotate-list.ts';
import { isRotationDue } from './rotation-due.ts';
import { SamplingError } from './sampling-error.ts';

/** Options of {@link rotateDueLists}. */
export interface RotateDueOptions {
  /** Only these envs (default: every stored list). */
  readonly envIds?: readonly string[];
}

/**
 * Rotates every list that is due at `now` (`now − last_rotated_at ≥ interval`) once, and returns
 * the rotations this call applied. A rotation sets `last_rotated_at = now`, so after a long
 * stop (several intervals missed) a list rotates once, not once per missed interval, and the
 * schedule continues from there: catching up would only churn ids nobody evaluated.
 * Safe to call from several processes at once and again after a restart: a rotation applies
 * only to the version it read. A list that cannot rotate (dataset too small) is logged and
 * skipped; the others still rotate.
 */
export async function rotateDueLists(db: Kysely<Database>, now: Date, logger: Logger, options: RotateDueOptions = {}): Promise<Rotation[]> {
  const done: Rotation[] = [];
  for (const list of await getCurrentLists(db, options.envIds)) {
    if (!isRotationDue(list, now)) continue;
    try {
      const rotation = await rotateList(db, list, now, 'schedule');
      if (rotation) {
        done.push(rotation);
        logger.info(
          { env: list.envId, version: rotation.version, out: rotation.idsOut.length, in: rotation.idsIn.length },
          'rotated sampling list',
        );
      } else {
        logger.debug({ env: list.envId, version: list.version }, 'sampling list was rotated by another process first');
      }
    } catch (error) {
      if (!(error instanceof SamplingError)) throw error;
      logger.error({ env: list.envId, err: error.message }, 'sampling list cannot rotate');
    }
  }
  return done;
}
