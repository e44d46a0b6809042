// The adversary of the measured rule (docs/design.md, "Once the miner has the task, the episode is
// measured") that works on the pool instead of the episode: it declines every task after reading
// it at /reset (HTTP 500), then, while the declined tasks wait for their retry, first answers its
// /health with garbage and then declares 1 episode at a time, so that the leader trims the retried
// jobs over the lowered cap; it declares 4 again and the tasks are created again. Before the fix
// every re-creation was a fresh job and the miner escaped its scored failures forever; now it must
// end with one (score 0) per task, having seen each task exactly the pool's attempts.
//
// Real parts: Postgres, Redis, BullMQ, the TaskWorker with the MuJoCo evaluator, the leader's
// top-up and its real /health probe, and the miner as a real HTTP server.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as v from 'valibot';
import { declaredEpisodes, getMinerDeclarations } from '../../src/db/tables/miner-declarations.ts';
import { ResetRequestSchema } from '../../src/miners/endpoint-contract.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { refreshDeclarations } from '../../src/scheduler/refresh-declarations.ts';
import { builtInEvaluators, registryEvaluator } from '../../src/worker/evaluation/evaluators.ts';
import { seedMiner, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startTestServer, type TestServer } from '../miners/test-server.ts';
import { startWorker, type WorkerHarness } from '../worker/harness.ts';
import { currentLists, openPoolInTerm, poolConfig, poolTasks, putList, resetPool } from './pool-fixture.ts';

const REACH = 'mujoco/reach-v1';
const TASK_IDS = [11, 12, 13];
const ATTEMPTS = 3;
/** Rounds of the attack the test allows; with the rule in place the tasks are scored within 3. */
const MAX_ROUNDS = 10;
const database = useTestDatabase();
const redisHandle = useTestRedis();

/** What the adversary's /health says now. */
type Health = { declared: number } | 'garbage' | 'hang';

const open: { pool?: TaskPool; worker?: WorkerHarness; miner?: TestServer; evaluators?: { stop(): Promise<void> } } = {};
after(async () => {
  await open.worker?.stop();
  await open.evaluators?.stop();
  await open.pool?.close();
  await open.miner?.close();
});

let health: Health = { declared: 4 };
const resets = new Map<number, number>();

/** The adversary: a real HTTP miner that reads each task at /reset and declines it. */
async function startAdversary(): Promise<TestServer> {
  return startTestServer((request, response, body) => {
    if (request.url === '/health') {
      const now = health;
      if (now === 'hang') return;
      if (now === 'garbage')
        return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"max_concurrent_episodes": 1,');
      return void response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', max_concurrent_episodes: now.declared }));
    }
    if (request.url === '/reset') {
      // It reads the task (seed, task id), then declines it.
      const taskId = v.parse(ResetRequestSchema, JSON.parse(body)).task_config.task_id;
      resets.set(taskId, (resets.get(taskId) ?? 0) + 1);
      return void response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"not this one"}');
    }
    response.writeHead(404).end();
  });
}

