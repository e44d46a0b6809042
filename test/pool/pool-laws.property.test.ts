import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { saveMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { parseDeclaredConcurrency } from '../../src/miners/declared-concurrency.ts';
import { LeaseLostError } from '../../src/pool/fenced-create.ts';
import { bucketAt, bucketField, capRule, decodeBucket, mayCreate } from '../../src/pool/hourly-cap.ts';
import { poolKeys, queueKey } from '../../src/pool/pool-keys.ts';
import { parseTaskJobId } from '../../src/pool/task-job.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { minerEndpoint, seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import {
  currentLists,
  inFlightByHotkey,
  ManualConsumer,
  openPoolInTerm,
  poolConfig,
  poolTasks,
  putList,
  resetPool,
  rotateList,
} from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

const ENVS = ['env-x', 'env-y'] as const;
const HOTKEYS = ['hk0', 'hk1', 'hk2'] as const;
const LIST_SIZE = 5;

type Action =
  | { kind: 'tick' }
  | { kind: 'complete'; env: number; n: number }
  | { kind: 'fail'; env: number }
  | { kind: 'die'; env: number }
  | { kind: 'reconcile' }
  | { kind: 'rotate'; env: number }
  | { kind: 'revision'; miner: number }
  | { kind: 'deregister'; miner: number }
  | { kind: 'register'; miner: number }
  | { kind: 'ttl' }
  | { kind: 'restart'; staleTries: boolean }
  | { kind: 'declare'; miner: number; value: Declaration };

/** What a miner's /health may say: nothing, a usable count, or what a gaming or broken miner sends. */
type Declaration = number | string | null | undefined;
const declaration: fc.Arbitrary<Declaration> = fc.constantFrom<Declaration>(undefined, 1, 2, 3, 0, -2, 1.5, 1_000_000_000, '3', null);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'tick' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), env: fc.nat(1), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fail' as const), env: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('die' as const), env: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconcile' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rotate' as const), env: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revision' as const), miner: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deregister' as const), miner: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('register' as const), miner: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'ttl' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), staleTries: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('declare' as const), miner: fc.nat(2), value: declaration }) },
);

const SLOTS_MAX = 32;

/** Every job id in every BullMQ state list, without de-duplication. */
async function rawJobIds(prefix: string): Promise<string[]> {
  const read = redisHandle.redis.pipeline();
  for (const env of ENVS) {
    for (const list of ['wait', 'paused', 'active']) read.lrange(queueKey(prefix, env, list), 0, -1);
    for (const set of ['prioritized', 'delayed', 'failed', 'completed']) read.zrange(queueKey(prefix, env, set), '0', '-1');
  }
  return ((await read.exec()) ?? []).flatMap(([, ids]) => ids as string[]);
}

