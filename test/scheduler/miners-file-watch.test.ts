// The static miners file as an operator meets it: missing at start (an error state from the
// leader's first run, one log line, not one per refresh), then created and edited; every change
// is seen at once through the watch, long before the (hour-long) refresh interval.
import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { StaticMinerSource } from '../../src/chain/static-miner-source.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { apiReaders } from '../../src/service/api-readers.ts';
import { coreLeaderTasks } from '../helpers/core-leader-tasks.ts';
import { getJson, testApp } from '../helpers/test-app.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { withTempDir } from '../helpers/with-temp-dir.ts';
import { poolConfig } from '../pool/pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

/** Replaces the file by a rename, as editors and deploy tools do (a new inode each time). */
async function replace(file: string, miners: readonly { uid: number; hotkey: string }[]): Promise<void> {
  const entries = miners.map((m) => ({ ...m, endpoint: `http://127.0.0.1:9/${m.hotkey}` }));
  await writeFile(`${file}.tmp`, JSON.stringify({ miners: entries }));
  await rename(`${file}.tmp`, file);
}

describe('the miners file, watched', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  test('missing: a warning from the first run and one log line; created, edited, edited in place: each change is in /v1/miners at once', async () => {
    await sql`truncate miners, miner_slots cascade`.execute(database.db);
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'miners.json');
      // The refresh interval is an hour: only the watch can explain a change seen in this test.
      const config = poolConfig(redisHandle.prefix, {
        EVALPOOL_MINERS_FILE: file,
        EVALPOOL_MINERS_REFRESH_SECONDS: '3600',
        EVALPOOL_SCHEDULER_TICK_MS: '200',
      });
      const { logger, lines } = capturingLogger();
      const source = new StaticMinerSource({ file, logger, watch: { debounceMs: 50, pollMs: 60_000 } });
      const scheduler = new Scheduler({
        config,
        db: database.db,
        logger,
        tasks: coreLeaderTasks(),
        minerSource: source,
        instanceId: 'watch',
      });
      cleanup.push(
        () => source.close(),
        () => scheduler.stop(),
      );
      // The status as serve reads it from Redis; the pool's readers play no part here.
      const { schedulerStatus } = apiReaders(config, redisHandle.redis, () => Promise.reject(new Error('not read')));
      const app = testApp(database.db, { config, readers: { schedulerStatus } });
      const hotkeys = async () =>
        (await getJson<{ miners: { hotkey: string }[] }>(app, '/v1/miners')).body.miners.map((m) => m.hotkey).join();
      const warnings = async () => (await getJson<{ warnings: string[] }>(app, '/v1/status')).body.warnings;

      await scheduler.start();
      const missing = `miner discovery fails, so no miner is evaluated: ${file}: cannot read the miners file (ENOENT)`;
      await waitFor('the missing file as a warning', async () => (await warnings()).includes(missing));
      assert.equal(source.watchMode, 'watch');

      await replace(file, [{ uid: 1, hotkey: 'hk-1' }]);
      await waitFor('the created file read at once', async () => (await hotkeys()) === 'hk-1');
      await waitFor('the warning gone', async () => (await warnings()).length === 0);

      await replace(file, [
        { uid: 1, hotkey: 'hk-1' },
        { uid: 2, hotkey: 'hk-2' },
      ]);
      await waitFor('the new miner at once', async () => (await hotkeys()) === 'hk-1,hk-2');

      // Written in place (no rename): the same inode, a new size.
      await writeFile(file, JSON.stringify({ miners: [{ uid: 2, hotkey: 'hk-2', endpoint: 'http://127.0.0.1:9/hk-2' }] }));
      await waitFor('the removed miner gone at once', async () => (await hotkeys()) === 'hk-2');

      // Broken after a good load: the last miners are kept, the status says so; one line each way.
      await writeFile(file, '{ "miners": [');
      await waitFor('the stale warning', async () =>
        (await warnings()).some((w) => w.startsWith('miner discovery fails since ') && w.includes(`${file}: not valid JSON`)),
      );
      assert.equal(await hotkeys(), 'hk-2');
      await rm(file);
      await waitFor('the deletion seen', async () =>
        (await warnings()).some((w) => w.endsWith(`${file}: cannot read the miners file (ENOENT)`)),
      );

      const failed = lines.filter((l) => l.msg === 'scheduler task failed (logged again only when the error changes)');
      assert.equal(failed.length, 1, 'the missing file at start: one line');
      // Its one sentence, no stack and no repetition ("(ENOENT): ENOENT: no such file or directory, stat …").
      assert.equal(failed[0]!.err, `${file}: cannot read the miners file (ENOENT)`);
      assert.equal(lines.filter((l) => l.msg === 'scheduler task succeeds again').length, 1);
      assert.equal(
        lines.filter((l) => l.msg === 'miner discovery failed: keeping the last known miners').length,
        2,
        'stale: one line per problem (broken, then deleted)',
      );
      assert.equal(lines.filter((l) => l.msg === 'miners file unusable: keeping the last good miners').length, 0, 'not logged twice');
      await scheduler.stop();
      await source.close();
    });
  });

  test('a folder that cannot be watched: the file is polled instead', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'later', 'miners.json');
      const { logger, lines } = capturingLogger();
      const source = new StaticMinerSource({ file, logger, watch: { debounceMs: 50, pollMs: 100 } });
      cleanup.push(() => source.close());
      let changes = 0;
      const unsubscribe = source.onChange(() => changes++);
      assert.equal(source.watchMode, 'poll');
      assert.ok(lines.some((l) => l.msg === "cannot watch the miners file's folder: polling the file instead" && l.reason === 'ENOENT'));
      await mkdir(path.dirname(file));
      await replace(file, [{ uid: 1, hotkey: 'hk-1' }]);
      await waitFor('the poll saw the new file', () => changes > 0);
      assert.deepEqual(
        (await source.refresh()).miners.map((m) => m.hotkey),
        ['hk-1'],
      );
      unsubscribe();
      assert.equal(source.watchMode, undefined, 'nobody listens: nothing watched');
      await source.close();
    });
  });
});
