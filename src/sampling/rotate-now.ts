import type { Kysely } from 'kysely';
import { SAMPLING_LIST_WRITE_ATTEMPTS } from '../config/constants.ts';
import type { Database } from '../db/schema.ts';
import { getSamplingList, getSamplingLists } from '../db/tables/sampling-lists.ts';
import { toCurrentList } from './current-list.ts';
import { type Rotation, rotateList } from './rotate-list.ts';
import { SamplingError, UnknownSamplingListError } from './sampling-error.ts';

/**
 * Rotates one env's list now, whether due or not (ops: `evalpool sampling rotate`). Unlike a
 * scheduled rotation, it always applies once: if another rotation lands between the read and
 * the write, it reads again and rotates the newer list. Throws
 * {@link UnknownSamplingListError} for an env without a list.
 */
export async function rotateNow(
  db: Kysely<Database>,
  envId: string,
  reason: 'ops' | 'schedule' = 'ops',
  now: Date = new Date(),
): Promise<Rotation> {
  for (let attempt = 0; attempt < SAMPLING_LIST_WRITE_ATTEMPTS; attempt++) {
    const row = await getSamplingList(db, envId);
    if (!row)
      throw new UnknownSamplingListError(
        envId,
        (await getSamplingLists(db)).map((r) => r.env_id),
      );
    const rotation = await rotateList(db, toCurrentList(row), now, reason);
    if (rotation) return rotation;
  }
  throw new SamplingError(
    `sampling list of ${envId} kept changing during the rotation (${SAMPLING_LIST_WRITE_ATTEMPTS} tries); run it again`,
  );
}
