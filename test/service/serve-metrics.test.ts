import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../src/config/schema.ts';
import { dropDatabase } from '../../src/db/ensure-database.ts';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import { type RunningServe, startServe } from '../../src/service/serve.ts';
import { ERROR_CLASSES } from '../../src/worker/episode/error-class.ts';
import { type Family, parsePrometheusText, samplesOf, valueOf } from '../helpers/prometheus-text.ts';
import { testConfig } from '../helpers/test-config.ts';
import { randomDatabaseUrl } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../helpers/with-temp-dir.ts';

const redisHandle = useTestRedis();
const ENV = 'mujoco/reach-v1';
const HOTKEY = 'metrics-expert';

/**
 * `evalpool serve` in process, as an operator runs it with inline workers: a MuJoCo env whose
 * 2-id list rotates every second, one expert demo miner from a static miners file, ticks every
 * 100 ms and weights every second. After some activity its `/metrics` must carry every series.
 */
describe('serve /metrics after real activity', () => {
  let dir: string;
  let miner: DemoMiner;
  let serve: RunningServe | undefined;
  let config: Config;
  const databaseUrl = randomDatabaseUrl();

  before(async () => {
    dir = makeTempDir('metrics');
    miner = await startDemoMiner({ policy: 'expert' });
    await mkdir(path.join(dir, 'lists'));
    await writeFile(
      path.join(dir, 'lists', 'mujoco__reach-v1.json'),
      JSON.stringify({
        env_id: ENV,
        family: 'mujoco',
        dataset: { start: 0, end: 1_000_000 },
        list_size: 2,
        rotation: { count: 1, interval_seconds: 1 },
        scored: true,
      }),
    );
    await writeFile(path.join(dir, 'miners.json'), JSON.stringify({ miners: [{ uid: 0, hotkey: HOTKEY, endpoint: miner.url }] }));
    config = testConfig({
      EVALPOOL_DATABASE_URL: databaseUrl,
      EVALPOOL_QUEUE_PREFIX: redisHandle.prefix,
      EVALPOOL_PORT: '0',
      EVALPOOL_SAMPLING_LISTS_DIR: path.join(dir, 'lists'),
      EVALPOOL_MINERS_FILE: path.join(dir, 'miners.json'),
      EVALPOOL_INLINE_WORKERS: '2',
      EVALPOOL_SCHEDULER_TICK_MS: '100',
      EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '1',
      EVALPOOL_MIN_COVERAGE: '0.5',
      EVALPOOL_RESULT_FLUSH_MS: '5',
      EVALPOOL_RATE_LIMIT_PER_MINUTE: '0',
    });
    serve = await startServe(config, testLogger());
  });

  after(async () => {
    await serve?.lifecycle.stopAll(config.server.shutdownGraceMs);
    await miner.close();
    await dropDatabase(databaseUrl);
    removeTempDir(dir);
  });

  async function scrape(): Promise<{ families: Map<string, Family>; contentType: string | null }> {
    const response = await fetch(`${serve!.url}/metrics`);
    assert.equal(response.status, 200);
    return { families: parsePrometheusText(await response.text()), contentType: response.headers.get('content-type') };
  }

  test('valid Prometheus text with every series, bounded labels', async () => {
    const db = serve!.db;
    await waitFor('results, a rotation and published weights', async () => {
      const results = await db.selectFrom('results').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const weights = await db.selectFrom('weights').select('id').executeTakeFirst();
      const list = await db.selectFrom('sampling_lists').select('version').where('env_id', '=', ENV).executeTakeFirstOrThrow();
      return Number(results.n) >= 2 && weights !== undefined && list.version >= 1;
    });
    for (const p of ['/v1/weights/latest', '/v1/weights/1', '/v1/weights/2', '/v1/weights/3', '/no/such/path'])
      await fetch(`${serve!.url}${p}`);

    const { families, contentType } = await scrape();
    assert.equal(contentType, 'text/plain; version=0.0.4; charset=utf-8');
    const present = (family: string, match: Record<string, string> = {}, sample = family) =>
      assert.ok(samplesOf(families, family, match, sample).length > 0, `${sample} ${JSON.stringify(match)}`);

    // Pool, at scrape time.
    for (const state of ['pending', 'assigned', 'paused']) present('evalpool_tasks', { env: ENV, state });
    assert.equal(valueOf(families, 'evalpool_miner_slots', { hotkey: HOTKEY }), config.slots.default);
    present('evalpool_miner_in_flight_tasks', { hotkey: HOTKEY });
    assert.equal(valueOf(families, 'evalpool_miner_circuit_open', { hotkey: HOTKEY }), 0);
    // Workers and evaluator.
    assert.ok(valueOf(families, 'evalpool_task_attempts_total', { env: ENV, error_class: 'success' }) >= 2);
    for (const errorClass of ERROR_CLASSES) present('evalpool_task_attempts_total', { env: ENV, error_class: errorClass });
    assert.equal(valueOf(families, 'evalpool_tasks_paused_total', { env: ENV }), 0);
    assert.ok(
      valueOf(
        families,
        'evalpool_episode_duration_seconds',
        { env: ENV, error_class: 'success' },
        'evalpool_episode_duration_seconds_count',
      ) >= 2,
    );
    assert.ok(valueOf(families, 'evalpool_miner_action_latency_seconds', { env: ENV }, 'evalpool_miner_action_latency_seconds_count') >= 2);
    // Scheduler.
    assert.equal(valueOf(families, 'evalpool_scheduler_leader'), 1);
    assert.ok(valueOf(families, 'evalpool_scheduler_tick_duration_seconds', {}, 'evalpool_scheduler_tick_duration_seconds_count') >= 1);
    assert.ok(valueOf(families, 'evalpool_sampling_rotations_total', { env: ENV }) >= 1);
    assert.equal(families.get('evalpool_scheduler_task_failures_total')?.type, 'counter');
    // Weights, at scrape time.
    assert.ok(valueOf(families, 'evalpool_weights_age_seconds') >= 0);
    assert.ok(valueOf(families, 'evalpool_weights_last_block') > 0);
    // HTTP, and the scrape itself.
    assert.equal(valueOf(families, 'evalpool_http_requests_total', { method: 'GET', route: '/v1/weights/:block', status: '404' }), 3);
    assert.equal(valueOf(families, 'evalpool_http_requests_total', { method: 'GET', route: '/v1/weights/latest', status: '200' }), 1);
    present('evalpool_http_request_duration_seconds', { route: '/v1/weights/latest' }, 'evalpool_http_request_duration_seconds_bucket');
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'pool' }), 0);
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'weights' }), 0);
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'workers' }), 0);
    // The inline workers, from their heartbeat.
    assert.equal(valueOf(families, 'evalpool_workers_live', { env: ENV }), 1);
    assert.equal(valueOf(families, 'evalpool_workers', { state: 'live' }), 1);
    present('evalpool_worker_last_seen_seconds');
    // What operators reach for: the build, and per miner its weight, coverage, success rate and attempts.
    assert.equal(samplesOf(families, 'evalpool_build_info').length, 1);
    assert.equal(valueOf(families, 'evalpool_build_info', { version: '0.1.0', node_version: process.version }), 1);
    assert.equal(valueOf(families, 'evalpool_miner_weight', { uid: '0' }), 1);
    assert.ok(valueOf(families, 'evalpool_miner_coverage', { uid: '0', env: ENV }) >= 0.5);
    assert.equal(valueOf(families, 'evalpool_miner_success_rate', { uid: '0', env: ENV }), 1);
    assert.ok(valueOf(families, 'evalpool_miner_attempts_total', { hotkey: HOTKEY, error_class: 'success' }) >= 2);
    for (const errorClass of ERROR_CLASSES) present('evalpool_miner_attempts_total', { hotkey: HOTKEY, error_class: errorClass });
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'scores' }), 0);
    // Counters exist from the start, at 0: the leader's task failures by task.
    for (const task of ['miners', 'tick', 'reconcile'])
      assert.equal(valueOf(families, 'evalpool_scheduler_task_failures_total', { task }), 0);
    // Process.
    present('process_cpu_user_seconds_total');
    present('nodejs_heap_size_used_bytes');

    // Every label is from a bounded set: no raw path, no task id.
    const values = (label: string) =>
      new Set([...families.values()].flatMap((f) => f.samples.flatMap((s) => (s.labels[label] === undefined ? [] : [s.labels[label]]))));
    assert.deepEqual([...values('env')], [ENV]);
    assert.deepEqual([...values('hotkey')], [HOTKEY]);
    for (const route of values('route'))
      assert.ok(route === 'unmatched' || route === '/metrics' || route.startsWith('/v1/') || route === '/health', route);
    assert.ok(![...values('route')].some((r) => /\/\d+$/.test(r)), 'route labels are patterns');
    for (const f of families.values()) {
      for (const s of f.samples)
        for (const name of Object.keys(s.labels))
          assert.ok(
            [
              'env',
              'state',
              'hotkey',
              'error_class',
              'task',
              'source',
              'method',
              'route',
              'status',
              'le',
              'version',
              'major',
              'minor',
              'patch',
              'type',
              'space',
              'kind',
              'worker',
              'uid',
              'node_version',
            ].includes(name),
            `${s.name}: label ${name}`,
          );
    }
  });
});

