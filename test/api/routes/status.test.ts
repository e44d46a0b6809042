import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import type { SchedulerStatus } from '../../../src/api/readers.ts';
import { computeAndPublishWeights } from '../../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../../helpers/seed.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../../helpers/test-logger.ts';

const database = useTestDatabase();
const config = testConfig({ EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '45' });
const pass = (block: number) =>
  computeAndPublishWeights({ db: database.db, config, logger: testLogger(), block: () => Promise.resolve(block) });

interface StatusBody {
  time: string;
  scheduler: {
    leader_id: string | null;
    last_tick_at: string | null;
    tasks: { name: string; last_run_at: string | null; last_error: string | null }[];
  } | null;
  scheduler_error: string | null;
  weights: { cycle_id: number; block_number: number; timestamp: string; age_seconds: number } | null;
  last_scoring: {
    snapshot_id: number;
    computed_at: string;
    block_number: number;
    eligible_count: number;
    published: boolean;
    reason: string | null;
  } | null;
  why_no_weights: string | null;
  environments: { env_id: string; scored: boolean; rotations: number; last_rotated_at: string; next_rotation_at: string }[];
}

describe('GET /v1/status', () => {
  test('a missing miners file is a warning from the first discovery on, naming the file; a stale source too', async () => {
    const missing = '/srv/evalpool/miners.json: cannot read the miners file (ENOENT)';
    const failing: SchedulerStatus = {
      leaderId: 'a',
      lastTickAt: new Date(),
      tasks: [{ name: 'miners', lastRunAt: new Date(), lastDurationMs: 1, lastError: missing }],
    };
    const first = await getJson<StatusBody & { warnings: string[] }>(
      testApp(database.db, { config, readers: { schedulerStatus: () => Promise.resolve(failing) } }),
      '/v1/status',
    );
    assert.deepEqual(first.body.warnings, [`miner discovery fails, so no miner is evaluated: ${missing}`]);
    const since = new Date('2026-06-01T00:00:00Z');
    const stale: SchedulerStatus = {
      leaderId: 'a',
      lastTickAt: new Date(),
      minerDiscovery: { at: new Date(), block: 1, active: 2, excluded: 0, stale: { since, error: missing } },
    };
    const later = await getJson<StatusBody & { warnings: string[] }>(
      testApp(database.db, { config, readers: { schedulerStatus: () => Promise.resolve(stale) } }),
      '/v1/status',
    );
    assert.deepEqual(later.body.warnings, [`miner discovery fails since 2026-06-01 00:00:00Z; the last known miners are kept: ${missing}`]);
    const fine = await getJson<StatusBody & { warnings: string[] }>(testApp(database.db, { config }), '/v1/status');
    assert.deepEqual(fine.body.warnings, []);
  });

  test('before anything: why there are no weights, and no scheduler reader', async () => {
    const { status, body } = await getJson<StatusBody>(testApp(database.db, { config }), '/v1/status');
    assert.equal(status, 200);
    assert.equal(body.scheduler, null);
    assert.equal(body.scheduler_error, 'scheduler status: not available in this process');
    assert.equal(body.weights, null);
    assert.equal(body.last_scoring, null);
    assert.equal(body.why_no_weights, 'no scoring pass has run yet: the scheduler leader computes weights every 45 s');
    assert.deepEqual(body.environments, []);
  });

  test('partial coverage: the reason of the last pass', async () => {
    await seedList(database.db, 'a', range(0, 10));
    await seedMiner(database.db, { uid: 1 });
    await seedResults(database.db, { uid: 1 }, 'a', range(0, 3), () => 1);
    await pass(500);
    const { body } = await getJson<StatusBody>(testApp(database.db, { config }), '/v1/status');
    assert.equal(body.weights, null);
    assert.equal(body.last_scoring?.published, false);
    assert.equal(body.last_scoring?.block_number, 500);
    assert.match(body.why_no_weights!, /^no eligible miner: none of 1 has coverage >= 0.8 .*closest: uid 1 at 0.300 in env a$/);
    assert.equal(body.environments[0]?.env_id, 'a');
    assert.equal(Date.parse(body.environments[0].next_rotation_at) - Date.parse(body.environments[0].last_rotated_at), 3_600_000);
  });

  test('weights published, then a miner stops: the weights stand and the status says why', async () => {
    await seedResults(database.db, { uid: 1 }, 'a', range(3, 7), () => 1);
    assert.equal((await pass(501)).outcome, 'published');
    let { body } = await getJson<StatusBody>(testApp(database.db, { config }), '/v1/status');
    assert.equal(body.why_no_weights, null);
    assert.equal(body.weights?.block_number, 501);
    assert.ok(body.weights.age_seconds >= 0 && body.weights.age_seconds < 60);
    assert.equal(body.last_scoring?.published, true);

    // A rotation replaces ids the miner had results for; it cannot keep up (its endpoint stopped).
    await sql`update sampling_lists set task_ids = ${range(5, 10)}::int[]`.execute(database.db);
    assert.equal((await pass(502)).outcome, 'no-weights');
    ({ body } = await getJson<StatusBody>(testApp(database.db, { config }), '/v1/status'));
    assert.equal(body.weights?.block_number, 501);
    assert.match(body.why_no_weights!, /^no eligible miner: .* \(the weights of block 501 stand\)$/);
  });

  test('the scheduler reader is shown; a failing or silent reader does not fail the route', async () => {
    const status: SchedulerStatus = {
      leaderId: 'host-a-123',
      lastTickAt: new Date('2026-05-01T00:00:00Z'),
      tasks: [{ name: 'weights', lastRunAt: new Date('2026-05-01T00:00:01Z'), lastDurationMs: 12, lastError: null }],
    };
    let { body } = await getJson<StatusBody>(
      testApp(database.db, { config, readers: { schedulerStatus: () => Promise.resolve(status) } }),
      '/v1/status',
    );
    assert.deepEqual(body.scheduler, {
      leader_id: 'host-a-123',
      last_tick_at: '2026-05-01T00:00:00.000Z',
      tasks: [{ name: 'weights', last_run_at: '2026-05-01T00:00:01.000Z', last_duration_ms: 12, last_error: null }],
      miner_discovery: null,
    });
    assert.equal(body.scheduler_error, null);

    const { logger, lines } = capturingLogger('warn');
    const failing = testApp(database.db, {
      config,
      logger,
      readers: { schedulerStatus: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379')) },
    });
    const failed = await getJson<StatusBody>(failing, '/v1/status');
    assert.equal(failed.status, 200);
    assert.equal(failed.body.scheduler, null);
    assert.equal(failed.body.scheduler_error, 'scheduler status: could not be read (see the server log)');
    assert.ok(!JSON.stringify(failed.body).includes('10.0.0.7'), 'internal addresses are not echoed');
    assert.ok(lines.some((l) => l.msg === 'an API reader failed'));

    const silent = testApp(database.db, {
      config,
      tuning: { readerTimeoutMs: 30 },
      readers: { schedulerStatus: () => new Promise<never>(() => {}) },
    });
    ({ body } = await getJson<StatusBody>(silent, '/v1/status'));
    assert.equal(body.scheduler_error, 'scheduler status: no answer within 30 ms');
  });
});