test('a miner that declines tasks after /reset and shrinks its cap to get the retries trimmed still gets a scored failure for each', async (t) => {
  const db = database.db;
  await resetPool(db, redisHandle.redis, redisHandle.prefix);
  const miner = (open.miner = await startAdversary());
  const config = poolConfig(redisHandle.prefix, {
    EVALPOOL_TASK_ATTEMPTS: String(ATTEMPTS),
    // The retry waits long enough for the adversary to act (the test promotes it when it is done).
    EVALPOOL_TASK_BACKOFF_MS: '600000',
    EVALPOOL_MAX_ENV_SHARE: '1',
    EVALPOOL_LOCK_DURATION_MS: '30000',
    EVALPOOL_STALLED_INTERVAL_MS: '15000',
    EVALPOOL_RESULT_FLUSH_MS: '5',
    EVALPOOL_CIRCUIT_FAILURE_THRESHOLD: '1000',
  });
  await putList(db, { env_id: REACH, task_ids: TASK_IDS });
  await seedMiner(db, { uid: 1, hotkey: 'hk-adversary', endpoint: miner.url, committedBlock: 1 });
  await seedSlots(db, 'hk-adversary', 4);

  const { pool } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, db, config);
  open.pool = pool;
  const evaluators = builtInEvaluators(config, testLogger());
  open.evaluators = evaluators;
  open.worker = await startWorker(config, db, registryEvaluator(evaluators.registry).evaluator, {
    envs: [REACH],
    concurrency: 4,
    workerId: 'decline-worker',
  });

  const logger = testLogger();
  const probe = async (next: Health): Promise<number> => {
    health = next;
    await refreshDeclarations(db, { max: 32, refreshMs: 0, timeoutMs: 2_000 }, new Date(), new AbortController().signal, logger);
    return declaredEpisodes((await getMinerDeclarations(db)).get('hk-adversary'), miner.url);
  };
  const tasks = () => poolTasks(redisHandle.redis, redisHandle.prefix, [REACH]);
  const scored = () =>
    db
      .selectFrom('results')
      .select(['task_id', 'error_class', 'score', 'error_message'])
      .where('hotkey', '=', 'hk-adversary')
      .orderBy('task_id')
      .execute();

  // The hourly creation cap (rotation rate × margin) would hold re-creations back for an hour
  // each: every round of the attack happens an hour after the previous one, on the top-up's clock.
  let clock = Date.now();
  const topUp = async () => pool.topUp(await currentLists(db), clock);
  let trimmed = 0;
  let rounds = 0;
  for (; rounds < MAX_ROUNDS && (await scored()).length < TASK_IDS.length; rounds++, clock += 3_600_000) {
    assert.equal(await probe({ declared: 4 }), 4);
    await topUp();
    // Every task in the pool has been delivered and declined: it waits for its retry (or is scored).
    await waitFor('each task in the pool to be declined and waiting for its retry', async () => {
      const now = await tasks();
      return now.every((t) => t.list === 'delayed') ? now : undefined;
    });
    // Lever 1: a /health that answers garbage or nothing. The declaration stands, nothing is trimmed.
    for (const lever of ['garbage', 'hang'] as const) {
      assert.equal(await probe(lever), 4, `a /health answering ${lever} keeps the declaration`);
      const report = await topUp();
      assert.equal(report.removed['over-slots'], undefined, `nothing trimmed after ${lever}`);
    }
    // Lever 2: a well-formed declaration of 1 (the miner's right): its retried jobs over 1 are trimmed.
    const before = await tasks();
    assert.equal(await probe({ declared: 1 }), 1);
    const report = await topUp();
    assert.equal(report.removed['over-slots'] ?? 0, Math.max(0, before.length - 1));
    trimmed += report.removed['over-slots'] ?? 0;
    // The one left waits its backoff; the test lets that time pass.
    await pool.queues.get(REACH).promoteJobs();
    await waitFor('the promoted retry to be declined again or scored', async () => (await tasks()).every((t) => t.list === 'delayed'));
  }

  const results = await scored();
  t.diagnostic(
    `decline-and-trim: ${rounds} round(s), ${trimmed} retried job(s) trimmed, /reset per task ${JSON.stringify(Object.fromEntries(resets))}`,
  );
  assert.ok(trimmed >= 2, `the adversary got retried jobs trimmed (${trimmed})`);
  assert.deepEqual(
    results.map((r) => [r.task_id, r.error_class, r.score]),
    TASK_IDS.map((id) => [id, 'failure', 0]),
    `every declined task ends as a scored failure within the rounds (${rounds} of ${MAX_ROUNDS} used)`,
  );
  for (const r of results)
    assert.match(
      r.error_message ?? '',
      new RegExp(`^scored as a failure: the miner received this task and gave no answer in ${ATTEMPTS} attempt\\(s\\)`),
    );
  assert.deepEqual(
    TASK_IDS.map((id) => resets.get(id)),
    TASK_IDS.map(() => ATTEMPTS),
    'the miner saw each task exactly the pool’s attempts, however often its retries were trimmed',
  );
  assert.deepEqual(await tasks(), [], 'nothing left in the pool, nothing paused');
});