describe('pool laws under random ticks, completions, failures, worker deaths, rotations, miner changes and restarts', () => {
  test('after every step: in flight ≤ min(slots, declared); no task twice; no task both pooled and evaluated; paused tasks hold no slot', async () => {
    const prefix = redisHandle.prefix;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
        fc.array(declaration, { minLength: 3, maxLength: 3 }),
        fc.array(action, { minLength: 5, maxLength: 25 }),
        // A margin of 1 runs out of tokens within a run (the clock is real): re-creations then go on.
        fc.constantFrom(1, 1000),
        async (slots, initialDeclarations, actions, margin) => {
          const config = poolConfig(prefix, { EVALPOOL_MAX_ENV_SHARE: '1', EVALPOOL_HOURLY_CAP_MARGIN: String(margin) });
          await resetPool(database.db, redisHandle.redis, prefix);
          for (const [i, env] of ENVS.entries())
            await putList(database.db, { env_id: env, task_ids: Array.from({ length: LIST_SIZE }, (_, k) => i * 100 + k) });
          const miners = HOTKEYS.map((hotkey, uid) => ({ uid, hotkey, revision: 1, registered: true }));
          const syncMiners = (): Promise<void> =>
            seedActiveMiners(
              database.db,
              miners.filter((m) => m.registered).map((m) => ({ uid: m.uid, hotkey: m.hotkey, revision: `r${m.revision}` })),
              { declared: null },
            );
          await syncMiners();
          for (const [i, hotkey] of HOTKEYS.entries()) await seedSlots(database.db, hotkey, slots[i]!);
          // The cap the law names: min(slots, declared), as stored now and as the pool last read it.
          const declared = [1, 1, 1];
          // `undefined`: the /health has no declaration (at start: never probed, no row).
          const declare = async (miner: number, value: Declaration, probed = true): Promise<void> => {
            if (value === undefined && !probed) return;
            declared[miner] = parseDeclaredConcurrency(value === undefined ? {} : { max_concurrent_episodes: value }, SLOTS_MAX).episodes;
            await saveMinerDeclarations(
              database.db,
              [{ hotkey: HOTKEYS[miner]!, endpoint: minerEndpoint(HOTKEYS[miner]!), episodes: declared[miner] }],
              new Date(),
            );
          };
          for (const [i, value] of initialDeclarations.entries()) await declare(i, value, false);
          const capNow = (i: number): number => Math.min(slots[i]!, declared[i]!);
          const seen = HOTKEYS.map((_, i) => capNow(i));
          // A lowered cap cannot stop episodes already running: a miner may stay above it until they
          // end, but never above the highest cap the pool has read.
          const highest = [...seen];
          const poolRead = (): void => {
            for (let i = 0; i < HOTKEYS.length; i++) {
              seen[i] = capNow(i);
              highest[i] = Math.max(highest[i]!, seen[i]!);
            }
          };
          let before = new Set(await rawJobIds(prefix));
          let nextId = 1_000;

          const pools: TaskPool[] = [];
          let { pool } = await openPoolInTerm(redisHandle.url, prefix, database.db, config);
          pools.push(pool);
          const consumer = ManualConsumer.open(redisHandle.url, prefix, config);
          try {
            for (const step of actions) {
              const lists = await currentLists(database.db);
              switch (step.kind) {
                case 'tick':
                  await pool.topUp(lists);
                  poolRead();
                  break;
                case 'complete':
                  for (let i = 0; i < step.n; i++) {
                    const taken = await consumer.take(ENVS[step.env]!);
                    if (taken) await consumer.complete(database.db, taken);
                  }
                  break;
                case 'fail': {
                  const taken = await consumer.take(ENVS[step.env]!);
                  if (taken) await consumer.fail(taken);
                  break;
                }
                case 'die': {
                  const taken = await consumer.take(ENVS[step.env]!);
                  if (taken) await consumer.abandon(taken);
                  break;
                }
                case 'reconcile':
                  await pool.reconcile(lists);
                  poolRead();
                  break;
                case 'declare':
                  await declare(step.miner, step.value);
                  break;
                case 'rotate':
                  await rotateList(database.db, ENVS[step.env]!, [nextId++]);
                  break;
                case 'revision':
                  miners[step.miner]!.revision++;
                  await syncMiners();
                  break;
                case 'deregister':
                  miners[step.miner]!.registered = false;
                  await syncMiners();
                  break;
                case 'register':
                  miners[step.miner]!.registered = true;
                  await syncMiners();
                  break;
                case 'ttl': {
                  // Every paused task reaches its TTL.
                  for (const env of ENVS) {
                    const failed = await redisHandle.redis.zrange(queueKey(prefix, env, 'failed'), '0', '-1');
                    for (const id of failed) await redisHandle.redis.zadd(queueKey(prefix, env, 'failed'), 1, id);
                  }
                  await pool.cleanPaused(lists);
                  break;
                }
                case 'restart': {
                  const stale = pool;
                  ({ pool } = await openPoolInTerm(redisHandle.url, prefix, database.db, config));
                  pools.push(pool);
                  await pool.reconcile(lists);
                  poolRead();
                  if (step.staleTries) {
                    const before = (await rawJobIds(prefix)).length;
                    await assert.rejects(stale.topUp(lists), LeaseLostError, 'a stale leader cannot top up');
                    assert.equal((await rawJobIds(prefix)).length, before, 'and it created nothing');
                  }
                  await stale.close();
                  break;
                }
              }

              // The laws, after every step.
              const raw = await rawJobIds(prefix);
              assert.equal(new Set(raw).size, raw.length, `no job id twice in the pool (after ${step.kind})`);
              assert.ok(
                raw.every((id) => parseTaskJobId(id)),
                'only task jobs',
              );
              const tasks = await poolTasks(redisHandle.redis, prefix, ENVS);
              const load = inFlightByHotkey(tasks);
              const raw2 = new Set(raw);
              const created = [...raw2].filter((id) => !before.has(id)).map((id) => parseTaskJobId(id)!);
              before = raw2;
              for (const [i, hotkey] of HOTKEYS.entries()) {
                const n = load.get(hotkey) ?? 0;
                assert.ok(
                  n <= highest[i]!,
                  `${hotkey}: in flight ${n} ≤ the highest cap read ${highest[i]} ≤ slots ${slots[i]} (after ${step.kind})`,
                );
                if (created.some((c) => c.hotkey === hotkey))
                  assert.ok(
                    n <= seen[i]!,
                    `${hotkey}: tasks created while in flight ${n} > min(slots, declared) ${seen[i]} (after ${step.kind})`,
                  );
                if (step.kind === 'tick' && n > seen[i]!) {
                  const pending = tasks.filter((t) => t.hotkey === hotkey && t.state === 'pending').length;
                  assert.equal(
                    pending,
                    0,
                    `${hotkey}: over its cap ${seen[i]} after a tick with ${pending} tasks still pending (only running episodes may exceed it)`,
                  );
                }
              }
              const results = await database.db.selectFrom('results').select(['hotkey', 'revision', 'env_id', 'task_id']).execute();
              const evaluated = new Set(results.map((r) => `${r.hotkey}|${r.revision}|${r.env_id}|${r.task_id}`));
              for (const t of tasks)
                assert.ok(
                  !evaluated.has(`${t.hotkey}|${t.revision}|${t.env}|${t.taskId}`),
                  `task ${t.jobId} (${t.state}) has a result (after ${step.kind})`,
                );

              // Liveness right after a tick: a miner below its slots has nothing it may create,
              // counting paused tasks as taken but not as in flight.
              if (step.kind === 'tick') {
                const current = await currentLists(database.db);
                const buckets = await redisHandle.redis.hgetall(poolKeys(prefix).buckets);
                for (const [i, m] of miners.entries()) {
                  if (!m.registered || (load.get(m.hotkey) ?? 0) >= seen[i]!) continue;
                  const revision = `r${m.revision}`;
                  for (const list of current) {
                    // Out of tokens, ids the bucket already paid for are still created (hourly-cap.ts).
                    const bucket = bucketAt(
                      decodeBucket(buckets[bucketField(m.hotkey, revision, list.env_id)]),
                      capRule(list, margin),
                      Date.now(),
                    );
                    const creatable = list.task_ids.filter(
                      (id) =>
                        mayCreate(bucket, id) &&
                        !evaluated.has(`${m.hotkey}|${revision}|${list.env_id}|${id}`) &&
                        !tasks.some((t) => t.hotkey === m.hotkey && t.revision === revision && t.env === list.env_id && t.taskId === id),
                    );
                    assert.deepEqual(
                      creatable,
                      [],
                      `${m.hotkey} has free slots but ${list.env_id} ids ${creatable.join(',')} were not created`,
                    );
                  }
                }
              }
            }
          } finally {
            await consumer.close();
            for (const p of pools) await p.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
