import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queueKey } from '../../src/pool/pool-keys.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { currentLists, ManualConsumer, openPoolInTerm, poolConfig, poolTasks, putList } from '../pool/pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

describe('evalpool tasks paused list|delete', () => {
  let pool: TaskPool;
  let consumer: ManualConsumer;
  // Postgres too: a --miner filter is checked against the miners the scheduler has seen.
  const vars = (): Record<string, string> => ({
    EVALPOOL_QUEUE_PREFIX: redisHandle.prefix,
    EVALPOOL_LOG_LEVEL: 'warn',
    EVALPOOL_DATABASE_URL: database.url,
  });

  before(async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: [1, 2, 3] });
    await putList(database.db, { env_id: 'env-b', task_ids: [7, 8, 9] });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 6);
    await seedSlots(database.db, 'hk2', 6);
    const config = poolConfig(redisHandle.prefix, { EVALPOOL_MAX_ENV_SHARE: '1' });
    ({ pool } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, database.db, config));
    consumer = ManualConsumer.open(redisHandle.url, redisHandle.prefix, config);
    await pool.topUp(await currentLists(database.db));
    // Pause hk1's env-a tasks and hk2's env-b tasks; make hk1's 3 h old.
    for (const env of ['env-a', 'env-b']) {
      for (let taken = await consumer.take(env); taken; taken = await consumer.take(env)) {
        if ((env === 'env-a') === (taken.data.hotkey === 'hk1')) {
          await consumer.fail(taken);
          if (env === 'env-a')
            await redisHandle.redis.zadd(queueKey(redisHandle.prefix, env, 'failed'), Date.now() - 3 * 3_600_000, String(taken.job.id));
        } else await consumer.complete(database.db, taken);
      }
    }
  });
  after(async () => {
    await consumer.close();
    await pool.close();
  });

  test('list filters by miner, env and age and prints a table and the count', async () => {
    const all = await runCli(['tasks', 'paused', 'list'], vars());
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /env\s+miner\s+revision\s+task_id\s+paused_at\s+age\n/);
    assert.match(all.stdout, /6 paused tasks/);
    const old = await runCli(['tasks', 'paused', 'list', '--older-than', '2h'], vars());
    assert.match(old.stdout, /3 paused tasks/);
    assert.match(old.stdout, /env-a\s+hk1\s+r1\s+1 .*3\.0h\n {2}reason: env_error: simulated/);
    const byMiner = await runCli(['tasks', 'paused', 'list', '--miner', 'hk2', '--env', 'env-b'], vars());
    assert.match(byMiner.stdout, /3 paused tasks/);
    assert.doesNotMatch(byMiner.stdout, /hk1/);
    const bad = await runCli(['tasks', 'paused', 'list', '--older-than', 'soon'], vars());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--older-than "soon": must be a number followed by ms, s, m, h or d/);
  });

  test('list prints the whole reason of each task, however long, wrapped to 100 columns (one line with --wide)', async () => {
    const [jobId] = await redisHandle.redis.zrange(queueKey(redisHandle.prefix, 'env-b', 'failed'), '0', '0');
    const reason = `miner_unavailable: circuit of http://10.0.0.7:8000 is open until 2026-12-07 01:00:00Z; it opened on: POST /reset: connect ECONNREFUSED 10.0.0.7:8000 ${'x'.repeat(60)}`;
    await redisHandle.redis.hset(queueKey(redisHandle.prefix, 'env-b', jobId!), 'failedReason', reason);
    const listed = await runCli(['tasks', 'paused', 'list', '--env', 'env-b'], vars());
    assert.equal(listed.code, 0, listed.stderr);
    for (const line of listed.stdout.split('\n')) assert.ok(line.length <= 100, `${line.length} columns: ${line}`);
    // The lines after "  reason: " are indented to its end; joined again they are the whole reason.
    const block = /\n {2}reason: (miner_unavailable: circuit[^\n]*(?:\n {10}\S[^\n]*)*)/.exec(listed.stdout);
    assert.ok(block, listed.stdout);
    assert.ok(block[1]!.includes('\n'), 'wrapped');
    assert.equal(block[1]!.replace(/\n {10}/g, ' '), reason);
    const wide = await runCli(['tasks', 'paused', 'list', '--env', 'env-b', '--wide'], vars());
    assert.ok(wide.stdout.includes(`  reason: ${reason}\n`), wide.stdout);
  });

  test('delete with --dry-run deletes nothing; without it deletes what the filters select and says how many', async () => {
    const dry = await runCli(['tasks', 'paused', 'delete', '--miner', 'hk1', '--dry-run'], vars());
    assert.match(dry.stdout, /dry run: 3 paused tasks would be deleted/);
    assert.equal(
      (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a', 'env-b'])).filter((t) => t.state === 'paused').length,
      6,
    );
    const real = await runCli(['tasks', 'paused', 'delete', '--older-than', '1h'], vars());
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /deleted 3 paused tasks/);
    const left = (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a', 'env-b'])).filter((t) => t.state === 'paused');
    assert.deepEqual([...new Set(left.map((t) => t.hotkey))], ['hk2']);
  });

  test('--json: snake_case rows with the whole reason; tasks stats counts as the API does; an unknown env is an error', async () => {
    const listed = await runCli(['tasks', 'paused', 'list', '--json'], vars());
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    assert.equal(rows.length, 3);
    assert.deepEqual(Object.keys(rows[0]!), ['env', 'miner', 'revision', 'task_id', 'paused_at', 'age', 'reason']);
    assert.equal(rows[0]!.miner, 'hk2');
    assert.match(String(rows[0]!.paused_at), /^\d{4}-\d\d-\d\dT/);

    const stats = await runCli(['tasks', 'stats', '--json'], { ...vars(), EVALPOOL_DATABASE_URL: database.url });
    assert.equal(stats.code, 0, stats.stderr);
    const counts = JSON.parse(stats.stdout) as {
      total: Record<string, number>;
      by_env: Record<string, Record<string, number>>;
      by_miner: Record<string, Record<string, number>>;
    };
    assert.equal(counts.total.paused, 3);
    assert.equal(counts.by_env['env-b']?.paused, 3);
    assert.equal(counts.by_miner.hk2?.paused, 3);
    const table = await runCli(['tasks', 'stats'], { ...vars(), EVALPOOL_DATABASE_URL: database.url });
    assert.match(table.stdout, /^tasks: \d+ pending, \d+ assigned, 3 paused/);

    for (const command of ['list', 'delete']) {
      const unknown = await runCli(['tasks', 'paused', command, '--env', 'env-typo'], vars());
      assert.equal(unknown.code, 1, `${command}: ${unknown.stdout}`);
      assert.match(unknown.stderr, /^evalpool: unknown env "env-typo": the pool has no queue for it \(known: env-a, env-b\)/);
      const nobody = await runCli(['tasks', 'paused', command, '--miner', 'hk-typo'], vars());
      assert.equal(nobody.code, 1, `${command}: ${nobody.stdout}`);
      assert.match(nobody.stderr, /^evalpool: unknown hotkey hk-typo: the scheduler has never seen it/);
    }
  });

  test('deleting every paused task (no filter) asks first: without a terminal it needs --yes', async () => {
    const paused = async () =>
      (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a', 'env-b'])).filter((t) => t.state === 'paused').length;
    const refused = await runCli(['tasks', 'paused', 'delete'], vars());
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^evalpool: delete all 3 paused tasks of every env and miner: refusing without a confirmation \(no terminal to ask on\); run again with --yes/,
    );
    assert.equal(await paused(), 3);
    const confirmed = await runCli(['tasks', 'paused', 'delete', '--yes'], vars());
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(confirmed.stdout, /deleted 3 paused tasks/);
    assert.equal(await paused(), 0);
  });
});
