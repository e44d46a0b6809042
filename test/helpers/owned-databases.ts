import { createHash } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { randomName } from './random-name.ts';

/**
 * Databases that tests and benches create carry the process that owns them in their name, so
 * that one left behind by a process that was killed (a cancelled test file, a bench stopped by
 * hand, a runner that hit its time limit before the `after` hooks ran) can be told from one in
 * use by a file running in parallel, and dropped by the next run.
 */

/** A short tag of this host: a pid means something only on the host where it runs. */
const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 6);

/** `<prefix><host>_p<pid>_[<label>_]<random>`. */
export function ownedDatabaseName(prefix: string, label?: string): string {
  return randomName(`${prefix}${HOST}_p${process.pid}_${label ? `${label}_` : ''}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Drops the databases named by {@link ownedDatabaseName} with `prefix` on this host whose owning
 * process is gone; returns their names. Databases of live processes (files running in parallel),
 * of other hosts and of any other naming are never touched. Safe to run from parallel files: a
 * database another sweep dropped first is skipped.
 */
export async function dropOrphanedDatabases(adminUrl: string, prefix: string, connectTimeoutMs: number): Promise<string[]> {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}${HOST}_p(\\d+)_(?:\\w+_)?[0-9a-f]{10}$`);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  const dropped: string[] = [];
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) {
      const pid = Number(pattern.exec(datname)?.[1]);
      if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
      try {
        // FORCE: children of the dead process (a CLI it spawned) may still hold connections.
        await client.query(`drop database if exists "${datname}" with (force)`);
        dropped.push(datname);
      } catch {
        // Another sweep is dropping it.
      }
    }
  } finally {
    await client.end();
  }
  return dropped;
}
