import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { minerEndpoint, range, seedList, seedMiner, seedResults, seedSlots } from '../helpers/seed.ts';
import { makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { auditBooks, booksHold, violations } from './books-audit.ts';
import { SlotSampler } from './slot-sampler.ts';
import { auditWeights } from './weights-audit.ts';

// The fault suite's audits must be able to fail: each is shown a broken book and must say so.
const database = useTestDatabase();
const redisHandle = useTestRedis();
const ENV = 'test/audit';
const SLOTS_ENV = 'test/audit-slots';

describe('the fault suite audits', () => {
  let queues: TestQueues | undefined;
  before(async () => {
    queues = TestQueues.open(testConfig({ EVALPOOL_QUEUE_PREFIX: redisHandle.prefix }));
    await seedList(database.db, ENV, range(0, 4));
    await seedMiner(database.db, { uid: 1 });
    await seedMiner(database.db, { uid: 2 });
  });
  after(async () => queues?.close());

  test('weights: a row from full coverage holds; one whose eligible miner lacks results in Postgres is flagged', async () => {
    await seedResults(database.db, { uid: 1 }, ENV, range(0, 4), () => 1);
    await seedResults(database.db, { uid: 2 }, ENV, range(0, 4), () => 0);
    const deps = {
      db: database.db,
      config: testConfig({ EVALPOOL_MIN_COVERAGE: '1' }),
      logger: testLogger(),
      block: () => Promise.resolve(10),
    };
    await computeAndPublishWeights(deps);
    assert.deepEqual(await auditWeights(database.db), { rows: 1, violations: [] });

    // A report that counted results Postgres never held (a pass over a phantom or partial read).
    await database.db.deleteFrom('results').where('hotkey', '=', 'hk2').where('task_id', '=', 3).execute();
    const audit = await auditWeights(database.db);
    assert.equal(audit.rows, 1);
    assert.match(audit.violations.join('\n'), /uid 2 counted 4 results in test\/audit, Postgres held 3/);
    await database.db.deleteFrom('score_snapshots').execute();
    await database.db.deleteFrom('weights').execute();
  });

  test('books: a stray job and a score-0 result whose attempts were all infrastructure are flagged', async () => {
    const wanted = makeTask({ env: ENV, uid: 1, hotkey: 'hk1', revision: 'r1', task_id: 0 });
    await redisHandle.redis.sadd(poolKeys(redisHandle.prefix).queues, ENV);
    // A job for a miner Postgres never heard of, and one for an id off the list.
    await queues!.add(makeTask({ env: ENV, uid: 9, hotkey: 'hk-unknown', revision: 'r1', task_id: 1 }));
    await queues!.add(makeTask({ env: ENV, uid: 1, hotkey: 'hk1', revision: 'r1', task_id: 999 }));
    const uuid = randomUUID();
    await database.db
      .insertInto('results')
      .values({
        task_uuid: uuid,
        env_id: ENV,
        task_id: 50,
        uid: 1,
        hotkey: 'hk1',
        revision: 'r1',
        success: false,
        score: 0,
        error_class: 'failure',
        worker_id: 'w',
      })
      .execute();
    await database.db
      .insertInto('attempts')
      .values({
        task_uuid: uuid,
        attempt: 1,
        env_id: ENV,
        task_id: 50,
        uid: 1,
        hotkey: 'hk1',
        revision: 'r1',
        error_class: 'env_error',
        worker_id: 'w',
      })
      .execute();
    const books = await auditBooks(database.db, redisHandle.redis, redisHandle.prefix, [wanted]);
    assert.equal(books.evaluated, 1);
    assert.equal(books.infrastructureScored, 1);
    assert.deepEqual([...books.strayJobs].sort(), [
      `hk-unknown@r1 ${ENV}#1 (pending: unknown miner)`,
      `hk1@r1 ${ENV}#999 (pending: retired id)`,
    ]);
    assert.equal(booksHold(books), false);
    assert.deepEqual(violations(books), ['1 infrastructure faults scored', '2 stray jobs']);
  });

  test('slot sampler: more jobs than the cap created while over it is a violation; a lowered cap alone is not', async () => {
    await seedMiner(database.db, { uid: 3, hotkey: 'hk3', endpoint: minerEndpoint('hk3'), committedBlock: 1 });
    await database.db
      .insertInto('miner_declarations')
      .values({ hotkey: 'hk3', endpoint: 'http://127.0.0.1:9/hk3', max_concurrent_episodes: 100, problem: null, probed_at: new Date() })
      .execute();
    await seedSlots(database.db, 'hk3', 2);
    await redisHandle.redis.sadd(poolKeys(redisHandle.prefix).queues, SLOTS_ENV);
    // Sampled by hand only: the sampler's own loop would sample first after a minute.
    const sampler = SlotSampler.start({
      redisUrl: redisHandle.url,
      db: database.db,
      prefix: redisHandle.prefix,
      defaultSlots: 4,
      everyMs: 60_000,
    });
    const task = (id: number) => makeTask({ env: SLOTS_ENV, uid: 3, hotkey: 'hk3', revision: 'r1', task_id: id });
    await queues!.add(task(1));
    await queues!.add(task(2));
    await sampler.ready();
    await sampler.sample();
    // Lowered to 1 with 2 in flight: the excess may drain, nothing new may come.
    await seedSlots(database.db, 'hk3', 2, { pinned: 1 });
    await sampler.sample();
    await sampler.sample();
    await queues!.add(task(3));
    await sampler.sample();
    const audit = await sampler.stop();
    assert.equal(audit.peak, 3);
    assert.equal(audit.violations.length, 1, audit.violations.join('\n'));
    assert.match(audit.violations[0]!, /^hk3: 3 in flight > cap 1/);
  });
});