/** The series only a process that runs episodes records (`evalpool worker`, or serve's inline workers). */
const WORKER_SERIES = [
  'evalpool_task_attempts_total',
  'evalpool_miner_attempts_total',
  'evalpool_tasks_paused_total',
  'evalpool_episode_duration_seconds',
  'evalpool_miner_action_latency_seconds',
];

/**
 * `serve` without inline workers (the episodes run in `evalpool worker` processes, scraped on
 * their own ports): its `/metrics` has no worker-side family at all, not HELP/TYPE lines without
 * a sample, and every counter it does have is present from the start (bar the HTTP ones, whose
 * label sets are the requests).
 */
describe('serve /metrics without inline workers', () => {
  let serve: RunningServe | undefined;
  let config: Config;
  const databaseUrl = randomDatabaseUrl();

  before(async () => {
    config = testConfig({
      EVALPOOL_DATABASE_URL: databaseUrl,
      EVALPOOL_QUEUE_PREFIX: `${redisHandle.prefix}-no-workers`,
      EVALPOOL_PORT: '0',
      EVALPOOL_INLINE_WORKERS: '0',
      EVALPOOL_RATE_LIMIT_PER_MINUTE: '0',
    });
    serve = await startServe(config, testLogger());
  });

  after(async () => {
    await serve?.lifecycle.stopAll(config.server.shutdownGraceMs);
    await dropDatabase(databaseUrl);
  });

  test("no worker-side series; every other counter at 0 or more (the leader's rotations from its first tick)", async () => {
    const scrape = async (): Promise<{ text: string; families: Map<string, Family> }> => {
      const response = await fetch(`${serve!.url}/metrics`);
      assert.equal(response.status, 200);
      const text = await response.text();
      return { text, families: parsePrometheusText(text) };
    };
    const emptyCounters = (families: Map<string, Family>): string[] =>
      [...families.values()]
        .filter((f) => f.type === 'counter' && f.samples.length === 0 && !f.name.startsWith('evalpool_http_'))
        .map((f) => f.name);
    const first = await scrape();
    for (const name of WORKER_SERIES) {
      assert.equal(first.families.has(name), false, `${name} is a worker's series`);
      assert.doesNotMatch(first.text, new RegExp(`^# (HELP|TYPE) ${name} `, 'm'));
    }
    assert.ok(
      emptyCounters(first.families).every((name) => name === 'evalpool_sampling_rotations_total'),
      `counters without a sample: ${emptyCounters(first.families).join(', ')}`,
    );
    const { families } = await waitFor('every counter with a sample', async () => {
      const next = await scrape();
      return emptyCounters(next.families).length === 0 ? next : undefined;
    });
    for (const name of WORKER_SERIES) assert.equal(families.has(name), false, `${name} is a worker's series`);
    assert.equal(valueOf(families, 'evalpool_build_info', { version: '0.1.0', node_version: process.version }), 1);
  });
});
