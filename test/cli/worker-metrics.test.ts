import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parsePrometheusText, samplesOf, valueOf } from '../helpers/prometheus-text.ts';
import { type CliProcess, runCli, spawnCli } from '../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
const ENV = 'noop/worker-metrics';

describe('evalpool worker --metrics-port', () => {
  let queues: TestQueues;
  let cli: CliProcess | undefined;
  before(() => {
    const config = testConfig({ EVALPOOL_QUEUE_PREFIX: redisHandle.prefix });
    queues = TestQueues.open(config);
  });
  after(async () => {
    await cli?.kill();
    await queues.close();
  });

  const variables = () => ({
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redisHandle.prefix,
    EVALPOOL_RESULT_FLUSH_MS: '5',
  });

  test("serves the worker's own metrics on EVALPOOL_HOST, counting what it ran", async () => {
    cli = spawnCli(['worker', '--envs', ENV, '--concurrency', '2', '--metrics-port', '0'], variables());
    const line = await cli.waitForLog((l) => l.msg === 'worker metrics endpoint is listening');
    const url = String(line.url);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await cli.waitForLog((l) => l.msg === 'evalpool worker is running');

    for (let i = 0; i < 3; i++) await queues.add(makeTask({ env: ENV, hotkey: '5WorkerMetrics' }));
    await waitFor(
      '3 results',
      async () => (await database.db.selectFrom('results').select('id').where('hotkey', '=', '5WorkerMetrics').execute()).length === 3,
    );

    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await response.text());
    assert.equal(valueOf(families, 'evalpool_task_attempts_total', { env: ENV, error_class: 'success' }), 3);
    assert.equal(
      valueOf(
        families,
        'evalpool_episode_duration_seconds',
        { env: ENV, error_class: 'success' },
        'evalpool_episode_duration_seconds_count',
      ),
      3,
    );
    assert.equal(valueOf(families, 'evalpool_tasks_paused_total', { env: ENV }), 0);
    assert.equal(valueOf(families, 'evalpool_scheduler_leader'), 0);
    // Only what a worker measures: no serve-side family (weights, miners, pool views, the worker
    // registry, the scheduler's and the HTTP series) shows up, not even as HELP/TYPE lines.
    for (const family of [
      'evalpool_weights_age_seconds',
      'evalpool_miner_weight',
      'evalpool_tasks',
      'evalpool_workers_live',
      'evalpool_sampling_rotations_total',
      'evalpool_http_requests_total',
      'evalpool_scrape_errors_total',
    ])
      assert.equal(families.has(family), false, `${family} is not a worker's`);
    // Every counter it does expose has a sample (the per-miner one appears with that miner's first episode, as here).
    const empty = [...families.values()].filter((f) => f.type === 'counter' && f.samples.length === 0).map((f) => f.name);
    assert.deepEqual(empty, []);
    assert.ok(samplesOf(families, 'process_cpu_user_seconds_total').length > 0);
    assert.equal((await fetch(url.replace(/\/metrics$/, '/v1/weights/latest'))).status, 404);

    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  test('a bad port is a config error naming the variable, exit 2', async () => {
    const result = await runCli(['worker', '--envs', ENV, '--metrics-port', '70000'], variables());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /EVALPOOL_WORKER_METRICS_PORT/);
  });
});
